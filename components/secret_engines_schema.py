"""The secret engines, quotas and password policies of the ``vault`` configuration.

``vault.secret_engines`` lists mounts of type ``kv-v2``, ``database``, ``pki``,
``transit`` and ``aws``, each with the block of its type; ``vault.quotas`` and
``vault.password_policies`` sit beside them. Per-item types live in the models; the
rules across items (a role naming an undeclared connection, an intermediate CA whose
root is not declared, TTL ordering, key types and sizes) are in :func:`engine_problems`.
Credentials (database passwords, the AWS secret key) are only accepted as Pulumi secrets.
"""

from __future__ import annotations

import json
import re
from typing import Callable, Iterable, Literal, Optional

from pydantic import Field, StrictBool, StrictFloat, StrictInt, StrictStr

from components.problems import Problem
from components.schema_base import MOUNT, NAME, Model, repeated, ttl_order
from components.secret_values import Secret, secret_validator
from components.ttl import TTL_PATTERN, ttl_seconds


DATABASE_PLUGINS = {"postgresql": "postgresql-database-plugin", "mysql": "mysql-database-plugin",
                    "mongodb": "mongodb-database-plugin"}
TRANSIT_KEY_TYPES = ("aes256-gcm96", "chacha20-poly1305", "rsa-4096", "ecdsa-p256", "ed25519")
PKI_KEY_BITS = {"rsa": (2048, 3072, 4096), "ec": (256, 384, 521), "ed25519": (0,)}
"""Key sizes Vault's PKI engine accepts per key type (0: the type's only size)."""
SQL_UNSAFE = "'\"\\"
"""Characters a password policy feeding SQL statements may not produce: Vault puts
``{{password}}`` inside a quoted SQL literal without escaping it."""


class EngineTuneSpec(Model):
    default_lease_ttl: Optional[StrictStr] = Field(None, pattern=TTL_PATTERN, description="Default lease TTL of the mount.")
    max_lease_ttl: Optional[StrictStr] = Field(None, pattern=TTL_PATTERN, description="Maximum lease TTL; roles may not exceed it.")


# --------------------------------------------------------------------------- KV v2


class KvSpec(Model):
    max_versions: StrictInt = Field(10, ge=1, le=1000, description="Versions kept per secret.")
    cas_required: StrictBool = Field(True, description="Writes must name the version they replace (check-and-set).")
    delete_version_after: StrictStr = Field(
        "0s", pattern=TTL_PATTERN, description="Versions older than this are deleted; `0s` keeps them.")


# --------------------------------------------------------------------------- database


class DatabaseConnectionSpec(Model):
    name: StrictStr = Field(..., pattern=NAME, description="Connection name.")
    plugin: Literal["postgresql", "mysql", "mongodb"] = Field(..., description="Database plugin.")
    connection_url: StrictStr = Field(
        ..., description="URL with `{{username}}` and `{{password}}` templating (e.g. "
        "`postgresql://{{username}}:{{password}}@db:5432/app?sslmode=verify-full`).")
    username: StrictStr = Field(..., description="The account Vault manages users with.")
    password: Secret = Field(..., description="Its password: a Pulumi secret. Rotate it into Vault's sole "
                             "custody with `vault write -f <mount>/rotate-root/<name>` (README).")
    allowed_roles: tuple[StrictStr, ...] = Field(..., min_length=1, description="Roles that may use the connection.")
    verify_connection: StrictBool = Field(True, description="Vault connects once when the connection is written.")
    password_policy: Optional[StrictStr] = Field(None, description="Password policy for generated passwords.")
    root_rotation_statements: tuple[StrictStr, ...] = Field(
        (), description="Statements rotating the root password (the plugin's default when empty).")
    max_open_connections: StrictInt = Field(4, ge=1, le=100, description="Connection pool size.")

    _secrets = secret_validator("password")


class DatabaseRoleSpec(Model):
    name: StrictStr = Field(..., pattern=NAME, description="Role name (`<mount>/creds/<name>`).")
    connection: StrictStr = Field(..., description="The connection it uses.")
    creation_statements: tuple[StrictStr, ...] = Field(
        ..., min_length=1, description="Statements creating the user (`{{name}}`, `{{password}}`, `{{expiration}}`).")
    revocation_statements: tuple[StrictStr, ...] = Field(
        ..., min_length=1, description="Statements removing the user when its lease ends.")
    rollback_statements: tuple[StrictStr, ...] = Field((), description="Statements undoing a failed creation.")
    renew_statements: tuple[StrictStr, ...] = Field((), description="Statements run when a lease is renewed.")
    default_ttl: StrictStr = Field("1h", pattern=TTL_PATTERN, description="Lease TTL of the credentials.")
    max_ttl: StrictStr = Field("24h", pattern=TTL_PATTERN, description="Longest a lease may be renewed to.")


