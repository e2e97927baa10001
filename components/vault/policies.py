"""ACL policies from ``policies/*.hcl`` (already parsed and checked): every one in the root
namespace, and in each declared namespace the ones its roles and groups name — Vault looks
a token's policies up in the token's own namespace, so a namespaced role naming a root
policy would get nothing."""

from __future__ import annotations

from typing import Optional

import pulumi_vault as vault

from components.config.inputs.policy_files import PolicyFile
from components.config.vault.spec import VaultSpec
from components.vault.scope import Scope

Policies = dict[tuple[Optional[str], str], vault.Policy]
"""(namespace or None for root, policy name) -> the policy resource."""


def namespaced_policies(spec: VaultSpec) -> dict[str, set[str]]:
    """Namespace -> the names of the policies its roles and groups hold (``default`` is built in)."""
    needed: dict[str, set[str]] = {}
    for holder, names in [*((r, r.token_policies) for r in spec.roles), *((g, g.policies) for g in spec.groups)]:
        if holder.namespace is not None:
            needed.setdefault(holder.namespace, set()).update(n for n in names if n != "default")
    return needed


def declare_policies(scope: Scope, files: list[PolicyFile], spec: VaultSpec) -> Policies:
    by_name = {file.name: file for file in files}
    policies: Policies = {
        (None, file.name): vault.Policy(scope.resource_name("policy", file.name), name=file.name, policy=file.text,
                                        opts=scope.opts(after_audit=True))
        for file in files
    }
    for namespace, names in sorted(namespaced_policies(spec).items()):
        for name in sorted(names):
            file = by_name[name]  # validated: every named policy is loaded
            policies[(namespace, name)] = vault.Policy(
                scope.resource_name("policy", namespace, name), name=name, namespace=namespace, policy=file.text,
                opts=scope.opts(namespace, after_audit=True))
    return policies
