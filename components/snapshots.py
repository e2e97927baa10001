"""``RaftSnapshots``: scheduled Raft snapshots of Vault, uploaded to S3 — the one component
that spans both clouds: the bucket and roles on AWS
(:mod:`components.aws.snapshot_storage`) and the CronJob on Kubernetes
(:mod:`components.kubernetes.snapshot_job`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Optional

import pulumi
import pulumi_kubernetes as k8s

from components.aws.account import stack_tags
from components.aws.snapshot_storage import Retention, declare_snapshot_storage
from components.aws.workload_identity import WorkloadIdentity
from components.config.stack import StackConfig
from components.config.storage import ObjectLockConfig, ReplicationConfig
from components.config.targets import DEFAULT_TARGET, Target
from components.kubernetes.layout import ClusterLayout
from components.kubernetes.snapshot_job import CHECKOV_SKIPS, cronjob_spec
from components.kubernetes.workload import image_reference


@dataclass
class RaftSnapshotsArgs:
    region: str
    """AWS region of the bucket (an explicit provider is made for it)."""
    namespace: pulumi.Input[str]
    """Vault's namespace (pass the Namespace's output, so the objects come after it)."""
    namespace_name: str
    """The same namespace as text, for the IAM trust policy."""
    name: str
    """The Vault cluster's name; the job's objects are ``<name>-snapshot``."""
    labels: dict[str, str]
    stack: str
    vault_address: str
    """The active node's in-cluster address."""
    tls_secret: Optional[str]
    """Secret whose ``ca.crt`` verifies Vault's certificate; plain HTTP when omitted (dev)."""
    vault_image: str
    identity_mode: Literal["irsa", "pod-identity"] = "irsa"
    oidc_provider_arn: Optional[str] = None
    cluster_name: Optional[str] = None
    cluster_region: Optional[str] = None
    """Region of the EKS cluster (Pod Identity); ``region`` when omitted."""
    schedule: str = "17 */6 * * *"
    retention_days: int = 30
    object_lock: Optional[ObjectLockConfig] = None
    """Object Lock on the bucket (and the replica); none when omitted."""
    replication: Optional[ReplicationConfig] = None
    """A replica bucket in another region; none when omitted."""
    prefix: str = "vault"
    """Object key prefix; the stack's snapshots go under ``<prefix>/<stack>/``."""
    uploader_image: str = "amazon/aws-cli:2.22.0"
    restore_principals: tuple[str, ...] = ()
    """Principals allowed to assume the restore role (list and read only); none when empty."""
    tags: dict[str, str] = field(default_factory=dict)
    key_administrators: tuple[str, ...] = ()
    """Who manages the snapshot key (the stack's ``unseal.awskms.key_administrators``)."""
    scratch_size: str = "2Gi"
    """The job's scratch space for one snapshot: the data volume's size."""
    target: Target = DEFAULT_TARGET
    """The server whose CLI takes the snapshot."""

    @classmethod
    def from_config(cls, config: StackConfig, stack: str, layout: ClusterLayout,
                    namespace: pulumi.Input[str]) -> "RaftSnapshotsArgs":
        """Args for the stack's ``snapshots`` (validated: Raft storage and AWS KMS)."""
        kms, snapshots = config.unseal.awskms, config.snapshots
        assert kms is not None
        return cls(
            region=kms.region,
            namespace=namespace,
            namespace_name=layout.namespace,
            name=layout.name,
            labels={**layout.labels, "app.kubernetes.io/component": "snapshot"},
            stack=stack,
            vault_address=layout.active_address,
            tls_secret=layout.tls_secret if layout.tls_enabled else None,
            vault_image=image_reference(config.cluster),
            identity_mode=kms.identity.mode,
            oidc_provider_arn=kms.identity.oidc_provider_arn,
            cluster_name=kms.identity.cluster_name,
            cluster_region=kms.identity.cluster_region,
            schedule=snapshots.schedule,
            retention_days=snapshots.retention_days,
            object_lock=snapshots.object_lock,
            replication=snapshots.replication,
            prefix=snapshots.prefix,
            uploader_image=snapshots.uploader_image,
            restore_principals=snapshots.restore_principals,
            tags=stack_tags(config, stack),
            key_administrators=tuple(kms.key_administrators),
            scratch_size=config.cluster.data_volume.size,
            target=layout.target,
        )


class RaftSnapshots(pulumi.ComponentResource):
    """The snapshot bucket, its roles, and the CronJob that fills it."""

    bucket_name: pulumi.Output[str]
    replica_bucket_name: Optional[pulumi.Output[str]]
    """The replica's bucket (another region), when replicated."""
    restore_role_arn: Optional[pulumi.Output[str]]

    def __init__(self, name: str, args: RaftSnapshotsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("vault-platform:snapshots:RaftSnapshots", name, None, opts)
        account = f"{args.name}-snapshot"
        prefix = f"{args.prefix}/{args.stack}"
        identity = WorkloadIdentity(args.identity_mode, args.namespace_name, account, args.oidc_provider_arn,
                                    args.cluster_name, args.cluster_region)
        storage = declare_snapshot_storage(
            name, self, cluster_name=args.name, stack=args.stack, region=args.region, prefix=prefix,
            retention=Retention(args.retention_days, args.object_lock, args.replication), identity=identity,
            restore_principals=args.restore_principals,
            tags=args.tags, key_administrators=args.key_administrators)
        metadata = {"name": account, "namespace": args.namespace, "labels": dict(args.labels)}
        service_account = k8s.core.v1.ServiceAccount(
            f"{name}-service-account", metadata={**metadata, "annotations": storage.service_account_annotations},
            automount_service_account_token=False, opts=pulumi.ResourceOptions(parent=self))
        k8s.batch.v1.CronJob(
            f"{name}-job",
            metadata={**metadata, "annotations": CHECKOV_SKIPS},
            spec=cronjob_spec(account=account, labels=args.labels, schedule=args.schedule,
                              vault_address=args.vault_address, vault_image=args.vault_image,
                              tls_secret=args.tls_secret, uploader_image=args.uploader_image, prefix=prefix,
                              region=args.region, bucket=storage.bucket.bucket, key_arn=storage.key.arn,
                              scratch_size=args.scratch_size, target=args.target),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[service_account]),
        )
        self.bucket_name = storage.bucket.bucket
        self.replica_bucket_name = storage.replica_bucket.bucket if storage.replica_bucket else None
        self.restore_role_arn = storage.restore_role_arn
        self.register_outputs({"bucket_name": self.bucket_name, "restore_role_arn": self.restore_role_arn})
