"""Parsing Vault ACL policies (HCL1 or JSON) the way Vault's ``policy.go`` does, into
:class:`vault_acl.model.Policy`: every key and value checked, each error with its line."""

from __future__ import annotations

import json
import re
from typing import Any, Optional

from vault_acl.model import CAPABILITIES, DENY, LEGACY_POLICIES, PathRule, Policy, PolicyParseError

_PATH_KEYS = {
    "comment", "policy", "capabilities", "allowed_parameters", "denied_parameters",
    "required_parameters", "min_wrapping_ttl", "max_wrapping_ttl", "mfa_methods",
    "control_group", "subscribe_event_types",
}
_TOP_KEYS = {"name", "path"}


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
