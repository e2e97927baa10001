"""The AWS policy documents of Raft snapshots, as pure functions (written to
``build/<stack>/aws/`` by the plan, checked by the tests, enforced by moto)."""

from __future__ import annotations

from typing import Any

from components.aws.unseal_policies import VERSION


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
