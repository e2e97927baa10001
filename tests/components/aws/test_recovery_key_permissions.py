"""The recovery-key custodians' and the initializer's permissions, enforced by moto's
IAM engine: one custodian cannot read another's share, the initializer writes every
share and reads none.

moto checks an IAM user's identity policies; its Secrets Manager responses name no
resource, so every call would be checked against "*". The `secrets_target_the_secret`
fixture supplies what AWS does — a Secrets Manager operation is authorised against the
ARN of the secret it names (resolved by moto's own secret store) — and leaves the
evaluation to moto. With it, "its own share: allowed; another share, and every other
action: denied" is a real proof. moto enforces neither the secret's resource policy nor
the ``kms:ViaService`` condition that keeps the custodian from using the key directly
(a probe showed a conditioned Decrypt allowed): both are checked as documents in
tests/components/aws/test_recovery_keys.py.
"""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count

from components.aws.recovery_key_policies import custodian_policy, initializer_policy, secret_name
from tests.conftest import REGION, denied


pytestmark = pytest.mark.usefixtures("aws_credentials")


def user(iam, name: str, policy: dict) -> dict:
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="recovery-keys", PolicyDocument=json.dumps(policy))
    keys = iam.create_access_key(UserName=name)["AccessKey"]
    return dict(region_name=REGION, aws_access_key_id=keys["AccessKeyId"],
                aws_secret_access_key=keys["SecretAccessKey"])


@set_initial_no_auth_action_count(13)
@mock_aws
def test_each_custodian_reads_its_own_share_only_and_the_initializer_reads_none(secrets_target_the_secret):
    admin = boto3.client("secretsmanager", region_name=REGION)
    names = [secret_name("vault", "production", share) for share in (1, 2)]
    arns = [admin.create_secret(Name=name)["ARN"] for name in names]  # 1, 2
    other = admin.create_secret(Name="vault/staging/recovery-keys/1", SecretString="x")["ARN"]  # 3
    key = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]  # 4
    iam = boto3.client("iam", region_name=REGION)
    first = user(iam, "custodian-1", custodian_policy(arns[0], key, REGION))  # 5, 6, 7
    second = user(iam, "custodian-2", custodian_policy(arns[1], key, REGION))  # 8, 9, 10
    initializer = user(iam, "initializer", initializer_policy(arns, key, REGION))  # 11, 12, 13: the last free call

    writer = boto3.client("secretsmanager", **initializer)
    for share, name in enumerate(names, start=1):  # what `vault-platform init` does
        writer.describe_secret(SecretId=name)
        writer.put_secret_value(SecretId=name, SecretString=json.dumps({"share": share, "key_base64": f"k{share}"}))
        writer.tag_resource(SecretId=name, Tags=[{"Key": "vault-platform/recovery-key", "Value": "initialized"}])
    for name in names:
        assert denied(lambda: writer.get_secret_value(SecretId=name), "secretsmanager:GetSecretValue")
    assert denied(lambda: writer.put_secret_value(SecretId=other, SecretString="y"), "secretsmanager:PutSecretValue")

    one = boto3.client("secretsmanager", **first)
    two = boto3.client("secretsmanager", **second)
    assert json.loads(one.get_secret_value(SecretId=names[0])["SecretString"])["key_base64"] == "k1"
    assert json.loads(two.get_secret_value(SecretId=names[1])["SecretString"])["key_base64"] == "k2"
    assert denied(lambda: one.get_secret_value(SecretId=names[1]), "secretsmanager:GetSecretValue")
    assert denied(lambda: two.get_secret_value(SecretId=names[0]), "secretsmanager:GetSecretValue")
    assert denied(lambda: one.describe_secret(SecretId=names[1]), "secretsmanager:DescribeSecret")
    assert denied(lambda: one.get_secret_value(SecretId=other), "secretsmanager:GetSecretValue")
    # a custodian cannot replace, destroy or re-key the share it keeps
    assert denied(lambda: one.put_secret_value(SecretId=names[0], SecretString="z"), "secretsmanager:PutSecretValue")
    assert denied(lambda: one.delete_secret(SecretId=names[0], ForceDeleteWithoutRecovery=True),
                  "secretsmanager:DeleteSecret")
    assert denied(lambda: one.update_secret(SecretId=names[0], KmsKeyId=key), "secretsmanager:UpdateSecret")
    assert denied(lambda: one.put_resource_policy(SecretId=names[0], ResourcePolicy="{}"),
                  "secretsmanager:PutResourcePolicy")
    assert denied(lambda: one.create_secret(Name="vault/production/copy", SecretString="z"),
                  "secretsmanager:CreateSecret")
    assert denied(lambda: one.list_secrets(), "secretsmanager:ListSecrets")
