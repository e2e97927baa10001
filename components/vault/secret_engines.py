"""Secret engines: one mount per declared engine, then its configuration and roles
(one module per engine type under :mod:`components.vault.engines`: ``kv``, ``database``,
``pki``, ``transit``, ``aws``). Mounts holding data that cannot be recreated —
KV secrets, a CA's key, transit keys — are protected from deletion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_vault as vault

from components.config.vault.engines import SecretEngineSpec
from components.config.base import ttl_seconds
from components.vault.engines import aws, database, kv, pki, transit
from components.vault.scope import Scope

PROTECTED_TYPES = ("kv-v2", "pki", "transit")
MOUNT_TYPES = {"kv-v2": "kv", "database": "database", "pki": "pki", "transit": "transit"}


@dataclass
class Engine:
    mount: pulumi.CustomResource
    """Has a ``path`` output."""
    ready: list[pulumi.Resource]
    """The mount and what must exist before it serves requests (a CA, a connection)."""


def mount_opts(scope: Scope, spec: SecretEngineSpec) -> pulumi.ResourceOptions:
    opts = scope.opts(spec.namespace, after_audit=True)
    if spec.type in PROTECTED_TYPES:
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=True))
    return opts


def _mount(scope: Scope, spec: SecretEngineSpec) -> vault.Mount:
    max_lease = ttl_seconds(spec.tune.max_lease_ttl)
    if spec.pki is not None and max_lease is None:  # the ceiling caps the CA's lifetime (validated when set)
        max_lease = ttl_seconds(spec.pki.ttl)
    return vault.Mount(
        scope.resource_name("secret", spec.namespace, spec.path),
        path=spec.path,
        type=MOUNT_TYPES[spec.type],
        namespace=spec.namespace,
        description=spec.description or None,
        options={"version": "2"} if spec.type == "kv-v2" else None,
        default_lease_ttl_seconds=ttl_seconds(spec.tune.default_lease_ttl),
        max_lease_ttl_seconds=max_lease,
        opts=mount_opts(scope, spec),
    )


def declare_secret_engines(scope: Scope, specs: tuple[SecretEngineSpec, ...],
                           password_policies: dict[str, pulumi.Resource]) -> dict[tuple[Optional[str], str], Engine]:
    engines: dict[tuple[Optional[str], str], Engine] = {}
    # Roots before intermediates: an intermediate's CSR is signed by its root's mount.
    ordered = sorted(specs, key=lambda s: s.pki is not None and s.pki.kind == "intermediate")
    for spec in ordered:
        if spec.type == "aws":
            mount = aws.declare_backend(scope, spec, mount_opts(scope, spec))
            ready = [mount, *aws.declare_roles(scope, spec, mount)]
        else:
            mount = _mount(scope, spec)
            if spec.type == "kv-v2":
                ready = [mount, kv.declare(scope, spec, mount)]
            elif spec.type == "database":
                ready = [mount, *database.declare(scope, spec, mount, password_policies)]
            elif spec.type == "pki":
                root = engines.get((spec.namespace, spec.pki.issuer or "")) if spec.pki.kind == "intermediate" else None
                ready = [mount, *pki.declare(scope, spec, mount, root and root.mount, root.ready if root else ())]
            else:
                ready = [mount, *transit.declare(scope, spec, mount)]
        engines[(spec.namespace, spec.path)] = Engine(mount, ready)
    return engines
