"""Vault's ACL policy semantics, offline: parse HCL policies and decide requests.

Follows Vault 1.21 (the image this project deploys):

* parsing: top-level keys ``name`` and ``path``; per path ``capabilities``, the legacy
  ``policy`` shorthand, ``allowed_parameters``, ``denied_parameters``,
  ``required_parameters``, ``min_wrapping_ttl``, ``max_wrapping_ttl`` (plus
  ``comment``, ``mfa_methods``, ``control_group``, ``subscribe_event_types``, kept but
  not evaluated); ``deny`` ends a block's capability list;
* rules: exact paths, prefix rules (trailing ``*``) and segment-wildcard rules (``+``),
  kept in separate indexes; blocks for the same path — from one policy or several —
  merge as Vault merges them (union of capabilities, deny wins, parameter lists
  concatenated or widened, the smaller wrapping TTL bound);
* lookup: exact match, then (LIST only) the exact path without its trailing slash,
  then the most specific of the longest prefix rule and every matching ``+`` rule,
  ranked as Vault ranks them; a LIST with a trailing slash matches wildcard rules
  against the path without the slash first (Vault 1.21; newer upstream code ranks
  both forms together so that a more specific deny wins);
* checks: capability for the operation, wrapping TTL bounds, then required, denied
  and allowed parameters (globs ``*`` at either end of a value; list values and
  comma-separated strings matched element by element, the Vault 1.21 behaviour);
* the root policy, and ``capabilities`` as ``sys/capabilities-self`` answers.

Not modelled: namespaces, Sentinel/RGPs, control groups and MFA (parsed, not
enforced), and templated paths (``{{identity...}}``), which Vault drops from an ACL
when they cannot be rendered — as here, where there is no entity to render them for.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional

CAPABILITIES: dict[str, int] = {
    "deny": 1,
    "create": 2,
    "read": 4,
    "update": 8,
    "delete": 16,
    "list": 32,
    "sudo": 64,
    "patch": 128,
    "subscribe": 256,
    "recover": 512,
}
DENY = CAPABILITIES["deny"]
SUDO = CAPABILITIES["sudo"]
_CAPABILITY_ORDER = ("sudo", "read", "list", "update", "delete", "create", "patch", "subscribe", "recover")

LEGACY_POLICIES: dict[str, tuple[str, ...]] = {
    "read": ("read", "list"),
    "write": ("create", "read", "update", "delete", "list"),
    "sudo": ("create", "read", "update", "delete", "list", "sudo"),
}

OPERATIONS: dict[str, Optional[str]] = {
    "create": "create",
    "read": "read",
    "update": "update",
    "delete": "delete",
    "list": "list",
    "patch": "patch",
    "recover": "recover",
    "revoke": "update",
    "renew": "update",
    "rollback": "update",
    "help": None,  # always allowed
    "alias-lookahead": None,
    "resolve-role": None,
    "header": None,
}
"""Vault's logical operations and the capability each needs (None: see allowed())."""

_PARAMETER_OPERATIONS = {"read", "update", "create", "patch", "recover"}
_PATH_KEYS = {
    "comment", "policy", "capabilities", "allowed_parameters", "denied_parameters",
    "required_parameters", "min_wrapping_ttl", "max_wrapping_ttl", "mfa_methods",
    "control_group", "subscribe_event_types",
}
_TOP_KEYS = {"name", "path"}


class PolicyParseError(ValueError):
    """A policy Vault would refuse; ``line`` is the 1-based line when known."""

    def __init__(self, message: str, line: Optional[int] = None, policy: str = ""):
        self.line = line
        self.policy = policy
        where = f" (line {line})" if line else ""
        super().__init__(f"failed to parse policy{f' {policy!r}' if policy else ''}: {message}{where}")


@dataclass
class PathRule:
    """One ``path`` block, or several merged."""

    path: str
    """The path as Vault stores it: leading slash removed, trailing ``*`` kept."""
    capabilities: int
    allowed_parameters: Optional[dict[str, list[Any]]] = None
    denied_parameters: Optional[dict[str, list[Any]]] = None
    required_parameters: list[str] = field(default_factory=list)
    min_wrapping_ttl: int = 0
    max_wrapping_ttl: int = 0
    granting_policies: list[str] = field(default_factory=list)
    """Every policy that contributed to this (merged) rule."""
    granted_by: dict[int, list[str]] = field(default_factory=dict)
    """Capability bit -> the policies that grant it (what a decision reports)."""
    line: Optional[int] = None
    templated: bool = False

    @property
    def is_segment_wildcard(self) -> bool:
        p = self.path
        return p == "+" or "/+" in p or p.startswith("+/")

    @property
    def is_prefix(self) -> bool:
        return self.path.endswith("*")

    @property
    def kind(self) -> str:
        if self.is_segment_wildcard:
            return "segment"
        return "prefix" if self.is_prefix else "exact"

    @property
    def capability_names(self) -> list[str]:
        return capability_names(self.capabilities)

    def copy(self) -> "PathRule":
        return PathRule(
            path=self.path,
            capabilities=self.capabilities,
            allowed_parameters=_copy_params(self.allowed_parameters),
            denied_parameters=_copy_params(self.denied_parameters),
            required_parameters=list(self.required_parameters),
            min_wrapping_ttl=self.min_wrapping_ttl,
            max_wrapping_ttl=self.max_wrapping_ttl,
            granting_policies=list(self.granting_policies),
            granted_by={bit: list(names) for bit, names in self.granted_by.items()},
            line=self.line,
            templated=self.templated,
        )


