"""The rules across the secret engines, password policies and quotas of the ``vault``
configuration: a role naming an undeclared connection, an intermediate CA whose root is
not declared, TTL ordering, key types and sizes, SQL-safe passwords, quota targets. One
function per concern; :func:`engine_problems` runs them all."""

from __future__ import annotations

import json
import re
from typing import Callable, Optional

from components.config.base import repeated, ttl_order
from components.config.problems import Problem
from components.config.base import ttl_seconds
from components.config.vault.engines import (
    PKI_KEY_BITS,
    SQL_UNSAFE,
    AwsEngineSpec,
    DatabaseRoleSpec,
    DatabaseSpec,
    PasswordPolicySpec,
    PkiSpec,
    QuotaSpec,
    SecretEngineSpec,
    TransitSpec,
    quota_target,
)

Add = Callable[[Problem], None]
EngineKey = tuple[Optional[str], str]


def engine_problems(engines: tuple[SecretEngineSpec, ...], quotas: tuple[QuotaSpec, ...],
                    password_policies: tuple[PasswordPolicySpec, ...], environment: str, enterprise: bool,
                    auth_paths: set[EngineKey],
                    check_namespace: Callable[[str, Optional[str]], None]) -> list[Problem]:
    """Rules across engines, password policies and quotas. ``auth_paths``: declared
    (namespace, auth mount path); ``check_namespace(where, namespace)`` reports an
    undeclared namespace."""
    issues: list[Problem] = []
    add = issues.append
    dev = environment == "dev"
    by_path: dict[EngineKey, SecretEngineSpec] = {}
    policies = {p.name: p for p in password_policies}
    sql_policies: set[str] = set()
    for index, engine in enumerate(engines):
        where = f"vault.secret_engines[{index}]"
        check_namespace(where, engine.namespace)
        by_path.setdefault((engine.namespace, engine.path), engine)
        sql_policies |= _engine_problems(add, where, engine, policies, dev, environment)
    for index, engine in repeated(engines, lambda e: (e.namespace, e.path)):
        add(Problem(f"vault.secret_engines[{index}].path", "duplicate secret engine path", engine.path))
    _intermediate_problems(add, engines, by_path)
    _password_policy_problems(add, password_policies, sql_policies, dev, environment)
    mounts = {*by_path, *((ns, f"auth/{path}") for ns, path in auth_paths)}
    _quota_problems(add, quotas, mounts, enterprise, check_namespace)
    return issues


def _engine_problems(add: Add, where: str, engine: SecretEngineSpec, policies: dict[str, PasswordPolicySpec],
                     dev: bool, environment: str) -> set[str]:
    """One engine: the block of its type, its TTLs, its own rules. Returns the password
    policies its database connections feed into SQL."""
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
    sql_policies: set[str] = set()
    if engine.pki is not None:
        ttl_order(add, where, "pki.ttl", engine.pki.ttl, "tune.max_lease_ttl: the mount caps its CA", mount_max)
    if engine.database is not None:
        sql_policies = _database_problems(add, where, engine.database, mount_max, policies, dev, environment)
    if engine.pki is not None:
        _pki_problems(add, where, engine.pki, dev, environment)
    if engine.transit is not None:
        _transit_problems(add, where, engine.transit)
    if engine.aws is not None:
        _aws_problems(add, where, engine.aws)
    return sql_policies


def _intermediate_problems(add: Add, engines: tuple[SecretEngineSpec, ...],
                           by_path: dict[EngineKey, SecretEngineSpec]) -> None:
    """Each intermediate CA names a declared root (which may be declared after it)."""
    for index, engine in enumerate(engines):
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


def _password_policy_problems(add: Add, password_policies: tuple[PasswordPolicySpec, ...], sql_policies: set[str],
                              dev: bool, environment: str) -> None:
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


def _quota_problems(add: Add, quotas: tuple[QuotaSpec, ...], mounts: set[EngineKey], enterprise: bool,
                    check_namespace: Callable[[str, Optional[str]], None]) -> None:
    for index, quota in repeated(quotas, lambda q: (q.type, q.name)):  # all live in the root namespace
        add(Problem(f"vault.quotas[{index}].name", f"duplicate {quota.type} quota (quota names are server-wide, "
                    "whatever their namespace)", quota.name))
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

