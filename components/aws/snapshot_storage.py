"""Where Raft snapshots are kept: a hardened S3 bucket under its own rotating KMS key (a key
policy like the other keys': named administrators, use only through S3, no disabling or
deletion), the
uploader role (put under one prefix only) bound to the snapshot job's service account, and
the optional restore role (list and read only). Registered by
:class:`components.snapshots.RaftSnapshots`; the documents come from
:mod:`components.aws.snapshot_policies`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.aws import snapshot_policies
from components.aws.account import key_administrators as key_administrators_of
from components.aws.unseal_policies import principals_trust_policy
from components.aws.workload_identity import WorkloadIdentity


@dataclass
class SnapshotStorage:
    bucket: aws.s3.Bucket
    key: aws.kms.Key
    service_account_annotations: dict[str, pulumi.Output[str]]
    """What the job's ServiceAccount needs to assume the uploader role (IRSA)."""
    restore_role_arn: Optional[pulumi.Output[str]]


def declare_snapshot_storage(name: str, parent: pulumi.Resource, *, cluster_name: str, stack: str, region: str,
                             prefix: str, retention_days: int, identity: WorkloadIdentity,
                             restore_principals: Sequence[str], tags: dict[str, str],
                             key_administrators: Sequence[str] = ()) -> SnapshotStorage:
    """The bucket, its key and the roles, children of ``parent``. ``prefix``: where the
    stack's snapshots go; ``identity``: the snapshot job's service account;
    ``key_administrators``: who manages the key (the account when empty: dev only)."""
    provider = aws.Provider(f"{name}-aws", region=region, opts=pulumi.ResourceOptions(parent=parent))
    child = pulumi.ResourceOptions(parent=parent, provider=provider)
    keep = pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=True, retain_on_delete=True))
    role = aws.iam.Role(f"{name}-role", name=f"{cluster_name}-snapshot-{stack}",
                        description="Vault snapshots: put objects under one prefix only",
                        assume_role_policy=identity.trust_policy(provider, region), tags=tags,
                        opts=child)
    restore = None
    if restore_principals:
        restore = aws.iam.Role(
            f"{name}-restore-role", name=f"{cluster_name}-snapshot-restore-{stack}",
            description="Vault snapshots: list and read under one prefix only",
            assume_role_policy=json.dumps(principals_trust_policy("Operators", restore_principals),
                                          indent=2, sort_keys=True),
            max_session_duration=3600, tags=tags, opts=child)
    administrators = key_administrators_of(key_administrators, provider)
    key = aws.kms.Key(
        f"{name}-key", description=f"Vault snapshots ({stack})", enable_key_rotation=True,
        deletion_window_in_days=30, bypass_policy_lockout_safety_check=False,
        policy=pulumi.Output.all(administrators, role.arn, restore.arn if restore else None).apply(
            lambda v: json.dumps(snapshot_policies.key_policy(v[0], v[1], v[2], region), indent=2, sort_keys=True)),
        tags=tags, opts=keep)
    bucket = aws.s3.Bucket(f"{name}-bucket", bucket_prefix=f"{cluster_name}-snapshots-", tags=tags, opts=keep)
    _harden_bucket(name, bucket, key, prefix, retention_days, child)
    aws.iam.RolePolicy(
        f"{name}-role-policy", name="vault-snapshot-upload", role=role.id,
        policy=pulumi.Output.all(bucket.arn, key.arn).apply(lambda v: json.dumps(
            snapshot_policies.uploader_policy(v[0], prefix, v[1]), indent=2, sort_keys=True)), opts=child)
    restore_role_arn = None
    if restore is not None:
        aws.iam.RolePolicy(
            f"{name}-restore-role-policy", name="vault-snapshot-read", role=restore.id,
            policy=pulumi.Output.all(bucket.arn, key.arn).apply(lambda v: json.dumps(
                snapshot_policies.reader_policy(v[0], prefix, v[1]), indent=2, sort_keys=True)), opts=child)
        restore_role_arn = restore.arn
    annotations = identity.bind(name, parent, provider, region, role.arn, tags)
    return SnapshotStorage(bucket, key, annotations, restore_role_arn)


def _harden_bucket(name: str, bucket: aws.s3.Bucket, key: aws.kms.Key, prefix: str, retention_days: int,
                   child: pulumi.ResourceOptions) -> None:
    """Versioning, SSE-KMS with the bucket's key, public access blocked, owner-enforced
    objects, expiry after the retention, and a policy refusing plain HTTP and unencrypted puts."""
    aws.s3.BucketVersioning(f"{name}-versioning", bucket=bucket.id,
                            versioning_configuration={"status": "Enabled"}, opts=child)
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-encryption", bucket=bucket.id,
        rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms",
                                                            "kms_master_key_id": key.arn},
                "bucket_key_enabled": True}], opts=child)
    aws.s3.BucketPublicAccessBlock(f"{name}-public-access", bucket=bucket.id, block_public_acls=True,
                                   block_public_policy=True, ignore_public_acls=True,
                                   restrict_public_buckets=True, opts=child)
    aws.s3.BucketOwnershipControls(f"{name}-ownership", bucket=bucket.id,
                                   rule={"object_ownership": "BucketOwnerEnforced"}, opts=child)
    aws.s3.BucketLifecycleConfiguration(
        f"{name}-lifecycle", bucket=bucket.id,
        rules=[{"id": "expire-snapshots", "status": "Enabled", "filter": {"prefix": f"{prefix}/"},
                "expiration": {"days": retention_days},
                "noncurrent_version_expiration": {"noncurrent_days": retention_days},
                "abort_incomplete_multipart_upload": {"days_after_initiation": 1}}], opts=child)
    aws.s3.BucketPolicy(f"{name}-policy", bucket=bucket.id,
                        policy=bucket.arn.apply(lambda arn: json.dumps(snapshot_policies.bucket_policy(arn),
                                                                       indent=2, sort_keys=True)), opts=child)