@dataclass
class Policy:
    name: str
    rules: list[PathRule]
    text: str = ""

    @property
    def is_root(self) -> bool:
        return self.name == "root"


ROOT_POLICY = Policy(name="root", rules=[])
"""Vault's built-in root policy: everything, with sudo."""


@dataclass(frozen=True)
class Decision:
    allowed: bool
    root_privs: bool = False
    granting_policies: list[str] = field(default_factory=list)
    reason: str = ""
    """Why (for reports): the matched rule, or what failed."""


def capability_names(bits: int) -> list[str]:
    if bits & DENY:
        return ["deny"]
    return sorted(name for name in _CAPABILITY_ORDER if bits & CAPABILITIES[name])


# --------------------------------------------------------------------------- parsing


def parse_policy(text: str, name: str = "") -> Policy:
    """Parse an HCL (or JSON) ACL policy as Vault does; raises :class:`PolicyParseError`."""
    if name == "root":
        return Policy(name="root", rules=[], text=text)
    document = _load(text, name)
    lines = _path_lines(text)
    unknown = [key for key in document if key not in _TOP_KEYS]
    if unknown:
        key = unknown[0]
        raise PolicyParseError(f'invalid key "{key}"', _key_line(text, key, 0, len(text.splitlines()) + 1), name)
    blocks = _path_blocks(document.get("path"), name)
    rules = []
    for index, (raw_path, body) in enumerate(blocks):
        line = lines[index] if index < len(lines) else None
        end = lines[index + 1] if index + 1 < len(lines) else len(text.splitlines()) + 1
        rules.append(_parse_block(raw_path, body, name, text, line, end))
    return Policy(name=name or str(document.get("name") or ""), rules=rules, text=text)


def _load(text: str, name: str) -> dict[str, Any]:
    if text.lstrip().startswith("{"):
        try:
            document = json.loads(text)
        except ValueError as error:
            raise PolicyParseError(f"invalid JSON: {error}", policy=name) from None
        if not isinstance(document, dict):
            raise PolicyParseError("does not contain a root object", policy=name)
        return document
    import hcl2
    from lark.exceptions import UnexpectedInput

    try:
        raw = hcl2.loads(text)
    except UnexpectedInput as error:
        line = getattr(error, "line", None)
        detail = str(error).splitlines()[0]
        raise PolicyParseError(f"HCL syntax error: {detail}", line if isinstance(line, int) and line > 0 else None, name) from None
    except Exception as error:  # python-hcl2 raises several error types
        raise PolicyParseError(f"HCL syntax error: {error}", policy=name) from None
    raw.pop("__comments__", None)
    return _unhcl(raw)


def _unhcl(value: Any) -> Any:
    """python-hcl2 output -> plain values: quoted strings unquoted, identifiers marked."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if key in ("__is_block__", "__comments__", "__inline_comments__"):
                continue
            result[_unquote_key(key)] = _unhcl(item)
        return result
    if isinstance(value, list):
        return [_unhcl(item) for item in value]
    if isinstance(value, str):
        if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
            return json.loads(value) if "\\" in value else value[1:-1]
        if value in ("true", "false"):
            return value == "true"
        return _Bare(value)
    return value


class _Bare(str):
    """An unquoted HCL expression (identifier); Vault's HCL1 parser refuses these."""


def _unquote_key(key: str) -> str:
    if len(key) >= 2 and key[0] == '"' and key[-1] == '"':
        return json.loads(key) if "\\" in key else key[1:-1]
    return key


