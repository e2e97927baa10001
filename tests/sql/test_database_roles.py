"""The shipped database roles on a real PostgreSQL: each stack's dynamic roles are
rendered the way Vault renders them (``{{name}}``, ``{{password}}`` from the stack's
password policy, ``{{expiration}}``), executed by a non-superuser administrator as
Vault's connection user would, and the generated user is proven to have exactly its
grants; then the revocation (and rollback) statements run and the user is gone.
The static role's default rotation is exercised on the existing user it names.

Every database the stacks' connections name is created (``tests/sql/databases.yaml``), and
every role a stack ships must have its expected grants there, so a new role needs a data
entry, not a Python edit — and cannot go untested.
"""

from __future__ import annotations

import secrets
import string
import time
from datetime import datetime, timedelta, timezone

import psycopg
import pytest
from urllib.parse import urlsplit

from components.config import load_stack_file
from components.config.vault.engines import DatabaseConnectionSpec, PasswordPolicySpec
from tests.conftest import PROJECT, STACKS
from tests.databases import (ADMIN, ADMIN_PASSWORD, DATA_FILE, DATABASES, EXPECTED, assert_exact_grants,
                             role_exists, stack_databases)

POSTGRES_STATIC_DEFAULT = ["ALTER ROLE \"{{name}}\" WITH PASSWORD '{{password}}';"]
"""The PostgreSQL plugin's rotation statement when a static role names none."""


def _database_engines():
    """(stack, engine path, connections by name, password policies by name, database block) per engine."""
    for stack in STACKS:
        config = load_stack_file(PROJECT / f"Pulumi.{stack}.yaml")
        policies = {p.name: p for p in config.vault.password_policies}
        for engine in config.vault.secret_engines:
            if engine.database is not None:
                yield stack, engine.path, {c.name: c for c in engine.database.connections}, policies, engine.database


def shipped_roles():
    """(stack, role, connection, password policy) for every dynamic role on a PostgreSQL connection."""
    return [pytest.param(stack, role, connections[role.connection],
                         policies.get(connections[role.connection].password_policy or ""),
                         id=f"{stack}-{path}-{role.name}")
            for stack, path, connections, policies, database in _database_engines()
            for role in database.roles if connections[role.connection].plugin == "postgresql"]


def shipped_static_roles():
    return [pytest.param(role, connections[role.connection],
                         policies.get(connections[role.connection].password_policy or ""),
                         id=f"{stack}-{path}-{role.name}")
            for stack, path, connections, policies, database in _database_engines()
            for role in database.static_roles if connections[role.connection].plugin == "postgresql"]


def generate_password(policy: PasswordPolicySpec | None) -> str:
    """A password as Vault's generator makes one from the policy (Vault's default policy:
    20 characters, at least one lower, upper and digit, when none is named)."""
    if policy is None:
        rules = [(string.ascii_lowercase, 1), (string.ascii_uppercase, 1), (string.digits, 1)]
        length = 20
    else:
        rules = [(rule.charset, rule.min_chars) for rule in policy.rules]
        length = policy.length
    chars = [secrets.choice(charset) for charset, minimum in rules for _ in range(minimum)]
    pool = "".join(sorted({c for charset, _ in rules for c in charset}))
    chars += [secrets.choice(pool) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def username(display: str, role: str) -> str:
    """Vault's default PostgreSQL username template: v-<display 8>-<role 8>-<random 20>-<unix time>, max 63."""
    random20 = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(20))
    return f"v-{display[:8]}-{role[:8]}-{random20}-{int(time.time())}"[:63]


def render(statements, **values: str) -> list[str]:
    rendered = []
    for statement in statements:
        for key, value in values.items():
            statement = statement.replace("{{" + key + "}}", value)
        assert "{{" not in statement, f"unrendered template in {statement!r}"
        rendered.append(statement)
    return rendered


def expiration(delta: timedelta) -> str:
    """Vault's {{expiration}}: `2006-01-02 15:04:05-0700`."""
    return (datetime.now(timezone.utc) + delta).strftime("%Y-%m-%d %H:%M:%S%z")


