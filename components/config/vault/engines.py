"""The secret engines, quotas and password policies of the ``vault`` configuration.

``vault.secret_engines`` lists mounts of type ``kv-v2``, ``database``, ``pki``,
``transit`` and ``aws``, each with the block of its type; ``vault.quotas`` and
``vault.password_policies`` sit beside them. Per-item types live in the models; the
rules across items (a role naming an undeclared connection, an intermediate CA whose
root is not declared, TTL ordering, key types and sizes) are in
:mod:`components.config.vault.engine_rules`.
Credentials (database passwords, the AWS secret key) are only accepted as Pulumi secrets.
"""

from __future__ import annotations

import json
from typing import Iterable, Literal, Optional

from pydantic import Field, StrictBool, StrictFloat, StrictInt, StrictStr

from components.config.base import MOUNT, NAME, Model
from components.config.secrets import Secret, secret_validator
from components.config.base import TTL_PATTERN

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
    path: StrictStr = Field("", description="A declared mount (`database`, `auth/kubernetes`, a child namespace's "
                            "`team-a/kv`) or empty for all (with `namespace`: the whole namespace).")
    namespace: Optional[StrictStr] = Field(None, description="Namespace (Enterprise) `path` is relative to. The server "
                                           "keeps quotas in the root namespace only, so the quota is created there with "
                                           "path `<namespace>/<path>`.")
    rate: Optional[StrictFloat | StrictInt] = Field(None, gt=0, description="rate-limit: requests per interval.")
    interval: StrictStr = Field("1s", pattern=TTL_PATTERN, description="rate-limit: the interval.")
    block_interval: Optional[StrictStr] = Field(None, pattern=TTL_PATTERN, description="rate-limit: block clients this long "
                                                "after they exceed the rate.")
    max_leases: Optional[StrictInt] = Field(None, ge=1, description="lease-count: most leases at once.")

    @property
    def server_path(self) -> str:
        """The path as the server stores it: quotas live in the root namespace (Vault and
        OpenBao answer "operation only available in root namespace" elsewhere), so a
        namespace's quota names the namespace in its path (``team-a/`` for all of it)."""
        if self.namespace is None:
            return self.path
        return f"{self.namespace}/{self.path}" if self.path else f"{self.namespace}/"


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


def quota_target(namespace: Optional[str], path: str,
                 mounts: Iterable[tuple[Optional[str], str]]) -> Optional[tuple[Optional[str], str]]:
    """The declared mount a quota ``path`` applies to: the longest ``(namespace, mount)``
    the path lies under (secret engines as ``<path>``, auth methods as ``auth/<path>``).
    A mount in a child namespace is reached through the namespace's relative path, as the
    server reads it: from the root namespace ``team-a/kv`` is ``kv`` in ``team-a``."""
    def seen_from_quota(mount: tuple[Optional[str], str]) -> Optional[str]:
        mount_namespace, mount_path = mount
        if mount_namespace == namespace:
            return mount_path
        if mount_namespace is None or (namespace is not None and not mount_namespace.startswith(namespace + "/")):
            return None
        relative = mount_namespace if namespace is None else mount_namespace[len(namespace) + 1:]
        return f"{relative}/{mount_path}"

    under = [(m, full) for m in mounts if (full := seen_from_quota(m)) is not None
             and (path == full or path.startswith(full + "/"))]
    return max(under, key=lambda pair: len(pair[1]), default=(None, ""))[0]
