"""A KV version 2 engine's settings: versions kept, check-and-set, version expiry."""

from __future__ import annotations

import pulumi
import pulumi_vault as vault

from components.config.vault.engines import KvSpec, SecretEngineSpec
from components.config.base import ttl_seconds
from components.vault.scope import Scope


def declare(scope: Scope, spec: SecretEngineSpec, mount: vault.Mount) -> pulumi.Resource:
    kv = spec.kv or KvSpec()
    return vault.kv.SecretBackendV2(
        scope.resource_name("kv-config", spec.namespace, spec.path),
        mount=mount.path,
        namespace=spec.namespace,
        max_versions=kv.max_versions,
        cas_required=kv.cas_required,
        delete_version_after=ttl_seconds(kv.delete_version_after),
        opts=scope.opts(spec.namespace, [mount]),
    )
