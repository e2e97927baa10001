"""Password policies (before the database connections that use them) and rate-limit
and lease-count quotas (after the mounts they apply to)."""

from __future__ import annotations

from typing import Optional

import pulumi
import pulumi_vault as vault

from components.config.vault.engines import PasswordPolicySpec, QuotaSpec, password_policy_hcl, quota_target
from components.config.base import ttl_seconds
from components.vault.scope import Scope


def declare_password_policies(scope: Scope, specs: tuple[PasswordPolicySpec, ...]) -> dict[str, pulumi.Resource]:
    return {
        spec.name: vault.PasswordPolicy(
            scope.resource_name("password-policy", spec.name), name=spec.name, policy=password_policy_hcl(spec),
            opts=scope.opts(after_audit=True))
        for spec in specs
    }


def declare_quotas(scope: Scope, specs: tuple[QuotaSpec, ...],
                   mounts: dict[tuple[Optional[str], str], pulumi.Resource]) -> list[pulumi.Resource]:
    """``mounts``: (namespace, secret engine path or ``auth/<path>``) -> the mount. Every
    quota is created in the root namespace (the only one the server keeps quotas in), a
    namespace's with the namespace in its path; it waits for the namespace it limits."""
    created: list[pulumi.Resource] = []
    for spec in specs:
        target = quota_target(spec.namespace, spec.path, mounts) if spec.path else None
        needs = [mounts[target]] if target else []
        opts = scope.opts(spec.namespace, needs, after_audit=True)
        if spec.type == "rate-limit":
            assert spec.rate is not None  # validated: set for rate-limit quotas
            created.append(vault.QuotaRateLimit(
                scope.resource_name("quota-rate-limit", spec.namespace, spec.name), name=spec.name,
                path=spec.server_path, rate=float(spec.rate), interval=ttl_seconds(spec.interval),
                block_interval=ttl_seconds(spec.block_interval), opts=opts))
        else:
            created.append(vault.QuotaLeaseCount(
                scope.resource_name("quota-lease-count", spec.namespace, spec.name), name=spec.name,
                path=spec.server_path, max_leases=spec.max_leases, opts=opts))
    return created
