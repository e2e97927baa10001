"""The PostgreSQL schema Vault's storage backend needs, on a real PostgreSQL.

The statements below are the ones Vault's PostgreSQL backend issues (physical/postgresql
in Vault's source: put is an upsert on (path, key), get and delete by (path, key), list
by path and parent path, the HA lock an upsert that steals only expired locks), run as
the least-privilege role the schema creates.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import psycopg
import pytest

SCHEMA = Path(__file__).resolve().parents[2] / "sql" / "vault-postgresql.sql"
VAULT_PASSWORD = "s3cret-for-tests"

PUT = ("INSERT INTO vault_kv_store VALUES($1, $2, $3, $4) ON CONFLICT (path, key) DO "
       "UPDATE SET (parent_path, path, key, value) = ($1, $2, $3, $4)")
GET = "SELECT value FROM vault_kv_store WHERE path = $1 AND key = $2"
DELETE = "DELETE FROM vault_kv_store WHERE path = $1 AND key = $2"
LIST = ("SELECT key FROM vault_kv_store WHERE path = $1 UNION ALL SELECT DISTINCT "
        "substring(substr(path, length($1)+1) from '^.*?/') FROM vault_kv_store WHERE parent_path LIKE $1 || '%'")
LOCK = ("INSERT INTO vault_ha_locks as t (ha_identity, ha_key, ha_value, valid_until) "
        "VALUES ($1, $2, $3, NOW() + $4 * INTERVAL '1 seconds') ON CONFLICT (ha_key) DO "
        "UPDATE SET (ha_identity, ha_key, ha_value, valid_until) = ($1, $2, $3, NOW() + $4 * INTERVAL '1 seconds') "
        "WHERE (t.valid_until < NOW() AND t.ha_key = $2) OR (t.ha_identity = $1 AND t.ha_key = $2)")
LOCK_VALUE = "SELECT ha_value FROM vault_ha_locks WHERE NOW() <= valid_until AND ha_key = $1"
UNLOCK = "DELETE FROM vault_ha_locks WHERE ha_identity=$1 AND ha_key=$2"


def split_key(full_path: str) -> tuple[str, str, str]:
    """Vault's splitKey: "a/b/c" -> parent "/a/", path "/a/b/", key "c"."""
    pieces = full_path.split("/")
    key = pieces[-1]
    if len(pieces) == 1:
        return "", "/", key
    if len(pieces) == 2:
        return "/", f"/{pieces[0]}/", key
    return "/" + "/".join(pieces[:-2]) + "/", "/" + "/".join(pieces[:-1]) + "/", key


def apply_schema(database: dict) -> subprocess.CompletedProcess:
    """As the Job does: psql with ON_ERROR_STOP and the variables."""
    return subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", "kv_table=vault_kv_store", "-v", "ha_table=vault_ha_locks",
         "-v", "vault_role=vault", "-v", f"vault_password={VAULT_PASSWORD}", "-f", str(SCHEMA),
         "-h", database["host"], "-p", str(database["port"]), "-U", database["user"], database["dbname"]],
        capture_output=True, text=True, timeout=60, env={**os.environ, "PGPASSWORD": database["password"]},
    )


def as_vault(database: dict) -> psycopg.Connection:
    return psycopg.connect(host=database["host"], port=database["port"], dbname=database["dbname"], user="vault",
                           password=VAULT_PASSWORD, autocommit=True,
                           cursor_factory=psycopg.RawCursor)  # Vault's statements use $1 placeholders


def as_admin(database: dict) -> psycopg.Connection:
    return psycopg.connect(**database, autocommit=True)


@pytest.fixture
def vault_db(fresh_database):
    done = apply_schema(fresh_database)
    assert done.returncode == 0, done.stderr
    return fresh_database


