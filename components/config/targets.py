"""The server a stack deploys — HashiCorp Vault or OpenBao, and which version — and every
fact about it the rest of the project decides by: the image, the binary and its
environment variables, the paths, what its configuration file may say, what it ships,
and the policy dialect it speaks. One place, so that a difference between servers is
decided once.

Supported: Vault 2.0.x (2.0.2 and later; the default, 2.0.4) and 1.21.x (1.21.7 and
later) — 2.0.1 and 1.21.6 images needed ``IPC_LOCK``, which this project's pods drop;
OpenBao 2.7.x (the default, 2.7.2) and 2.6.x (its ``awskms`` seal still built in).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Optional

Distribution = Literal["vault", "openbao"]

DEFAULT_IMAGES: dict[str, tuple[str, str]] = {
    "vault": ("hashicorp/vault", "2.0.4"),
    "openbao": ("quay.io/openbao/openbao", "2.7.2"),
}
"""Repository and tag when the stack names none: the newest patch of each line we support."""

SUPPORTED: dict[str, dict[tuple[int, int], int]] = {
    "vault": {(1, 21): 7, (2, 0): 2},
    "openbao": {(2, 6): 0, (2, 7): 0},
}
"""Per distribution, each supported minor line and its lowest supported patch."""

VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:[-+][0-9A-Za-z.-]+)?$")

OPENBAO_MISSING_ENGINES = {"aws": "an external plugin (openbao-plugins secrets/aws)"}
"""Secret engines OpenBao does not ship in its binary."""
OPENBAO_MISSING_DATABASE_PLUGINS = {"mongodb": "an external plugin (openbao-plugins database-mongodb)"}


@dataclass(frozen=True)
class Target:
    distribution: Distribution
    version: tuple[int, int, int]

    @property
    def label(self) -> str:
        name = "OpenBao" if self.is_openbao else "Vault"
        return f"{name} {'.'.join(map(str, self.version))}"

    @property
    def is_openbao(self) -> bool:
        return self.distribution == "openbao"

    @property
    def line(self) -> tuple[int, int]:
        return self.version[:2]

    # -- the container -----------------------------------------------------------

    @property
    def binary(self) -> str:
        return "bao" if self.is_openbao else "vault"

    @property
    def env_prefix(self) -> str:
        """``BAO_`` (OpenBao reads ``VAULT_*`` only when the ``BAO_*`` name is absent)."""
        return "BAO_" if self.is_openbao else "VAULT_"

    @property
    def root(self) -> str:
        """Where config, data, audit and TLS are mounted (the images' conventions)."""
        return "/openbao" if self.is_openbao else "/vault"

    @property
    def home(self) -> str:
        return "/home/openbao" if self.is_openbao else "/home/vault"

    @property
    def registration_label(self) -> str:
        """The label Kubernetes service registration puts on the active pod."""
        return "openbao-active" if self.is_openbao else "vault-active"

    # -- the configuration file ----------------------------------------------------

    @property
    def disable_mlock(self) -> bool:
        """Vault requires ``disable_mlock`` with Raft (1.20+); OpenBao has no mlock and
        refuses ``disable_mlock = false`` (it only warns about ``true``): omit it there."""
        return not self.is_openbao

    @property
    def file_storage(self) -> bool:
        """OpenBao 2.7 removed file storage."""
        return not (self.is_openbao and self.line >= (2, 7))

    @property
    def kms_plugin(self) -> bool:
        """OpenBao 2.7 has no built-in ``awskms`` seal: it runs as a KMS plugin."""
        return self.is_openbao and self.line >= (2, 7)

    @property
    def audit_in_config(self) -> bool:
        """OpenBao refuses audit devices created through the API; they are declared in the
        server configuration (``audit "<type>" "<path>"``)."""
        return self.is_openbao

    @property
    def postgresql_creates_tables(self) -> bool:
        """OpenBao creates its tables at every start unless ``skip_create_table``."""
        return self.is_openbao

    @property
    def ha_unhealthy_code(self) -> bool:
        """Vault 1.19+ answers 474 for a standby that lost the active node, whatever
        ``standbyok`` says; OpenBao has no such code."""
        return not self.is_openbao

    # -- what it ships ----------------------------------------------------------

    @property
    def namespaces_need_enterprise(self) -> bool:
        return not self.is_openbao

    @property
    def lease_count_quotas(self) -> bool:
        """Vault Enterprise only; OpenBao has none."""
        return not self.is_openbao

    def missing_auth_method(self, kind: str) -> Optional[str]:
        if kind == "ldap" and self.is_openbao and self.line >= (2, 7):
            return "OpenBao 2.7 moved LDAP auth out of its binary (openbao-plugins auth/ldap); OpenBao 2.6 has it"
        return None

    def missing_secret_engine(self, kind: str) -> Optional[str]:
        if self.is_openbao and kind in OPENBAO_MISSING_ENGINES:
            return f"OpenBao has no built-in `{kind}` secrets engine: it is {OPENBAO_MISSING_ENGINES[kind]}"
        return None

    def missing_database_plugin(self, plugin: str) -> Optional[str]:
        if self.is_openbao and plugin in OPENBAO_MISSING_DATABASE_PLUGINS:
            return f"OpenBao has no built-in `{plugin}` database plugin: it is {OPENBAO_MISSING_DATABASE_PLUGINS[plugin]}"
        return None

    # -- the policy language and break-glass ---------------------------------------

    @property
    def policy_dialect(self) -> str:
        if self.is_openbao:
            return "openbao-2.7"
        return "vault-2.0" if self.line >= (2, 0) else "vault-1.21"

    @property
    def unauthenticated_generate_root(self) -> Literal["always", "config-option", "listener"]:
        """How a root token is generated from recovery keys when no token exists: Vault
        1.21 always allows it; Vault 2.0 only with ``enable_unauthenticated_access``;
        OpenBao only on a listener with ``disable_unauthed_generate_root_endpoints = false``."""
        if self.is_openbao:
            return "listener"
        return "config-option" if self.line >= (2, 0) else "always"


DEFAULT_TARGET = Target("vault", (2, 0, 4))
"""What a stack deploys when it names no distribution and no tag."""


def parse_version(tag: str) -> Optional[tuple[int, int, int]]:
    match = VERSION.match(tag)
    return (int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None


def supported(distribution: str, version: tuple[int, int, int]) -> bool:
    lowest = SUPPORTED[distribution].get(version[:2])
    return lowest is not None and version[2] >= lowest


def supported_versions(distribution: str) -> str:
    return ", ".join(f"{major}.{minor}.x (from {major}.{minor}.{patch})"
                     for (major, minor), patch in sorted(SUPPORTED[distribution].items()))
