"""The snapshot uploader's and restore role's permissions, enforced by moto's IAM engine.

moto checks an IAM user's identity policies; S3 requests are authorised against the
object's ARN, so "put under the prefix allowed; put elsewhere, read and delete denied"
(and the restore role's read-only mirror of it) is a real proof. moto does not enforce
bucket policies, nor the restore role's ``s3:prefix`` condition on listing: those are
checked as documents.
"""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count

from components.aws.snapshot_policies import bucket_policy, reader_policy, uploader_policy
from tests.conftest import REGION, denied



pytestmark = pytest.mark.usefixtures("aws_credentials")


@set_initial_no_auth_action_count(6)
@mock_aws
def test_uploader_puts_under_its_prefix_only():
    s3 = boto3.client("s3", region_name=REGION)
    config = {"LocationConstraint": REGION}
    s3.create_bucket(Bucket="vault-snapshots", CreateBucketConfiguration=config)  # 1
    s3.create_bucket(Bucket="other-bucket", CreateBucketConfiguration=config)  # 2
    key = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]  # 3
    policy = uploader_policy("arn:aws:s3:::vault-snapshots", "vault/production", key)
    iam = boto3.client("iam", region_name=REGION)
    iam.create_user(UserName="snapshot")  # 4
    iam.put_user_policy(UserName="snapshot", PolicyName="upload", PolicyDocument=json.dumps(policy))  # 5
    keys = iam.create_access_key(UserName="snapshot")["AccessKey"]  # 6
    job = boto3.client("s3", region_name=REGION, aws_access_key_id=keys["AccessKeyId"],
                       aws_secret_access_key=keys["SecretAccessKey"])

    job.put_object(Bucket="vault-snapshots", Key="vault/production/20261124T000000Z.snap", Body=b"snapshot")
    assert denied(lambda: job.put_object(Bucket="vault-snapshots", Key="elsewhere/x.snap", Body=b"x"))
    assert denied(lambda: job.put_object(Bucket="vault-snapshots", Key="vault/staging/x.snap", Body=b"x"))
    assert denied(lambda: job.put_object(Bucket="other-bucket", Key="vault/production/x.snap", Body=b"x"))
    assert denied(lambda: job.get_object(Bucket="vault-snapshots", Key="vault/production/20261124T000000Z.snap"))
    assert denied(lambda: job.delete_object(Bucket="vault-snapshots", Key="vault/production/20261124T000000Z.snap"))
    assert denied(lambda: job.list_objects_v2(Bucket="vault-snapshots"))


@set_initial_no_auth_action_count(8)
@mock_aws
def test_restore_role_lists_and_reads_under_its_prefix_only():
    s3 = boto3.client("s3", region_name=REGION)
    config = {"LocationConstraint": REGION}
    s3.create_bucket(Bucket="vault-snapshots", CreateBucketConfiguration=config)  # 1
    s3.create_bucket(Bucket="other-bucket", CreateBucketConfiguration=config)  # 2
    s3.put_object(Bucket="vault-snapshots", Key="vault/production/a.snap", Body=b"a")  # 3
    s3.put_object(Bucket="vault-snapshots", Key="vault/staging/b.snap", Body=b"b")  # 4
    key = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]  # 5
    iam = boto3.client("iam", region_name=REGION)
    iam.create_user(UserName="restore")  # 6
    iam.put_user_policy(UserName="restore", PolicyName="read",  # 7
                        PolicyDocument=json.dumps(reader_policy("arn:aws:s3:::vault-snapshots", "vault/production", key)))
    keys = iam.create_access_key(UserName="restore")["AccessKey"]  # 8
    operator = boto3.client("s3", region_name=REGION, aws_access_key_id=keys["AccessKeyId"],
                            aws_secret_access_key=keys["SecretAccessKey"])

    assert operator.get_object(Bucket="vault-snapshots", Key="vault/production/a.snap")["Body"].read() == b"a"
    listed = operator.list_objects_v2(Bucket="vault-snapshots", Prefix="vault/production/")
    assert [o["Key"] for o in listed["Contents"]] == ["vault/production/a.snap"]
    assert denied(lambda: operator.get_object(Bucket="vault-snapshots", Key="vault/staging/b.snap"))
    assert denied(lambda: operator.put_object(Bucket="vault-snapshots", Key="vault/production/x.snap", Body=b"x"))
    assert denied(lambda: operator.delete_object(Bucket="vault-snapshots", Key="vault/production/a.snap"))
    assert denied(lambda: operator.get_object(Bucket="other-bucket", Key="vault/production/a.snap"))


def test_restore_policy_lists_only_its_prefix():
    statements = {s["Sid"]: s for s in reader_policy("arn:aws:s3:::b", "p/s", "arn:aws:kms:r:1:key/k")["Statement"]}
    assert statements["ListSnapshots"]["Condition"] == {"StringLike": {"s3:prefix": ["p/s/", "p/s/*"]}}
    assert statements["DecryptSnapshots"]["Action"] == ["kms:Decrypt"]


def test_uploader_policy_grants_put_and_encrypt_only():
    policy = uploader_policy("arn:aws:s3:::b", "p", "arn:aws:kms:eu-west-1:1:key/k")
    actions = sorted(a for s in policy["Statement"] for a in s["Action"])
    assert actions == ["kms:Encrypt", "kms:GenerateDataKey", "s3:PutObject"]
    assert [s["Resource"] for s in policy["Statement"]] == ["arn:aws:s3:::b/p/*", "arn:aws:kms:eu-west-1:1:key/k"]


def test_bucket_policy_refuses_plain_http_and_unencrypted_uploads():
    statements = {s["Sid"]: s for s in bucket_policy("arn:aws:s3:::b")["Statement"]}
    assert statements["TlsOnly"]["Effect"] == "Deny"
    assert statements["TlsOnly"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert statements["KmsEncryptedUploadsOnly"]["Condition"] == {
        "StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}
