"""The AWS policy documents of Raft snapshots, as pure functions (written to
``build/<stack>/aws/`` by the plan, checked by the tests, enforced by moto)."""

from __future__ import annotations

from typing import Any

from components.aws.unseal_policies import VERSION, managed_key_policy


def uploader_policy(bucket_arn: str, prefix: str, key_arn: str) -> dict[str, Any]:
    """The snapshot job's role: put objects under its prefix, encrypted with the bucket's
    key — nothing else (no read, no delete, no other prefix or bucket)."""
    return {
        "Version": VERSION,
        "Statement": [
            {"Sid": "PutSnapshots", "Effect": "Allow", "Action": ["s3:PutObject"],
             "Resource": f"{bucket_arn}/{prefix}/*"},
            {"Sid": "EncryptSnapshots", "Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Encrypt"],
             "Resource": key_arn},
        ],
    }


def reader_policy(bucket_arn: str, prefix: str, key_arn: str) -> dict[str, Any]:
    """The restore role: list and read the snapshots under its prefix, decrypt them —
    nothing else (no put, no delete, no other prefix or bucket)."""
    return {
        "Version": VERSION,
        "Statement": [
            {"Sid": "ListSnapshots", "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": bucket_arn,
             "Condition": {"StringLike": {"s3:prefix": [f"{prefix}/", f"{prefix}/*"]}}},
            {"Sid": "ReadSnapshots", "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"],
             "Resource": f"{bucket_arn}/{prefix}/*"},
            {"Sid": "DecryptSnapshots", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": key_arn},
        ],
    }


def key_policy(administrators: list[str], uploader_role_arn: str | None, restore_role_arn: str | None,
               region: str, replication_role_arn: str | None = None,
               replication_uses: tuple[str, ...] = ("kms:Decrypt",)) -> dict[str, Any]:
    """The snapshot key, like the unseal and recovery-key keys: the named administrators
    manage but cannot use it; the uploader encrypts and the restore role decrypts, each only
    through S3; with replication, the replication role decrypts the originals (or, on the
    replica's key, encrypts the copies) through S3; nobody may disable it or schedule its
    deletion (without it no snapshot can ever be read)."""
    via_s3 = {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}}
    statements: list[dict[str, Any]] = []
    if uploader_role_arn is not None:
        statements.append({"Sid": "UploaderEncryptsThroughS3", "Effect": "Allow",
                           "Principal": {"AWS": uploader_role_arn}, "Action": ["kms:Encrypt", "kms:GenerateDataKey"],
                           "Resource": "*", "Condition": via_s3})
    if restore_role_arn is not None:
        statements.append({"Sid": "RestoreDecryptsThroughS3", "Effect": "Allow",
                           "Principal": {"AWS": restore_role_arn}, "Action": ["kms:Decrypt"], "Resource": "*",
                           "Condition": via_s3})
    if replication_role_arn is not None:
        statements.append({"Sid": "ReplicationThroughS3", "Effect": "Allow", "Principal": {"AWS": replication_role_arn},
                           "Action": list(replication_uses), "Resource": "*", "Condition": via_s3})
    return managed_key_policy(administrators, statements, "ProtectSnapshotKey")


def bucket_policy(bucket_arn: str) -> dict[str, Any]:
    """Refuse every request that does not use TLS, and every unencrypted upload."""
    return {
        "Version": VERSION,
        "Statement": [
            {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": [bucket_arn, f"{bucket_arn}/*"],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            {"Sid": "KmsEncryptedUploadsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
             "Resource": f"{bucket_arn}/*",
             "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}},
        ],
    }


def replication_role_policy(source_bucket_arn: str, prefix: str, source_key_arn: str, replica_bucket_arn: str,
                            replica_key_arn: str) -> dict[str, Any]:
    """S3's replication role: read the versions under the prefix (with their retention),
    decrypt them, write them to the replica bucket encrypted with the replica's key — nothing
    else (no delete of an original, no other bucket or prefix)."""
    return {
        "Version": VERSION,
        "Statement": [
            {"Sid": "ReadReplicationConfiguration", "Effect": "Allow",
             "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"], "Resource": source_bucket_arn},
            {"Sid": "ReadSnapshotVersions", "Effect": "Allow",
             "Action": ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging",
                        "s3:GetObjectRetention", "s3:GetObjectLegalHold"],
             "Resource": f"{source_bucket_arn}/{prefix}/*"},
            {"Sid": "WriteReplicas", "Effect": "Allow",
             "Action": ["s3:ReplicateObject", "s3:ReplicateTags"],
             "Resource": f"{replica_bucket_arn}/{prefix}/*"},
            {"Sid": "DecryptOriginals", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": source_key_arn},
            {"Sid": "EncryptReplicas", "Effect": "Allow", "Action": ["kms:Encrypt", "kms:GenerateDataKey"],
             "Resource": replica_key_arn},
        ],
    }


def s3_trust_policy() -> dict[str, Any]:
    """Only S3 (replicating this account's bucket) assumes the replication role."""
    return {"Version": VERSION, "Statement": [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
                                               "Action": "sts:AssumeRole"}]}
