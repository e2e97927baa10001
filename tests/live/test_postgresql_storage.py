"""PostgreSQL storage on a real PostgreSQL: a two-node pair booted from the PostgreSQL
example's rendered ``server.hcl`` (OpenBao 2.6.2 with the awskms seal on moto), on a
database prepared the way the schema Job prepares it — the shipped ``sql/vault-postgresql.sql``
applied by a non-superuser administrator, Vault logging in as its own least-privilege role
over TLS with ``sslmode=verify-full`` — one node active, the other standby, data written
through one read through the other, and a graceful handover when the active node stops.
(Handover times, kill -9 and graceful, are measured by ``./tasks bench``.)
"""

from __future__ import annotations

import psycopg
import pytest

from tests.live.deploy import boot, prepare_postgresql_storage
from tests.live.servers import wait_until


@pytest.fixture(scope="module")
def pair(stack_plan, tmp_path_factory, bao_awskms, test_ca, moto, postgres):
    plan = stack_plan("postgresql")
    storage = prepare_postgresql_storage(postgres, plan, test_ca, tmp_path_factory.mktemp("pg-storage"))
    cluster = boot(plan, tmp_path_factory.mktemp("pg-pair"), bao_awskms, test_ca, replicas=2, moto=moto,
                   storage=storage)
    yield cluster, storage, plan
    cluster.stop()
    postgres.execute(f"DROP DATABASE IF EXISTS {storage.database} WITH (FORCE)")


def _roles(cluster) -> dict[str, int]:
    return {node.name: node.health().status for node in cluster.nodes if node.process.poll() is None}


def test_one_node_is_active_the_other_standby(pair):
    cluster, _, _ = pair
    wait_until(lambda: sorted(_roles(cluster).values()) == [200, 429], 60, "one active node and one standby")
    nodes = wait_until(lambda: (n := cluster.client().get("sys/ha-status").expect(200).body["nodes"]) and
                       len(n) == 2 and n, 30, "both nodes in sys/ha-status (the standby echoes the active node)")
    assert sorted(n["active_node"] for n in nodes) == [False, True]


def test_vault_works_as_its_least_privilege_role_on_the_shipped_schema(pair, postgres):
    cluster, storage, plan = pair
    pg = plan.config.storage.postgresql
    with psycopg.connect(**{**postgres.superuser, "dbname": storage.database}) as connection:
        tables = {row[0] for row in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        owner_is_vault = connection.execute(
            "SELECT tableowner = %s FROM pg_tables WHERE tablename = %s", (pg.vault_role, pg.table)).fetchone()[0]
        can_create = connection.execute("SELECT has_schema_privilege(%s, 'public', 'CREATE')",
                                        (pg.vault_role,)).fetchone()[0]
        rows = connection.execute(f"SELECT count(*) FROM {pg.table}").fetchone()[0]
    assert {pg.table, pg.ha_table} <= tables and not owner_is_vault and not can_create
    assert rows > 0, "Vault keeps its data in the shipped table"
    standby = next(n for n in cluster.nodes if n.health().status == 429)
    active = next(n for n in cluster.nodes if n.health().status == 200)
    active.client(cluster.root).post("sys/mounts/kv", {"type": "kv", "options": {"version": "2"}}).expect(204)
    wait_until(lambda: active.client(cluster.root).post("kv/data/probe", {"data": {"v": "pg"}}).status == 200, 30,
               "the new mount serving")
    read = standby.client(cluster.root).get("kv/data/probe")  # the standby forwards to the active node
    assert read.status == 200 and read.data["data"] == {"v": "pg"}


def test_the_standby_takes_over_when_the_active_node_stops(pair):
    cluster, _, _ = pair
    active = next(n for n in cluster.nodes if n.health().status == 200)
    standby = next(n for n in cluster.nodes if n is not active)
    active.stop()  # SIGTERM: the lock is released on the way out
    wait_until(lambda: standby.health().status == 200, 60, "the standby active")
    assert standby.client(cluster.root).get("kv/data/probe").expect(200).data["data"] == {"v": "pg"}
    active.start()
    wait_until(lambda: active.health().status == 429, 60, "the stopped node back as a standby")
