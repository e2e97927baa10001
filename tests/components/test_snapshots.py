"""RaftSnapshots under Pulumi's mocks: a hardened bucket, a put-only role, a hardened
CronJob that logs in with its own Vault role; and no root token anywhere."""

from __future__ import annotations

import json

import pytest

from tests.conftest import plan_with, stack_raw, with_values
from vault_platform.plan import artifacts


def one(plan, type_, name=None):
    """The registration of ``type_`` (the original bucket's, when the replica has one too)."""
    (found,) = [r for r in plan.of_type(type_) if (r.name == name if name else "replica" not in r.name)]
    return found


def test_bucket_is_versioned_encrypted_private_expiring_and_protected(stack_plan):
    plan = stack_plan("production")
    bucket = one(plan, "aws:s3/bucket:Bucket")
    assert bucket.protect and bucket.retain_on_delete
    assert one(plan, "aws:s3/bucketVersioning:BucketVersioning").inputs["versioningConfiguration"] == {"status": "Enabled"}
    rule = one(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
               ).inputs["rules"][0]["applyServerSideEncryptionByDefault"]
    assert rule["sseAlgorithm"] == "aws:kms" and rule["kmsMasterKeyId"].startswith("arn:aws:kms:")
    block = one(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    assert all(block[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    lifecycle = one(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"][0]
    assert lifecycle["expiration"] == {"days": 30} and lifecycle["filter"] == {"prefix": "vault/production/"}
    policy = json.loads(one(plan, "aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
    assert {s["Sid"] for s in policy["Statement"]} == {"TlsOnly", "KmsEncryptedUploadsOnly"}
    keys = [k for k in plan.of_type("aws:kms/key:Key") if "snapshots" in k.inputs.get("description", "")]
    assert keys and keys[0].inputs["enableKeyRotation"] is True and keys[0].protect


def test_role_may_only_put_under_its_prefix(stack_plan):
    documents = dict(artifacts.aws_documents(stack_plan("production").resources()))
    policy = documents["vault-snapshots-role-policy"]
    assert [a for s in policy["Statement"] for a in s["Action"]] == ["s3:PutObject", "kms:GenerateDataKey", "kms:Encrypt"]
    assert policy["Statement"][0]["Resource"].endswith("/vault/production/*")
    trust = documents["vault-snapshots-role-trust"]["Statement"][0]
    assert trust["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-service-account"] == "vault-snapshot"


def test_cronjob_is_hardened_and_logs_in_with_its_own_role(stack_plan):
    job = one(stack_plan("production"), "kubernetes:batch/v1:CronJob")
    spec = job.inputs["spec"]
    assert spec["concurrencyPolicy"] == "Forbid"
    pod = spec["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "vault-snapshot" and pod["automountServiceAccountToken"] is False
    init, upload = pod["initContainers"][0], pod["containers"][0]
    assert "auth/kubernetes/login role=raft-snapshot" in init["command"][-1]
    assert "vault operator raft snapshot save" in init["command"][-1] and "token revoke -self" in init["command"][-1]
    assert "--sse aws:kms" in upload["command"][-1]
    assert "--checksum-algorithm CRC32" in upload["command"][-1]  # Object Lock refuses a put without a checksum
    for container in (init, upload):
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] and context["capabilities"] == {"drop": ["ALL"]}
    token = next(v for v in pod["volumes"] if v["name"] == "vault-token")
    assert token["projected"]["sources"][0]["serviceAccountToken"]["audience"] == "vault"


def test_snapshots_need_raft_and_aws():
    from components import config as schema

    raw = with_values(stack_raw("dev"), **{"snapshots.enabled": True})
    with pytest.raises(schema.ConfigError) as caught:
        schema.load(raw, "Pulumi.dev.yaml", "dev")
    assert "snapshots.enabled = true: Raft snapshots need storage.type raft, not file" in str(caught.value)
    assert "needs unseal.type awskms" in str(caught.value)


def test_disabled_snapshots_create_nothing():
    monitor = plan_with("production", with_values(stack_raw("production"), **{
        "snapshots.enabled": False, "snapshots.object_lock": None, "snapshots.replication": None}))
    assert not monitor.by_type("kubernetes:batch/v1:CronJob") and not monitor.by_type("aws:s3/bucket:Bucket")


def test_pod_identity_in_another_region_is_associated_there():
    raw = stack_raw("production")
    raw["vault-platform:unseal"]["awskms"]["identity"]["cluster_region"] = "eu-central-1"
    monitor = plan_with("production", raw)
    providers = {r.urn: r.inputs.get("region") for r in monitor.by_type("pulumi:providers:aws")}
    associations = monitor.by_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert {a.name for a in associations} == {"vault-unseal-pod-identity", "vault-snapshots-pod-identity"}
    for association in associations:
        assert providers[association.provider.rsplit("::", 1)[0]] == "eu-central-1", association.name


def test_the_snapshot_key_has_a_key_policy_and_deletion_protection_like_the_others(stack_plan):
    plan = stack_plan("production")
    (key,) = [k for k in plan.of_type("aws:kms/key:Key") if "snapshots" in k.inputs.get("description", "")]
    assert key.protect and key.retain_on_delete and key.inputs["deletionWindowInDays"] == 30
    statements = {s["Sid"]: s for s in json.loads(key.inputs["policy"])["Statement"]}
    admins = statements["KeyAdministration"]
    assert admins["Principal"]["AWS"] == sorted(plan.config.unseal.awskms.key_administrators)
    assert not {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"} & set(admins["Action"])
    assert statements["UploaderEncryptsThroughS3"]["Principal"] == {
        "AWS": "arn:aws:iam::123456789012:role/vault-snapshot-production"}
    assert statements["UploaderEncryptsThroughS3"]["Action"] == ["kms:Encrypt", "kms:GenerateDataKey"]
    assert statements["RestoreDecryptsThroughS3"]["Action"] == ["kms:Decrypt"]  # the restore role reads, never writes
    for sid in ("UploaderEncryptsThroughS3", "RestoreDecryptsThroughS3"):
        assert statements[sid]["Condition"] == {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}
    assert set(statements["ProtectSnapshotKey"]["Action"]) == {"kms:DisableKey", "kms:ScheduleKeyDeletion"}
    assert statements["ProtectSnapshotKey"]["Principal"] == {"AWS": "*"}


def test_the_scratch_space_holds_a_snapshot_as_large_as_the_data_volume(stack_plan):
    plan = stack_plan("production")
    job = one(plan, "kubernetes:batch/v1:CronJob")
    volumes = {v["name"]: v for v in job.inputs["spec"]["jobTemplate"]["spec"]["template"]["spec"]["volumes"]}
    assert volumes["work"]["emptyDir"]["sizeLimit"] == plan.config.cluster.data_volume.size
