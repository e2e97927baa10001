"""Vault's ACL semantics, case by case, written from Vault's documentation and source
(vault/policy.go, vault/acl.go and their tests)."""

from __future__ import annotations

import pytest

from vault_acl import ACL, ROOT_POLICY, PolicyParseError, parse_policy


def acl(*texts: str) -> ACL:
    return ACL(parse_policy(text, f"p{index}") for index, text in enumerate(texts))


def caps(*texts: str, path: str) -> list[str]:
    return acl(*texts).capabilities(path)


# -- parsing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "legacy, expected",
    [
        ("read", ["list", "read"]),
        ("write", ["create", "delete", "list", "read", "update"]),
        ("sudo", ["create", "delete", "list", "read", "sudo", "update"]),
        ("deny", ["deny"]),
    ],
)
def test_legacy_policy_shorthand(legacy, expected):
    assert caps(f'path "a" {{ policy = "{legacy}" }}', path="a") == expected


def test_legacy_shorthand_adds_to_explicit_capabilities():
    assert caps('path "a" {\n policy = "read"\n capabilities = ["update", "sudo"]\n}', path="a") == [
        "list", "read", "sudo", "update"]


def test_every_capability_parses_including_patch_subscribe_recover():
    text = 'path "a" { capabilities = ["create","read","update","patch","delete","list","sudo","subscribe","recover"] }'
    assert caps(text, path="a") == ["create", "delete", "list", "patch", "read", "recover", "subscribe",
                                    "sudo", "update"]


def test_deny_ends_the_capability_list():
    assert caps('path "a" { capabilities = ["read", "deny", "banana"] }', path="a") == ["deny"]
    with pytest.raises(PolicyParseError, match='invalid capability "banana"'):
        parse_policy('path "a" { capabilities = ["banana", "deny"] }')


@pytest.mark.parametrize(
    "text, message, line",
    [
        ('path "a" {\n  capabilities = ["root"]\n}', 'path "a": invalid capability "root"', 2),
        ('path "a" {\n  capabilites = ["read"]\n}', 'path "a": 1 error occurred: invalid key "capabilites" on line 2',
         2),
        ('name = "x"\nfoo = 1\n', 'invalid key "foo"', 2),
        ('path "a/+*" { capabilities = ["read"] }', "invalid use of wildcards ('+*' is forbidden)", 1),
        ('path "a" {\n policy = "admin"\n}', 'path "a": invalid policy "admin"', 2),
        ('path "a" {\n capabilities = ["read"]\n min_wrapping_ttl = "2h"\n max_wrapping_ttl = "1h"\n}',
         "max_wrapping_ttl cannot be less than min_wrapping_ttl", 1),
        ('path "a" {\n capabilities = ["read"]\n max_wrapping_ttl = "soon"\n}',
         "error parsing max_wrapping_ttl", 3),
        ('path "a" {\n capabilities = ["read"\n}', "At 3:1: error parsing list, expected comma or list end, got: "
         "RBRACE", 3),
        ('path "a" { capabilities = [read] }', "At 1:28: unexpected token while parsing list: IDENT", 1),
    ],
    ids=["root-capability", "misspelt-key", "top-level-key", "plus-star", "legacy-unknown", "ttl-order",
         "ttl-unparsable", "syntax", "unquoted"],
)
def test_parse_errors_name_the_problem_and_line(text, message, line):
    with pytest.raises(PolicyParseError) as caught:
        parse_policy(text, "bad")
    assert message in str(caught.value)
    assert caught.value.line == line
    assert isinstance(caught.value, ValueError)


def test_leading_slash_is_stripped_and_comments_ignored():
    text = '# a comment\npath "/secret/data/app" {\n  # why\n  capabilities = ["read"]\n}\n'
    assert acl(text).allowed("read", "secret/data/app").allowed


def test_json_policies_parse():
    text = '{"path": {"secret/*": {"capabilities": ["read"]}, "sys/health": {"policy": "read"}}}'
    policy = parse_policy(text)
    assert ACL([policy]).capabilities("secret/x") == ["read"]
    assert ACL([policy]).capabilities("sys/health") == ["list", "read"]


@pytest.mark.parametrize("value, seconds", [('"1h"', 3600), ("300", 300), ('"300"', 300), ('"1h30m"', 5400),
                                            ('"7d"', 604800)])
