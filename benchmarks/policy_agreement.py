"""Policy dialects against the real server: the corpus of 150 public policies
(tests/vault_acl/corpus) written to an OpenBao 2.7 server booted from the dev stack's
rendered configuration (the live tier's helpers), and for each dialect how many policies
the offline parser accepts or refuses as the server does, and how many probe paths the
evaluator answers as ``sys/capabilities`` does. Where a Vault dialect disagrees it is where
Vault itself decides differently from OpenBao (README, Policy dialects).

    python benchmarks/policy_agreement.py [--details N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))


def main() -> int:
    from tests.live.deploy import boot
    from tests.live.policy_agreement import measure
    from tests.live.servers import bao_binary
    from tests.live.tls import TestCA
    from vault_acl import DIALECTS
    from vault_platform.plan.program import run_plan

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", type=int, default=5, help="disagreements shown per dialect")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vault-platform-dialects-"))
    cluster = boot(run_plan("dev", PROJECT), work / "server", bao_binary("2.7"), TestCA(work / "ca"))
    try:
        results = measure(cluster.client(), sorted(DIALECTS))
    finally:
        cluster.stop()
    print("\npolicy dialects against OpenBao 2.7.2 (150 public policies)")
    print(f"{'dialect':<13} {'parse agrees':>13} {'capabilities agree':>19}")
    for name, agreement in results.items():
        print(f"{name:<13} {agreement.parse_agree:>6}/{agreement.policies:<6} "
              f"{agreement.capability_agree:>9}/{agreement.probes:<8} "
              f"({100 * agreement.capability_agree / max(agreement.probes, 1):.2f}%)")
    for name, agreement in results.items():
        for line in agreement.disagreements[: args.details]:
            print(f"  {name}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
