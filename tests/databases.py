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

from tests.live.servers import free_port
from tests.live.tls import TestCA

ADMIN = "vault_admin"
ADMIN_PASSWORD = "vault-admin-password-for-tests"
READ = "read"
WRITE = "write"
EXPECTED = {"analytics-readonly": {READ}, "analytics-readwrite": {READ, WRITE}}
"""What each shipped role may do on the analytics schema (nothing else, anywhere)."""

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
def analytics_database(server: PostgresServer) -> Iterator[dict]:
    """The analytics database: tables owned by another role, Vault's administrator a
    non-superuser with CREATEROLE holding the grants it hands out (WITH GRANT OPTION),
    PUBLIC unable to connect, and a billing schema nobody generated may read. Removed
    afterwards, also after a failed setup, so that the next user starts clean."""
    try:
        server.execute(f"CREATE ROLE {ADMIN} LOGIN CREATEROLE PASSWORD '{ADMIN_PASSWORD}'",
                       "CREATE ROLE analytics_owner NOLOGIN",
                       "CREATE ROLE analytics_etl LOGIN PASSWORD 'initial-etl-password'",
                       "CREATE DATABASE analytics OWNER analytics_owner",
                       "REVOKE ALL ON DATABASE analytics FROM PUBLIC",
                       f"GRANT CONNECT ON DATABASE analytics TO {ADMIN} WITH GRANT OPTION",
                       "GRANT CONNECT ON DATABASE analytics TO analytics_etl")
        server.execute(*SCHEMA, dbname="analytics")
        yield {"host": server.host, "port": server.port, "dbname": "analytics"}
    finally:
        with psycopg.connect(**server.superuser, autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS analytics WITH (FORCE)")
            leftovers = [row[0] for row in connection.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE 'v-%'")]
            for role in [*leftovers, ADMIN, "analytics_owner", "analytics_etl"]:
                connection.execute(f'DROP ROLE IF EXISTS "{role}"')


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
    """The generated user ``name`` can do on the analytics schema exactly what ``role`` is
    expected to (:data:`EXPECTED`), and nothing else anywhere."""
    can = EXPECTED[role]
    with psycopg.connect(**database, user=name, password=password, autocommit=True) as user:
        assert user.execute("SELECT count(*) FROM analytics.events").fetchone()[0] >= 1
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