class DatabaseStaticRoleSpec(Model):
    name: StrictStr = Field(..., pattern=NAME, description="Role name (`<mount>/static-creds/<name>`).")
    connection: StrictStr = Field(..., description="The connection it uses.")
    username: StrictStr = Field(..., description="The existing database user whose password Vault rotates.")
    rotation_period: StrictStr = Field("24h", pattern=TTL_PATTERN, description="How often the password rotates.")
    rotation_statements: tuple[StrictStr, ...] = Field(
        (), description="Statements setting the new password (the plugin's default when empty).")


class DatabaseSpec(Model):
    connections: tuple[DatabaseConnectionSpec, ...] = Field(..., description="Database connections (at least one).")
    roles: tuple[DatabaseRoleSpec, ...] = Field((), description="Dynamic roles.")
    static_roles: tuple[DatabaseStaticRoleSpec, ...] = Field((), description="Static roles (rotated passwords).")


# --------------------------------------------------------------------------- PKI


class PkiUrlsSpec(Model):
    issuing_certificates: tuple[StrictStr, ...] = Field((), description="Where the issuing CA can be fetched.")
    crl_distribution_points: tuple[StrictStr, ...] = Field((), description="Where the CRL can be fetched.")
    ocsp_servers: tuple[StrictStr, ...] = Field((), description="OCSP responders.")


class PkiCrlSpec(Model):
    expiry: StrictStr = Field("72h", pattern=TTL_PATTERN, description="How long a CRL is valid.")
    disable: StrictBool = Field(False, description="Turn the CRL off (not outside dev).")
    auto_rebuild: StrictBool = Field(True, description="Rebuild the CRL before it expires.")
    enable_delta: StrictBool = Field(False, description="Publish delta CRLs (needs auto_rebuild).")


class PkiTidySpec(Model):
    enabled: StrictBool = Field(True, description="Remove expired certificates on a schedule.")
    interval: StrictStr = Field("12h", pattern=TTL_PATTERN, description="How often tidy runs.")
    safety_buffer: StrictStr = Field("72h", pattern=TTL_PATTERN, description="Keep expired certificates this long.")


class PkiRoleSpec(Model):
    name: StrictStr = Field(..., pattern=NAME, description="Role name (`<mount>/issue/<name>`).")
    allowed_domains: tuple[StrictStr, ...] = Field(..., min_length=1, description="Domains certificates may name.")
    allow_subdomains: StrictBool = Field(False, description="Allow subdomains of allowed_domains.")
    allow_bare_domains: StrictBool = Field(False, description="Allow the allowed_domains themselves.")
    allow_glob_domains: StrictBool = Field(False, description="Treat `*` in allowed_domains as a glob.")
    allow_wildcard_certificates: StrictBool = Field(False, description="Issue `*.` certificates (only if asked).")
    allow_any_name: StrictBool = Field(False, description="Any common name at all (dev only).")
    allow_localhost: StrictBool = Field(False, description="Allow `localhost`.")
    allow_ip_sans: StrictBool = Field(False, description="Allow IP subject alternative names.")
    server_flag: StrictBool = Field(True, description="Certificates for TLS servers.")
    client_flag: StrictBool = Field(False, description="Certificates for TLS clients.")
    key_type: Literal["rsa", "ec", "ed25519"] = Field("ec", description="Key type of issued certificates.")
    key_bits: StrictInt = Field(256, description="Key size: rsa 2048/3072/4096, ec 256/384/521, ed25519 0.")
    ttl: StrictStr = Field("24h", pattern=TTL_PATTERN, description="Default certificate lifetime.")
    max_ttl: StrictStr = Field("72h", pattern=TTL_PATTERN, description="Longest certificate lifetime.")
    no_store: StrictBool = Field(False, description="Do not store issued certificates (no revocation).")


