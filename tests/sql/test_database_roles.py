"""The shipped database roles on a real PostgreSQL: each stack's dynamic roles are
rendered the way Vault renders them (``{{name}}``, ``{{password}}`` from the stack's
password policy, ``{{expiration}}``), executed by a non-superuser administrator as
Vault's connection user would, and the generated user is proven to have exactly its
grants; then the revocation (and rollback) statements run and the user is gone.
The static role's default rotation is exercised on the existing user it names.

Every role a stack ships must have its expected grants in ``EXPECTED`` below, so a new
role cannot go untested.
"""

from __future__ import annotations

import secrets
import string
import time
from datetime import datetime, timedelta, timezone

import psycopg
import pytest

from components.config import load_stack_file
from components.config.vault.engines import DatabaseConnectionSpec, PasswordPolicySpec
from tests.conftest import PROJECT, STACKS

READ = "read"
WRITE = "write"
EXPECTED = {"analytics-readonly": {READ}, "analytics-readwrite": {READ, WRITE}}
"""What each shipped role may do on the analytics schema (nothing else, anywhere)."""

ADMIN = "vault_admin"
ADMIN_PASSWORD = "vault-admin-password-for-tests"
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
    return [pytest.param(role, policies.get(connections[role.connection].password_policy or ""),
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


SCHEMA = (
    "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
    "CREATE SCHEMA analytics AUTHORIZATION analytics_owner",
    "CREATE TABLE analytics.events (id bigserial PRIMARY KEY, payload text NOT NULL)",
    "CREATE TABLE analytics.reports (id bigserial PRIMARY KEY, title text NOT NULL)",
    "ALTER TABLE analytics.events OWNER TO analytics_owner",
    "ALTER TABLE analytics.reports OWNER TO analytics_owner",
    "INSERT INTO analytics.events (payload) VALUES ('first'), ('second')",
    "CREATE SCHEMA billing AUTHORIZATION analytics_owner",
    "CREATE TABLE billing.invoices (id int PRIMARY KEY, amount numeric NOT NULL)",
    "ALTER TABLE billing.invoices OWNER TO analytics_owner",
    f"GRANT USAGE ON SCHEMA analytics TO {ADMIN} WITH GRANT OPTION",
    f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA analytics TO {ADMIN} WITH GRANT OPTION",
    f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA analytics TO {ADMIN} WITH GRANT OPTION",
)
"""Run as the superuser inside the analytics database."""


@pytest.fixture
def analytics(postgres_server):
    """The analytics database: tables owned by another role, Vault's administrator a
    non-superuser with CREATEROLE holding the grants it hands out (WITH GRANT OPTION),
    PUBLIC unable to connect, and a billing schema nobody generated may read."""
    superuser = postgres_server["superuser"]
    try:
        with psycopg.connect(**superuser, autocommit=True) as connection:
            connection.execute(f"CREATE ROLE {ADMIN} LOGIN CREATEROLE PASSWORD '{ADMIN_PASSWORD}'")
            connection.execute("CREATE ROLE analytics_owner NOLOGIN")
            connection.execute("CREATE ROLE analytics_etl LOGIN PASSWORD 'initial-etl-password'")
            connection.execute("CREATE DATABASE analytics OWNER analytics_owner")
            connection.execute("REVOKE ALL ON DATABASE analytics FROM PUBLIC")
            connection.execute(f"GRANT CONNECT ON DATABASE analytics TO {ADMIN} WITH GRANT OPTION")
            connection.execute("GRANT CONNECT ON DATABASE analytics TO analytics_etl")
        with psycopg.connect(**{**superuser, "dbname": "analytics"}, autocommit=True) as connection:
            for statement in SCHEMA:
                connection.execute(statement)
        yield {"host": postgres_server["host"], "port": postgres_server["port"], "dbname": "analytics"}
    finally:  # also after a failed setup, so that the next test starts clean
        with psycopg.connect(**superuser, autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS analytics WITH (FORCE)")
            leftovers = [row[0] for row in connection.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE 'v-%'")]
            for role in [*leftovers, ADMIN, "analytics_owner", "analytics_etl"]:
                connection.execute(f'DROP ROLE IF EXISTS "{role}"')


def run_as_vault(server: dict, statements: list[str]) -> None:
    """What Vault's PostgreSQL plugin does: all statements in one transaction, as its connection user."""
    with psycopg.connect(**server, user=ADMIN, password=ADMIN_PASSWORD) as connection:
        with connection.transaction():
            for statement in statements:
                connection.execute(statement)


def role_exists(postgres_server, name: str) -> bool:
    with psycopg.connect(**postgres_server["superuser"]) as connection:
        return connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is not None


def denied(connection: psycopg.Connection, statement: str) -> bool:
    try:
        with connection.transaction():
            connection.execute(statement)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


def allowed(connection: psycopg.Connection, statement: str) -> bool:
    with connection.transaction():
        connection.execute(statement)
    return True


def test_every_shipped_role_is_covered():
    names = {param.values[1].name for param in shipped_roles()}
    assert names, "the stacks ship database roles"
    assert names <= set(EXPECTED), f"add the expected grants of {sorted(names - set(EXPECTED))} to EXPECTED"


@pytest.mark.parametrize("stack, role, connection, policy", shipped_roles())
def test_generated_user_has_exactly_its_grants_and_is_gone_after_revocation(
        analytics, postgres_server, stack, role, connection: DatabaseConnectionSpec, policy):
    name, password = username("kubernetes-analytics", role.name), generate_password(policy)
    values = {"name": name, "password": password, "expiration": expiration(timedelta(hours=1)),
              "username": ADMIN}
    run_as_vault(analytics, render(role.creation_statements, **values))
    can = EXPECTED[role.name]
    with psycopg.connect(**analytics, user=name, password=password, autocommit=True) as user:
        assert user.execute("SELECT count(*) FROM analytics.events").fetchone()[0] == 2
        assert allowed(user, "SELECT count(*) FROM analytics.reports")
        writes = ["INSERT INTO analytics.events (payload) VALUES ('from a lease')",
                  "UPDATE analytics.events SET payload = 'changed' WHERE id = 1",
                  "DELETE FROM analytics.events WHERE id = 2"]
        for statement in writes:
            if WRITE in can:
                assert allowed(user, statement), statement
            else:
                assert denied(user, statement), statement
        for statement in ("SELECT * FROM billing.invoices", "TRUNCATE analytics.events",
                          "DROP TABLE analytics.reports", "CREATE TABLE analytics.mine (id int)",
                          "CREATE TABLE public.mine (id int)", "CREATE SCHEMA mine",
                          "ALTER TABLE analytics.events ADD COLUMN extra text", f'CREATE ROLE "{name}-copy"'):
            assert denied(user, statement), statement
    assert role_exists(postgres_server, name)

    run_as_vault(analytics, render(role.revocation_statements, **values))
    assert not role_exists(postgres_server, name)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(**analytics, user=name, password=password).close()


@pytest.mark.parametrize("stack, role, connection, policy", shipped_roles())
def test_rollback_removes_a_half_created_user(analytics, postgres_server, stack, role, connection, policy):
    name, password = username("kubernetes-analytics", role.name), generate_password(policy)
    values = {"name": name, "password": password, "expiration": expiration(timedelta(hours=1))}
    run_as_vault(analytics, render(role.creation_statements[:2], **values))  # creation failed half-way
    assert role_exists(postgres_server, name)
    run_as_vault(analytics, render(role.rollback_statements or role.revocation_statements, **values))
    assert not role_exists(postgres_server, name)


@pytest.mark.parametrize("stack, role, connection, policy", shipped_roles())
def test_an_expired_lease_cannot_log_in(analytics, stack, role, connection, policy):
    name, password = username("kubernetes-analytics", role.name), generate_password(policy)
    values = {"name": name, "password": password, "expiration": expiration(-timedelta(minutes=1))}
    run_as_vault(analytics, render(role.creation_statements, **values))
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(**analytics, user=name, password=password).close()


@pytest.mark.parametrize("role, policy", shipped_static_roles())
def test_static_role_rotation_sets_a_password_the_user_logs_in_with(analytics, role, policy):
    password = generate_password(policy)
    statements = role.rotation_statements or POSTGRES_STATIC_DEFAULT
    run_as_vault(analytics, render(statements, name=role.username, password=password))
    with psycopg.connect(**analytics, user=role.username, password=password) as user:
        assert user.execute("SELECT current_user").fetchone()[0] == role.username
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(**analytics, user=role.username, password="initial-etl-password").close()
