"""The stack-configuration schema: typed, validated once, with clear errors.

Every value a stack may set lives under the project's config namespace
(``vault-platform:<key>``) in ``Pulumi.<stack>.yaml``. :func:`load` turns the raw
key/value map into a frozen :class:`StackConfig` or raises :class:`ConfigError`
listing *every* problem at once; each problem names the stack file, the key path,
the bad value and what is allowed.

This module makes no Pulumi calls: the program hands it the values Pulumi's
runtime holds, the offline planner hands it the values read from the stack
file. Both go through the same :func:`load`.
"""

from __future__ import annotations

import copy
import difflib
import functools
import json
import re
import typing
from pathlib import Path
from typing import Any, Literal, Mapping, Optional

import yaml
from components import pgp_keys
from components.problems import NAMESPACE, Problem
from components.schema_base import Model
from components.secret_values import Secret, SecretPlaceholder, secret_validator
from components.vault_schema import VaultSpec
from pydantic import BaseModel, Field, StrictBool, StrictInt, StrictStr, ValidationError


ENVIRONMENTS = ("dev", "staging", "production")
SUPPORTED_KUBERNETES_MINORS = tuple(f"1.{minor}" for minor in range(25, 38))
"""Kubernetes minor versions whose schemas the offline validator bundles."""

_DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
_DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"
_QUANTITY = r"^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$"
_DURATION = r"^([0-9]+(ns|us|ms|s|m|h))+$"


# --------------------------------------------------------------------------- schema


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
        pattern=_DNS_LABEL,
        max_length=63,
        description="Namespace created for Vault (DNS label).",
    )
    cluster_domain: StrictStr = Field(
        "cluster.local",
        pattern=_DNS_SUBDOMAIN,
        description="The cluster's DNS domain, used in TLS names and addresses.",
    )


