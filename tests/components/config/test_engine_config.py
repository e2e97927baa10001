"""Invalid secret engines, password policies and quotas: each fails before anything is
registered, with the stack file, the key path, the value and what is allowed."""

from __future__ import annotations

import pytest

from components import config as schema
from tests.conftest import stack_raw

NS = schema.NAMESPACE


def engines_of(stack: str) -> dict:
    return stack_raw(stack)[f"{NS}:vault"]


def index_of(vault: dict, path: str) -> int:
    return next(i for i, e in enumerate(vault["secret_engines"]) if e["path"] == path)


def change(stack: str, edit) -> dict:
    raw = stack_raw(stack)
    vault = raw[f"{NS}:vault"]
    edit(vault)
    return raw


def engine(vault: dict, path: str) -> dict:
    return vault["secret_engines"][index_of(vault, path)]


def problems(stack: str, edit) -> str:
    with pytest.raises(schema.ConfigError) as caught:
        schema.load(change(stack, edit), f"Pulumi.{stack}.yaml", stack)
    return str(caught.value)


def role(vault, name):
    return next(r for r in engine(vault, "database")["database"]["roles"] if r["name"] == name)


CASES = [
    ("transit-key-type-unknown", lambda v: engine(v, "transit")["transit"]["keys"][0].update(type="aes128-gcm96"),
     ["vault.secret_engines[path=transit].transit.keys[name=reporting].type = 'aes128-gcm96'",
      "'aes256-gcm96', 'chacha20-poly1305', 'rsa-4096', 'ecdsa-p256' or 'ed25519'"]),
    ("pki-key-bits-wrong-for-type", lambda v: engine(v, "pki")["pki"].update(key_type="rsa", key_bits=384),
     ["vault.secret_engines[path=pki].pki.key_bits = 384", "not a size for key_type rsa; allowed: 2048, 3072, 4096"]),
    ("pki-role-key-type-unknown", lambda v: engine(v, "pki-int")["pki"]["roles"][0].update(key_type="dsa"),
     ["vault.secret_engines[path=pki-int].pki.roles[name=internal-services].key_type = 'dsa'", "'rsa', 'ec' or 'ed25519'"]),
    ("database-role-ttl-order", lambda v: role(v, "analytics-readonly").update(default_ttl="12h"),
     ["vault.secret_engines[path=database].database.roles[name=analytics-readonly].default_ttl = '12h'", "exceeds max_ttl (8h)"]),
    ("database-role-above-mount", lambda v: role(v, "analytics-readonly").update(max_ttl="48h"),
     ["vault.secret_engines[path=database].database.roles[name=analytics-readonly].max_ttl = '48h'", "exceeds the mount's max_lease_ttl (24h)"]),
    ("pki-role-ttl-above-ca", lambda v: engine(v, "pki-int")["pki"]["roles"][0].update(max_ttl="50000h"),
     ["vault.secret_engines[path=pki-int].pki.roles[name=internal-services].max_ttl = '50000h'", "exceeds the CA's ttl (43800h)"]),
    ("intermediate-outlives-root", lambda v: engine(v, "pki-int")["pki"].update(ttl="90000h"),
     ["vault.secret_engines[path=pki-int].pki.ttl = '90000h'", "exceeds the root's ttl in pki (87600h)"]),
    ("intermediate-root-not-declared", lambda v: engine(v, "pki-int")["pki"].update(issuer="pki-root"),
     ["vault.secret_engines[path=pki-int].pki.issuer = 'pki-root'", "names no root PKI mount declared", "declared roots: pki"]),
    ("intermediate-issuer-is-not-a-root", lambda v: engine(v, "pki-int")["pki"].update(issuer="transit"),
     ["vault.secret_engines[path=pki-int].pki.issuer = 'transit'", "names no root PKI mount declared"]),
    ("database-plugin-unknown", lambda v: engine(v, "database")["database"]["connections"][0].update(plugin="oracle"),
     ["vault.secret_engines[path=database].database.connections[name=analytics].plugin = 'oracle'", "'postgresql', 'mysql' or 'mongodb'"]),
    ("database-role-connection-undeclared", lambda v: role(v, "analytics-readwrite").update(connection="billing"),
     ["vault.secret_engines[path=database].database.roles[name=analytics-readwrite].connection = 'billing'",
      "names a connection not declared on this engine (declared: analytics)"]),
    ("database-role-not-allowed", lambda v: engine(v, "database")["database"]["connections"][0].update(
        allowed_roles=["analytics-readonly", "analytics-etl"]),
     ["vault.secret_engines[path=database].database.roles[name=analytics-readwrite].name = 'analytics-readwrite'",
      "not in the allowed_roles of connection analytics"]),
    ("database-password-in-plain-text", lambda v: engine(v, "database")["database"]["connections"][0].update(
        password="hunter2-in-the-stack-file"),
     ["vault.secret_engines[path=database].database.connections[name=analytics].password", "must be a Pulumi secret"]),
    ("database-url-without-tls-verification", lambda v: engine(v, "database")["database"]["connections"][0].update(
        connection_url="postgresql://{{username}}:{{password}}@analytics-db.internal.example.com:5432/analytics?sslmode=require"),
     ["connections[name=analytics].connection_url = 'postgresql://{{username}}:{{password}}@analytics-db.internal",
      "needs sslmode=verify-full"]),
    ("password-policy-undeclared", lambda v: engine(v, "database")["database"]["connections"][0].update(
        password_policy="strong"),
     ["connections[name=analytics].password_policy = 'strong'", "not declared in vault.password_policies"]),
    ("password-policy-with-quote", lambda v: v["password_policies"][0]["rules"][3].update(charset="!'#"),
     ["vault.password_policies[name=database].rules[3].charset = \"!'#\"", "would break the quoted"]),
    ("password-policy-too-short", lambda v: v["password_policies"][0].update(length=12),
     ["vault.password_policies[name=database].length = 12", "at least 20 characters"]),
    ("pki-glob-without-asking", lambda v: engine(v, "pki-int")["pki"]["roles"][0].update(
        allowed_domains=["*.example.com"]),
     ["pki.roles[name=internal-services].allowed_domains[0] = '*.example.com'", "needs allow_glob_domains: true"]),
    ("pki-any-name-in-production", lambda v: engine(v, "pki-int")["pki"]["roles"][0].update(allow_any_name=True),
     ["pki.roles[name=internal-services].allow_any_name = true", "dev-only"]),
    ("transit-rotation-too-often", lambda v: engine(v, "transit")["transit"]["keys"][0].update(auto_rotate_period="10m"),
     ["transit.keys[name=reporting].auto_rotate_period = '10m'", "at least 1h"]),
    ("block-of-another-type", lambda v: engine(v, "secret").update(transit={"keys": [{"name": "k"}]}),
     ["vault.secret_engines[path=secret].transit: only valid for a transit engine, not kv-v2"]),
    ("block-missing", lambda v: engine(v, "transit").pop("transit"),
     ["vault.secret_engines[path=transit].transit: required for a transit engine"]),
    ("duplicate-engine-path", lambda v: engine(v, "transit").update(path="secret"),
     ["vault.secret_engines[4: path=secret].path = 'secret'", "duplicate secret engine path"]),
    ("lease-count-on-community", lambda v: v["quotas"].append(
        {"type": "lease-count", "name": "cap", "path": "database", "max_leases": 10}),
     ["vault.quotas[name=cap].type = 'lease-count'", "need Vault Enterprise"]),
    ("quota-on-undeclared-mount", lambda v: v["quotas"][1].update(path="kv-legacy"),
     ["vault.quotas[name=database-credentials].path = 'kv-legacy'", "is under no declared secret engine or auth mount"]),
    ("quota-namespace-undeclared", lambda v: v["quotas"][0].update(namespace="team-a"),
     ["vault.quotas[name=global].namespace = 'team-a'", "is not declared in vault.namespaces"]),
    ("pki-mount-ceiling-below-ca", lambda v: engine(v, "pki").update(tune={"max_lease_ttl": "8760h"}),
     ["vault.secret_engines[path=pki].pki.ttl = '87600h'", "exceeds tune.max_lease_ttl: the mount caps its CA (8760h)"]),
    ("allowed-role-typo-reported-once", lambda v: engine(v, "database")["database"]["connections"][0].update(
        allowed_roles=["analytics-readonly", "analytics-readwrit", "analytics-etl"]),
     ["vault.secret_engines[path=database].database.connections[name=analytics].allowed_roles[1] = 'analytics-readwrit'",
      "names a role not declared on this engine"]),
    ("duplicate-connection-reported-once", lambda v: engine(v, "database")["database"]["connections"].append(
        dict(engine(v, "database")["database"]["connections"][0])),
     ["vault.secret_engines[path=database].database.connections[1: name=analytics].name = 'analytics'", "duplicate connection"]),
    ("iam-user-sts-ttl-at-its-key", lambda v: engine(v, "aws")["aws"]["roles"][0].update(
        credential_type="iam_user", role_arns=[], policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        default_sts_ttl=None),
     ["vault.secret_engines[path=aws].aws.roles[name=analytics-exports].max_sts_ttl = '1h'", "iam_user credentials are leases"]),
    ("rate-limit-without-rate", lambda v: v["quotas"][0].pop("rate"),
     ["vault.quotas[name=global].rate: required for a rate-limit quota"]),
    ("aws-assumed-role-without-roles", lambda v: engine(v, "aws")["aws"]["roles"][0].pop("role_arns"),
     ["vault.secret_engines[path=aws].aws.roles[name=analytics-exports].role_arns: required for assumed_role"]),
    ("aws-sts-ttl-too-short", lambda v: engine(v, "aws")["aws"]["roles"][0].update(default_sts_ttl="5m"),
     ["aws.roles[name=analytics-exports].default_sts_ttl = '5m'", "at least 15m"]),
    ("secret-mounts-overlap", lambda v: v.update(secret_mounts=["transit"]),
     ["vault.secret_mounts[0] = 'transit'", "already declared in vault.secret_engines"]),
]