@pytest.fixture
def databases(postgres):
    with stack_databases(postgres) as created:
        yield created


def database_of(connection: DatabaseConnectionSpec) -> str:
    """The database a connection URL names (``postgresql://...@host:5432/<database>?...``)."""
    return urlsplit(connection.connection_url).path.lstrip("/")


def run_as_vault(server: dict, statements: list[str]) -> None:
    """What Vault's PostgreSQL plugin does: all statements in one transaction, as its connection user."""
    with psycopg.connect(**server, user=ADMIN, password=ADMIN_PASSWORD) as connection:
        with connection.transaction():
            for statement in statements:
                connection.execute(statement)


def test_every_shipped_role_and_database_is_covered():
    names = {param.values[1].name for param in shipped_roles()}
    assert names, "the stacks ship database roles"
    assert names <= set(EXPECTED), f"add the expected grants of {sorted(names - set(EXPECTED))} to {DATA_FILE.name}"
    named = {database_of(param.values[2]) for param in shipped_roles()}
    assert named <= set(DATABASES), f"add the databases {sorted(named - set(DATABASES))} to {DATA_FILE.name}"
    for param in shipped_roles():
        assert EXPECTED[param.values[1].name]["database"] == database_of(param.values[2]), param.id


@pytest.mark.parametrize("stack, role, connection, policy", shipped_roles())
def test_generated_user_has_exactly_its_grants_and_is_gone_after_revocation(
        databases, postgres_server, stack, role, connection: DatabaseConnectionSpec, policy):
    analytics = databases[database_of(connection)]
    name, password = username("kubernetes-analytics", role.name), generate_password(policy)
    values = {"name": name, "password": password, "expiration": expiration(timedelta(hours=1)),
              "username": ADMIN}
    run_as_vault(analytics, render(role.creation_statements, **values))
    assert_exact_grants(analytics, role.name, name, password)
    assert role_exists(postgres_server, name)

    run_as_vault(analytics, render(role.revocation_statements, **values))
    assert not role_exists(postgres_server, name)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(**analytics, user=name, password=password).close()


@pytest.mark.parametrize("stack, role, connection, policy", shipped_roles())
def test_rollback_removes_a_half_created_user(databases, postgres_server, stack, role, connection, policy):
    analytics = databases[database_of(connection)]
    name, password = username("kubernetes-analytics", role.name), generate_password(policy)
    values = {"name": name, "password": password, "expiration": expiration(timedelta(hours=1))}
    run_as_vault(analytics, render(role.creation_statements[:2], **values))  # creation failed half-way
    assert role_exists(postgres_server, name)
    run_as_vault(analytics, render(role.rollback_statements or role.revocation_statements, **values))
    assert not role_exists(postgres_server, name)


@pytest.mark.parametrize("stack, role, connection, policy", shipped_roles())
def test_an_expired_lease_cannot_log_in(databases, stack, role, connection, policy):
    analytics = databases[database_of(connection)]
    name, password = username("kubernetes-analytics", role.name), generate_password(policy)
    values = {"name": name, "password": password, "expiration": expiration(-timedelta(minutes=1))}
    run_as_vault(analytics, render(role.creation_statements, **values))
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(**analytics, user=name, password=password).close()


@pytest.mark.parametrize("role, connection, policy", shipped_static_roles())
def test_static_role_rotation_sets_a_password_the_user_logs_in_with(databases, role, connection, policy):
    analytics = databases[database_of(connection)]
    initial = DATABASES[database_of(connection)]["logins"][role.username]
    password = generate_password(policy)
    statements = role.rotation_statements or POSTGRES_STATIC_DEFAULT
    run_as_vault(analytics, render(statements, name=role.username, password=password))
    with psycopg.connect(**analytics, user=role.username, password=password) as user:
        assert user.execute("SELECT current_user").fetchone()[0] == role.username
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(**analytics, user=role.username, password=initial).close()
