"""`vault-platform init` end to end on fresh real servers booted from the stacks' rendered
configurations: initialise, keep the shares, unseal, run the bootstrap (the applier, as
``pulumi up`` would apply the stack) with the root token, and revoke the root token.

* Shamir (dev's seal) with PGP shares: each operator decrypts their share and unseals the
  server while ``init`` waits for them; only then does the bootstrap run and the root token
  go;
* AWS KMS auto-unseal (OpenBao 2.6.2 against moto's KMS) with PGP recovery keys;
* AWS KMS auto-unseal with the recovery keys in Secrets Manager (moto), as
  ``RecoveryKeyCustody`` sets the secret up.

Each proves the configuration applied, the shares decrypt (or sit in the secret), and the
root token is refused afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from components.aws import recovery_key_policies
from components.config import NAMESPACE
from tests.conftest import PROJECT
from tests.live.applier import Surroundings
from tests.live.deploy import boot
from tests.operators import operator_keys


@pytest.fixture
def operators(tmp_path):
    with operator_keys(tmp_path / "gnupg", ("alice", "bob")) as keys:
        yield keys


def stack_with(tmp_path: Path, stack: str, initialization: dict) -> Path:
    """The stack's file with its ``initialization`` section replaced, beside the test."""
    document = yaml.safe_load((PROJECT / f"Pulumi.{stack}.yaml").read_text())
    document["config"][f"{NAMESPACE}:initialization"] = initialization
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def bootstrap_command(tmp_path: Path, plan, ca) -> tuple[list[str], Path]:
    """The applier as init's bootstrap; returns the command and where it records the token."""
    resources = tmp_path / "resources.json"
    resources.write_text(json.dumps([r.as_json() for r in plan.resources()
                                     if r.type.startswith(("vault:index/policy", "vault:index/audit",
                                                           "vault:index/authBackend", "vault:appRole"))]))
    audit = tmp_path / "audit"
    audit.mkdir()
    settings = tmp_path / "surroundings.json"
    settings.write_text(json.dumps(Surroundings(audit_dir=str(audit), ca_pem=ca.pem).__dict__))
    token_file = tmp_path / "bootstrap-token"
    return [sys.executable, "-m", "tests.live.bootstrap", str(resources), str(settings), str(token_file)], token_file


def run_init(stack_file: Path, address: str, ca: Path, bootstrap: list[str], *extra: str,
             env: dict | None = None) -> subprocess.Popen:
    environment = {"PATH": os.environ["PATH"], "HOME": str(stack_file.parent), "VAULT_CACERT": str(ca),
                   "PYTHONPATH": str(PROJECT), **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "vault_platform", "init", "--stack", str(stack_file), "--address",
                             address, "--bootstrap-command", " ".join(bootstrap), *extra], cwd=PROJECT,
                            env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def assert_applied_and_root_revoked(cluster, token_file: Path) -> None:
    root = token_file.read_text()
    client = cluster.client(root)
    assert client.get("auth/token/lookup-self").status == 403, "the root token is still valid"
    policies = cluster.client(token="").get("sys/health").expect(200)
    assert policies.body["initialized"] and not policies.body["sealed"]


