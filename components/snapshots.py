"""``RaftSnapshots``: scheduled Raft snapshots of Vault, uploaded to S3.

* an S3 bucket: versioning, SSE-KMS with its own rotating key, public access blocked,
  bucket-owner-enforced ownership, a lifecycle that expires old snapshots, and a
  bucket policy refusing plain HTTP and unencrypted uploads; protected from deletion;
* an IAM role for the job's service account (IRSA or Pod Identity, as the unseal
  role) allowed only to put objects under its prefix (``components.snapshot_policies``);
* a CronJob: an init container logs in to Vault with Kubernetes auth (role
  ``raft-snapshot``, policy ``raft-snapshot``: the snapshot endpoint only) and saves the
  snapshot; the main container uploads it. No root token, no static credentials.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal, Optional

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components import snapshot_policies
from components.unseal_policies import principals_trust_policy
from components.workload_identity import WorkloadIdentity

RUN_AS = 10100


@dataclass
class RaftSnapshotsArgs:
    region: str
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
    vault_image: str
    identity_mode: Literal["irsa", "pod-identity"] = "irsa"
    oidc_provider_arn: Optional[str] = None
    cluster_name: Optional[str] = None
    cluster_region: Optional[str] = None
    """Region of the EKS cluster (Pod Identity); ``region`` when omitted."""
    schedule: str = "17 */6 * * *"
    retention_days: int = 30
    prefix: str = "vault"
    uploader_image: str = "amazon/aws-cli:2.22.0"
    restore_principals: tuple[str, ...] = ()
    """Principals allowed to assume the restore role (list and read only); none when empty."""
    tags: dict[str, str] = field(default_factory=dict)


class RaftSnapshots(pulumi.ComponentResource):
    bucket_name: pulumi.Output[str]
    restore_role_arn: Optional[pulumi.Output[str]]

    def __init__(self, name: str, args: RaftSnapshotsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("vault-platform:snapshots:RaftSnapshots", name, None, opts)
        provider = aws.Provider(f"{name}-aws", region=args.region, opts=pulumi.ResourceOptions(parent=self))
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        keep = pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=True, retain_on_delete=True))
        account = f"{args.name}-snapshot"
        prefix = f"{args.prefix}/{args.stack}"

        key = aws.kms.Key(f"{name}-key", description=f"Vault snapshots ({args.stack})", enable_key_rotation=True,
                          deletion_window_in_days=30, tags=args.tags, opts=keep)
        bucket = aws.s3.Bucket(f"{name}-bucket", bucket_prefix=f"{args.name}-snapshots-", tags=args.tags, opts=keep)
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
                    "expiration": {"days": args.retention_days},
                    "noncurrent_version_expiration": {"noncurrent_days": args.retention_days},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 1}}], opts=child)
        aws.s3.BucketPolicy(f"{name}-policy", bucket=bucket.id,
                            policy=bucket.arn.apply(lambda arn: json.dumps(snapshot_policies.bucket_policy(arn),
                                                                           indent=2, sort_keys=True)), opts=child)

        namespace = pulumi.Output.from_input(args.namespace)
        identity = WorkloadIdentity(args.identity_mode, args.namespace_name, account, args.oidc_provider_arn,
                                    args.cluster_name, args.cluster_region)
        trust = identity.trust_policy()
        role = aws.iam.Role(f"{name}-role", name=f"{args.name}-snapshot-{args.stack}",
                            description="Vault snapshots: put objects under one prefix only",
                            assume_role_policy=json.dumps(trust, indent=2, sort_keys=True), tags=args.tags, opts=child)
        aws.iam.RolePolicy(
            f"{name}-role-policy", name="vault-snapshot-upload", role=role.id,
            policy=pulumi.Output.all(bucket.arn, key.arn).apply(lambda v: json.dumps(
                snapshot_policies.uploader_policy(v[0], prefix, v[1]), indent=2, sort_keys=True)), opts=child)
        self.restore_role_arn = None
        if args.restore_principals:
            restore = aws.iam.Role(
                f"{name}-restore-role", name=f"{args.name}-snapshot-restore-{args.stack}",
                description="Vault snapshots: list and read under one prefix only",
                assume_role_policy=json.dumps(principals_trust_policy("Operators", args.restore_principals),
                                              indent=2, sort_keys=True),
                max_session_duration=3600, tags=args.tags, opts=child)
            aws.iam.RolePolicy(
                f"{name}-restore-role-policy", name="vault-snapshot-read", role=restore.id,
                policy=pulumi.Output.all(bucket.arn, key.arn).apply(lambda v: json.dumps(
                    snapshot_policies.reader_policy(v[0], prefix, v[1]), indent=2, sort_keys=True)), opts=child)
            self.restore_role_arn = restore.arn
        annotations = identity.bind(name, self, provider, args.region, role.arn, args.tags)

        metadata = {"name": account, "namespace": namespace, "labels": dict(args.labels)}
        service_account = k8s.core.v1.ServiceAccount(f"{name}-service-account", metadata={**metadata,
                                                     "annotations": annotations},
                                                     automount_service_account_token=False,
                                                     opts=pulumi.ResourceOptions(parent=self))
        restricted = {"runAsNonRoot": True, "runAsUser": RUN_AS, "runAsGroup": RUN_AS,
                      "allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "privileged": False,
                      "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}
        resources = {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}}
        work = [{"name": "work", "mountPath": "/work"}, {"name": "tmp", "mountPath": "/tmp"}]
        vault_env = [{"name": "VAULT_ADDR", "value": args.vault_address}, {"name": "HOME", "value": "/tmp"}]
        volumes = [{"name": "work", "emptyDir": {"sizeLimit": "2Gi"}}, {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}},
                   {"name": "vault-token", "projected": {"sources": [{"serviceAccountToken": {
                       "path": "token", "audience": "vault", "expirationSeconds": 600}}]}}]
        vault_mounts = [*work, {"name": "vault-token", "mountPath": "/var/run/secrets/vault", "readOnly": True}]
        if args.tls_secret:
            volumes.append({"name": "ca", "secret": {"secretName": args.tls_secret, "items": [
                {"key": "ca.crt", "path": "ca.crt"}], "defaultMode": 0o444}})
            vault_mounts.append({"name": "ca", "mountPath": "/vault/tls", "readOnly": True})
            vault_env.append({"name": "VAULT_CACERT", "value": "/vault/tls/ca.crt"})
        save = ("VAULT_TOKEN=$(vault write -field=token auth/kubernetes/login role=raft-snapshot "
                "jwt=@/var/run/secrets/vault/token) && export VAULT_TOKEN && "
                "vault operator raft snapshot save /work/vault.snap && vault token revoke -self")
        upload = (f'aws s3 cp /work/vault.snap "s3://$BUCKET/{prefix}/$(date -u +%Y%m%dT%H%M%SZ).snap" '
                  '--sse aws:kms --sse-kms-key-id "$KMS_KEY_ARN" --only-show-errors')
        self.bucket_name = bucket.bucket
        k8s.batch.v1.CronJob(
            f"{name}-job",
            metadata={**metadata, "annotations": {
                "checkov.io/skip1": "CKV_K8S_43=Images pinned by tag in the stack config; add @sha256 to pin by digest",
                "checkov.io/skip2": "CKV_K8S_15=IfNotPresent: the images are pinned, a cached copy is the same image",
            }},
            spec={
                "schedule": args.schedule,
                "timeZone": "Etc/UTC",
                "concurrencyPolicy": "Forbid",
                "successfulJobsHistoryLimit": 3,
                "failedJobsHistoryLimit": 3,
                "jobTemplate": {"spec": {"backoffLimit": 2, "activeDeadlineSeconds": 1800, "template": {
                    "metadata": {"labels": {**args.labels, "app.kubernetes.io/component": "snapshot"}},
                    "spec": {
                        "serviceAccountName": account,
                        "automountServiceAccountToken": False,
                        "enableServiceLinks": False,
                        "restartPolicy": "OnFailure",
                        "securityContext": {"runAsNonRoot": True, "runAsUser": RUN_AS, "runAsGroup": RUN_AS,
                                            "fsGroup": RUN_AS, "seccompProfile": {"type": "RuntimeDefault"}},
                        "initContainers": [{"name": "snapshot", "image": args.vault_image,
                                            "imagePullPolicy": "IfNotPresent", "command": ["/bin/sh", "-c", save],
                                            "env": vault_env, "resources": resources, "securityContext": restricted,
                                            "volumeMounts": vault_mounts}],
                        "containers": [{"name": "upload", "image": args.uploader_image,
                                        "imagePullPolicy": "IfNotPresent", "command": ["/bin/sh", "-c", upload],
                                        "env": [{"name": "BUCKET", "value": bucket.bucket},
                                                {"name": "KMS_KEY_ARN", "value": key.arn},
                                                {"name": "AWS_REGION", "value": args.region},
                                                {"name": "HOME", "value": "/tmp"}],
                                        "resources": resources, "securityContext": restricted, "volumeMounts": work}],
                        "volumes": volumes,
                    }}}},
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[service_account]),
        )
        self.register_outputs({"bucket_name": self.bucket_name, "restore_role_arn": self.restore_role_arn})