def test_wrapping_ttls_accept_seconds_and_durations(value, seconds):
    (rule,) = parse_policy(f'path "a" {{\n capabilities = ["read"]\n min_wrapping_ttl = {value}\n}}').rules
    assert rule.min_wrapping_ttl == seconds


def test_rule_kinds():
    rules = parse_policy('path "a" { policy = "read" }\npath "b/*" { policy = "read" }\n'
                         'path "c/+/d" { policy = "read" }\npath "+" { policy = "read" }').rules
    assert [r.kind for r in rules] == ["exact", "prefix", "segment", "segment"]
    assert [r.line for r in rules] == [1, 2, 3, 4]


# -- lookups and priority ------------------------------------------------------------------


def test_exact_match_beats_every_wildcard():
    a = acl('path "secret/*" { capabilities = ["deny"] }\npath "secret/app" { capabilities = ["read"] }')
    assert a.allowed("read", "secret/app").allowed
    assert not a.allowed("read", "secret/other").allowed


def test_longest_prefix_wins():
    a = acl('path "secret/*" { capabilities = ["read"] }\npath "secret/private/*" { capabilities = ["deny"] }')
    assert a.allowed("read", "secret/public").allowed
    assert not a.allowed("read", "secret/private/x").allowed


@pytest.mark.parametrize(
    "winner, loser, path",
    [
        ('foo/bar/+/baz', 'foo/bar/+/baz*', "foo/bar/x/baz"),  # prefix ranks lower
        ('foo/+/bar', 'foo/*', "foo/x/bar"),  # same first wildcard; a prefix rule ranks lower
        ('foo/bar/*', 'foo/+/baz', "foo/bar/baz"),  # a later first wildcard wins
        ('foo/+/+', '+/+/baz', "foo/x/baz"),
        ('foo/+/bar/+', 'foo/+/+/baz', "foo/x/bar/baz"),  # same shape: lexicographically greater wins
        ('foo/+/bar/baz', 'foo/+/+/baz', "foo/x/bar/baz"),  # fewer wildcards win
        ('foo/+/barbaz*', 'foo/+/bar*', "foo/x/barbazz"),  # longer wins
    ],
)
def test_segment_wildcard_priority(winner, loser, path):
    for order in ((winner, loser), (loser, winner)):
        texts = [f'path "{p}" {{ capabilities = ["{"read" if p == winner else "deny"}"] }}' for p in order]
        assert acl(*texts).allowed("read", path).allowed, order


def test_plus_matches_exactly_one_segment_including_an_empty_one():
    a = acl('path "secret/+/config" { capabilities = ["read"] }')
    assert a.allowed("read", "secret/app/config").allowed
    assert a.capabilities("secret//config") == ["read"]  # as sys/capabilities answers: the ACL itself
    # a request never reaches the ACL so: Vault refuses the path, OpenBao redirects to secret/config
    assert "non-canonical" in a.allowed("read", "secret//config").reason
    assert not ACL([parse_policy('path "secret/+/config" { capabilities = ["read"] }')], dialect="openbao-2.7").allowed(
        "read", "secret//config").allowed
    assert not a.allowed("read", "secret/a/b/config").allowed
    assert not a.allowed("read", "secret/app/config/x").allowed


def test_plus_with_trailing_star_is_a_prefix_on_the_last_segment():
    a = acl('path "secret/+/conf*" { capabilities = ["read"] }')
    assert a.allowed("read", "secret/app/config").allowed
    assert a.allowed("read", "secret/app/conf/deeper").allowed
    assert not a.allowed("read", "secret/app/other").allowed


def test_list_on_a_trailing_slash_uses_the_exact_path_without_it():
    a = acl('path "sys/policies/acl" { capabilities = ["list"] }')
    assert a.allowed("list", "sys/policies/acl/").allowed
    assert not a.allowed("read", "sys/policies/acl/").allowed


def test_list_with_wildcard_rules_that_lack_the_trailing_slash():
    """hashicorp/vault PR #23874: `+/sys/policies/acl` grants LIST on `ns/sys/policies/acl/`."""
    a = acl('path "+/sys/policies/acl" { capabilities = ["list"] }')
    assert a.allowed("list", "ns1/sys/policies/acl/").allowed


