"""The servers' StatefulSet as plain data (pure functions, no Pulumi calls): the hardened
container with its environment, probes and volumes, the pod's scheduling across nodes and
zones, and the volume claims — for Vault or OpenBao (binary, ``VAULT_``/``BAO_``
environment, ``/vault``/``/openbao`` paths), with OpenBao 2.7's KMS plugin copied in by an
init container. :mod:`components.kubernetes.cluster` registers it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from components.config.cluster import ClusterConfig
from components.kubernetes.hardening import container_security_context, pod_security_context
from components.kubernetes.layout import ClusterLayout
from components.kubernetes.server_config import API_PORT, CLUSTER_PORT, METRICS_PORT

SERVER_CONFIG_FILE = "server.hcl"
PLUGIN_SOURCE_DIR = "/plugin-source"
"""Where the init container sees the KMS plugin image's files (an image volume)."""
SERVICE_ACCOUNT_TOKEN_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


def health_path(liveness: bool, ha_unhealthy_code: bool = False) -> str:
    """`/v1/sys/health` query for the probes.

    Readiness: active and standby nodes are ready (standbys forward requests);
    sealed (503) and uninitialised (501) nodes are not. Liveness answers 204 for
    sealed and uninitialised nodes so Kubernetes never restarts a pod that is only
    waiting to be unsealed or initialised — nor (Vault 1.19+, ``ha_unhealthy_code``) a
    standby that lost the active node during an election (474 by default, whatever
    ``standbyok`` says). OpenBao ignores the parameters it does not know.
    """
    path = "/v1/sys/health?standbyok=true&perfstandbyok=true"
    if not liveness:
        return path
    return path + "&sealedcode=204&uninitcode=204" + ("&haunhealthycode=204" if ha_unhealthy_code else "")


SKIP_AWAIT = {"pulumi.com/skipAwait": "true"}
"""Pulumi must not wait for the StatefulSet's pods to be ready: they are not ready until
Vault is initialised and unsealed, which happens after the first `pulumi up`."""


def checkov_skips(layout: ClusterLayout, cluster: ClusterConfig, secret_env: bool = False) -> dict[str, str]:
    """Annotations recording each checkov check the StatefulSet skips, and why."""
    skips = []
    if secret_env:
        skips.append(
            "CKV_K8S_35=The server reads the PostgreSQL connection URL only from its config file or "
            f"{layout.target.env_prefix}PG_CONNECTION_URL; the value comes from a Secret, never the ConfigMap"
        )
    if cluster.image.digest is None:
        skips.append(
            "CKV_K8S_43=Image pinned by tag in the stack config; set cluster.image.digest "
            "to pin it by digest"
        )
    skips.append(
        "CKV_K8S_9=The reloader sidecar has no readiness probe on purpose: a pod is ready only when every "
        "container is, and a stalled sidecar must not take a healthy server out of its Services; its liveness "
        "probe restarts it, and the server container has its own readiness probe"
    )
    if cluster.image.pull_policy != "Always":
        skips.append(
            "CKV_K8S_15=IfNotPresent keeps Vault restartable when the registry is unreachable; "
            "the image is pinned, so a cached copy is the same image"
        )
    return {f"checkov.io/skip{index}": text for index, text in enumerate(skips, start=1)}


def image_reference(cluster: ClusterConfig) -> str:
    image = f"{cluster.image_repository}:{cluster.image_tag}"
    return f"{image}@{cluster.image.digest}" if cluster.image.digest else image


Volume = tuple[dict[str, Any], dict[str, Any]]
"""A pod volume and the container's mount of it."""

RELOADER_DIR = "/reloader"
RELOADER_SCRIPT = "reloader.sh"
RELOADER_STATE_DIR = "/reloader-state"


@dataclass(frozen=True)
class Reloader:
    """The sidecar that rotates the audit files and reloads the certificate with SIGHUP
    (``sidecars/reloader.sh``, from the ConfigMap ``config_map``)."""

    config_map: str
    audit_files: tuple[str, ...]
    max_bytes: int
    keep: int
    interval: int


