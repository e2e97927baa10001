"""Parsing ACL policies (HCL1 or its JSON form) the way the servers' ``policy.go`` does,
into :class:`vault_acl.model.Policy`: the HCL1 syntax tree (:mod:`vault_acl.hcl1`), the
key checks (every invalid key of the offending object reported, with its line), then
decoding each ``path`` block as the hcl v1 decoder does — lists must be lists, strings
must be strings, templated paths must balance their ``{{ }}``. What the three targets
do differently comes from the dialect (:mod:`vault_acl.dialects`).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Callable, Optional

from vault_acl import hcl1
from vault_acl.dialects import DEFAULT_DIALECT, Dialect, dialect as get_dialect
from vault_acl.model import CAPABILITIES, DENY, LEGACY_POLICIES, PathRule, Policy, PolicyParseError

_TOP_KEYS = ("name", "path")


def parse_policy(text: str, name: str = "", dialect: str | Dialect = DEFAULT_DIALECT) -> Policy:
    """Parse an HCL1 (or JSON) ACL policy as the ``dialect``'s server does; raises
    :class:`PolicyParseError` with the server's reason and the line where known."""
    rules_of = get_dialect(dialect)
    if name == "root":
        return Policy(name="root", rules=[], text=text)
    try:
        document = hcl1.parse(text)
        if rules_of.duplicate_attributes == "refuse" and not document.json:
            duplicate = hcl1.duplicate_attributes(document.items)
            if duplicate is not None:
                raise duplicate
    except hcl1.HclError as error:
        raise PolicyParseError(str(error), error.line or None, name) from None
    _check_keys(document.items, _TOP_KEYS, "", name)
    policy_name = ""
    for item in document.items:
        if item.key == "name":
            policy_name = _string(item.value, "root.name", name)
    rules = [_parse_block(item, rules_of, name) for item in document.items if item.key == "path"]
    return Policy(name=name or policy_name, rules=rules, text=text)


def _check_keys(items: list[hcl1.Item], valid: tuple[str, ...] | frozenset[str], prefix: str, policy: str) -> None:
    """Every invalid key of one object, as ``CheckHCLKeys`` collects them (a block's key,
    having no ``=``, is on "line 0")."""
    invalid = [(item.key, item.assign[0] if item.assign else 0) for item in items if item.key not in valid]
    if not invalid:
        return
    entries = "; ".join(f'invalid key "{key}" on line {line}' for key, line in invalid)
    count = f"{len(invalid)} error{'s' * (len(invalid) > 1)} occurred: "
    first_line = next((line for _, line in invalid if line), None)
    raise PolicyParseError(f"{prefix}{count}{entries}", first_line, policy)


def _string(node: hcl1.Node, where: str, policy: str) -> str:
    """``decodeString``: a literal's value (numbers and booleans as written)."""
    if isinstance(node, hcl1.Literal):
        token = node.token
        return token.text if token.kind in ("NUMBER", "FLOAT", "BOOL") else str(token.value())
    kind = "*ast.ObjectList" if isinstance(node, hcl1.ObjectNode) else "*ast.ListType"
    raise PolicyParseError(f"{where}: unknown type for string {kind}", getattr(node, "line", None) or None, policy)


def _strings(node: hcl1.Node, where: str, policy: str) -> list[str]:
    """``decodeSlice`` into ``[]string``: only a list will do."""
    if not isinstance(node, hcl1.ListNode):
        token = node.token if isinstance(node, hcl1.Literal) else None
        at = f"At {token.line}:{token.column}: " if token and token.line else ""
        kind = "*ast.LiteralType" if token else "*ast.ObjectType"
        raise PolicyParseError(f"{where}: {at}unknown slice type: {kind}", token.line if token else None, policy)
    return [_string(element, where, policy) for element in node.items]