def test_shamir_with_pgp_shares_waits_for_the_operators_then_bootstraps_and_revokes_the_root_token(
        stack_plan, tmp_path, bao, test_ca, operators):
    plan = stack_plan("dev")
    cluster = boot(plan, tmp_path / "servers", bao, test_ca, initialise=False)
    try:
        stack_file = stack_with(tmp_path, "dev", {"recovery_shares": 2, "recovery_threshold": 2,
                                                  "recovery_keys": "pgp", "pgp_keys": operators.relative()})
        command, token_file = bootstrap_command(tmp_path, plan, test_ca)
        shares_dir = tmp_path / "shares"
        init = run_init(stack_file, cluster.leader.address, test_ca.path, command, "--out", str(shares_dir))
        said = []
        for line in init.stdout:  # operators act once init asks them to, as people would, some time later
            said.append(line)
            if "waiting for the operators to unseal" in line:
                break
        else:
            pytest.fail(f"init ended without waiting for the operators:\n{''.join(said)}{init.stderr.read()}")
        for share_file in sorted(shares_dir.glob("*.b64")):  # each operator decrypts their own share and unseals
            share = operators.decrypt(share_file.read_text())
            cluster.leader.client().put("sys/unseal", {"key": share}).expect(200)
        out, err = init.communicate(timeout=120)
        out = "".join(said) + out
        assert init.returncode == 0, f"{out}\n{err}"
        assert "root token revoked" in out
        assert_applied_and_root_revoked(cluster, token_file)
        assert token_file.read_text() not in out + err
    finally:
        cluster.stop()


def test_auto_unseal_with_pgp_recovery_keys(stack_plan, tmp_path, bao_awskms, test_ca, moto, operators):
    plan = stack_plan("staging")
    cluster = boot(plan, tmp_path / "servers", bao_awskms, test_ca, moto=moto, initialise=False)
    try:
        assert cluster.leader.client().get("sys/seal-status").body["type"] == "awskms"
        stack_file = stack_with(tmp_path, "staging", {"recovery_shares": 2, "recovery_threshold": 2,
                                                      "recovery_keys": "pgp", "pgp_keys": operators.relative()})
        command, token_file = bootstrap_command(tmp_path, plan, test_ca)
        shares_dir = tmp_path / "shares"
        init = run_init(stack_file, cluster.leader.address, test_ca.path, command, "--out", str(shares_dir))
        out, err = init.communicate(timeout=120)
        assert init.returncode == 0, f"{out}\n{err}"
        assert "2 recovery key shares" in out and "waiting for the operators" not in out
        assert_applied_and_root_revoked(cluster, token_file)
        shares = [operators.decrypt(f.read_text()) for f in sorted(shares_dir.glob("*.b64"))]
        assert len(shares) == 2 and len(set(shares)) == 2 and all(shares)
    finally:
        cluster.stop()


def test_auto_unseal_with_the_recovery_keys_in_secrets_manager(stack_plan, tmp_path, bao_awskms, test_ca, moto):
    plan = stack_plan("staging")
    cluster = boot(plan, tmp_path / "servers", bao_awskms, test_ca, moto=moto, initialise=False)
    shares = plan.config.initialization.recovery_shares
    names = [recovery_key_policies.secret_name(plan.config.cluster.name, "staging", n) for n in range(1, shares + 1)]
    secrets = moto.client("secretsmanager")
    for name in names:
        secrets.create_secret(Name=name, Description="as RecoveryKeyCustody creates it: no value")
    try:
        command, token_file = bootstrap_command(tmp_path, plan, test_ca)
        stack_file = tmp_path / "Pulumi.staging.yaml"
        stack_file.write_text((PROJECT / "Pulumi.staging.yaml").read_text())
        init = run_init(stack_file, cluster.leader.address, test_ca.path, command, env={
            "AWS_ENDPOINT_URL": moto.address, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
        out, err = init.communicate(timeout=120)
        assert init.returncode == 0, f"{out}\n{err}"
        assert_applied_and_root_revoked(cluster, token_file)
        stored = [json.loads(secrets.get_secret_value(SecretId=name)["SecretString"]) for name in names]
        # share n in secret n, and no secret holds more than its own share
        assert [value["share"] for value in stored] == list(range(1, shares + 1))
        assert all(value["status"] == "initialized" and value["threshold"] == 3 and "keys_base64" not in value
                   for value in stored)
        keys = [value["key_base64"] for value in stored]
        assert len(set(keys)) == shares and all(keys)
        assert not any(key in out + err for key in keys)
    finally:
        cluster.stop()
        for name in names:
            secrets.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
