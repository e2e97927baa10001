"""The AWS policy documents of recovery-key custody in Secrets Manager, as pure
functions (written to ``build/<stack>/aws/`` by the plan, checked by the tests,
enforced by moto).

One secret, one dedicated KMS key, one custodian role: the role may read and write
that secret and use the key only through Secrets Manager; nobody else may read or
write the secret's value, and nobody may disable the key or schedule its deletion.
"""

from __future__ import annotations

from typing import Any, Sequence

from components.aws.unseal_policies import ADMIN_ACTIONS, PROTECTED_ACTIONS, VERSION

SECRET_ACTIONS = ("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue")
"""What `vault-platform init` (write) and a break-glass custodian (read) need."""

KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
"""What Secrets Manager calls on the custodian's behalf to encrypt and decrypt the value."""

VALUE_ACTIONS = ("secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue")


def secret_name(cluster_name: str, stack: str) -> str:
    """The secret's name: stable, so `vault-platform init` and custodians can find it."""
    return f"{cluster_name}/{stack}/recovery-keys"


def role_name(cluster_name: str, stack: str) -> str:
    return f"{cluster_name}-recovery-keys-{stack}"


def alias_name(cluster_name: str, stack: str) -> str:
    return f"alias/{cluster_name}-recovery-keys-{stack}"


def via_secrets_manager(region: str) -> dict[str, Any]:
    return {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}}


def custodian_policy(secret_arn: str, key_arn: str, region: str) -> dict[str, Any]:
    """The custodian role: its one secret, and the key only through Secrets Manager."""
    return {
        "Version": VERSION,
        "Statement": [
            {"Sid": "RecoveryKeySecret", "Effect": "Allow", "Action": list(SECRET_ACTIONS), "Resource": secret_arn},
            {"Sid": "RecoveryKeyEncryption", "Effect": "Allow", "Action": list(KEY_ACTIONS), "Resource": key_arn,
             "Condition": via_secrets_manager(region)},
        ],
    }


def key_policy(administrators: Sequence[str], custodian_role_arn: str, region: str) -> dict[str, Any]:
    """The dedicated key: administrators manage but cannot use it; the custodian role
    uses it through Secrets Manager only; nobody may disable or delete it."""
    return {
        "Version": VERSION,
        "Statement": [
            {"Sid": "KeyAdministration", "Effect": "Allow", "Principal": {"AWS": sorted(administrators)},
             "Action": list(ADMIN_ACTIONS), "Resource": "*"},
            {"Sid": "CustodianThroughSecretsManager", "Effect": "Allow", "Principal": {"AWS": custodian_role_arn},
             "Action": [*KEY_ACTIONS, "kms:DescribeKey"], "Resource": "*", "Condition": via_secrets_manager(region)},
            {"Sid": "ProtectRecoveryKeyKey", "Effect": "Deny", "Principal": {"AWS": "*"},
             "Action": list(PROTECTED_ACTIONS), "Resource": "*"},
        ],
    }


def secret_policy(custodian_role_arn: str) -> dict[str, Any]:
    """The secret's resource policy: only the custodian role reads or writes its value
    (an administrator would have to change this policy first, which CloudTrail records)."""
    return {
        "Version": VERSION,
        "Statement": [
            {"Sid": "CustodianOnly", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": list(VALUE_ACTIONS),
             "Resource": "*", "Condition": {"ArnNotEquals": {"aws:PrincipalArn": custodian_role_arn}}},
        ],
    }
