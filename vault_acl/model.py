"""The vocabulary of Vault's ACL policies: capabilities, operations, rules, policies and
decisions. Shared by the parser and the evaluator; no parsing or matching here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

CAPABILITIES: dict[str, int] = {
    "deny": 1,
    "create": 2,
    "read": 4,
    "update": 8,
    "delete": 16,
    "list": 32,
    "sudo": 64,
    "patch": 128,
    "subscribe": 256,
    "recover": 512,
    "scan": 1024,
}
DENY = CAPABILITIES["deny"]
SUDO = CAPABILITIES["sudo"]
_CAPABILITY_ORDER = ("sudo", "read", "list", "update", "delete", "create", "patch", "subscribe", "recover", "scan")

LEGACY_POLICIES: dict[str, tuple[str, ...]] = {
    "read": ("read", "list"),
    "write": ("create", "read", "update", "delete", "list"),
    "sudo": ("create", "read", "update", "delete", "list", "sudo"),
}

OPERATIONS: dict[str, Optional[str]] = {
    "create": "create",
    "read": "read",
    "update": "update",
    "delete": "delete",
    "list": "list",
    "patch": "patch",
    "recover": "recover",
    "scan": "scan",
    "revoke": "update",
    "renew": "update",
    "rollback": "update",
    "help": None,  # always allowed
    "alias-lookahead": None,
    "resolve-role": None,
    "header": None,
}
"""Vault's logical operations and the capability each needs (None: see allowed())."""


class PolicyParseError(ValueError):
    """A policy Vault would refuse; ``line`` is the 1-based line when known."""

    def __init__(self, message: str, line: Optional[int] = None, policy: str = ""):
        self.line = line
        self.policy = policy
        where = f" (line {line})" if line else ""
        super().__init__(f"failed to parse policy{f' {policy!r}' if policy else ''}: {message}{where}")


@dataclass
class PathRule:
    """One ``path`` block, or several merged."""

    path: str
    """The path as Vault stores it: leading slash removed, trailing ``*`` kept."""
    capabilities: int
    allowed_parameters: Optional[dict[str, list[Any]]] = None
    denied_parameters: Optional[dict[str, list[Any]]] = None
    required_parameters: list[str] = field(default_factory=list)
    min_wrapping_ttl: int = 0
    max_wrapping_ttl: int = 0
    granting_policies: list[str] = field(default_factory=list)
    """Every policy that contributed to this (merged) rule."""
    granted_by: dict[int, list[str]] = field(default_factory=dict)
    """Capability bit -> the policies that grant it (what a decision reports)."""
    line: Optional[int] = None
    templated: bool = False
    expiration: Optional[str] = None
    """OpenBao: an RFC 3339 time after which the block no longer applies."""
    pagination_limit: int = 0
    """OpenBao: the most keys a LIST or SCAN may ask for (0: no cap)."""

    @property
    def is_segment_wildcard(self) -> bool:
        p = self.path
        return p == "+" or "/+" in p or p.startswith("+/")

    @property
    def is_prefix(self) -> bool:
        return self.path.endswith("*")

    @property
    def kind(self) -> str:
        if self.is_segment_wildcard:
            return "segment"
        return "prefix" if self.is_prefix else "exact"

    @property
    def capability_names(self) -> list[str]:
        return capability_names(self.capabilities)

    def copy(self) -> "PathRule":
        return PathRule(
            path=self.path,
            capabilities=self.capabilities,
            allowed_parameters=copy_parameters(self.allowed_parameters),
            denied_parameters=copy_parameters(self.denied_parameters),
            required_parameters=list(self.required_parameters),
            min_wrapping_ttl=self.min_wrapping_ttl,
            max_wrapping_ttl=self.max_wrapping_ttl,
            granting_policies=list(self.granting_policies),
            granted_by={bit: list(names) for bit, names in self.granted_by.items()},
            line=self.line,
            templated=self.templated,
            expiration=self.expiration,
            pagination_limit=self.pagination_limit,
        )


@dataclass
class Policy:
    name: str
    rules: list[PathRule]
    text: str = ""

    @property
    def is_root(self) -> bool:
        return self.name == "root"


ROOT_POLICY = Policy(name="root", rules=[])
"""Vault's built-in root policy: everything, with sudo."""


@dataclass(frozen=True)
class Decision:
    allowed: bool
    root_privs: bool = False
    granting_policies: list[str] = field(default_factory=list)
    reason: str = ""
    """Why (for reports): the matched rule, or what failed."""


def capability_names(bits: int) -> list[str]:
    if bits & DENY:
        return ["deny"]
    return sorted(name for name in _CAPABILITY_ORDER if bits & CAPABILITIES[name])


def copy_parameters(params: Optional[dict[str, list[Any]]]) -> Optional[dict[str, list[Any]]]:
    return None if params is None else {key: list(values) for key, values in params.items()}
