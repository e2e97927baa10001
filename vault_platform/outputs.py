"""Where the command line writes — and the promise that it never destroys anything else.

Every command that writes (``plan``, ``check``, ``access``, ``init``, ``snapshot``) writes
only into a directory it created or one it marked as its own: a marker file
(:data:`MARKER`) names the command's purpose and, for a plan, every file it wrote.

* A target that is a symbolic link, a file, the filesystem root, the home directory, the
  working directory or one of its parents, or the project or one of its parents is refused
  with a message, before anything is written.
* An existing directory is used only when it is empty or carries the marker of the same
  purpose; one holding anything else is refused.
* A plan directory is replaced in one step: the new one is written beside it, then the two
  are swapped; the old one is deleted only when it holds nothing but what the marker lists
  (a file added by hand stops the run, and nothing is lost).
* Files holding key shares or snapshots are created 0600 (:func:`open_private`).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterable, Mapping, Optional

MARKER = ".vault-platform-output"
"""The file that marks a directory as written by vault-platform (JSON: purpose, files)."""


class OutputDirError(RuntimeError):
    """The command will not write there; the message says why (nothing was written)."""


def operations_dir(project: Path, stack: str, purpose: str) -> Path:
    """``var/<stack>/<purpose>`` in the project (``init``, ``restore``): never under
    ``build/``, which every plan replaces."""
    return project / "var" / stack / purpose


def _protected(project: Optional[Path]) -> dict[Path, str]:
    """Directories no command may write into or replace, and what each is."""
    protected = {Path("/"): "the filesystem root"}
    home = Path(os.path.realpath(Path.home()))
    protected.setdefault(home, "the home directory")
    cwd = Path(os.path.realpath(Path.cwd()))
    protected.setdefault(cwd, "the working directory")
    for parent in cwd.parents:
        protected.setdefault(parent, "a parent of the working directory")
    if project is not None:
        root = Path(os.path.realpath(project))
        protected.setdefault(root, "the project directory")
        for parent in root.parents:
            protected.setdefault(parent, "a parent of the project directory")
    return protected


def check_target(path: Path, option: str, project: Optional[Path] = None) -> Path:
    """``path`` made absolute, or :class:`OutputDirError` when no command may write there."""
    if path.is_symlink():
        raise OutputDirError(f"{option} {path} is a symbolic link: name a real directory (links are not followed "
                             "when writing)")
    if path.exists() and not path.is_dir():
        raise OutputDirError(f"{option} {path} is a file, not a directory: name a directory for the output")
    resolved = Path(os.path.realpath(path))
    what = _protected(project).get(resolved)
    if what is not None:
        raise OutputDirError(f"{option} {path} is {what}: vault-platform writes only into a directory of its own "
                             "(a new one, or one it wrote before)")
    return Path(os.path.abspath(path))


def _marker(directory: Path) -> Optional[dict]:
    marker = directory / MARKER
    if marker.is_symlink() or not marker.is_file():
        return None
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("tool") == "vault-platform" else None


def _claim(directory: Path, option: str, purpose: str) -> Optional[dict]:
    """The marker of an existing directory of ``purpose`` (None for an empty directory);
    :class:`OutputDirError` for anything else."""
    marker = _marker(directory)
    if marker is None:
        if any(directory.iterdir()):
            raise OutputDirError(f"{option} {directory} is not empty and was not written by vault-platform (it has no "
                                 f"{MARKER}): choose another directory, or move its contents away yourself")
        return None
    if marker.get("purpose") != purpose:
        raise OutputDirError(f"{option} {directory} holds vault-platform's {marker.get('purpose')!r} output, not "
                             f"{purpose!r}: choose another directory")
    return marker


def _foreign(directory: Path, written: Iterable[str], folders: Iterable[str] = ()) -> list[str]:
    """Entries under ``directory`` that are not in ``written`` (nor the marker, nor the folders
    holding them or listed in ``folders``): what a replacement would destroy."""
    expected = {MARKER, *written}
    folders = ({str(Path(name).parent) for name in expected} | set(folders)) - {"."}
    for name in list(folders):
        folders |= {str(parent) for parent in Path(name).parents} - {"."}
    found = []
    for root, dirs, names in os.walk(directory, followlinks=False):
        for name in [*dirs, *names]:
            relative = str((Path(root) / name).relative_to(directory))
            if relative in expected:
                continue
            if relative in folders and (Path(root) / name).is_dir() and not (Path(root) / name).is_symlink():
                continue
            found.append(relative)
    return sorted(found)


def replace_directory(target: Path, files: Mapping[str, str], purpose: str, option: str = "--out",
                      project: Optional[Path] = None, folders: Iterable[str] = ()) -> None:
    """Write ``files`` (relative path -> text) as the directory ``target``, with ``folders``
    (relative) even when empty, replacing an earlier one of the same ``purpose`` in one step
    (write beside, then swap)."""
    folders = list(folders)
    target = check_target(target, option, project)
    if target.exists():
        marker = _claim(target, option, purpose)
        foreign = _foreign(target, (marker or {}).get("files", []), (marker or {}).get("folders", []))
        if marker is not None and foreign:
            shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
            raise OutputDirError(f"{option} {target} holds files vault-platform did not write ({shown}): move them "
                                 "away first; nothing was replaced")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        for folder in folders:
            (staging / folder).mkdir(parents=True, exist_ok=True)
        for relative, text in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        _write_marker(staging, purpose, sorted(files), folders)
        _swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_in(staging: Path, target: Path) -> None:
    """``staging`` becomes ``target``; an earlier ``target`` (already checked to be ours) goes."""
    if not target.exists():
        os.rename(staging, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.rmdir(old)
    os.rename(target, old)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(old, target)
        raise
    shutil.rmtree(old)


def _write_marker(directory: Path, purpose: str, files: list[str], folders: Iterable[str] = ()) -> None:
    data = {"tool": "vault-platform", "purpose": purpose, "files": files, "folders": sorted(folders)}
    (directory / MARKER).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def private_directory(target: Path, purpose: str, option: str, project: Optional[Path] = None) -> Path:
    """A directory (mode 0700) the command adds private files to — created and marked here,
    or one marked before for the same ``purpose``, or an empty one (then marked)."""
    target = check_target(target, option, project)
    if target.exists():
        if _claim(target, option, purpose) is None:
            _write_marker(target, purpose, [])
        return target
    target.mkdir(parents=True, mode=0o700)
    _write_marker(target, purpose, [])
    return target


def open_private(path: Path, *, exclusive: bool = False) -> BinaryIO:
    """Open ``path`` for writing with mode 0600 — also when it already exists (a mode
    given to ``open`` applies only to a file it creates). ``exclusive``: refuse an
    existing file. A symbolic link is never followed."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | (os.O_EXCL if exclusive else os.O_TRUNC)
    descriptor = os.open(path, flags, 0o600)
    os.fchmod(descriptor, 0o600)
    return os.fdopen(descriptor, "wb")


OUR_FILE_STARTS = ("# Access matrix: stack ", "### Access changes (", "No access changes between ",
                   "identity,path,capabilities", "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<title>Access matrix: ")
"""How every file ``access --output`` writes begins: an existing file is replaced only if it
begins so (it is one of ours)."""


def write_file(path: Path, text: str, option: str, starts: Iterable[str] = OUR_FILE_STARTS) -> None:
    """Write ``text`` to the file ``path`` atomically (beside, then renamed); an existing file
    is replaced only when it is a regular file that begins like one of ours."""
    if path.is_symlink():
        raise OutputDirError(f"{option} {path} is a symbolic link: name a regular file")
    if path.exists():
        if not path.is_file():
            raise OutputDirError(f"{option} {path} is not a regular file")
        with path.open("rb") as handle:
            head = handle.read(256).decode("utf-8", "replace")
        if not any(head.startswith(start) for start in starts):
            raise OutputDirError(f"{option} {path} exists and was not written by vault-platform: choose another "
                                 "file, or remove it yourself")
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, staging = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
