"""The Vault servers' StatefulSet as plain data (pure functions, no Pulumi calls): the
hardened container with its environment, probes and volumes, the pod's scheduling across
nodes and zones, and the volume claims. :mod:`components.kubernetes.cluster` registers it."""

from __future__ import annotations

from typing import Any, Optional

from components.config.cluster import ClusterConfig
from components.kubernetes.hardening import container_security_context, pod_security_context
from components.kubernetes.layout import ClusterLayout
from components.kubernetes.server_config import API_PORT, CLUSTER_PORT, DATA_PATH, TLS_DIR

AUDIT_PATH = "/vault/audit"
CONFIG_DIR = "/vault/config"
SERVER_CONFIG_FILE = "server.hcl"
SERVICE_ACCOUNT_TOKEN_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


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


Volume = tuple[dict[str, Any], dict[str, Any]]
"""A pod volume and the container's mount of it."""


def statefulset_spec(
    layout: ClusterLayout,
    cluster: ClusterConfig,
    service_account: str,
    config_checksum: Any,
    extra_env: Optional[list[dict[str, Any]]] = None,
    extra_volumes: Optional[list[Volume]] = None,
) -> dict[str, Any]:
    """The StatefulSet spec: hardened pod, probes, volumes, scheduling."""
    keeps_data = layout.storage != "postgresql"
    volumes = [*_volumes(layout, keeps_data), *(extra_volumes or [])]
    container = _container(layout, cluster, [*_environment(layout), *(extra_env or [])], [m for _, m in volumes])
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
                "securityContext": pod_security_context(fs_group_change_policy="OnRootMismatch"),
                **_scheduling(layout, cluster),
                "containers": [container],
                "volumes": [volume for volume, _ in volumes if volume],  # data and audit are claims
            },
        },
        "volumeClaimTemplates": _claims(layout, cluster, keeps_data),
    }


def _environment(layout: ClusterLayout) -> list[dict[str, Any]]:
    """Per-pod addresses and Raft node id (Vault does not expand variables in its config
    file, so one ConfigMap serves every pod), and the CLI's own address and CA."""
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
    return env


def _volumes(layout: ClusterLayout, keeps_data: bool) -> list[Volume]:
    """Config (read-only), data (Raft and file storage only), audit, scratch space, TLS,
    and the Kubernetes API token where Vault needs one."""
    volumes: list[Volume] = [
        ({"name": "config", "configMap": {"name": layout.config_map, "defaultMode": 0o440}},
         {"name": "config", "mountPath": CONFIG_DIR, "readOnly": True}),
    ]
    claims = [("data", DATA_PATH)] if keeps_data else []
    volumes += [({}, {"name": name, "mountPath": path}) for name, path in [*claims, ("audit", AUDIT_PATH)]]  # claims
    volumes += [
        ({"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}}, {"name": "tmp", "mountPath": "/tmp"}),
        ({"name": "home", "emptyDir": {"sizeLimit": "16Mi"}}, {"name": "home", "mountPath": "/home/vault"}),
    ]
    if layout.tls_enabled:
        volumes.append(({"name": "tls", "secret": {"secretName": layout.tls_secret, "defaultMode": 0o440}},
                        {"name": "tls", "mountPath": TLS_DIR, "readOnly": True}))
    if layout.needs_api_token:
        # The API token is mounted explicitly (automount is off on the ServiceAccount) and
        # only where Vault needs it: service registration, Raft auto-join, and reviewing
        # Kubernetes-auth logins. 3607 s is the lifetime the kubelet requests for
        # automounted tokens.
        volumes.append(({
            "name": "kube-api-access",
            "projected": {
                "defaultMode": 0o440,
                "sources": [
                    {"serviceAccountToken": {"path": "token", "expirationSeconds": 3607}},
                    {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                    {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"fieldPath": "metadata.namespace"}}]}},
                ],
            },
        }, {"name": "kube-api-access", "mountPath": SERVICE_ACCOUNT_TOKEN_DIR, "readOnly": True}))
    return volumes


def _container(layout: ClusterLayout, cluster: ClusterConfig, env: list[dict[str, Any]],
               mounts: list[dict[str, Any]]) -> dict[str, Any]:
    """The Vault server container: hardened, with readiness and liveness probes."""
    probe_port = {"port": API_PORT, "scheme": layout.scheme.upper()}
    return {
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
        "securityContext": container_security_context(),
        "volumeMounts": mounts,
    }


def _scheduling(layout: ClusterLayout, cluster: ClusterConfig) -> dict[str, Any]:
    """One pod per node (required, or preferred in dev) and an even spread across zones."""
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
    return {
        "affinity": {"podAntiAffinity": anti_affinity},
        "topologySpreadConstraints": [
            {
                "maxSkew": 1,
                "topologyKey": "topology.kubernetes.io/zone",
                "whenUnsatisfiable": cluster.zone_spread,
                "labelSelector": {"matchLabels": dict(layout.selector)},
            }
        ],
    }


def _claims(layout: ClusterLayout, cluster: ClusterConfig, keeps_data: bool) -> list[dict[str, Any]]:
    """A data volume per pod (Raft and file storage) and an audit volume per pod."""

    def claim(name: str, size: str, storage_class: Optional[str]) -> dict[str, Any]:
        spec: dict[str, Any] = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
        if storage_class:
            spec["storageClassName"] = storage_class
        return {"metadata": {"name": name, "labels": dict(layout.selector)}, "spec": spec}

    return [
        *([claim("data", cluster.data_volume.size, cluster.data_volume.storage_class)] if keeps_data else []),
        claim("audit", cluster.audit_volume.size, cluster.audit_volume.storage_class),
    ]