def test_schema_applies_twice_and_leaves_one_of_each(fresh_database):
    for _ in range(2):
        done = apply_schema(fresh_database)
        assert done.returncode == 0, done.stderr
    with as_admin(fresh_database) as db:
        tables = db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").fetchall()
        assert tables == [("vault_ha_locks",), ("vault_kv_store",)]
        indexes = db.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1").fetchall()
        assert indexes == [("vault_ha_locks_pkey",), ("vault_kv_store_parent_path_idx",), ("vault_kv_store_pkey",)]
        assert db.execute("SELECT count(*) FROM pg_roles WHERE rolname = 'vault'").fetchone() == (1,)
        flags = db.execute("SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin, rolreplication FROM pg_roles "
                           "WHERE rolname = 'vault'").fetchone()
        assert flags == (False, False, False, True, False)
        assert db.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone() == (False,)


def test_vault_role_needs_its_password(vault_db):
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(host=vault_db["host"], port=vault_db["port"], dbname=vault_db["dbname"], user="vault",
                        password="wrong")


def put(db, full_path: str, value: bytes) -> None:
    db.execute(PUT, (*split_key(full_path), value))


def test_put_get_overwrite_delete(vault_db):
    with as_vault(vault_db) as db:
        put(db, "core/seal-config", b"v1")
        put(db, "core/seal-config", b"v2")  # the upsert overwrites
        assert db.execute(GET, split_key("core/seal-config")[1:]).fetchall() == [(b"v2",)]
        db.execute(DELETE, split_key("core/seal-config")[1:])
        assert db.execute(GET, split_key("core/seal-config")[1:]).fetchall() == []


def test_list_by_parent_path(vault_db):
    with as_vault(vault_db) as db:
        for path in ("logical/abc/key1", "logical/abc/key2", "logical/abc/sub/deep/key3", "logical/other/key4",
                     "top"):
            put(db, path, b"x")
        listed = sorted(row[0] for row in db.execute(LIST, ("/logical/abc/",)).fetchall())
        assert listed == ["key1", "key2", "sub/"]
        assert sorted(row[0] for row in db.execute(LIST, ("/logical/",)).fetchall()) == ["abc/", "other/"]
        assert [row[0] for row in db.execute(LIST, ("/",)).fetchall() if row[0] == "top"] == ["top"]


def test_ha_lock_acquire_renew_release_and_expiry(vault_db):
    with as_vault(vault_db) as db:
        assert db.execute(LOCK, ("node-a", "core/lock", "https://vault-0:8200", 15)).rowcount == 1
        # another node cannot take a live lock
        assert db.execute(LOCK, ("node-b", "core/lock", "https://vault-1:8200", 15)).rowcount == 0
        assert db.execute(LOCK_VALUE, ("core/lock",)).fetchall() == [("https://vault-0:8200",)]
        # the holder renews
        assert db.execute(LOCK, ("node-a", "core/lock", "https://vault-0:8200", 15)).rowcount == 1
        # release: the lock is gone and another node takes it
        assert db.execute(UNLOCK, ("node-a", "core/lock")).rowcount == 1
        assert db.execute(LOCK_VALUE, ("core/lock",)).fetchall() == []
        assert db.execute(LOCK, ("node-b", "core/lock", "https://vault-1:8200", 1)).rowcount == 1
        # expiry: node-b stops renewing; after its TTL node-c steals the lock
        time.sleep(1.2)
        assert db.execute(LOCK_VALUE, ("core/lock",)).fetchall() == []
        assert db.execute(LOCK, ("node-c", "core/lock", "https://vault-2:8200", 15)).rowcount == 1
        assert db.execute(LOCK_VALUE, ("core/lock",)).fetchall() == [("https://vault-2:8200",)]


def test_vault_role_cannot_create_or_read_other_tables(vault_db):
    with as_admin(vault_db) as admin:
        admin.execute("CREATE TABLE payroll (id int, salary int)")
        admin.execute("INSERT INTO payroll VALUES (1, 100)")
    with as_vault(vault_db) as db:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            db.execute("CREATE TABLE sneaky (id int)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            db.execute("SELECT * FROM payroll")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            db.execute("DROP TABLE vault_kv_store")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            db.execute("ALTER TABLE vault_kv_store ADD COLUMN x int")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            db.execute("TRUNCATE vault_ha_locks")


def test_split_key_matches_vault():
    assert split_key("a") == ("", "/", "a")
    assert split_key("a/b") == ("/", "/a/", "b")
    assert split_key("a/b/c/d") == ("/a/b/", "/a/b/c/", "d")
