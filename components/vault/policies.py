"""ACL policies from ``policies/*.hcl`` (already parsed and checked)."""

from __future__ import annotations

import pulumi_vault as vault

from components.config.inputs.policy_files import PolicyFile
from components.vault.scope import Scope


def declare_policies(scope: Scope, files: list[PolicyFile]) -> dict[str, vault.Policy]:
    return {
        file.name: vault.Policy(
            scope.resource_name("policy", file.name), name=file.name, policy=file.text, opts=scope.opts(after_audit=True)
        )
        for file in files
    }
