"""Defects the real server found that no mock could, each reproduced here on a live server
(and seen to fail before its fix): variants of the dev stack, applied to one server booted
from dev's rendered configuration, each undone afterwards.

* a rate-limit quota's interval was lost on the way to the server (a ``1m`` interval
  became the server's default of 1 s);
* roles and groups inside a namespace named policies that exist only in the root
  namespace: their tokens got nothing while the access matrix credited them with rights;
* a quota declared in a namespace was sent to that namespace, where the server refuses
  every quota ("operation only available in root namespace", Vault and OpenBao alike).
"""

from __future__ import annotations

from tests.live.variants import variant


QUOTA = ("vault:index/quotaRateLimit:QuotaRateLimit",)


def test_a_rate_limit_quota_keeps_its_declared_interval(dev_server, applied):
    plan = variant(lambda vault: vault.update(quotas=[
        {"type": "rate-limit", "name": "per-minute", "rate": 120, "interval": "1m", "block_interval": "5m"}]))
    applied(plan, QUOTA)
    quota = dev_server.client().get("sys/quotas/rate-limit/per-minute").expect(200).data
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


def test_roles_and_groups_in_a_namespace_get_their_policies_there(dev_server, applied, kubernetes_api):
    plan = variant(_namespaced)
    applied(plan, NAMESPACED)
    in_namespace = dev_server.client(namespace="analytics")
    for name in ("analytics-ingest", "developer-readwrite"):
        assert in_namespace.get(f"sys/policies/acl/{name}").status == 200, f"{name} is missing in the namespace"
    jwt = kubernetes_api.service_account_token("analytics-platform", "ingest")
    auth = dev_server.client(token="", namespace="analytics").post("auth/kubernetes/login", {
        "role": "ingest", "jwt": jwt}).expect(200).body["auth"]
    token = dev_server.client(auth["client_token"], namespace="analytics")
    path = "secret/data/dev/analytics/ingest/database"
    capabilities = token.post("sys/capabilities-self", {"paths": [path]}).expect(200).body[path]
    assert "read" in capabilities, f"the namespaced role's token can do {capabilities} on {path}"


def test_quotas_declared_in_a_namespace_are_kept_in_the_root_namespace_with_the_namespace_in_their_path(
        dev_server, applied):
    def namespaced_quotas(vault: dict) -> None:
        _namespaced(vault)
        vault["quotas"] = [
            {"type": "rate-limit", "name": "analytics-logins", "namespace": "analytics", "path": "auth/kubernetes",
             "rate": 20, "interval": "1m"},
            {"type": "rate-limit", "name": "analytics-all", "namespace": "analytics", "rate": 500}]

    applied(variant(namespaced_quotas), (*NAMESPACED, *QUOTA))
    root = dev_server.client()
    assert root.get("sys/quotas/rate-limit/analytics-logins").expect(200).data["path"] == "analytics/auth/kubernetes/"
    assert root.get("sys/quotas/rate-limit/analytics-all").expect(200).data["path"] == "analytics/"
    refused = dev_server.client(namespace="analytics").get("sys/quotas/rate-limit/analytics-all")
    assert refused.status == 400 and "only available in root namespace" in str(refused.body)
