"""What guards the snapshots beyond their bucket: Object Lock (compliance retention) and a
replica in another region under its own key — under Pulumi's mocks, the documents checked
with the IAM evaluator."""

from __future__ import annotations


import pytest

from components import config as schema
from tests.conftest import plan_with, stack_raw, with_values
from vault_platform.live.iam_eval import evaluate
from vault_platform.plan import artifacts

LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"


def by_name(plan, type_):
    return {r.name: r for r in plan.of_type(type_)}


def test_both_buckets_lock_every_version_for_its_retention_in_compliance_mode(stack_plan):
    locks = by_name(stack_plan("production"), LOCK)
    assert set(locks) == {"vault-snapshots-object-lock", "vault-snapshots-replica-object-lock"}
    for lock in locks.values():
        assert lock.inputs["objectLockEnabled"] == "Enabled"
        assert lock.inputs["rule"] == {"defaultRetention": {"mode": "COMPLIANCE", "days": 30}}
    # enabled on the existing bucket, not by replacing it (the bucket keeps no lock flag)
    buckets = by_name(stack_plan("production"), "aws:s3/bucket:Bucket")
    assert all("objectLockEnabled" not in b.inputs and b.protect for b in buckets.values())


def test_the_replica_lives_in_another_region_under_its_own_key_and_nothing_deletes_through_it(stack_plan):
    plan = stack_plan("production")
    (replication,) = plan.of_type(REPLICATION)
    # replication starts once both buckets are versioned and locked
    waits = set(replication.depends_on)
    locks = {r.urn for r in plan.of_type(LOCK)}
    assert locks <= waits, (locks, waits)
    (rule,) = replication.inputs["rules"]
    assert rule["filter"] == {"prefix": "vault/production/"} and rule["status"] == "Enabled"
    assert rule["deleteMarkerReplication"] == {"status": "Disabled"}
    assert rule["sourceSelectionCriteria"] == {"sseKmsEncryptedObjects": {"status": "Enabled"}}
    assert rule["destination"]["storageClass"] == "STANDARD_IA"
    replica_key = by_name(plan, "aws:kms/key:Key")["vault-snapshots-replica-key"]
    assert replica_key.protect and replica_key.inputs["enableKeyRotation"] is True
    assert ":eu-central-1:" in rule["destination"]["encryptionConfiguration"]["replicaKmsKeyId"]
    providers = {r.name: r.inputs.get("region") for r in plan.of_type("pulumi:providers:aws")}
    assert providers["vault-snapshots-replica-aws"] == "eu-central-1" != providers["vault-snapshots-aws"]


def test_the_replication_role_copies_and_can_delete_nothing(stack_plan):
    documents = dict(artifacts.aws_documents(stack_plan("production").resources()))
    policy = documents["vault-snapshots-replication-role-policy"]

    def decide(action: str, resource: str) -> str:
        return evaluate([policy], action, resource)

    statements = {s["Sid"]: s for s in policy["Statement"]}
    bucket_arn = statements["ReadReplicationConfiguration"]["Resource"]
    replica_arn = statements["WriteReplicas"]["Resource"].rsplit("/vault/", 1)[0]
    assert ":::vault-snapshots-" in bucket_arn and ":::vault-snapshot-replicas-" in replica_arn
    source_object = f"{bucket_arn}/vault/production/2026-11-27.snap"
    replica_object = f"{replica_arn}/vault/production/2026-11-27.snap"
    assert decide("s3:GetObjectVersionForReplication", source_object) == "allowed"
    assert decide("s3:ReplicateObject", replica_object) == "allowed"
    for action, resource in (("s3:DeleteObject", source_object), ("s3:DeleteObjectVersion", source_object),
                             ("s3:ReplicateDelete", replica_object), ("s3:PutObject", source_object),
                             ("s3:ReplicateObject", f"{replica_arn}/other/x"),
                             ("s3:GetObjectVersionForReplication", f"{bucket_arn}/other/x"),
                             ("s3:PutBucketObjectLockConfiguration", bucket_arn)):
        assert decide(action, resource) == "implicitDeny", (action, resource)
    trust = documents["vault-snapshots-replication-role-trust"]["Statement"]
    assert trust == [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole"}]


def test_each_key_lets_replication_use_it_only_as_its_side_needs_through_s3(stack_plan):
    documents = dict(artifacts.aws_documents(stack_plan("production").resources()))
    for name, actions, region in (("vault-snapshots-key", ["kms:Decrypt"], "eu-west-1"),
                                  ("vault-snapshots-replica-key", ["kms:Encrypt", "kms:GenerateDataKey"],
                                   "eu-central-1")):
        (statement,) = [s for s in documents[name]["Statement"] if s["Sid"] == "ReplicationThroughS3"]
        assert statement["Action"] == actions and statement["Principal"]["AWS"].endswith(
            "role/vault-snapshot-replication-production")
        assert statement["Condition"] == {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}}
        assert any(s["Sid"] == "ProtectSnapshotKey" and s["Effect"] == "Deny" for s in documents[name]["Statement"])
    # the replica's key has no uploader: only S3's replication writes there
    assert not any(s["Sid"] == "UploaderEncryptsThroughS3" for s in documents["vault-snapshots-replica-key"]["Statement"])
    # the restore role reads the replicas too (a restore after the region's loss)
    read = documents["vault-snapshots-restore-role-replica-policy"]["Statement"]
    assert [s["Sid"] for s in read] == ["ListSnapshots", "ReadSnapshots", "DecryptSnapshots"]


