"""How secret configuration values travel: never as plain text.

* offline, a ``secure:`` value in the stack file stays encrypted: :class:`SecretPlaceholder`;
* under the Pulumi runtime, values of a secret config key arrive decrypted and are
  wrapped as :class:`RuntimeSecret` by the reader;
* the schema turns either into :class:`Secret`, and refuses a plain value where a
  secret is required. Components hand ``Secret.reveal()`` only to ``pulumi.Output.secret``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SecretPlaceholder:
    """A `secure:` value read offline: it stays encrypted, only its presence is known."""

    ciphertext: str = field(repr=False)


class RuntimeSecret(str):
    """A string the Pulumi runtime holds as secret (its config key is secret)."""


class Secret:
    """A value that must stay secret."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret([secret])"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def as_secret(value: Any) -> Secret:
    """The :class:`Secret` for a value that came in as one; ValueError for plain text."""
    if isinstance(value, Secret):
        return value
    if isinstance(value, SecretPlaceholder):
        return Secret(value.ciphertext)
    if isinstance(value, RuntimeSecret):
        return Secret(str(value))
    raise ValueError(
        "must be a Pulumi secret: set it with `pulumi config set --secret --path <key>` (a `secure:` value)"
    )


def mark_runtime_secrets(value: Any) -> Any:
    """Wrap every string of a secret config value as :class:`RuntimeSecret`."""
    if isinstance(value, str):
        return RuntimeSecret(value)
    if isinstance(value, dict):
        return {key: mark_runtime_secrets(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mark_runtime_secrets(item) for item in value]
    return value


def secret_validator(*names: str):
    """A pydantic validator turning the named fields into :class:`Secret` (None stays None)."""
    from pydantic import field_validator

    return field_validator(*names, mode="before")(lambda cls, value: None if value is None else as_secret(value))
