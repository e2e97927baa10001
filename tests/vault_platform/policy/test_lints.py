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
        ('path "sys/policies/acl/*" {\n  capabilities = ["update"]\n}', ("VP001", 1)),
        ('path "sys/auth/*" {\n  capabilities = ["read", "sudo"]\n}', ("VP001", 1)),
        ('path "sys/*" {\n  capabilities = ["create"]\n}', ("VP001", 1)),
        ('path "sys/audit/file" {\n  capabilities = ["delete"]\n}', ("VP001", 1)),
        ('path "*" {\n  capabilities = ["read"]\n}', ("VP002", 1)),
        ('path "auth/token/create" {\n  capabilities = ["update"]\n}', ("VP003", 1)),
        ('path "identity/group/*" {\n  capabilities = ["update"]\n}', ("VP003", 1)),
        ('path "auth/+/role/*" {\n  capabilities = ["create"]\n}', ("VP003", 1)),
        ('# comment\npath "secret/*/config" {\n  capabilities = ["read"]\n}', ("VP006", 2)),
        ('path "secret/+app/x" {\n  capabilities = ["read"]\n}', ("VP006", 1)),
        ('path "secret/data/app/*" {\n  capabilities = ["list"]\n}', ("VP007", 1)),
        ('path "a" {\n  capabilities = ["read"]\n}\npath "a" {\n  capabilities = ["deny"]\n}', ("VP004", 1)),
        ('path "auth/token/create" {\n  capabilities = ["update"]\n  allowed_parameters = { "policies" = ["web-*"] }\n}',
         ("VP008", 1)),
    ],
    ids=["write-policies", "sudo-auth", "sys-glob", "delete-audit", "path-star", "token-create", "identity-groups",
         "auth-roles", "star-in-middle", "plus-in-segment", "list-on-kv2-data", "dead-by-deny", "glob-admits-lists"],
)
def test_each_lint_catches_its_bad_policy(text, expected):
    found = ids(text)
    assert expected in found, found


def test_token_creation_restricted_to_named_policies_is_not_an_escalation():
    text = 'path "auth/token/create" {\n  capabilities = ["update"]\n  allowed_parameters = { "policies" = ["web"] }\n}'
    assert ids(text) == []


def test_privileged_policies_may_govern_vault():
    text = 'path "sys/policies/acl/*" {\n  capabilities = ["update"]\n}\npath "auth/token/create" { capabilities = ["update"] }'
    assert ("VP001", 1) in ids(text, "platform-admin")  # a name proves nothing
    assert ids("# vault-platform: privileged\n" + text, "platform-admin") == []
    assert ids('# vault-platform: privileged\npath "*" { capabilities = ["read", "sudo"] }', "break-glass") == []


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


def test_shipped_policies_are_clean(project):
    assert lint_files(project, "vault-2.0") == []


@pytest.mark.parametrize("stack", ["dev", "staging", "production"])
def test_shipped_stacks_are_clean(project, stack):
    assert lint_stack(project, stack) == []
