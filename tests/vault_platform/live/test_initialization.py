"""`vault-platform init` against a local HTTP server answering like Vault's API, with
Secrets Manager from moto and operators' keys made by GnuPG.

What is proven: the stack's shares and threshold reach ``sys/init``; the shares land in
the stack's secrets, share n in secret n (or, with PGP, each in a file only its operator can decrypt); the
bootstrap command gets the root token in its environment; the root token is revoked
whatever happens; and neither the token nor a share is ever printed.
"""

from __future__ import annotations

import hashlib
import json
import stat
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from components.aws import recovery_key_policies
from components.config import load
from tests.conftest import PROJECT, stack_raw
from tests.operators import operator_keys
from vault_platform.live import initialization as boot
from vault_platform.cli import main
from vault_platform.live.client import Connection, VaultOperator

ROOT = "hvs.ROOTtokenNEVERshownANYWHERE0123456789"
SHARES = [f"c2hhcmUt{i}ZmFrZS1yZWNvdmVyeS1rZXktc2hhcmU{i}" for i in range(5)]
SECRETS = [recovery_key_policies.secret_name("vault", "production", share) for share in range(1, 6)]
SECRET = SECRETS[0]


def stored_shares(client) -> list[str]:
    """Share n as stored in secret n, each checked to say which share it is."""
    values = [json.loads(client.get_secret_value(SecretId=name)["SecretString"]) for name in SECRETS]
    assert [value["share"] for value in values] == [1, 2, 3, 4, 5]
    assert all(value["status"] == "initialized" for value in values)
    return [value["key_base64"] for value in values]


def status_tag(client, name: str) -> str | None:
    tags = {tag["Key"]: tag["Value"] for tag in client.describe_secret(SecretId=name).get("Tags", [])}
    return tags.get(boot.STATUS_TAG)

pytestmark = pytest.mark.usefixtures("aws_credentials")


class FakeVault:
    """An uninitialised Vault: seal status, init, token lookup and revocation."""

    def __init__(self, server: HTTPServer, seal: str = "awskms", initialized: bool = False, encrypt=None,
                 after_revoke: int = 403, stays_sealed: bool = False):
        self.stays_sealed = stays_sealed
        self.seal, self.initialized, self.encrypt, self.after_revoke = seal, initialized, encrypt, after_revoke
        self.init_bodies: list[dict] = []
        self.revoked = False
        self.calls: list[str] = []
        self.tokens_before_init: set[str] = set()
        """Tokens sent with seal-status and init: there must be none."""
        server.expect_request("/v1/sys/seal-status", method="GET").respond_with_handler(self.seal_status)
        server.expect_request("/v1/sys/init", method="PUT").respond_with_handler(self.init)
        server.expect_request("/v1/auth/token/lookup-self", method="GET").respond_with_handler(self.lookup)
        server.expect_request("/v1/auth/token/revoke-self", method="POST").respond_with_handler(self.revoke)
        self.address = server.url_for("").rstrip("/")

    def seal_status(self, request: Request) -> Response:
        self.calls.append("seal-status")
        self.tokens_before_init.update(filter(None, [request.headers.get("X-Vault-Token")]))
        # auto-unseal: unsealed once initialised; Shamir: the operators unseal it by the next look
        sealed = not self.initialized or (self.seal == "shamir" and (
            self.stays_sealed or "seal-status" not in self.calls[-2:-1]))
        return Response(json.dumps({"type": self.seal, "initialized": self.initialized, "sealed": sealed}),
                        content_type="application/json")

    def init(self, request: Request) -> Response:
        self.calls.append("init")
        self.tokens_before_init.update(filter(None, [request.headers.get("X-Vault-Token")]))
        body = json.loads(request.data)
        self.init_bodies.append(body)
        self.initialized = True
        recovery = self.seal != "shamir"
        count = body["recovery_shares" if recovery else "secret_shares"]
        keys = SHARES[:count]
        pgp = body.get("recovery_pgp_keys" if recovery else "pgp_keys")
        if pgp:
            keys = [self.encrypt(share, key) for share, key in zip(keys, pgp)]
        name = "recovery_keys" if recovery else "keys"
        return Response(json.dumps({name: ["hex"] * count, f"{name}_base64": keys, "root_token": ROOT}),
                        content_type="application/json")

    def _is_root(self, request: Request) -> bool:
        return request.headers.get("X-Vault-Token") == ROOT and not self.revoked

    def lookup(self, request: Request) -> Response:
        self.calls.append("lookup-self")
        if not self._is_root(request):
            status = self.after_revoke if self.revoked else 403
            return Response(json.dumps({"errors": ["permission denied"]}), status=status,
                            content_type="application/json")
        return Response(json.dumps({"data": {"accessor": "root-accessor", "policies": ["root"]}}),
                        content_type="application/json")

    def revoke(self, request: Request) -> Response:
        self.calls.append("revoke-self")
        if not self._is_root(request):
            return Response(json.dumps({"errors": ["permission denied"]}), status=403, content_type="application/json")
        self.revoked = True
        return Response(status=204)


