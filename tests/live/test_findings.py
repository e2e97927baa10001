"""Defects the real server found that no mock could, each reproduced here on a live server
(and seen to fail before its fix): variants of the dev stack, applied to one server booted
from dev's rendered configuration, each undone afterwards.

* a rate-limit quota's interval was lost on the way to the server (a ``1m`` interval
  became the server's default of 1 s);
* roles and groups inside a namespace named policies that exist only in the root
  namespace: their tokens got nothing while the access matrix credited them with rights;
  and a lease-count quota in a namespace is refused by the server (root namespace only).
"""

from __future__ import annotations

import copy

import pytest

from components import config as schema
from tests.conftest import PROJECT, stack_raw
from tests.live.applier import Applier, Surroundings
from tests.live.deploy import boot
from vault_platform.plan.program import Plan, run_program


def variant(edit) -> Plan:
    """Dev's stack with ``edit(vault_section)`` applied: validated, then planned."""
    raw = stack_raw("dev")
    vault = copy.deepcopy(raw[f"{schema.NAMESPACE}:vault"])
    edit(vault)
    raw[f"{schema.NAMESPACE}:vault"] = vault
    config = schema.load(raw, "Pulumi.dev.yaml (variant)", "dev")
    monitor, outputs, warnings = run_program(PROJECT, "dev", raw)
    return Plan("dev", "Pulumi.dev.yaml", config, list(monitor.registrations), outputs, warnings)


@pytest.fixture(scope="module")
def server(stack_plan, tmp_path_factory, bao, test_ca):
    cluster = boot(stack_plan("dev"), tmp_path_factory.mktemp("findings"), bao, test_ca)
    yield cluster
    cluster.stop()


@pytest.fixture
def applied(server, tmp_path, test_ca, kubernetes_api):
    """Apply a plan's Vault resources, then destroy them, protected ones included (the server
    is shared by the tests of this module)."""
    appliers = []

    def apply(plan: Plan, only: tuple[str, ...] = ()) -> Applier:
        resources = [r.as_json() for r in plan.resources() if not only or r.type in only]
        applier = Applier(server.client(), Surroundings(audit_dir=str(tmp_path), ca_pem=test_ca.pem,
                                                        token_review_host=kubernetes_api.url))
        appliers.append(applier)
        applier.apply(resources)
        return applier

    yield apply
    for applier in reversed(appliers):
        for entry in reversed(applier.report.applied):
            entry.registration["protect"] = False
        applier.destroy()


QUOTA = ("vault:index/quotaRateLimit:QuotaRateLimit",)


def test_a_rate_limit_quota_keeps_its_declared_interval(server, applied):
    plan = variant(lambda vault: vault.update(quotas=[
        {"type": "rate-limit", "name": "per-minute", "rate": 120, "interval": "1m", "block_interval": "5m"}]))
    applied(plan, QUOTA)
    quota = server.client().get("sys/quotas/rate-limit/per-minute").expect(200).data
    assert (quota["rate"], quota["interval"], quota["block_interval"]) == (120, 60, 300)


NAMESPACED = ("vault:index/namespace:Namespace", "vault:index/policy:Policy", "vault:index/authBackend:AuthBackend",
              "vault:kubernetes/authBackendConfig:AuthBackendConfig", "vault:kubernetes/authBackendRole:AuthBackendRole",
              "vault:identity/group:Group")


def _namespaced(vault: dict) -> None:
    vault.update(edition="enterprise", namespaces=[{"path": "analytics"}])
    vault["auth_methods"].append({"type": "kubernetes", "path": "kubernetes", "namespace": "analytics"})
    vault["roles"].append({"name": "ingest", "mount": "kubernetes", "namespace": "analytics",
                           "bound_service_account_names": ["ingest"],
                           "bound_service_account_namespaces": ["analytics-platform"],
                           "token_policies": ["analytics-ingest"]})
    vault["groups"].append({"name": "analytics-readers", "namespace": "analytics", "policies": ["developer-readwrite"]})


def test_roles_and_groups_in_a_namespace_get_their_policies_there(server, applied, kubernetes_api):
    plan = variant(_namespaced)
    applied(plan, NAMESPACED)
    in_namespace = server.client(namespace="analytics")
    for name in ("analytics-ingest", "developer-readwrite"):
        assert in_namespace.get(f"sys/policies/acl/{name}").status == 200, f"{name} is missing in the namespace"
    jwt = kubernetes_api.service_account_token("analytics-platform", "ingest")
    auth = server.client(token="", namespace="analytics").post("auth/kubernetes/login", {
        "role": "ingest", "jwt": jwt}).expect(200).body["auth"]
    token = server.client(auth["client_token"], namespace="analytics")
    path = "secret/data/dev/analytics/ingest/database"
    capabilities = token.post("sys/capabilities-self", {"paths": [path]}).expect(200).body[path]
    assert "read" in capabilities, f"the namespaced role's token can do {capabilities} on {path}"


def test_a_lease_count_quota_in_a_namespace_is_refused_before_anything_is_registered():
    def lease_count_in_namespace(vault: dict) -> None:
        vault.update(edition="enterprise", namespaces=[{"path": "analytics"}],
                     quotas=[{"type": "lease-count", "name": "cap", "namespace": "analytics", "max_leases": 10}])

    with pytest.raises(schema.ConfigError, match=r"vault\.quotas\[0\]\.namespace = 'analytics': .*root namespace"):
        variant(lease_count_in_namespace)
