"""Network policies derived from the declared configuration: who may call Vault, where each
pod kind may connect, and the rules that keep the two from disagreeing."""

from __future__ import annotations

import pytest

from components import config as schema
from components.kubernetes import objects
from components.kubernetes.layout import ClusterLayout
from tests.conftest import stack_raw, with_values

NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy"


def policies_of(raw: dict, stack: str) -> dict[str, dict]:
    config = schema.load(raw, f"Pulumi.{stack}.yaml", stack)
    return objects.network_policies(ClusterLayout.from_config(config), config)


def api_sources(policies: dict) -> tuple[list[str], list[str]]:
    """Namespaces and CIDRs admitted to the API port."""
    (api,) = [rule for rule in policies["vault-server"]["ingress"] if rule["ports"][0]["port"] == 8200]
    namespaces = [s["namespaceSelector"]["matchExpressions"][0]["values"] for s in api["from"] if "namespaceSelector" in s]
    return namespaces[0], [s["ipBlock"]["cidr"] for s in api["from"] if "ipBlock" in s]


def test_production_admits_the_derived_namespaces_and_cidrs(stack_plan):
    policies = {r.inputs["metadata"]["name"]: r.inputs["spec"] for r in stack_plan("production").of_type(NETPOL)}
    assert policies["vault-default-deny"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    namespaces, cidrs = api_sources(policies)
    # analytics-platform and vault-system come from the Kubernetes roles; ci is declared
    assert namespaces == ["analytics-platform", "ci", "vault-system"]
    # the approle role's bound CIDR and the declared load balancer
    assert cidrs == ["10.20.0.0/16", "10.40.0.0/24"]
    assert sorted(policies) == ["vault-default-deny", "vault-server", "vault-snapshot"]


def test_a_kubernetes_role_opens_its_namespace_and_closing_it_closes_the_role():
    raw = stack_raw("production")
    roles = raw["vault-platform:vault"]["roles"]
    roles.append({"name": "payments", "mount": "kubernetes", "bound_service_account_names": ["payments"],
                  "bound_service_account_namespaces": ["payments"], "audience": "vault",
                  "token_policies": ["analytics-ingest"]})
    raw["vault-platform:network"]["allowed_namespaces"] = []
    namespaces, _ = api_sources(policies_of(raw, "production"))
    assert namespaces == ["analytics-platform", "payments", "vault-system"]
    roles[-1]["bound_service_account_namespaces"] = ["payments-*"]
    with pytest.raises(schema.ConfigError, match=r"bound_service_account_namespaces = 'payments-\*': a network "
                                                 "policy cannot admit a namespace pattern"):
        policies_of(raw, "production")


def test_a_remote_clusters_roles_open_nothing_here():
    raw = stack_raw("production")
    vault = raw["vault-platform:vault"]
    vault["auth_methods"].append({"type": "kubernetes", "path": "kubernetes-edge", "kubernetes": {
        "kubernetes_host": "https://edge.example.com:6443", "use_local_service_account": False,
        "kubernetes_ca_cert": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"}})
    vault["roles"].append({"name": "edge", "mount": "kubernetes-edge", "bound_service_account_names": ["agent"],
                           "bound_service_account_namespaces": ["*"], "audience": "vault",
                           "token_policies": ["analytics-ingest"]})
    with pytest.raises(schema.ConfigError, match="no destination names edge.example.com, which Vault calls on port "
                                                 "6443"):
        policies_of(raw, "production")
    raw["vault-platform:network"]["egress"]["destinations"].append(
        {"description": "edge cluster", "hosts": ["edge.example.com"], "cidrs": ["10.90.0.0/24"], "ports": [6443]})
    policies = policies_of(raw, "production")
    assert api_sources(policies)[0] == ["analytics-platform", "ci", "vault-system"]
    assert {"to": [{"ipBlock": {"cidr": "10.90.0.0/24"}}], "ports": [{"protocol": "TCP", "port": 6443}]} in (
        policies["vault-server"]["egress"])


def test_server_egress_is_dns_peers_the_api_server_aws_and_the_declared_destinations():
    egress = policies_of(stack_raw("production"), "production")["vault-server"]["egress"]
    dns, peers, api_server, aws, agent, github, sso, logs, database = egress
    assert dns["to"][0]["podSelector"] == {"matchLabels": {"k8s-app": "kube-dns"}}
    assert [p["protocol"] for p in dns["ports"]] == ["UDP", "TCP"] and dns["ports"][0]["port"] == 53
    assert list(peers["to"][0]) == ["podSelector"] and [p["port"] for p in peers["ports"]] == [8200, 8201]
    assert api_server == {"to": [{"ipBlock": {"cidr": "10.40.8.0/28"}}],
                          "ports": [{"protocol": "TCP", "port": 443}, {"protocol": "TCP", "port": 6443}]}
    assert aws["to"] == [{"ipBlock": {"cidr": "10.40.16.0/24"}}] and aws["ports"][0]["port"] == 443
    # production's seal uses EKS Pod Identity: its agent is link-local on each node
    assert agent == {"to": [{"ipBlock": {"cidr": "169.254.170.23/32"}}, {"ipBlock": {"cidr": "fd00:ec2::23/128"}}],
                     "ports": [{"protocol": "TCP", "port": 80}]}
    assert github["to"] == [{"ipBlock": {"cidr": "0.0.0.0/0"}}] and github["ports"] == [{"protocol": "TCP", "port": 443}]
    assert sso["to"] == [{"ipBlock": {"cidr": "10.50.0.0/24"}}]
    assert database["ports"] == [{"protocol": "TCP", "port": 5432}]
    # the socket audit device's collector, inside the cluster: by namespace
    assert logs == {"to": [{"namespaceSelector": {"matchExpressions": [
        {"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["logging"]}]}}],
        "ports": [{"protocol": "TCP", "port": 5170}]}


def test_the_snapshot_job_reaches_only_dns_the_api_port_and_aws():
    policies = policies_of(stack_raw("production"), "production")
    snapshot = policies["vault-snapshot"]
    assert snapshot["podSelector"] == {"matchLabels": {"app.kubernetes.io/instance": "vault",
                                                       "app.kubernetes.io/component": "snapshot"}}
    dns, api, aws, agent = snapshot["egress"]
    assert [p["port"] for p in api["ports"]] == [8200] and "podSelector" in api["to"][0]
    assert aws["to"] == [{"ipBlock": {"cidr": "10.40.16.0/24"}}] and agent["ports"] == [{"protocol": "TCP", "port": 80}]
    # it sits in Vault's namespace, which the API port admits
    assert "vault-system" in api_sources(policies)[0]


def test_postgresql_storage_lets_the_server_and_the_schema_job_reach_the_database():
    policies = policies_of(stack_raw("postgresql"), "postgresql")
    database = {"to": [{"ipBlock": {"cidr": "10.60.32.0/22"}}], "ports": [{"protocol": "TCP", "port": 5432}]}
    assert database in policies["vault-server"]["egress"]
    assert policies["vault-postgresql-schema"]["egress"][1:] == [database]


def test_dev_reaches_any_api_server_address_and_may_open_egress():
    raw = stack_raw("dev")
    egress = policies_of(raw, "dev")["vault-server"]["egress"]
    api_server = [rule for rule in egress if rule["ports"][0]["port"] == 443 and len(rule["ports"]) == 2]
    assert api_server[0]["to"] == [{"ipBlock": {"cidr": "0.0.0.0/0"}}, {"ipBlock": {"cidr": "::/0"}}]
    policies = policies_of(with_values(raw, **{"network.egress.restricted": False}), "dev")
    assert policies["vault-default-deny"]["policyTypes"] == ["Ingress"] and "egress" not in policies["vault-server"]


@pytest.mark.parametrize("changes, fragments", [
    ({"network.egress.restricted": False}, ["network.egress.restricted = false: open egress is a dev-only shortcut"]),
    ({"network.egress.kubernetes_api": []}, ["network.egress.kubernetes_api: required in production"]),
    ({"network.egress.aws": []}, ["network.egress.aws: required in production: the pods call AWS on 443 for "
                                  "unseal.type, snapshots.enabled, vault.secret_engines[5]"]),
    ({"network.egress.aws": ["0.0.0.0/0"]}, ["network.egress.aws[0] = '0.0.0.0/0': admits every address"]),
    ({"network.external_clients": [{"cidr": "10.1.2.3/16", "description": "lb"}]},
     ["network.external_clients[0].cidr = '10.1.2.3/16': not a CIDR with its host bits zero"]),
    ({"network.external_clients": [{"cidr": "::/0", "description": "everyone"}]},
     ["network.external_clients[0].cidr = '::/0': admits every address"]),
    ({"network.egress.destinations": []}, ["no destination names token.actions.githubusercontent.com",
                                           "no destination names sso.example.com",
                                           "no destination names analytics-db.internal.example.com, which Vault "
                                           "calls on port 5432",
                                           "no destination names fluent-bit.logging.svc.cluster.local, which Vault "
                                           "calls on port 5170 (vault.audit_devices[2].address)"]),
    ({"network.allowed_namespaces": ["Not_A_Namespace"]},
     ["network.allowed_namespaces[0] = 'Not_A_Namespace': not a namespace name"]),
])
def test_bad_network_settings_are_named(changes, fragments):
    with pytest.raises(schema.ConfigError) as caught:
        policies_of(with_values(stack_raw("production"), **changes), "production")
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
    assert message.count("\n  - ") == len(fragments), message


def test_a_roles_bound_address_is_admitted_as_a_network_and_every_address_is_refused():
    raw = stack_raw("production")
    approle = next(r for r in raw["vault-platform:vault"]["roles"] if r["name"] == "nightly-export")
    approle["token_bound_cidrs"] = ["10.20.0.7", "10.21.3.9/16"]  # Vault takes both
    _, cidrs = api_sources(policies_of(raw, "production"))
    assert "10.20.0.7/32" in cidrs and "10.21.0.0/16" in cidrs
    approle["token_bound_cidrs"] = ["0.0.0.0/0"]
    with pytest.raises(schema.ConfigError, match=r"token_bound_cidrs\[0\] = '0.0.0.0/0': admits every address"):
        policies_of(raw, "production")


def test_a_destination_must_open_the_port_vault_calls_and_node_local_dns_is_reachable():
    raw = stack_raw("production")
    egress = raw["vault-platform:network"]["egress"]
    sso = next(d for d in egress["destinations"] if d["hosts"] == ["sso.example.com"])
    sso["ports"] = [8443]
    with pytest.raises(schema.ConfigError, match="the destinations naming sso.example.com open port.s. 8443, but "
                                                 "Vault calls it on port 443"):
        policies_of(raw, "production")
    sso["ports"] = [443]
    egress["dns"] = {"addresses": ["169.254.20.10/32"]}
    dns = policies_of(raw, "production")["vault-server"]["egress"][0]
    assert dns["to"][1] == {"ipBlock": {"cidr": "169.254.20.10/32"}}


def test_an_open_destination_is_named_in_a_warning(stack_plan):
    assert any("egress destination 'GitHub Actions OIDC issuer (its keys); public addresses that change, so any "
               "address on 443' admits every address" in w for w in stack_plan("production").warnings)


def test_outside_callers_without_an_external_client_are_named_in_a_warning(stack_plan):
    # dev declares GitHub's jwt method but no external client; production declares its load balancer
    assert any("jwt auth method jwt-github: their callers usually come from outside the cluster" in w
               for w in stack_plan("dev").warnings)
    assert not any("come from outside the cluster" in w for w in stack_plan("production").warnings)
