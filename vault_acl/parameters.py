"""Request parameters against a rule's ``required_parameters``, ``denied_parameters`` and
``allowed_parameters``, as the servers check them: globs at either end of a value; list
values and comma-separated strings matched element by element (Vault 1.21 and later) or as
one value (OpenBao); ``policies``/``token_policies`` values lowercased first (Vault 2.0)."""

from __future__ import annotations

from typing import Any, Mapping, Optional

from vault_acl.model import PathRule

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


def _value_allowed(value: Any, values: list[Any], per_element: bool) -> bool:
    if not values or _in_list(value, values):
        return True
    pieces = _pieces(value) if per_element else None
    return pieces is not None and all(_in_list(piece, values) for piece in pieces)


def _value_denied(value: Any, values: list[Any], per_element: bool) -> bool:
    if not values or _in_list(value, values):
        return True
    pieces = _pieces(value) if per_element else None
    return pieces is not None and any(_in_list(piece, values) for piece in pieces)


POLICY_PARAMETERS = ("policies", "token_policies")


def _lowercased(name: str, value: Any) -> Any:
    if name.lower() not in POLICY_PARAMETERS:
        return value
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, list):
        return [v.lower() if isinstance(v, str) else v for v in value]
    return value


def parameter_problem(rule: PathRule, data: Mapping[str, Any], per_element: bool = True,
                      lowercase_policies: bool = False) -> str:
    """Why the parameters are refused ("" when they are not). ``per_element``: match list
    values and comma-separated strings element by element; ``lowercase_policies``: compare
    ``policies``/``token_policies`` values in lower case."""
    if lowercase_policies:
        data = {name: _lowercased(name, value) for name, value in data.items()}
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
            if key in denied and _value_denied(value, denied[key], per_element):
                return f'parameter "{name}" value is denied'
    allowed = rule.allowed_parameters or {}
    if not allowed or (len(allowed) == 1 and "*" in allowed):
        return ""
    for name, value in data.items():
        key = name.lower()
        if key in allowed:
            if not _value_allowed(value, allowed[key], per_element):
                return f'parameter "{name}" value is not allowed'
        elif "*" not in allowed:
            return f'parameter "{name}" is not allowed'
    return ""
