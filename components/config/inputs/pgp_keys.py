"""Operators' OpenPGP public keys, as Vault's ``sys/init`` takes them.

Vault wants each key "base64-encoded from its original binary representation". A key
file in the repository may be ASCII-armoured (``gpg --armor --export``), binary
(``gpg --export``) or already base64; :func:`read_public_key` returns the binary
form, and refuses anything whose first packet is not a public key — in particular a
*secret* key, which must never be committed.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Optional

from components.config.inputs import files

PUBLIC_KEY_PACKET = 6
SECRET_KEY_PACKET = 5
_ARMOR_BEGIN = "-----BEGIN PGP "


class PgpKeyError(ValueError):
    """The file is not an OpenPGP public key; the message says what it is instead."""


def _packet_tag(data: bytes) -> Optional[int]:
    """The tag of the first OpenPGP packet (RFC 4880 section 4.2), or None."""
    if not data or not data[0] & 0x80:
        return None
    header = data[0]
    return header & 0x3F if header & 0x40 else (header >> 2) & 0x0F


def _dearmor(text: str) -> bytes:
    lines = text.strip().splitlines()
    if not lines[0].startswith(_ARMOR_BEGIN):
        raise PgpKeyError("not an ASCII-armoured block")
    if "PRIVATE KEY" in lines[0]:
        raise PgpKeyError("this is a PRIVATE key block: only public keys belong in the repository")
    body: list[str] = []
    in_headers = True
    for line in lines[1:]:
        if line.startswith("-----END PGP "):
            break
        if in_headers:
            if not line.strip():
                in_headers = False
            elif ":" not in line:  # no armour headers at all
                in_headers = False
                body.append(line.strip())
            continue
        if line.startswith("="):  # the CRC-24 checksum line
            break
        body.append(line.strip())
    try:
        return base64.b64decode("".join(body), validate=True)
    except (binascii.Error, ValueError):
        raise PgpKeyError("the armoured body is not base64") from None


def parse_public_key(data: bytes) -> bytes:
    """The binary OpenPGP public key in ``data`` (armoured, binary or base64)."""
    text: Optional[str]
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        text = None
    if text is not None and _ARMOR_BEGIN in text:
        binary = _dearmor(text[text.index(_ARMOR_BEGIN):])
    elif text is not None and text.strip() and _packet_tag(data) is None:
        try:
            binary = base64.b64decode("".join(text.split()), validate=True)
        except (binascii.Error, ValueError):
            raise PgpKeyError("neither an OpenPGP key nor base64 of one") from None
    else:
        binary = data
    tag = _packet_tag(binary)
    if tag == SECRET_KEY_PACKET:
        raise PgpKeyError("this is a SECRET key: only public keys belong in the repository")
    if tag != PUBLIC_KEY_PACKET:
        raise PgpKeyError("not an OpenPGP public key (export one with `gpg --armor --export <id>`)")
    return binary


def read_public_key(path: Path, inside: Optional[Path] = None) -> bytes:
    """The binary public key in the file ``path`` (in the folder ``inside``, when given);
    :class:`PgpKeyError` when it is none."""
    try:
        data = files.read_bytes(path, files.SMALL_FILE_LIMIT, inside=inside)
    except files.InputFileError as error:
        raise PgpKeyError("no such file in the repository" if error.problem == files.NOT_FOUND else error.problem) \
            from None
    return parse_public_key(data)


def for_vault(path: Path, inside: Optional[Path] = None) -> str:
    """The key as ``sys/init`` takes it: base64 of the binary key."""
    return base64.b64encode(read_public_key(path, inside)).decode("ascii")
