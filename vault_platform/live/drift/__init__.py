"""``vault-platform drift``: the live server against the stack, attribute by attribute.

Pulumi's refresh sees only what Pulumi manages; drift reads the server itself. For every
object the plan declares it compares each attribute that decides who can do what or what
is recorded (:mod:`.catalog`), read live and normalised (:mod:`.normalise`); it reports
objects the server holds that nothing declares, beneath managed mounts and inside every
declared namespace too (:mod:`.reading`); each finding carries its kind, object,
attribute, live and declared values and a severity (:mod:`.report`). Secrets are never
read: attributes that are secrets are listed as not compared.

The declared side is the plan's ``vault:*`` resources (:mod:`.declared`): what the
program sends the provider, so drift and ``pulumi up`` agree on what "declared" means.
"""

from __future__ import annotations

from typing import Callable, Optional

from vault_platform.live.client import VaultReader
from vault_platform.live.drift.compare import IgnoreRule, compare
from vault_platform.live.drift.declared import UnknownResource, config_audit_devices, declared_objects
from vault_platform.live.drift.declared import outside_mounts as declared_outside
from vault_platform.live.drift.reading import read_live
from vault_platform.live.drift.report import Finding, Report, render_json, render_markdown, render_table

__all__ = ["Finding", "IgnoreRule", "Report", "UnknownResource", "detect", "render_json", "render_markdown",
           "render_table"]


def detect(connect: Callable[[Optional[str]], VaultReader], registrations: list[dict], stack: str,
           ignore: tuple[IgnoreRule, ...] = (), address: Optional[str] = None, concurrency: int = 8,
           outside_mounts: tuple[str, ...] = (), audit_devices_in_config: tuple = ()) -> Report:
    """Compare the server ``connect(namespace)`` reads with the plan's ``registrations``
    (and the mounts ``vault.secret_mounts`` expects beside them, and the audit devices
    an OpenBao server declares in its own configuration)."""
    declared = (declared_objects(registrations) + declared_outside(outside_mounts)
                + config_audit_devices(audit_devices_in_config))
    namespaces = [f"{item.namespace}/{item.path.rsplit('/', 1)[-1]}" if item.namespace else item.path.rsplit("/", 1)[-1]
                  for item in declared if item.object == "namespace"]
    state = read_live(connect, {(item.namespace, item.path): item.object for item in declared}, namespaces,
                      concurrency)
    return compare(declared, state, list(ignore), stack, address)
