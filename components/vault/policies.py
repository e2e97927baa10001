"""ACL policies (already parsed and checked): the stack's ``policies/*.hcl`` and the two it
derives (:mod:`components.config.vault.stack_policies`), every one in the root namespace,
and in each declared namespace the ones its roles and groups name — Vault looks a token's
policies up in the token's own namespace, so a namespaced role naming a root policy would
get nothing.

The deploy policy comes first and everything else waits for it; ``pulumi destroy`` leaves
it in place (``retain_on_delete``): the identity deleting the stack needs it to the last
resource. Loaded policies no role or group holds are warned about, unless declared
unattached (break-glass)."""

from __future__ import annotations

from typing import Optional

import pulumi

import pulumi_vault as vault

from components.config.inputs.policy_files import PolicyFile
from components.config.vault.rules import unheld_policies
from components.config.vault.spec import VaultSpec
from components.config.vault.stack_policies import DEPLOY_POLICY
from components.vault.scope import Scope

Policies = dict[tuple[Optional[str], str], vault.Policy]
"""(namespace or None for root, policy name) -> the policy resource."""


def live_deploy_policy(provider: pulumi.ProviderResource) -> Optional[str]:
    """The deploy policy as the server holds it now (for its retiring grants); None on a new
    server, or when it cannot be read (the plan, offline)."""
    try:
        found = vault.generic.get_secret(path=f"sys/policies/acl/{DEPLOY_POLICY}",
                                         opts=pulumi.InvokeOptions(provider=provider))
    except Exception as error:  # a new server has none yet; any other failure is said
        if "no secret found" not in str(error).lower():
            pulumi.log.warn(f"could not read the current {DEPLOY_POLICY} policy ({error}); removed objects "
                            "keep no retiring grants in this apply")
        return None
    policy = (found.data or {}).get("policy")
    return policy if isinstance(policy, str) else None


def declare_deploy_policy(scope: Scope, files: list[PolicyFile]) -> Policies:
    """The derived deploy policy, before anything else; kept on destroy."""
    return {(None, file.name): vault.Policy(
        scope.resource_name("policy", file.name), name=file.name, policy=file.text,
        opts=pulumi.ResourceOptions(parent=scope.parent, provider=scope.provider, retain_on_delete=True))
        for file in files if file.name == DEPLOY_POLICY}


def declare_policies(scope: Scope, files: list[PolicyFile], spec: VaultSpec, declared: Policies) -> Policies:
    """Every policy but those already ``declared`` (the deploy policy)."""
    by_name = {file.name: file for file in files}
    for name in unheld_policies(spec, set(by_name), {f.name for f in files if f.derived}):
        pulumi.log.warn(f"policy {name} is held by no role or group in stack {pulumi.get_stack()}: attach it, "
                        "scope it to the stacks that use it (policies/stacks/<stack>/ or vault.policies.exclude), "
                        "or declare it in vault.policies.unattached if it is meant for emergency tokens only "
                        "(break-glass)",
                        resource=scope.parent)
    policies: Policies = dict(declared)
    for file in files:
        if (None, file.name) not in policies:
            policies[(None, file.name)] = vault.Policy(scope.resource_name("policy", file.name), name=file.name,
                                                       policy=file.text, opts=scope.opts(after_audit=True))
    for namespace, names in sorted(spec.namespaced_policies.items()):
        for name in sorted(names):
            file = by_name[name]  # validated: every named policy is loaded
            policies[(namespace, name)] = vault.Policy(
                scope.resource_name("policy", namespace, name), name=name, namespace=namespace, policy=file.text,
                opts=scope.opts(namespace, after_audit=True))
    return policies
