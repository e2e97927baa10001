"""`vault-platform snapshot list` and `snapshot restore` against S3 from moto and a local
HTTP server answering like Vault's API. Snapshots are built in Vault's archive format
(a gzipped tar of meta.json, state.bin and SHA256SUMS)."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import tarfile

import boto3
import pytest
from moto import mock_aws
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from vault_platform.cli import main
from vault_platform.live.snapshots import SnapshotError, verify_snapshot

BUCKET = "vault-snapshots-20261124000000000000000001"
TOKEN = "operator-break-glass-token"

pytestmark = pytest.mark.usefixtures("aws_credentials")


def build_snapshot(state: bytes, index: int = 42, term: int = 3, *, corrupt: bool = False) -> bytes:
    """A snapshot in Vault's archive format; ``corrupt`` alters state.bin after summing."""
    meta = json.dumps({"Version": 1, "ID": f"{term}-{index}", "Index": index, "Term": term,
                       "Size": len(state)}).encode() + b"\n"
    sums = f"{hashlib.sha256(meta).hexdigest()}  meta.json\n{hashlib.sha256(state).hexdigest()}  state.bin\n"
    if corrupt:
        state = state[:-1] + bytes([state[-1] ^ 1])
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in (("meta.json", meta), ("state.bin", state), ("SHA256SUMS", sums.encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


GOOD = build_snapshot(b"barrier-encrypted state " * 1000)
CURRENT = build_snapshot(b"the state before the restore", index=99, term=4)


@pytest.fixture
def s3():
    with mock_aws():
        client = boto3.client("s3", region_name="eu-west-1")
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        for key, body in (("vault/production/20261122T001700Z.snap", GOOD),
                          ("vault/production/20261124T061700Z.snap", GOOD),
                          ("vault/production/20261123T121700Z.snap", build_snapshot(b"x", corrupt=True)),
                          ("vault/staging/20261124T061700Z.snap", GOOD),
                          ("vault/production/notes.txt", b"not a snapshot")):
            client.put_object(Bucket=BUCKET, Key=key, Body=body)
        yield client


class FakeVault:
    """An unsealed Raft Vault that takes (or refuses) snapshots."""

    def __init__(self, server: HTTPServer, refuse: bool = False):
        self.restored: list[tuple[str, bytes]] = []
        self.refuse = refuse
        server.expect_request("/v1/sys/seal-status").respond_with_json(
            {"type": "awskms", "initialized": True, "sealed": False})
        server.expect_request("/v1/sys/storage/raft/configuration", headers={"X-Vault-Token": TOKEN}).respond_with_json(
            {"data": {"config": {"servers": [{"node_id": "vault-0", "leader": True, "voter": True}]}}})
        server.expect_request("/v1/sys/storage/raft/snapshot", method="GET", headers={"X-Vault-Token": TOKEN}
                              ).respond_with_data(CURRENT, content_type="application/octet-stream")
        for endpoint in ("snapshot", "snapshot-force"):
            server.expect_request(f"/v1/sys/storage/raft/{endpoint}", method="POST",
                                  headers={"X-Vault-Token": TOKEN}).respond_with_handler(self.take)
        self.address = server.url_for("").rstrip("/")

    def take(self, request: Request) -> Response:
        if self.refuse and not request.path.endswith("-force"):
            return Response(json.dumps({"errors": [  # Vault's and OpenBao's words for another cluster's keys
                "could not verify hash file, possibly the snapshot is using a different autoseal key; use the "
                "snapshot-force API to bypass this check"]}), status=400, content_type="application/json")
        self.restored.append((request.path.rsplit("/", 1)[1], request.get_data()))
        return Response(status=204)


def restore(vault: FakeVault, tmp_path, *extra: str) -> int:
    return main(["snapshot", "restore", "--stack", "production", "--bucket", BUCKET, "--address", vault.address,
                 "--workdir", str(tmp_path / "restore"), *extra])


def test_list_shows_the_stacks_snapshots_newest_first(s3, capsys):
    assert main(["snapshot", "list", "--stack", "production", "--bucket", BUCKET]) == 0
    lines = capsys.readouterr().out.splitlines()
    keys = [line.split()[-1] for line in lines[1:-1]]
    assert keys == ["vault/production/20261124T061700Z.snap", "vault/production/20261123T121700Z.snap",
                    "vault/production/20261122T001700Z.snap"]
    assert lines[-1] == f"3 snapshots in s3://{BUCKET}/"


def test_list_needs_a_bucket(s3, capsys, monkeypatch):
    monkeypatch.delenv("VAULT_SNAPSHOT_BUCKET", raising=False)
    assert main(["snapshot", "list", "--stack", "production"]) == 2
    assert "pass --bucket" in capsys.readouterr().err


def test_restore_latest_checks_saves_the_current_state_then_restores(s3, httpserver, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VAULT_TOKEN", TOKEN)
    vault = FakeVault(httpserver)
    assert restore(vault, tmp_path, "--latest", "--yes") == 0
    assert vault.restored == [("snapshot", GOOD)]
    (backup,) = (tmp_path / "restore").glob("pre-restore-*.snap")
    assert backup.read_bytes() == CURRENT and stat.S_IMODE(backup.stat().st_mode) == 0o600
    out = capsys.readouterr().out
    assert "20261124T061700Z.snap: checksums match (raft index 42, term 3" in out
    assert "current state saved first" in out and "restored vault/production/20261124T061700Z.snap" in out


def test_a_corrupted_snapshot_never_reaches_vault(s3, httpserver, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VAULT_TOKEN", TOKEN)
    vault = FakeVault(httpserver)
    assert restore(vault, tmp_path, "--key", "vault/production/20261123T121700Z.snap", "--yes") == 2
    assert vault.restored == []
    assert "checksum of state.bin does not match SHA256SUMS" in capsys.readouterr().err


def test_another_stacks_snapshot_is_refused(s3, httpserver, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VAULT_TOKEN", TOKEN)
    vault = FakeVault(httpserver)
    assert restore(vault, tmp_path, "--key", "vault/staging/20261124T061700Z.snap", "--yes") == 2
    assert vault.restored == [] and "not a snapshot of stack production" in capsys.readouterr().err


def test_a_restore_needs_confirmation_and_a_token(s3, httpserver, tmp_path, monkeypatch, capsys):
    vault = FakeVault(httpserver)
    monkeypatch.delenv("VAULT_TOKEN", raising=False)
    assert restore(vault, tmp_path, "--latest", "--yes") == 2
    assert "needs a token" in capsys.readouterr().err
    monkeypatch.setenv("VAULT_TOKEN", TOKEN)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert restore(vault, tmp_path, "--latest") == 2
    assert "pass --yes" in capsys.readouterr().err
    assert vault.restored == []


def test_a_refused_restore_suggests_force_and_force_uses_snapshot_force(s3, httpserver, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VAULT_TOKEN", TOKEN)
    vault = FakeVault(httpserver, refuse=True)
    assert restore(vault, tmp_path, "--latest", "--yes", "--no-backup") == 2
    err = capsys.readouterr().err
    assert "different autoseal key" in err and "needs --force" in err and vault.restored == []
    assert restore(vault, tmp_path, "--latest", "--yes", "--no-backup", "--force") == 0
    assert vault.restored == [("snapshot-force", GOOD)]
    assert not list((tmp_path / "restore").glob("pre-restore-*"))


def test_a_leftover_file_is_made_private_again(s3, httpserver, tmp_path, monkeypatch):
    monkeypatch.setenv("VAULT_TOKEN", TOKEN)
    assert restore(FakeVault(httpserver), tmp_path, "--latest", "--yes", "--no-backup") == 0
    leftover = tmp_path / "restore" / "restore-20261124T061700Z.snap"  # an earlier run's download
    leftover.write_bytes(b"an older download")
    leftover.chmod(0o644)
    assert restore(FakeVault(httpserver), tmp_path, "--latest", "--yes", "--no-backup") == 0
    assert leftover.read_bytes() == GOOD and stat.S_IMODE(leftover.stat().st_mode) == 0o600


def test_restore_refuses_a_workdir_that_is_not_its_own(s3, httpserver, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VAULT_TOKEN", TOKEN)
    workdir = tmp_path / "restore"
    workdir.mkdir()
    (workdir / "notes.txt").write_text("keep me")
    vault = FakeVault(httpserver)
    assert restore(vault, tmp_path, "--latest", "--yes", "--no-backup") == 2
    assert "was not written by vault-platform" in capsys.readouterr().err
    assert [p.name for p in workdir.iterdir()] == ["notes.txt"] and not vault.restored


def test_verify_reads_plain_tar_too_and_refuses_foreign_archives(tmp_path):
    plain = tmp_path / "plain.snap"
    with tarfile.open(plain, "w") as archive:
        with tarfile.open(fileobj=io.BytesIO(GOOD), mode="r:gz") as source:
            for member in source.getmembers():
                archive.addfile(member, source.extractfile(member))
    assert verify_snapshot(plain).index == 42
    foreign = tmp_path / "foreign.snap"
    with tarfile.open(foreign, "w:gz") as archive:
        info = tarfile.TarInfo("etc/passwd")
        archive.addfile(info, io.BytesIO(b""))
    with pytest.raises(SnapshotError, match="not a Vault Raft snapshot: unexpected etc/passwd"):
        verify_snapshot(foreign)
    partial = tmp_path / "partial.snap"
    with tarfile.open(partial, "w:gz") as archive:
        info = tarfile.TarInfo("meta.json")
        archive.addfile(info, io.BytesIO(b""))
    with pytest.raises(SnapshotError, match="lacks state.bin, SHA256SUMS"):
        verify_snapshot(partial)
    (tmp_path / "text.snap").write_text("hello")
    with pytest.raises(SnapshotError, match="not a readable snapshot archive"):
        verify_snapshot(tmp_path / "text.snap")
