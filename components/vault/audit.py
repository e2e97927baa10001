"""Audit devices: file (on the audit volume, or stdout), socket."""

from __future__ import annotations

import pulumi
import pulumi_vault as vault

from components.vault.scope import Scope
from components.config.vault.spec import AuditDeviceSpec


def device_options(spec: AuditDeviceSpec) -> dict[str, str]:
    """The device's options as Vault takes them (strings)."""
    options = {
        "hmac_accessor": str(spec.hmac_accessor).lower(),
        "log_raw": str(spec.log_raw).lower(),
        "format": spec.format,
    }
    if spec.type == "file":
        options.update(file_path=spec.file_path or "", mode="0600")
    elif spec.type == "socket":
        options.update(address=spec.address or "", socket_type=spec.socket_type)
    else:
        options.update(facility=spec.facility, tag=spec.tag)
    return options


def declare_audit_devices(scope: Scope, specs: tuple[AuditDeviceSpec, ...]) -> list[vault.Audit]:
    if len(specs) == 1:
        pulumi.log.warn(
            "only one audit device is declared: Vault stops answering requests when every audit "
            "device fails; declare a second one (for example a file device on stdout, or a socket device)",
            resource=scope.parent,
        )
    return [
        vault.Audit(
            scope.resource_name("audit", spec.path),
            type=spec.type,
            path=spec.path,
            description=spec.description or None,
            local=spec.local,
            options=device_options(spec),
            opts=scope.opts(),
        )
        for spec in specs
    ]