def _value(node: hcl1.Node) -> Any:
    """Decoding into ``interface{}``: literals typed, lists as lists, objects as maps."""
    if isinstance(node, hcl1.Literal):
        return node.token.value()
    if isinstance(node, hcl1.ListNode):
        return [_value(item) for item in node.items]
    return {item.key: _value(item.value) for item in node.items}


_TEMPLATE = re.compile(r"\{\{|\}\}")


def _balanced_templates(path: str) -> bool:
    depth = 0
    for match in _TEMPLATE.finditer(path):
        depth += 1 if match.group() == "{{" else -1
        if depth not in (0, 1):
            return False
    return depth == 0


def _parse_block(item: hcl1.Item, rules_of: Dialect, policy: str) -> PathRule:
    raw_path = str(item.keys[1].value()) if len(item.keys) > 1 else "path"
    line = item.keys[0].line or None

    def fail(message: str, at: Optional[int] = None) -> PolicyParseError:
        return PolicyParseError(f'path "{raw_path}": {message}', at or line, policy)

    if not _balanced_templates(raw_path):
        raise fail("failed to validate policy templating: unbalanced templating characters")
    if not isinstance(item.value, hcl1.ObjectNode):
        kind = "*ast.LiteralType" if isinstance(item.value, hcl1.Literal) else "*ast.ListType"
        raise fail(f"cannot check HCL keys of type {kind}")
    body = item.value.items
    _check_keys(body, rules_of.path_keys, f'path "{raw_path}": ', policy)
    path = raw_path[1:] if raw_path.startswith("/") else raw_path
    if "+*" in path:
        raise fail("invalid use of wildcards ('+*' is forbidden)")
    fields = _decode_block(body, raw_path, policy)
    key_lines = {entry.key: entry.assign[0] for entry in body if entry.assign and entry.assign[0]}

    capabilities = list(fields.get("capabilities", []))
    legacy = fields.get("policy", "")
    if legacy:  # an empty shorthand is ignored
        if legacy == "deny":
            capabilities = ["deny"]
        elif legacy in LEGACY_POLICIES:
            capabilities += LEGACY_POLICIES[legacy]
        else:
            raise fail(f'invalid policy "{legacy}"', key_lines.get("policy"))
    bits = 0
    for capability in capabilities:
        if capability not in rules_of.capabilities:
            raise fail(f'invalid capability "{capability}"', key_lines.get("capabilities"))
        if capability == "deny":  # the rest of the block is not even validated
            return PathRule(path=path, capabilities=DENY, granting_policies=[policy], line=line,
                            templated="{{" in path)
        bits |= CAPABILITIES[capability]
    rule = PathRule(path=path, capabilities=bits, granting_policies=[policy], line=line, templated="{{" in path)
    _apply_fields(rule, fields, lambda message, key=None: fail(message, key_lines.get(key) if key else None))
    if "control_group" in fields:
        problem = _control_group_problem(fields["control_group"], rules_of)
        if problem:
            raise fail(f"error handling control_group: {problem}", key_lines.get("control_group"))
    return rule


def _control_group_problem(node: hcl1.ObjectNode, rules_of: Dialect) -> str:
    """What the server finds wrong with a ``control_group`` block: each factor needs an
    identity with groups and approvals above 0 (and, on OpenBao, the capabilities it controls)."""
    factors = [item for item in node.items if item.key == "factor"]
    if not factors:
        return "a control group needs at least one factor"
    for index, factor in enumerate(factors):
        body = factor.value.items if isinstance(factor.value, hcl1.ObjectNode) else []
        keys = {item.key: item.value for item in body}
        if rules_of.control_group_capabilities and "controlled_capabilities" not in keys:
            return f"factor {index}: missing controlled capabilities"
        identity = keys.get("identity")
        members = {item.key: item.value for item in identity.items} if isinstance(identity, hcl1.ObjectNode) else {}
        approvals = members.get("approvals")
        if not isinstance(approvals, hcl1.Literal) or not str(approvals.token.value()).isdigit() or \
                int(approvals.token.value()) < 1:
            return f"factor {index}: approvals must be a number above 0"
        if not any(isinstance(members.get(k), hcl1.ListNode) and members[k].items for k in ("group_names", "group_ids")):
            return f"factor {index}: the identity names no group"
    return ""


