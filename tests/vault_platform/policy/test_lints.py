"""Lints proven on deliberately bad policies, and silent on the shipped ones."""

from __future__ import annotations

import pytest

from vault_acl import parse_policy
from vault_platform.policy.lints import lint_identities, lint_policy
from vault_platform.policy.report import lint_files, lint_stack


def ids(text: str, name: str = "team") -> list[tuple[str, int]]:
    return [(lint.id, lint.line) for lint in lint_policy(parse_policy(text, name), f"policies/{name}.hcl")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ('path "sys/policies/acl/*" {\n  capabilities = ["update"]\n}', ("VP003", 1)),
        ('path "sys/*" {\n  capabilities = ["create", "sudo"]\n}', ("VP003", 1)),
        ('path "sys/audit/file" {\n  capabilities = ["delete"]\n}', ("VP003", 1)),
        ('path "*" {\n  capabilities = ["read"]\n}', ("VP002", 1)),
        ('path "auth/token/create" {\n  capabilities = ["update", "sudo"]\n}', ("VP003", 1)),
        ('path "identity/group/*" {\n  capabilities = ["update"]\n}', ("VP003", 1)),
        ('path "auth/+/role/*" {\n  capabilities = ["create"]\n}', ("VP003", 1)),
        ('# comment\npath "secret/*/config" {\n  capabilities = ["read"]\n}', ("VP006", 2)),
        ('path "secret/+app/x" {\n  capabilities = ["read"]\n}', ("VP006", 1)),
        ('path "secret/data/app/*" {\n  capabilities = ["list"]\n}', ("VP007", 1)),
        ('path "a" {\n  capabilities = ["read"]\n}\npath "a" {\n  capabilities = ["deny"]\n}', ("VP004", 1)),
        ('path "auth/token/create" {\n  capabilities = ["update"]\n  allowed_parameters = { "policies" = ["web-*"] }\n}',
         ("VP008", 1)),
    ],
    ids=["write-policies", "sudo-write-under-sys", "delete-audit", "path-star", "sudo-token-create", "identity-groups",
         "auth-roles", "star-in-middle", "plus-in-segment", "list-on-kv2-data", "dead-by-deny", "glob-admits-lists"],
)
def test_each_lint_catches_its_bad_policy(text, expected):
    found = ids(text)
    assert expected in found, found


@pytest.mark.parametrize("text", [
    'path "auth/token/create" {\n  capabilities = ["update"]\n}',  # a child carries a subset of its parent's policies
    'path "sys/audit" {\n  capabilities = ["read", "sudo"]\n}',  # listing audit devices
    'path "sys/auth/*" {\n  capabilities = ["read", "sudo"]\n}',  # sudo without a write
    'path "sys/leases/lookup/*" {\n  capabilities = ["list", "sudo"]\n}',
    'path "auth/kubernetes/role/*" {\n  capabilities = ["read", "list"]\n}',
], ids=["token-create", "list-audit", "sudo-read-auth", "lease-lookup", "read-roles"])
def test_what_changes_nobody_s_power_is_not_privileged(text):
    assert ids(text) == []


def test_privilege_is_computed_not_declared():
    """A comment proves nothing either way: the grants decide."""
    text = 'path "sys/policies/acl/*" {\n  capabilities = ["update"]\n}'
    assert ("VP003", 2) in ids("# vault-platform: not privileged\n" + text, "platform-admin")
    assert ids('# vault-platform: privileged\npath "secret/data/app/*" { capabilities = ["read"] }', "x") == []
    (note,) = lint_policy(parse_policy(text, "x"), "policies/x.hcl")
    assert (note.severity, note.message) == ("note", 'privileged: write ACL policies: path "sys/policies/acl/*" '
                                             "(line 1) grants it on sys/policies/acl/example")


