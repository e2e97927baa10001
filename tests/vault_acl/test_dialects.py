"""The three dialects where the servers differ, and HCL1 as both servers read it. Each
expectation was observed on OpenBao 2.7.2 or on the hcl v1 parser both servers use (see
vault_acl/dialects.py for the code each follows); the OpenBao ones are also asked of the
real server in tests/live/test_policy_corpus.py."""

from __future__ import annotations

import pytest

from vault_acl import ACL, DIALECTS, PolicyParseError, parse_policy

ALL = sorted(DIALECTS)


def acl(text: str, dialect: str) -> ACL:
    return ACL([parse_policy(text, "p", dialect=dialect)], dialect=dialect)


# --------------------------------------------------------------------------- HCL1 on every dialect

ACCEPTED = {
    "brace-on-the-next-line": ('path "secret/*"\n{\n  capabilities = ["read"]\n}', "secret/x", ["read"]),
    "interpolation-kept-literally": ('path "m/${x}" { capabilities = ["read"] }', "m/${x}", ["read"]),
    "allowed-parameters-as-a-block": (
        'path "a" {\n  capabilities = ["update"]\n  allowed_parameters { "foo" = ["a"] }\n}', "a", ["update"]),
    "leading-and-trailing-commas": ('path "a" { capabilities = [, "read", "list",] }', "a", ["list", "read"]),
    "comma-separated-blocks": ('path "a" { capabilities = ["read"] }, path "b" { capabilities = ["list"] },',
                               "b", ["list"]),
    "three-comment-styles": ('# one\n// two\n/* three\n */ path "a" { capabilities = ["read"] }', "a", ["read"]),
    "unlabelled-path-block": ('path { capabilities = ["read"] }', "path", ["read"]),
    "second-label-ignored": ('path "a" "b" { capabilities = ["read"] }', "a", ["read"]),
    "json-form": ('{"path": {"a": {"capabilities": ["read", "list"]}}}', "a", ["list", "read"]),
}


@pytest.mark.parametrize("dialect", ALL)
@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_what_both_servers_accept_is_accepted_on_every_dialect(case, dialect):
    text, path, capabilities = ACCEPTED[case]
    assert acl(text, dialect).capabilities(path) == capabilities


REFUSED = {
    "capabilities-as-a-string": ('path "secret/*" {\n  capabilities = "read"\n}', "At 2:18: unknown slice type"),
    "unbalanced-template": ('path "secret/{{identity.entity.id/*" { capabilities = ["read"] }',
                            "unbalanced templating characters"),
    "lone-closing-template": ('path "secret/x}}" { capabilities = ["read"] }', "unbalanced templating characters"),
    "name-as-a-block": ('name{}\npath "a" { capabilities = ["read"] }', "root.name: unknown type for string"),
    "bare-identifier-block": ("foo {}", 'invalid key "foo" on line 0'),
    "label-and-assignment": ('path "a" = { capabilities = ["read"] }', "nested object expected: LBRACE got: ASSIGN"),
    "unterminated-interpolation": ('path "secret/${foo/*" {\n  capabilities = ["read"]\n}',
                                   "literal not terminated"),
    "heredoc-keeps-its-newline": ('path "a" {\n  policy = <<EOT\nread\nEOT\n}', 'invalid policy "read\n"'),
    "bare-identifier-in-a-list": ('path "a" { capabilities = [read] }', "unexpected token while parsing list: IDENT"),
    "number-in-a-list": ('path "a" { capabilities = ["read", 1] }', 'invalid capability "1"'),
    "hcl2-expression": ('path "a" { capabilities = true ? ["read"] : [] }', "illegal char"),
    "missing-comma": ('path "a" { capabilities = ["read" "list"] }', "expected comma or list end, got: STRING"),
    "unterminated-comment": ('/* open\npath "a" { capabilities = ["read"] }', "comment not terminated"),
}


@pytest.mark.parametrize("dialect", ALL)
@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_both_servers_refuse_is_refused_on_every_dialect(case, dialect):
    text, message = REFUSED[case]
    with pytest.raises(PolicyParseError) as caught:
        parse_policy(text, "p", dialect=dialect)
    assert message in str(caught.value)


