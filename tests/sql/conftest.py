"""A throw-away PostgreSQL server for the SQL tests (Debian's postgresql package).

initdb refuses to run as root, so the server runs as the `postgres` user in a
temporary directory, listening on a Unix socket and a loopback port. It is stopped
at the end of the session. Where no PostgreSQL server is installed the tests fail:
`./tasks test` installs it.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        pytest.fail("PostgreSQL server binaries are missing: run `./tasks setup` (it installs Debian's postgresql)")
    return found[-1]


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@pytest.fixture(scope="session")
def postgres_server():
    """``dict(host, port, user, dbname)`` of a running server whose superuser is `postgres`."""
    workdir = Path(tempfile.mkdtemp(prefix="vault-platform-pg-"))
    data, sockets = workdir / "data", workdir / "sockets"
    data.mkdir()
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres")
        for path in (data, sockets):
            shutil.chown(path, "postgres")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Local (socket) connections as the superuser are trusted, for setting up; every TCP
    # connection must authenticate with a password (scram), as against a real database.
    subprocess.run(_as_postgres([_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth-local=trust",
                                 "--auth-host=scram-sha-256", "-E", "UTF8"]),
                   check=True, capture_output=True)
    log = workdir / "server.log"
    subprocess.run(_as_postgres([_bin("pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o",
                                 f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1", "start"]),
                   check=True, capture_output=True)
    superuser = {"host": str(sockets), "port": port, "user": "postgres", "dbname": "postgres"}
    try:
        yield {"superuser": superuser, "host": "127.0.0.1", "port": port}
    finally:
        subprocess.run(_as_postgres([_bin("pg_ctl"), "-D", str(data), "-m", "fast", "stop"]), capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)


ADMIN_PASSWORD = "admin-password-for-tests"


@pytest.fixture
def fresh_database(postgres_server):
    """A new database owned by an administrator that is *not* a superuser (CREATEROLE,
    as RDS's master user), reached over TCP with a password. Dropped afterwards."""
    import psycopg

    name = f"t{int(time.time() * 1e6)}"
    admin_role = f"admin_{name}"
    with psycopg.connect(**postgres_server["superuser"], autocommit=True) as connection:
        connection.execute(f"CREATE ROLE {admin_role} LOGIN CREATEROLE PASSWORD '{ADMIN_PASSWORD}'")
        connection.execute(f'CREATE DATABASE "{name}" OWNER {admin_role}')
    yield {"host": postgres_server["host"], "port": postgres_server["port"], "user": admin_role,
           "password": ADMIN_PASSWORD, "dbname": name}
    with psycopg.connect(**postgres_server["superuser"], autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        connection.execute("DROP ROLE IF EXISTS vault")
        connection.execute(f"DROP ROLE {admin_role}")
