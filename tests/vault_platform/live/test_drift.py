"""Drift's own logic, offline: the declared side built from every stack's plan, the normal
forms, the comparison and the stack's exceptions on a server state given as data, the
three renderings, and the command's refusals. What drift finds on a real server is proven
in the live tier (tests/live/test_drift.py, tests/live/test_stacks.py)."""

from __future__ import annotations

import json

import pytest

from components import config as schema
from tests.conftest import EXAMPLE_STACKS, STACKS, stack_raw, with_values
from vault_platform.cli import main
from vault_platform.live.drift import IgnoreRule, render_json, render_markdown, render_table
from vault_platform.live.drift import normalise as n
from vault_platform.live.drift.compare import compare
from vault_platform.live.drift.declared import NOT_COMPARED, UnknownResource, declared_objects
from vault_platform.live.drift.reading import LiveState, Target, identify


@pytest.mark.parametrize("stack", [*STACKS, *EXAMPLE_STACKS])
def test_drift_knows_every_vault_resource_each_stack_declares(stack, stack_plan):
    registrations = [r.as_json() for r in stack_plan(stack).resources()]
    objects = declared_objects(registrations)
    compared = {r["type"] for r in registrations if r["type"].startswith("vault:")} - set(NOT_COMPARED)
    assert all(o.expected or o.object == "namespace" for o in objects)
    assert len({(o.namespace, o.path) for o in objects}) == len(objects), "one declared object per path"
    if compared:
        assert objects


def test_an_unknown_resource_type_is_refused_not_skipped():
    with pytest.raises(UnknownResource, match="vault:index/newThing:NewThing"):
        declared_objects([{"type": "vault:index/newThing:NewThing", "name": "x", "urn": "u", "inputs": {}}])


@pytest.mark.parametrize("value, expected", [
    (3600, 3600), ("3600", 3600), ("1h", 3600), ("72h0m0s", 259200), ("30d", 2592000), ("", 0), (None, 0),
    ("1h30m", 5400)])
def test_durations_have_one_normal_form(value, expected):
    assert n.seconds(value) == expected


def test_lists_claims_and_flags_have_one_normal_form():
    assert n.names([""]) == n.names(None) == n.names("") == []
    assert n.names("b, a,a") == n.names(["a", "b"]) == ["a", "b"]
    assert n.claims({"repository": "org/a,org/b", "ref": ["refs/heads/main"]}) == {
        "repository": ["org/a", "org/b"], "ref": ["refs/heads/main"]}
    assert (n.flag("true"), n.flag("false"), n.flag(None), n.flag(True)) == (True, False, False, True)
    assert n.with_default(n.plain, "hidden")("") == "hidden"
    assert n.document('{"b": 1, "a": [2]}') == n.document({"a": [2], "b": 1})
    assert n.text("path \"x\" {  \n}\n\n") == 'path "x" {\n}'


def test_the_server_is_identified_by_its_seal_status():
    assert identify({"version": "2.7.2", "commit_date": "2026-10-26"}) == Target("openbao", "2.7.2")
    assert identify({"version": "2.0.0", "build_date": "2026-01-01"}) == Target("vault", "2.0.0")
    unknown = identify(None)
    assert "default-ceiling" in unknown.built_ins["policies"] and "agent-registry" in unknown.built_ins["mounts"]
    assert "default-ceiling" not in identify({"commit_date": "x"}).built_ins["policies"]


ROLE = {"type": "vault:kubernetes/authBackendRole:AuthBackendRole", "name": "vault-config-role-kubernetes-ingest",
        "urn": "urn:ingest", "inputs": {"backend": "kubernetes", "roleName": "ingest", "tokenPolicies": ["ingest"],
                                        "tokenTtl": 3600, "boundServiceAccountNames": ["ingest"],
                                        "boundServiceAccountNamespaces": ["apps"]}}


