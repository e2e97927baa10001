"""Policy tests: what a set of policies must and must not allow, checked offline.

A test file (``policies/tests/*.yaml``)::

    description: The ingest service reads its own secrets and nothing else.
    policies: [analytics-ingest]        # or  role: kubernetes/ingest   or  group: developers
    environments: [dev, staging, production]   # default: all three
    cases:
      - path: secret/data/[[environment]]/analytics/ingest/db
        allow: [read]                   # capabilities that must be granted
        deny: [create, update, list]    # capabilities that must not be
      - path: auth/token/create
        operation: update               # a request, with parameters and wrapping TTL
        data: {policies: [root]}
        wrapping_ttl: 60
        expect: deny                    # allow | deny
        # server_difference: why a real server answers otherwise (the live tier checks it does)

Each environment loads the policies its stack file selects (``Pulumi.<env>.yaml``),
with the stack variables filled in; ``role`` and ``group`` are resolved there too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from components.config.inputs import files
from vault_acl import ACL, CAPABILITIES, DEFAULT_DIALECT, OPERATIONS, Policy

ENVIRONMENTS = ("dev", "staging", "production")
_FILE_KEYS = {"description", "policies", "role", "group", "environments", "cases"}
_CASE_KEYS = {"path", "allow", "deny", "operation", "data", "wrapping_ttl", "expect", "description",
              "server_difference"}


class PolicyTestError(ValueError):
    """A test file that cannot be run (bad format, unknown identity)."""


@dataclass
class Result:
    file: str
    environment: str
    path: str
    check: str
    ok: bool
    detail: str = ""


@dataclass
class Environment:
    """The policies and identities of one environment's stack."""

    policies: dict[str, Policy]
    dialect: str = DEFAULT_DIALECT
    """The policy dialect of the environment's server."""
    roles: dict[str, list[str]] = field(default_factory=dict)
    """``mount/name`` -> token policies."""
    groups: dict[str, list[str]] = field(default_factory=dict)


def load_environment(project: Path, environment: str) -> Environment:
    from components import config as schema
    from components.config.vault.stack_policies import stack_policies

    stack_file = project / f"Pulumi.{environment}.yaml"
    config = schema.load_stack_file(stack_file)
    vault = config.vault
    dialect = config.cluster.target.policy_dialect
    loaded, problems = stack_policies(vault, config.cluster.target, environment, environment,
                                      folder=project / "policies")
    if problems:
        raise PolicyTestError(f"{stack_file.name}: policies do not load: {problems[0].message}")
    return Environment(
        policies={p.name: p.policy for p in loaded},
        dialect=dialect,
        roles={f"{r.mount}/{r.name}": list(r.token_policies) for r in vault.roles},
        groups={g.name: list(g.policies) for g in vault.groups},
    )


def _identity_policies(spec: dict[str, Any], env: Environment, environment: str, file: str) -> list[str]:
    if "role" in spec:
        if spec["role"] not in env.roles:
            raise PolicyTestError(f"{file}: role {spec['role']!r} is not declared in Pulumi.{environment}.yaml")
        return env.roles[spec["role"]]
    if "group" in spec:
        if spec["group"] not in env.groups:
            raise PolicyTestError(f"{file}: group {spec['group']!r} is not declared in Pulumi.{environment}.yaml")
        return env.groups[spec["group"]]
    return list(spec.get("policies") or [])


