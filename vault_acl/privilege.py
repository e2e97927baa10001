"""Privilege, computed from what a policy grants rather than declared by its author.

A policy is *privileged* when a holder can change who may do what:

* create, update, delete or patch ACL policies, auth methods (enabling them, or their
  configuration: an issuer or a directory decides who logs in), the roles, users, groups
  and certificates beneath auth methods, identity entities, groups and their aliases, token
  roles, or audit devices; or write raw storage;
* hold ``sudo`` together with a write capability anywhere under ``sys/`` (reading
  ``sys/audit`` with ``sudo`` to list the devices is not privileged);
* hold ``sudo`` on token creation (tokens with any policies, orphans).

Each question is asked of the evaluator (:class:`vault_acl.ACL`) at concrete *witness*
paths built from the policy's own rules — the family's path with its ``+`` segments filled
by the rule's literal segments, in the root namespace and behind each declared
namespace's prefix — so
wildcards, ``+`` segments, longer rules and ``deny`` decide as the server decides, and a
rule on ``auth/k8s-prod/role/*`` is caught as surely as one on ``auth/+/role/*``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

from vault_acl.dialects import DEFAULT_DIALECT
from vault_acl.evaluator import ACL
from vault_acl.model import DENY, Policy

WRITES = frozenset({"create", "update", "delete", "patch"})

FAMILIES: tuple[tuple[str, str], ...] = (
    ("sys/policies/acl/+", "write ACL policies"),
    ("sys/policy/+", "write ACL policies"),
    ("sys/auth/+", "enable or disable auth methods"),
    ("auth/+/config", "change an auth method's configuration"),
    ("auth/+/role/+", "write auth roles (any policies on their tokens)"),
    ("auth/+/users/+", "write auth users (any policies, any password)"),
    ("auth/+/groups/+", "map directory groups to any policies"),
    ("auth/+/certs/+", "trust certificates with any policies"),
    ("auth/token/roles/+", "write token roles"),
    ("identity/entity", "change identity entities"),
    ("identity/entity/id/+", "change identity entities"),
    ("identity/entity/name/+", "change identity entities"),
    ("identity/entity-alias", "change entity aliases"),
    ("identity/entity-alias/id/+", "change entity aliases"),
    ("identity/entity/merge", "merge identity entities"),
    ("identity/group", "change identity groups (and their policies)"),
    ("identity/group/id/+", "change identity groups (and their policies)"),
    ("identity/group/name/+", "change identity groups (and their policies)"),
    ("identity/group-alias", "change group aliases"),
    ("identity/group-alias/id/+", "change group aliases"),
    ("sys/audit/+", "enable or disable audit devices"),
    ("sys/raw/+", "write raw storage"),
)
"""Path families whose writes are privileged, and what a write there lets the holder do."""

TOKEN_CREATION = ("auth/token/create", "auth/token/create-orphan", "auth/token/create/+")
"""With ``sudo``, token creation is not bounded by the creator's own policies."""

FILLER = "example"


@dataclass(frozen=True)
class Privilege:
    """One reason a policy is privileged."""

    what: str
    """What the holder can do (``write ACL policies``)."""
    path: str
    """The witness path the evaluator was asked about."""
    rule: str
    """The path of the rule that grants it."""
    line: Optional[int]
    """That rule's line in the policy."""

    def render(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f'{self.what}: path "{self.rule}"{where} grants it on {self.path}'


def _filled(segment: str) -> str:
    """A concrete segment a rule segment matches (``+`` -> a name; ``k8s*`` -> ``k8sexample``)."""
    if segment == "+":
        return FILLER
    return segment[:-1] + FILLER if segment.endswith("*") else segment


def _witnesses(rule_path: str, family: str, namespaces: Iterable[str]) -> set[str]:
    """Concrete paths of ``family`` this rule could match, in the root namespace and behind
    each declared namespace's prefix: the family's ``+`` filled with what the rule's segment
    at that place matches — the segment itself when literal, its glob filled (``app-*`` ->
    ``app-example``) when not — so a rule on ``sys/policies/acl/app-*`` is judged on a
    policy name it really matches."""
    rule = rule_path.split("/")
    wanted = family.split("/")
    found = set()
    for prefix in ("", *(f"{ns.strip('/')}/" for ns in namespaces)):
        offset = len(prefix.split("/")) - 1
        built = []
        for index, part in enumerate(wanted):
            mine = rule[offset + index] if offset + index < len(rule) else None
            built.append(_filled(mine) if part == "+" and mine is not None else (FILLER if part == "+" else part))
        found.add(prefix + "/".join(built))
        found.add(prefix + "/".join(FILLER if part == "+" else part for part in wanted))
    return found



def privileges(policy: Policy, dialect: str = DEFAULT_DIALECT, namespaces: Iterable[str] = ()) -> list[Privilege]:
    """Why ``policy`` is privileged, one entry per thing it lets a holder do (empty: it is
    not). ``namespaces``: the declared namespace paths, whose objects a root policy reaches
    behind their prefix (``team-a/sys/policies/acl/...``)."""
    namespaces = tuple(namespaces)
    acl = ACL([policy], dialect=dialect)
    found: dict[str, Privilege] = {}

    def note(what: str, path: str) -> None:
        rule = acl.rule_for("update", path) or acl.rule_for("delete", path) or acl.rule_for("create", path)
        if what not in found:
            found[what] = Privilege(what, path, rule.path if rule else path, rule.line if rule else None)

    sudo_candidates = {f"{prefix}sys/{FILLER}" for prefix in ("", *(f"{ns.strip('/')}/" for ns in namespaces))}
    for rule in policy.rules:
        if rule.capabilities & DENY:
            continue
        for family, what in FAMILIES:
            for witness in sorted(_witnesses(rule.path, family, namespaces)):
                if acl.granted(witness) & WRITES:
                    note(what, witness)
        witness = "/".join(_filled(part) for part in rule.path.split("/"))
        if "sys" in witness.split("/")[:-1] or witness == "sys":
            sudo_candidates.add(witness)
        for family in TOKEN_CREATION:
            for candidate in sorted(_witnesses(rule.path, family, namespaces)):
                granted = acl.granted(candidate)
                if "sudo" in granted and granted & {"create", "update"}:
                    note("create tokens with any policies (sudo on token creation)", candidate)
    for at in sorted(sudo_candidates):
        granted = acl.granted(at)
        if "sudo" in granted and granted & WRITES:
            note("hold sudo with a write capability under sys/", at)
    return list(found.values())

