"""A problem found in a stack's configuration — where, what, and what is allowed — and
:class:`ConfigError`, which carries every problem of one stack at once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional

NAMESPACE = "vault-platform"
"""The Pulumi config namespace (the project name in Pulumi.yaml)."""


def show(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass(frozen=True)
class Problem:
    """One invalid value: where it is, what it is, and what is allowed."""

    path: str
    message: str
    value: Any = None
    has_value: bool = True
    line: Optional[int] = None
    """The stack file's line holding the key (or its nearest written parent), when known."""

    def render(self) -> str:
        """``vault-platform:<key path> = <value>: <message> (stack file line N)``; a problem of the whole
        file (no key path) is its message alone."""
        if not self.path:
            return self.message
        shown = f" = {show(self.value)}" if self.has_value else ""
        where = f" (stack file line {self.line})" if self.line else ""
        return f"{NAMESPACE}:{self.path}{shown}: {self.message}{where}"




class ConfigError(ValueError):
    """The stack configuration is invalid; ``problems`` lists every problem found."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = sorted(problems, key=lambda p: (p.path, p.message))
        count = len(self.problems)
        lines = [f"invalid stack configuration in {source} ({count} problem{'s' * (count != 1)}):"]
        lines += [f"  - {p.render()}" for p in self.problems]
        super().__init__("\n".join(lines))
