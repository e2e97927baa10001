"""The AWS policy documents of Raft snapshots, as pure functions (written to
``build/<stack>/aws/`` by the plan, checked by the tests, enforced by moto)."""

from __future__ import annotations

from typing import Any

VERSION = "2012-10-17"


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
