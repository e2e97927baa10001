"""What every part of the stack-configuration schema shares: the strict, frozen model
base, the name and path patterns, and the cross-item helpers (duplicates, TTL order)."""

from __future__ import annotations

from typing import Any, Callable, Hashable, Iterable, Iterator, Optional

from pydantic import BaseModel, ConfigDict

from components.problems import Problem
from components.ttl import ttl_seconds

NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
MOUNT = r"^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)*$"


class Model(BaseModel):
    """Unknown keys are errors; validated values cannot change."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


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
