"""Audit devices: file (on the audit volume, or stdout), socket — through the API on Vault;
OpenBao declares them in its server configuration (components/kubernetes/server_config.py)."""

from __future__ import annotations

import pulumi
import pulumi_vault as vault

from components.vault.scope import Scope
from components.config.vault.spec import AuditDeviceSpec


def declare_audit_devices(scope: Scope, specs: tuple[AuditDeviceSpec, ...], in_server_config: bool = False
                          ) -> list[vault.Audit]:
    """The audit devices through the API; none when the server declares them in its own
    configuration (OpenBao), where they exist before any request is served."""
    if len(specs) == 1:
        pulumi.log.warn(
            "only one audit device is declared: Vault stops answering requests when every audit "
            "device fails; declare a second one (for example a file device on stdout, or a socket device)",
            resource=scope.parent,
        )
    elif specs and not any(spec.file_path == "stdout" for spec in specs) and any(s.type == "socket" for s in specs):
        pulumi.log.warn(
            "the only audit device off the audit volume is a socket: while its collector is unreachable it loses "
            "entries and delays each request up to its write timeout; add a file device on stdout",
            resource=scope.parent,
        )
    if in_server_config:
        return []
    return [
        vault.Audit(
            scope.resource_name("audit", spec.path),
            type=spec.type,
            path=spec.path,
            description=spec.description or None,
            local=spec.local,
            options=spec.options(),
            opts=scope.opts(),
        )
        for spec in specs
    ]