@pytest.mark.parametrize("edit, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_engines_are_named_with_file_key_value_and_allowed(edit, expected):
    message = problems("production", edit)
    assert message.startswith("invalid stack configuration in Pulumi.production.yaml")
    for fragment in expected:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    for line in message.splitlines()[1:]:  # nothing reported beyond what the case is about
        assert any(f in line for f in expected), f"unexpected: {line}"


def test_invalid_engines_register_nothing(project, tmp_path):
    """Through the CLI: exit 2, the message, nothing written."""
    from vault_platform.cli import main

    text = (project / "Pulumi.production.yaml").read_text(encoding="utf-8")
    assert text.count("issuer: pki\n") == 1
    stack_file = tmp_path / "Pulumi.production.yaml"
    stack_file.write_text(text.replace("issuer: pki\n", "issuer: nowhere\n"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["plan", "--stack", str(stack_file), "--out", str(out)]) == 2
    assert not out.exists()


@pytest.mark.parametrize("path", ["database/creds/analytics-readonly", "auth/kubernetes/login", "auth/kubernetes"])
def test_a_quota_path_under_a_declared_mount_is_accepted(path):
    raw = change("production", lambda v: v["quotas"][1].update(path=path))
    schema.load(raw, "Pulumi.production.yaml", "production")


def test_provider_durations_are_what_gos_parser_reads():
    from components.config.base import ttl_duration

    assert [ttl_duration(t) for t in ("1h30m", "90s", "3600", "30d", "1d12h", None)] == [
        "1h30m", "90s", "3600s", "2592000s", "129600s", None]


@pytest.mark.parametrize("namespace, path, expected", [
    (None, "team-a/kv", ("team-a", "kv")),
    (None, "team-a/kv/data/app", ("team-a", "kv")),
    (None, "team-a/child/kv", ("team-a/child", "kv")),
    ("team-a", "child/kv", ("team-a/child", "kv")),
    ("team-a", "kv", ("team-a", "kv")),
    (None, "kv", None),
    (None, "team-b/kv", None),
    ("team-a", "team-a/kv", None),
    (None, "team-a/kv-other", None),
])
def test_a_quota_reaches_mounts_of_child_namespaces_by_their_relative_path(namespace, path, expected):
    from components.config.vault.engines import quota_target

    mounts = [("team-a", "kv"), ("team-a/child", "kv"), (None, "database")]
    assert quota_target(namespace, path, mounts) == expected
