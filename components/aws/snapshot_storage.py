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
from components.config.storage import ObjectLockConfig, ReplicationConfig


@dataclass
class SnapshotStorage:
    bucket: aws.s3.Bucket
    key: aws.kms.Key
    service_account_annotations: dict[str, pulumi.Output[str]]
    """What the job's ServiceAccount needs to assume the uploader role (IRSA)."""
    restore_role_arn: Optional[pulumi.Output[str]]
    replica_bucket: Optional[aws.s3.Bucket] = None
    """The copy in another region, when replicated."""


@dataclass(frozen=True)
class Retention:
    """How long snapshots are kept, and what guards them: Object Lock, a replica elsewhere."""

    days: int
    object_lock: Optional[ObjectLockConfig] = None
    replication: Optional[ReplicationConfig] = None


def declare_snapshot_storage(name: str, parent: pulumi.Resource, *, cluster_name: str, stack: str, region: str,
                             prefix: str, retention: Retention, identity: WorkloadIdentity,
                             restore_principals: Sequence[str], tags: dict[str, str],
                             key_administrators: Sequence[str] = ()) -> SnapshotStorage:
    """The bucket, its key and the roles, children of ``parent``; with ``retention`` Object
    Lock and a replica in another region. ``prefix``: where the stack's snapshots go;
    ``identity``: the snapshot job's service account; ``key_administrators``: who manages
    the keys (the account when empty: dev only)."""
    provider = aws.Provider(f"{name}-aws", region=region, opts=pulumi.ResourceOptions(parent=parent))
    child = pulumi.ResourceOptions(parent=parent, provider=provider)
    keep = pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=True, retain_on_delete=True))
    replicator = None
    if retention.replication is not None:
        replicator = aws.iam.Role(f"{name}-replication-role", name=f"{cluster_name}-snapshot-replication-{stack}",
                                  description="Vault snapshots: S3 copies them to the replica bucket",
                                  assume_role_policy=json.dumps(snapshot_policies.s3_trust_policy(), indent=2,
                                                                sort_keys=True), tags=tags, opts=child)
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
        policy=pulumi.Output.all(administrators, role.arn, restore.arn if restore else None,
                                 replicator.arn if replicator else None).apply(
            lambda v: json.dumps(snapshot_policies.key_policy(v[0], v[1], v[2], region, v[3]), indent=2,
                                 sort_keys=True)),
        tags=tags, opts=keep)
    bucket = aws.s3.Bucket(f"{name}-bucket", bucket_prefix=f"{cluster_name}-snapshots-", tags=tags, opts=keep)
    ready = _harden_bucket(name, bucket, key, prefix, retention, child)
    replica = None
    if replicator is not None:
        replica = _replicate(name, parent, Source(bucket, key, ready, prefix, replicator, restore, provider),
                             retention, key_administrators, f"{cluster_name}-snapshot-replicas-", stack, tags)
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
    return SnapshotStorage(bucket, key, annotations, restore_role_arn, replica)


@dataclass(frozen=True)
class Source:
    """The snapshot bucket as its replication needs it."""

    bucket: aws.s3.Bucket
    key: aws.kms.Key
    ready: list[pulumi.Resource]
    """Its versioning and lock: replication starts after them."""
    prefix: str
    replicator: aws.iam.Role
    restore: Optional[aws.iam.Role]
    provider: aws.Provider
    """The original bucket's region."""


