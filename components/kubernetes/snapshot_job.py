"""The snapshot job as plain data (pure functions, no Pulumi calls): a CronJob whose init
container logs in to Vault with Kubernetes auth (role ``raft-snapshot``, policy
``raft-snapshot``: the snapshot endpoint only) and saves a Raft snapshot, and whose main
container uploads it to S3 with the job's workload identity. No root token, no static
credentials. :class:`components.snapshots.RaftSnapshots` registers it."""

from __future__ import annotations

from typing import Any, Optional

import pulumi

from components.config.targets import DEFAULT_TARGET, Target
from components.kubernetes.hardening import container_security_context, pod_security_context

CHECKOV_SKIPS = {
    "checkov.io/skip1": "CKV_K8S_43=Images pinned by tag in the stack config; add @sha256 to pin by digest",
    "checkov.io/skip2": "CKV_K8S_15=IfNotPresent: the images are pinned, a cached copy is the same image",
}
"""The checkov checks the CronJob skips, each with its reason."""


def cronjob_spec(*, account: str, labels: dict[str, str], schedule: str, vault_address: str, vault_image: str,
                 tls_secret: Optional[str], uploader_image: str, prefix: str, region: str,
                 bucket: pulumi.Input[str], key_arn: pulumi.Input[str], scratch_size: str = "2Gi",
                 target: Target = DEFAULT_TARGET) -> dict[str, Any]:
    """The CronJob's spec: one snapshot at a time, within 30 minutes, into ``prefix/``,
    with the server's own CLI (``vault`` or ``bao``) and environment; ``scratch_size``
    holds one snapshot (the data volume's size: a snapshot can be as large as the data)."""
    cli, env = target.binary, target.env_prefix
    ca_dir = f"{target.root}/tls"
    resources = {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}}
    work = [{"name": "work", "mountPath": "/work"}, {"name": "tmp", "mountPath": "/tmp"}]
    vault_env = [{"name": f"{env}ADDR", "value": vault_address}, {"name": "HOME", "value": "/tmp"}]
    volumes = [{"name": "work", "emptyDir": {"sizeLimit": scratch_size}}, {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}},
               {"name": "vault-token", "projected": {"sources": [{"serviceAccountToken": {
                   "path": "token", "audience": "vault", "expirationSeconds": 600}}]}}]
    vault_mounts = [*work, {"name": "vault-token", "mountPath": "/var/run/secrets/vault", "readOnly": True}]
    if tls_secret:
        volumes.append({"name": "ca", "secret": {"secretName": tls_secret, "items": [
            {"key": "ca.crt", "path": "ca.crt"}], "defaultMode": 0o444}})
        vault_mounts.append({"name": "ca", "mountPath": ca_dir, "readOnly": True})
        vault_env.append({"name": f"{env}CACERT", "value": f"{ca_dir}/ca.crt"})
    save = (f"{env}TOKEN=$({cli} write -field=token auth/kubernetes/login role=raft-snapshot "
            f"jwt=@/var/run/secrets/vault/token) && export {env}TOKEN && "
            f"{cli} operator raft snapshot save /work/vault.snap && {cli} token revoke -self")
    # Constant scripts: every value from the configuration reaches them as an environment
    # variable, never spliced into the shell text.
    # A checksum with the upload: S3 refuses a put to a bucket with default Object Lock
    # retention without one (Content-MD5 or an x-amz-checksum header).
    upload = ('aws s3 cp /work/vault.snap "s3://$BUCKET/$PREFIX/$(date -u +%Y%m%dT%H%M%SZ).snap" '
              '--sse aws:kms --sse-kms-key-id "$KMS_KEY_ARN" --checksum-algorithm CRC32 --only-show-errors')
    restricted = container_security_context()
    return {
        "schedule": schedule,
        "timeZone": "Etc/UTC",
        "concurrencyPolicy": "Forbid",
        "successfulJobsHistoryLimit": 3,
        "failedJobsHistoryLimit": 3,
        "jobTemplate": {"spec": {"backoffLimit": 2, "activeDeadlineSeconds": 1800, "template": {
            "metadata": {"labels": {**labels, "app.kubernetes.io/component": "snapshot"}},
            "spec": {
                "serviceAccountName": account,
                "automountServiceAccountToken": False,
                "enableServiceLinks": False,
                "restartPolicy": "OnFailure",
                "securityContext": pod_security_context(),
                "initContainers": [{"name": "snapshot", "image": vault_image,
                                    "imagePullPolicy": "IfNotPresent", "command": ["/bin/sh", "-c", save],
                                    "env": vault_env, "resources": resources, "securityContext": restricted,
                                    "volumeMounts": vault_mounts}],
                "containers": [{"name": "upload", "image": uploader_image,
                                "imagePullPolicy": "IfNotPresent", "command": ["/bin/sh", "-c", upload],
                                "env": [{"name": "BUCKET", "value": bucket},
                                        {"name": "PREFIX", "value": prefix},
                                        {"name": "KMS_KEY_ARN", "value": key_arn},
                                        {"name": "AWS_REGION", "value": region},
                                        {"name": "HOME", "value": "/tmp"}],
                                "resources": resources, "securityContext": restricted, "volumeMounts": work}],
                "volumes": volumes,
            }}}},
    }
