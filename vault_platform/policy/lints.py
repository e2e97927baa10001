"""Lints for Vault policies: dangerous grants and mistakes, each with an id, a severity
and the file and line of the rule.

Checks are made by asking the ACL evaluator (:mod:`vault_acl`) about probe paths, so
wildcards are judged the way Vault would match them. Whether a policy is *privileged* is
computed from what it grants (:mod:`vault_acl.privilege`), never declared by the policy:
a privileged policy is fine on its own (VP003 says why it is privileged); holding it is
what the stack restricts to roles and groups marked ``administrative`` — a rule of the
configuration itself (:func:`components.config.vault.rules.holding_problems`), so a stack
breaking it does not plan, preview or lint at all.

| id | severity | what |
|---|---|---|
| VP001 | — | retired: governance writes are privilege now (VP003), and who holds them a configuration rule |
| VP002 | error | a grant on `path "*"` (everything) in a policy that is not privileged |
| VP003 | note | the policy is privileged, and why (what it lets a holder change) |
| VP004 | warning | a rule that can never apply: denied for the same path, or shadowed by a higher-priority rule |
| VP005 | warning | one policy grants what another denies, for the same role or group (stack) |
| VP006 | error | `*` not at the end of a path, or `+` inside a path segment (both are taken literally) |
| VP007 | warning | `list` on a KV v2 `data/` path (listing is on `metadata/`) |
| VP008 | warning | an allowed `policies` value ending in `*`: a comma-separated list starting with it passes whole |
| VP010 | warning | a policy the stack loads is held by no role or group and not declared unattached (stack) |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, Sequence

from vault_acl import ACL, CAPABILITIES, DEFAULT_DIALECT, DENY, PathRule, Policy
from vault_acl.privilege import privileges


@dataclass(frozen=True)
class Lint:
    id: str
    severity: str
    policy: str
    file: str
    line: Optional[int]
    message: str

    def render(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.id} {self.severity}: {self.message}"


def probe_path(rule_path: str) -> str:
    """A concrete path a rule matches: ``+`` and a trailing ``*`` filled in."""
    path = rule_path[:-1] + "example" if rule_path.endswith("*") else rule_path
    return "/".join("example" if part == "+" else part for part in path.split("/"))



def lint_policy(policy: Policy, file: str, dialect: str = DEFAULT_DIALECT, namespaces: Sequence[str] = ()
                ) -> list[Lint]:
    """Lints that need only the policy itself, in the ``dialect`` of the stack's server
    (``namespaces``: the stack's, which a root policy reaches behind their prefix)."""
    lints: list[Lint] = []
    name = policy.name
    reasons = privileges(policy, dialect, namespaces)

    def add(lint_id: str, severity: str, line: Optional[int], message: str) -> None:
        lints.append(Lint(lint_id, severity, name, file, line, message))

    for rule in policy.rules:
        path = rule.path
        if "*" in path[:-1]:
            add("VP006", "error", rule.line, f'path "{path}": `*` is a glob only at the end; here it is a literal star')
        for segment in path.split("/"):
            if "+" in segment and segment != "+":
                add("VP006", "error", rule.line,
                    f'path "{path}": `+` matches a whole segment only; in "{segment}" it is a literal plus')
        if path in ("*", "") and not rule.capabilities & DENY and not reasons:
            add("VP002", "error", rule.line, 'grants on path "*" reach everything in Vault, secrets included '
                "(only a privileged, administrative or unattached policy may)")
        if rule.capabilities & CAPABILITIES["list"] and "/data/" in f"/{path}" and not rule.capabilities & DENY:
            add("VP007", "warning", rule.line,
                f'path "{path}": KV v2 lists under metadata/, so list on data/ has no effect')
        for parameter in ("policies", "token_policies"):
            for value in (rule.allowed_parameters or {}).get(parameter, []):
                if isinstance(value, str) and value.endswith("*") and len(value) > 1:
                    add("VP008", "warning", rule.line,
                        f'allowed {parameter} value "{value}" also admits "{value[:-1]}x,root" '
                        "(Vault matches the whole comma-separated value first)")
    for reason in reasons:
        add("VP003", "note", reason.line, f"privileged: {reason.render()}")
    lints += _dead_rules(policy, file, dialect)
    return _unique(lints)


def _dead_rules(policy: Policy, file: str, dialect: str = DEFAULT_DIALECT) -> list[Lint]:
    lints = []
    by_path: dict[str, list[PathRule]] = {}
    for rule in policy.rules:
        by_path.setdefault(rule.path, []).append(rule)
    for path, rules in by_path.items():
        denies = [r for r in rules if r.capabilities & DENY]
        if denies:
            for rule in rules:
                if not rule.capabilities & DENY:
                    lints.append(Lint("VP004", "warning", policy.name, file, rule.line,
                                      f'path "{path}": its grants never apply, the block at line '
                                      f"{denies[0].line} denies the same path"))
    acl = ACL([policy], dialect=dialect)
    for rule in policy.rules:
        if rule.capabilities & DENY or rule.kind == "exact":
            continue
        probes = [probe_path(rule.path)]
        if rule.path.endswith("*"):
            probes.append(rule.path[:-1] + "a/b/c")
        governing = [acl.rule_for("read", probe) for probe in probes]
        if all(g is not None and g.path != rule.path for g in governing):
            other = governing[0]
            lints.append(Lint("VP004", "warning", policy.name, file, rule.line,
                              f'path "{rule.path}" never applies: "{other.path}" (line {other.line}) takes '
                              "precedence for every path it matches"))
    return lints


def lint_identities(
    policies: Mapping[str, Policy], files: Mapping[str, str], identities: Mapping[str, Sequence[str]],
    dialect: str = DEFAULT_DIALECT,
) -> list[Lint]:
    """VP005: for each identity (role or group) holding several policies, a capability one
    grants and another denies on the same path."""
    lints = []
    for identity, names in sorted(identities.items()):
        held = [policies[n] for n in names if n in policies]
        if len(held) < 2:
            continue
        combined = ACL(held, dialect=dialect)
        for policy in held:
            alone = ACL([policy], dialect=dialect)
            for rule in policy.rules:
                if rule.capabilities & DENY:
                    continue
                probe = probe_path(rule.path)
                if alone.granted(probe) and combined.capabilities(probe) == ["deny"]:
                    denier = next((p.name for p in held if p is not policy
                                   and ACL([p], dialect=dialect).capabilities(probe) == ["deny"]
                                   and (r := ACL([p], dialect=dialect).rule_for("read", probe)) is not None
                                   and r.capabilities & DENY),
                                  "another policy")
                    lints.append(Lint("VP005", "warning", policy.name, files.get(policy.name, policy.name), rule.line,
                                      f'{identity}: "{policy.name}" grants {", ".join(rule.capability_names)} on '
                                      f'"{rule.path}" but "{denier}" denies it'))
    return _unique(lints)


def _unique(lints: Iterable[Lint]) -> list[Lint]:
    seen = set()
    result = []
    for lint in lints:
        key = (lint.id, lint.file, lint.line, lint.message if lint.line is None else "")
        if key not in seen:
            seen.add(key)
            result.append(lint)
    return sorted(result, key=lambda l: (l.file, l.line or 0, l.id))


def errors(lints: Iterable[Lint]) -> list[Lint]:
    return [lint for lint in lints if lint.severity == "error"]


