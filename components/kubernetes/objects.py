"""The Vault cluster's Kubernetes objects other than its workload, as plain data (pure
functions, no Pulumi calls): the namespace, RBAC, Services, network policies and the
disruption budget. :mod:`components.kubernetes.cluster` registers them."""

from __future__ import annotations

from typing import Any

from components.config import network
from components.config.stack import StackConfig
from components.kubernetes.layout import ClusterLayout
from components.kubernetes.postgresql import schema_pending
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


def _tcp(*ports: int) -> list[dict[str, Any]]:
    return [{"protocol": "TCP", "port": port} for port in ports]


def _blocks(cidrs: Any) -> list[dict[str, Any]]:
    return [{"ipBlock": {"cidr": cidr}} for cidr in cidrs]


def _component(layout: ClusterLayout, component: str) -> dict[str, Any]:
    return {"podSelector": {"matchLabels": {"app.kubernetes.io/instance": layout.name,
                                            "app.kubernetes.io/component": component}}}


def _egress(layout: ClusterLayout, config: StackConfig) -> dict[str, list[dict[str, Any]]]:
    """Each pod kind's allowed destinations: the cluster's DNS for all; the server its peers,
    the Kubernetes API, AWS, PostgreSQL and the declared destinations; the snapshot Job the
    API port and AWS; the schema Job PostgreSQL."""
    egress = config.network.egress
    dns_pods = {**_namespaces([egress.dns.namespace]), "podSelector": {"matchLabels": dict(egress.dns.pod_labels)}}
    dns = {"to": [dns_pods, *_blocks(egress.dns.addresses)],
           "ports": [{"protocol": proto, "port": 53} for proto in ("UDP", "TCP")]}
    vault_pods = {"podSelector": {"matchLabels": dict(layout.selector)}}
    aws: list[dict[str, Any]] = []
    if egress.aws:
        aws.append({"to": _blocks(egress.aws), "ports": _tcp(443)})
    if network.pod_identity(config):
        aws.append({"to": _blocks(network.POD_IDENTITY_AGENT), "ports": _tcp(80)})
    postgresql = ([{"to": _blocks(egress.postgresql), "ports": _tcp(egress.postgresql_port)}]
                  if config.storage.type == "postgresql" and egress.postgresql else [])
    server = [dns, {"to": [vault_pods], "ports": _tcp(API_PORT, CLUSTER_PORT)}]
    api_server = network.kubernetes_api_cidrs(config)
    if api_server:
        server.append({"to": _blocks(api_server), "ports": _tcp(*network.KUBERNETES_API_PORTS)})
    server += aws + postgresql
    server += [{"to": [*_blocks(d.cidrs), *([_namespaces(d.namespaces)] if d.namespaces else [])],
                "ports": _tcp(*d.ports)} for d in egress.destinations]
    result = {"server": server}
    if config.snapshots.enabled:
        result["snapshot"] = [dns, {"to": [vault_pods], "ports": _tcp(API_PORT)}, *aws]
    pg = config.storage.postgresql
    if config.storage.type == "postgresql" and pg is not None and schema_pending(pg):
        result["postgresql-schema"] = [dns, *postgresql]  # only while its Job is there
    return result


def network_policies(layout: ClusterLayout, config: StackConfig) -> dict[str, dict[str, Any]]:
    """Default-deny for the namespace (ingress, and egress unless open in dev). Into Vault's
    pods: the API port from Vault's pods, the namespaces the plan derives (Vault's own, the
    Kubernetes roles', the allowed ones) and the external clients' CIDRs; the cluster port
    between Vault's pods; the metrics port (metrics without a token) from the scraper's
    namespaces only. Out of each pod kind: what :func:`_egress` lists."""
    vault_pods = {"podSelector": {"matchLabels": dict(layout.selector)}}
    api_from = [vault_pods, _namespaces(network.api_namespaces(config)), *_blocks(sorted(network.api_cidrs(config)))]
    ingress = [
        {"from": api_from, "ports": _tcp(API_PORT)},
        {"from": [vault_pods], "ports": _tcp(CLUSTER_PORT)},
    ]
    monitoring = config.monitoring
    if monitoring.enabled and monitoring.scraper_namespaces:
        ingress.append({"from": [_namespaces(monitoring.scraper_namespaces)], "ports": _tcp(METRICS_PORT)})
    restricted = config.network.egress.restricted
    types = ["Ingress", "Egress"] if restricted else ["Ingress"]
    policies = {
        f"{layout.name}-default-deny": {"podSelector": {}, "policyTypes": types},
        f"{layout.name}-server": {"podSelector": {"matchLabels": dict(layout.selector)}, "policyTypes": types,
                                  "ingress": ingress},
    }
    if restricted:
        egress = _egress(layout, config)
        policies[f"{layout.name}-server"]["egress"] = egress.pop("server")
        for component, rules in egress.items():
            policies[f"{layout.name}-{component}"] = {**_component(layout, component), "policyTypes": ["Egress"],
                                                      "egress": rules}
    return policies


def disruption_budget(layout: ClusterLayout) -> dict[str, Any]:
    """At most one pod voluntarily down at a time: a Raft quorum survives a node drain."""
    return {"maxUnavailable": 1, "selector": {"matchLabels": dict(layout.selector)}}
