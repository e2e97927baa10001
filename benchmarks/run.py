"""Plan benchmarks: time and peak memory of the offline plan beside its floor.

Cases: each stack file, and the production stack with 1,000 and 10,000 extra declared
Vault objects (Kubernetes roles and identity groups). The floor registers the *same* resources — same types, same inputs, same count —
under the same mocks and recording monitor, with no program logic (no config
validation, no components, no rendering): what Pulumi's runtime costs on its own.
A second table registers bare resources at 1,000 and 10,000 to show whether the
runtime's cost per resource stays flat.

Each case runs in a fresh process: one unmeasured warm-up run (imports and lazily
loaded provider modules are a one-off cost of the process), then the measured run;
peak RSS is that process's. Cases repeat (``--repeat``) and the median time is shown.

    python benchmarks/run.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

REPLAY_PROGRAM = """
import json
import pulumi
for index, (type_, custom, inputs) in enumerate(json.load(open({path!r}))):
    if custom:
        pulumi.CustomResource(type_, f"r{{index}}", inputs)
    else:
        pulumi.ComponentResource(type_, f"r{{index}}")
"""

BARE_PROGRAM = """
import pulumi
for index in range({count}):
    pulumi.CustomResource("bench:index:Bare", f"bare-{{index}}", {{"index": index}})
"""


def _timed(function):
    function()  # warm-up
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def synthetic(count: int) -> dict:
    """The production stack with ``count`` extra declared Vault objects: Kubernetes roles
    (each with its policies) and identity groups, half each."""
    from components import config as schema

    raw = schema.read_stack_file(PROJECT / "Pulumi.production.yaml")
    vault = raw["vault-platform:vault"]
    policies = ["analytics-ingest", "analytics-reporting-api", "analytics-batch-jobs"]
    for index in range(count // 2):
        vault["roles"].append({
            "name": f"service-{index}", "mount": "kubernetes", "bound_service_account_names": [f"service-{index}"],
            "bound_service_account_namespaces": [f"team-{index % 50}"], "audience": "vault",
            "token_policies": [policies[index % 3]], "token_ttl": "1h", "token_max_ttl": "4h",
        })
        vault["groups"].append({"name": f"team-{index}", "policies": [policies[index % 3]]})
    return raw


def child(kind: str, arg: str) -> dict:
    """One measurement in this process."""
    from vault_platform.plan.program import run_plan, run_program

    if kind == "stack":
        seconds, plan = _timed(lambda: run_plan(arg, PROJECT))
        count = len(plan.registrations)
    elif kind == "synthetic":
        from components import config as schema

        raw = synthetic(int(arg))

        def plan_synthetic():
            schema.load(raw, "Pulumi.production.yaml (synthetic)", "production")
            return run_program(PROJECT, "production", raw)

        seconds, (monitor, _, _) = _timed(plan_synthetic)
        count = len(monitor.registrations)
    else:
        with tempfile.TemporaryDirectory() as folder:
            if kind in ("replay", "replay-synthetic"):
                if kind == "replay":
                    registrations = run_plan(arg, PROJECT).resources()
                else:
                    registrations = run_program(PROJECT, "production", synthetic(int(arg)))[0].registrations
                recorded = [(r.type, r.custom, r.inputs) for r in registrations]
                (Path(folder) / "resources.json").write_text(json.dumps(recorded))
                program = REPLAY_PROGRAM.format(path=str(Path(folder) / "resources.json"))
            else:
                program = BARE_PROGRAM.format(count=int(arg))
            (Path(folder) / "__main__.py").write_text(program)
            seconds, (monitor, _, _) = _timed(lambda: run_program(Path(folder), "floor", {}))
            count = len(monitor.registrations)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "resources": count, "peak_rss_mb": peak_mb}


def measure(kind: str, arg: str, repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, __file__, "--child", kind, arg], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "resources": runs[0]["resources"],
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "ARG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return

    print(f"{'stack':<12} {'resources':>9} {'plan ms':>8} {'floor ms':>9} {'ratio':>6} "
          f"{'peak MB':>8} {'floor MB':>9}")
    for stack in ("dev", "staging", "production"):
        program = measure("stack", stack, args.repeat)
        floor = measure("replay", stack, args.repeat)
        print(f"{stack:<12} {program['resources']:>9} {1000 * program['seconds']:>8.1f} "
              f"{1000 * floor['seconds']:>9.1f} {program['seconds'] / floor['seconds']:>6.2f} "
              f"{program['peak_rss_mb']:>8.1f} {floor['peak_rss_mb']:>9.1f}")

    print()
    print(f"{'synthetic':<12} {'resources':>9} {'plan s':>8} {'floor s':>8} {'ratio':>6} {'ms/res':>7} "
          f"{'peak MB':>8} {'floor MB':>9}")
    for count in (1000, 10000):
        program = measure("synthetic", str(count), args.repeat)
        floor = measure("replay-synthetic", str(count), args.repeat)
        print(f"{'+' + format(count, ','):<12} {program['resources']:>9} {program['seconds']:>8.2f} "
              f"{floor['seconds']:>8.2f} {program['seconds'] / floor['seconds']:>6.2f} "
              f"{1000 * program['seconds'] / program['resources']:>7.3f} "
              f"{program['peak_rss_mb']:>8.1f} {floor['peak_rss_mb']:>9.1f}")

    print()
    print(f"{'bare resources':<16} {'seconds':>8} {'ms/resource':>12} {'peak MB':>8}")
    for count in (1000, 10000):
        bare = measure("bare", str(count), args.repeat)
        print(f"{count:<16,} {bare['seconds']:>8.2f} {1000 * bare['seconds'] / count:>12.3f} "
              f"{bare['peak_rss_mb']:>8.1f}")


if __name__ == "__main__":
    main()
