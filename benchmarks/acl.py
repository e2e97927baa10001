"""ACL benchmarks: checks per second and access-matrix time.

* 1,000 policies (10 rules each: exact, prefix and `+` rules, some denies and
  parameter constraints) merged into one ACL, asked about 10,000 request paths;
* the access matrix of the production stack;
* the access matrix of a synthetic stack: 1,000 policies, 1,000 identities holding
  1-3 of them, 10,000 paths.

    python benchmarks/acl.py
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from vault_platform.policy import access  # noqa: E402
from vault_acl import ACL, parse_policy  # noqa: E402


def synthetic_policies(count: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    policies = {}
    for index in range(count):
        team = f"team-{index}"
        rules = [
            f'path "secret/data/{team}/*" {{ capabilities = ["read", "create", "update"] }}',
            f'path "secret/metadata/{team}/*" {{ capabilities = ["list", "read"] }}',
            f'path "secret/data/{team}/private/*" {{ capabilities = ["deny"] }}',
            f'path "database/creds/{team}-ro" {{ capabilities = ["read"] }}',
            f'path "transit/encrypt/{team}" {{ capabilities = ["update"] }}',
            f'path "kv/+/{team}/config" {{ capabilities = ["read"] }}',
            f'path "pki/issue/{team}" {{\n capabilities = ["update"]\n allowed_parameters = {{ "common_name" = ["*.{team}.svc"] }}\n}}',
            f'path "auth/token/lookup-self" {{ capabilities = ["read"] }}',
            f'path "sys/leases/renew" {{ capabilities = ["update"] }}',
            f'path "apps/{team}/+/settings*" {{ capabilities = ["read"] }}',
        ]
        rng.shuffle(rules)
        policies[f"p{index}"] = parse_policy("\n".join(rules), f"p{index}")
    return policies


def request_paths(count: int, teams: int, seed: int = 11) -> list[tuple[str, str, dict]]:
    rng = random.Random(seed)
    shapes = [
        ("read", "secret/data/team-{t}/app/{n}", {}),
        ("update", "secret/data/team-{t}/private/{n}", {"value": "x"}),
        ("list", "secret/metadata/team-{t}/", {}),
        ("read", "kv/eu/team-{t}/config", {}),
        ("update", "pki/issue/team-{t}", {"common_name": "api.team-{t}.svc"}),
        ("read", "apps/team-{t}/web/settings-{n}", {}),
        ("read", "nothing/here/{n}", {}),
    ]
    result = []
    for index in range(count):
        op, template, data = rng.choice(shapes)
        t, n = rng.randrange(teams), index
        result.append((op, template.format(t=t, n=n), {k: v.format(t=t) for k, v in data.items()}))
    return result


def main() -> None:
    start = time.perf_counter()
    policies = synthetic_policies(1000)
    parse_seconds = time.perf_counter() - start
    start = time.perf_counter()
    acl = ACL(policies.values())
    build_seconds = time.perf_counter() - start
    requests = request_paths(10000, 1000)
    start = time.perf_counter()
    allowed = sum(acl.allowed(op, path, data).allowed for op, path, data in requests)
    check_seconds = time.perf_counter() - start
    print(f"ACL: 1,000 policies (10,000 rules) parsed in {parse_seconds:.2f} s, indexed in {build_seconds:.3f} s")
    print(f"     10,000 checks in {check_seconds:.3f} s = {10000 / check_seconds:,.0f} checks/s "
          f"({allowed:,} allowed)")


    from vault_platform.plan.program import run_plan
    from vault_platform.policy.report import matrix_of_plan

    plan = run_plan("production", PROJECT)
    start = time.perf_counter()
    matrix = matrix_of_plan(plan)
    seconds = time.perf_counter() - start
    print(f"matrix: production, {len(matrix.identities)} identities x {len(matrix.paths)} paths in "
          f"{1000 * seconds:.1f} ms")

    rng = random.Random(3)
    names = sorted(policies)
    identities = {f"role kubernetes/service-{i}": rng.sample(names, rng.randint(1, 3)) for i in range(1000)}
    rule_paths = {rule.path for policy in policies.values() for rule in policy.rules}
    extra = [f"secret/data/shared-{i}/config" for i in range(10000 - len(rule_paths))]
    start = time.perf_counter()
    matrix = access.build("synthetic", policies, identities, extra)
    seconds = time.perf_counter() - start
    cells = sum(len(row) for row in matrix.cells.values())
    print(f"matrix: synthetic, {len(matrix.identities):,} identities x {len(matrix.paths):,} paths "
          f"(1,000 policies) in {seconds:.2f} s; {cells:,} granting cells")


if __name__ == "__main__":
    main()