def _reloader(layout: ClusterLayout, cluster: ClusterConfig, reloader: Reloader
              ) -> tuple[dict[str, Any], list[Volume]]:
    """The reloader container (the server's own image: its shell runs the script) and its
    volumes (the script; a small memory one for its heartbeat). It mounts the audit volume
    and, read-only, the TLS directory; its probes check that its loop still beats."""
    watch = f"{layout.paths.tls}/tls.crt {layout.paths.tls}/tls.key" if layout.tls_enabled else ""
    mounts = [{"name": "reloader", "mountPath": RELOADER_DIR, "readOnly": True},
              {"name": "audit", "mountPath": layout.paths.audit}]
    if layout.tls_enabled:
        mounts.append({"name": "tls", "mountPath": layout.paths.tls, "readOnly": True})
    mounts.append({"name": "reloader-state", "mountPath": RELOADER_STATE_DIR})
    heartbeat = f"{RELOADER_STATE_DIR}/heartbeat"
    env = {"SERVER": layout.target.binary, "AUDIT_FILES": " ".join(reloader.audit_files),
           "AUDIT_MAX_BYTES": str(reloader.max_bytes), "AUDIT_KEEP": str(reloader.keep), "WATCH_FILES": watch,
           "INTERVAL": str(reloader.interval), "HEARTBEAT": heartbeat}
    # alive while its loop has beaten within three intervals (at least a minute)
    stale = max(3 * reloader.interval, 60)
    probe = {"exec": {"command": ["/bin/sh", "-c", f'[ $(( $(date +%s) - $(cat {heartbeat}) )) -lt {stale} ]']},
             "periodSeconds": 30, "timeoutSeconds": 5, "failureThreshold": 3}
    container = {
        "name": "reloader",
        "image": image_reference(cluster),
        "imagePullPolicy": cluster.image.pull_policy,
        "command": ["/bin/sh", f"{RELOADER_DIR}/{RELOADER_SCRIPT}"],
        "env": [{"name": name, "value": value} for name, value in env.items()],
        "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"cpu": "100m", "memory": "32Mi"}},
        # No readiness probe: a pod is ready only when all its containers are, and a stalled
        # sidecar must not take a healthy server out of its Services; liveness restarts it.
        "livenessProbe": {**probe, "initialDelaySeconds": 30},
        "securityContext": container_security_context(),
        "volumeMounts": mounts,
    }
    volumes = [({"name": "reloader", "configMap": {"name": reloader.config_map, "defaultMode": 0o444}}, mounts[0]),
               ({"name": "reloader-state", "emptyDir": {"medium": "Memory", "sizeLimit": "1Mi"}}, mounts[-1])]
    return container, volumes


def statefulset_spec(
    layout: ClusterLayout,
    cluster: ClusterConfig,
    service_account: str,
    config_checksum: Any,
    extra_env: Optional[list[dict[str, Any]]] = None,
    extra_volumes: Optional[list[Volume]] = None,
    kms_plugin: Optional[tuple[str, str]] = None,
    reloader: Optional[Reloader] = None,
) -> dict[str, Any]:
    """The StatefulSet spec: hardened pod, probes, volumes, scheduling; with ``kms_plugin``
    (OpenBao 2.7's awskms seal: the plugin image and its binary's name) the plugin
    directory and the init container that fills it; with ``reloader`` the sidecar that
    signals the server, in a pod sharing one process namespace."""
    keeps_data = layout.storage != "postgresql"
    plugin = _kms_plugin(layout, cluster, *kms_plugin) if kms_plugin else None
    volumes = [*_volumes(layout, keeps_data), *(extra_volumes or []), *(plugin[1] if plugin else [])]
    container = _container(layout, cluster, [*_environment(layout), *(extra_env or [])], [m for _, m in volumes])
    sidecar = _reloader(layout, cluster, reloader) if reloader else None
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
                **({"shareProcessNamespace": True} if sidecar else {}),
                **({"initContainers": [plugin[0]]} if plugin else {}),
                "containers": [container, *([sidecar[0]] if sidecar else [])],
                "volumes": [volume for volume, _ in volumes if volume]  # data and audit are claims
                + ([plugin[2]] if plugin else []) + ([volume for volume, _ in sidecar[1]] if sidecar else []),
            },
        },
        "volumeClaimTemplates": _claims(layout, cluster, keeps_data),
    }


def _environment(layout: ClusterLayout) -> list[dict[str, Any]]:
    """Per-pod addresses and Raft node id (the server does not expand variables in its
    config file, so one ConfigMap serves every pod), and the CLI's own address and CA —
    under the server's own prefix (``VAULT_`` or ``BAO_``)."""
    pod_dns = f"$(POD_NAME).{layout.fqdn(layout.internal_service)}"
    prefix = layout.target.env_prefix
    env = [
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": f"{prefix}K8S_POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": f"{prefix}K8S_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
        {"name": f"{prefix}API_ADDR", "value": f"{layout.scheme}://{pod_dns}:{API_PORT}"},
        {"name": f"{prefix}CLUSTER_ADDR", "value": f"https://{pod_dns}:{CLUSTER_PORT}"},
        {"name": f"{prefix}RAFT_NODE_ID", "value": "$(POD_NAME)"},
        {"name": f"{prefix}ADDR", "value": f"{layout.scheme}://127.0.0.1:{API_PORT}"},
        {"name": "HOME", "value": layout.target.home},
    ]
    if layout.tls_enabled:
        env.append({"name": f"{prefix}CACERT", "value": f"{layout.paths.tls}/ca.crt"})
    return env


