"""Drift against tampering, on a real server: production with two Enterprise namespaces
(``analytics``, and ``analytics/reports`` inside it) holding a KV engine, an identity group
and an AppRole method with its role, applied as ``pulumi up`` would; and dev, for the
userpass method only dev may have.

Each scenario changes the server the way an attacker or a hurried operator would, then
asserts the exact findings — kind, object, path, namespace, attribute, live and declared
values, severity — and nothing else; it is then undone (a deleted object is re-applied with
the provider's calls) and drift must find nothing again. The reads here use the root token
so that the namespaces are read too; the drift identity's own reads are proven on every
shipped stack (test_stacks.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Optional

import pytest

from tests.live.applier import HANDLERS
from tests.live.deploy import Deployment, apply, boot, surroundings
from tests.live.servers import wait_until
from tests.live.variants import variant


def _with_namespaces(vault: dict) -> None:
    vault.update(edition="enterprise", namespaces=[{"path": "analytics"}, {"path": "analytics/reports"}])
    vault["auth_methods"].append({"type": "approle", "path": "approle", "namespace": "analytics/reports"})
    vault["roles"].append({"name": "loader", "mount": "approle", "namespace": "analytics/reports",
                           "token_policies": ["analytics-ingest"], "token_ttl": "1h", "token_max_ttl": "4h",
                           "secret_id_ttl": "1h", "secret_id_num_uses": 1})
    vault["secret_engines"].append({"type": "kv-v2", "path": "kv", "namespace": "analytics"})
    vault["groups"].append({"name": "analysts", "namespace": "analytics", "policies": ["developer-readonly"]})
    for quota in vault["quotas"]:  # the scenarios read the database mount far faster than any client
        quota["rate"] = max(quota["rate"], 100000)


@pytest.fixture(scope="module")
def analytics(postgres):
    from tests.databases import analytics_database

    with analytics_database(postgres) as database:
        yield database


def _deploy(plan, tmp_path_factory, binary, test_ca, moto, oidc, kubernetes_api, postgres, log_collector):
    cluster = boot(plan, tmp_path_factory.mktemp(f"drift-{plan.stack}"), binary, test_ca, moto=moto)
    around = surroundings(plan, tmp_path_factory.mktemp(f"drift-audit-{plan.stack}"), test_ca, oidc, kubernetes_api,
                          postgres, log_collector)
    try:
        return apply(plan, cluster, around)
    except BaseException:
        cluster.stop()
        raise


@pytest.fixture(scope="module")
def production(tmp_path_factory, bao_awskms, test_ca, moto, oidc, kubernetes_api, analytics, postgres, log_collector):
    plan = variant(_with_namespaces, "production")
    deployment = _deploy(plan, tmp_path_factory, bao_awskms, test_ca, moto, oidc, kubernetes_api, postgres,
                         log_collector)
    yield deployment
    deployment.cluster.stop()


@pytest.fixture(scope="module")
def dev(stack_plan, tmp_path_factory, bao, test_ca, moto, oidc, kubernetes_api, analytics, postgres, log_collector):
    deployment = _deploy(stack_plan("dev"), tmp_path_factory, bao, test_ca, moto, oidc, kubernetes_api, postgres,
                         log_collector)
    yield deployment
    deployment.cluster.stop()


class Tamper:
    """Changes to one deployment, each remembering how it is undone (in reverse order)."""

    def __init__(self, deployment: Deployment, tmp_path):
        self.deployment, self.tmp_path = deployment, tmp_path
        self.undo: list[Callable[[], None]] = []

    def client(self, namespace: Optional[str] = None):
        return self.deployment.client(namespace=namespace)

    def write(self, path: str, body: dict, namespace: Optional[str] = None, undo: Optional[dict] = None) -> Any:
        """POST ``body``; undone by POSTing ``undo`` (or by deleting the path)."""
        client = self.client(namespace)
        answer = client.post(path, body).expect(200, 204)
        self.undo.append(lambda: client.post(path, undo).expect(200, 204) if undo is not None
                         else client.delete(path).expect(200, 204))
        return answer

    def change(self, path: str, namespace: Optional[str] = None, **changes: Any) -> None:
        """Read, change some fields, write the whole back (endpoints that replace on write)."""
        client = self.client(namespace)
        current = client.get(path).expect(200).data
        client.post(path, {**current, **changes}).expect(200, 204)
        self.undo.append(lambda: client.post(path, current).expect(200, 204))

    def remove(self, path: str, resource: str, namespace: Optional[str] = None) -> None:
        """Delete what ``resource`` declares; undone by applying ``resource`` again."""
        self.client(namespace).delete(path).expect(200, 204)
        self.undo.append(lambda: self.reapply(resource))

    def reapply(self, resource: str) -> None:
        applier = self.deployment.applier
        registration = next(r for r in self.deployment.declared() if r["name"] == resource)
        applier.current = resource
        HANDLERS[registration["type"]].create(applier, registration, registration["inputs"])

    def undo_all(self) -> None:
        for step in reversed(self.undo):
            step()


@dataclass(frozen=True)
class Scenario:
    id: str
    tamper: Callable[[Tamper], Any]
    expected: Callable[[Any, Deployment], list[tuple]]
    """(kind, object, path, namespace, attribute, live, declared, severity), given what
    ``tamper`` returned and the deployment."""
    stack: str = "production"


def changed(obj, path, attribute, live, declared, severity="privilege", namespace=None):
    return ("changed", obj, path, namespace, attribute, live, declared, severity)


def _audit_raw(t: Tamper) -> None:
    options = t.client().get("sys/audit").expect(200).data["file/"]["options"]
    t.remove("sys/audit/file", "vault-config-audit-file")
    t.client().put("sys/audit/file", {"type": "file", "description": "Audit log on each pod's audit volume",
                                      "options": {**options, "log_raw": "true", "hmac_accessor": "false"}}).expect(204)
    t.undo.append(lambda: t.client().delete("sys/audit/file").expect(204))


def _transit_exportable(t: Tamper) -> None:
    t.client().post("transit/keys/reporting/config", {"deletion_allowed": True, "exportable": True}).expect(200, 204)
    t.undo.append(lambda: t.reapply("vault-config-transit-key-transit-reporting"))
    t.undo.append(lambda: t.client().delete("transit/keys/reporting").expect(204))  # undone first: delete, re-create


def _alias_renamed(t: Tamper) -> None:
    group = t.client().get("identity/group/name/platform-admins").expect(200).data
    alias = group["alias"]
    body = {"mount_accessor": alias["mount_accessor"], "canonical_id": group["id"]}
    t.write(f"identity/group-alias/id/{alias['id']}", {**body, "name": "everyone"}, undo={**body, "name": alias["name"]})


def _entity(t: Tamper) -> str:
    answer = t.client().post("identity/entity", {"name": "ghost", "policies": ["platform-admin"]}).expect(200)
    t.undo.append(lambda: t.client().delete("identity/entity/name/ghost").expect(204))
    return answer.data["id"]


def _entity_joins_group(t: Tamper) -> str:
    client = t.client("analytics")
    entity = client.post("identity/entity", {"name": "insider"}).expect(200).data["id"]
    t.undo.append(lambda: client.delete("identity/entity/name/insider").expect(204))
    t.write("identity/group/name/analysts", {"member_entity_ids": [entity]}, "analytics", undo={"member_entity_ids": []})
    return entity


def _namespace(t: Tamper) -> None:
    client = t.client("analytics")
    client.put("sys/namespaces/shadow", {}).expect(200, 204)

    def gone() -> None:
        client.delete("sys/namespaces/shadow").expect(200, 202, 204)
        wait_until(lambda: "shadow/" not in (client.list("sys/namespaces").data.get("keys") or []), 30,
                   "the namespace deleted")
    t.undo.append(gone)


WEAK_PASSWORDS = 'length = 8\nrule "charset" {\n  charset = "abc"\n  min-chars = 1\n}'
SNEAKY = 'path "*" {\n  capabilities = ["create", "read", "update", "delete", "list", "sudo"]\n}'
SUPERUSER = ['CREATE ROLE "{{name}}" WITH SUPERUSER LOGIN PASSWORD \'{{password}}\';']
DEPLOY_CLAIMS = {"environment": ["production"], "ref": ["refs/heads/main"], "repository": ["example-org/vault-platform"],
                 "repository_id": ["700000001"]}


def _declared_input(d: Deployment, resource: str, key: str) -> Any:
    return next(r for r in d.declared() if r["name"] == resource)["inputs"][key]


def _text(value: str) -> str:
    return "\n".join(line.rstrip() for line in value.strip().splitlines())


SCENARIOS = [
    Scenario("role-policies-raised",
             lambda t: t.change("auth/kubernetes/role/ingest", token_policies=["analytics-ingest", "platform-admin"]),
             lambda r, d: [changed("auth role", "auth/kubernetes/role/ingest", "token_policies",
                                   ["analytics-ingest", "platform-admin"], ["analytics-ingest"])]),
    Scenario("kubernetes-bindings-widened",
             lambda t: t.change("auth/kubernetes/role/reporting-api", bound_service_account_names=["*"],
                                bound_service_account_namespaces=["*"]),
             lambda r, d: [changed("auth role", "auth/kubernetes/role/reporting-api", "bound_service_account_names",
                                   ["*"], ["reporting-api"]),
                           changed("auth role", "auth/kubernetes/role/reporting-api",
                                   "bound_service_account_namespaces", ["*"], ["analytics-platform"])]),
    Scenario("deploy-role-claims-removed",
             lambda t: t.change("auth/jwt-github/role/pulumi-deploy", bound_claims={}),
             lambda r, d: [changed("auth role", "auth/jwt-github/role/pulumi-deploy", "bound_claims", {},
                                   DEPLOY_CLAIMS)]),
    Scenario("alias-source-changed",
             lambda t: t.change("auth/kubernetes/role/batch-jobs", alias_name_source="serviceaccount_name"),
             lambda r, d: [changed("auth role", "auth/kubernetes/role/batch-jobs", "alias_name_source",
                                   "serviceaccount_name", "serviceaccount_uid")]),
    Scenario("audit-device-logs-raw", _audit_raw,
             lambda r, d: [changed("audit device", "sys/audit/file", "options.hmac_accessor", False, True),
                           changed("audit device", "sys/audit/file", "options.log_raw", True, False)]),
    Scenario("audit-device-removed", lambda t: t.remove("sys/audit/socket", "vault-config-audit-socket"),
             lambda r, d: [("missing", "audit device", "sys/audit/socket", None, None, None, None, "privilege")]),
    Scenario("audit-device-added",
             lambda t: t.client().put("sys/audit/exfil", {"type": "file", "options": {
                 "file_path": str(t.tmp_path / "exfil.log")}}).expect(204) and None or t.undo.append(
                 lambda: t.client().delete("sys/audit/exfil").expect(204)),
             lambda r, d: [("unmanaged", "audit device", "sys/audit/exfil", None, None, {"type": "file"}, None,
                            "privilege")]),
    Scenario("group-given-platform-admin",
             lambda t: t.write("identity/group/name/developers", {"policies": ["developer-readonly", "platform-admin"]},
                               undo={"policies": ["developer-readonly"]}),
             lambda r, d: [changed("identity group", "identity/group/name/developers", "policies",
                                   ["developer-readonly", "platform-admin"], ["developer-readonly"])]),
    Scenario("shadow-admins-group",
             lambda t: t.write("identity/group", {"name": "shadow-admins", "policies": ["platform-admin"]}) and
             t.undo.pop() and t.undo.append(lambda: t.client().delete("identity/group/name/shadow-admins").expect(204)),
             lambda r, d: [("unmanaged", "identity group", "identity/group/name/shadow-admins", None, None,
                            {"policies": ["platform-admin"]}, None, "privilege")]),
    Scenario("group-alias-renamed", _alias_renamed,
             lambda r, d: [changed("identity group", "identity/group/name/platform-admins", "alias", "oidc:everyone",
                                   "oidc:vault-platform-admins")]),
    Scenario("entity-with-policies", _entity,
             lambda r, d: [("unmanaged", "identity entity", f"identity/entity/id/{r}", None, None,
                            {"policies": ["platform-admin"]}, None, "privilege")]),
    Scenario("token-role-with-break-glass",
             lambda t: t.write("auth/token/roles/escalate", {"allowed_policies": "break-glass"}),
             lambda r, d: [("unmanaged", "token role", "auth/token/roles/escalate", None, None,
                            {"allowed_policies": ["break-glass"]}, None, "privilege")]),
    Scenario("quota-deleted",
             lambda t: t.remove("sys/quotas/rate-limit/database-credentials", "vault-config-quota-rate-limit-"
                                "database-credentials"),
             lambda r, d: [("missing", "quota", "sys/quotas/rate-limit/database-credentials", None, None, None, None,
                            "setting")]),
    Scenario("quota-loosened", lambda t: t.change("sys/quotas/rate-limit/global", rate=900000),
             lambda r, d: [changed("quota", "sys/quotas/rate-limit/global", "rate", 900000.0, 100000.0, "setting")]),
    Scenario("jwt-issuer-changed",
             lambda t: t.change("auth/jwt-github/config", bound_issuer="https://issuer.attacker.example"),
             lambda r, d: [changed("auth method config", "auth/jwt-github/config", "bound_issuer",
                                   "https://issuer.attacker.example", d.surroundings.oidc_issuer)]),
    Scenario("kubernetes-host-changed",
             lambda t: t.change("auth/kubernetes/config", kubernetes_host="https://kubernetes.attacker.example"),
             lambda r, d: [changed("auth method config", "auth/kubernetes/config", "kubernetes_host",
                                   "https://kubernetes.attacker.example", d.surroundings.token_review_host)]),
    Scenario("auth-ttl-raised",
             lambda t: t.write("sys/auth/oidc/tune", {"max_lease_ttl": "720h"}, undo={"max_lease_ttl": "12h"}),
             lambda r, d: [changed("auth method", "sys/auth/oidc", "max_lease_ttl", 2592000, 43200)]),
    Scenario("pki-role-any-name", lambda t: t.change("pki-int/roles/internal-services", allow_any_name=True),
             lambda r, d: [changed("pki role", "pki-int/roles/internal-services", "allow_any_name", True, False)]),
    Scenario("transit-key-exportable", _transit_exportable,
             lambda r, d: [changed("transit key", "transit/keys/reporting", "deletion_allowed", True, False),
                           changed("transit key", "transit/keys/reporting", "exportable", True, False)]),
    Scenario("kv-check-and-set-off",
             lambda t: t.write("secret/config", {"cas_required": False}, undo={"cas_required": True}),
             lambda r, d: [changed("kv config", "secret/config", "cas_required", False, True, "setting")]),
    Scenario("database-connection-any-role",
             lambda t: t.write("database/config/analytics", {"allowed_roles": "*"}, undo={
                 "allowed_roles": "analytics-readonly,analytics-readwrite,analytics-etl"}),
             lambda r, d: [changed("database connection", "database/config/analytics", "allowed_roles", ["*"],
                                   ["analytics-etl", "analytics-readonly", "analytics-readwrite"])]),
    Scenario("database-role-superuser",
             lambda t: t.write("database/roles/analytics-readonly", {"db_name": "analytics",
                                                                     "creation_statements": SUPERUSER},
                               undo={"creation_statements": _declared_input(t.deployment, "vault-config-database-role"
                                                                            "-database-analytics-readonly",
                                                                            "creationStatements")}),
             lambda r, d: [changed("database role", "database/roles/analytics-readonly", "creation_statements",
                                   SUPERUSER, _declared_input(d, "vault-config-database-role-database-analytics-"
                                                              "readonly", "creationStatements"))]),
    Scenario("mount-max-ttl-raised",
             lambda t: t.write("sys/mounts/database/tune", {"max_lease_ttl": "8760h"}, undo={"max_lease_ttl": "24h"}),
             lambda r, d: [changed("secret engine", "sys/mounts/database", "max_lease_ttl", 31536000, 86400)]),
    Scenario("mount-logs-responses-unhashed",
             lambda t: t.write("sys/mounts/secret/tune", {"audit_non_hmac_response_keys": ["data"]},
                               undo={"audit_non_hmac_response_keys": [""]}),
             lambda r, d: [changed("secret engine", "sys/mounts/secret", "audit_non_hmac_response_keys", ["data"], [])]),
    Scenario("policy-edited",
             lambda t: t.write("sys/policies/acl/analytics-ingest", {"policy": SNEAKY}, undo={
                 "policy": _declared_input(t.deployment, "vault-config-policy-analytics-ingest", "policy")}),
             lambda r, d: [changed("policy", "sys/policies/acl/analytics-ingest", "policy", _text(SNEAKY),
                                   _text(_declared_input(d, "vault-config-policy-analytics-ingest", "policy")))]),
    Scenario("password-policy-weakened",
             lambda t: t.write("sys/policies/password/database", {"policy": WEAK_PASSWORDS}, undo={
                 "policy": _declared_input(t.deployment, "vault-config-password-policy-database", "policy")}),
             lambda r, d: [changed("password policy", "sys/policies/password/database", "policy",
                                   _text(WEAK_PASSWORDS),
                                   _text(_declared_input(d, "vault-config-password-policy-database", "policy")),
                                   "setting")]),
    # inside the namespaces
    Scenario("unmanaged-mount-in-a-namespace",
             lambda t: t.write("sys/mounts/stash", {"type": "kv"}, "analytics"),
             lambda r, d: [("unmanaged", "secret engine", "sys/mounts/stash", "analytics", None, {"type": "kv"}, None,
                            "setting")]),
    Scenario("policy-in-a-child-namespace",
             lambda t: t.client("analytics/reports").put("sys/policies/acl/sneaky", {"policy": SNEAKY}).expect(204)
             and None or t.undo.append(lambda: t.client("analytics/reports").delete("sys/policies/acl/sneaky")),
             lambda r, d: [("unmanaged", "policy", "sys/policies/acl/sneaky", "analytics/reports", None, None, None,
                            "privilege")]),
    Scenario("approle-role-in-a-child-namespace",
             lambda t: t.write("auth/approle/role/backdoor", {"token_policies": "analytics-ingest"},
                               "analytics/reports"),
             lambda r, d: [("unmanaged", "auth role", "auth/approle/role/backdoor", "analytics/reports", None,
                            {"token_policies": ["analytics-ingest"]}, None, "privilege")]),
    Scenario("namespaced-role-raised",
             lambda t: t.write("auth/approle/role/loader", {"token_policies": ["analytics-ingest", "developer-readonly"]},
                               "analytics/reports", undo={"token_policies": ["analytics-ingest"]}),
             lambda r, d: [changed("auth role", "auth/approle/role/loader", "token_policies",
                                   ["analytics-ingest", "developer-readonly"], ["analytics-ingest"],
                                   namespace="analytics/reports")]),
    Scenario("namespaced-group-joined-by-an-entity", _entity_joins_group,
             lambda r, d: [changed("identity group", "identity/group/name/analysts", "member_entity_ids", [r], [],
                                   namespace="analytics")]),
    Scenario("unmanaged-namespace", _namespace,
             lambda r, d: [("unmanaged", "namespace", "sys/namespaces/shadow", "analytics", None, None, None,
                            "privilege")]),
    Scenario("userpass-user", lambda t: t.write("auth/userpass/users/mallory", {
        "password": "a-password-nobody-declared", "token_policies": "platform-admin"}),
             lambda r, d: [("unmanaged", "auth user", "auth/userpass/users/mallory", None, None,
                            {"token_policies": ["platform-admin"]}, None, "privilege")], stack="dev"),
]


def _findings(report) -> list[tuple]:
    return sorted((f.kind, f.object, f.path, f.namespace, f.attribute, f.live, f.declared, f.severity)
                  for f in report.findings)


@pytest.mark.parametrize("stack", ["production", "dev"])
def test_a_freshly_applied_stack_has_no_drift(stack, request):
    deployment = request.getfixturevalue(stack)
    report = deployment.drift()
    assert _findings(report) == [], report
    if stack == "production":
        assert report.namespaces == [None, "analytics", "analytics/reports"]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_each_tampering_is_reported_exactly_and_undone_is_clean_again(scenario, request, tmp_path):
    deployment = request.getfixturevalue(scenario.stack)
    tamper = Tamper(deployment, tmp_path)
    try:
        result = scenario.tamper(tamper)
        assert _findings(deployment.drift()) == sorted(scenario.expected(result, deployment))
    finally:
        tamper.undo_all()
    assert _findings(deployment.drift()) == [], "undone, the server matches the stack again"


def test_the_scenarios_number_at_least_twenty_five_and_cover_the_namespaces():
    assert len(SCENARIOS) >= 25
    assert sum("namespace" in s.id for s in SCENARIOS) >= 4


def test_a_token_that_cannot_read_everything_is_a_clear_error(production, monkeypatch, capsys, tmp_path):
    from vault_platform.cli import main

    token = production.client().post("auth/token/create", {"policies": ["default"], "ttl": "5m"}).expect(200)
    monkeypatch.setenv("VAULT_TOKEN", token.body["auth"]["client_token"])
    monkeypatch.setenv("VAULT_CACERT", str(production.cluster.ca))
    code = main(["drift", "--stack", "production", "--address", production.cluster.leader.address,
                 "--plan", str(production.write_plan(tmp_path / "plan"))])
    err = capsys.readouterr().err
    assert code == 2 and re.search(r"the token cannot (GET|LIST) \S+ \(403\): drift reads every compared object",
                                   err) and "Traceback" not in err


def test_drift_waits_out_a_rate_limit_quota_instead_of_failing(production):
    """A quota that blocks the drift identity's reads for a moment (the stacks' own database
    quota blocks for 30 s) slows drift down; it does not make it fail."""
    client = production.client()
    client.post("sys/quotas/rate-limit/tight", {"path": "sys/policies/acl", "rate": 1, "block_interval": "2s"}
                ).expect(200, 204)
    try:
        report = production.drift()
    finally:
        client.delete("sys/quotas/rate-limit/tight").expect(200, 204)
    assert _findings(report) == [("unmanaged", "quota", "sys/quotas/rate-limit/tight", None, None, None, None,
                                  "setting")]
