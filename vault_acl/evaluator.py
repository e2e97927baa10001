"""The ACL: merged rules of a set of policies, indexed, and the decisions Vault's
``acl.go`` makes with them (rule lookup and priority, capabilities, wrapping TTLs,
parameters)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping, Optional

from vault_acl.dialects import DEFAULT_DIALECT, Dialect, dialect as get_dialect

from vault_acl.model import (
    CAPABILITIES,
    DENY,
    OPERATIONS,
    SUDO,
    Decision,
    PathRule,
    Policy,
    capability_names,
    copy_parameters,
)
from vault_acl.parameters import parameter_problem


@dataclass(frozen=True)
class _Candidate:
    rule: PathRule
    first_wildcard: int
    is_prefix: bool
    wildcards: int
    wc_path: str

    @property
    def rank(self) -> tuple:
        """Higher is more specific, as Vault ranks non-exact matches."""
        return (self.first_wildcard, not self.is_prefix, -self.wildcards, len(self.wc_path), self.wc_path)


def _prefix_candidate(rule: PathRule) -> _Candidate:
    prefix = rule.path[:-1]
    return _Candidate(rule, len(prefix), True, 0, prefix)


def _segment_candidate(rule: PathRule) -> _Candidate:
    path = rule.path
    wc_path = path[:-1] if path.endswith("*") else path
    return _Candidate(rule, path.index("+"), path.endswith("*"), path.split("/").count("+"), wc_path)


class _SegmentIndex:
    """``+`` rules in a trie of path segments: a lookup walks only matching branches."""

    def __init__(self) -> None:
        self.root: dict[str, Any] = {}

    def add(self, rule: PathRule) -> None:
        is_prefix = rule.path.endswith("*")
        segments = (rule.path[:-1] if is_prefix else rule.path).split("/")
        node = self.root
        for segment in segments[:-1]:
            node = node.setdefault("children", {}).setdefault(segment, {})
        if is_prefix:
            node.setdefault("prefix", []).append((segments[-1], rule))
        else:
            node = node.setdefault("children", {}).setdefault(segments[-1], {})
            node.setdefault("exact", []).append(rule)

    def matches(self, path: str) -> list[PathRule]:
        parts = path.split("/")
        found: list[PathRule] = []
        stack = [(self.root, 0)]
        while stack:
            node, depth = stack.pop()
            if depth < len(parts):
                for last, rule in node.get("prefix", ()):
                    # the last rule segment is a string prefix covering the rest of the path
                    if last == "+" or parts[depth].startswith(last):
                        found.append(rule)
                children = node.get("children", {})
                for key in {parts[depth], "+"}:  # a literal segment, and "+" (any segment)
                    child = children.get(key)
                    if child is not None:
                        stack.append((child, depth + 1))
            elif depth == len(parts):
                found.extend(node.get("exact", ()))
        return found


class ACL:
    """The merged rules of a set of policies, indexed for lookups, decided as the
    ``dialect``'s server decides (:mod:`vault_acl.dialects`)."""

    def __init__(self, policies: Iterable[Policy], dialect: str | Dialect = DEFAULT_DIALECT):
        self.dialect = get_dialect(dialect)
        policies = [p for p in policies if p is not None]
        self.root = any(p.is_root for p in policies)
        if self.root and len(policies) != 1:
            raise ValueError("other policies present along with root")
        self.policy_names = [p.name for p in policies]
        self._exact: dict[str, PathRule] = {}
        self._prefix: dict[str, PathRule] = {}
        self._prefix_lengths: list[int] = []
        self._segment: dict[str, PathRule] = {}
        self._segment_index = _SegmentIndex()
        for policy in policies:
            for rule in policy.rules:
                if rule.templated or _expired(rule):
                    continue
                if rule.is_segment_wildcard:
                    table, key = self._segment, rule.path
                elif rule.is_prefix:
                    table, key = self._prefix, rule.path[:-1]
                else:
                    table, key = self._exact, rule.path
                _merge_into(table, key, rule, policy.name)
        for rule in self._segment.values():
            self._segment_index.add(rule)
        self._prefix_lengths = sorted({len(k) for k in self._prefix}, reverse=True)

    # -- lookups -----------------------------------------------------------------

    def _longest_prefix(self, path: str) -> Optional[PathRule]:
        for length in self._prefix_lengths:
            if length <= len(path):
                rule = self._prefix.get(path[:length])
                if rule is not None:
                    return rule
        return None

    def _candidates(self, path: str) -> list[_Candidate]:
        candidates = []
        prefix = self._longest_prefix(path)
        if prefix is not None:
            candidates.append(_prefix_candidate(prefix))
        candidates += [_segment_candidate(rule) for rule in self._segment_index.matches(path)]
        return candidates

    def _find(self, operation: str, path: str) -> Optional[PathRule]:
        """The rule that governs ``path`` for ``operation`` (None: nothing matches)."""
        rule = self._exact.get(path)
        if rule is not None:
            return rule
        listing = operation == "list" or (operation == "scan" and self.dialect.list_lookup == "slashed-first")
        if not (listing and path.endswith("/")):
            return _best(self._candidates(path))
        rule = self._exact.get(path[:-1])
        if rule is not None:
            return rule
        lookup = self.dialect.list_lookup if operation == "list" else "slashed-first"
        if lookup == "trimmed-first":  # Vault 1.21 (PR #23874): the path without the slash first
            return _best(self._candidates(path[:-1])) or _best(self._candidates(path))
        if lookup == "slashed-first":  # OpenBao (PR #3389): the slashed path first
            return _best(self._candidates(path)) or _best(self._candidates(path[:-1]))
        return _pooled(self._candidates(path[:-1]) + self._candidates(path))

    def rule_for(self, operation: str, path: str) -> Optional[PathRule]:
        """The (merged) rule Vault would apply; for reports and lints."""
        return self._find(operation, path.lstrip("/"))

    # -- decisions ---------------------------------------------------------------

    def allowed(
        self,
        operation: str,
        path: str,
        data: Optional[Mapping[str, Any]] = None,
        wrapping_ttl: Optional[int] = None,
    ) -> Decision:
        """Would Vault allow ``operation`` on ``path`` with ``data`` and ``wrapping_ttl``?"""
        if self.root:
            return Decision(True, True, ["root"], "root policy")
        if operation == "help":
            return Decision(True, False, [], "help is always allowed")
        path = path.lstrip("/")
        if _non_canonical(path):
            if self.dialect.canonical_paths == "refuse":
                return Decision(False, False, [], "the server refuses a non-canonical path (//, /./ or /../)")
            path = _cleaned(path)
        rule = self._find(operation, path)
        if rule is None:
            return Decision(False, False, [], "no rule matches")
        root_privs = bool(rule.capabilities & SUDO)
        needed = OPERATIONS.get(operation)  # Vault denies any operation it does not map
        if rule.capabilities & DENY:
            return Decision(False, False, [], f'denied by path "{rule.path}"')
        if needed is None or not rule.capabilities & CAPABILITIES[needed]:
            return Decision(False, root_privs, [], f'path "{rule.path}" lacks {needed or operation}')
        if rule.max_wrapping_ttl > 0 and (wrapping_ttl is None or wrapping_ttl > rule.max_wrapping_ttl):
            return Decision(False, root_privs, [], f"wrapping TTL must be at most {rule.max_wrapping_ttl}s")
        if rule.min_wrapping_ttl > 0 and (wrapping_ttl is None or wrapping_ttl < rule.min_wrapping_ttl):
            return Decision(False, root_privs, [], f"wrapping TTL must be at least {rule.min_wrapping_ttl}s")
        if operation in self.dialect.parameter_operations:
            problem = parameter_problem(rule, data or {}, self.dialect.parameter_lists == "per-element",
                                        self.dialect.lowercase_policy_parameters)
            if problem:
                return Decision(False, root_privs, [], problem)
        if operation in ("list", "scan") and rule.pagination_limit and not _within(data, rule.pagination_limit):
            return Decision(False, root_privs, [], f"limit must be a number up to {rule.pagination_limit}")
        granting = rule.granted_by.get(CAPABILITIES[needed], rule.granting_policies)
        return Decision(True, root_privs, sorted(set(granting)), f'path "{rule.path}"')

    def capabilities(self, path: str) -> list[str]:
        """What ``sys/capabilities-self`` answers for ``path``: sorted names, ``["root"]``
        for the root policy, ``["deny"]`` when nothing is granted."""
        if self.root:
            return ["root"]
        rule = self._find("list", path.lstrip("/"))
        if rule is None or rule.capabilities & DENY or not rule.capabilities:
            return ["deny"]
        return capability_names(rule.capabilities)

    def granted(self, path: str) -> set[str]:
        """The capabilities held on ``path``: :meth:`capabilities` without the ``deny`` that
        stands for "nothing" (empty when denied or unmatched)."""
        capabilities = set(self.capabilities(path))
        return set() if capabilities == {"deny"} else capabilities

    def rules(self) -> list[PathRule]:
        """Every merged rule (exact, prefix, segment)."""
        return [*self._exact.values(), *self._prefix.values(), *self._segment.values()]