def _volumes(layout: ClusterLayout, keeps_data: bool) -> list[Volume]:
    """Config (read-only), data (Raft and file storage only), audit, scratch space, TLS,
    and the Kubernetes API token where the server needs one."""
    paths = layout.paths
    volumes: list[Volume] = [
        ({"name": "config", "configMap": {"name": layout.config_map, "defaultMode": 0o440}},
         {"name": "config", "mountPath": paths.config, "readOnly": True}),
    ]
    claims = [("data", paths.data)] if keeps_data else []
    volumes += [({}, {"name": name, "mountPath": path}) for name, path in [*claims, ("audit", paths.audit)]]  # claims
    volumes += [
        ({"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}}, {"name": "tmp", "mountPath": "/tmp"}),
        ({"name": "home", "emptyDir": {"sizeLimit": "16Mi"}}, {"name": "home", "mountPath": layout.target.home}),
    ]
    if layout.tls_enabled:
        volumes.append(({"name": "tls", "secret": {"secretName": layout.tls_secret, "defaultMode": 0o440}},
                        {"name": "tls", "mountPath": paths.tls, "readOnly": True}))
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


def _kms_plugin(layout: ClusterLayout, cluster: ClusterConfig, image: str, command: str
                ) -> tuple[dict[str, Any], list[Volume], dict[str, Any]]:
    """OpenBao 2.7's KMS plugin: the plugin image as a read-only image volume, and an init
    container (the server's own image, which has ``cp``) copying the binary into an
    emptyDir the server reads as its plugin directory — OpenBao runs only binaries inside
    that directory (a link out of it is refused) and checks their SHA-256 first."""
    plugins = layout.paths.plugins
    init = {
        "name": "kms-plugin",
        "image": image_reference(cluster),
        "imagePullPolicy": cluster.image.pull_policy,
        "command": ["cp", f"{PLUGIN_SOURCE_DIR}/{command}", f"{plugins}/{command}"],
        "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"cpu": "100m", "memory": "64Mi"}},
        "securityContext": container_security_context(),
        "volumeMounts": [{"name": "kms-plugin-source", "mountPath": PLUGIN_SOURCE_DIR, "readOnly": True},
                         {"name": "plugins", "mountPath": plugins}],
    }
    directory: Volume = ({"name": "plugins", "emptyDir": {"sizeLimit": "256Mi"}},
                         {"name": "plugins", "mountPath": plugins, "readOnly": True})
    source = {"name": "kms-plugin-source", "image": {"reference": image, "pullPolicy": "IfNotPresent"}}
    return init, [directory], source


def _pre_stop(layout: ClusterLayout) -> dict[str, Any]:
    """A short pause before SIGTERM so endpoints drain: Kubernetes' own sleep action
    (1.30+) needs no shell in the image."""
    if layout.kubernetes_minor >= (1, 30):
        return {"sleep": {"seconds": 5}}
    return {"exec": {"command": ["/bin/sh", "-c", "sleep 5"]}}


def _container(layout: ClusterLayout, cluster: ClusterConfig, env: list[dict[str, Any]],
               mounts: list[dict[str, Any]]) -> dict[str, Any]:
    """The server container: hardened, with readiness and liveness probes."""
    probe_port = {"port": API_PORT, "scheme": layout.scheme.upper()}
    return {
        "name": "openbao" if layout.target.is_openbao else "vault",
        "image": image_reference(cluster),
        "imagePullPolicy": cluster.image.pull_policy,
        "command": [layout.target.binary],
        "args": ["server", f"-config={layout.paths.config}/{SERVER_CONFIG_FILE}"],
        "env": env,
        "ports": [
            {"name": layout.scheme, "containerPort": API_PORT, "protocol": "TCP"},
            {"name": "cluster", "containerPort": CLUSTER_PORT, "protocol": "TCP"},
            {"name": "metrics", "containerPort": METRICS_PORT, "protocol": "TCP"},
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
            "httpGet": {"path": health_path(liveness=True, ha_unhealthy_code=layout.target.ha_unhealthy_code),
                        **probe_port},
            "initialDelaySeconds": 60,
            "periodSeconds": 10,
            "timeoutSeconds": 3,
            "failureThreshold": 3,
        },
        "lifecycle": {"preStop": _pre_stop(layout)},
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