class PkiSpec(Model):
    kind: Literal["root", "intermediate"] = Field(..., description="A root CA, or an intermediate signed by one.")
    common_name: StrictStr = Field(..., description="The CA certificate's common name.")
    organization: Optional[StrictStr] = Field(None, description="Organisation in the CA's subject.")
    key_type: Literal["rsa", "ec", "ed25519"] = Field("ec", description="CA key type.")
    key_bits: StrictInt = Field(384, description="CA key size: rsa 2048/3072/4096, ec 256/384/521, ed25519 0.")
    ttl: StrictStr = Field(..., pattern=TTL_PATTERN, description="CA certificate lifetime (a root's is long, e.g. `87600h`).")
    issuer: Optional[StrictStr] = Field(None, description="kind `intermediate`: the path of the root PKI mount.")
    max_path_length: StrictInt = Field(-1, ge=-1, le=10, description="CA path length constraint (-1: none).")
    urls: PkiUrlsSpec = Field(PkiUrlsSpec(), description="Issuing, CRL and OCSP URLs written into certificates.")
    crl: PkiCrlSpec = Field(PkiCrlSpec(), description="CRL configuration.")
    tidy: PkiTidySpec = Field(PkiTidySpec(), description="Automatic tidy.")
    roles: tuple[PkiRoleSpec, ...] = Field((), description="Roles issuing certificates.")


# --------------------------------------------------------------------------- transit


class TransitKeySpec(Model):
    name: StrictStr = Field(..., pattern=NAME, description="Key name.")
    type: Literal[TRANSIT_KEY_TYPES] = Field("aes256-gcm96", description="Key type.")  # type: ignore[valid-type]
    auto_rotate_period: StrictStr = Field("0", pattern=TTL_PATTERN, description="Rotate this often (at least 1h); `0`: never.")
    deletion_allowed: StrictBool = Field(False, description="Allow deleting the key (opt in).")
    exportable: StrictBool = Field(False, description="Allow exporting the key (opt in; cannot be undone).")
    allow_plaintext_backup: StrictBool = Field(False, description="Allow a plain-text backup (opt in; cannot be undone).")
    min_decryption_version: StrictInt = Field(1, ge=1, description="Oldest key version that may still decrypt.")


class TransitSpec(Model):
    keys: tuple[TransitKeySpec, ...] = Field(..., description="Named keys (at least one).")


# --------------------------------------------------------------------------- AWS


class AwsRoleSpec(Model):
    name: StrictStr = Field(..., pattern=NAME, description="Role name (`<mount>/creds/<name>`).")
    credential_type: Literal["iam_user", "assumed_role", "federation_token"] = Field(
        ..., description="IAM users, an assumed role's session, or a federation token.")
    policy_arns: tuple[StrictStr, ...] = Field((), description="Managed policies (iam_user, federation_token).")
    policy_document: Optional[StrictStr] = Field(None, description="An inline policy (JSON).")
    role_arns: tuple[StrictStr, ...] = Field((), description="Roles that may be assumed (assumed_role).")
    default_sts_ttl: Optional[StrictStr] = Field(None, pattern=TTL_PATTERN, description="STS credential lifetime.")
    max_sts_ttl: Optional[StrictStr] = Field(None, pattern=TTL_PATTERN, description="Longest STS credential lifetime.")


class AwsEngineSpec(Model):
    region: StrictStr = Field(..., pattern=r"^[a-z]{2}(-[a-z]+)+-[0-9]$", description="AWS region.")
    access_key: StrictStr = Field(..., pattern=r"^(AKIA|ASIA)[A-Z0-9]{12,}$", description="Vault's IAM access key id.")
    secret_key: Secret = Field(..., description="Its secret key: a Pulumi secret.")
    roles: tuple[AwsRoleSpec, ...] = Field((), description="Roles.")

    _secrets = secret_validator("secret_key")


# --------------------------------------------------------------------------- engines, quotas, password policies


class SecretEngineSpec(Model):
    type: Literal["kv-v2", "database", "pki", "transit", "aws"] = Field(..., description="Engine type.")
    path: StrictStr = Field(..., pattern=MOUNT, description="Mount path.")
    namespace: Optional[StrictStr] = Field(None, description="Namespace (Enterprise).")
    description: StrictStr = Field("", description="Description.")
    tune: EngineTuneSpec = Field(EngineTuneSpec(), description="Lease TTLs of the mount.")
    kv: Optional[KvSpec] = Field(None, description="type `kv-v2` (defaults apply when omitted).")
    database: Optional[DatabaseSpec] = Field(None, description="type `database`: connections and roles.")
    pki: Optional[PkiSpec] = Field(None, description="type `pki`: the CA and its roles.")
    transit: Optional[TransitSpec] = Field(None, description="type `transit`: the keys.")
    aws: Optional[AwsEngineSpec] = Field(None, description="type `aws`: credentials and roles.")


