"""Reading the files the project reads — stack files, policy files, policy tests, alert
rules, certificates, operators' keys — one way, refusing hostile input before it can hang
the run, exhaust memory or reach outside the repository.

Every read:

* opens without following into anything but a regular file (a FIFO, device or directory is
  refused before a byte is read, so nothing can block), and refuses a file over its size
  limit;
* with ``inside``, refuses a path (or a symbolic link) that resolves outside that folder;
* refuses text that is not UTF-8, naming the byte offset, and text holding a NUL byte.

YAML (:func:`load_yaml`) is also refused when a mapping repeats a key (naming both lines),
when a value refers to itself, when it nests deeper than :data:`MAX_YAML_DEPTH`, or when its
aliases expand it beyond :data:`MAX_YAML_NODES` values (a "billion laughs" file).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, Optional

import yaml

KIB = 1024
MIB = 1024 * KIB
STACK_FILE_LIMIT = 4 * MIB
"""A stack file declaring ten thousand Vault objects is about 2 MiB."""
POLICY_FILE_LIMIT = 128 * KIB
"""Vault policies are small (the largest shipped here is 3 KiB); parsing 128 KiB of HCL takes
about a second."""
SMALL_FILE_LIMIT = 256 * KIB
"""Certificates, public keys, policy tests, alert rules, SQL."""
MAX_YAML_NODES = 1_000_000
MAX_YAML_DEPTH = 64


NOT_FOUND = "does not exist"


class InputFileError(ValueError):
    """A file the project reads is unusable; the message names the file and the problem."""

    def __init__(self, shown: str, problem: str):
        self.shown = shown
        self.problem = problem
        super().__init__(f"{shown}: {problem}")


def read_bytes(path: Path, limit: int, inside: Optional[Path] = None, shown: Optional[str] = None) -> bytes:
    """The bytes of the regular file ``path`` (at most ``limit``), resolving inside ``inside``."""
    shown = shown or str(path)
    if inside is not None:
        resolved, root = Path(os.path.realpath(path)), Path(os.path.realpath(inside))
        if resolved != root and root not in resolved.parents:
            what = "a symbolic link to" if path.is_symlink() else "at"
            raise InputFileError(shown, f"is {what} {resolved}, outside {root}: only files in the repository are read")
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InputFileError(shown, NOT_FOUND) from None
    except PermissionError:
        raise InputFileError(shown, "cannot be read (permission denied)") from None
    except OSError as error:
        raise InputFileError(shown, f"cannot be opened ({error.strerror})") from None
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise InputFileError(shown, "is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError(shown, "is not a regular file (a FIFO, device or socket): refused")
        if info.st_size > limit:
            raise InputFileError(shown, f"is {info.st_size:,} bytes; at most {limit:,} are allowed")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(descriptor, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise InputFileError(shown, f"is more than {limit:,} bytes; at most {limit:,} are allowed")
    return data


def decode_text(data: bytes, shown: str) -> str:
    """``data`` as UTF-8 text; the offset of the first invalid byte or NUL otherwise."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputFileError(shown, f"is not UTF-8 text: byte 0x{data[error.start]:02x} at byte offset "
                                    f"{error.start} is invalid") from None
    if "\x00" in text:
        raise InputFileError(shown, f"holds a NUL byte at byte offset {data.index(0)}: not a text file")
    return text


def read_text(path: Path, limit: int, inside: Optional[Path] = None, shown: Optional[str] = None) -> str:
    """The UTF-8 text of the regular file ``path`` (see :func:`read_bytes`)."""
    shown = shown or str(path)
    return decode_text(read_bytes(path, limit, inside, shown), shown)


def load_yaml(path: Path, limit: int, inside: Optional[Path] = None, shown: Optional[str] = None) -> Any:
    """The one YAML document in ``path``, read safely (see the module's docstring)."""
    shown = shown or str(path)
    return parse_yaml(read_text(path, limit, inside, shown), shown)


def parse_yaml(text: str, shown: str) -> Any:
    """One YAML document: plain values only (the safe schema), no repeated keys, bounded."""
    try:
        document = yaml.load(text, Loader=_Loader)  # noqa: S506 (a safe loader)
    except _DuplicateKey as error:
        raise InputFileError(shown, str(error)) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise InputFileError(shown, f"is not valid YAML: {problem}{where}") from None
    _check_shape(document, shown)
    return document


class _DuplicateKey(yaml.YAMLError):
    pass


_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML was built with it (ten times faster), else PyYAML's."""


class _Loader(_BASE_LOADER):  # type: ignore[misc,valid-type]
    """The safe loader, refusing a mapping that repeats a key (YAML says keys are unique;
    PyYAML would silently keep the last one)."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            first: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    line = first.get(key)
                except TypeError:  # an unhashable key: the constructor reports it
                    continue
                if line is not None:
                    raise _DuplicateKey(f"repeats the key {key!r} (at line {line} and at line "
                                        f"{key_node.start_mark.line + 1}): keep one")
                first[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep)


def _check_shape(document: Any, shown: str) -> None:
    """Refuse a document that refers to itself, nests too deep, or expands (through aliases,
    which share one value) to more than :data:`MAX_YAML_NODES` values."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(value: Any, depth: int) -> int:
        if not isinstance(value, (dict, list)):
            return 1
        if depth > MAX_YAML_DEPTH:
            raise InputFileError(shown, f"nests deeper than {MAX_YAML_DEPTH} levels: refused")
        key = id(value)
        if key in active:
            raise InputFileError(shown, "holds a value that refers to itself (a recursive YAML alias): refused")
        if key in sizes:
            return sizes[key]
        active.add(key)
        children = list(value.items()) if isinstance(value, dict) else [(None, item) for item in value]
        total = 1
        for name, item in children:
            total += (name is not None) + size(item, depth + 1)
            if total > MAX_YAML_NODES:
                raise InputFileError(shown, f"expands to more than {MAX_YAML_NODES:,} values through its "
                                            "aliases: refused (a YAML alias bomb?)")
        active.discard(key)
        sizes[key] = total
        return total

    size(document, 0)