def test_list_matches_the_path_without_its_slash_first_as_vault_1_21_does():
    # kv/metadata/private (no slash) is matched by kv/metadata/* first: the list grant
    # applies — Vault 1.21's behaviour (a known gap, closed in later upstream code)
    a = acl('path "kv/metadata/*" { capabilities = ["list"] }\n'
            'path "kv/metadata/private/*" { capabilities = ["deny"] }')
    assert a.allowed("list", "kv/metadata/").allowed
    assert a.allowed("list", "kv/metadata/private/").allowed
    assert not a.allowed("list", "kv/metadata/private/x/").allowed
    # and a deny on the slash-less prefix wins over a grant on the path with the slash
    b = acl('path "secret/foo*" { capabilities = ["deny"] }\npath "secret/foo/*" { capabilities = ["list"] }')
    assert not b.allowed("list", "secret/foo/").allowed


# -- merging -------------------------------------------------------------------------------


def test_same_path_in_two_policies_unions_capabilities_and_names_both():
    a = acl('path "a" { capabilities = ["read"] }', 'path "a" { capabilities = ["update", "read"] }')
    assert a.capabilities("a") == ["read", "update"]
    assert a.allowed("read", "a").granting_policies == ["p0", "p1"]
    assert a.allowed("update", "a").granting_policies == ["p1"]  # per capability, as Vault reports


@pytest.mark.parametrize("order", [0, 1])
def test_deny_wins_whatever_the_order(order):
    texts = ['path "a" { capabilities = ["read", "sudo"] }', 'path "a" { capabilities = ["deny"] }']
    a = acl(*(texts if order == 0 else texts[::-1]))
    assert a.capabilities("a") == ["deny"]
    assert not a.allowed("read", "a").allowed


def test_duplicate_blocks_in_one_policy_merge():
    assert caps('path "a" { capabilities = ["read"] }\npath "a" { capabilities = ["list"] }', path="a") == [
        "list", "read"]


def test_wrapping_ttl_bounds_merge_to_the_smaller_value():
    a = acl('path "a" {\n capabilities = ["read"]\n min_wrapping_ttl = 100\n max_wrapping_ttl = 1000\n}',
            'path "a" {\n capabilities = ["read"]\n min_wrapping_ttl = 50\n max_wrapping_ttl = 500\n}')
    (rule,) = a.rules()
    assert (rule.min_wrapping_ttl, rule.max_wrapping_ttl) == (50, 500)


def test_allowed_parameter_lists_concatenate_and_an_empty_list_widens():
    a = acl('path "a" {\n capabilities = ["update"]\n allowed_parameters = { "x" = ["1"], "y" = ["a"] }\n}',
            'path "a" {\n capabilities = ["update"]\n allowed_parameters = { "x" = ["2"], "y" = [] }\n}')
    (rule,) = a.rules()
    assert rule.allowed_parameters == {"x": ["2", "1"], "y": []}
    assert a.allowed("update", "a", {"x": "2", "y": "anything"}).allowed
    assert not a.allowed("update", "a", {"x": "3"}).allowed


# -- parameters ------------------------------------------------------------------------------

PARAMS = '''
path "auth/token/create" {
  capabilities = ["create", "update", "list"]
  allowed_parameters = {
    "policies" = ["web-*", "db"]
    "ttl" = []
    "meta" = ["*-team"]
  }
  denied_parameters = { "no_parent" = [] }
}
path "secret/data/app" {
  capabilities = ["create", "update"]
  required_parameters = ["owner"]
  allowed_parameters = { "*" = [] }
  denied_parameters = { "admin" = ["true"] }
}
'''


@pytest.mark.parametrize(
    "path, data, allowed",
    [
        ("auth/token/create", {"policies": "db"}, True),
        ("auth/token/create", {"policies": "web-frontend"}, True),  # suffix glob
        ("auth/token/create", {"meta": "platform-team"}, True),  # prefix glob
        ("auth/token/create", {"policies": "admin"}, False),
        ("auth/token/create", {"policies": ["web-a", "db"]}, True),  # every element allowed
        ("auth/token/create", {"policies": ["web-a", "root"]}, False),
        ("auth/token/create", {"policies": "web-a, db"}, True),  # comma-separated, element by element
        ("auth/token/create", {"policies": "db,root"}, False),
        # Vault matches the whole value first: "web-a,root" starts with "web-" (a trailing
        # glob lets a comma list through: what the `glob-value-admits-lists` lint flags)
        ("auth/token/create", {"policies": "web-a,root"}, True),
        ("auth/token/create", {"ttl": "768h"}, True),  # empty list: any value
        ("auth/token/create", {"period": "1h"}, False),  # not listed and no "*"
        ("auth/token/create", {"no_parent": False}, False),  # denied with any value
        ("auth/token/create", {"POLICIES": "db"}, True),  # names are case-insensitive
        ("auth/token/create", {"policies": "DB"}, False),  # values are not
        ("auth/token/create", {"policies": "db,"}, False),  # an empty comma piece is a value too
        ("auth/token/create", {}, True),
        ("secret/data/app", {"owner": "x", "anything": 1}, True),
        ("secret/data/app", {"anything": 1}, False),  # required missing
        ("secret/data/app", {"owner": "x", "admin": "true"}, False),  # denied beats allowed "*"
        ("secret/data/app", {"owner": "x", "admin": "false"}, True),
    ],
)
def test_parameters(path, data, allowed):
    assert acl(PARAMS).allowed("update", path, data).allowed is allowed


