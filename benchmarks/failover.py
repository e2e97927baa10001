"""Failover benchmarks: how long a real cluster is without an active node when the active
node dies (``kill -9``) or stops gracefully (SIGTERM), for both storage backends the stacks
offer — booted from the stacks' own rendered configurations with the live tier's helpers
(tests/live): a three-node Raft cluster from staging's ``server.hcl`` and a two-node
PostgreSQL pair from the PostgreSQL example's, both on OpenBao 2.6.2 with the awskms seal
on moto's KMS.

The figure is the time from the signal until another node answers ``sys/health`` as the
active node (polled every 20 ms). Each case is repeated (``--repeat``) and the min, median
and max printed. Nothing fails: a slow machine gives larger figures.

    python benchmarks/failover.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))


def _failover(cluster, how: int) -> float:
    """Seconds from signalling the active node until another node is active."""
    from tests.live.servers import wait_until

    active = next(node for node in cluster.nodes if node.health().status == 200)
    others = [node for node in cluster.nodes if node is not active]
    started = time.perf_counter()
    active.signal(how)
    wait_until(lambda: any(node.health().status == 200 for node in others), 60, "a new active node", interval=0.02)
    elapsed = time.perf_counter() - started
    active.stop()
    active.start()
    wait_until(lambda: active.health().status == 429, 120, "the old active node back as a standby")
    if len(cluster.nodes) == 3:  # Raft: wait for the quorum's full strength again
        wait_until(lambda: _voters(cluster) == 3, 120, "three voters again")
    return elapsed


def _voters(cluster) -> int:
    servers = cluster.client().get("sys/storage/raft/configuration").data.get("config", {}).get("servers", [])
    return sum(1 for server in servers if server["voter"])


def measure(repeat: int) -> dict[tuple[str, str], list[float]]:
    from tests.databases import PostgresServer
    from tests.live.deploy import boot, prepare_postgresql_storage
    from tests.live.servers import MotoServer, bao_binary, wait_until
    from tests.live.tls import TestCA
    from vault_platform.plan.program import run_plan

    figures: dict[tuple[str, str], list[float]] = {}
    work = Path(tempfile.mkdtemp(prefix="vault-platform-failover-"))
    ca, moto = TestCA(work / "ca"), MotoServer(work / "moto")
    postgres = PostgresServer(ca)
    binary = bao_binary("2.6")
    try:
        raft = boot(run_plan("staging", PROJECT), work / "raft", binary, ca, replicas=3, moto=moto)
        try:
            wait_until(lambda: _voters(raft) == 3, 120, "three voters")
            for name, how in (("kill -9", signal.SIGKILL), ("SIGTERM", signal.SIGTERM)):
                figures[("Raft, 3 nodes", name)] = [_failover(raft, how) for _ in range(repeat)]
        finally:
            raft.stop()
        plan = run_plan("postgresql", PROJECT)
        storage = prepare_postgresql_storage(postgres, plan, ca, work / "pg")
        pair = boot(plan, work / "pg-pair", binary, ca, replicas=2, moto=moto, storage=storage)
        try:
            wait_until(lambda: sorted(n.health().status for n in pair.nodes) == [200, 429], 60, "active and standby")
            for name, how in (("kill -9", signal.SIGKILL), ("SIGTERM", signal.SIGTERM)):
                figures[("PostgreSQL, 2 nodes", name)] = [_failover(pair, how) for _ in range(repeat)]
        finally:
            pair.stop()
    finally:
        postgres.stop()
        moto.stop()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    figures = measure(args.repeat)
    print("\nfailover: seconds without an active node after the active node is stopped")
    print(f"{'storage':<22} {'signal':<8} {'min':>7} {'median':>7} {'max':>7}  runs")
    for (storage, how), values in figures.items():
        print(f"{storage:<22} {how:<8} {min(values):7.2f} {statistics.median(values):7.2f} {max(values):7.2f}  "
              f"{len(values)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
