"""The recovery-key custodian's permissions, enforced by moto's IAM engine.

moto checks an IAM user's identity policies; its Secrets Manager responses name no
resource, so every call would be checked against "*". The `secrets_target_the_secret`
fixture supplies what AWS does — a Secrets Manager operation is authorised against the
ARN of the secret it names (resolved by moto's own secret store) — and leaves the
evaluation to moto. With it, "its own secret: allowed; another secret, and every other
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

from components.aws.recovery_key_policies import custodian_policy
from tests.conftest import REGION, denied


pytestmark = pytest.mark.usefixtures("aws_credentials")


@set_initial_no_auth_action_count(7)
@mock_aws
def test_the_custodian_touches_its_own_secret_only(secrets_target_the_secret):
    admin = boto3.client("secretsmanager", region_name=REGION)
    own = admin.create_secret(Name="vault/production/recovery-keys")["ARN"]  # 1
    other = admin.create_secret(Name="vault/staging/recovery-keys", SecretString="x")["ARN"]  # 2
    key = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]  # 3
    iam = boto3.client("iam", region_name=REGION)
    iam.create_user(UserName="custodian")  # 4
    iam.put_user_policy(UserName="custodian", PolicyName="recovery-keys",  # 5
                        PolicyDocument=json.dumps(custodian_policy(own, key, REGION)))
    keys = iam.create_access_key(UserName="custodian")["AccessKey"]  # 6
    admin.put_secret_value(SecretId=own, SecretString="{}")  # 7: the last unauthenticated call
    session = dict(region_name=REGION, aws_access_key_id=keys["AccessKeyId"],
                   aws_secret_access_key=keys["SecretAccessKey"])
    custodian = boto3.client("secretsmanager", **session)

    custodian.describe_secret(SecretId="vault/production/recovery-keys")
    custodian.put_secret_value(SecretId="vault/production/recovery-keys", SecretString='{"status": "pending"}')
    assert custodian.get_secret_value(SecretId=own)["SecretString"] == '{"status": "pending"}'

    assert denied(lambda: custodian.get_secret_value(SecretId=other), "secretsmanager:GetSecretValue")
    assert denied(lambda: custodian.put_secret_value(SecretId=other, SecretString="y"), "secretsmanager:PutSecretValue")
    assert denied(lambda: custodian.describe_secret(SecretId=other), "secretsmanager:DescribeSecret")
    assert denied(lambda: custodian.delete_secret(SecretId=own, ForceDeleteWithoutRecovery=True), "secretsmanager:DeleteSecret")
    assert denied(lambda: custodian.update_secret(SecretId=own, KmsKeyId=key), "secretsmanager:UpdateSecret")
    assert denied(lambda: custodian.put_resource_policy(SecretId=own, ResourcePolicy="{}"), "secretsmanager:PutResourcePolicy")
    assert denied(lambda: custodian.create_secret(Name="vault/production/copy", SecretString="z"), "secretsmanager:CreateSecret")
    assert denied(lambda: custodian.list_secrets(), "secretsmanager:ListSecrets")
