"""Secret engines, password policies and quotas under Pulumi's mocks: each declared
engine and role becomes the right resources, in the right order (an intermediate CA
after its root), with credentials as secrets and irreplaceable data protected."""

from __future__ import annotations


import hcl2
import pytest

from components.config.vault.engines import password_policy_hcl
from tests.conftest import plan_with, stack_raw, with_values



def named(plan, type_, name):
    (found,) = [r for r in plan.of_type(type_) if r.name == name]
    return found


def urn_of(plan, type_, name):
    return named(plan, type_, name).urn


@pytest.fixture(scope="module")
def production(stack_plan):
    return stack_plan("production")


def test_production_declares_kv_database_pki_root_and_intermediate_and_transit(production):
    mounts = {m.inputs["path"]: m for m in production.of_type("vault:index/mount:Mount")}
    assert {p: m.inputs["type"] for p, m in mounts.items()} == {
        "secret": "kv", "database": "database", "pki": "pki", "pki-int": "pki", "transit": "transit"}
    assert mounts["secret"].inputs["options"] == {"version": "2"}
    assert [m.protect for m in (mounts["secret"], mounts["pki"], mounts["pki-int"], mounts["transit"])] == [True] * 4
    assert not mounts["database"].protect  # credentials are leases; nothing to lose
    kv = production.of_type("vault:kv/secretBackendV2:SecretBackendV2")[0].inputs
    assert (kv["maxVersions"], kv["casRequired"], kv["deleteVersionAfter"]) == (20, True, 0)


def test_database_connection_roles_and_static_role(production):
    connection = named(production, "vault:database/secretBackendConnection:SecretBackendConnection",
                       "vault-config-database-connection-database-analytics")
    assert connection.inputs["pluginName"] == "postgresql-database-plugin"
    assert connection.inputs["postgresql"]["password"] == "[secret]"
    assert "{{username}}:{{password}}@" in connection.inputs["postgresql"]["connectionUrl"]
    assert connection.inputs["allowedRoles"] == ["analytics-readonly", "analytics-readwrite", "analytics-etl"]
    policy = named(production, "vault:index/passwordPolicy:PasswordPolicy", "vault-config-password-policy-database")
    assert policy.urn in connection.depends_on
    roles = {r.inputs["name"]: r for r in production.of_type("vault:database/secretBackendRole:SecretBackendRole")}
    assert set(roles) == {"analytics-readonly", "analytics-readwrite"}
    for role in roles.values():
        assert role.inputs["dbName"] == "analytics" and connection.urn in role.depends_on
        assert (role.inputs["defaultTtl"], role.inputs["maxTtl"]) == (3600, 28800)
        assert any("{{expiration}}" in s for s in role.inputs["creationStatements"])
        assert role.inputs["revocationStatements"][-1] == 'DROP ROLE IF EXISTS "{{name}}";'
    (static,) = production.of_type("vault:database/secretBackendStaticRole:SecretBackendStaticRole")
    assert (static.inputs["username"], static.inputs["rotationPeriod"]) == ("analytics_etl", 86400)


def test_intermediate_is_generated_signed_by_the_root_and_set_in_order(production):
    root = named(production, "vault:pkiSecret/secretBackendRootCert:SecretBackendRootCert", "vault-config-pki-root-pki")
    csr = named(production, "vault:pkiSecret/secretBackendIntermediateCertRequest:SecretBackendIntermediateCertRequest",
                "vault-config-pki-csr-pki-int")
    signed = named(production, "vault:pkiSecret/secretBackendRootSignIntermediate:SecretBackendRootSignIntermediate",
                   "vault-config-pki-signed-pki-int")
    issuer = named(production, "vault:pkiSecret/secretBackendIntermediateSetSigned:SecretBackendIntermediateSetSigned",
                   "vault-config-pki-issuer-pki-int")
    assert root.protect and issuer.protect
    assert (root.inputs["backend"], root.inputs["ttl"], root.inputs["keyType"], root.inputs["keyBits"]) == (
        "pki", "87600h", "ec", 384)
    assert (csr.inputs["backend"], signed.inputs["backend"], issuer.inputs["backend"]) == ("pki-int", "pki", "pki-int")
    assert signed.inputs["csr"].startswith("-----BEGIN CERTIFICATE REQUEST-----")
    assert issuer.inputs["certificate"].startswith("-----BEGIN CERTIFICATE-----")
    assert root.urn in signed.depends_on and csr.urn in signed.depends_on and signed.urn in issuer.depends_on
    order = [r.urn for r in production.registrations]  # as Pulumi received them
    assert order.index(root.urn) < order.index(signed.urn) < order.index(issuer.urn)
    assert order.index(csr.urn) < order.index(signed.urn)
    role = named(production, "vault:pkiSecret/secretBackendRole:SecretBackendRole",
                 "vault-config-pki-role-pki-int-internal-services")
    assert issuer.urn in role.depends_on
    assert role.inputs["allowWildcardCertificates"] is False and role.inputs["allowAnyName"] is False
    assert role.inputs["allowGlobDomains"] is False and role.inputs["enforceHostnames"] is True
    assert (role.inputs["maxTtl"], role.inputs["keyType"], role.inputs["keyBits"]) == ("720h", "ec", 256)
    urls = named(production, "vault:pkiSecret/secretBackendConfigUrls:SecretBackendConfigUrls", "vault-config-pki-urls-pki-int")
    assert urls.inputs["ocspServers"] == ["https://vault.internal.example.com:8200/v1/pki-int/ocsp"]
    crl = named(production, "vault:pkiSecret/secretBackendCrlConfig:SecretBackendCrlConfig", "vault-config-pki-crl-pki-int")
    assert (crl.inputs["disable"], crl.inputs["autoRebuild"], crl.inputs["expiry"]) == (False, True, "72h")
    tidy = named(production, "vault:pkiSecret/backendConfigAutoTidy:BackendConfigAutoTidy", "vault-config-pki-tidy-pki-int")
    assert tidy.inputs["enabled"] and tidy.inputs["tidyCertStore"] and tidy.inputs["safetyBuffer"] == "72h"