def test_every_invalid_key_of_the_block_is_reported():
    text = 'path "a" {\n  capabilities = ["read"]\n  colour = "red"\n  size = 3\n}'
    with pytest.raises(PolicyParseError) as caught:
        parse_policy(text, "p")
    assert 'path "a": 2 errors occurred: invalid key "colour" on line 3; invalid key "size" on line 4' in str(
        caught.value)
    with pytest.raises(PolicyParseError, match=r'2 errors occurred: invalid key "foo" on line 1; invalid key "bar"'):
        parse_policy('foo = 1\nbar = 2\n', "p")


# --------------------------------------------------------------------------- where the dialects differ

def test_an_attribute_given_twice_is_refused_by_vault_and_merged_by_openbao():
    text = 'path "a" {\n  capabilities = ["read"]\n  capabilities = ["list"]\n}'
    for vault in ("vault-1.21", "vault-2.0"):
        with pytest.raises(PolicyParseError, match='The argument "capabilities" at 3:3 was already set'):
            parse_policy(text, "p", dialect=vault)
    assert acl(text, "openbao-2.7").capabilities("a") == ["list", "read"]
    # what Vault's check does not see (a quoted spelling, blocks without `=`) merges everywhere
    quoted = 'path "a" {\n  capabilities = ["read"]\n  "capabilities" = ["list"]\n}'
    assert acl(quoted, "vault-1.21").capabilities("a") == ["list", "read"]
    blocks = ('path "a" {\n capabilities = ["update"]\n allowed_parameters { "foo" = ["a"] }\n'
              ' allowed_parameters { "foo" = ["b"], bar = [] }\n}')
    rule = parse_policy(blocks, "p", dialect="vault-2.0").rules[0]
    assert rule.allowed_parameters == {"foo": ["a", "b"], "bar": []}


@pytest.mark.parametrize("capability, accepted_by", [
    ("subscribe", {"vault-1.21", "vault-2.0"}), ("recover", {"vault-1.21", "vault-2.0"}), ("scan", {"openbao-2.7"})])
def test_each_dialect_has_its_own_capabilities(capability, accepted_by):
    for name in ALL:
        text = f'path "a" {{ capabilities = ["read", "{capability}"] }}'
        if name in accepted_by:
            assert capability in acl(text, name).capabilities("a")
        else:
            with pytest.raises(PolicyParseError, match=f'invalid capability "{capability}"'):
                parse_policy(text, "p", dialect=name)


@pytest.mark.parametrize("key, value, accepted_by", [
    ("subscribe_event_types", '["kv*"]', {"vault-1.21", "vault-2.0"}),
    ("expiration", '"2999-01-01T00:00:00Z"', {"openbao-2.7"}),
    ("pagination_limit", "100", {"openbao-2.7"}),
    ("list_scan_response_keys_filter_path", '"x/{{.key}}"', {"openbao-2.7"}),
])
def test_each_dialect_has_its_own_path_keys(key, value, accepted_by):
    text = f'path "a" {{\n  capabilities = ["read", "list"]\n  {key} = {value}\n}}'
    for name in ALL:
        if name in accepted_by:
            parse_policy(text, "p", dialect=name)
        else:
            with pytest.raises(PolicyParseError, match=f'invalid key "{key}" on line 3'):
                parse_policy(text, "p", dialect=name)


LIST_CASES = [
    # policy, LIST path (the slash the HTTP layer appends), vault-1.21, vault-2.0, openbao-2.7
    ('path "foo/metadata/*" { capabilities = ["list"] }\npath "foo/metadata/private/*" { capabilities = ["deny"] }',
     "foo/metadata/private/", True, False, False),
    ('path "secret/*" { capabilities = ["list"] }\npath "secret/+" { capabilities = ["deny"] }',
     "secret/x/", False, False, True),
    ('path "kv1/+" { capabilities = ["list"] }\npath "kv1/*" { capabilities = ["deny"] }',
     "kv1/x/", True, True, False),
    ('path "secret/*" { capabilities = ["list"] }\npath "secret/x/*" { capabilities = ["read"] }',
     "secret/x/", True, True, False),
]


