"""The whole configuration of one stack: :class:`StackConfig`, made of the sections each
typed in its own module (``cluster``, ``storage``, ``aws``, ``vault/``)."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from components.config.aws import InitializationConfig, UnsealConfig
from components.config.base import Model
from components.config.cluster import (
    ClusterConfig,
    KubernetesConfig,
    MonitoringConfig,
    TelemetryConfig,
    TlsConfig,
)
from components.config.network import NetworkConfig
from components.config.storage import SnapshotConfig, StorageConfig
from components.config.vault.spec import VaultSpec

ENVIRONMENTS = ("dev", "staging", "production")


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
    network: NetworkConfig = Field(NetworkConfig(), description="Network policies: who reaches Vault, whom it reaches.")
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
