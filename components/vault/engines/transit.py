"""A transit engine's named keys: not deletable, not exportable and without plain-text
backup unless opted in; protected from deletion unless deletion is allowed."""

from __future__ import annotations

import pulumi
import pulumi_vault as vault

from components.config.vault.engines import SecretEngineSpec
from components.config.base import ttl_seconds
from components.vault.scope import Scope


def declare(scope: Scope, spec: SecretEngineSpec, mount: vault.Mount) -> list[pulumi.Resource]:
    transit = spec.transit
    assert transit is not None
    created: list[pulumi.Resource] = []
    for key in transit.keys:
        opts = scope.opts(spec.namespace, [mount])
        if not key.deletion_allowed:
            opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=True))
        created.append(vault.transit.SecretBackendKey(
            scope.resource_name("transit-key", spec.namespace, spec.path, key.name),
            backend=mount.path,
            namespace=spec.namespace,
            name=key.name,
            type=key.type,
            deletion_allowed=key.deletion_allowed,
            exportable=key.exportable,
            allow_plaintext_backup=key.allow_plaintext_backup,
            auto_rotate_period=ttl_seconds(key.auto_rotate_period),
            min_decryption_version=key.min_decryption_version,
            opts=opts,
        ))
    return created