@pytest.mark.parametrize("path, capabilities, what", [
    ("sys/policies/acl/app-*", '"create", "update"', "write ACL policies"),
    ("auth/kubernetes/role/ingest*", '"update"', "write auth roles"),
    ("auth/kube*", '"create", "update"', "auth roles"),
    ("identity/group/name/team-*", '"update"', "change identity groups"),
])
def test_a_glob_inside_a_segment_is_judged_on_a_name_it_matches(path, capabilities, what):
    """`app-*` never matches the filler name `example`: the witness is built from the rule's
    own glob (`app-example`), so these policies are privileged as the server would let them be."""
    from vault_acl.privilege import privileges

    found = privileges(parse_policy(f'path "{path}" {{\n  capabilities = [{capabilities}]\n}}', "x"))
    assert any(what in reason.what for reason in found), [r.render() for r in found]


def test_userpass_users_are_an_escalation_path():
    assert ("VP003", 1) in ids('path "auth/userpass/users/*" {\n  capabilities = ["create", "update"]\n}')


def test_overlapping_rules_that_each_still_apply_are_not_dead():
    # each rule governs some path: the prefix keeps kv/x/config-other, "kv/+/*" keeps kv/other/...
    assert ids('path "kv/+/config" {\n  capabilities = ["read"]\n}\npath "kv/+/config*" {\n  capabilities = ["update"]\n}') == []
    assert ids('path "kv/app/*" {\n  capabilities = ["read"]\n}\npath "kv/+/*" {\n  capabilities = ["update"]\n}') == []


def test_a_prefix_rule_denied_in_another_block_is_dead():
    found = lint_policy(parse_policy('path "kv/app/*" {\n  capabilities = ["read"]\n}\n\npath "kv/app/*" {\n'
                                     '  capabilities = ["deny"]\n}', "team"), "policies/team.hcl")
    assert [(l.id, l.line) for l in found] == [("VP004", 1)]
    assert "the block at line 5 denies the same path" in found[0].message


def test_grant_and_deny_on_the_same_role_is_flagged():
    reader = parse_policy('path "secret/data/app/*" {\n  capabilities = ["read"]\n}', "reader")
    blocker = parse_policy('path "secret/data/app/*" {\n  capabilities = ["deny"]\n}', "blocker")
    found = lint_identities({"reader": reader, "blocker": blocker}, {}, {"role kubernetes/app": ["reader", "blocker"]})
    assert [(l.id, l.policy) for l in found] == [("VP005", "reader")]
    assert 'role kubernetes/app: "reader" grants read on "secret/data/app/*" but "blocker" denies it' in found[0].message


def test_lints_render_file_line_id_and_severity():
    (lint,) = lint_policy(parse_policy('\npath "*" {\n capabilities = ["read"]\n}', "team"), "policies/team.hcl")
    assert lint.render().startswith("policies/team.hcl:2: VP002 error: ")


def test_shipped_policies_are_clean_and_only_break_glass_and_the_cluster_operator_are_privileged(project):
    found = lint_files(project, "vault-2.0")
    assert {(l.policy, l.id, l.severity) for l in found} == {("break-glass", "VP003", "note"),
                                                            ("cluster-operator", "VP003", "note")}, found
    (operator,) = [l for l in found if l.policy == "cluster-operator"]
    assert 'hold sudo with a write capability under sys/: path "sys/step-down"' in operator.message


@pytest.mark.parametrize("stack", ["dev", "staging", "production"])
def test_shipped_stacks_are_clean(project, stack):
    found = lint_stack(project, stack)
    privileged = {("break-glass", "VP003"), ("vault-platform-deploy", "VP003")}
    if stack != "dev":  # dev, one node on file storage, leaves the cluster operator out
        privileged.add(("cluster-operator", "VP003"))
    assert {(l.policy, l.id) for l in found} == privileged, found
    assert all(l.severity == "note" for l in found)


def _stack_with(project, tmp_path, stack: str, edit) -> str:
    """A copy of the project whose stack file ``edit`` changed; returns the stack name."""
    import shutil

    import yaml

    copy = tmp_path / "project"
    shutil.copytree(project / "policies", copy / "policies")
    shutil.copy(project / "Pulumi.yaml", copy / "Pulumi.yaml")
    raw = yaml.safe_load((project / f"Pulumi.{stack}.yaml").read_text())
    edit(raw["config"]["vault-platform:vault"])
    (copy / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(raw))
    return copy


