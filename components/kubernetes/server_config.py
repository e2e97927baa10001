"""The server configuration (Vault's or OpenBao's ``server.hcl``), rendered by a pure
function for the stack's server (:class:`components.config.targets.Target`).

Per-pod values (API and cluster addresses, Raft node id, pod name for service
registration) reach the server through environment variables that the StatefulSet sets
(``VAULT_API_ADDR`` ... or ``BAO_API_ADDR`` ...): the server does not expand variables
inside its config file, so one ConfigMap serves every pod.

Differences by server: Vault needs ``disable_mlock`` (OpenBao has no mlock and refuses
``false``); OpenBao declares audit devices here (it refuses them through the API), runs
the ``awskms`` seal as a KMS plugin from 2.7 (``plugin_directory`` and a ``plugin
"kms"`` block with the binary's SHA-256) and creates PostgreSQL tables unless told not
to. Break-glass without a token: Vault 2.0's ``enable_unauthenticated_access``; a
loopback-only OpenBao listener with its unauthenticated generate-root endpoints on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

from components.config.targets import DEFAULT_TARGET, Target
from components.kubernetes import hcl

API_PORT = 8200
CLUSTER_PORT = 8201
BREAK_GLASS_PORT = 8210
METRICS_PORT = 8202
HSTS = "max-age=31536000; includeSubDomains"
"""Strict-Transport-Security on every answer of the TLS API listener: a browser that once
reached Vault (the UI, an OIDC login) never falls back to plain HTTP for a year."""
"""The metrics listener: ``sys/metrics`` without a token, so sealed and standby pods report
too; the network policy lets only the scraper's namespaces reach it."""
"""OpenBao's loopback-only break-glass listener (``cluster.unauthenticated_generate_root``)."""


@dataclass(frozen=True)
class ServerPaths:
    """Where the pod mounts what the server reads and writes: ``/vault/...`` or ``/openbao/...``."""

    root: str

    @property
    def config(self) -> str:
        return f"{self.root}/config"

    @property
    def data(self) -> str:
        return f"{self.root}/data"

    @property
    def audit(self) -> str:
        return f"{self.root}/audit"

    @property
    def tls(self) -> str:
        return f"{self.root}/tls"

    @property
    def plugins(self) -> str:
        return f"{self.root}/plugins"


def paths_of(target: Target) -> ServerPaths:
    return ServerPaths(target.root)


DATA_PATH = paths_of(DEFAULT_TARGET).data
TLS_DIR = paths_of(DEFAULT_TARGET).tls


@dataclass(frozen=True)
class RaftJoin:
    """How a Raft node finds its peers: go-discover's Kubernetes provider."""

    namespace: str
    label_selector: str
    """Comma-separated ``key=value`` pairs selecting the Vault server pods."""
    tls_server_name: Optional[str]
    """Name checked against the leader's certificate; None when TLS is off (dev only)."""


@dataclass(frozen=True)
class KmsPlugin:
    """OpenBao 2.7's ``awskms`` seal as an external plugin: its binary's name in the plugin
    directory and its SHA-256."""

    command: str
    sha256sum: str


@dataclass(frozen=True)
class AwsKmsSeal:
    region: str
    kms_key_id: str
    plugin: Optional[KmsPlugin] = None


@dataclass(frozen=True)
class AuditDevice:
    """An audit device declared in the server configuration (OpenBao)."""

    type: str
    path: str
    description: str
    options: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ServerConfigSpec:
    """Everything the server config depends on, as plain values."""

    storage: Literal["raft", "file", "postgresql"]
    tls_enabled: bool
    target: Target = DEFAULT_TARGET
    ui: bool = True
    log_level: str = "info"
    log_format: str = "json"
    raft_join: Optional[RaftJoin] = None
    """Required for raft storage."""
    performance_multiplier: int = 1
    autopilot_reconcile_interval: str = "10s"
    autopilot_update_interval: str = "2s"
    prometheus_retention_time: str = "24h"
    disable_hostname: bool = True
    seal: Optional[AwsKmsSeal] = None
    """None keeps the default Shamir seal."""
    postgresql_table: str = "vault_kv_store"
    postgresql_ha_table: str = "vault_ha_locks"
    postgresql_max_parallel: int = 128
    audit_devices: tuple[AuditDevice, ...] = ()
    """Rendered only where the server declares them in its configuration (OpenBao)."""
    unauthenticated_generate_root: bool = False

    @property
    def paths(self) -> ServerPaths:
        return paths_of(self.target)


