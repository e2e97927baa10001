"""The SQL tests' databases, on the session's PostgreSQL server (``tests/databases.py``)."""

from __future__ import annotations

import time

import pytest


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
