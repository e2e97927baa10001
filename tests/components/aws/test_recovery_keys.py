"""Recovery-key custody under Pulumi's mocks, the operators' key files, and the
promise that no plan artifact ever holds a token or a key share."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess

import pytest

from components.config.inputs import pgp_keys
from tests.conftest import EXAMPLE_STACKS, STACKS
from vault_platform.plan import artifacts


def one(plan, type_):
    (found,) = plan.of_type(type_)
    return found


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_custody_is_one_protected_secret_under_a_dedicated_key_for_one_role(stack_plan, stack):
    plan = stack_plan(stack)
    secret = one(plan, "aws:secretsmanager/secret:Secret")
    assert secret.inputs["name"] == f"vault/{stack}/recovery-keys"
    assert secret.protect and secret.retain_on_delete
    assert not plan.of_type("aws:secretsmanager/secretVersion:SecretVersion"), "the value never passes through Pulumi"
    (key,) = [k for k in plan.of_type("aws:kms/key:Key") if "recovery keys" in k.inputs["description"]]
    assert key.protect and key.inputs["enableKeyRotation"] is True
    (role,) = [r for r in plan.of_type("aws:iam/role:Role") if r.name == "vault-recovery-keys-role"]
    assert role.protect

    documents = dict(artifacts.aws_documents(plan.resources()))
    role_arn = f"arn:aws:iam::123456789012:role/vault-recovery-keys-{stack}"
    trust = documents["vault-recovery-keys-role-trust"]["Statement"]
    assert len(trust) == 1 and trust[0]["Action"] == "sts:AssumeRole"
    (custodian,) = trust[0]["Principal"]["AWS"]
    assert custodian.endswith(":role/vault-custodians")
    grants = documents["vault-recovery-keys-role-policy"]["Statement"]
    secret_arn = plan.outputs["recovery_keys_secret_arn"]
    assert secret_arn.startswith(f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:vault/{stack}/recovery-keys-")
    assert [(s["Resource"], sorted(s["Action"])) for s in grants] == [
        (secret_arn, ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
                      "secretsmanager:PutSecretValue"]),
        (secret.inputs["kmsKeyId"], ["kms:Decrypt", "kms:GenerateDataKey"])]
    assert secret.inputs["kmsKeyId"].startswith("arn:aws:kms:eu-west-1:")
    assert grants[1]["Condition"] == {"StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}}
    (deny,) = documents["vault-recovery-keys-secret-policy"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": role_arn}}
    key_policy = {s["Sid"]: s for s in documents["vault-recovery-keys-key"]["Statement"]}
    assert key_policy["CustodianThroughSecretsManager"]["Principal"] == {"AWS": role_arn}
    assert set(key_policy["ProtectRecoveryKeyKey"]["Action"]) == {"kms:DisableKey", "kms:ScheduleKeyDeletion"}
    assert not {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"} & set(key_policy["KeyAdministration"]["Action"])


def test_dev_has_no_custody(stack_plan):
    assert not stack_plan("dev").of_type("aws:secretsmanager/secret:Secret")


TOKEN_SHAPES = re.compile(
    r"\bhv[sbr]\.[A-Za-z0-9_-]{20,}"  # Vault's token formats (1.10+)
    r"|\bs\.[A-Za-z0-9]{24}\b"  # Vault's older service tokens
    r"|\"(root_token|recovery_keys_base64|keys_base64|recovery_keys|unseal_keys)\"\s*:"  # sys/init's answer
    r"|root token:|unseal key \d+:", re.IGNORECASE)  # `vault operator init`'s output


@pytest.mark.parametrize("stack", [*STACKS, *EXAMPLE_STACKS])
def test_no_artifact_holds_a_token_or_a_key_share(stack_plan, stack, tmp_path):
    written = artifacts.write(stack_plan(stack), tmp_path / stack)
    assert written
    for relative in written:
        text = (tmp_path / stack / relative).read_text(encoding="utf-8", errors="replace")
        assert not TOKEN_SHAPES.search(text), f"{relative}: {TOKEN_SHAPES.search(text).group(0)}"


# --------------------------------------------------------------------------- operators' key files


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    gpg = shutil.which("gpg")
    assert gpg, "gnupg is installed by the test command"
    home = tmp_path_factory.mktemp("gnupg")
    os.chmod(home, 0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}
    subprocess.run([gpg, "--batch", "--passphrase", "", "--quick-gen-key", "carol <carol@example.com>", "rsa2048",
                    "cert,sign,encr", "never"], env=env, check=True, capture_output=True)

    def export(*flags: str) -> bytes:
        return subprocess.run([gpg, "--batch", "--pinentry-mode", "loopback", "--passphrase", "", *flags, "carol"],
                              env=env, check=True, capture_output=True).stdout

    return {"armored": export("--armor", "--export"), "binary": export("--export"),
            "secret-armored": export("--armor", "--export-secret-keys"),
            "secret-binary": export("--export-secret-keys")}


def test_public_keys_are_read_in_any_of_gpgs_forms(exported):
    binary = exported["binary"]
    assert pgp_keys.parse_public_key(binary) == binary
    assert pgp_keys.parse_public_key(exported["armored"]) == binary
    assert pgp_keys.parse_public_key(base64.b64encode(binary)) == binary


@pytest.mark.parametrize("form", ["secret-armored", "secret-binary"])
def test_a_secret_key_is_refused(exported, form):
    with pytest.raises(pgp_keys.PgpKeyError, match="(PRIVATE|SECRET) key"):
        pgp_keys.parse_public_key(exported[form])


@pytest.mark.parametrize("data", [b"", b"hello world", b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
                                  json.dumps({"key": 1}).encode()])
def test_other_files_are_refused(data):
    with pytest.raises(pgp_keys.PgpKeyError):
        pgp_keys.parse_public_key(data)
