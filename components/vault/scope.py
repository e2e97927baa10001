"""What every Vault configuration module needs: the parent, the provider, the namespaces."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Sequence

import pulumi


@dataclass
class Scope:
    name: str
    """Prefix of every resource name (the configuration component's name)."""
    parent: pulumi.Resource
    provider: pulumi.ProviderResource
    namespaces: dict[str, pulumi.Resource] = field(default_factory=dict)
    """Declared namespace path -> its resource (filled by the namespaces module)."""
    grants: list[pulumi.Resource] = field(default_factory=list)
    """The deploy policy (``vault-platform-deploy``): every other resource waits for it, so the
    identity applying the stack holds what it needs before it needs it."""
    baseline: list[pulumi.Resource] = field(default_factory=list)
    """The audit devices: nothing may be reachable before it is audited. Policies, auth
    methods and groups wait for them directly (``after_audit``); roles and aliases wait
    for their mount, so for the audit devices too."""

    def resource_name(self, kind: str, *parts: Optional[str]) -> str:
        """``<name>-<kind>-<part>...`` with path separators turned into dashes."""
        cleaned = [re.sub(r"[^A-Za-z0-9_.-]+", "-", p) for p in parts if p]
        return "-".join([self.name, kind, *cleaned])

    def opts(
        self,
        namespace: Optional[str] = None,
        depends_on: Sequence[pulumi.Resource] = (),
        after_audit: bool = False,
    ) -> pulumi.ResourceOptions:
        needs = [*self.grants, *(self.baseline if after_audit else ()), *depends_on]
        if namespace is not None:
            needs.append(self.namespaces[namespace])
        return pulumi.ResourceOptions(parent=self.parent, provider=self.provider, depends_on=needs or None)
