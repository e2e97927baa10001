"""One canonical form for a value, whichever side it comes from: the plan's inputs (what
the Vault provider sends) or the server's answer (what it stores and fills in). Two values
are the same setting exactly when their normal forms are equal.

Each normaliser takes ``None`` (not declared, or not in the answer) and returns the
attribute's default for it, so a server-filled default and an undeclared input compare
equal — and an attacker's non-default value does not.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from components.config.base import duration_seconds

Normaliser = Callable[[Any], Any]


def seconds(value: Any) -> int:
    """Durations: ``3600``, ``"3600"``, ``"1h"``, ``"72h0m0s"``, ``"30d"`` -> seconds; unset -> 0."""
    if value in (None, "", 0):
        return 0
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, (int, float)):
        return int(value)
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    days = re.fullmatch(r"([0-9]+)d", text)
    if days:
        return int(days.group(1)) * 86400
    return int(duration_seconds(text))


def flag(value: Any) -> bool:
    """Booleans, also as Vault's option strings (``"true"``, ``"false"``); unset -> False."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def names(value: Any) -> list[str]:
    """An unordered list of strings: a list, a comma-separated string, or Vault's ``[""]``
    for an empty tune list; sorted, blanks and duplicates removed."""
    if value in (None, ""):
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return sorted({str(item).strip() for item in items if str(item).strip()})


def ordered(value: Any) -> list[str]:
    """An ordered list (SQL statements run in order): unset -> []."""
    if value in (None, ""):
        return []
    return [str(item) for item in (value if isinstance(value, (list, tuple)) else [value])]


def text(value: Any) -> str:
    """Text compared line by line, trailing blanks ignored (policies, PEM blocks)."""
    if value is None:
        return ""
    return "\n".join(line.rstrip() for line in str(value).strip().splitlines())


def plain(value: Any) -> Any:
    """A scalar as it is; unset -> ``""``."""
    return "" if value is None else value


def number(value: Any) -> float:
    """A number (a quota's rate); unset -> 0."""
    return float(value or 0)


def claims(value: Any) -> dict[str, list[str]]:
    """Bound claims: each claim's allowed values, unordered. The provider splits a
    comma-separated value into a list; the server stores the list."""
    if not value:
        return {}
    result = {}
    for key, allowed in dict(value).items():
        items = allowed.split(",") if isinstance(allowed, str) else (allowed if isinstance(allowed, list) else [allowed])
        result[str(key)] = sorted(str(item).strip() for item in items)
    return result


def mapping(value: Any) -> dict[str, str]:
    """A string-to-string map (metadata, claim mappings); unset -> {}."""
    return {str(k): str(v) for k, v in dict(value or {}).items()}


def document(value: Any) -> Any:
    """A JSON document (an AWS policy) compared by content, not spelling."""
    if value in (None, ""):
        return None
    parsed = json.loads(value) if isinstance(value, str) else value
    return json.loads(json.dumps(parsed, sort_keys=True))


def with_default(normaliser: Normaliser, default: Any) -> Normaliser:
    """``normaliser``, with ``default`` standing in for an unset value (a server default)."""
    def normalise(value: Any) -> Any:
        return normaliser(default if value in (None, "") else value)
    return normalise