class ImageConfig(Model):
    """The Vault container image."""

    repository: StrictStr = Field(
        "hashicorp/vault",
        pattern=r"^[a-z0-9]+([._/-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*$",
        description="Image repository.",
    )
    tag: StrictStr = Field(
        "1.21.2",
        pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$",
        description="Image tag; pinned, never `latest`.",
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
    cpu: StrictStr = Field(..., pattern=_QUANTITY, description="CPU quantity, e.g. `500m`.")
    memory: StrictStr = Field(..., pattern=_QUANTITY, description="Memory quantity, e.g. `1Gi`.")


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
    size: StrictStr = Field("10Gi", pattern=_QUANTITY, description="Volume size.")
    storage_class: Optional[StrictStr] = Field(
        None,
        pattern=_DNS_SUBDOMAIN,
        description="StorageClass name; the cluster default when omitted.",
    )


class ClusterConfig(Model):
    """The Vault server workload."""

    name: StrictStr = Field(
        "vault",
        pattern=_DNS_LABEL,
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


class RaftConfig(Model):
    """Integrated storage (Raft) tuning."""

    performance_multiplier: StrictInt = Field(
        1, ge=0, le=10, description="Raft timing multiplier; 1 is HashiCorp's production value."
    )
    autopilot_reconcile_interval: StrictStr = Field(
        "10s", pattern=_DURATION, description="How often autopilot reconciles voter state."
    )
    autopilot_update_interval: StrictStr = Field(
        "2s", pattern=_DURATION, description="How often autopilot refreshes server state."
    )


_IDENTIFIER = r"^[a-z_][a-z0-9_]{0,62}$"


class RdsConfig(Model):
    """A managed Amazon RDS for PostgreSQL created by the stack."""

    region: StrictStr = Field(..., pattern=r"^[a-z]{2}(-[a-z]+)+-[0-9]$", description="AWS region of the instance.")
    vpc_id: StrictStr = Field(..., pattern=r"^vpc-[0-9a-f]+$", description="VPC of the cluster.")
    subnet_ids: tuple[StrictStr, ...] = Field(
        ..., min_length=2, description="Private subnets in at least two zones (Multi-AZ)."
    )
    client_security_group_id: StrictStr = Field(
        ..., pattern=r"^sg-[0-9a-f]+$", description="Security group of the cluster's nodes: the only source allowed in."
    )
    instance_class: StrictStr = Field("db.t4g.medium", pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$", description="Instance class.")
    engine_version: StrictStr = Field(
        "16", pattern=r"^1[4-7]$",
        description="PostgreSQL major version; RDS applies minor versions itself (auto minor upgrades).")
    allocated_storage: StrictInt = Field(50, ge=20, le=65536, description="Storage in GiB.")
    max_allocated_storage: StrictInt = Field(200, ge=20, le=65536, description="Autoscaling ceiling in GiB.")
    backup_retention_period: StrictInt = Field(14, ge=7, le=35, description="Days of automated backups (7-35).")
    ca_cert_identifier: StrictStr = Field("rds-ca-rsa2048-g1", description="RDS server CA.")
    database: StrictStr = Field("vault", pattern=_IDENTIFIER, description="Database name.")
    master_username: StrictStr = Field("vault_admin", pattern=_IDENTIFIER, description="Administrator name.")


class PostgresqlConfig(Model):
    """PostgreSQL storage: an existing database, or an RDS instance the stack creates."""

    source: Literal["existing", "rds"] = Field(..., description="`existing` database or a new `rds` instance.")
    admin_connection_url: Optional[Secret] = Field(
        None,
        description="source `existing`: a Pulumi secret `postgres://admin:password@host:5432/db` used only by "
        "the schema Job; Vault gets its own least-privilege role.",
    )
    ca_cert_file: Optional[StrictStr] = Field(
        None,
        description="PEM file (in the repository) of the CA that signed the database's certificate; required "
        "outside dev, where Vault verifies the server (`sslmode=verify-full`).",
    )
    table: StrictStr = Field("vault_kv_store", pattern=_IDENTIFIER, description="Data table.")
    ha_table: StrictStr = Field("vault_ha_locks", pattern=_IDENTIFIER, description="HA lock table.")
    vault_role: StrictStr = Field("vault", pattern=_IDENTIFIER, description="Database role Vault logs in as.")
    max_parallel: StrictInt = Field(128, ge=1, le=1024, description="Concurrent requests Vault makes.")
    schema_job_image: StrictStr = Field(
        "postgres:16.6-alpine3.20", pattern=r"^[a-z0-9./_-]+:[A-Za-z0-9_.-]+(@sha256:[0-9a-f]{64})?$",
        description="Pinned image with psql for the schema Job.",
    )
    rds: Optional[RdsConfig] = Field(None, description="source `rds`: the instance.")

    _secrets = secret_validator("admin_connection_url")


class StorageConfig(Model):
    """Where Vault keeps its data."""

    type: Literal["raft", "postgresql", "file"] = Field(
        "raft",
        description="`raft` (integrated storage, HA), `postgresql` (HA through Vault's lock table) or "
        "`file` (dev only, single replica).",
    )
    raft: RaftConfig = Field(RaftConfig(), description="Raft settings (type `raft` only).")
    postgresql: Optional[PostgresqlConfig] = Field(None, description="PostgreSQL settings (type `postgresql` only).")


class CertManagerConfig(Model):
    issuer_name: StrictStr = Field(
        ...,
        pattern=_DNS_SUBDOMAIN,
        description="Issuer or ClusterIssuer name. It must fill in `ca.crt` (CA, SelfSigned or "
        "Vault issuers do; ACME issuers do not): Vault's Raft join verifies peers with it.",
    )
    issuer_kind: Literal["Issuer", "ClusterIssuer"] = Field(
        "ClusterIssuer", description="Kind of the issuer."
    )
    duration: StrictStr = Field("2160h", pattern=_DURATION, description="Certificate lifetime.")
    renew_before: StrictStr = Field("360h", pattern=_DURATION, description="Renewal margin.")


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


class NetworkConfig(Model):
    """Who may reach Vault."""

    network_policies: StrictBool = Field(
        True,
        description="Default-deny ingress in Vault's namespace; the API port open only to "
        "`allowed_namespaces`, the cluster port only between Vault pods. Turning it off is "
        "a dev-only shortcut.",
    )
    allowed_namespaces: tuple[StrictStr, ...] = Field(
        (),
        description="Namespaces whose pods may call the API port (8200). Vault's own pods "
        "always may.",
    )


class SnapshotConfig(Model):
    """Scheduled Raft snapshots to an S3 bucket the stack creates (needs Raft and AWS KMS)."""

    enabled: StrictBool = Field(False, description="Take snapshots on a schedule (Raft storage and AWS KMS only).")
    schedule: StrictStr = Field("17 */6 * * *", pattern=r"^(\S+\s+){4}\S+$", description="CronJob schedule (UTC).")
    retention_days: StrictInt = Field(30, ge=1, le=3650, description="Days a snapshot is kept (older versions too).")
    prefix: StrictStr = Field("vault", pattern=r"^[a-z0-9][a-z0-9/_-]*[a-z0-9]$",
                              description="Object key prefix; the stack name is appended.")
    uploader_image: StrictStr = Field(
        "amazon/aws-cli:2.22.0", pattern=r"^[a-z0-9./_-]+:[A-Za-z0-9_.-]+(@sha256:[0-9a-f]{64})?$",
        description="Pinned image with the AWS CLI for the upload.")
    restore_principals: tuple[StrictStr, ...] = Field(
        (),
        description="IAM principal ARNs allowed to assume the restore role, which may list and read the "
        "snapshots (for `vault-platform snapshot list/restore`) and nothing else; no role when empty.",
    )


class MonitoringConfig(Model):
    """Prometheus Operator objects for Vault: ServiceMonitor, PrometheusRule, dashboard."""

    enabled: StrictBool = Field(True, description="Create the ServiceMonitor, the alert rules and the dashboard "
                                "(needs the Prometheus Operator's CRDs).")
    scrape_interval: StrictStr = Field("30s", pattern=_DURATION, description="How often Prometheus scrapes Vault.")
    token_secret: StrictStr = Field(
        "vault-metrics-token", pattern=_DNS_SUBDOMAIN,
        description="Secret (key `token`) with a periodic Vault token of policy `metrics-reader`, created by an "
        "operator (see README, Monitoring).",
    )
    rule_labels: dict[StrictStr, StrictStr] = Field(
        {"release": "prometheus"}, description="Labels the Prometheus Operator selects rules and monitors by."
    )


class TelemetryConfig(Model):
    prometheus_retention_time: StrictStr = Field(
        "24h", pattern=_DURATION, description="How long Prometheus metrics are kept in memory."
    )
    disable_hostname: StrictBool = Field(True, description="Leave the host name out of metric names.")


_AWS_REGION = r"^[a-z]{2}(-[a-z]+)+-[0-9]$"
_ACCOUNT_ARN = r"arn:aws(-[a-z]+)*"


class WorkloadIdentityConfig(Model):
    """How Vault's pods obtain AWS credentials (never static keys)."""

    mode: Literal["irsa", "pod-identity"] = Field(
        "irsa",
        description="`irsa`: an IAM role trusted by the cluster's OIDC provider for Vault's "
        "service account; `pod-identity`: EKS Pod Identity with an association.",
    )
    oidc_provider_arn: Optional[StrictStr] = Field(
        None,
        pattern=rf"^{_ACCOUNT_ARN}:iam::[0-9]{{12}}:oidc-provider/[A-Za-z0-9._/-]+$",
        description="The cluster's IAM OIDC provider ARN (mode `irsa`).",
    )
    cluster_name: Optional[StrictStr] = Field(
        None,
        pattern=r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$",
        description="The EKS cluster name (mode `pod-identity`).",
    )
    cluster_region: Optional[StrictStr] = Field(
        None,
        pattern=_AWS_REGION,
        description="Region of the EKS cluster (mode `pod-identity`); the key's region when omitted.",
    )


class AwsKmsConfig(Model):
    """The AWS KMS key that seals Vault's root key."""

    region: StrictStr = Field(..., pattern=_AWS_REGION, description="AWS region of the key.")
    existing_key_arn: Optional[StrictStr] = Field(
        None,
        pattern=rf"^{_ACCOUNT_ARN}:kms:[a-z0-9-]+:[0-9]{{12}}:key/[A-Za-z0-9-]+$",
        description="Bring your own key: its ARN. Nothing is created for the key then, and its "
        "key policy (yours) must let Vault's role use it.",
    )
    deletion_window_in_days: StrictInt = Field(
        30, ge=7, le=30, description="Waiting period before a scheduled deletion (7-30 days)."
    )
    enable_key_rotation: StrictBool = Field(
        True, description="Yearly automatic rotation of the key material (dev may turn it off)."
    )
    rotation_period_in_days: StrictInt = Field(
        365, ge=90, le=2560, description="Days between automatic rotations (90-2560)."
    )
    key_administrators: tuple[StrictStr, ...] = Field(
        (),
        description="IAM principal ARNs that manage the key but cannot use it; the account "
        "(IAM policies decide) when omitted. The deploying identity must be among them.",
    )
    identity: WorkloadIdentityConfig = Field(
        WorkloadIdentityConfig(), description="Workload identity of Vault's pods."
    )


class UnsealConfig(Model):
    """How Vault unseals itself."""

    type: Literal["awskms", "shamir"] = Field(
        "awskms",
        description="`awskms`: auto-unseal with an AWS KMS key; `shamir`: key shares held by "
        "people, dev only.",
    )
    awskms: Optional[AwsKmsConfig] = Field(None, description="Required when type is `awskms`.")


class RecoveryKeyCustodyConfig(Model):
    """Recovery keys kept in AWS Secrets Manager: one secret under a dedicated KMS key,
    reachable through one custodian role."""

    custodians: tuple[StrictStr, ...] = Field(
        (),
        description="IAM principal ARNs allowed to assume the custodian role, which may read and write the "
        "one recovery-key secret and nothing else (at least one).",
    )
    recovery_window_in_days: StrictInt = Field(
        30, ge=7, le=30, description="Days a deleted secret can still be restored (7-30)."
    )


class InitializationConfig(Model):
    """The first boot of a new cluster: `vault-platform init` (see README, First boot)."""

    recovery_shares: StrictInt = Field(
        5, ge=1, le=10,
        description="Key shares made at initialisation: recovery keys with AWS KMS, unseal keys with Shamir.",
    )
    recovery_threshold: StrictInt = Field(
        3, ge=1, le=10, description="Shares needed to generate a root token (at most recovery_shares)."
    )
    recovery_keys: Literal["secrets-manager", "pgp"] = Field(
        "secrets-manager",
        description="`secrets-manager`: stored in one AWS Secrets Manager secret under a dedicated KMS key "
        "(needs unseal.type awskms); `pgp`: each share encrypted by Vault to one operator's public key.",
    )
    pgp_keys: tuple[StrictStr, ...] = Field(
        (),
        description="With `pgp`: one public-key file per share, relative to the repository (armoured or binary "
        "`gpg --export`).",
    )
    secrets_manager: RecoveryKeyCustodyConfig = Field(
        RecoveryKeyCustodyConfig(), description="With `secrets-manager`: the custodians of the secret."
    )


class StackConfig(Model):
    """The whole validated configuration of one stack."""

    environment: Literal["dev", "staging", "production"] = Field(
        ..., description="Which environment the stack is. Dev-only shortcuts are refused "
        "in staging and production."
    )
    kubernetes: KubernetesConfig = Field(KubernetesConfig(), description="Target cluster.")
    cluster: ClusterConfig = Field(ClusterConfig(), description="The Vault workload.")
    storage: StorageConfig = Field(StorageConfig(), description="The storage backend.")
    tls: TlsConfig = Field(TlsConfig(), description="TLS.")
    network: NetworkConfig = Field(NetworkConfig(), description="Network policies.")
    telemetry: TelemetryConfig = Field(TelemetryConfig(), description="Telemetry stanza.")
    monitoring: MonitoringConfig = Field(MonitoringConfig(), description="ServiceMonitor, alerts, dashboard.")
    snapshots: SnapshotConfig = Field(SnapshotConfig(), description="Scheduled Raft snapshots to S3.")
    unseal: UnsealConfig = Field(UnsealConfig(), description="Seal: AWS KMS auto-unseal or Shamir.")
    initialization: Optional[InitializationConfig] = Field(
        None, description="Recovery keys of the first boot (`vault-platform init`); without it, initialise by hand."
    )
    vault: VaultSpec = Field(VaultSpec(), description="Vault's own configuration (auth, policies, audit, identity).")

    @property
    def is_dev(self) -> bool:
        return self.environment == "dev"


# --------------------------------------------------------------------------- errors


class ConfigError(ValueError):
    """The stack configuration is invalid; ``problems`` lists every problem found."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = sorted(problems, key=lambda p: (p.path, p.message))
        count = len(self.problems)
        lines = [f"invalid stack configuration in {source} ({count} problem{'s' * (count != 1)}):"]
        lines += [f"  - {p.render()}" for p in self.problems]
        super().__init__("\n".join(lines))


# --------------------------------------------------------------------------- loading


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML was built with it (ten times faster), else PyYAML's."""


def read_stack_file(path: Path) -> dict[str, Any]:
    """Read a ``Pulumi.<stack>.yaml`` file into the raw ``{key: value}`` config map.

    Values under ``secure:`` stay encrypted and become :class:`SecretPlaceholder`.
    Raises :class:`ConfigError` when the file is missing or not a stack file.
    """
    source = str(path)
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except FileNotFoundError:
        raise ConfigError(source, [Problem("", "stack file not found", has_value=False)]) from None
    except yaml.YAMLError as exc:
        raise ConfigError(source, [Problem("", f"not valid YAML: {exc}", has_value=False)]) from None
    if document is None:
        document = {}
    if not isinstance(document, dict) or not isinstance(document.get("config", {}), dict):
        raise ConfigError(
            source,
            [Problem("", "a stack file is a mapping with a `config:` mapping", has_value=False)],
        )
    return {str(k): _unwrap_secure(v) for k, v in (document.get("config") or {}).items()}


def _unwrap_secure(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"} and isinstance(value["secure"], str):
            return SecretPlaceholder(value["secure"])
        return {k: _unwrap_secure(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap_secure(v) for v in value]
    return value


def decode_runtime_value(text: str) -> Any:
    """Pulumi's runtime hands every config value over as text; objects come JSON-encoded."""
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def load(
    raw: Mapping[str, Any], source: str, stack: Optional[str] = None, policy_dir: Optional[Path] = None
) -> StackConfig:
    """Validate the raw config map of one stack and return the typed configuration.

    ``raw`` maps full keys (``vault-platform:cluster``) to values; keys of other
    namespaces (``aws:region``, ``kubernetes:context``) are left to their providers.
    ``source`` names the stack file in messages. When ``stack`` is one of the
    environment names, ``environment`` must match it.
    """
    ours: dict[str, Any] = {}
    for key, value in raw.items():
        namespace, _, name = key.partition(":")
        if namespace == NAMESPACE:
            ours[name] = value

    problems = _unknown_keys(StackConfig, ours, "")
    known = _strip_unknown(StackConfig, ours)
    config: Optional[StackConfig] = None
    try:
        config = StackConfig.model_validate(known)
    except ValidationError as exc:
        errors = exc.errors()
        problems += [_from_pydantic(error, known) for error in errors]
        # Check the cross-field rules too, with the bad values left at their defaults,
        # so that one run reports every problem.
        try:
            config = StackConfig.model_validate(_without(known, [error["loc"] for error in errors]))
        except ValidationError:
            config = None
    if config is not None:
        failed = {problem.path for problem in problems}
        problems += [
            problem
            for problem in _cross_field_problems(config, ours, stack, failed)
            if problem.path not in failed
        ]
        if rules_apply(failed, "vault"):
            problems += _vault_problems(config, stack or "", policy_dir)
    if problems:
        raise ConfigError(source, problems)
    assert config is not None
    return config


def load_stack_file(path: Path, stack: Optional[str] = None) -> StackConfig:
    """Read and validate a stack file; the stack name defaults to the file's."""
    if stack is None:
        stack = stack_name_of(path)
    return load(read_stack_file(path), str(path), stack)


def stack_name_of(path: Path) -> str:
    match = re.fullmatch(r"Pulumi\.(.+)\.yaml", path.name)
    return match.group(1) if match else path.stem


# --------------------------------------------------------------------------- unknown keys


@functools.lru_cache(maxsize=None)
def _model_in(annotation: Any) -> Optional[type[BaseModel]]:
    """The model class a field holds (directly or inside Optional/tuple/list/dict)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _unknown_keys(model: type[BaseModel], data: Any, prefix: str) -> list[Problem]:
    if not isinstance(data, dict):
        return []
    problems = []
    fields = model.model_fields
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if key not in fields:
            hint = difflib.get_close_matches(str(key), list(fields), n=1, cutoff=0.6)
            did_you_mean = f"did you mean `{hint[0]}`? " if hint else ""
            problems.append(
                Problem(
                    path,
                    f"unknown key; {did_you_mean}allowed keys: {', '.join(sorted(fields))}",
                    has_value=False,
                )
            )
            continue
        inner = _model_in(fields[key].annotation)
        if inner is None:
            continue
        if isinstance(value, dict):
            problems += _unknown_keys(inner, value, path)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                problems += _unknown_keys(inner, item, f"{path}[{index}]")
    return problems


def _strip_unknown(model: type[BaseModel], data: Any) -> Any:
    """Drop unknown keys (already reported) so the typed pass reports only real type errors."""
    if not isinstance(data, dict):
        return data
    kept = {}
    for key, value in data.items():
        if key not in model.model_fields:
            continue
        inner = _model_in(model.model_fields[key].annotation)
        if inner is not None and isinstance(value, dict):
            value = _strip_unknown(inner, value)
        elif inner is not None and isinstance(value, list):
            value = [_strip_unknown(inner, item) for item in value]
        kept[key] = value
    return kept


def _without(data: dict[str, Any], locations: list[tuple]) -> dict[str, Any]:
    """A copy of ``data`` without the values at ``locations`` (a list loses the whole list)."""
    data = copy.deepcopy(data)
    for location in locations:
        node: Any = data
        parts = [part for part in location]
        cut = next((i for i, part in enumerate(parts) if isinstance(part, int)), len(parts))
        parts = parts[: max(cut, 1)]
        for part in parts[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(parts[-1], None)
    return data


def _from_pydantic(error: Mapping[str, Any], data: Any) -> Problem:
    path = ""
    for part in error["loc"]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    if error["type"] == "missing":
        return Problem(path, "required key is missing", has_value=False)
    value = error.get("input")
    if isinstance(value, SecretPlaceholder):
        return Problem(path, "this key cannot be a secret (`secure:`) value", has_value=False)
    message = error["msg"].removeprefix("Value error, ")
    if "must be a Pulumi secret" in message:  # never echo a value that should have been secret
        return Problem(path, message, has_value=False)
    context = error.get("ctx") or {}
    if error["type"] in ("model_type", "dict_type", "model_attributes_type"):
        message = "must be a mapping of keys (see the configuration reference)"
    if error["type"] == "string_pattern_mismatch":
        message = f"does not match the allowed form {context.get('pattern')}"
    return Problem(path, message[0].lower() + message[1:], value)


# --------------------------------------------------------------------------- cross-field rules

_QUANTITY_FACTORS = {
    "m": 1e-3, "": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
}


def quantity(text: str) -> float:
    """The numeric value of a Kubernetes quantity such as ``500m`` or ``1Gi``."""
    match = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)([A-Za-z]*)", text)
    if not match or match.group(2) not in _QUANTITY_FACTORS:
        raise ValueError(f"not a Kubernetes quantity: {text!r}")
    return float(match.group(1)) * _QUANTITY_FACTORS[match.group(2)]


_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def duration_seconds(text: str) -> float:
    """Seconds in a Go-style duration such as ``1h30m`` or ``10s``."""
    parts = re.findall(r"([0-9]+)(ns|us|ms|s|m|h)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a duration: {text!r}")
    return sum(int(number) * _DURATION_UNITS[unit] for number, unit in parts)


def rules_apply(failed: set[str], prefix: str) -> bool:
    return not any(path == prefix or path.startswith(prefix + ".") for path in failed)


def _vault_problems(config: StackConfig, stack: str, policy_dir: Optional[Path]) -> list[Problem]:
    from components import policy_files
    from components.vault_schema import cross_reference_problems

    vault = config.vault
    problems: list[Problem] = []
    if not vault.configure:
        return problems
    kwargs = {"folder": policy_dir} if policy_dir is not None else {}
    loaded, policy_problems = policy_files.load(vault.policies.include, vault.policies.exclude,
                                                config.environment, stack, **kwargs)
    for problem in policy_problems:
        where = f"{problem.file}" + (f" line {problem.line}" if problem.line else "")
        problems.append(Problem("vault.policies", f"{where}: {problem.message}", has_value=False))
    names = {policy.name for policy in loaded}
    problems += cross_reference_problems(vault, config.environment, names)
    return problems


class _Rules:
    """Collects cross-field problems, skipping a rule when one of its inputs already
    failed type validation (its stand-in default would make the rule report a value
    the stack file does not hold)."""

    def __init__(self, failed: set[str]):
        self.failed = failed
        self.problems: list[Problem] = []

    def usable(self, *paths: str) -> bool:
        for path in paths:
            for bad in self.failed:
                if bad == path or bad.startswith(path + ".") or bad.startswith(path + "[") or path.startswith(bad + "."):
                    return False
        return True

    def check(self, inputs: tuple[str, ...], broken: bool, problem: Problem) -> None:
        if broken and self.usable(*inputs):
            self.problems.append(problem)


def _cross_field_problems(
    config: StackConfig, given: Mapping[str, Any], stack: Optional[str], failed: set[str]
) -> list[Problem]:
    rules = _Rules(failed)
    check = rules.check
    env = config.environment
    dev = config.is_dev
    cluster = config.cluster
    storage = config.storage.type
    replicas = cluster.replicas

    check(("environment",), stack in ENVIRONMENTS and env != stack,
          Problem("environment", f"the stack `{stack}` must declare environment `{stack}`", env))

    minor = ".".join(config.kubernetes.version.split(".")[:2])
    check(("kubernetes.version",), minor not in SUPPORTED_KUBERNETES_MINORS,
          Problem("kubernetes.version",
                  f"unsupported Kubernetes version; allowed minors: "
                  f"{SUPPORTED_KUBERNETES_MINORS[0]} to {SUPPORTED_KUBERNETES_MINORS[-1]}",
                  config.kubernetes.version))

    _postgresql_rules(config, rules)
    check(("snapshots.enabled", "storage.type"), config.snapshots.enabled and storage != "raft",
          Problem("snapshots.enabled", f"Raft snapshots need storage.type raft, not {storage} (PostgreSQL is "
                  "backed up by the database: see README)", True))
    for index, arn in enumerate(config.snapshots.restore_principals):
        check(("snapshots.restore_principals",), not re.fullmatch(_PRINCIPAL_ARN, arn),
              Problem(f"snapshots.restore_principals[{index}]",
                      "not an IAM principal ARN (arn:aws:iam::<account>:root, :role/<name> or :user/<name>)", arn))
    check(("snapshots.enabled", "unseal.type"), config.snapshots.enabled and config.unseal.type != "awskms",
          Problem("snapshots.enabled", "snapshots go to S3 with the AWS KMS identity: needs unseal.type awskms", True))
    check(("storage.type", "environment"), storage == "file" and not dev,
          Problem("storage.type", f"file storage is dev-only; {env} allows: raft", storage))
    check(("storage.type", "cluster.replicas"), storage == "file" and replicas != 1,
          Problem("cluster.replicas", "file storage has no HA: replicas must be 1 (use raft for more)", replicas))
    check(("storage.type",), "raft" in (given.get("storage") or {}) and storage != "raft",
          Problem("storage.raft", f"only valid with storage.type raft, not {storage}", has_value=False))
    check(("storage.type", "cluster.replicas", "environment"),
          storage == "raft" and not dev and (replicas < 3 or replicas % 2 == 0),
          Problem("cluster.replicas",
                  f"Raft storage in {env} needs an odd replica count of at least 3 (allowed: 3, 5, 7, 9)", replicas))
    check(("storage.type", "cluster.replicas", "environment"), storage == "raft" and dev and replicas % 2 == 0,
          Problem("cluster.replicas", "Raft needs an odd replica count for a quorum (allowed: 1, 3, 5, 7, 9)",
                  replicas))
    raft = config.storage.raft
    check(("storage.raft",),
          duration_seconds(raft.autopilot_reconcile_interval) < duration_seconds(raft.autopilot_update_interval),
          Problem("storage.raft.autopilot_reconcile_interval",
                  f"must be at least autopilot_update_interval ({raft.autopilot_update_interval}), "
                  "or Vault refuses to start", raft.autopilot_reconcile_interval))

    check(("cluster.image.tag",), cluster.image.tag == "latest",
          Problem("cluster.image.tag", "pin a version; `latest` is not allowed", "latest"))
    for kind in ("cpu", "memory"):
        request = getattr(cluster.resources.requests, kind)
        limit = getattr(cluster.resources.limits, kind)
        check(("cluster.resources",), quantity(limit) < quantity(request),
              Problem(f"cluster.resources.limits.{kind}",
                      f"the limit is below the request ({request}); allowed: at least {request}", limit))

    shortcuts = [
        ("tls.mode", config.tls.mode == "disabled", config.tls.mode,
         "TLS cannot be off outside dev; allowed: generated, cert-manager"),
        ("network.network_policies", not config.network.network_policies, False,
         "network policies are a dev-only opt-out; allowed: true"),
        ("cluster.anti_affinity", cluster.anti_affinity == "preferred", "preferred",
         "soft anti-affinity is a dev-only shortcut; allowed: required"),
        ("cluster.zone_spread", cluster.zone_spread == "ScheduleAnyway", "ScheduleAnyway",
         "a best-effort zone spread is a dev-only shortcut; allowed: DoNotSchedule"),
    ]
    for path, refused, value, message in shortcuts:
        check((path, "environment"), refused and not dev, Problem(path, f"{message} (environment {env})", value))

    tls = config.tls
    check(("tls.mode", "tls.cert_manager"), tls.mode == "cert-manager" and tls.cert_manager is None,
          Problem("tls.cert_manager", "required when tls.mode is cert-manager", has_value=False))
    check(("tls.mode", "tls.cert_manager"), tls.mode != "cert-manager" and tls.cert_manager is not None,
          Problem("tls.cert_manager", f"only valid with tls.mode cert-manager, not {tls.mode}", has_value=False))
    manager = tls.cert_manager
    if manager is not None:
        check(("tls.cert_manager",), duration_seconds(manager.renew_before) >= duration_seconds(manager.duration),
              Problem("tls.cert_manager.renew_before",
                      f"must be shorter than the certificate's duration ({manager.duration})", manager.renew_before))
    check(("tls.ca_validity_hours", "tls.server_validity_hours"),
          tls.mode == "generated" and tls.server_validity_hours > tls.ca_validity_hours,
          Problem("tls.server_validity_hours",
                  f"the server certificate cannot outlive its CA ({tls.ca_validity_hours}h); "
                  f"allowed: at most {tls.ca_validity_hours}", tls.server_validity_hours))
    for index, name in enumerate(tls.extra_dns_names):
        check(("tls.extra_dns_names",),
              not re.fullmatch(r"(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", name),
              Problem(f"tls.extra_dns_names[{index}]", "not a DNS name (lowercase, dots, dashes)", name))
    for index, name in enumerate(config.network.allowed_namespaces):
        check(("network.allowed_namespaces",), not re.fullmatch(_DNS_LABEL, name) or len(name) > 63,
              Problem(f"network.allowed_namespaces[{index}]", "not a namespace name (DNS label)", name))

    _unseal_rules(config, rules)
    _initialization_rules(config, rules)
    return rules.problems


PROJECT_DIR = Path(__file__).resolve().parent.parent


def _postgresql_rules(config: StackConfig, rules: _Rules) -> None:
    check = rules.check
    storage = config.storage
    pg = storage.postgresql
    env = config.environment
    if storage.type != "postgresql":
        check(("storage.type", "storage.postgresql"), pg is not None,
              Problem("storage.postgresql", f"only valid with storage.type postgresql, not {storage.type}",
                      has_value=False))
        return
    if pg is None:
        check(("storage.postgresql",), True,
              Problem("storage.postgresql", "required when storage.type is postgresql (source, ca_cert_file)",
                      has_value=False))
        return
    check(("cluster.replicas", "environment"), not config.is_dev and config.cluster.replicas < 2,
          Problem("cluster.replicas", f"PostgreSQL storage in {env} needs at least 2 replicas for HA "
                  "(allowed: 2 to 9)", config.cluster.replicas))
    if pg.source == "existing":
        check(("storage.postgresql.admin_connection_url",), pg.admin_connection_url is None,
              Problem("storage.postgresql.admin_connection_url", "required with source existing", has_value=False))
        check(("storage.postgresql.rds",), pg.rds is not None,
              Problem("storage.postgresql.rds", "only valid with source rds", has_value=False))
    else:
        check(("storage.postgresql.rds",), pg.rds is None,
              Problem("storage.postgresql.rds", "required with source rds (region, vpc_id, subnet_ids, "
                      "client_security_group_id)", has_value=False))
        check(("storage.postgresql.admin_connection_url",), pg.admin_connection_url is not None,
              Problem("storage.postgresql.admin_connection_url",
                      "only valid with source existing (the stack makes the RDS credentials)", has_value=False))
    check(("storage.postgresql.ca_cert_file", "environment"), pg.ca_cert_file is None and not config.is_dev,
          Problem("storage.postgresql.ca_cert_file",
                  f"required in {env}: Vault verifies the database server's certificate", has_value=False))
    if pg.ca_cert_file is not None:
        path = PROJECT_DIR / pg.ca_cert_file
        check(("storage.postgresql.ca_cert_file",), not path.is_file() or "BEGIN CERTIFICATE" not in path.read_text(),
              Problem("storage.postgresql.ca_cert_file", "no PEM certificate file at this path in the repository",
                      pg.ca_cert_file))
    check(("storage.postgresql.table", "storage.postgresql.ha_table"), pg.table == pg.ha_table,
          Problem("storage.postgresql.ha_table", "must differ from table", pg.ha_table))


_KEY_SETTINGS = ("deletion_window_in_days", "enable_key_rotation", "rotation_period_in_days", "key_administrators")
_PRINCIPAL_ARN = (
    rf"{_ACCOUNT_ARN}:(iam::[0-9]{{12}}:(root|(role|user)/[A-Za-z0-9+=,.@_/-]+)|sts::[0-9]{{12}}:assumed-role/.+)"
)


def _unseal_rules(config: StackConfig, rules: _Rules) -> None:
    check = rules.check
    unseal = config.unseal
    env = config.environment
    if not rules.usable("unseal.type"):
        return
    if unseal.type == "shamir":
        check(("environment",), not config.is_dev,
              Problem("unseal.type",
                      f"{env} must unseal itself after every restart; Shamir is dev-only (allowed: awskms)",
                      "shamir"))
        check((), unseal.awskms is not None,
              Problem("unseal.awskms", "only valid with unseal.type awskms, not shamir", has_value=False))
        return
    kms = unseal.awskms
    if kms is None:
        check(("unseal.awskms",), True,
              Problem("unseal.awskms", "required when unseal.type is awskms (region, identity)", has_value=False))
        return
    if kms.existing_key_arn:
        key_region = kms.existing_key_arn.split(":")[3]
        check(("unseal.awskms.region", "unseal.awskms.existing_key_arn"), key_region != kms.region,
              Problem("unseal.awskms.existing_key_arn",
                      f"the key is in {key_region} but unseal.awskms.region is {kms.region}; they must match",
                      kms.existing_key_arn))
        for name in sorted(set(_KEY_SETTINGS) & kms.model_fields_set):
            check((), True, Problem(f"unseal.awskms.{name}",
                                    "only for a key the stack creates; remove it or remove existing_key_arn",
                                    has_value=False))
    else:
        check(("unseal.awskms.enable_key_rotation", "environment"), not kms.enable_key_rotation and not config.is_dev,
              Problem("unseal.awskms.enable_key_rotation", f"key rotation cannot be off in {env} (allowed: true)",
                      False))
    for index, arn in enumerate(kms.key_administrators):
        check(("unseal.awskms.key_administrators",), not re.fullmatch(_PRINCIPAL_ARN, arn),
              Problem(f"unseal.awskms.key_administrators[{index}]",
                      "not an IAM principal ARN (arn:aws:iam::<account>:root, :role/<name> or :user/<name>)", arn))
    identity = kms.identity
    if not rules.usable("unseal.awskms.identity.mode"):
        return
    irsa = identity.mode == "irsa"
    wanted = ("oidc_provider_arn",) if irsa else ("cluster_name",)
    unwanted = ("cluster_name", "cluster_region") if irsa else ("oidc_provider_arn",)
    for name in wanted:
        check((f"unseal.awskms.identity.{name}",), getattr(identity, name) is None,
              Problem(f"unseal.awskms.identity.{name}", f"required when identity.mode is {identity.mode}",
                      has_value=False))
    for name in unwanted:
        check((f"unseal.awskms.identity.{name}",), getattr(identity, name) is not None,
              Problem(f"unseal.awskms.identity.{name}",
                      f"only valid with the other identity mode, not {identity.mode}", has_value=False))


def _initialization_rules(config: StackConfig, rules: _Rules) -> None:
    check = rules.check
    init = config.initialization
    if init is None:
        return
    shares, threshold = init.recovery_shares, init.recovery_threshold
    inputs = ("initialization.recovery_shares", "initialization.recovery_threshold")
    check(inputs, threshold > shares,
          Problem("initialization.recovery_threshold",
                  f"cannot exceed recovery_shares ({shares}); allowed: 1 to {shares}", threshold))
    check(inputs, shares > 1 and threshold < 2,
          Problem("initialization.recovery_threshold",
                  f"Vault needs a threshold of at least 2 when there are {shares} shares", threshold))
    check((*inputs, "environment"), not config.is_dev and threshold < 2,
          Problem("initialization.recovery_threshold",
                  f"in {config.environment} no single person may generate a root token; allowed: 2 to 10 "
                  "(with as many shares)", threshold))
    if not rules.usable("initialization.recovery_keys"):
        return
    custody = init.secrets_manager
    if init.recovery_keys == "pgp":
        check(("initialization.pgp_keys", "initialization.recovery_shares"), len(init.pgp_keys) != shares,
              Problem("initialization.pgp_keys",
                      f"needs one public key per share: {shares} (recovery_shares), not {len(init.pgp_keys)}",
                      list(init.pgp_keys)))
        check(("initialization.pgp_keys",), len(set(init.pgp_keys)) != len(init.pgp_keys),
              Problem("initialization.pgp_keys", "a key is listed twice: each share goes to another operator",
                      list(init.pgp_keys)))
        for index, name in enumerate(init.pgp_keys):
            try:
                pgp_keys.read_public_key(PROJECT_DIR / name)
            except pgp_keys.PgpKeyError as error:
                check(("initialization.pgp_keys",), True, Problem(f"initialization.pgp_keys[{index}]", str(error), name))
        check(("initialization.secrets_manager",), "secrets_manager" in init.model_fields_set,
              Problem("initialization.secrets_manager", "only valid with recovery_keys secrets-manager",
                      has_value=False))
        return
    check(("initialization.pgp_keys",), bool(init.pgp_keys),
          Problem("initialization.pgp_keys", "only valid with recovery_keys pgp", has_value=False))
    check(("unseal.type",), config.unseal.type != "awskms",
          Problem("initialization.recovery_keys",
                  f"Secrets Manager custody needs AWS: unseal.type awskms, not {config.unseal.type} (allowed here: pgp)",
                  init.recovery_keys))
    check(("initialization.secrets_manager",), not custody.custodians,
          Problem("initialization.secrets_manager.custodians",
                  "name at least one IAM principal ARN allowed to read the recovery keys", has_value=False))
    for index, arn in enumerate(custody.custodians):
        check(("initialization.secrets_manager.custodians",), not re.fullmatch(_PRINCIPAL_ARN, arn),
              Problem(f"initialization.secrets_manager.custodians[{index}]",
                      "not an IAM principal ARN (arn:aws:iam::<account>:root, :role/<name> or :user/<name>)", arn))
