"""``VaultConfiguration``: Vault's declared configuration, applied through a Vault provider.

Order: the deploy policy (what the applying identity needs, before it needs it),
namespaces, audit devices (before anything else is reachable), policies, auth
methods and their config, roles, identity groups and aliases, password policies, secret
engines with their configuration and roles, quotas. One module per concern under
:mod:`components.vault`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import pulumi

from components.config import StackConfig
from components.config.inputs.policy_files import PolicyFile
from components.config.vault.spec import VaultSpec
from components.config.vault.stack_policies import stack_policies
from components.vault.audit import declare_audit_devices
from components.vault.autopilot import declare_autopilot
from components.vault.auth import declare_auth_methods, declare_roles
from components.vault.identity import declare_groups
from components.vault.limits import declare_password_policies, declare_quotas
from components.vault.namespaces import declare_namespaces
from components.vault.policies import declare_deploy_policy, declare_policies, live_deploy_policy
from components.vault.scope import Scope
from components.vault.secret_engines import declare_secret_engines


@dataclass
class VaultConfigurationArgs:
    provider: pulumi.ProviderResource
    """The Vault provider (address, CA, token) every resource is created through."""
    spec: VaultSpec
    """The validated ``vault`` configuration of the stack."""
    policies: list[PolicyFile] = field(default_factory=list)
    """The stack's policies, parsed and checked; none when omitted."""
    audit_in_server_config: bool = False
    """The server declares the audit devices in its configuration (OpenBao): none through the API."""
    replicas: int = 1
    """The cluster's size: autopilot's minimum quorum unless the stack names one."""

    @classmethod
    def from_config(cls, config: StackConfig, stack: str, provider: pulumi.ProviderResource) -> "VaultConfigurationArgs":
        """Args for the stack's ``vault`` section, with the policy files it selects."""
        policies, _ = stack_policies(config.vault, config.cluster.target, config.environment, stack,
                                     previous_deploy=live_deploy_policy(provider))
        return cls(provider=provider, spec=config.vault, policies=policies,
                   audit_in_server_config=config.cluster.target.audit_in_config, replicas=config.cluster.replicas)


class VaultConfiguration(pulumi.ComponentResource):
    """Namespaces, audit devices, policies, auth methods, roles, identity groups, secret
    engines, password policies, quotas and Raft autopilot."""

    def __init__(self, name: str, args: VaultConfigurationArgs, opts: Optional[pulumi.ResourceOptions] = None):
        spec = args.spec
        marks = {  # read by the CrossGuard pack: who may hold privileged policies, and what is held by none
            "administrative": sorted(h.label for h in [*spec.roles, *spec.groups] if h.administrative),
            "unattached": list(spec.policies.unattached),
        }
        super().__init__("vault-platform:configuration:VaultConfiguration", name, marks, opts)
        scope = Scope(name=name, parent=self, provider=args.provider)
        deploy = declare_deploy_policy(scope, args.policies)
        scope.grants = list(deploy.values())
        declare_namespaces(scope, spec.namespaces)
        audit = declare_audit_devices(scope, spec.audit_devices, args.audit_in_server_config)
        scope.baseline = list(audit)
        policies = declare_policies(scope, args.policies, spec, deploy)
        mounts = declare_auth_methods(scope, spec.auth_methods)
        roles = declare_roles(scope, spec.roles, mounts, policies)
        groups = declare_groups(scope, spec.groups, mounts, policies)
        password_policies = declare_password_policies(scope, spec.password_policies)
        engines = declare_secret_engines(scope, spec.secret_engines, password_policies)
        quota_targets = {key: engine.mount for key, engine in engines.items()}
        quota_targets.update({(ns, f"auth/{path}"): mount.resource for (ns, path), mount in mounts.items()})
        declare_quotas(scope, spec.quotas, quota_targets)
        declare_autopilot(scope, spec.autopilot, args.replicas)
        self.policy_names = sorted(name for namespace, name in policies if namespace is None)
        self.register_outputs(
            {
                "audit_devices": [device.path for device in audit],
                "policies": self.policy_names,
                "auth_mounts": sorted(path for _, path in mounts),
                "roles": len(roles),
                "groups": sorted(groups),
                "secret_engines": sorted(path for _, path in engines),
            }
        )