def test_parameters_are_not_checked_for_list_or_delete():
    a = acl('path "a" {\n capabilities = ["list", "delete"]\n required_parameters = ["x"]\n}')
    assert a.allowed("list", "a").allowed and a.allowed("delete", "a").allowed


def test_denied_star_denies_any_data():
    a = acl('path "a" {\n capabilities = ["update"]\n denied_parameters = { "*" = [] }\n}')
    assert a.allowed("update", "a", {}).allowed
    assert not a.allowed("update", "a", {"x": 1}).allowed


# -- wrapping TTLs -------------------------------------------------------------------------


@pytest.mark.parametrize("ttl, allowed", [(None, False), (59, False), (60, True), (300, True), (301, False)])
def test_wrapping_ttl_bounds(ttl, allowed):
    a = acl('path "a" {\n capabilities = ["read"]\n min_wrapping_ttl = "1m"\n max_wrapping_ttl = "5m"\n}')
    assert a.allowed("read", "a", wrapping_ttl=ttl).allowed is allowed


def test_max_wrapping_ttl_alone_makes_wrapping_mandatory():
    a = acl('path "a" {\n capabilities = ["read"]\n max_wrapping_ttl = 300\n}')
    assert not a.allowed("read", "a").allowed
    assert a.allowed("read", "a", wrapping_ttl=10).allowed


# -- root, sudo, operations, capabilities ---------------------------------------------------


def test_root_policy_allows_everything_with_root_privileges():
    a = ACL([ROOT_POLICY])
    decision = a.allowed("delete", "sys/audit/file")
    assert decision.allowed and decision.root_privs and decision.granting_policies == ["root"]
    assert a.capabilities("anything") == ["root"]
    assert ACL([parse_policy("", "root")]).root


def test_root_with_other_policies_is_refused():
    with pytest.raises(ValueError, match="other policies present along with root"):
        ACL([ROOT_POLICY, parse_policy('path "a" { policy = "read" }', "x")])


def test_sudo_gives_root_privileges():
    decision = acl('path "sys/rotate" { capabilities = ["update", "sudo"] }').allowed("update", "sys/rotate")
    assert decision.allowed and decision.root_privs


@pytest.mark.parametrize(
    "operation, allowed", [("revoke", True), ("renew", True), ("rollback", True), ("read", False),
                           ("help", True), ("alias-lookahead", False), ("resolve-role", False)]
)
def test_operations_map_to_capabilities(operation, allowed):
    assert acl('path "a" { capabilities = ["update"] }').allowed(operation, "a").allowed is allowed


def test_help_is_allowed_without_any_policy():
    assert ACL([]).allowed("help", "anything").allowed


def test_an_operation_vault_does_not_map_is_denied():
    decision = acl('path "a" { capabilities = ["create", "read", "update", "delete", "list", "sudo"] }').allowed(
        "write", "a")
    assert not decision.allowed and "lacks write" in decision.reason


def test_capabilities_sorted_deny_when_nothing():
    a = acl('path "a" { capabilities = ["update", "create", "read"] }')
    assert a.capabilities("a") == ["create", "read", "update"]
    assert a.capabilities("b") == ["deny"]
    assert ACL([]).capabilities("a") == ["deny"]


def test_templated_paths_are_left_out_without_an_entity():
    a = acl('path "secret/data/{{identity.entity.id}}/*" { capabilities = ["read"] }')
    assert a.capabilities("secret/data/{{identity.entity.id}}/x") == ["deny"]
