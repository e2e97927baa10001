"""Operators' OpenPGP key pairs made by GnuPG in a private home, their public keys as files
in the repository (a stack names key files relative to it; files outside are refused), in a
git-ignored folder removed afterwards; with what Vault does with them (encrypt a share to a
key) and what an operator does (decrypt their share file)."""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from tests.conftest import PROJECT


@dataclass
class Operators:
    files: list[Path]
    encrypt: Callable[[str, str], str]
    """``encrypt(share, key_b64)``: what Vault does — the share encrypted to the key, base64."""
    decrypt: Callable[[str], str]
    """``decrypt(base64 text)``: what an operator does with their share."""

    def relative(self) -> list[str]:
        return [str(f.relative_to(PROJECT)) for f in self.files]


@contextlib.contextmanager
def operator_keys(home: Path, names: tuple[str, ...] = ("alice", "bob")) -> Iterator[Operators]:
    gpg = shutil.which("gpg")
    assert gpg, "gnupg is installed by the test command"
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    env = {**os.environ, "GNUPGHOME": str(home)}
    (PROJECT / "var").mkdir(exist_ok=True)
    keys = Path(tempfile.mkdtemp(prefix="operator-keys-", dir=PROJECT / "var"))
    files = []
    try:
        for index, name in enumerate(names):
            armor = index % 2 == 0  # armoured and binary exports, as operators send both
            subprocess.run([gpg, "--batch", "--passphrase", "", "--quick-gen-key", f"{name} <{name}@example.com>",
                            "rsa2048", "cert,sign,encr", "never"], env=env, check=True, capture_output=True)
            exported = subprocess.run([gpg, "--batch", *(["--armor"] if armor else []), "--export", name], env=env,
                                      check=True, capture_output=True).stdout
            path = keys / f"{name}.{'asc' if armor else 'gpg'}"
            path.write_bytes(exported)
            files.append(path)

        def encrypt(share: str, key_b64: str) -> str:
            key_file = home / "recipient.gpg"
            key_file.write_bytes(base64.b64decode(key_b64))
            sealed = subprocess.run([gpg, "--batch", "--trust-model", "always", "--recipient-file", str(key_file),
                                     "--encrypt"], input=share.encode(), env=env, check=True,
                                    capture_output=True).stdout
            return base64.b64encode(sealed).decode()

        def decrypt(text: str) -> str:
            return subprocess.run([gpg, "--batch", "-dq"], input=base64.b64decode(text), env=env, check=True,
                                  capture_output=True).stdout.decode()

        yield Operators(files, encrypt, decrypt)
    finally:
        shutil.rmtree(keys, ignore_errors=True)
