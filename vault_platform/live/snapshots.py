"""``vault-platform snapshot list`` and ``snapshot restore``: the Raft snapshots the
stack's CronJob uploads to S3, and putting one back.

A restore replaces *everything* in Vault with the snapshot's state, so it goes
step by step and stops at the first doubt:

1. Vault answers, is unsealed and runs Raft storage (the token may read its configuration);
2. the object is downloaded (mode 0600) and checked the way Vault will check it — a
   (gzipped) tar with ``meta.json``, ``state.bin`` and ``SHA256SUMS``, whose sums must
   match — so a truncated or foreign file never reaches Vault;
3. unless told otherwise, the current state is saved first (``pre-restore-*.snap``);
4. the snapshot is posted to ``sys/storage/raft/snapshot`` (``snapshot-force`` with
   ``--force``, for a cluster whose keyring differs, e.g. a rebuilt one).
"""

from __future__ import annotations

import hashlib
import json
import tarfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Optional

from vault_platform.live import aws_calls
from vault_platform.live.client import LiveError, VaultOperator
from vault_platform import outputs
from vault_platform.outputs import open_private

REQUIRED_MEMBERS = ("meta.json", "state.bin", "SHA256SUMS")


class SnapshotError(RuntimeError):
    """The snapshot cannot be listed, checked or restored; the message says why."""


@dataclass(frozen=True)
class StoredSnapshot:
    key: str
    size: int
    modified: datetime


@dataclass(frozen=True)
class SnapshotFacts:
    index: int
    term: int
    size: int


def stack_prefix(prefix: str, stack: str) -> str:
    """Where the CronJob puts a stack's snapshots (``snapshots.prefix``/<stack>)."""
    return f"{prefix}/{stack}"


def _aws(what: str, function: Callable[[], Any]) -> Any:
    return aws_calls.call(what, function, SnapshotError, "assume the snapshot restore role")


def list_snapshots(s3: Any, bucket: str, prefix: str) -> list[StoredSnapshot]:
    """Every ``.snap`` object under ``prefix/``, newest first."""
    found: list[StoredSnapshot] = []
    token: Optional[str] = None
    while True:
        kwargs = {"Bucket": bucket, "Prefix": f"{prefix}/"}
        if token:
            kwargs["ContinuationToken"] = token
        page = _aws(f"listing s3://{bucket}/{prefix}/", lambda: s3.list_objects_v2(**kwargs))
        for item in page.get("Contents") or []:
            if item["Key"].endswith(".snap"):
                found.append(StoredSnapshot(item["Key"], int(item["Size"]), item["LastModified"]))
        if not page.get("IsTruncated"):
            break
        token = page.get("NextContinuationToken")
    return sorted(found, key=lambda s: (s.modified, s.key), reverse=True)


def render_list(bucket: str, snapshots: list[StoredSnapshot]) -> str:
    if not snapshots:
        return f"no snapshots in s3://{bucket}/\n"
    lines = [f"{'modified (UTC)':<20}  {'size':>12}  key"]
    for snap in snapshots:
        stamp = snap.modified.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        lines.append(f"{stamp:<20}  {snap.size:>12,}  {snap.key}")
    return "\n".join(lines) + f"\n{len(snapshots)} snapshot{'s' * (len(snapshots) != 1)} in s3://{bucket}/\n"