def _state(role_values: dict, extra: dict | None = None) -> LiveState:
    state = LiveState(Target("openbao"), namespaces=[None], reads=3)
    state.found[(None, "auth/kubernetes/role/ingest")] = "auth role"
    state.values[(None, "auth/kubernetes/role/ingest")] = role_values
    for key, (what, values) in (extra or {}).items():
        state.found[(None, key)] = what
        state.values[(None, key)] = values
    return state


LIVE_ROLE = {"token_policies": ["ingest"], "token_ttl": 3600, "token_max_ttl": 0, "token_type": "default",
             "bound_service_account_names": ["ingest"], "bound_service_account_namespaces": ["apps"],
             "alias_name_source": "serviceaccount_uid", "token_bound_cidrs": [], "token_no_default_policy": False}


def test_a_role_as_declared_has_no_finding_and_server_defaults_count_as_declared():
    report = compare(declared_objects([ROLE]), _state(LIVE_ROLE), [], "dev")
    assert report.findings == [] and not report.drift


def test_each_changed_attribute_is_one_finding_with_both_values_and_its_severity():
    live = {**LIVE_ROLE, "token_policies": ["ingest", "platform-admin"], "token_ttl": "2h"}
    findings = compare(declared_objects([ROLE]), _state(live), [], "dev").findings
    assert [(f.kind, f.attribute, f.live, f.declared, f.severity) for f in findings] == [
        ("changed", "token_policies", ["ingest", "platform-admin"], ["ingest"], "privilege"),
        ("changed", "token_ttl", 7200, 3600, "privilege")]


def test_unmanaged_objects_show_what_they_grant_and_entities_only_with_policies():
    extra = {"auth/kubernetes/role/debug": ("auth role", {"token_policies": ["platform-admin"]}),
             "identity/entity/id/e1": ("identity entity", {"policies": []}),
             "identity/entity/id/e2": ("identity entity", {"policies": ["break-glass"]}),
             "identity/group/name/empty": ("identity group", {"policies": []})}
    findings = compare(declared_objects([ROLE]), _state(LIVE_ROLE, extra), [], "dev").findings
    assert [(f.kind, f.path, f.live, f.severity) for f in findings] == [
        ("unmanaged", "auth/kubernetes/role/debug", {"token_policies": ["platform-admin"]}, "privilege"),
        ("unmanaged", "identity/entity/id/e2", {"policies": ["break-glass"]}, "privilege"),
        ("unmanaged", "identity/group/name/empty", None, "setting")]


def test_a_missing_object_is_reported_and_secrets_are_listed_as_not_compared():
    connection = {"type": "vault:database/secretBackendConnection:SecretBackendConnection", "name": "conn",
                  "urn": "urn:conn", "inputs": {"backend": "database", "name": "analytics",
                                                "postgresql": {"connectionUrl": "postgresql://x", "password": "[secret]"}}}
    report = compare(declared_objects([ROLE, connection]), _state(LIVE_ROLE), [], "dev")
    assert [(f.kind, f.object, f.path, f.severity) for f in report.findings] == [
        ("missing", "database connection", "database/config/analytics", "privilege")]
    present = {"database/config/analytics": ("database connection", {
        "connection_url": "postgresql://x", "plugin_name": "", "max_open_connections": 4})}
    report = compare(declared_objects([ROLE, connection]), _state(LIVE_ROLE, present), [], "dev")
    assert report.findings == [] and report.not_compared == [(None, "database/config/analytics", "password")]


def test_exceptions_hide_exactly_what_they_name_and_unused_ones_are_reported():
    live = {**LIVE_ROLE, "token_ttl": 7200, "token_policies": ["ingest", "extra"]}
    extra = {"auth/kubernetes/role/debug": ("auth role", {"token_policies": ["x"]})}
    rules = [IgnoreRule("auth/kubernetes/role/ingest", "TTL raised during the incident", attribute="token_ttl"),
             IgnoreRule("auth/kubernetes/role/deb*", "a debugging role, removed on Friday"),
             IgnoreRule("sys/mounts/legacy", "nothing matches this one")]
    report = compare(declared_objects([ROLE]), _state(live, extra), rules, "dev")
    assert [(f.attribute, f.path) for f in report.findings] == [("token_policies", "auth/kubernetes/role/ingest")]
    assert sorted((i.finding.path, i.reason) for i in report.ignored) == [
        ("auth/kubernetes/role/debug", "a debugging role, removed on Friday"),
        ("auth/kubernetes/role/ingest", "TTL raised during the incident")]
    assert report.unused_exceptions == ["sys/mounts/legacy"]
    assert IgnoreRule("auth/kubernetes/role/ingest", "r", namespace="team-a").matches(report.findings[0]) is False