class QuotaSpec(Model):
    type: Literal["rate-limit", "lease-count"] = Field(..., description="Quota type.")
    name: StrictStr = Field(..., pattern=NAME, description="Quota name.")
    path: StrictStr = Field("", description="A declared mount (`database`, `auth/kubernetes`) or empty for all.")
    namespace: Optional[StrictStr] = Field(None, description="Namespace (Enterprise).")
    rate: Optional[StrictFloat | StrictInt] = Field(None, gt=0, description="rate-limit: requests per interval.")
    interval: StrictStr = Field("1s", pattern=TTL_PATTERN, description="rate-limit: the interval.")
    block_interval: Optional[StrictStr] = Field(None, pattern=TTL_PATTERN, description="rate-limit: block clients this long "
                                                "after they exceed the rate.")
    max_leases: Optional[StrictInt] = Field(None, ge=1, description="lease-count: most leases at once.")


class PasswordRuleSpec(Model):
    charset: StrictStr = Field(..., min_length=1, description="Characters to draw from.")
    min_chars: StrictInt = Field(0, ge=0, description="At least this many from the charset.")


class PasswordPolicySpec(Model):
    name: StrictStr = Field(..., pattern=NAME, description="Policy name.")
    length: StrictInt = Field(..., ge=8, le=256, description="Password length (at least 20 outside dev).")
    rules: tuple[PasswordRuleSpec, ...] = Field(..., description="Character rules (at least one).")