def _replicate(name: str, parent: pulumi.Resource, source: Source, retention: Retention,
               key_administrators: Sequence[str], bucket_prefix: str, stack: str,
               tags: dict[str, str]) -> aws.s3.Bucket:
    """The replica bucket in the other region (hardened, locked and expired like the
    original), its own key there, S3's replication of every version under the prefix, and
    the restore role's read of the replicas (a restore after the region's loss). Deletions
    are not replicated: a snapshot expires in each bucket by its own lifecycle."""
    replication = retention.replication
    assert replication is not None
    provider = aws.Provider(f"{name}-replica-aws", region=replication.region, opts=pulumi.ResourceOptions(parent=parent))
    child = pulumi.ResourceOptions(parent=parent, provider=provider)
    keep = pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=True, retain_on_delete=True))
    administrators = key_administrators_of(key_administrators, provider)
    restore_arn = source.restore.arn if source.restore else None
    key = aws.kms.Key(
        f"{name}-replica-key", description=f"Vault snapshot replicas ({stack})", enable_key_rotation=True,
        deletion_window_in_days=30, bypass_policy_lockout_safety_check=False,
        policy=pulumi.Output.all(administrators, restore_arn, source.replicator.arn).apply(
            lambda v: json.dumps(snapshot_policies.key_policy(v[0], None, v[1], replication.region, v[2],
                                                              ("kms:Encrypt", "kms:GenerateDataKey")),
                                 indent=2, sort_keys=True)),
        tags=tags, opts=keep)
    bucket = aws.s3.Bucket(f"{name}-replica-bucket", bucket_prefix=bucket_prefix, tags=tags, opts=keep)
    ready = _harden_bucket(f"{name}-replica", bucket, key, source.prefix, retention, child)
    policy = aws.iam.RolePolicy(
        f"{name}-replication-role-policy", name="vault-snapshot-replication", role=source.replicator.id,
        policy=pulumi.Output.all(source.bucket.arn, source.key.arn, bucket.arn, key.arn).apply(
            lambda v: json.dumps(snapshot_policies.replication_role_policy(v[0], source.prefix, v[1], v[2], v[3]),
                                 indent=2, sort_keys=True)),
        opts=child)  # IAM is global: the replica's provider will do
    aws.s3.BucketReplicationConfig(
        f"{name}-replication", bucket=source.bucket.id, role=source.replicator.arn,
        rules=[{"id": "replicate-snapshots", "status": "Enabled", "priority": 1,
                "filter": {"prefix": f"{source.prefix}/"},
                "delete_marker_replication": {"status": "Disabled"},
                "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
                "destination": {"bucket": bucket.arn, "storage_class": replication.storage_class,
                                "encryption_configuration": {"replica_kms_key_id": key.arn}}}],
        opts=pulumi.ResourceOptions(parent=parent, provider=source.provider,
                                    depends_on=[*source.ready, *ready, policy]))
    if source.restore is not None:
        aws.iam.RolePolicy(
            f"{name}-restore-role-replica-policy", name="vault-snapshot-read-replicas", role=source.restore.id,
            policy=pulumi.Output.all(bucket.arn, key.arn).apply(lambda v: json.dumps(
                snapshot_policies.reader_policy(v[0], source.prefix, v[1]), indent=2, sort_keys=True)), opts=child)
    return bucket


def _harden_bucket(name: str, bucket: aws.s3.Bucket, key: aws.kms.Key, prefix: str, retention: Retention,
                   child: pulumi.ResourceOptions) -> list[pulumi.Resource]:
    """Versioning, SSE-KMS with the bucket's key, public access blocked, owner-enforced
    objects, expiry after the retention, Object Lock when asked, and a policy refusing plain
    HTTP and unencrypted puts. Returns what replication waits for: the versioning, and the
    lock (so that no snapshot is copied before both buckets retain it)."""
    retention_days = retention.days
    versioning = aws.s3.BucketVersioning(f"{name}-versioning", bucket=bucket.id,
                                         versioning_configuration={"status": "Enabled"}, opts=child)
    ready: list[pulumi.Resource] = [versioning]
    lock = retention.object_lock
    if lock is not None:
        # Enabled on the existing, versioned bucket (no replacement); it cannot be turned off.
        ready.append(aws.s3.BucketObjectLockConfiguration(
            f"{name}-object-lock", bucket=bucket.id, object_lock_enabled="Enabled",
            rule={"default_retention": {"mode": lock.mode, "days": lock.days or retention_days}},
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[versioning]))))
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
    return ready