def test_the_three_renderings_carry_every_field():
    live = {**LIVE_ROLE, "token_policies": ["ingest", "platform|admin"]}
    report = compare(declared_objects([ROLE]), _state(live), [IgnoreRule("x/*", "why")], "production",
                     "https://vault.example:8200")
    table, markdown, data = render_table(report), render_markdown(report), json.loads(render_json(report))
    assert table.startswith("drift in stack production: 1 finding(s), 1 of them privilege")
    assert 'changed    privilege  auth role             auth/kubernetes/role/ingest  token_policies: ' \
           '["ingest", "platform|admin"] (declared ["ingest"])' in table
    assert "exceptions that matched nothing: x/*" in table
    assert "| privilege | changed | auth role | `auth/kubernetes/role/ingest` | token_policies | " \
           '["ingest", "platform\\|admin"] | ["ingest"] |' in markdown
    assert data["findings"] == [{"kind": "changed", "object": "auth role", "path": "auth/kubernetes/role/ingest",
                                 "namespace": None, "severity": "privilege", "attribute": "token_policies",
                                 "live": ["ingest", "platform|admin"], "declared": ["ingest"]}]
    assert (data["drift"], data["counts"], data["target"]) == (True, {"privilege": 1, "setting": 0}, "openbao")
    clean = compare(declared_objects([ROLE]), _state(LIVE_ROLE), [], "production")
    assert render_markdown(clean).startswith("### Drift: none in `production`")


@pytest.mark.parametrize("edit, message", [
    ({"vault.drift": {"ignore": [{"path": "sys/mounts/legacy", "reason": "  "}]}},
     "vault.drift.ignore[path=sys/mounts/legacy].reason = '  ': say why the difference is deliberate"),
    ({"vault.drift": {"ignore": [{"path": "*", "reason": "quiet"}]}},
     "vault.drift.ignore[path=*].path = '*': would hide every finding"),
    ({"vault.drift": {"ignore": [{"path": "sys/mounts/legacy"}]}}, "vault.drift.ignore[path=sys/mounts/legacy].reason"),
    ({"vault.drift": {"ignore": [{"path": "x", "reason": "r", "namespace": "team-z"}]}},
     "namespace `team-z` is not declared"),
])
def test_bad_exceptions_are_refused_before_anything_runs(edit, message):
    with pytest.raises(schema.ConfigError, match="Pulumi.production.yaml") as caught:
        schema.load(with_values(stack_raw("production"), **edit), "Pulumi.production.yaml", "production")
    assert message in str(caught.value)


def test_the_command_refuses_a_bad_plan_directory_and_a_bad_concurrency(tmp_path, capsys):
    assert main(["drift", "--stack", "production", "--plan", str(tmp_path), "--address", "http://127.0.0.1:9"]) == 2
    assert "--plan" in capsys.readouterr().err
    (tmp_path / "resources.json").write_text('{"not": "a plan"}', encoding="utf-8")
    assert main(["drift", "--stack", "production", "--plan", str(tmp_path), "--address", "http://127.0.0.1:9"]) == 2
    assert "resources.json: not a resources.json written by `vault-platform plan`" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        main(["drift", "--stack", "production", "--concurrency", "0"])
    assert caught.value.code == 2 and "from 1 to 32" in capsys.readouterr().err


def test_an_unreachable_vault_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.setenv("VAULT_TOKEN", "s.test")
    assert main(["drift", "--stack", "production", "--address", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert "cannot reach Vault at http://127.0.0.1:9" in err and "Traceback" not in err
