"""Namespaces (Vault Enterprise), parents before children."""

from __future__ import annotations

import pulumi_vault as vault

from components.vault.scope import Scope
from components.config.vault.spec import NamespaceSpec


def declare_namespaces(scope: Scope, specs: tuple[NamespaceSpec, ...]) -> None:
    for spec in sorted(specs, key=lambda s: s.path.count("/")):
        parent, _, leaf = spec.path.rpartition("/")
        scope.namespaces[spec.path] = vault.Namespace(
            scope.resource_name("namespace", spec.path),
            path=leaf,
            namespace=parent or None,
            opts=scope.opts(parent or None),
        )
