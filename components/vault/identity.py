"""Identity groups with their policies; aliases map OIDC/LDAP groups onto external groups."""

from __future__ import annotations

from typing import Optional

import pulumi
import pulumi_vault as vault

from components.vault.auth import Mount
from components.vault.scope import Scope
from components.config.vault.spec import GroupSpec


def declare_groups(
    scope: Scope,
    groups: tuple[GroupSpec, ...],
    mounts: dict[tuple[Optional[str], str], Mount],
    policies: dict[tuple[Optional[str], str], pulumi.Resource],
) -> dict[str, vault.identity.Group]:
    created: dict[str, vault.identity.Group] = {}
    pending = list(groups)
    while pending:  # members before the groups that contain them (the schema refuses unknown members)
        ready = [g for g in pending if all(m in created for m in g.member_groups)]
        if not ready:
            raise ValueError(f"group membership has a cycle: {', '.join(g.name for g in pending)}")
        for group in ready:
            needs = [policies[(group.namespace, p)] for p in group.policies if (group.namespace, p) in policies]
            resource = vault.identity.Group(
                scope.resource_name("group", group.namespace, group.name),
                name=group.name,
                type=group.type,
                namespace=group.namespace,
                policies=list(group.policies),
                member_group_ids=[created[m].id for m in group.member_groups] or None,
                metadata={"managed-by": "vault-platform"},
                opts=scope.opts(group.namespace, needs, after_audit=True),
            )
            created[group.name] = resource
            for alias in group.aliases:
                mount = mounts[(group.namespace, alias.mount)]
                vault.identity.GroupAlias(
                    scope.resource_name("group-alias", group.namespace, group.name, alias.mount, alias.name),
                    name=alias.name,
                    mount_accessor=mount.resource.accessor,
                    canonical_id=resource.id,
                    namespace=group.namespace,
                    opts=scope.opts(group.namespace, mount.ready),
                )
        pending = [g for g in pending if g.name not in created]
    return created