def password_policy_hcl(policy: PasswordPolicySpec) -> str:
    """The policy in Vault's password-policy HCL."""
    lines = [f"length = {policy.length}"]
    for rule in policy.rules:
        lines += ['rule "charset" {', f"  charset = {json.dumps(rule.charset)}", f"  min-chars = {rule.min_chars}", "}"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- rules across items


def quota_target(namespace: Optional[str], path: str,
                 mounts: Iterable[tuple[Optional[str], str]]) -> Optional[tuple[Optional[str], str]]:
    """The declared mount a quota ``path`` applies to: the longest ``(namespace, mount)``
    the path lies under (secret engines as ``<path>``, auth methods as ``auth/<path>``)."""
    under = [m for m in mounts if m[0] == namespace and (path == m[1] or path.startswith(m[1] + "/"))]
    return max(under, key=lambda m: len(m[1]), default=None)


def engine_problems(engines: tuple[SecretEngineSpec, ...], quotas: tuple[QuotaSpec, ...],
                    password_policies: tuple[PasswordPolicySpec, ...], environment: str, enterprise: bool,
                    auth_paths: set[tuple[Optional[str], str]],
                    check_namespace: Callable[[str, Optional[str]], None]) -> list[Problem]:
    """Rules across engines, password policies and quotas. ``auth_paths``: declared
    (namespace, auth mount path); ``check_namespace(where, namespace)`` reports an
    undeclared namespace."""
    issues: list[Problem] = []
    add = issues.append
    dev = environment == "dev"
    by_path: dict[tuple[Optional[str], str], SecretEngineSpec] = {}
    policies = {p.name: p for p in password_policies}
    sql_policies: set[str] = set()

    for index, engine in enumerate(engines):
        where = f"vault.secret_engines[{index}]"
        check_namespace(where, engine.namespace)
        by_path.setdefault((engine.namespace, engine.path), engine)
        block = engine.type.replace("kv-v2", "kv")
        for other in ("kv", "database", "pki", "transit", "aws"):
            if other != block and getattr(engine, other) is not None:
                add(Problem(f"{where}.{other}", f"only valid for a {other if other != 'kv' else 'kv-v2'} engine, "
                            f"not {engine.type}", has_value=False))
        if block != "kv" and getattr(engine, block) is None:
            add(Problem(f"{where}.{block}", f"required for a {engine.type} engine", has_value=False))
        ttl_order(add, f"{where}.tune", "default_lease_ttl", engine.tune.default_lease_ttl, "max_lease_ttl",
                 engine.tune.max_lease_ttl)
        mount_max = engine.tune.max_lease_ttl
        if engine.pki is not None:
            ttl_order(add, where, "pki.ttl", engine.pki.ttl, "tune.max_lease_ttl: the mount caps its CA", mount_max)
        if engine.database is not None:
            sql_policies |= _database_problems(add, where, engine.database, mount_max, policies, dev, environment)
        if engine.pki is not None:
            _pki_problems(add, where, engine.pki, dev, environment)
        if engine.transit is not None:
            _transit_problems(add, where, engine.transit)
        if engine.aws is not None:
            _aws_problems(add, where, engine.aws)

    for index, engine in repeated(engines, lambda e: (e.namespace, e.path)):
        add(Problem(f"vault.secret_engines[{index}].path", "duplicate secret engine path", engine.path))
    for index, engine in enumerate(engines):  # needs every mount: an intermediate's root may come later
        pki = engine.pki
        if pki is None or pki.kind != "intermediate":
            continue
        where = f"vault.secret_engines[{index}].pki"
        root = by_path.get((engine.namespace, pki.issuer or ""))
        if pki.issuer is None:
            add(Problem(f"{where}.issuer", "required for an intermediate: the path of its root PKI mount",
                        has_value=False))
        elif root is None or root.pki is None or root.pki.kind != "root":
            add(Problem(f"{where}.issuer", "names no root PKI mount declared in vault.secret_engines (declared roots: "
                        f"{', '.join(sorted(p for (_, p), e in by_path.items() if e.pki and e.pki.kind == 'root')) or 'none'})",
                        pki.issuer))
        else:
            ttl_order(add, where, "ttl", pki.ttl, f"the root's ttl in {root.path}", root.pki.ttl)

    for index, policy in repeated(password_policies, lambda p: p.name):
        add(Problem(f"vault.password_policies[{index}].name", "duplicate password policy", policy.name))
    for index, policy in enumerate(password_policies):
        where = f"vault.password_policies[{index}]"
        if not dev and policy.length < 20:
            add(Problem(f"{where}.length", f"{environment} passwords must be at least 20 characters", policy.length))
        if not policy.rules:
            add(Problem(f"{where}.rules", "declare at least one charset rule", has_value=False))
        required = sum(rule.min_chars for rule in policy.rules)
        if required > policy.length:
            add(Problem(f"{where}.rules", f"the rules need {required} characters but length is {policy.length}",
                        has_value=False))
        if policy.name in sql_policies:
            for number, rule in enumerate(policy.rules):
                bad = sorted(set(rule.charset) & set(SQL_UNSAFE))
                if bad:
                    add(Problem(f"{where}.rules[{number}].charset",
                                f"feeds SQL statements, where {' '.join(bad)} would break the quoted '{{{{password}}}}'",
                                rule.charset))

    mounts = {*by_path, *((ns, f"auth/{path}") for ns, path in auth_paths)}
    for index, quota in repeated(quotas, lambda q: (q.type, q.namespace, q.name)):
        add(Problem(f"vault.quotas[{index}].name", f"duplicate {quota.type} quota", quota.name))
    for index, quota in enumerate(quotas):
        where = f"vault.quotas[{index}]"
        check_namespace(where, quota.namespace)
        if quota.path and quota_target(quota.namespace, quota.path, mounts) is None:
            add(Problem(f"{where}.path", "is under no declared secret engine or auth mount (`auth/<path>`); "
                        "empty applies to all", quota.path))
        if quota.type == "rate-limit":
            if quota.rate is None:
                add(Problem(f"{where}.rate", "required for a rate-limit quota", has_value=False))
            if quota.max_leases is not None:
                add(Problem(f"{where}.max_leases", "only valid for a lease-count quota", quota.max_leases))
        else:
            if not enterprise:
                add(Problem(f"{where}.type", "lease-count quotas need Vault Enterprise (vault.edition is community); "
                            "allowed: rate-limit", quota.type))
            if quota.max_leases is None:
                add(Problem(f"{where}.max_leases", "required for a lease-count quota", has_value=False))
            for name in ("rate", "block_interval"):
                if getattr(quota, name) is not None:
                    add(Problem(f"{where}.{name}", "only valid for a rate-limit quota", getattr(quota, name)))
    return issues


def _database_problems(add, where: str, database: DatabaseSpec, mount_max: Optional[str],
                       policies: dict[str, PasswordPolicySpec], dev: bool, environment: str) -> set[str]:
    connections = {c.name: c for c in database.connections}
    used_policies: set[str] = set()
    if not database.connections:
        add(Problem(f"{where}.database.connections", "declare at least one connection", has_value=False))
    for index, connection in repeated(database.connections, lambda c: c.name):
        add(Problem(f"{where}.database.connections[{index}].name", "duplicate connection", connection.name))
    role_names = {r.name for r in database.roles} | {r.name for r in database.static_roles}
    typos: set[str] = set()  # connections whose allowed_roles name an undeclared role (reported once, there)
    for index, connection in enumerate(database.connections):
        at = f"{where}.database.connections[{index}]"
        if connection.plugin != "mongodb" or "{{" in connection.connection_url:
            for needed in ("{{username}}", "{{password}}"):
                if needed not in connection.connection_url:
                    add(Problem(f"{at}.connection_url", f"must use {needed} templating: the credentials are given "
                                "separately and never written into the URL", connection.connection_url))
        if connection.plugin == "postgresql" and not dev and not re.search(
                r"[?&]sslmode=(verify-full|verify-ca)(&|$)", connection.connection_url):
            add(Problem(f"{at}.connection_url", f"needs sslmode=verify-full (or verify-ca) in {environment}: "
                        "Vault's root credentials travel over this connection", connection.connection_url))
        if connection.password_policy is not None:
            if connection.password_policy not in policies:
                add(Problem(f"{at}.password_policy", "names a password policy not declared in vault.password_policies",
                            connection.password_policy))
            elif connection.plugin in ("postgresql", "mysql"):
                used_policies.add(connection.password_policy)
        for number, role in enumerate(connection.allowed_roles):
            if role != "*" and role not in role_names:
                add(Problem(f"{at}.allowed_roles[{number}]", "names a role not declared on this engine", role))
                typos.add(connection.name)
    for kind, roles in (("roles", database.roles), ("static_roles", database.static_roles)):
        for index, role in repeated(roles, lambda r: r.name):
            add(Problem(f"{where}.database.{kind}[{index}].name", f"duplicate database {kind[:-1].replace('_', ' ')}",
                        role.name))
        for index, role in enumerate(roles):
            at = f"{where}.database.{kind}[{index}]"
            connection = connections.get(role.connection)
            if connection is None:
                add(Problem(f"{at}.connection", "names a connection not declared on this engine (declared: "
                            f"{', '.join(sorted(connections)) or 'none'})", role.connection))
            elif (role.name not in connection.allowed_roles and "*" not in connection.allowed_roles
                  and connection.name not in typos):
                add(Problem(f"{at}.name", f"not in the allowed_roles of connection {role.connection}", role.name))
            if isinstance(role, DatabaseRoleSpec):
                ttl_order(add, at, "default_ttl", role.default_ttl, "max_ttl", role.max_ttl)
                ttl_order(add, at, "max_ttl", role.max_ttl, "the mount's max_lease_ttl", mount_max)
                if connection is not None and connection.plugin != "mongodb":
                    text = " ".join(role.creation_statements)
                    for needed in ("{{name}}", "{{password}}"):
                        if needed not in text:
                            add(Problem(f"{at}.creation_statements", f"must use {needed}: each lease gets its own user",
                                        has_value=False))
                    if not any("{{name}}" in s for s in role.revocation_statements):
                        add(Problem(f"{at}.revocation_statements", "must remove {{name}}", has_value=False))
            elif (ttl_seconds(role.rotation_period) or 0) < 3600:
                add(Problem(f"{at}.rotation_period", "at least 1h (this project's floor: a rotation more often "
                            "than hourly only multiplies the chances of a failed rotation)", role.rotation_period))
    return used_policies


def _key_size(add, where: str, key_type: str, bits: int) -> None:
    allowed = PKI_KEY_BITS[key_type]
    if bits not in allowed:
        add(Problem(f"{where}.key_bits", f"not a size for key_type {key_type}; allowed: "
                    f"{', '.join(str(b) for b in allowed)}", bits))


def _pki_problems(add, where: str, pki: PkiSpec, dev: bool, environment: str) -> None:
    at = f"{where}.pki"
    _key_size(add, at, pki.key_type, pki.key_bits)
    if pki.kind == "root" and pki.issuer is not None:
        add(Problem(f"{at}.issuer", "only an intermediate has an issuer", pki.issuer))
    if pki.crl.disable and not dev:
        add(Problem(f"{at}.crl.disable", f"revocation must be published in {environment}", True))
    if pki.crl.enable_delta and not pki.crl.auto_rebuild:
        add(Problem(f"{at}.crl.enable_delta", "needs auto_rebuild", True))
    for name, value in (("issuing_certificates", pki.urls.issuing_certificates),
                        ("crl_distribution_points", pki.urls.crl_distribution_points),
                        ("ocsp_servers", pki.urls.ocsp_servers)):
        for number, url in enumerate(value):
            if not re.match(r"^https?://", url):
                add(Problem(f"{at}.urls.{name}[{number}]", "not an http(s) URL", url))
    for index, role in repeated(pki.roles, lambda r: r.name):
        add(Problem(f"{at}.roles[{index}].name", "duplicate PKI role", role.name))
    for index, role in enumerate(pki.roles):
        rat = f"{at}.roles[{index}]"
        _key_size(add, rat, role.key_type, role.key_bits)
        ttl_order(add, rat, "ttl", role.ttl, "max_ttl", role.max_ttl)
        ttl_order(add, rat, "max_ttl", role.max_ttl, "the CA's ttl", pki.ttl)
        if role.allow_any_name and not dev:
            add(Problem(f"{rat}.allow_any_name", f"any name at all is dev-only (environment {environment})", True))
        for number, domain in enumerate(role.allowed_domains):
            if "*" in domain and not role.allow_glob_domains:
                add(Problem(f"{rat}.allowed_domains[{number}]", "a `*` needs allow_glob_domains: true (wildcards only "
                            "when asked for)", domain))
        if role.no_store and not dev:
            add(Problem(f"{rat}.no_store", f"certificates that cannot be revoked are dev-only ({environment})", True))


def _transit_problems(add, where: str, transit: TransitSpec) -> None:
    if not transit.keys:
        add(Problem(f"{where}.transit.keys", "declare at least one key", has_value=False))
    for index, key in repeated(transit.keys, lambda k: k.name):
        add(Problem(f"{where}.transit.keys[{index}].name", "duplicate transit key", key.name))
    for index, key in enumerate(transit.keys):
        at = f"{where}.transit.keys[{index}]"
        period = ttl_seconds(key.auto_rotate_period)
        if period and period < 3600:
            add(Problem(f"{at}.auto_rotate_period", "at least 1h (or 0 for no automatic rotation)",
                        key.auto_rotate_period))


def _aws_problems(add, where: str, aws: AwsEngineSpec) -> None:
    for index, role in repeated(aws.roles, lambda r: r.name):
        add(Problem(f"{where}.aws.roles[{index}].name", "duplicate AWS role", role.name))
    for index, role in enumerate(aws.roles):
        at = f"{where}.aws.roles[{index}]"
        if role.credential_type == "assumed_role" and not role.role_arns:
            add(Problem(f"{at}.role_arns", "required for assumed_role", has_value=False))
        if role.credential_type != "assumed_role" and role.role_arns:
            add(Problem(f"{at}.role_arns", f"only valid for assumed_role, not {role.credential_type}", has_value=False))
        if role.credential_type != "assumed_role" and not (role.policy_arns or role.policy_document):
            add(Problem(at, f"a {role.credential_type} role needs policy_arns or policy_document", has_value=False))
        if role.policy_document is not None:
            try:
                json.loads(role.policy_document)
            except ValueError:
                add(Problem(f"{at}.policy_document", "not JSON", role.policy_document))
        if role.credential_type == "iam_user":
            for name in ("default_sts_ttl", "max_sts_ttl"):
                if getattr(role, name) is not None:
                    add(Problem(f"{at}.{name}", "iam_user credentials are leases, not STS credentials",
                                getattr(role, name)))
            continue
        ttl_order(add, at, "default_sts_ttl", role.default_sts_ttl, "max_sts_ttl", role.max_sts_ttl)
        for name in ("default_sts_ttl", "max_sts_ttl"):
            value = ttl_seconds(getattr(role, name))
            if value is not None and value < 900:
                add(Problem(f"{at}.{name}", "AWS issues STS credentials for at least 15m", getattr(role, name)))
