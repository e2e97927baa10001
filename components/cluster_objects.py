"""The Vault cluster's Kubernetes objects as plain data (pure functions, no Pulumi calls).

:class:`ClusterLayout` derives every name, label and address once from the stack
configuration; the ``*_spec`` functions build the ``metadata``/``spec`` bodies that
:mod:`components.cluster` registers as typed pulumi-kubernetes resources.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from components.config import ClusterConfig, KubernetesConfig, NetworkConfig
from components.server_config import API_PORT, CLUSTER_PORT, DATA_PATH, TLS_DIR

AUDIT_PATH = "/vault/audit"
CONFIG_DIR = "/vault/config"
SERVER_CONFIG_FILE = "server.hcl"
SERVICE_ACCOUNT_TOKEN_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
RUN_AS = 10100
"""A high, image-independent UID/GID: Vault runs from a read-only root filesystem and
writes only to mounted volumes, so it needs no user of its own inside the image."""


@dataclass(frozen=True)
class ClusterLayout:
    """Names, labels and addresses shared by every object of one Vault cluster."""

    name: str
    namespace: str
    cluster_domain: str
    version: str
    tls_enabled: bool
    ha: bool
    """True when the storage backend supports HA (Raft): enables service registration,
    Raft auto-join and the active/standby Services."""
    token_review: bool = False
    """True when Vault's Kubernetes auth reviews tokens with Vault's own service account."""
    storage: str = "raft"
    """raft, postgresql or file: Raft joins peers; only Raft and file keep data on a volume."""

    @property
    def needs_api_token(self) -> bool:
        return self.ha or self.token_review

    @classmethod
    def of(
        cls, cluster: ClusterConfig, kubernetes: KubernetesConfig, tls_enabled: bool, ha: bool,
        token_review: bool = False, storage: str = "raft",
    ) -> "ClusterLayout":
        return cls(
            token_review=token_review,
            storage=storage,
            name=cluster.name,
            namespace=kubernetes.namespace,
            cluster_domain=kubernetes.cluster_domain,
            version=cluster.image.tag,
            tls_enabled=tls_enabled,
            ha=ha,
        )

    @property
    def selector(self) -> dict[str, str]:
        return {
            "app.kubernetes.io/name": "vault",
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


def namespace_metadata(layout: ClusterLayout) -> dict[str, Any]:
    """The namespace enforces the `restricted` Pod Security Standard."""
    pss = {
        f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")
    }
    pss["pod-security.kubernetes.io/enforce-version"] = "latest"
    return {
        "name": layout.namespace,
        "labels": {**pss, "app.kubernetes.io/part-of": "vault-platform", "app.kubernetes.io/managed-by": "pulumi"},
    }


def service_registration_role(layout: ClusterLayout, replicas: int) -> list[dict[str, Any]]:
    """`get`, `update`, `patch` on Vault's own pods only, for service registration's
    labels; with Raft also `list` pods in Vault's namespace, for auto-join (go-discover)."""
    pods = [f"{layout.name}-{ordinal}" for ordinal in range(replicas)]
    rules = [{"apiGroups": [""], "resources": ["pods"], "resourceNames": pods, "verbs": ["get", "update", "patch"]}]
    if layout.storage == "raft":
        rules.insert(0, {"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]})
    return rules


def token_review_binding(layout: ClusterLayout) -> dict[str, Any]:
    """Vault's service account may create TokenReviews (Kubernetes auth logins)."""
    return {
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "system:auth-delegator"},
        "subjects": [{"kind": "ServiceAccount", "name": layout.name, "namespace": layout.namespace}],
    }


def services(layout: ClusterLayout) -> dict[str, dict[str, Any]]:
    """Service name -> spec: headless (peer discovery), client, and when HA active/standby."""
    api = {"name": layout.scheme, "port": API_PORT, "targetPort": API_PORT, "protocol": "TCP"}
    cluster = {"name": "cluster", "port": CLUSTER_PORT, "targetPort": CLUSTER_PORT, "protocol": "TCP"}
    result = {
        layout.internal_service: {
            "clusterIP": "None",
            "publishNotReadyAddresses": True,
            "selector": dict(layout.selector),
            "ports": [api, cluster],
        },
        layout.name: {"type": "ClusterIP", "selector": dict(layout.selector), "ports": [api]},
    }
    if layout.ha:
        for role, active in (("active", "true"), ("standby", "false")):
            result[f"{layout.name}-{role}"] = {
                "type": "ClusterIP",
                "selector": {**layout.selector, "vault-active": active},
                "ports": [api],
            }
    return result


def network_policies(layout: ClusterLayout, network: NetworkConfig) -> dict[str, dict[str, Any]]:
    """Default-deny ingress for the namespace; the API port for Vault's pods and the
    allowed namespaces; the cluster port for Vault's pods only."""
    vault_pods = {"podSelector": {"matchLabels": dict(layout.selector)}}
    snapshot_job = {"podSelector": {"matchLabels": {"app.kubernetes.io/instance": layout.name,
                                                    "app.kubernetes.io/component": "snapshot"}}}
    api_from = [vault_pods, snapshot_job]
    if network.allowed_namespaces:
        api_from.append(
            {
                "namespaceSelector": {
                    "matchExpressions": [
                        {
                            "key": "kubernetes.io/metadata.name",
                            "operator": "In",
                            "values": sorted(network.allowed_namespaces),
                        }
                    ]
                }
            }
        )
    return {
        f"{layout.name}-default-deny": {"podSelector": {}, "policyTypes": ["Ingress"]},
        f"{layout.name}-server": {
            "podSelector": {"matchLabels": dict(layout.selector)},
            "policyTypes": ["Ingress"],
            "ingress": [
                {"from": api_from, "ports": [{"protocol": "TCP", "port": API_PORT}]},
                {"from": [vault_pods], "ports": [{"protocol": "TCP", "port": CLUSTER_PORT}]},
            ],
        },
    }


def disruption_budget(layout: ClusterLayout) -> dict[str, Any]:
    """At most one pod voluntarily down at a time: a Raft quorum survives a node drain."""
    return {"maxUnavailable": 1, "selector": {"matchLabels": dict(layout.selector)}}


def health_path(liveness: bool) -> str:
    """`/v1/sys/health` query for the probes.

    Readiness: active and standby nodes are ready (standbys forward requests);
    sealed (503) and uninitialised (501) nodes are not. Liveness answers 204 for
    sealed and uninitialised nodes so Kubernetes never restarts a pod that is only
    waiting to be unsealed or initialised.
    """
    path = "/v1/sys/health?standbyok=true&perfstandbyok=true"
    return path + "&sealedcode=204&uninitcode=204" if liveness else path


SKIP_AWAIT = {"pulumi.com/skipAwait": "true"}
"""Pulumi must not wait for the StatefulSet's pods to be ready: they are not ready until
Vault is initialised and unsealed, which happens after the first `pulumi up`."""


def checkov_skips(cluster: ClusterConfig, secret_env: bool = False) -> dict[str, str]:
    """Annotations recording each checkov check the StatefulSet skips, and why."""
    skips = []
    if secret_env:
        skips.append(
            "CKV_K8S_35=Vault reads the PostgreSQL connection URL only from its config file or "
            "VAULT_PG_CONNECTION_URL; the value comes from a Secret, never the ConfigMap"
        )
    if cluster.image.digest is None:
        skips.append(
            "CKV_K8S_43=Image pinned by tag in the stack config; set cluster.image.digest "
            "to pin it by digest"
        )
    if cluster.image.pull_policy != "Always":
        skips.append(
            "CKV_K8S_15=IfNotPresent keeps Vault restartable when the registry is unreachable; "
            "the image is pinned, so a cached copy is the same image"
        )
    return {f"checkov.io/skip{index}": text for index, text in enumerate(skips, start=1)}


def image_reference(cluster: ClusterConfig) -> str:
    image = f"{cluster.image.repository}:{cluster.image.tag}"
    return f"{image}@{cluster.image.digest}" if cluster.image.digest else image


def statefulset_spec(
    layout: ClusterLayout,
    cluster: ClusterConfig,
    service_account: str,
    config_checksum: Any,
    extra_env: Optional[list[dict[str, Any]]] = None,
    extra_volumes: Optional[list[tuple[dict[str, Any], dict[str, Any]]]] = None,
) -> dict[str, Any]:
    """The StatefulSet spec: hardened pod, probes, volumes, scheduling."""
    pod_dns = f"$(POD_NAME).{layout.fqdn(layout.internal_service)}"
    env = [
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": "VAULT_K8S_POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": "VAULT_K8S_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
        {"name": "VAULT_API_ADDR", "value": f"{layout.scheme}://{pod_dns}:{API_PORT}"},
        {"name": "VAULT_CLUSTER_ADDR", "value": f"https://{pod_dns}:{CLUSTER_PORT}"},
        {"name": "VAULT_RAFT_NODE_ID", "value": "$(POD_NAME)"},
        {"name": "VAULT_ADDR", "value": f"{layout.scheme}://127.0.0.1:{API_PORT}"},
        {"name": "HOME", "value": "/home/vault"},
    ]
    if layout.tls_enabled:
        env.append({"name": "VAULT_CACERT", "value": f"{TLS_DIR}/ca.crt"})
    env += extra_env or []

    keeps_data = layout.storage != "postgresql"
    mounts = [
        {"name": "config", "mountPath": CONFIG_DIR, "readOnly": True},
        *([{"name": "data", "mountPath": DATA_PATH}] if keeps_data else []),
        {"name": "audit", "mountPath": AUDIT_PATH},
        {"name": "tmp", "mountPath": "/tmp"},
        {"name": "home", "mountPath": "/home/vault"},
    ]
    volumes: list[dict[str, Any]] = [
        {"name": "config", "configMap": {"name": layout.config_map, "defaultMode": 0o440}},
        {"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}},
        {"name": "home", "emptyDir": {"sizeLimit": "16Mi"}},
    ]
    if layout.tls_enabled:
        mounts.append({"name": "tls", "mountPath": TLS_DIR, "readOnly": True})
        volumes.append({"name": "tls", "secret": {"secretName": layout.tls_secret, "defaultMode": 0o440}})
    if layout.needs_api_token:
        # The API token is mounted explicitly (automount is off on the ServiceAccount) and
        # only where Vault needs it: service registration, Raft auto-join, and reviewing
        # Kubernetes-auth logins. 3607 s is the lifetime the kubelet requests for
        # automounted tokens.
        mounts.append({"name": "kube-api-access", "mountPath": SERVICE_ACCOUNT_TOKEN_DIR, "readOnly": True})
        volumes.append(
            {
                "name": "kube-api-access",
                "projected": {
                    "defaultMode": 0o440,
                    "sources": [
                        {"serviceAccountToken": {"path": "token", "expirationSeconds": 3607}},
                        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                        {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"fieldPath": "metadata.namespace"}}]}},
                    ],
                },
            }
        )

    for volume, mount in extra_volumes or []:
        volumes.append(volume)
        mounts.append(mount)

    probe_port = {"port": API_PORT, "scheme": layout.scheme.upper()}
    container = {
        "name": "vault",
        "image": image_reference(cluster),
        "imagePullPolicy": cluster.image.pull_policy,
        "command": ["vault"],
        "args": ["server", f"-config={CONFIG_DIR}/{SERVER_CONFIG_FILE}"],
        "env": env,
        "ports": [
            {"name": layout.scheme, "containerPort": API_PORT, "protocol": "TCP"},
            {"name": "cluster", "containerPort": CLUSTER_PORT, "protocol": "TCP"},
        ],
        "resources": {
            "requests": {"cpu": cluster.resources.requests.cpu, "memory": cluster.resources.requests.memory},
            "limits": {"cpu": cluster.resources.limits.cpu, "memory": cluster.resources.limits.memory},
        },
        "readinessProbe": {
            "httpGet": {"path": health_path(liveness=False), **probe_port},
            "periodSeconds": 5,
            "timeoutSeconds": 3,
            "failureThreshold": 2,
            "successThreshold": 1,
        },
        "livenessProbe": {
            "httpGet": {"path": health_path(liveness=True), **probe_port},
            "initialDelaySeconds": 60,
            "periodSeconds": 10,
            "timeoutSeconds": 3,
            "failureThreshold": 3,
        },
        "lifecycle": {"preStop": {"exec": {"command": ["/bin/sh", "-c", "sleep 5"]}}},
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": RUN_AS,
            "runAsGroup": RUN_AS,
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "privileged": False,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "volumeMounts": mounts,
    }

    affinity_term = {
        "labelSelector": {"matchLabels": dict(layout.selector)},
        "topologyKey": "kubernetes.io/hostname",
    }
    if cluster.anti_affinity == "required":
        anti_affinity = {"requiredDuringSchedulingIgnoredDuringExecution": [affinity_term]}
    else:
        anti_affinity = {
            "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": affinity_term}]
        }

    def claim(name: str, size: str, storage_class: Optional[str]) -> dict[str, Any]:
        spec: dict[str, Any] = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
        if storage_class:
            spec["storageClassName"] = storage_class
        return {"metadata": {"name": name, "labels": dict(layout.selector)}, "spec": spec}

    update_strategy: dict[str, Any] = {"type": cluster.update_strategy}
    if cluster.update_strategy == "RollingUpdate":
        update_strategy["rollingUpdate"] = {"partition": 0}

    return {
        "serviceName": layout.internal_service,
        "replicas": cluster.replicas,
        "podManagementPolicy": "Parallel",
        "updateStrategy": update_strategy,
        "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
        "selector": {"matchLabels": dict(layout.selector)},
        "template": {
            "metadata": {
                "labels": dict(layout.labels),
                "annotations": {"vault-platform/config-sha256": config_checksum},
            },
            "spec": {
                "serviceAccountName": service_account,
                "automountServiceAccountToken": False,
                "enableServiceLinks": False,
                "terminationGracePeriodSeconds": cluster.termination_grace_period_seconds,
                "securityContext": {
                    "runAsNonRoot": True,
                    "runAsUser": RUN_AS,
                    "runAsGroup": RUN_AS,
                    "fsGroup": RUN_AS,
                    "fsGroupChangePolicy": "OnRootMismatch",
                    "seccompProfile": {"type": "RuntimeDefault"},
                },
                "affinity": {"podAntiAffinity": anti_affinity},
                "topologySpreadConstraints": [
                    {
                        "maxSkew": 1,
                        "topologyKey": "topology.kubernetes.io/zone",
                        "whenUnsatisfiable": cluster.zone_spread,
                        "labelSelector": {"matchLabels": dict(layout.selector)},
                    }
                ],
                "containers": [container],
                "volumes": volumes,
            },
        },
        "volumeClaimTemplates": [
            *([claim("data", cluster.data_volume.size, cluster.data_volume.storage_class)] if keeps_data else []),
            claim("audit", cluster.audit_volume.size, cluster.audit_volume.storage_class),
        ],
    }
