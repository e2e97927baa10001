"""``vault-platform access who-can PATH``: every identity of a stack that holds a capability
on one concrete path, with the policy and rule that grant it; the identities a rule denies
it to; and the identities that can grant themselves anything (they hold a privileged
policy: :mod:`vault_acl.privilege`), whatever the path.

The path is a request path as a client sends it (``secret/data/billing/stripe``), decided
the way the stack's server decides it (the dialect): exact rules, ``+`` segments and
prefixes by their priority, policies merged, ``deny`` first.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Mapping, Optional, Sequence

from vault_acl import ACL, CAPABILITIES, DEFAULT_DIALECT, DENY, Policy
from vault_platform.policy.access import escalation

SHOWN_CAPABILITIES = ("create", "read", "update", "patch", "delete", "list", "sudo")


@dataclass(frozen=True)
class Access:
    identity: str
    policies: list[str]
    capabilities: list[str] = field(default_factory=list)
    """What the identity holds on the path (empty: nothing, or denied)."""
    rule: Optional[str] = None
    """The rule (merged across the identity's policies) that decides the path."""
    granted_by: dict[str, list[str]] = field(default_factory=dict)
    """capability -> the policies that grant it through that rule."""
    denied_by: list[str] = field(default_factory=list)
    escalates: Optional[str] = None
    """Why the identity can reach everything (it may change who can do what), if it can."""

    @property
    def denied(self) -> bool:
        return bool(self.denied_by)


def who_can(path: str, policies: Mapping[str, Policy], identities: Mapping[str, Sequence[str]],
            privileged: Mapping[str, str], dialect: str = DEFAULT_DIALECT,
            capability: Optional[str] = None) -> list[Access]:
    """The identities that hold ``capability`` (any, when None) on ``path``, that a rule
    denies, or that can escalate; sorted: granted first, then denied, then the rest."""
    path = path.strip().lstrip("/")
    operation = "list" if path.endswith("/") else "read"  # the lookup capabilities-self makes
    found = []
    for identity in sorted(identities):
        names = list(identities[identity])
        held = [policies[name] for name in names if name in policies]
        rule = ACL(held, dialect=dialect).rule_for(operation, path) if held else None
        escalates = escalation(names, privileged)
        if rule is None:
            if escalates:
                found.append(Access(identity, names, escalates=escalates))
            continue
        if rule.capabilities & DENY:
            denied_by = sorted(set(rule.granted_by.get(DENY, rule.granting_policies)))
            found.append(Access(identity, names, rule=rule.path, denied_by=denied_by, escalates=escalates))
            continue
        caps = [name for name in SHOWN_CAPABILITIES if rule.capabilities & CAPABILITIES[name]]
        granted_by = {name: sorted(set(rule.granted_by.get(CAPABILITIES[name], rule.granting_policies)))
                      for name in caps}
        if capability is not None and capability not in caps:
            if escalates:
                found.append(Access(identity, names, rule=rule.path, escalates=escalates))
            continue
        found.append(Access(identity, names, caps, rule.path, granted_by, escalates=escalates))
    return sorted(found, key=lambda a: (not a.capabilities, not a.denied, a.identity))


def render_table(stack: str, path: str, capability: Optional[str], found: list[Access]) -> str:
    asked = f"`{capability}` on" if capability else "access to"
    lines = [f"Who has {asked} {path} in stack {stack}:"]
    granted = [a for a in found if a.capabilities]
    denied = [a for a in found if a.denied]
    escalating = [a for a in found if a.escalates]
    if not granted:
        lines.append("  nobody, through a rule on this path")
    for entry in granted:
        via = "; ".join(f"{cap} from {', '.join(entry.granted_by[cap])}" for cap in entry.capabilities)
        lines.append(f"  {entry.identity}: {', '.join(entry.capabilities)} (rule \"{entry.rule}\"; {via})")
    if denied:
        lines.append("Denied by a rule:")
        lines += [f"  {a.identity}: deny (rule \"{a.rule}\" in {', '.join(a.denied_by)})" for a in denied]
    if escalating:
        lines.append("Can grant themselves anything (so they can reach this path too):")
        lines += [f"  {a.identity}: {a.escalates}" for a in escalating]
    lines.append("Not evaluated: the server's built-in default policy (on every token unless a role opts out), "
                 "and a role's and its entity's groups' policies together.")
    return "\n".join(lines) + "\n"


def render_json(stack: str, path: str, capability: Optional[str], found: list[Access]) -> str:
    return json.dumps({"stack": stack, "path": path, "capability": capability,
                       "identities": [asdict(a) for a in found]}, indent=2, sort_keys=True) + "\n"
