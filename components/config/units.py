"""Durations and sizes as stack files write them, and what they amount to.

* Vault TTLs: ``3600``, ``90s``, ``1h30m``, ``30d`` (:func:`ttl_seconds`, :func:`ttl_duration`);
* Go durations, as Vault's server configuration takes them: ``10s``, ``1h30m``
  (:func:`duration_seconds`);
* Kubernetes quantities: ``500m``, ``1Gi`` (:func:`quantity`).
"""

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


_QUANTITY_FACTORS = {
    "m": 1e-3, "": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
}


def quantity(text: str) -> float:
    """The numeric value of a Kubernetes quantity such as ``500m`` or ``1Gi``."""
    match = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)([A-Za-z]*)", text)
    if not match or match.group(2) not in _QUANTITY_FACTORS:
        raise ValueError(f"not a Kubernetes quantity: {text!r}")
    return float(match.group(1)) * _QUANTITY_FACTORS[match.group(2)]


_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def duration_seconds(text: str) -> float:
    """Seconds in a Go-style duration such as ``1h30m`` or ``10s``."""
    parts = re.findall(r"([0-9]+)(ns|us|ms|s|m|h)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a duration: {text!r}")
    return sum(int(number) * _DURATION_UNITS[unit] for number, unit in parts)
