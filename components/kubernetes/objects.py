"""The Vault cluster's Kubernetes objects other than its workload, as plain data (pure
functions, no Pulumi calls): the namespace, RBAC, Services, network policies and the
disruption budget. :mod:`components.kubernetes.cluster` registers them."""

from __future__ import annotations

from typing import Any

from components.config.cluster import NetworkConfig
from components.kubernetes.layout import ClusterLayout
from components.kubernetes.server_config import API_PORT, CLUSTER_PORT, METRICS_PORT


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
    metrics = {"name": "metrics", "port": METRICS_PORT, "targetPort": METRICS_PORT, "protocol": "TCP"}
    result = {
        layout.internal_service: {
            "clusterIP": "None",
            "publishNotReadyAddresses": True,
            "selector": dict(layout.selector),
            "ports": [api, cluster, metrics],
        },
        layout.name: {"type": "ClusterIP", "selector": dict(layout.selector), "ports": [api]},
    }
    if layout.ha:
        for role, active in (("active", "true"), ("standby", "false")):
            result[f"{layout.name}-{role}"] = {
                "type": "ClusterIP",
                "selector": {**layout.selector, layout.target.registration_label: active},
                "ports": [api],
            }
    return result


def _namespaces(names: Any) -> dict[str, Any]:
    return {"namespaceSelector": {"matchExpressions": [
        {"key": "kubernetes.io/metadata.name", "operator": "In", "values": sorted(names)}]}}


def network_policies(layout: ClusterLayout, network: NetworkConfig,
                     scrapers: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    """Default-deny ingress for the namespace; the API port for Vault's pods and the
    allowed namespaces; the cluster port for Vault's pods only; the metrics port (metrics
    without a token) for the scraper's namespaces only."""
    vault_pods = {"podSelector": {"matchLabels": dict(layout.selector)}}
    snapshot_job = {"podSelector": {"matchLabels": {"app.kubernetes.io/instance": layout.name,
                                                    "app.kubernetes.io/component": "snapshot"}}}
    api_from = [vault_pods, snapshot_job]
    if network.allowed_namespaces:
        api_from.append(_namespaces(network.allowed_namespaces))
    ingress = [
        {"from": api_from, "ports": [{"protocol": "TCP", "port": API_PORT}]},
        {"from": [vault_pods], "ports": [{"protocol": "TCP", "port": CLUSTER_PORT}]},
    ]
    if scrapers:
        ingress.append({"from": [_namespaces(scrapers)], "ports": [{"protocol": "TCP", "port": METRICS_PORT}]})
    return {
        f"{layout.name}-default-deny": {"podSelector": {}, "policyTypes": ["Ingress"]},
        f"{layout.name}-server": {
            "podSelector": {"matchLabels": dict(layout.selector)},
            "policyTypes": ["Ingress"],
            "ingress": ingress,
        },
    }


def disruption_budget(layout: ClusterLayout) -> dict[str, Any]:
    """At most one pod voluntarily down at a time: a Raft quorum survives a node drain."""
    return {"maxUnavailable": 1, "selector": {"matchLabels": dict(layout.selector)}}