def _validate(spec: Any, file: str) -> None:
    if not isinstance(spec, dict):
        raise PolicyTestError(f"{file}: a test file is a mapping")
    unknown = set(spec) - _FILE_KEYS
    if unknown:
        raise PolicyTestError(f"{file}: unknown keys {sorted(unknown)}; allowed: {sorted(_FILE_KEYS)}")
    if sum(key in spec for key in ("policies", "role", "group")) != 1:
        raise PolicyTestError(f"{file}: give exactly one of policies, role, group")
    if not spec.get("cases"):
        raise PolicyTestError(f"{file}: no cases: a test file states at least one expectation")
    for index, case in enumerate(spec.get("cases") or []):
        where = f"{file}: cases[{index}]"
        if not isinstance(case, dict) or "path" not in case:
            raise PolicyTestError(f"{where}: each case needs a path")
        unknown = set(case) - _CASE_KEYS
        if unknown:
            raise PolicyTestError(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(_CASE_KEYS)}")
        for key in ("allow", "deny"):
            bad = [c for c in case.get(key, []) if c not in CAPABILITIES or c == "deny"]
            if bad:
                raise PolicyTestError(f"{where}.{key}: {bad} are not capabilities")
        if not (case.get("allow") or case.get("deny") or "operation" in case):
            raise PolicyTestError(f"{where}: states nothing; give allow, deny, or operation with expect")
        if ("operation" in case) != ("expect" in case):
            raise PolicyTestError(f"{where}: operation and expect go together")
        if "operation" in case and case["operation"] not in OPERATIONS:
            raise PolicyTestError(f"{where}.operation: {case['operation']!r} is not a Vault operation")
        if "expect" in case and case["expect"] not in ("allow", "deny"):
            raise PolicyTestError(f"{where}.expect: allow or deny, not {case['expect']!r}")


def run_file(path: Path, project: Path, environments: Optional[dict[str, Environment]] = None) -> list[Result]:
    file = str(path.relative_to(project)) if path.is_relative_to(project) else str(path)
    try:
        spec = files.load_yaml(path, files.SMALL_FILE_LIMIT, shown=file)
    except files.InputFileError as error:
        raise PolicyTestError(str(error)) from None
    _validate(spec, file)
    environments = environments if environments is not None else {}
    results = []
    for environment in spec.get("environments") or ENVIRONMENTS:
        if environment not in environments:
            environments[environment] = load_environment(project, environment)
        env = environments[environment]
        names = _identity_policies(spec, env, environment, file)
        missing = [n for n in names if n not in env.policies and n != "default"]
        if missing:
            results.append(Result(file, environment, "-", "policies", False,
                                  f"not loaded in Pulumi.{environment}.yaml: {', '.join(missing)}"))
            continue
        acl = ACL((env.policies[n] for n in names if n in env.policies), dialect=env.dialect)
        for case in spec.get("cases") or []:
            target = str(case["path"]).replace("[[environment]]", environment)
            granted = set(acl.capabilities(target)) - {"deny"}
            for capability in case.get("allow", []):
                results.append(Result(file, environment, target, f"allow {capability}", capability in granted,
                                      f"granted: {', '.join(sorted(granted)) or 'nothing'}"))
            for capability in case.get("deny", []):
                results.append(Result(file, environment, target, f"deny {capability}", capability not in granted,
                                      f"granted: {', '.join(sorted(granted)) or 'nothing'}"))
            if "operation" in case:
                decision = acl.allowed(case["operation"], target, case.get("data"), case.get("wrapping_ttl"))
                expected = case["expect"] == "allow"
                results.append(Result(file, environment, target, f"{case['operation']} is {case['expect']}ed",
                                      decision.allowed == expected, decision.reason))
    return results


def run_all(project: Path, files: Optional[list[Path]] = None) -> list[Result]:
    files = files or sorted((project / "policies" / "tests").glob("*.yaml"))
    cache: dict[str, Environment] = {}
    results = []
    for path in files:
        results += run_file(path, project, cache)
    return results


def render(results: list[Result], verbose: bool = False) -> str:
    lines = []
    for result in results:
        if verbose or not result.ok:
            mark = "ok  " if result.ok else "FAIL"
            lines.append(f"{mark} {result.file} [{result.environment}] {result.path}: {result.check} ({result.detail})")
    failed = sum(1 for r in results if not r.ok)
    files = len({r.file for r in results})
    verdict = "all hold" if not failed else f"{failed} FAILED"
    lines.append(f"policy tests: {len(results)} checks in {files} files, {verdict}")
    return "\n".join(lines)
