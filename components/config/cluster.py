"""The stack's Kubernetes-facing sections: the target cluster, the Vault workload, TLS,
monitoring and telemetry (the network is in
:mod:`components.config.network`): their types (the rules across them are in
:mod:`components.config.rules`)."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field, StrictBool, StrictInt, StrictStr

from components.config.base import DNS_LABEL, DNS_SUBDOMAIN, DURATION, QUANTITY, Model, quantity
from components.config.targets import DEFAULT_IMAGES, Target, parse_version


SUPPORTED_KUBERNETES_MINORS = tuple(f"1.{minor}" for minor in range(25, 38))
"""Kubernetes minor versions whose schemas the offline validator bundles."""
MAX_CPU = 512
MAX_MEMORY = "4Ti"
MAX_VOLUME = "64Ti"
"""Upper bounds of the quantities a stack may ask for: a value beyond them is a typo (or
hostile), never a real Vault server."""


class KubernetesConfig(Model):
    """Where and for which Kubernetes the stack deploys."""

    version: StrictStr = Field(
        "1.31.0",
        pattern=r"^1\.[0-9]+\.[0-9]+$",
        description="Kubernetes version of the target cluster (MAJOR.MINOR.PATCH); the "
        "rendered manifests are validated against this version's schemas.",
    )
    namespace: StrictStr = Field(
        "vault",
        pattern=DNS_LABEL,
        max_length=63,
        description="Namespace created for Vault (DNS label).",
    )
    cluster_domain: StrictStr = Field(
        "cluster.local",
        pattern=DNS_SUBDOMAIN,
        description="The cluster's DNS domain, used in TLS names and addresses.",
    )


class ImageConfig(Model):
    """The server's container image."""

    repository: Optional[StrictStr] = Field(
        None,
        pattern=r"^[a-z0-9]+([._/-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*$",
        description="Image repository; `hashicorp/vault` or `quay.io/openbao/openbao` (by "
        "`cluster.distribution`) when omitted — name your mirror here.",
    )
    tag: Optional[StrictStr] = Field(
        None,
        pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}$",
        description="Image tag, the server's version (`2.0.4`, `1.21.9`, `2.7.2`; a suffix such as `-ent` "
        "is kept); the newest supported patch of the distribution when omitted.",
    )
    digest: Optional[StrictStr] = Field(
        None,
        pattern=r"^sha256:[0-9a-f]{64}$",
        description="Image digest (`sha256:<64 hex>`). When set the image is pulled by "
        "digest; when omitted it is pulled by tag and the manifest carries a "
        "documented checkov skip for CKV_K8S_43.",
    )
    pull_policy: Literal["IfNotPresent", "Always"] = Field(
        "IfNotPresent",
        description="Image pull policy. `IfNotPresent` keeps restarts independent of the "
        "registry's availability.",
    )


class ResourceQuantities(Model):
    cpu: StrictStr = Field(..., pattern=QUANTITY, max_length=16,
                           description=f"CPU quantity, e.g. `500m` (at most {MAX_CPU} cores).")
    memory: StrictStr = Field(..., pattern=QUANTITY, max_length=16,
                              description=f"Memory quantity, e.g. `1Gi` (at most {MAX_MEMORY}).")


class ResourcesConfig(Model):
    """Container resource requests and limits."""

    requests: ResourceQuantities = Field(
        ResourceQuantities(cpu="500m", memory="512Mi"),
        description="Resource requests.",
    )
    limits: ResourceQuantities = Field(
        ResourceQuantities(cpu="2", memory="1Gi"),
        description="Resource limits; each must be at least its request.",
    )


class VolumeConfig(Model):
    size: StrictStr = Field("10Gi", pattern=QUANTITY, max_length=16,
                            description=f"Volume size (at most {MAX_VOLUME}, the largest block volume clouds offer).")
    storage_class: Optional[StrictStr] = Field(
        None,
        pattern=DNS_SUBDOMAIN,
        description="StorageClass name; the cluster default when omitted.",
    )


