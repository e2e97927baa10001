"""A throw-away PostgreSQL server (Debian's postgresql package) and the analytics database
the stacks' database engines use — shared by the SQL tests and the live tier.

initdb refuses to run as root, so the server runs as the `postgres` user in a temporary
directory, on a Unix socket and a loopback port, with TLS (a certificate from the test
CA) so that ``sslmode=verify-full`` is proven as the stacks ask for it. Local (socket)
connections as the superuser are trusted, for setting up; every TCP connection must
authenticate with a password (scram), as against a real database. Where no PostgreSQL
server is installed the tests fail: `./tasks test` installs it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator, Optional

import psycopg
import pytest
import yaml

from tests.live.servers import free_port
from tests.live.tls import TestCA

ADMIN = "vault_admin"
ADMIN_PASSWORD = "vault-admin-password-for-tests"
DATA_FILE = Path(__file__).resolve().parent / "sql" / "databases.yaml"
PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")


def _data() -> dict:
    data = yaml.safe_load(DATA_FILE.read_text())
    for name, role in data["roles"].items():
        unknown = set(role["privileges"]) - set(PRIVILEGES)
        assert not unknown, f"{DATA_FILE.name}: role {name}: unknown privileges {sorted(unknown)}"
        assert role["schema"] in data["databases"][role["database"]]["schemas"], f"{DATA_FILE.name}: role {name}"
    return data


DATA = _data()
DATABASES: dict[str, dict] = DATA["databases"]
"""Each database the stacks name: its owner, existing logins, schemas and tables."""
EXPECTED: dict[str, dict] = DATA["roles"]
"""What each database role the stacks declare may do: database, schema, table privileges."""


def schema_statements(database: str) -> list[str]:
    """Run as the superuser inside ``database``: its schemas and tables, owned by the owner;
    Vault's administrator holding (WITH GRANT OPTION) exactly what the roles hand out."""
    spec = DATABASES[database]
    owner = spec["owner"]
    statements = ["REVOKE CREATE ON SCHEMA public FROM PUBLIC"]
    for schema, tables in spec["schemas"].items():
        statements.append(f"CREATE SCHEMA {schema} AUTHORIZATION {owner}")
        for table, columns in tables.items():
            statements += [f"CREATE TABLE {schema}.{table} ({columns})", f"ALTER TABLE {schema}.{table} OWNER TO {owner}"]
        handed_out = sorted({p for role in EXPECTED.values() if (role["database"], role["schema"]) == (database, schema)
                             for p in role["privileges"]})
        if handed_out:
            statements += [f"GRANT USAGE ON SCHEMA {schema} TO {ADMIN} WITH GRANT OPTION",
                           f"GRANT {', '.join(handed_out)} ON ALL TABLES IN SCHEMA {schema} TO {ADMIN} WITH GRANT OPTION",
                           f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {ADMIN} WITH GRANT OPTION"]
    return statements


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        pytest.fail("PostgreSQL server binaries are missing: run `./tasks setup` (it installs Debian's postgresql)")
    return found[-1]


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class PostgresServer:
    """One server; ``superuser`` connects over the socket, ``host``/``port`` over TCP with TLS."""

    def __init__(self, ca: Optional[TestCA] = None):
        self.workdir = Path(tempfile.mkdtemp(prefix="vault-platform-pg-"))
        data, sockets = self.workdir / "data", self.workdir / "sockets"
        for path in (data, sockets):
            path.mkdir()
        self.port = free_port()
        self.host = "127.0.0.1"
        options = f"-p {self.port} -k {sockets} -c listen_addresses=127.0.0.1"
        if ca is not None:
            certificate = ca.issue("postgresql", ("localhost",), ("127.0.0.1",))
            shutil.copy(certificate.cert, self.workdir / "server.crt")
            shutil.copy(certificate.key, self.workdir / "server.key")
            (self.workdir / "server.key").chmod(0o600)
            options += (f" -c ssl=on -c ssl_cert_file={self.workdir / 'server.crt'}"
                        f" -c ssl_key_file={self.workdir / 'server.key'}")
        if os.geteuid() == 0:
            for path in (self.workdir, data, sockets, *self.workdir.glob("server.*")):
                shutil.chown(path, "postgres")
        subprocess.run(_as_postgres([_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth-local=trust",
                                     "--auth-host=scram-sha-256", "-E", "UTF8"]), check=True, capture_output=True)
        self.data = data
        subprocess.run(_as_postgres([_bin("pg_ctl"), "-D", str(data), "-l", str(self.workdir / "server.log"), "-w",
                                     "-o", options, "start"]), check=True, capture_output=True)
        self.superuser = {"host": str(sockets), "port": self.port, "user": "postgres", "dbname": "postgres"}

    def stop(self) -> None:
        subprocess.run(_as_postgres([_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"]),
                       capture_output=True)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def execute(self, *statements: str, dbname: str = "postgres") -> None:
        with psycopg.connect(**{**self.superuser, "dbname": dbname}, autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)

    def as_dict(self) -> dict:
        return {"superuser": self.superuser, "host": self.host, "port": self.port}


@contextlib.contextmanager
def stack_databases(server: PostgresServer) -> Iterator[dict[str, dict]]:
    """Every database of :data:`DATABASES`: tables owned by another role, Vault's
    administrator a non-superuser with CREATEROLE holding the grants it hands out (WITH
    GRANT OPTION), PUBLIC unable to connect, and schemas nobody generated may read. Yields
    name -> connection settings. Removed afterwards, also after a failed setup, so that the
    next user starts clean."""
    owners = sorted({spec["owner"] for spec in DATABASES.values()})
    logins = {name: password for spec in DATABASES.values() for name, password in (spec.get("logins") or {}).items()}
    try:
        server.execute(f"CREATE ROLE {ADMIN} LOGIN CREATEROLE PASSWORD '{ADMIN_PASSWORD}'",
                       *(f"CREATE ROLE {owner} NOLOGIN" for owner in owners),
                       *(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'" for name, password in logins.items()))
        for database, spec in DATABASES.items():
            server.execute(f"CREATE DATABASE {database} OWNER {spec['owner']}",
                           f"REVOKE ALL ON DATABASE {database} FROM PUBLIC",
                           f"GRANT CONNECT ON DATABASE {database} TO {ADMIN} WITH GRANT OPTION",
                           *(f"GRANT CONNECT ON DATABASE {database} TO {name}" for name in spec.get("logins") or {}))
            server.execute(*schema_statements(database), dbname=database)
        yield {database: {"host": server.host, "port": server.port, "dbname": database} for database in DATABASES}
    finally:
        with psycopg.connect(**server.superuser, autocommit=True) as connection:
            for database in DATABASES:
                connection.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            leftovers = [row[0] for row in connection.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE 'v-%'")]
            for role in [*leftovers, ADMIN, *owners, *logins]:
                connection.execute(f'DROP ROLE IF EXISTS "{role}"')


@contextlib.contextmanager
def analytics_database(server: PostgresServer) -> Iterator[dict]:
    """:func:`stack_databases`, yielding the analytics database's settings (what the
    stacks' shipped connections use)."""
    with stack_databases(server) as databases:
        yield databases["analytics"]


def role_exists(server: dict, name: str) -> bool:
    with psycopg.connect(**server["superuser"]) as connection:
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


def assert_exact_grants(database: dict, role: str, name: str, password: str) -> None:
    """The generated user ``name`` may do exactly what :data:`EXPECTED` says ``role`` may —
    on every table of the database, as PostgreSQL itself answers (``has_table_privilege``)
    and as real statements show — and nothing else: no other schema, no DDL, no roles."""
    expected = EXPECTED[role]
    spec = DATABASES[expected["database"]]
    tables = [(schema, table) for schema, names in spec["schemas"].items() for table in names]
    with psycopg.connect(**database, user=name, password=password, autocommit=True) as user:
        for schema, table in tables:
            wanted = set(expected["privileges"]) if schema == expected["schema"] else set()
            held = {p for p in PRIVILEGES if user.execute(
                "SELECT has_table_privilege(%s, c.oid, %s) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relname = %s", (name, p, schema, table)).fetchone()[0]}
            assert held == wanted, f"{name} ({role}) on {schema}.{table}: holds {sorted(held)}, expected {sorted(wanted)}"
            usage = user.execute("SELECT has_schema_privilege(%s, n.oid, 'USAGE') FROM pg_namespace n "
                                 "WHERE n.nspname = %s", (name, schema)).fetchone()[0]
            assert usage == (schema == expected["schema"]), f"{name} ({role}): USAGE on schema {schema} is {usage}"
            statements = {"SELECT": f"SELECT count(*) FROM {schema}.{table}",
                          "INSERT": f"INSERT INTO {schema}.{table} SELECT * FROM {schema}.{table} WHERE false",
                          "DELETE": f"DELETE FROM {schema}.{table} WHERE false"}
            for privilege, statement in statements.items():
                if privilege in wanted and (privilege == "SELECT" or "SELECT" in wanted):
                    assert allowed(user, statement), statement
                elif privilege not in wanted:
                    assert denied(user, statement), statement
        schema = expected["schema"]
        for statement in (f"CREATE TABLE {schema}.mine (id int)", "CREATE TABLE public.mine (id int)",
                          "CREATE SCHEMA mine", f"DROP TABLE {tables[0][0]}.{tables[0][1]}",
                          f"ALTER TABLE {tables[0][0]}.{tables[0][1]} ADD COLUMN extra text",
                          f'CREATE ROLE "{name}-copy"'):
            assert denied(user, statement), statement