@pytest.mark.parametrize("changes, fragment", [
    ({"snapshots.object_lock": {"days": 45}},
     "snapshots.object_lock.days = 45: longer than snapshots.retention_days (30)"),
    ({"snapshots.replication": {"region": "eu-west-1"}},
     "snapshots.replication.region = 'eu-west-1': the bucket's own region"),
    ({"snapshots.object_lock": {"mode": "LEGAL"}}, "snapshots.object_lock.mode = 'LEGAL'"),
])
def test_bad_guards_are_named(changes, fragment):
    with pytest.raises(schema.ConfigError) as caught:
        schema.load(with_values(stack_raw("production"), **changes), "Pulumi.production.yaml", "production")
    assert fragment in str(caught.value), str(caught.value)


def test_without_guards_there_is_no_lock_and_no_replica():
    monitor = plan_with("production", with_values(stack_raw("production"), **{
        "snapshots.object_lock": None, "snapshots.replication": None}))
    assert not monitor.by_type(LOCK) and not monitor.by_type(REPLICATION)
    assert len(monitor.by_type("aws:s3/bucket:Bucket")) == 1


def test_the_rendered_lock_keeps_a_snapshot_nobody_can_delete_on_moto(stack_plan):
    """The lock as production renders it, put on an existing versioned bucket as the program
    does (moto's S3): each snapshot is retained in compliance mode for 30 days; deleting its
    version is refused (the account's own credentials included); a plain delete only hides it."""
    import datetime

    import boto3
    from moto import mock_aws

    rule = by_name(stack_plan("production"), LOCK)["vault-snapshots-object-lock"].inputs["rule"]["defaultRetention"]
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-west-1")
        bucket = "vault-snapshots-locked"
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": rule["mode"], "Days": rule["days"]}}})
        key = "vault/production/2026-11-27T06-17-00Z.snap"
        version = s3.put_object(Bucket=bucket, Key=key, Body=b"raft snapshot", ChecksumAlgorithm="CRC32")["VersionId"]
        head = s3.head_object(Bucket=bucket, Key=key)
        assert head["ObjectLockMode"] == "COMPLIANCE"
        until = head["ObjectLockRetainUntilDate"] - datetime.datetime.now(datetime.timezone.utc)
        assert datetime.timedelta(days=29) < until <= datetime.timedelta(days=30)
        with pytest.raises(s3.exceptions.ClientError, match="AccessDenied"):
            s3.delete_object(Bucket=bucket, Key=key, VersionId=version)
        s3.delete_object(Bucket=bucket, Key=key)  # a delete marker: the version is still there
        assert s3.get_object(Bucket=bucket, Key=key, VersionId=version)["Body"].read() == b"raft snapshot"