def render_server_config(spec: ServerConfigSpec) -> str:
    """The ``server.hcl`` text for ``spec``; identical input gives identical text."""
    if spec.storage == "raft" and spec.raft_join is None:
        raise ValueError("raft storage needs raft_join")
    target = spec.target
    items: list = [("ui", spec.ui)]
    if target.disable_mlock:
        items.append(("disable_mlock", True))
    items += [("log_level", spec.log_level), ("log_format", spec.log_format)]
    if spec.unauthenticated_generate_root and target.unauthenticated_generate_root == "config-option":
        items.append(("enable_unauthenticated_access", ["generate-root"]))
    if spec.seal is not None and spec.seal.plugin is not None:
        items.append(("plugin_directory", spec.paths.plugins))
    items.append(_listener(spec, f"[::]:{API_PORT}", "api"))
    items.append(_listener(spec, f"[::]:{METRICS_PORT}", "metrics"))
    if spec.unauthenticated_generate_root and target.unauthenticated_generate_root == "listener":
        items.append(_listener(spec, f"127.0.0.1:{BREAK_GLASS_PORT}", "break-glass"))
    items.append(_storage(spec))
    if spec.storage in ("raft", "postgresql"):
        items.append(hcl.Block("service_registration", ["kubernetes"], {}))
    items += _seal(spec)
    if target.audit_in_config:
        items += [_audit(device) for device in spec.audit_devices]
    items.append(hcl.Block("telemetry", (), {"prometheus_retention_time": spec.prometheus_retention_time,
                                             "disable_hostname": spec.disable_hostname}))
    prefix, name = target.env_prefix, "OpenBao" if target.is_openbao else "Vault"
    header = (
        f"# {name} server configuration rendered by vault-platform; do not edit by hand.\n"
        f"# api_addr, cluster_addr and the Raft node_id come from {prefix}API_ADDR,\n"
        f"# {prefix}CLUSTER_ADDR and {prefix}RAFT_NODE_ID, set per pod by the StatefulSet;\n"
        f"# a PostgreSQL connection URL from {prefix}PG_CONNECTION_URL (a Secret).\n"
    )
    return header + hcl.render(items) + "\n"


def _listener(spec: ServerConfigSpec, address: str, kind: str) -> hcl.Block:
    """The API listener (``api``, with the cluster address); the metrics listener
    (``metrics``: the only one serving ``sys/metrics`` without a token); or OpenBao's
    loopback break-glass listener (``break-glass``: the only one whose unauthenticated
    generate-root endpoints are on)."""
    body: list[tuple[str, object]] = [("address", address)]
    if kind == "api":
        body.append(("cluster_address", f"[::]:{CLUSTER_PORT}"))
    tls = spec.paths.tls
    if spec.tls_enabled:
        body += [("tls_cert_file", f"{tls}/tls.crt"), ("tls_key_file", f"{tls}/tls.key"),
                 ("tls_min_version", "tls12")]
        if kind == "api":
            body.append(("custom_response_headers", hcl.Block("custom_response_headers", (), {
                "default": {"Strict-Transport-Security": [HSTS]}})))
    else:
        body.append(("tls_disable", True))
    if kind == "break-glass":
        body.append(("disable_unauthed_generate_root_endpoints", False))
    body.append(("telemetry", hcl.Block("telemetry", (), {"unauthenticated_metrics_access": kind == "metrics"})))
    return hcl.Block("listener", ["tcp"], body)


def _seal(spec: ServerConfigSpec) -> list[hcl.Block]:
    if spec.seal is None:
        return []
    blocks = []
    if spec.seal.plugin is not None:
        blocks.append(hcl.Block("plugin", ["kms", "awskms"], [("command", spec.seal.plugin.command),
                                                              ("sha256sum", spec.seal.plugin.sha256sum)]))
    blocks.append(hcl.Block("seal", ["awskms"], {"region": spec.seal.region, "kms_key_id": spec.seal.kms_key_id}))
    return blocks


def _audit(device: AuditDevice) -> hcl.Block:
    body: list[tuple[str, object]] = []
    if device.description:
        body.append(("description", device.description))
    body.append(("options", hcl.Block("options", (), list(device.options))))
    return hcl.Block("audit", [device.type, device.path], body)


def _storage(spec: ServerConfigSpec) -> hcl.Block:
    data, tls = spec.paths.data, spec.paths.tls
    if spec.storage == "file":
        return hcl.Block("storage", ["file"], {"path": data})
    if spec.storage == "postgresql":
        # connection_url comes from <prefix>PG_CONNECTION_URL (a Secret), never this file
        body: list[tuple[str, object]] = [
            ("ha_enabled", "true"),
            ("table", spec.postgresql_table),
            ("ha_table", spec.postgresql_ha_table),
            ("max_parallel", str(spec.postgresql_max_parallel)),
        ]
        if spec.target.postgresql_creates_tables:  # the schema Job made them; the role may not
            body.append(("skip_create_table", "true"))
        return hcl.Block("storage", ["postgresql"], body)
    join = spec.raft_join
    assert join is not None
    selector = join.label_selector.replace('"', "")
    retry_join: list[tuple[str, object]] = [
        ("auto_join", f'provider=k8s namespace={join.namespace} label_selector="{selector}"'),
        ("auto_join_scheme", "https" if spec.tls_enabled else "http"),
        ("auto_join_port", API_PORT),
    ]
    if spec.tls_enabled:
        retry_join += [
            ("leader_tls_servername", join.tls_server_name),
            ("leader_ca_cert_file", f"{tls}/ca.crt"),
        ]
    return hcl.Block(
        "storage",
        ["raft"],
        [
            ("path", data),
            ("performance_multiplier", spec.performance_multiplier),
            ("autopilot_reconcile_interval", spec.autopilot_reconcile_interval),
            ("autopilot_update_interval", spec.autopilot_update_interval),
            ("retry_join", hcl.Block("retry_join", (), retry_join)),
        ],
    )