def bootstrap_script(tmp_path: Path, exit_code: int = 0) -> str:
    """A stand-in for `pulumi up`: records a hash of the token it was given, never the token."""
    script = tmp_path / "bootstrap.py"
    script.write_text(
        "import hashlib, os, sys\n"
        f"open({str(tmp_path / 'seen')!r}, 'w').write(hashlib.sha256(os.environ.get('VAULT_TOKEN', '').encode())"
        ".hexdigest())\n"
        f"sys.exit({exit_code})\n")
    return f"{sys.executable} {script}"


def no_secret_in(*texts: str) -> bool:
    return not any(ROOT in text or any(share in text for share in SHARES) for text in texts)


@pytest.fixture
def secrets_manager():
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="eu-west-1")
        for name in SECRETS:
            client.create_secret(Name=name, Description="made by the stack, without a value")
        yield client


def run_init(vault: FakeVault, *extra: str) -> int:
    return main(["init", "--stack", "production", "--address", vault.address, *extra])


def test_init_keeps_the_shares_in_the_secret_bootstraps_and_revokes_the_root_token(
        httpserver, secrets_manager, tmp_path, capfd, monkeypatch):
    monkeypatch.setenv("VAULT_TOKEN", "an-operator-token-that-init-must-not-send")
    vault = FakeVault(httpserver)
    assert run_init(vault, "--bootstrap-command", bootstrap_script(tmp_path)) == 0

    assert vault.init_bodies == [{"recovery_shares": 5, "recovery_threshold": 3}]
    assert vault.tokens_before_init == set()  # the operator's VAULT_TOKEN never went to Vault
    assert stored_shares(secrets_manager) == SHARES
    assert {status_tag(secrets_manager, name) for name in SECRETS} == {"initialized"}
    stored = json.loads(secrets_manager.get_secret_value(SecretId=SECRETS[4])["SecretString"])
    assert "keys_base64" not in stored  # no secret holds more than its own share
    assert (stored["shares"], stored["threshold"], stored["seal"], stored["stack"]) == (5, 3, "awskms", "production")
    assert (tmp_path / "seen").read_text() == hashlib.sha256(ROOT.encode()).hexdigest()
    assert vault.revoked and vault.calls[-1] == "lookup-self"  # revoked, then checked to be gone
    out, err = capfd.readouterr()
    assert "root token revoked" in out
    assert no_secret_in(out, err)


def test_a_failed_bootstrap_still_revokes_the_root_token(httpserver, secrets_manager, tmp_path, capfd):
    vault = FakeVault(httpserver)
    assert run_init(vault, "--bootstrap-command", bootstrap_script(tmp_path, exit_code=4)) == 1
    assert vault.revoked
    out, err = capfd.readouterr()
    assert "bootstrap exited with 4" in err and "Break-glass" in err
    assert stored_shares(secrets_manager) == SHARES
    assert no_secret_in(out, err)