def verify_snapshot(path: Path) -> SnapshotFacts:
    """Check a snapshot file as Vault will: the archive's members and their SHA-256 sums
    (one streaming pass: a snapshot can be large and is gzipped)."""
    digests: dict[str, str] = {}
    sizes: dict[str, int] = {}
    kept: dict[str, bytearray] = {}  # the small members, read as well as hashed
    try:
        with tarfile.open(path, mode="r|*") as archive:
            for member in archive:
                if member.name not in (*REQUIRED_MEMBERS, "SHA256SUMS.sealed"):
                    raise SnapshotError(f"{path.name} is not a Vault Raft snapshot: unexpected {member.name}")
                handle = archive.extractfile(member)
                if handle is None:
                    raise SnapshotError(f"{path.name}: {member.name} is not a file")
                digest = hashlib.sha256()
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
                    if member.name != "state.bin":
                        kept.setdefault(member.name, bytearray()).extend(chunk)
                digests[member.name], sizes[member.name] = digest.hexdigest(), member.size
    except (tarfile.TarError, EOFError, OSError) as error:
        raise SnapshotError(f"{path.name} is not a readable snapshot archive: {error}") from None
    missing = [name for name in REQUIRED_MEMBERS if name not in digests]
    if missing:
        raise SnapshotError(f"{path.name} is not a Vault Raft snapshot: it lacks {', '.join(missing)}")
    sums = {}
    for line in bytes(kept.get("SHA256SUMS", b"")).decode("ascii", "replace").splitlines():
        digest, _, name = line.partition("  ")
        sums[name.strip()] = digest.strip().lower()
    for name in ("meta.json", "state.bin"):
        if sums.get(name) != digests[name]:
            raise SnapshotError(f"{path.name}: the checksum of {name} does not match SHA256SUMS (truncated or altered)")
    try:
        facts = json.loads(bytes(kept.get("meta.json", b"")))
    except ValueError:
        raise SnapshotError(f"{path.name}: meta.json is not JSON") from None
    return SnapshotFacts(index=int(facts.get("Index", 0)), term=int(facts.get("Term", 0)),
                         size=int(facts.get("Size", sizes["state.bin"])))


def download(s3: Any, bucket: str, key: str, target: Path) -> None:
    with open_private(target) as handle:
        _aws(f"downloading s3://{bucket}/{key}", lambda: s3.download_fileobj(bucket, key, handle))


def restore(vault: VaultOperator, s3: Any, bucket: str, key: str, workdir: Path, *, force: bool = False,
            backup: bool = True, say: Callable[[str], None] = print, project: Optional[Path] = None) -> None:
    """Restore ``s3://bucket/key`` into the live Vault (see the module docstring); files go
    to ``workdir``, a directory of vault-platform's own (:mod:`vault_platform.outputs`)."""
    status = vault.get("sys/seal-status") or {}
    if not status.get("initialized") or status.get("sealed", True):
        raise SnapshotError(f"Vault at {vault.connection.address} must be initialised and unsealed to restore "
                            f"(initialized={status.get('initialized')}, sealed={status.get('sealed')})")
    configuration = vault.get("sys/storage/raft/configuration")
    if configuration is None:
        raise SnapshotError(f"Vault at {vault.connection.address} does not run Raft storage: nothing to restore into")
    try:
        workdir = outputs.private_directory(workdir, "restore", "--workdir", project)
    except outputs.OutputDirError as error:
        raise SnapshotError(str(error)) from None
    local = workdir / f"restore-{Path(key).name}"
    download(s3, bucket, key, local)
    facts = verify_snapshot(local)
    say(f"snapshot {key}: checksums match (raft index {facts.index}, term {facts.term}, {facts.size:,} bytes of state)")
    if backup:
        saved = workdir / f"pre-restore-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%SZ')}.snap"
        size = vault.download("sys/storage/raft/snapshot", saved)
        verify_snapshot(saved)
        say(f"current state saved first: {saved} ({size:,} bytes)")
    endpoint = "sys/storage/raft/snapshot-force" if force else "sys/storage/raft/snapshot"
    try:
        with local.open("rb") as handle:  # streamed: snapshots can be large
            vault.post(endpoint, data=handle)
    except LiveError as error:
        # Only a keyring mismatch is what --force bypasses (Vault: "could not verify hash
        # file, possibly the snapshot is using a different set of unseal keys"); a 403 or
        # any other refusal is not.
        other_keys = not force and ("snapshot-force" in str(error) or "could not verify hash file" in str(error))
        hint = " (a snapshot from a cluster with other keys, e.g. a rebuilt one, needs --force)" if other_keys else ""
        raise SnapshotError(f"Vault refused the restore: {error}{hint}") from None
    say(f"restored {key} into {vault.connection.address}{' (forced)' if force else ''}")