def _path_blocks(value: Any, name: str) -> list[tuple[str, dict[str, Any]]]:
    """``path`` blocks in order, duplicates kept (HCL and HCL-JSON forms)."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    blocks = []
    for item in items:
        if not isinstance(item, dict):
            raise PolicyParseError("path must be a block: path \"<path>\" { ... }", policy=name)
        for raw_path, body in item.items():
            for entry in body if isinstance(body, list) else [body]:
                if not isinstance(entry, dict):
                    raise PolicyParseError(f'path "{raw_path}": must be a block', policy=name)
                blocks.append((raw_path, entry))
    return blocks


_PATH_RE = re.compile(r'^\s*path\s+"((?:[^"\\]|\\.)*)"')


def _path_lines(text: str) -> list[int]:
    """1-based line of each ``path`` block, in order (comments skipped)."""
    lines = []
    in_comment = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if in_comment:
            in_comment = "*/" not in stripped
            continue
        if stripped.startswith("/*"):
            in_comment = "*/" not in stripped
            continue
        if stripped.startswith(("#", "//")):
            continue
        if _PATH_RE.match(line):
            lines.append(number)
    return lines


def _key_line(text: str, key: str, start: int, end: int) -> Optional[int]:
    pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*[={{]')
    for number, line in enumerate(text.splitlines(), start=1):
        if start <= number < end and pattern.match(line):
            return number
    return None


def _parse_block(
    raw_path: str, body: dict[str, Any], policy: str, text: str, line: Optional[int], end: int
) -> PathRule:
    def fail(message: str, key: Optional[str] = None) -> PolicyParseError:
        at = _key_line(text, key, line or 0, end) if key else line
        return PolicyParseError(f'path "{raw_path}": {message}', at or line, policy)

    for key in body:
        if key not in _PATH_KEYS:
            raise fail(f'invalid key "{key}"', key)
    path = raw_path[1:] if raw_path.startswith("/") else raw_path
    if "+*" in path:
        raise fail("invalid use of wildcards ('+*' is forbidden)")

    capabilities = body.get("capabilities", [])
    if isinstance(capabilities, str) and not isinstance(capabilities, _Bare):
        capabilities = [capabilities]
    if not isinstance(capabilities, list):
        raise fail("capabilities must be a list of strings", "capabilities")
    capabilities = list(capabilities)
    if "policy" in body and body["policy"] != "":  # Vault ignores an empty shorthand
        legacy = body["policy"]
        if legacy == "deny":
            capabilities = ["deny"]
        elif isinstance(legacy, str) and legacy in LEGACY_POLICIES and not isinstance(legacy, _Bare):
            capabilities += LEGACY_POLICIES[legacy]
        else:
            raise fail(f'invalid policy "{legacy}"', "policy")

    bits = 0
    for capability in capabilities:
        if isinstance(capability, _Bare) or not isinstance(capability, str) or capability not in CAPABILITIES:
            raise fail(f'invalid capability "{capability}"', "capabilities")
        if capability == "deny":
            return PathRule(path=path, capabilities=DENY, granting_policies=[policy], line=line,
                            templated="{{" in path)
        bits |= CAPABILITIES[capability]

    rule = PathRule(path=path, capabilities=bits, granting_policies=[policy], line=line, templated="{{" in path)
    for key in ("allowed_parameters", "denied_parameters"):
        if key in body:
            setattr(rule, key, _parameters(body[key], lambda m: fail(m, key)))
    if "required_parameters" in body:
        required = body["required_parameters"]
        if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
            raise fail("required_parameters must be a list of strings", "required_parameters")
        rule.required_parameters = [str(r) for r in required]
    for key in ("min_wrapping_ttl", "max_wrapping_ttl"):
        if key in body:
            try:
                setattr(rule, key, duration_seconds(body[key]))
            except ValueError as error:
                raise PolicyParseError(f"error parsing {key}: {error}", _key_line(text, key, line or 0, end) or line, policy) from None
    if rule.min_wrapping_ttl and rule.max_wrapping_ttl and rule.max_wrapping_ttl < rule.min_wrapping_ttl:
        raise PolicyParseError("max_wrapping_ttl cannot be less than min_wrapping_ttl", line, policy)
    return rule


def _parameters(value: Any, fail) -> dict[str, list[Any]]:
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):  # block form
        merged: dict[str, Any] = {}
        for item in value:
            merged.update(item)
        value = merged
    if not isinstance(value, dict):
        raise fail("must be a map of parameter names to lists of values")
    result = {}
    for key, values in value.items():
        if isinstance(values, _Bare):
            raise fail(f'invalid value for "{key}": {values}')
        result[str(key).lower()] = list(values) if isinstance(values, list) else [values]
    return result


_DURATION = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h|d)")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600, "d": 86400}


def duration_seconds(value: Any) -> int:
    """Vault's ParseDurationSecond: a number (or numeric string) of seconds, or a Go duration."""
    if isinstance(value, bool):
        raise ValueError(f"invalid duration {value!r}")
    if isinstance(value, (int, float)):
        return int(value)
    text = str(value).strip()
    if text == "":
        return 0
    if re.fullmatch(r"[0-9]+", text):
        return int(text)
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f'time: invalid duration "{text}"')
    return int(sum(float(n) * _UNITS[u] for n, u in parts))


