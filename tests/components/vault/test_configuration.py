"""VaultConfiguration under Pulumi's mocks, the `vault` schema's cross-references, and
the shipped policies."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from components import config as schema
from components.config.inputs import policy_files
from components.config.secrets import SecretPlaceholder
from tests.conftest import PROJECT, STACKS, plan_with, stack_raw, with_values
from vault_platform.plan.program import run_program

NS = schema.NAMESPACE
CONFIG = "vault-platform:configuration:VaultConfiguration"


def vault_of(plan_or_monitor, type_: str):
    return [r for r in plan_or_monitor.registrations if r.type == type_]


def by_name(registrations, key: str = "name"):
    return {r.inputs.get(key) or r.inputs.get("roleName") or r.inputs.get("path"): r for r in registrations}


# -- resources -----------------------------------------------------------------------------


def test_every_vault_resource_uses_the_vault_provider_and_the_component(stack_plan):
    plan = stack_plan("production")
    (provider,) = plan.of_type("pulumi:providers:vault")
    (component,) = plan.of_type(CONFIG)
    resources = [r for r in plan.resources() if r.type.startswith("vault:")]
    assert len(resources) > 20
    for registration in resources:
        assert registration.parent == component.urn, registration.name
        assert registration.provider.startswith(provider.urn + "::"), registration.name


def test_provider_reaches_the_configured_address_with_the_ca_and_no_token_in_state(stack_plan):
    (provider,) = stack_plan("production").of_type("pulumi:providers:vault")
    assert provider.inputs["address"] == "https://vault.internal.example.com:8200"
    assert provider.inputs["caCertFile"] == "vault-ca.pem"
    assert "token" not in provider.inputs  # VAULT_TOKEN is read by the provider itself
    assert provider.inputs["skipGetVaultVersion"] == "true"
    assert any(dep.endswith("StatefulSet::vault-server") for dep in provider.depends_on)


def test_a_configured_token_is_a_secret():
    raw = with_values(stack_raw("production"), **{"vault.token": SecretPlaceholder("v1:token")})
    (provider,) = plan_with("production", raw).by_type("pulumi:providers:vault")
    assert provider.inputs["token"] == "[secret]"


def test_audit_devices_first_and_hardened(stack_plan):
    plan = stack_plan("production")
    devices = by_name(vault_of(plan, "vault:index/audit:Audit"), "path")
    assert devices["file"].inputs["options"] == {
        "file_path": "/vault/audit/audit.log", "format": "json", "hmac_accessor": "true", "log_raw": "false",
        "mode": "0600"}
    assert devices["socket"].inputs["options"]["address"] == "fluent-bit.logging.svc.cluster.local:5170"
    audit_urns = {r.urn for r in devices.values()}
    graph = {r.urn: set(r.depends_on) for r in plan.resources()}

    def reaches(urn: str) -> set[str]:
        seen, stack = set(), [urn]
        while stack:
            for dep in graph.get(stack.pop(), ()):
                if dep not in seen:
                    seen.add(dep)
                    stack.append(dep)
        return seen

    (deploy,) = [r for r in vault_of(plan, "vault:index/policy:Policy") if r.inputs["name"] == "vault-platform-deploy"]
    assert deploy.retain_on_delete and not reaches(deploy.urn) & {r.urn for r in plan.resources()
                                                                   if r.type.startswith("vault:")}
    for registration in plan.resources():
        if not registration.type.startswith("vault:") or registration is deploy:
            continue  # the deploy policy comes first: the identity applying the rest holds it before it needs it
        assert deploy.urn in reaches(registration.urn), registration.name
        if registration.type != "vault:index/audit:Audit":
            assert audit_urns <= reaches(registration.urn), registration.name


def test_auth_methods_with_tuning_and_config(stack_plan):
    plan = stack_plan("production")
    generic = by_name(vault_of(plan, "vault:index/authBackend:AuthBackend"), "path")
    assert generic["kubernetes"].inputs["type"] == "kubernetes"
    assert generic["kubernetes"].inputs["tune"] == {
        "defaultLeaseTtl": "1h", "listingVisibility": "hidden", "maxLeaseTtl": "24h"}
    (k8s_config,) = vault_of(plan, "vault:kubernetes/authBackendConfig:AuthBackendConfig")
    assert k8s_config.inputs["kubernetesHost"] == "https://kubernetes.default.svc"
    assert k8s_config.inputs["disableLocalCaJwt"] is False
    jwt = by_name(vault_of(plan, "vault:jwt/authBackend:AuthBackend"), "path")
    assert jwt["oidc"].inputs["oidcClientSecret"] == "[secret]"
    assert jwt["oidc"].inputs["tune"]["listingVisibility"] == "unauth"
    assert jwt["jwt-github"].inputs["boundIssuer"] == "https://token.actions.githubusercontent.com"


def test_roles_carry_bindings_policies_and_ttls(stack_plan):
    plan = stack_plan("production")
    k8s = by_name(vault_of(plan, "vault:kubernetes/authBackendRole:AuthBackendRole"))
    ingest = k8s["ingest"].inputs
    assert ingest["boundServiceAccountNames"] == ["ingest"]
    assert ingest["boundServiceAccountNamespaces"] == ["analytics-platform"]
    assert (ingest["tokenPolicies"], ingest["tokenTtl"], ingest["tokenMaxTtl"]) == (["analytics-ingest"], 3600, 14400)
    assert ingest["audience"] == "vault"
    assert any(d.endswith("Policy::vault-config-policy-analytics-ingest") for d in k8s["ingest"].depends_on)
    (approle,) = vault_of(plan, "vault:appRole/authBackendRole:AuthBackendRole")
    assert approle.inputs["secretIdNumUses"] == 1 and approle.inputs["secretIdTtl"] == 86400
    assert approle.inputs["secretIdBoundCidrs"] == ["10.20.0.0/16"]
    jwt = by_name(vault_of(plan, "vault:jwt/authBackendRole:AuthBackendRole"))
    assert jwt["deploy"].inputs["boundClaims"] == {"ref": "refs/heads/main", "repository": "example-org/analytics-platform",
                                                   "repository_id": "700000002", "environment": "production"}
    assert jwt["engineer"].inputs["groupsClaim"] == "groups"


def test_policies_are_the_stack_selection_with_variables_rendered(stack_plan):
    plan = stack_plan("production")
    policies = by_name(vault_of(plan, "vault:index/policy:Policy"))
    assert "developer-readonly" in policies and "developer-readwrite" not in policies
    assert 'path "secret/data/production/analytics/ingest/*"' in policies["analytics-ingest"].inputs["policy"]
    assert "[[" not in "".join(p.inputs["policy"] for p in policies.values())


def test_external_groups_and_aliases_map_oidc_groups(stack_plan):
    plan = stack_plan("production")
    groups = by_name(vault_of(plan, "vault:identity/group:Group"))
    assert groups["platform-admins"].inputs["policies"] == ["platform-admin"]
    assert groups["developers"].inputs["type"] == "external"
    aliases = by_name(vault_of(plan, "vault:identity/groupAlias:GroupAlias"))
    alias = aliases["analytics-developers"].inputs
    assert alias["mountAccessor"].startswith("auth_oidc_")
    assert alias["canonicalId"]


def warnings_of(stack: str, raw: dict) -> list[str]:
    schema.load(raw, f"Pulumi.{stack}.yaml", stack)
    return run_program(PROJECT, stack, raw)[2]


def test_single_audit_device_warns_and_a_socket_alone_off_the_volume_too(stack_plan):
    dev = stack_raw("dev")
    dev["vault-platform:vault"]["audit_devices"] = dev["vault-platform:vault"]["audit_devices"][:1]
    assert any("only one audit device" in w for w in warnings_of("dev", dev))
    assert not any("audit device" in w for w in stack_plan("production").warnings)
    production = stack_raw("production")
    vault = production["vault-platform:vault"]
    vault["audit_devices"] = [d for d in vault["audit_devices"] if d.get("file_path") != "stdout"]
    assert any("the only audit device off the audit volume is a socket" in w
               for w in warnings_of("production", production))


@pytest.mark.parametrize("keep, fragment", [
    (lambda devices: devices[:1], "declared: 1, off the volume: 0"),
    (lambda devices: [devices[0], {**devices[0], "path": "second", "file_path": "/vault/audit/second.log"}],
     "declared: 2, off the volume: 0"),
])
def test_production_needs_two_audit_devices_one_off_the_volume(keep, fragment):
    raw = stack_raw("production")
    vault = raw["vault-platform:vault"]
    vault["audit_devices"] = keep(vault["audit_devices"])
    with pytest.raises(schema.ConfigError, match="production must declare at least two audit devices, one of them "
                                                 f"off the audit volume .*\\({fragment}\\)"):
        plan_with("production", raw)


def test_configure_off_creates_no_vault_resources():
    monitor = plan_with("production", with_values(stack_raw("production"), **{"vault.configure": False}))
    assert not [r for r in monitor.registrations if r.type.startswith("vault:") or r.type == "pulumi:providers:vault"]
    assert monitor.by_type("kubernetes:apps/v1:StatefulSet")


def test_namespaces_on_enterprise_nest_and_scope_their_items():
    raw = stack_raw("production")
    vault = raw[f"{NS}:vault"]
    vault["edition"] = "enterprise"
    vault["namespaces"] = [{"path": "analytics"}, {"path": "analytics/team-a"}]
    vault["auth_methods"].append({"type": "approle", "path": "approle", "namespace": "analytics/team-a"})
    vault["roles"].append({"name": "etl", "mount": "approle", "namespace": "analytics/team-a",
                           "token_policies": ["default"]})
    monitor = plan_with("production", raw)
    spaces = {r.inputs["path"]: r for r in monitor.by_type("vault:index/namespace:Namespace")}
    assert spaces["team-a"].inputs["namespace"] == "analytics"
    assert spaces["analytics"].urn in spaces["team-a"].depends_on
    mount = next(r for r in monitor.by_type("vault:index/authBackend:AuthBackend")
                 if r.inputs.get("namespace") == "analytics/team-a")
    assert spaces["team-a"].urn in mount.depends_on


# -- cross references --------------------------------------------------------------------


def vault_raw(stack: str, edit) -> dict:
    raw = stack_raw(stack)
    edit(raw[f"{NS}:vault"])
    return raw


def _set(path, value):
    def edit(vault):
        node = vault
        keys = path.split(".")
        for key in keys[:-1]:
            node = node[int(key)] if key.isdigit() else node[key]
        last = keys[-1]
        if last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value
    return edit


def _append(key, item):
    return lambda vault: vault.setdefault(key, []).append(copy.deepcopy(item))


CROSS_CASES = [
    ("dangling-policy", "production", _set("roles.0.token_policies", ["analytics-ingset"]),
     ["vault.roles[name=ingest].token_policies[0] = 'analytics-ingset'", "names a policy that does not exist",
      "did you mean `analytics-ingest`?"]),
    ("root-policy-on-role", "production", _set("roles.0.token_policies", ["root"]),
     ["vault.roles[name=ingest].token_policies[0] = 'root'", "cannot be given to a role"]),
    ("undeclared-mount", "production", _set("roles.0.mount", "kubernetes-eu"),
     ["vault.roles[name=ingest].mount = 'kubernetes-eu'", "names an auth mount that is not declared",
      "declared: approle, jwt-github, kubernetes, oidc"]),
    ("inverted-ttl", "production", _set("roles.0.token_ttl", "8h"),
     ["vault.roles[name=ingest].token_ttl = '8h'", "exceeds token_max_ttl (4h)"]),
    ("ttl-over-mount-max", "production", _set("roles.0.token_max_ttl", "48h"),
     ["vault.roles[name=ingest].token_max_ttl = '48h'", "exceeds the max_lease_ttl of mount kubernetes (24h)"]),
    ("unparsable-ttl", "production", _set("roles.0.token_ttl", "an hour"),
     ["vault.roles[name=ingest].token_ttl = 'an hour'", "not a duration: a whole number of seconds (`3600`), or numbers each followed by a unit s, m, h or d, largest first (`90s`, `15m`, `1h30m`, `30d`)"]),
    ("duplicate-mount", "production", _append("auth_methods", {"type": "approle", "path": "kubernetes"}),
     ["vault.auth_methods[4: path=kubernetes].path = 'kubernetes'", "duplicate auth mount path"]),
    ("duplicate-audit-path", "production", _append("audit_devices", {"type": "file", "path": "file", "file_path": "stdout"}),
     ["vault.audit_devices[3: path=file].path = 'file'", "duplicate audit device path"]),
    ("syslog-audit-device", "production", _append("audit_devices", {"type": "syslog", "path": "syslog"}),
     ["vault.audit_devices[path=syslog].type = 'syslog'", "the Vault pod has no syslog socket", "allowed: file"]),
    ("no-audit-in-production", "production", _set("audit_devices", []),
     ["vault.audit_devices: production must declare at least two audit devices", "(declared: 0, off the volume: 0)"]),
    ("audit-file-off-volume", "production", _set("audit_devices.0.file_path", "/tmp/audit.log"),
     ["vault.audit_devices[path=file].file_path = '/tmp/audit.log'", "on the audit volume"]),
    ("audit-log-raw", "production", _set("audit_devices.0.log_raw", True),
     ["vault.audit_devices[path=file].log_raw = true", "dev-only"]),
    ("namespaces-on-community", "production", _set("namespaces", [{"path": "analytics"}]),
     ["vault.namespaces: namespaces need Vault Enterprise"]),
    ("userpass-in-production", "production", _append("auth_methods", {"type": "userpass", "path": "userpass"}),
     ["vault.auth_methods[path=userpass].type = 'userpass'", "userpass is dev-only"]),
    ("plain-client-secret", "production", _set("auth_methods.3.oidc.oidc_client_secret", "hunter2"),
     ["vault.auth_methods[path=oidc].oidc.oidc_client_secret: must be a Pulumi secret"]),
    ("oidc-without-secret", "production", _set("auth_methods.3.oidc.oidc_client_secret", None),
     ["vault.auth_methods[path=oidc].oidc: an oidc auth method needs oidc_client_id and oidc_client_secret"]),
    ("alias-on-approle", "production", _set("groups.0.aliases", [{"name": "x", "mount": "approle"}]),
     ["vault.groups[name=platform-admins].aliases[name=x].mount = 'approle'", "need an oidc, jwt or ldap mount"]),
    ("group-dangling-policy", "production", _set("groups.0.policies", ["platform-owner"]),
     ["vault.groups[name=platform-admins].policies[0] = 'platform-owner'", "names a policy that does not exist"]),
    ("field-of-another-role-type", "production", _set("roles.0.secret_id_ttl", "1h"),
     ["vault.roles[name=ingest].secret_id_ttl: not a field of a kubernetes role"]),
    ("kubernetes-role-unbound", "production", _set("roles.0.bound_service_account_names", []),
     ["vault.roles[name=ingest]: a kubernetes role needs bound_service_account_names"]),
    ("jwt-role-unbound", "production",
     lambda v: (v["roles"][3].pop("bound_audiences"), v["roles"][3].pop("bound_claims")),
     ["vault.roles[name=deploy]: a jwt role must bind the token", "must bind repository_id",
      "must bind ref and environment, or job_workflow_ref"]),
    ("github-role-by-name-only", "production", _set("roles.3.bound_claims", {
        "repository": "example-org/analytics-platform", "ref": "refs/heads/main", "environment": "production"}),
     ["vault.roles[name=deploy].bound_claims = ", "a role on the GitHub Actions issuer must bind repository_id",
      "gh api repos/OWNER/REPO --jq .id"]),
    ("github-role-any-branch", "production", _set("roles.3.bound_claims", {"repository_id": "700000002"}),
     ["vault.roles[name=deploy].bound_claims = {\"repository_id\": \"700000002\"}",
      "must bind ref and environment, or job_workflow_ref"]),
    ("github-role-ref-without-environment", "production", _set("roles.3.bound_claims", {
        "repository_id": "700000002", "ref": "refs/heads/main"}),
     ["vault.roles[name=deploy].bound_claims = ", "must bind ref and environment, or job_workflow_ref"]),
    ("github-repository-id-a-name", "production", _set("roles.3.bound_claims.repository_id",
                                                       "example-org/analytics-platform"),
     ["vault.roles[name=deploy].bound_claims.repository_id = 'example-org/analytics-platform'",
      "not the repository's numeric id"]),
    ("github-glob-on-environment", "production", _set("roles.8.bound_claims.environment", "*"),
     ["vault.roles[name=preview].bound_claims.environment = '*'", "no wildcard here"]),
    ("excluded-policy-still-used", "production", _set("groups.1.policies", ["developer-readwrite"]),
     ["vault.groups[name=developers].policies[0] = 'developer-readwrite'",
      "names a policy this stack excludes: policies/developer-readwrite.hcl exists, but "
      "vault.policies.include/exclude leave it out here"]),
    ("include-matches-nothing", "production", _set("policies", {"include": ["analytics-*", "billing"]}),
     ["vault.policies: vault.policies.include: `billing` matches no file",
      "names a policy this stack excludes"]),
    ("member-group-undeclared", "production", _append("groups", {"name": "a", "type": "internal", "member_groups": ["b"]}),
     ["vault.groups[name=a].member_groups[0] = 'b'", "names a group that is not declared"]),
    ("group-membership-cycle", "production", lambda v: v["groups"].extend([
        {"name": "a", "type": "internal", "member_groups": ["b"]},
        {"name": "b", "type": "internal", "member_groups": ["a"]}]),
     ["vault.groups[name=a].member_groups = [\"b\"]: group membership forms a cycle",
      "vault.groups[name=b].member_groups = [\"a\"]: group membership forms a cycle"]),
    ("bound-claim-not-text", "production", _set("roles.4.bound_claims", {"email_verified": True}),
     ["vault.roles[name=nightly-export].bound_claims.email_verified = true", "a claim value is a string or a list of strings"]),
    ("token-ttl-above-mount-reported-once", "production", _set("roles.0.token_ttl", "48h"),
     ["vault.roles[name=ingest].token_ttl = '48h'", "exceeds token_max_ttl"]),
    ("ldap-insecure", "production", _append("auth_methods", {
        "type": "ldap", "path": "ldap", "ldap": {"url": "ldap://dc.example.com", "userdn": "ou=users,dc=example",
                                                  "insecure_tls": True}}),
     ["vault.auth_methods[path=ldap].ldap.insecure_tls = true", "vault.auth_methods[path=ldap].ldap.url = 'ldap://dc.example.com'",
      "needs starttls", "no destination names dc.example.com, which Vault calls on port 389"]),
]


@pytest.mark.parametrize("stack, edit, expected", [c[1:] for c in CROSS_CASES], ids=[c[0] for c in CROSS_CASES])
def test_cross_reference_errors_name_the_file_and_keys(stack, edit, expected):
    with pytest.raises(schema.ConfigError) as caught:
        schema.load(vault_raw(stack, edit), f"Pulumi.{stack}.yaml", stack)
    message = str(caught.value)
    assert message.startswith(f"invalid stack configuration in Pulumi.{stack}.yaml")
    for fragment in expected:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    for line in message.splitlines()[1:]:  # nothing reported beyond what the case is about
        assert any(f in line for f in expected), f"unexpected: {line}"


def test_a_reusable_workflow_binding_is_enough_on_the_github_issuer():
    claims = {"repository_id": "700000002",
              "job_workflow_ref": "example-org/workflows/.github/workflows/deploy.yml@refs/heads/main"}
    config = schema.load(vault_raw("production", _set("roles.3.bound_claims", claims)), "Pulumi.production.yaml",
                         "production")
    assert config.vault.roles[3].bound_claims == claims


def test_the_preview_role_matches_pull_request_refs_by_glob(stack_plan):
    roles = {r.inputs["roleName"]: r.inputs for r in stack_plan("production").of_type("vault:jwt/authBackendRole:AuthBackendRole")}
    assert roles["preview"]["boundClaimsType"] == "glob"
    assert roles["preview"]["boundClaims"]["ref"] == "refs/pull/*/merge"
    assert roles["preview"]["tokenPolicies"] == ["vault-platform-reader"]
    assert roles["drift"]["boundClaimsType"] == "string" and roles["drift"]["boundClaims"]["ref"] == "refs/heads/main"
    for inputs in (i for i in roles.values() if i["backend"] == "jwt-github"):  # every CI role binds the repository by id, and the job's place
        assert inputs["boundClaims"]["repository_id"].isdigit()
        assert {"ref", "environment"} <= set(inputs["boundClaims"]) or "job_workflow_ref" in inputs["boundClaims"]


def test_a_plain_secret_is_never_echoed():
    with pytest.raises(schema.ConfigError) as caught:
        schema.load(vault_raw("production", _set("auth_methods.3.oidc.oidc_client_secret", "hunter2")),
                    "Pulumi.production.yaml", "production")
    assert "hunter2" not in str(caught.value)


def test_nothing_is_registered_when_a_reference_dangles(project):
    from vault_platform.plan.mocks import RecordingMonitor
    from vault_platform.plan.program import PlanError, run_program

    monitor = RecordingMonitor()
    with pytest.raises(PlanError, match="names a policy that does not exist"):
        run_program(project, "production", vault_raw("production", _set("roles.0.token_policies", ["nope"])),
                    monitor=monitor)
    assert monitor.registrations == []


# -- policy files -----------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_every_shipped_policy_parses_for_every_stack(project: Path, stack: str):
    loaded, problems = policy_files.load(("*",), (), stack, stack)
    assert problems == []
    assert {p.name for p in loaded} == set(policy_files.available())
    assert len(loaded) >= 8


@pytest.mark.parametrize(
    "text, message, line",
    [
        ('path "secret/*" {\n  capabilities = ["reed"]\n}\n', 'invalid capability "reed"', 2),
        ('path "secret/[[region]]/*" {\n  capabilities = ["read"]\n}\n', "unknown stack variable [[region]]", 1),
        ('path "secret/*" {\n  capabilitie = ["read"]\n}\n', 'invalid key "capabilitie"', 2),
    ],
)
def test_policy_file_problems_name_file_and_line(tmp_path: Path, text, message, line):
    (tmp_path / "team.hcl").write_text(text)
    _, problems = policy_files.load(("*",), (), "production", "production", folder=tmp_path)
    assert [(p.file, p.line) for p in problems] == [("policies/team.hcl", line)]
    assert message in problems[0].message


def test_policy_file_problems_stop_the_stack(tmp_path: Path):
    (tmp_path / "analytics-ingest.hcl").write_text('path "a" { capabilities = ["reed"] }')
    raw = vault_raw("dev", _set("roles", []))
    raw[f"{NS}:vault"]["groups"] = []
    with pytest.raises(schema.ConfigError) as caught:
        schema.load(raw, "Pulumi.dev.yaml", "dev", policy_dir=tmp_path)
    assert 'vault.policies: policies/analytics-ingest.hcl line 1: path "a": invalid capability "reed"' in str(
        caught.value)


def test_stack_variables_cannot_collide_with_vault_templating():
    text, unknown = policy_files.render_variables(
        'path "secret/[[environment]]/{{identity.entity.id}}/*" {}', {"environment": "dev"})
    assert text == 'path "secret/dev/{{identity.entity.id}}/*" {}'
    assert unknown == []


def test_plan_writes_policies_and_a_configuration_summary(stack_plan, tmp_path: Path):
    from vault_platform.plan import artifacts

    written = artifacts.write(stack_plan("production"), tmp_path)
    assert "vault/policies/platform-admin.hcl" in written
    assert "vault/configuration.json" in written
    import json

    summary = json.loads((tmp_path / "vault" / "configuration.json").read_text())
    assert {m["path"] for m in summary["authMethods"]} == {"kubernetes", "jwt-github", "approle", "oidc"}
    assert {g["name"] for g in summary["groups"]} == {"platform-admins", "developers"}
    assert len(summary["roles"]) == 10
