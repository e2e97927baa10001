"""What every part of the stack-configuration schema shares: the strict, frozen model
base, the name and path patterns, the units (durations, TTLs, quantities), the cross-item helpers (duplicates, TTL order), and
:class:`Rules`, which collects the problems of the rules that look across fields."""

from __future__ import annotations

import functools
import re
import typing
from pathlib import Path
from typing import Any, Callable, Hashable, Iterable, Iterator, Optional

from pydantic import BaseModel, ConfigDict

from components.config.problems import Problem

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
"""The repository: stack files name policy, key and certificate files relative to it."""

NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
MOUNT = r"^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)*$"
DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"
QUANTITY = r"^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$"
DURATION = r"^([0-9]+(ns|us|ms|s|m|h))+$"
IDENTIFIER = r"^[a-z_][a-z0-9_]{0,62}$"
AWS_REGION = r"^[a-z]{2}(-[a-z]+)+-[0-9]$"
ACCOUNT_ARN = r"arn:aws(-[a-z]+)*"
PRINCIPAL_ARN = (
    rf"{ACCOUNT_ARN}:(iam::[0-9]{{12}}:(root|(role|user)/[A-Za-z0-9+=,.@_/-]+)|sts::[0-9]{{12}}:assumed-role/.+)"
)
PRINCIPAL_ARN_HELP = "not an IAM principal ARN (arn:aws:iam::<account>:root, :role/<name> or :user/<name>)"



# -- units: durations and sizes as stack files write them, and what they amount to ----
# Vault TTLs (``3600``, ``90s``, ``1h30m``, ``30d``), Go durations as Vault's server
# configuration takes them (``10s``, ``1h30m``), Kubernetes quantities (``500m``, ``1Gi``).

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


class Model(BaseModel):
    """Unknown keys are errors; validated values cannot change."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


@functools.lru_cache(maxsize=None)
def model_in(annotation: Any) -> Optional[type[BaseModel]]:
    """The model class a field holds (directly or inside Optional/tuple/list/dict)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = model_in(arg)
        if found is not None:
            return found
    return None


def repeated(items: Iterable[Any], key: Callable[[Any], Hashable]) -> Iterator[tuple[int, Any]]:
    """``(index, item)`` for every item whose key an earlier item already had."""
    seen: set[Hashable] = set()
    for index, item in enumerate(items):
        value = key(item)
        if value in seen:
            yield index, item
        seen.add(value)


def ttl_order(add: Callable[[Problem], None], where: str, low_name: str, low: Optional[str],
              high_name: str, high: Optional[str]) -> None:
    """Report ``<where>.<low_name>`` when the TTL ``low`` exceeds ``high`` (both set)."""
    low_s, high_s = ttl_seconds(low), ttl_seconds(high)
    if low_s is not None and high_s is not None and low_s > high_s:
        add(Problem(f"{where}.{low_name}", f"exceeds {high_name} ({high})", low))


def rules_apply(failed: set[str], prefix: str) -> bool:
    """No value at or under ``prefix`` failed type validation."""
    return not any(path == prefix or path.startswith(prefix + ".") for path in failed)


class Rules:
    """Collects cross-field problems, skipping a rule when one of its inputs already
    failed type validation (its stand-in default would make the rule report a value
    the stack file does not hold)."""

    def __init__(self, failed: set[str]):
        self.failed = failed
        self.problems: list[Problem] = []

    def usable(self, *paths: str) -> bool:
        for path in paths:
            for bad in self.failed:
                if bad == path or bad.startswith(path + ".") or bad.startswith(path + "[") or path.startswith(bad + "."):
                    return False
        return True

    def check(self, inputs: tuple[str, ...], broken: bool, problem: Problem) -> None:
        if broken and self.usable(*inputs):
            self.problems.append(problem)