def _decode_block(body: list[hcl1.Item], raw_path: str, policy: str) -> dict[str, Any]:
    """Every key decoded; a key given several times (OpenBao, or what Vault's duplicate
    check does not see) merges as the decoder merges: lists appended, maps merged per key
    with their lists concatenated, the last scalar wins."""
    where = f'path "{raw_path}"'
    fields: dict[str, Any] = {}
    for entry in body:
        key = entry.key
        if key in ("capabilities", "required_parameters", "mfa_methods", "subscribe_event_types"):
            fields[key] = fields.get(key, []) + _strings(entry.value, where, policy)
        elif key in ("allowed_parameters", "denied_parameters"):
            merged = fields.setdefault(key, {})
            for name, values in _parameters(entry.value, where, policy).items():
                merged[name] = merged.get(name, []) + values
        elif key in ("min_wrapping_ttl", "max_wrapping_ttl", "pagination_limit"):
            fields[key] = _value(entry.value) if isinstance(entry.value, hcl1.Literal) else None
        elif key == "control_group":
            fields[key] = entry.value
            if not isinstance(entry.value, hcl1.ObjectNode):
                raise PolicyParseError(f"{where}: control_group must be a block", None, policy)
        else:
            fields[key] = _string(entry.value, f"{where}.{key}", policy)
    return fields


def _parameters(node: hcl1.Node, where: str, policy: str) -> dict[str, list[Any]]:
    if not isinstance(node, hcl1.ObjectNode):
        raise PolicyParseError(f"{where}: parameters must be a map of names to lists of values", None, policy)
    result: dict[str, list[Any]] = {}
    for entry in node.items:
        if not isinstance(entry.value, hcl1.ListNode):
            token = entry.value.token if isinstance(entry.value, hcl1.Literal) else None
            at = f"At {token.line}:{token.column}: " if token and token.line else ""
            raise PolicyParseError(f"{where}: {at}unknown slice type: *ast.LiteralType", token.line if token else None,
                                   policy)
        name = entry.key.lower()
        result[name] = result.get(name, []) + [_value(item) for item in entry.value.items]
    return result


def _apply_fields(rule: PathRule, fields: dict[str, Any], fail: Callable[..., PolicyParseError]) -> None:
    rule.allowed_parameters = fields.get("allowed_parameters")
    rule.denied_parameters = fields.get("denied_parameters")
    rule.required_parameters = list(fields.get("required_parameters", []))
    for key in ("min_wrapping_ttl", "max_wrapping_ttl"):
        if key in fields:
            try:
                setattr(rule, key, duration_seconds(fields[key] if fields[key] is not None else ""))
            except ValueError as error:
                raise fail(f"error parsing {key}: {error}", key) from None
    if rule.min_wrapping_ttl and rule.max_wrapping_ttl and rule.max_wrapping_ttl < rule.min_wrapping_ttl:
        raise fail("max_wrapping_ttl cannot be less than min_wrapping_ttl")
    if "expiration" in fields:
        try:
            datetime.fromisoformat(str(fields["expiration"]).replace("Z", "+00:00"))
        except ValueError:
            raise fail(f'error parsing expiration: "{fields["expiration"]}" is not an RFC 3339 time') from None
        rule.expiration = str(fields["expiration"])
    if "pagination_limit" in fields:
        limit = fields["pagination_limit"]
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
            raise fail("pagination_limit must be a non-negative whole number")
        rule.pagination_limit = limit
    if fields.get("list_scan_response_keys_filter_path") and not rule.capabilities & CAPABILITIES["list"]:
        raise fail("list_scan_response_keys_filter_path needs to be used on a path with the list capability")


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
