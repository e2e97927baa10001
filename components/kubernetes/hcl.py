"""A small, strict HCL writer for the documents this project renders (Vault server config).

Blocks are written from plain Python values so that rendering stays a pure function:
``Block("storage", ["raft"], {"path": "/vault/data"})`` becomes
``storage "raft" {\n  path = "/vault/data"\n}``. Attribute order is kept as given so
that the output is stable and reads the way Vault's documentation orders it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Sequence, Union

Value = Union[str, int, bool, float, Sequence[Any], dict]


@dataclass(frozen=True)
class Block:
    """An HCL block: ``type "label" ... { body }``. Body values may be nested Blocks."""

    type: str
    labels: Sequence[str] = ()
    body: Sequence[tuple[str, Any]] | dict[str, Any] = field(default_factory=dict)


def literal(value: Value) -> str:
    """An HCL literal for a Python value (strings JSON-escaped, which HCL accepts)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        if "${" in value or "%{" in value:
            raise ValueError(f"template sequences are not allowed in rendered HCL: {value!r}")
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    if isinstance(value, dict):  # an object: keys quoted (response header names carry `-`)
        return "{ " + ", ".join(f"{json.dumps(str(key))} = {literal(item)}" for key, item in value.items()) + " }"
    raise TypeError(f"cannot render {type(value).__name__} as HCL")


def render(items: Sequence[Union[Block, tuple[str, Any]]], indent: int = 0) -> str:
    """Render top-level attributes (``(name, value)``) and blocks, in order."""
    pad = "  " * indent
    lines: list[str] = []
    for item in items:
        if isinstance(item, Block):
            if lines and lines[-1] != "":
                lines.append("")
            head = " ".join([item.type, *(json.dumps(label) for label in item.labels)])
            body = item.body.items() if isinstance(item.body, dict) else item.body
            inner = render([entry if isinstance(entry, Block) else entry for entry in _entries(body)], indent + 1)
            lines.append(f"{pad}{head} {{")
            if inner:
                lines.append(inner)
            lines.append(f"{pad}}}")
            lines.append("")
        else:
            name, value = item
            if value is None:
                continue
            lines.append(f"{pad}{name} = {literal(value)}")
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines)


def _entries(body):
    for name, value in body:
        if isinstance(value, Block):
            yield value
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, Block) for v in value):
            yield from value
        else:
            yield (name, value)