def test_an_unconfirmed_revocation_is_a_failure_naming_the_accessor(httpserver, secrets_manager, capfd):
    vault = FakeVault(httpserver, after_revoke=503)  # Vault went away right after the revocation
    assert run_init(vault, "--no-bootstrap") == 1
    out, err = capfd.readouterr()
    assert "vault token revoke -accessor root-accessor" in out and "may still be valid" in err
    assert no_secret_in(out, err)


def test_no_bootstrap_revokes_at_once(httpserver, secrets_manager, capfd):
    vault = FakeVault(httpserver)
    assert run_init(vault, "--no-bootstrap") == 0
    assert vault.revoked
    assert no_secret_in(*capfd.readouterr())


def test_an_initialised_vault_is_left_alone(httpserver, secrets_manager, capfd):
    vault = FakeVault(httpserver, initialized=True)
    assert run_init(vault, "--no-bootstrap") == 0
    assert "init" not in vault.calls
    assert "already initialised" in capfd.readouterr().out
    with pytest.raises(secrets_manager.exceptions.ResourceNotFoundException):
        secrets_manager.get_secret_value(SecretId=SECRET)


def test_a_secret_that_already_holds_a_share_stops_init_before_vault_is_touched(httpserver, secrets_manager, capfd):
    # the initializer cannot read a share: what it sees is a value without the pending tag
    earlier = {"status": "initialized", "share": 3, "key_base64": "earlier"}
    secrets_manager.put_secret_value(SecretId=SECRETS[2], SecretString=json.dumps(earlier))
    vault = FakeVault(httpserver)
    assert run_init(vault, "--no-bootstrap") == 2
    assert "init" not in vault.calls
    assert f"{SECRETS[2]} already holds a value" in capfd.readouterr().err
    assert json.loads(secrets_manager.get_secret_value(SecretId=SECRETS[2])["SecretString"]) == earlier
    with pytest.raises(secrets_manager.exceptions.ResourceNotFoundException):  # nothing written before the check
        secrets_manager.get_secret_value(SecretId=SECRETS[0])


def test_a_missing_secret_stops_init_before_vault_is_touched(httpserver, capfd):
    with mock_aws():
        vault = FakeVault(httpserver)
        assert run_init(vault, "--no-bootstrap") == 2
    assert "init" not in vault.calls
    assert f"describing the secret {SECRET} failed: ResourceNotFoundException" in capfd.readouterr().err


def test_a_pending_marker_from_an_interrupted_run_is_not_a_reason_to_refuse(httpserver, secrets_manager):
    secrets_manager.put_secret_value(SecretId=SECRETS[1], SecretString=json.dumps({"status": "pending"}))
    secrets_manager.tag_resource(SecretId=SECRETS[1], Tags=[{"Key": boot.STATUS_TAG, "Value": "pending"}])
    vault = FakeVault(httpserver)
    assert run_init(vault, "--no-bootstrap") == 0
    assert stored_shares(secrets_manager) == SHARES


def test_a_seal_other_than_the_stacks_stops_init(httpserver, secrets_manager, capfd):
    vault = FakeVault(httpserver, seal="shamir")
    assert run_init(vault, "--no-bootstrap") == 2
    assert "init" not in vault.calls
    assert "seal type 'shamir' but the stack declares 'awskms'" in capfd.readouterr().err


def test_the_root_token_is_revoked_when_storing_the_shares_fails(httpserver, production_config):
    class FailingCustody:
        def describe(self): return "nowhere"
        def pgp_keys(self): return None
        def prepare(self): pass
        def store(self, shares, facts): raise boot.InitError("storing failed: ServiceUnavailable")

    vault = FakeVault(httpserver)
    lines: list[str] = []
    with pytest.raises(boot.InitError, match="ServiceUnavailable"):
        boot.initialise(production_config, "production", VaultOperator(Connection(vault.address, None)),
                        FailingCustody(), None, say=lines.append)
    assert vault.revoked and no_secret_in(*lines)