class AuditRotationConfig(Model):
    """Rotation of the file audit devices on the audit volume, by the pod's reloader sidecar."""

    max_file_size: Optional[StrictStr] = Field(
        None, pattern=QUANTITY, max_length=16,
        description="Rotate an audit file once it reaches this size. Default: the audit volume divided by "
        "(`keep` + 3) and by the number of file devices on it — the kept files, the live one, one more file's "
        "growth before the next check, and a file's headroom below the 80 % `VaultAuditVolumeFilling` alert.",
    )
    keep: StrictInt = Field(3, ge=1, le=50, description="Rotated files kept per device (`audit.log.1` newest); "
                            "older ones are deleted. Ship them off the pod (stdout device) for longer retention.")
    check_seconds: StrictInt = Field(15, ge=1, le=3600, description="How often the sidecar checks the audit files' "
                                     "sizes and the TLS certificate.")

    @property
    def slots(self) -> int:
        """Files' worth of room per device: the kept ones, the live one, one of growth, one of headroom."""
        return self.keep + 3

    def max_bytes(self, volume_size: str, files: int) -> int:
        """The rotation size in bytes: as configured, or the volume's share (rounded down to MiB)."""
        if self.max_file_size is not None:
            return int(quantity(self.max_file_size))
        share = quantity(volume_size) / (self.slots * max(files, 1))
        return max(int(share) // 2**20, 1) * 2**20


class ClusterConfig(Model):
    """The Vault server workload."""

    distribution: Literal["vault", "openbao"] = Field(
        "vault",
        description="The server: `vault` (HashiCorp Vault 2.0.x from 2.0.2, or 1.21.x from 1.21.7) or `openbao` "
        "(2.7.x, or 2.6.x). Everything that differs is rendered for it: image, binary, environment, paths, "
        "server configuration, policy dialect.",
    )

    name: StrictStr = Field(
        "vault",
        pattern=DNS_LABEL,
        max_length=40,
        description="Base name of every Kubernetes object (DNS label, at most 40 characters "
        "so that suffixes fit).",
    )
    replicas: StrictInt = Field(
        3,
        ge=1,
        le=9,
        description="Vault server pods. Raft needs an odd count, at least 3 outside dev; "
        "file storage needs exactly 1.",
    )
    image: ImageConfig = Field(ImageConfig(), description="The container image.")
    resources: ResourcesConfig = Field(ResourcesConfig(), description="Requests and limits.")
    data_volume: VolumeConfig = Field(
        VolumeConfig(), description="Persistent volume per pod for Vault's data."
    )
    audit_volume: VolumeConfig = Field(
        VolumeConfig(), description="Persistent volume per pod for file audit devices."
    )
    audit_rotation: AuditRotationConfig = Field(
        AuditRotationConfig(), description="Rotation of the audit files on that volume (README, Audit)."
    )
    anti_affinity: Literal["required", "preferred"] = Field(
        "required",
        description="Pod anti-affinity across nodes. `preferred` is a dev-only shortcut.",
    )
    zone_spread: Literal["DoNotSchedule", "ScheduleAnyway"] = Field(
        "DoNotSchedule",
        description="What the scheduler does when pods cannot be spread evenly across zones "
        "(`topology.kubernetes.io/zone`, max skew 1). `ScheduleAnyway` is a dev-only shortcut.",
    )
    update_strategy: Literal["OnDelete", "RollingUpdate"] = Field(
        "OnDelete",
        description="StatefulSet update strategy. `OnDelete` lets operators restart standbys "
        "before the active node, as HashiCorp's upgrade procedure asks.",
    )
    termination_grace_period_seconds: StrictInt = Field(
        60, ge=10, le=600, description="Time Vault gets to step down and shut down cleanly."
    )
    log_level: Literal["trace", "debug", "info", "warn", "error"] = Field(
        "info", description="Server log level."
    )
    log_format: Literal["standard", "json"] = Field("json", description="Server log format.")
    ui: StrictBool = Field(True, description="Serve the web UI on the API port.")
    unauthenticated_generate_root: StrictBool = Field(
        False,
        description="Break-glass without a token: let a root token be generated from the recovery keys alone. "
        "Vault 1.21 always allows it; Vault 2.0 needs `enable_unauthenticated_access`; OpenBao a loopback-only "
        "listener (reached with `kubectl exec` or `port-forward`). Off by default: turn it on for the "
        "procedure, then off (see README, Break-glass).",
    )

    @property
    def target(self) -> Target:
        """The server this stack deploys (distribution and version from the image tag)."""
        version = parse_version(self.image_tag) or (0, 0, 0)
        return Target(self.distribution, version)

    @property
    def image_repository(self) -> str:
        return self.image.repository or DEFAULT_IMAGES[self.distribution][0]

    @property
    def image_tag(self) -> str:
        return self.image.tag or DEFAULT_IMAGES[self.distribution][1]


class CertManagerConfig(Model):
    issuer_name: StrictStr = Field(
        ...,
        pattern=DNS_SUBDOMAIN,
        description="Issuer or ClusterIssuer name. It must fill in `ca.crt` (CA, SelfSigned or "
        "Vault issuers do; ACME issuers do not): Vault's Raft join verifies peers with it.",
    )
    issuer_kind: Literal["Issuer", "ClusterIssuer"] = Field(
        "ClusterIssuer", description="Kind of the issuer."
    )
    duration: StrictStr = Field("2160h", pattern=DURATION, description="Certificate lifetime.")
    renew_before: StrictStr = Field("360h", pattern=DURATION, description="Renewal margin.")


class TlsConfig(Model):
    """TLS for the API and the Raft join."""

    mode: Literal["generated", "cert-manager", "disabled"] = Field(
        "generated",
        description="`generated`: a CA and server certificate made by the stack (private "
        "keys are Pulumi secrets); `cert-manager`: a Certificate issued by an existing "
        "issuer; `disabled`: plain HTTP, dev only.",
    )
    extra_dns_names: tuple[StrictStr, ...] = Field(
        (), description="Extra DNS names for the server certificate (e.g. an ingress host)."
    )
    cert_manager: Optional[CertManagerConfig] = Field(
        None, description="Required when mode is `cert-manager`."
    )
    ca_validity_hours: StrictInt = Field(
        87600, ge=24, description="Lifetime of the generated CA (mode `generated`)."
    )
    server_validity_hours: StrictInt = Field(
        8760, ge=24, description="Lifetime of the generated server certificate."
    )


class MonitoringConfig(Model):
    """Prometheus Operator objects for Vault: ServiceMonitor, PrometheusRule, dashboard."""

    enabled: StrictBool = Field(True, description="Create the ServiceMonitor, the alert rules and the dashboard "
                                "(needs the Prometheus Operator's CRDs).")
    scrape_interval: StrictStr = Field("30s", pattern=DURATION, description="How often Prometheus scrapes Vault.")
    scraper_namespaces: tuple[StrictStr, ...] = Field(
        ("monitoring",),
        description="Namespaces whose pods (Prometheus) may reach the metrics port 8202, where every pod — sealed "
        "and standby ones too — serves its metrics without a Vault token.",
    )
    token_secret: Optional[StrictStr] = Field(
        None, description="No longer used: metrics are scraped without a token on the metrics port (README, "
        "Monitoring). Refused when set, so that a stale Secret is not left trusted.",
    )
    rule_labels: dict[StrictStr, StrictStr] = Field(
        {"release": "prometheus"}, description="Labels the Prometheus Operator selects rules and monitors by."
    )


class TelemetryConfig(Model):
    prometheus_retention_time: StrictStr = Field(
        "24h", pattern=DURATION, description="How long Prometheus metrics are kept in memory."
    )
    disable_hostname: StrictBool = Field(True, description="Leave the host name out of metric names.")
