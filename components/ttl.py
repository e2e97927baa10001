"""Vault TTLs as the stack files write them: ``3600``, ``90s``, ``1h30m``, ``30d``."""

from __future__ import annotations

import re
from typing import Optional

TTL_PATTERN = r"^([0-9]+|([0-9]+(s|m|h|d))+)$"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def ttl_seconds(text: Optional[str]) -> Optional[int]:
    """Seconds in a TTL (None stays None)."""
    if text is None:
        return None
    if text.isdigit():
        return int(text)
    return sum(int(n) * _UNITS[u] for n, u in re.findall(r"([0-9]+)([smhd])", text))


def ttl_duration(text: Optional[str]) -> Optional[str]:
    """The TTL for provider arguments that take a duration string: as written when Go's
    duration parser reads it (``90s``, ``1h30m``), else as ``<seconds>s`` (that parser
    knows neither days nor bare numbers)."""
    if text is None or re.fullmatch(r"([0-9]+[smh])+", text):
        return text
    return f"{ttl_seconds(text)}s"