def test_a_stack_giving_privilege_to_a_workload_does_not_even_lint(project, tmp_path):
    """Who holds a privileged or an unattached policy is a rule of the configuration: the
    stack is refused where it is loaded, naming each key."""
    from components.config import ConfigError

    def edit(vault):
        ingest = next(r for r in vault["roles"] if r["name"] == "ingest")
        ingest["token_policies"] = [*ingest["token_policies"], "break-glass"]
        next(r for r in vault["roles"] if r["name"] == "pulumi-deploy")["administrative"] = False

    with pytest.raises(ConfigError) as refused:
        lint_stack(_stack_with(project, tmp_path, "staging", edit), "staging")
    shown = str(refused.value)
    assert "vault.roles[name=ingest].token_policies[1] = 'break-glass': is declared in vault.policies.unattached" in shown
    assert ("vault.roles[name=pulumi-deploy].token_policies[0] = 'vault-platform-deploy': `vault-platform-deploy` is privileged "
            "(change an auth method's configuration") in shown and "marked `administrative: true`" in shown


def test_a_policy_held_by_nobody_is_a_warning_unless_declared_unattached(project, tmp_path):
    def edit(vault):
        vault["policies"]["unattached"] = ["break-glass", "cluster-operator"]

    found = lint_stack(_stack_with(project, tmp_path, "staging", edit), "staging")
    assert [(l.id, l.policy, l.severity) for l in found if l.id == "VP010"] == [("VP010", "metrics-reader", "warning")]
    (unused,) = [l for l in found if l.id == "VP010"]
    assert "held by no role or group in stack staging" in unused.message


def test_a_policy_scoped_to_one_stack_is_loaded_there_only(project, tmp_path):
    """policies/stacks/<stack>/ holds what one stack alone loads: no other stack has to
    exclude it, and one that names it is told where it lives."""
    from components import config as schema
    from components.config.inputs import policy_files

    def edit(vault):
        next(r for r in vault["roles"] if r["name"] == "ingest")["token_policies"].append("staging-canary")

    copy = _stack_with(project, tmp_path, "staging", edit)
    scoped = copy / "policies" / "stacks" / "staging"
    scoped.mkdir(parents=True)
    (scoped / "staging-canary.hcl").write_text('path "secret/data/staging/canary" {\n  capabilities = ["read"]\n}\n')
    config = schema.load_stack_file(copy / "Pulumi.staging.yaml", policy_dir=copy / "policies")
    assert not [l for l in lint_stack(copy, "staging") if l.id == "VP010"]  # loaded, and held by ingest
    names, _ = policy_files.select(config.vault.policies.include, config.vault.policies.exclude, copy / "policies",
                                   "staging")
    assert "staging-canary" in names
    assert "staging-canary" not in policy_files.select(("*",), (), copy / "policies", "production")[0]

    production = schema.read_stack_file(project / "Pulumi.production.yaml")
    next(r for r in production["vault-platform:vault"]["roles"] if r["name"] == "ingest")["token_policies"].append(
        "staging-canary")
    with pytest.raises(schema.ConfigError) as refused:
        schema.load(production, "Pulumi.production.yaml", "production", policy_dir=copy / "policies")
    assert ("vault.roles[name=ingest].token_policies[1] = 'staging-canary': names a policy only stack staging "
            "loads (policies/stacks/staging/staging-canary.hcl)") in str(refused.value)

    (copy / "policies" / "stacks" / "staging" / "break-glass.hcl").write_text('path "a" { capabilities = ["read"] }')
    with pytest.raises(schema.ConfigError, match=r"policies/stacks/staging/break-glass.hcl: `break-glass` is also "
                                                 r"policies/break-glass.hcl: rename one of them"):
        schema.load_stack_file(copy / "Pulumi.staging.yaml", policy_dir=copy / "policies")


def test_the_lint_command_counts_errors_warnings_and_notes_apart(project, capsys):
    from vault_platform.cli import main
    from vault_platform.policy.report import lint_stack

    lints = lint_stack(project, "production")
    notes = sum(lint.severity == "note" for lint in lints)
    assert notes and not any(lint.severity in ("error", "warning") for lint in lints)
    assert main(["policy", "lint", "--stack", "production"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"policy lint: 0 errors, 0 warnings, {notes} notes"
