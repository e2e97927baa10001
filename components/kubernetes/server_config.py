"""Vault's server configuration, rendered as HCL by a pure function.

Per-pod values (API and cluster addresses, Raft node id, pod name for service
registration) reach Vault through environment variables that the StatefulSet sets
(``VAULT_API_ADDR``, ``VAULT_CLUSTER_ADDR``, ``VAULT_RAFT_NODE_ID``,
``VAULT_K8S_POD_NAME``): Vault does not expand variables inside its config file, so
one ConfigMap serves every pod.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

from components.kubernetes import hcl

DATA_PATH = "/vault/data"
TLS_DIR = "/vault/tls"
API_PORT = 8200
CLUSTER_PORT = 8201


@dataclass(frozen=True)
class RaftJoin:
    """How a Raft node finds its peers: go-discover's Kubernetes provider."""

    namespace: str
    label_selector: str
    """Comma-separated ``key=value`` pairs selecting the Vault server pods."""
    tls_server_name: Optional[str]
    """Name checked against the leader's certificate; None when TLS is off (dev only)."""


@dataclass(frozen=True)
class AwsKmsSeal:
    region: str
    kms_key_id: str


@dataclass(frozen=True)
class ServerConfigSpec:
    """Everything the server config depends on, as plain values."""

    storage: Literal["raft", "file", "postgresql"]
    tls_enabled: bool
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
    """None keeps Vault's default Shamir seal."""
    postgresql_table: str = "vault_kv_store"
    postgresql_ha_table: str = "vault_ha_locks"
    postgresql_max_parallel: int = 128


def render_server_config(spec: ServerConfigSpec) -> str:
    """The ``server.hcl`` text for ``spec``; identical input gives identical text."""
    if spec.storage == "raft" and spec.raft_join is None:
        raise ValueError("raft storage needs raft_join")
    listener: list[tuple[str, object]] = [
        ("address", f"[::]:{API_PORT}"),
        ("cluster_address", f"[::]:{CLUSTER_PORT}"),
    ]
    if spec.tls_enabled:
        listener += [
            ("tls_cert_file", f"{TLS_DIR}/tls.crt"),
            ("tls_key_file", f"{TLS_DIR}/tls.key"),
            ("tls_min_version", "tls12"),
        ]
    else:
        listener.append(("tls_disable", True))
    listener.append(
        ("telemetry", hcl.Block("telemetry", (), {"unauthenticated_metrics_access": False}))
    )

    items: list = [
        ("ui", spec.ui),
        ("disable_mlock", True),
        ("log_level", spec.log_level),
        ("log_format", spec.log_format),
        hcl.Block("listener", ["tcp"], listener),
        _storage(spec),
    ]
    if spec.storage in ("raft", "postgresql"):
        items.append(hcl.Block("service_registration", ["kubernetes"], {}))
    if spec.seal is not None:
        items.append(
            hcl.Block(
                "seal",
                ["awskms"],
                {"region": spec.seal.region, "kms_key_id": spec.seal.kms_key_id},
            )
        )
    items.append(
        hcl.Block(
            "telemetry",
            (),
            {
                "prometheus_retention_time": spec.prometheus_retention_time,
                "disable_hostname": spec.disable_hostname,
            },
        )
    )
    header = (
        "# Vault server configuration rendered by vault-platform; do not edit by hand.\n"
        "# api_addr, cluster_addr and the Raft node_id come from VAULT_API_ADDR,\n"
        "# VAULT_CLUSTER_ADDR and VAULT_RAFT_NODE_ID, set per pod by the StatefulSet;\n"
        "# a PostgreSQL connection URL from VAULT_PG_CONNECTION_URL (a Secret).\n"
    )
    return header + hcl.render(items) + "\n"


def _storage(spec: ServerConfigSpec) -> hcl.Block:
    if spec.storage == "file":
        return hcl.Block("storage", ["file"], {"path": DATA_PATH})
    if spec.storage == "postgresql":
        # connection_url comes from VAULT_PG_CONNECTION_URL (a Secret), never this file
        return hcl.Block(
            "storage",
            ["postgresql"],
            [
                ("ha_enabled", "true"),
                ("table", spec.postgresql_table),
                ("ha_table", spec.postgresql_ha_table),
                ("max_parallel", str(spec.postgresql_max_parallel)),
            ],
        )
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
            ("leader_ca_cert_file", f"{TLS_DIR}/ca.crt"),
        ]
    return hcl.Block(
        "storage",
        ["raft"],
        [
            ("path", DATA_PATH),
            ("performance_multiplier", spec.performance_multiplier),
            ("autopilot_reconcile_interval", spec.autopilot_reconcile_interval),
            ("autopilot_update_interval", spec.autopilot_update_interval),
            ("retry_join", hcl.Block("retry_join", (), retry_join)),
        ],
    )