def _best(candidates: list[_Candidate]) -> Optional[PathRule]:
    return max(candidates, key=lambda c: c.rank).rule if candidates else None


def _pooled(candidates: list[_Candidate]) -> Optional[PathRule]:
    """Vault 2.0 (``resolveACLPermsForListOp``): both forms' candidates together; the most
    specific deny wins unless a rule granting list ranks above it."""
    denies = [c for c in candidates if c.rule.capabilities & DENY]
    lists = [c for c in candidates if c.rule.capabilities & CAPABILITIES["list"]]
    deny = max(denies, key=lambda c: c.rank) if denies else None
    grant = max(lists, key=lambda c: c.rank) if lists else None
    if deny is not None and (grant is None or grant.rank < deny.rank):
        return deny.rule
    if grant is not None:
        return grant.rule
    return _best(candidates)


def _expired(rule: PathRule) -> bool:
    if not rule.expiration:
        return False
    moment = datetime.fromisoformat(rule.expiration.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment <= datetime.now(timezone.utc)


def _non_canonical(path: str) -> bool:
    return "//" in path or f"/{path}/".count("/./") > 0 or "/../" in f"/{path}/"


def _cleaned(path: str) -> str:
    """The path the server's HTTP mux redirects to (``path.Clean``, trailing slash kept)."""
    cleaned = posixpath.normpath("/" + path).lstrip("/")
    return cleaned + "/" if path.endswith("/") and cleaned else cleaned


def _within(data: Optional[Mapping[str, Any]], cap: int) -> bool:
    """OpenBao's ``pagination_limit``: a given ``limit`` must be a number from 0 to the cap."""
    if not data or "limit" not in data or data["limit"] in ("", "max", 0, "0"):
        return True
    try:
        return 0 <= int(str(data["limit"])) <= cap
    except ValueError:
        return False


def _merge_into(table: dict[str, PathRule], key: str, rule: PathRule, policy: str) -> None:
    existing = table.get(key)
    if existing is None:
        merged = rule.copy()
        merged.granting_policies = [policy]
        merged.granted_by = {bit: [policy] for bit in CAPABILITIES.values() if rule.capabilities & bit}
        table[key] = merged
        return
    if existing.capabilities & DENY:  # deny wins; remember every policy that denies (for reports)
        if rule.capabilities & DENY and policy not in existing.granted_by.setdefault(DENY, []):
            existing.granted_by[DENY].append(policy)
        return
    if rule.capabilities & DENY:
        existing.capabilities = DENY
        existing.allowed_parameters = None
        existing.denied_parameters = None
        existing.granting_policies = [policy]
        existing.granted_by = {DENY: [policy]}
        return
    existing.capabilities |= rule.capabilities
    if policy not in existing.granting_policies:
        existing.granting_policies.append(policy)
    for bit in CAPABILITIES.values():
        if rule.capabilities & bit and policy not in existing.granted_by.setdefault(bit, []):
            existing.granted_by[bit].append(policy)
    for attribute in ("min_wrapping_ttl", "max_wrapping_ttl"):
        new = getattr(rule, attribute)
        old = getattr(existing, attribute)
        if new > 0 and (old == 0 or new < old):
            setattr(existing, attribute, new)
    for attribute in ("allowed_parameters", "denied_parameters"):
        new = getattr(rule, attribute)
        old = getattr(existing, attribute)
        if not new:
            continue
        if old is None:
            setattr(existing, attribute, copy_parameters(new))
            continue
        for name, values in new.items():
            if name in old and (not values or not old[name]):
                old[name] = []
            elif name in old:
                old[name] = list(values) + old[name]
            else:
                old[name] = list(values)
    for name in rule.required_parameters:
        if name not in existing.required_parameters:
            existing.required_parameters.append(name)