@pytest.fixture
def production_config():
    return load(stack_raw("production"), "Pulumi.production.yaml", "production")


# --------------------------------------------------------------------------- PGP


@pytest.fixture
def operators(tmp_path):
    with operator_keys(tmp_path / "gnupg") as keys:
        yield keys.files, keys.encrypt, lambda path: keys.decrypt(path.read_text())


def test_pgp_shares_are_encrypted_to_each_operator_and_only_there(httpserver, tmp_path, operators, capfd):
    files, encrypt, decrypt = operators
    stack_file = tmp_path / "Pulumi.dev.yaml"
    stack_file.write_text((PROJECT / "Pulumi.dev.yaml").read_text() + (
        "  vault-platform:initialization:\n    recovery_shares: 2\n    recovery_threshold: 2\n"
        f"    recovery_keys: pgp\n    pgp_keys: {json.dumps([str(f.relative_to(PROJECT)) for f in files])}\n"))
    vault = FakeVault(httpserver, seal="shamir", encrypt=encrypt)
    out_dir = tmp_path / "shares"
    assert main(["init", "--stack", str(stack_file), "--address", vault.address, "--out", str(out_dir),
                 "--no-bootstrap"]) == 0

    (body,) = vault.init_bodies
    assert (body["secret_shares"], body["secret_threshold"]) == (2, 2)
    import base64
    assert [base64.b64decode(k) for k in body["pgp_keys"]] == [
        subprocess.run(["gpg", "--dearmor"], input=files[0].read_bytes(), capture_output=True, check=True).stdout,
        files[1].read_bytes()]
    written = sorted(out_dir.glob("*.b64"))
    assert (out_dir / ".vault-platform-output").is_file()  # the directory is marked as init's own
    assert [p.name for p in written] == ["alice.recovery-key.asc.b64", "bob.recovery-key.asc.b64"]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in written)
    assert [decrypt(p) for p in written] == SHARES[:2]
    assert vault.revoked
    assert no_secret_in(*capfd.readouterr(), *(p.read_text() for p in written))

    with pytest.raises(boot.InitError, match="refusing to overwrite"):  # a second run keeps the files
        boot.PgpCustody([str(f.relative_to(PROJECT)) for f in files], out_dir).prepare()


def test_with_a_shamir_seal_init_waits_for_the_operators_and_never_runs_the_bootstrap_on_a_sealed_vault(
        httpserver, tmp_path, operators, capfd):
    files, encrypt, _ = operators
    stack_file = tmp_path / "Pulumi.dev.yaml"
    stack_file.write_text((PROJECT / "Pulumi.dev.yaml").read_text() + (
        "  vault-platform:initialization:\n    recovery_shares: 2\n    recovery_threshold: 2\n"
        f"    recovery_keys: pgp\n    pgp_keys: {json.dumps([str(f.relative_to(PROJECT)) for f in files])}\n"))
    vault = FakeVault(httpserver, seal="shamir", encrypt=encrypt, stays_sealed=True)
    code = main(["init", "--stack", str(stack_file), "--address", vault.address, "--out", str(tmp_path / "shares"),
                 "--bootstrap-command", bootstrap_script(tmp_path), "--unseal-timeout", "0.03"])
    out, err = capfd.readouterr()
    assert code == 1
    assert "waiting for the operators to unseal it" in out and "still sealed after" in out
    assert "the root token cannot be revoked while Vault is sealed" in out
    assert not (tmp_path / "seen").exists(), "the bootstrap must not run against a sealed Vault"
    assert "revoke-self" not in vault.calls and no_secret_in(out, err)