def _copy_params(params: Optional[dict[str, list[Any]]]) -> Optional[dict[str, list[Any]]]:
    return None if params is None else {key: list(values) for key, values in params.items()}


# --------------------------------------------------------------------------- the ACL


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
    """The merged rules of a set of policies, indexed for lookups."""

    def __init__(self, policies: Iterable[Policy]):
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
                if rule.templated:
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
        is_list = operation == "list"
        if is_list and path.endswith("/"):
            rule = self._exact.get(path[:-1])
            if rule is not None:
                return rule
            # Vault 1.21 (hashicorp/vault PR #23874): wildcard rules are matched against
            # the path without its trailing slash first; only when none matches is the
            # path with the slash tried.
            trimmed = self._candidates(path[:-1])
            if trimmed:
                return max(trimmed, key=lambda c: c.rank).rule
        candidates = self._candidates(path)
        return max(candidates, key=lambda c: c.rank).rule if candidates else None

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
        if operation in _PARAMETER_OPERATIONS:
            problem = _parameter_problem(rule, data or {})
            if problem:
                return Decision(False, root_privs, [], problem)
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

    def rules(self) -> list[PathRule]:
        """Every merged rule (exact, prefix, segment)."""
        return [*self._exact.values(), *self._prefix.values(), *self._segment.values()]


def _merge_into(table: dict[str, PathRule], key: str, rule: PathRule, policy: str) -> None:
    existing = table.get(key)
    if existing is None:
        merged = rule.copy()
        merged.granting_policies = [policy]
        merged.granted_by = {bit: [policy] for bit in CAPABILITIES.values() if rule.capabilities & bit}
        table[key] = merged
        return
    if existing.capabilities & DENY:
        return
    if rule.capabilities & DENY:
        existing.capabilities = DENY
        existing.allowed_parameters = None
        existing.denied_parameters = None
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
            setattr(existing, attribute, _copy_params(new))
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


# --------------------------------------------------------------------------- parameters


def _glob_match(pattern: str, value: str) -> bool:
    """Vault's GlobbedStringsMatch: ``*`` at the start and/or end only."""
    if len(pattern) < 2:
        return pattern == value
    starts, ends = pattern.startswith("*"), pattern.endswith("*")
    if starts and ends:
        return pattern[1:-1] in value
    if starts:
        return value.endswith(pattern[1:])
    if ends:
        return value.startswith(pattern[:-1])
    return pattern == value


def _same(expected: Any, value: Any) -> bool:
    if expected is None or value is None:
        return expected is None and value is None
    if isinstance(expected, str) and isinstance(value, str):
        return _glob_match(expected, value)
    if isinstance(expected, bool) or isinstance(value, bool):
        return type(expected) is type(value) and expected == value
    if isinstance(expected, (int, float)) and isinstance(value, (int, float)):
        return expected == value
    return type(expected) is type(value) and expected == value


def _in_list(value: Any, values: list[Any]) -> bool:
    return any(_same(expected, value) for expected in values)


def _pieces(value: Any) -> Optional[list[Any]]:
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, str):
        return [piece.strip() for piece in value.split(",")] if value else []
    return None


def _value_allowed(value: Any, values: list[Any]) -> bool:
    if not values or _in_list(value, values):
        return True
    pieces = _pieces(value)
    return pieces is not None and all(_in_list(piece, values) for piece in pieces)


def _value_denied(value: Any, values: list[Any]) -> bool:
    if not values or _in_list(value, values):
        return True
    pieces = _pieces(value)
    return pieces is not None and any(_in_list(piece, values) for piece in pieces)


def _parameter_problem(rule: PathRule, data: Mapping[str, Any]) -> str:
    for name in rule.required_parameters:
        if name.lower() not in data:
            return f'required parameter "{name}" is missing'
    if not data:
        return ""
    denied = rule.denied_parameters or {}
    if denied:
        if "*" in denied:
            return "every parameter is denied"
        for name, value in data.items():
            key = name.lower()
            if key in denied and _value_denied(value, denied[key]):
                return f'parameter "{name}" value is denied'
    allowed = rule.allowed_parameters or {}
    if not allowed or (len(allowed) == 1 and "*" in allowed):
        return ""
    for name, value in data.items():
        key = name.lower()
        if key in allowed:
            if not _value_allowed(value, allowed[key]):
                return f'parameter "{name}" value is not allowed'
        elif "*" not in allowed:
            return f'parameter "{name}" is not allowed'
    return ""
