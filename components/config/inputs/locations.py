"""Where a problem is, in words a person finds it by: a list entry named by its ``name``
or ``path`` (``vault.roles[name=ingest]``, not ``vault.roles[7]``), and the line of the
stack file that holds it.

:func:`stack_file_lines` records, once per read, the line of every key and list entry of
a stack file; :func:`locate` rewrites the problems of one load with both. A problem whose
path does not lead into the file (a key left at its default, a policy file) keeps its
path, and gets the line of the nearest enclosing key that is written.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Iterable, Optional

import yaml

from components.config.problems import NAMESPACE, Problem

Location = tuple[Any, ...]
"""A path into the stack file's ``config`` mapping: keys and list indexes."""

_SEGMENT = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")
NAMING_KEYS = ("name", "path")
"""What a list entry is called by, in this order: roles, groups, quotas by ``name``; auth
methods, audit devices, engines and namespaces by ``path``."""


def stack_file_lines(text: str) -> dict[Location, int]:
    """The 1-based line of each key and list entry under ``config:`` (``{}`` when the text
    does not compose: the loader reports that)."""
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return {}
    lines: dict[Location, int] = {}
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key, value in root.value:
        if key.value == "config":
            _walk(value, (), lines)
    return lines


def _walk(node: yaml.Node, at: Location, lines: dict[Location, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            here = (*at, key.value)
            lines[here] = key.start_mark.line + 1
            _walk(value, here, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            here = (*at, index)
            lines[here] = item.start_mark.line + 1
            _walk(item, here, lines)


def parse_path(path: str) -> list[Any]:
    """``vault.roles[7].token_policies[0]`` -> ``["vault", "roles", 7, "token_policies", 0]``."""
    return [int(index) if index else key for index, key in _SEGMENT.findall(path)]


def _entry_name(items: list, index: int) -> Optional[str]:
    """``name=ingest`` for ``items[index]`` when it is named and the name is unique there."""
    item = items[index]
    if not isinstance(item, dict):
        return None
    for key in NAMING_KEYS:
        value = item.get(key)
        if isinstance(value, str) and value:
            twins = sum(isinstance(other, dict) and other.get(key) == value for other in items)
            return f"{key}={value}" if twins == 1 else f"{index}: {key}={value}"
    return None


def describe(path: str, data: Any, lines: Optional[dict[Location, int]] = None) -> tuple[str, Optional[int]]:
    """``(path with named list entries, line)`` for a problem at ``path`` of ``data`` (the
    stack's own keys, without the namespace)."""
    parts = parse_path(path)
    if not parts:
        return path, None
    shown = ""
    node = data
    line = None
    location: Location = (f"{NAMESPACE}:{parts[0]}",)
    for number, part in enumerate(parts):
        if number:
            location = (*location, part)
        if lines and location in lines:
            line = lines[location]
        if isinstance(part, int):
            name = _entry_name(node, part) if isinstance(node, list) and 0 <= part < len(node) else None
            shown += f"[{name or part}]"
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
        else:
            shown += f".{part}" if shown else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return shown, line


def locate(problems: Iterable[Problem], data: Any, lines: Optional[dict[Location, int]]) -> list[Problem]:
    """The problems with named list entries and stack-file lines."""
    located = []
    for problem in problems:
        if not problem.path:
            located.append(problem)
            continue
        path, line = describe(problem.path, data, lines)
        located.append(dataclasses.replace(problem, path=path, line=line))
    return located
