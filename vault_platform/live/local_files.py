"""Files the operational commands write on the operator's machine: encrypted key
shares, snapshots. They are only ever readable by their owner, and they live under
``var/<stack>/`` — never under ``build/``, which every plan replaces."""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO


def operations_dir(project: Path, stack: str, purpose: str) -> Path:
    """``var/<stack>/<purpose>`` in the project (``init``, ``restore``)."""
    return project / "var" / stack / purpose


def open_private(path: Path, *, exclusive: bool = False) -> BinaryIO:
    """Open ``path`` for writing with mode 0600 — also when it already exists (a mode
    given to ``open`` applies only to a file it creates). ``exclusive``: refuse an
    existing file."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    descriptor = os.open(path, flags, 0o600)
    os.fchmod(descriptor, 0o600)
    return os.fdopen(descriptor, "wb")
