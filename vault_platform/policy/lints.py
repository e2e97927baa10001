"""Lints for Vault policies: dangerous grants and mistakes, each with an id, a severity
and the file and line of the rule.

Checks are made by asking the ACL evaluator (:mod:`vault_acl`) about probe
paths, so wildcards are judged the way Vault would match them. Policies whose name
carry the line ``# vault-platform: privileged`` are *privileged*: the governance,
escalation and ``path "*"`` checks do not apply to them (they exist to do exactly that).

| id | severity | what |
|---|---|---|
| VP001 | error | write or sudo on `sys/` paths that govern policies, auth, mounts or audit |
| VP002 | error | a grant on `path "*"` (everything) |
| VP003 | error | a privilege-escalation path: tokens with arbitrary policies, writing policies, auth roles, identity |
| VP004 | warning | a rule that can never apply: denied for the same path, or shadowed by a higher-priority rule |
| VP005 | warning | one policy grants what another denies, for the same role or group |
| VP006 | error | `*` not at the end of a path, or `+` inside a path segment (both are taken literally) |
| VP007 | warning | `list` on a KV v2 `data/` path (listing is on `metadata/`) |
| VP008 | warning | an allowed `policies` value ending in `*`: a comma-separated list starting with it passes whole |
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, Sequence

from vault_acl import ACL, CAPABILITIES, DEFAULT_DIALECT, DENY, PathRule, Policy

WRITE = {"create", "update", "delete", "patch"}


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


GOVERNANCE_PREFIXES = ("sys/policies/", "sys/policy/", "sys/auth/", "sys/mounts/", "sys/remount", "sys/audit", "sys/raw")
ESCALATION_PREFIXES = ("auth/token/create", "auth/token/roles/", "sys/policies/acl/", "sys/policy/", "identity/entity",
                       "identity/group")
_AUTH_ROLE = re.compile(r"^auth/[^/]+/(role|users|groups|certs)/")

GOVERNANCE_PROBES = {
    "sys/policies/acl/example": "policies",
    "sys/policy/example": "policies",
    "sys/auth/example": "auth methods",
    "sys/mounts/example": "secret mounts",
    "sys/remount": "secret mounts",
    "sys/audit/example": "audit devices",
    "sys/raw/example": "raw storage",
}

ESCALATION_PROBES = {
    "auth/token/create": "create tokens with any policies",
    "auth/token/create-orphan": "create orphan tokens with any policies",
    "auth/token/roles/example": "define token roles with any policies",
    "sys/policies/acl/example": "write policies",
    "sys/policy/example": "write policies",
    "identity/entity/example": "change identity entities",
    "identity/entity/id/example": "change identity entities",
    "identity/entity-alias/example": "change entity aliases",
    "identity/group/example": "change identity groups (and their policies)",
    "identity/group/id/example": "change identity groups (and their policies)",
    "identity/group-alias/example": "change group aliases",
    "auth/kubernetes/role/example": "define auth roles with any policies",
    "auth/approle/role/example": "define auth roles with any policies",
    "auth/jwt/role/example": "define auth roles with any policies",
    "auth/oidc/role/example": "define auth roles with any policies",
    "auth/userpass/users/example": "define users with any policies",
    "auth/ldap/users/example": "map directory users to any policies",
    "auth/ldap/groups/example": "map directory groups to any policies",
    "auth/cert/certs/example": "trust certificates with any policies",
}


PRIVILEGED_MARKER = re.compile(r"^\s*#\s*vault-platform:\s*privileged\s*$", re.MULTILINE)


def is_privileged(policy: Policy) -> bool:
    """A policy declares itself privileged with a line ``# vault-platform: privileged``:
    explicit, in the file a reviewer reads, and carried into Vault with the text."""
    return bool(PRIVILEGED_MARKER.search(policy.text))


def probe_path(rule_path: str) -> str:
    """A concrete path a rule matches: ``+`` and a trailing ``*`` filled in."""
    path = rule_path[:-1] + "example" if rule_path.endswith("*") else rule_path
    return "/".join("example" if part == "+" else part for part in path.split("/"))


def _granted(acl: ACL, path: str) -> set[str]:
    capabilities = set(acl.capabilities(path))
    return set() if capabilities == {"deny"} else capabilities


def lint_policy(policy: Policy, file: str, dialect: str = DEFAULT_DIALECT) -> list[Lint]:
    """Lints that need only the policy itself, in the ``dialect`` of the stack's server."""
    lints: list[Lint] = []
    name = policy.name
    privileged = is_privileged(policy)
    acl = ACL([policy], dialect=dialect)

    def add(lint_id: str, severity: str, line: Optional[int], message: str) -> None:
        lints.append(Lint(lint_id, severity, name, file, line, message))

    for rule in policy.rules:
        path = rule.path
        segments = path.split("/")
        if "*" in path[:-1]:
            add("VP006", "error", rule.line, f'path "{path}": `*` is a glob only at the end; here it is a literal star')
        for segment in segments:
            if "+" in segment and segment != "+":
                add("VP006", "error", rule.line,
                    f'path "{path}": `+` matches a whole segment only; in "{segment}" it is a literal plus')
        if path in ("*", "") and not rule.capabilities & DENY and not privileged:
            add("VP002", "error", rule.line, 'grants on path "*" reach everything in Vault (privileged policies only)')
        if rule.capabilities & CAPABILITIES["list"] and "/data/" in f"/{path}" and not rule.capabilities & DENY:
            add("VP007", "warning", rule.line,
                f'path "{path}": KV v2 lists under metadata/, so list on data/ has no effect')
        for parameter in ("policies", "token_policies"):
            for value in (rule.allowed_parameters or {}).get(parameter, []):
                if isinstance(value, str) and value.endswith("*") and len(value) > 1:
                    add("VP008", "warning", rule.line,
                        f'allowed {parameter} value "{value}" also admits "{value[:-1]}x,root" '
                        "(Vault matches the whole comma-separated value first)")

    if not privileged:
        for rule in policy.rules:  # rules naming a governed path directly
            if rule.capabilities & DENY:
                continue
            target = probe_path(rule.path)
            risky = (set(rule.capability_names) & WRITE) | (set(rule.capability_names) & {"sudo"})
            if risky and target.startswith(GOVERNANCE_PREFIXES):
                add("VP001", "error", rule.line,
                    f'path "{rule.path}" gives {", ".join(sorted(risky))} on a path that governs Vault; '
                    "only admin or break-glass policies may")
            if {"create", "update"} & set(rule.capability_names) and (
                    target.startswith(ESCALATION_PREFIXES) or _AUTH_ROLE.match(target)):
                if not (target.startswith("auth/token/create") and _policies_restricted(rule)):
                    add("VP003", "error", rule.line,
                        f'path "{rule.path}" is a privilege-escalation path (tokens, policies, roles or identity)')
        for probe, what in GOVERNANCE_PROBES.items():
            granted = _granted(acl, probe)
            risky = (granted & WRITE) | (granted & {"sudo"})
            if risky:
                rule = acl.rule_for("update", probe)
                add("VP001", "error", rule.line if rule else None,
                    f'path "{rule.path if rule else probe}" gives {", ".join(sorted(risky))} on {probe.rsplit("/", 1)[0]} '
                    f"({what}); only admin or break-glass policies may")
        escalations: dict[str, tuple[PathRule, list[str]]] = {}
        for probe, what in ESCALATION_PROBES.items():
            decision_rule = acl.rule_for("update", probe)
            if decision_rule is None or decision_rule.capabilities & DENY:
                continue
            if not {"create", "update"} & set(decision_rule.capability_names):
                continue
            if probe.startswith("auth/token/create") and _policies_restricted(decision_rule):
                continue
            whats = escalations.setdefault(decision_rule.path, (decision_rule, []))[1]
            if what not in whats:
                whats.append(what)
        for path, (rule, whats) in escalations.items():
            add("VP003", "error", rule.line,
                f'path "{path}" lets holders {"; ".join(whats)}: a privilege escalation')
    lints += _dead_rules(policy, file, dialect)
    return _unique(lints)


def _policies_restricted(rule: PathRule) -> bool:
    allowed = rule.allowed_parameters or {}
    denied = rule.denied_parameters or {}
    if "policies" in denied and not denied["policies"]:
        return True
    return "policies" in allowed and bool(allowed["policies"]) and "*" not in allowed.get("policies", [])


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
                if _granted(alone, probe) and combined.capabilities(probe) == ["deny"]:
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