@pytest.mark.parametrize("policy, path, vault_121, vault_20, openbao", LIST_CASES,
                         ids=["deny-bypass", "segment-deny", "prefix-deny", "read-only-prefix"])
def test_a_list_with_a_trailing_slash_is_decided_the_way_of_each_server(policy, path, vault_121, vault_20, openbao):
    expected = {"vault-1.21": vault_121, "vault-2.0": vault_20, "openbao-2.7": openbao}
    assert {name: acl(policy, name).allowed("list", path).allowed for name in ALL} == expected


def test_list_parameters_are_matched_per_element_on_vault_and_whole_on_openbao():
    allowed = 'path "a" {\n capabilities = ["update"]\n allowed_parameters = { "name" = ["a", "b"] }\n}'
    denied = 'path "a" {\n capabilities = ["update"]\n denied_parameters = { "name" = ["a"] }\n}'
    for value, vault, openbao in ((["a", "b"], True, False), ("a,b", True, False), (["a"], True, False),
                                  ("a", True, True)):
        assert acl(allowed, "vault-1.21").allowed("update", "a", {"name": value}).allowed is vault
        assert acl(allowed, "openbao-2.7").allowed("update", "a", {"name": value}).allowed is openbao
    for value, vault, openbao in ((["a", "c"], False, True), ("a,c", False, True), ("a", False, False)):
        assert acl(denied, "vault-2.0").allowed("update", "a", {"name": value}).allowed is vault
        assert acl(denied, "openbao-2.7").allowed("update", "a", {"name": value}).allowed is openbao


def test_vault_20_lowercases_policy_names_before_matching_them():
    policy = 'path "auth/token/create" {\n capabilities = ["update"]\n denied_parameters = { "policies" = ["admin"] }\n}'
    assert acl(policy, "vault-2.0").allowed("update", "auth/token/create", {"policies": "ADMIN"}).allowed is False
    assert acl(policy, "vault-1.21").allowed("update", "auth/token/create", {"policies": "ADMIN"}).allowed is True
    assert acl(policy, "openbao-2.7").allowed("update", "auth/token/create", {"policies": "ADMIN"}).allowed is True


def test_a_non_canonical_request_path_is_refused_by_vault_and_cleaned_by_openbao():
    policy = 'path "kvp/allow" { capabilities = ["read"] }'
    for path in ("kvp//allow", "kvp/x/../allow", "kvp/./allow"):
        assert acl(policy, "vault-2.0").allowed("read", path).allowed is False
        assert acl(policy, "openbao-2.7").allowed("read", path).allowed is True


def test_openbao_scan_expiration_and_pagination_limit():
    assert acl('path "a/*" { capabilities = ["scan"] }', "openbao-2.7").allowed("scan", "a/").allowed
    expired = ('path "a" {\n capabilities = ["read"]\n expiration = "2001-01-01T00:00:00Z"\n}\n'
               'path "b" {\n capabilities = ["read"]\n expiration = "2999-01-01T00:00:00Z"\n}')
    live = acl(expired, "openbao-2.7")
    assert (live.allowed("read", "a").allowed, live.allowed("read", "b").allowed) == (False, True)
    capped = acl('path "k/*" {\n capabilities = ["list"]\n pagination_limit = 10\n}', "openbao-2.7")
    assert capped.allowed("list", "k/", {"limit": 5}).allowed
    assert not capped.allowed("list", "k/", {"limit": 50}).allowed
    assert not capped.allowed("list", "k/", {"limit": "many"}).allowed
    with pytest.raises(PolicyParseError, match="needs to be used on a path with the list capability"):
        parse_policy('path "a" {\n capabilities = ["read"]\n list_scan_response_keys_filter_path = "x"\n}', "p",
                     dialect="openbao-2.7")


def test_an_unknown_dialect_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown policy dialect 'vault-3'; allowed: openbao-2.7, vault-1.21, vault-2.0"):
        parse_policy('path "a" { capabilities = ["read"] }', "p", dialect="vault-3")
