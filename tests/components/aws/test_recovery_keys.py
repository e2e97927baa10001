"""Recovery-key custody under Pulumi's mocks, the operators' key files, and the
promise that no plan artifact ever holds a token or a key share."""

from __future__ import annotations

import base64
import fnmatch
import json
import os
import re
import shutil
import subprocess

import pytest

from components.config.inputs import pgp_keys
from components import config as schema
from tests.conftest import EXAMPLE_STACKS, PROJECT, STACKS, stack_raw, with_values
from vault_platform.plan.program import Plan, run_program
from vault_platform.plan import artifacts


def one(plan, type_):
    (found,) = plan.of_type(type_)
    return found


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_custody_is_one_protected_secret_per_share_each_for_its_own_custodian(stack_plan, stack):
    plan = stack_plan(stack)
    config = plan.config.initialization.secrets_manager
    secrets = plan.of_type("aws:secretsmanager/secret:Secret")
    assert [s.inputs["name"] for s in secrets] == [f"vault/{stack}/recovery-keys/{n}" for n in range(1, 6)]
    assert all(s.protect and s.retain_on_delete for s in secrets)
    assert not plan.of_type("aws:secretsmanager/secretVersion:SecretVersion"), "the value never passes through Pulumi"
    (key,) = [k for k in plan.of_type("aws:kms/key:Key") if "recovery keys" in k.inputs["description"]]
    assert key.protect and key.inputs["enableKeyRotation"] is True
    assert len({s.inputs["kmsKeyId"] for s in secrets}) == 1 and secrets[0].inputs["kmsKeyId"].startswith(
        "arn:aws:kms:eu-west-1:")
    roles = [r for r in plan.of_type("aws:iam/role:Role") if r.name.startswith("vault-recovery-keys-")]
    assert [r.name for r in roles] == [f"vault-recovery-keys-{n}-role" for n in range(1, 6)]
    assert all(r.protect for r in roles)

    documents = dict(artifacts.aws_documents(plan.resources()))
    secret_arns = plan.outputs["recovery_key_secret_arns"]
    role_arns = plan.outputs["recovery_key_role_arns"]
    assert len(set(secret_arns)) == len(set(role_arns)) == 5
    key_policy = {s["Sid"]: s for s in documents["vault-recovery-keys-key"]["Statement"]}
    for share, (custodian, secret_arn, role_arn) in enumerate(zip(config.custodians, secret_arns, role_arns), 1):
        (trust,) = documents[f"vault-recovery-keys-{share}-role-trust"]["Statement"]
        assert trust["Principal"] == {"AWS": custodian} and trust["Action"] == "sts:AssumeRole"
        assert trust["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        grants = documents[f"vault-recovery-keys-{share}-role-policy"]["Statement"]
        assert [(g["Resource"], sorted(g["Action"])) for g in grants] == [
            (secret_arn, ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]),
            (secrets[0].inputs["kmsKeyId"], ["kms:Decrypt"])]
        assert grants[1]["Condition"]["StringEquals"] == {
            "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com",
            "kms:EncryptionContext:SecretARN": secret_arn}
        policy = {s["Sid"]: s for s in documents[f"vault-recovery-keys-{share}-secret-policy"]["Statement"]}
        assert policy["OnlyItsCustodianReads"]["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": [role_arn]}}
        assert policy["OnlyTheInitializerWrites"]["Condition"] == {
            "ArnNotEquals": {"aws:PrincipalArn": [config.initializer]}}
        destroy = policy["OnlyBreakGlassDestroys"]
        assert destroy["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": [config.break_glass]}}
        assert {"secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy",
                "secretsmanager:UpdateSecret"} <= set(destroy["Action"])
        never_again = policy["AStoredShareIsNeverWrittenAgain"]
        assert never_again["Action"] == "secretsmanager:PutSecretValue" and never_again["Condition"] == {
            "StringEquals": {"secretsmanager:ResourceTag/vault-platform/recovery-key": "initialized"},
            "ArnNotEquals": {"aws:PrincipalArn": [config.break_glass]}}
        assert policy["ItsStatusTagStaysStored"]["Condition"]["ForAnyValue:StringEquals"] == {
            "aws:TagKeys": ["vault-platform/recovery-key"]}
        assert policy["InitializerWrites"]["Action"] == [
            "secretsmanager:DescribeSecret", "secretsmanager:PutSecretValue", "secretsmanager:TagResource"]
        custodian_key = key_policy[f"Custodian{share}"]
        assert custodian_key["Principal"] == {"AWS": role_arn} and "kms:GenerateDataKey" not in custodian_key["Action"]
        pattern = custodian_key["Condition"]["StringLike"]["kms:EncryptionContext:SecretARN"]
        assert fnmatch.fnmatchcase(secret_arn, pattern)
        assert not any(fnmatch.fnmatchcase(other, pattern) for other in secret_arns if other != secret_arn)
    assert set(key_policy["ProtectRecoveryKeyKey"]["Action"]) == {"kms:DisableKey", "kms:ScheduleKeyDeletion"}
    administration = key_policy["KeyAdministration"]
    assert not {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"} & set(administration["Action"])
    assert administration["Principal"]["AWS"] == sorted(plan.config.unseal.awskms.key_administrators)
    assert not any(arn.endswith(":root") for arn in administration["Principal"]["AWS"])
    assert key_policy["Initializer"]["Action"] == ["kms:GenerateDataKey", "kms:DescribeKey"]
    assert "recovery_keys_secret_arn" not in plan.outputs  # no single secret unless retained
    (provider,) = [r for r in plan.of_type("pulumi:providers:aws") if r.name == "vault-recovery-keys-aws"]
    ignored = provider.inputs["ignoreTags"]  # a provider's inputs arrive as JSON text
    assert json.loads(ignored) == {"keys": ["vault-platform/recovery-key"]}  # init's status tag is not drift
    (initializer,) = plan.of_type("aws:iam/policy:Policy")
    assert initializer.inputs["name"] == f"vault-recovery-keys-initializer-{stack}"
    writes, encrypts = documents["vault-recovery-keys-initializer-policy"]["Statement"]
    assert writes["Resource"] == secret_arns and "secretsmanager:GetSecretValue" not in writes["Action"]
    assert encrypts["Action"] == ["kms:GenerateDataKey"]


def test_a_retained_single_secret_keeps_the_resource_names_of_earlier_versions():
    raw = with_values(stack_raw("production"), **{"initialization.secrets_manager.retain_single_secret": True})
    monitor, outputs, warnings = run_program(PROJECT, "production", raw)
    plan = Plan(stack="production", stack_file="Pulumi.production.yaml",
                config=schema.load(raw, "Pulumi.production.yaml", "production"),
                registrations=list(monitor.registrations), outputs=outputs, warnings=warnings)
    names = {r.name for r in plan.resources()}
    assert {"vault-recovery-keys-role", "vault-recovery-keys-secret", "vault-recovery-keys-secret-policy",
            "vault-recovery-keys-role-policy"} <= names
    (single,) = [s for s in plan.of_type("aws:secretsmanager/secret:Secret") if s.name == "vault-recovery-keys-secret"]
    assert single.inputs["name"] == "vault/production/recovery-keys" and single.protect and single.retain_on_delete
    documents = dict(artifacts.aws_documents(plan.resources()))
    statements = {s["Sid"]: s for s in documents["vault-recovery-keys-secret-policy"]["Statement"]}
    assert set(statements) == {"CustodianOnly", "OnlyBreakGlassDestroys"}
    assert "SingleSecretCustodian" in {s["Sid"] for s in documents["vault-recovery-keys-key"]["Statement"]}
    assert plan.outputs["recovery_keys_secret_arn"].startswith("arn:aws:secretsmanager:")


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