def test_transit_keys_are_neither_deletable_nor_exportable_and_rotate(production):
    keys = {k.inputs["name"]: k for k in production.of_type("vault:transit/secretBackendKey:SecretBackendKey")}
    assert {n: k.inputs["type"] for n, k in keys.items()} == {"reporting": "aes256-gcm96", "ingest-signing": "ed25519"}
    for key in keys.values():
        assert key.protect
        assert (key.inputs["deletionAllowed"], key.inputs["exportable"], key.inputs["allowPlaintextBackup"]) == (
            False, False, False)
    assert keys["reporting"].inputs["autoRotatePeriod"] == 720 * 3600


def test_aws_engine_keeps_its_secret_key_secret(production):
    (backend,) = production.of_type("vault:aws/secretBackend:SecretBackend")
    assert backend.inputs["secretKey"] == "[secret]"
    (role,) = production.of_type("vault:aws/secretBackendRole:SecretBackendRole")
    assert (role.inputs["credentialType"], role.inputs["defaultStsTtl"]) == ("assumed_role", 900)


def test_password_policy_and_quotas(production):
    policy = named(production, "vault:index/passwordPolicy:PasswordPolicy", "vault-config-password-policy-database")
    parsed = hcl2.loads(policy.inputs["policy"])
    assert parsed["length"] == 32 and len(parsed["rule"]) == 4
    quotas = {q.inputs["name"]: q for q in production.of_type("vault:index/quotaRateLimit:QuotaRateLimit")}
    assert quotas["global"].inputs["path"] == "" and quotas["global"].inputs["rate"] == 1000
    database_mount = named(production, "vault:index/mount:Mount", "vault-config-secret-database")
    assert database_mount.urn in quotas["database-credentials"].depends_on
    assert quotas["database-credentials"].inputs["blockInterval"] == 30
    assert all(q.inputs["interval"] == 1 for q in quotas.values())  # every declared interval reaches the quota


def test_secrets_never_reach_resources_json(stack_plan, tmp_path):
    from vault_platform.plan import artifacts

    artifacts.write(stack_plan("production"), tmp_path)
    text = (tmp_path / "resources.json").read_text()
    assert "replace-with-pulumi-config-set-secret" not in text and "offline-plan-placeholder" not in text


def test_password_policy_hcl_is_vaults_form():
    from components.config.vault.engines import PasswordPolicySpec, PasswordRuleSpec

    text = password_policy_hcl(PasswordPolicySpec(name="p", length=24, rules=(
        PasswordRuleSpec(charset='ab"c', min_chars=2),)))
    assert text == 'length = 24\nrule "charset" {\n  charset = "ab\\"c"\n  min-chars = 2\n}\n'


def test_an_engine_in_a_namespace_and_a_kv_with_defaults():
    raw = with_values(stack_raw("production"), **{"vault.edition": "enterprise", "vault.namespaces": [{"path": "team-a"}],
                                                   "vault.secret_engines": [{"type": "kv-v2", "path": "kv",
                                                                             "namespace": "team-a"}],
                                                   "vault.quotas": [{"type": "lease-count", "name": "cap",
                                                                     "path": "kv", "namespace": "team-a",
                                                                     "max_leases": 100},
                                                                    {"type": "lease-count", "name": "whole-team",
                                                                     "namespace": "team-a", "max_leases": 500}]})
    monitor = plan_with("production", raw)
    mount = monitor.one("vault:index/mount:Mount", "vault-config-secret-team-a-kv")
    namespace = monitor.one("vault:index/namespace:Namespace")
    assert mount.inputs["namespace"] == "team-a" and namespace.urn in mount.depends_on
    kv = monitor.one("vault:kv/secretBackendV2:SecretBackendV2").inputs
    assert (kv["maxVersions"], kv["casRequired"]) == (10, True)
    quotas = {q.inputs["name"]: q for q in monitor.by_type("vault:index/quotaLeaseCount:QuotaLeaseCount")}
    # the server keeps quotas in the root namespace only: the namespace moves into the path
    assert (quotas["cap"].inputs["path"], quotas["cap"].inputs["maxLeases"]) == ("team-a/kv", 100)
    assert quotas["whole-team"].inputs["path"] == "team-a/"
    assert all("namespace" not in q.inputs for q in quotas.values())
    assert mount.urn in quotas["cap"].depends_on and namespace.urn in quotas["whole-team"].depends_on
