"""Names, labels and addresses of one Vault cluster, derived once from the stack
configuration (:meth:`ClusterLayout.from_config`) and handed to every object that needs
them: the cluster's own objects, the snapshot job, the monitoring."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from components.config.targets import DEFAULT_TARGET, Target
from components.kubernetes.server_config import API_PORT, ServerPaths, paths_of

if TYPE_CHECKING:
    from components.config.stack import StackConfig


@dataclass(frozen=True)
class ClusterLayout:
    """Names, labels and addresses shared by every object of one Vault cluster."""

    name: str
    namespace: str
    cluster_domain: str
    version: str
    tls_enabled: bool
    ha: bool
    """True when the storage backend supports HA (Raft, PostgreSQL): enables service registration,
    Raft auto-join and the active/standby Services."""
    token_review: bool = False
    """True when Vault's Kubernetes auth reviews tokens with Vault's own service account."""
    storage: str = "raft"
    """raft, postgresql or file: Raft joins peers; only Raft and file keep data on a volume."""
    target: Target = DEFAULT_TARGET
    """The server: Vault or OpenBao, and its version."""
    kubernetes_minor: tuple[int, int] = (1, 31)

    @property
    def paths(self) -> ServerPaths:
        return paths_of(self.target)

    @property
    def needs_api_token(self) -> bool:
        return self.ha or self.token_review

    @classmethod
    def from_config(cls, config: "StackConfig") -> "ClusterLayout":
        """The layout of the stack's cluster: HA with Raft or PostgreSQL storage; token
        review when Vault's Kubernetes auth reviews logins with Vault's own service account."""
        vault = config.vault
        token_review = vault.configure and any(
            m.type == "kubernetes" and (m.kubernetes is None or m.kubernetes.use_local_service_account)
            for m in vault.auth_methods
        )
        storage = config.storage.type
        return cls(
            token_review=token_review,
            storage=storage,
            name=config.cluster.name,
            namespace=config.kubernetes.namespace,
            cluster_domain=config.kubernetes.cluster_domain,
            version=config.cluster.image_tag,
            target=config.cluster.target,
            kubernetes_minor=(int(config.kubernetes.version.split(".")[0]), int(config.kubernetes.version.split(".")[1])),
            tls_enabled=config.tls.mode != "disabled",
            ha=storage in ("raft", "postgresql"),
        )

    @property
    def selector(self) -> dict[str, str]:
        return {
            "app.kubernetes.io/name": "openbao" if self.target.is_openbao else "vault",
            "app.kubernetes.io/instance": self.name,
            "app.kubernetes.io/component": "server",
        }

    @property
    def labels(self) -> dict[str, str]:
        return {
            **self.selector,
            "app.kubernetes.io/version": self.version,
            "app.kubernetes.io/part-of": "vault-platform",
            "app.kubernetes.io/managed-by": "pulumi",
        }

    @property
    def label_selector(self) -> str:
        return ",".join(f"{k}={v}" for k, v in self.selector.items())

    @property
    def scheme(self) -> str:
        return "https" if self.tls_enabled else "http"

    @property
    def internal_service(self) -> str:
        return f"{self.name}-internal"

    @property
    def tls_secret(self) -> str:
        return f"{self.name}-tls"

    @property
    def config_map(self) -> str:
        return f"{self.name}-config"

    def fqdn(self, service: str) -> str:
        return f"{service}.{self.namespace}.svc.{self.cluster_domain}"

    @property
    def address(self) -> str:
        """The in-cluster API address clients use (any ready pod; standbys forward)."""
        return f"{self.scheme}://{self.fqdn(self.name)}:{API_PORT}"

    @property
    def tls_server_name(self) -> str:
        """The name Raft followers check on the leader's certificate."""
        return self.fqdn(self.internal_service)

    def dns_names(self, extra: tuple[str, ...] = ()) -> list[str]:
        """Every name a pod or Service answers to, for the server certificate's SANs."""
        names = []
        for service in (self.name, f"{self.name}-active", f"{self.name}-standby", self.internal_service):
            names += [
                service,
                f"{service}.{self.namespace}",
                f"{service}.{self.namespace}.svc",
                self.fqdn(service),
            ]
        pods = self.internal_service
        names += [
            f"*.{pods}",
            f"*.{pods}.{self.namespace}",
            f"*.{pods}.{self.namespace}.svc",
            f"*.{self.fqdn(pods)}",
            "localhost",
        ]
        return list(dict.fromkeys([*names, *extra]))

    def metadata(self, name: str, **extra: Any) -> dict[str, Any]:
        return {"name": name, "namespace": self.namespace, "labels": dict(self.labels), **extra}

    @property
    def active_address(self) -> str:
        """The active node's in-cluster API address (what the snapshot job calls)."""
        return f"{self.scheme}://{self.fqdn(self.name + '-active')}:{API_PORT}"
