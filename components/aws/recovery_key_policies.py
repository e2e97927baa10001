"""The AWS policy documents of recovery-key custody in Secrets Manager, as pure
functions (written to ``build/<stack>/aws/`` by the plan, checked by the tests,
enforced by moto where moto enforces anything).

A quorum, not a vault with one door: every recovery-key share has its own secret and
its own custodian role, and each role is assumable by exactly one custodian principal
(with MFA unless the stack says otherwise). No principal can read more than one share,
so nobody alone reaches the threshold that generates a root token.

* **custodian role n** reads share n, and uses the dedicated KMS key only through
  Secrets Manager and only for share n's secret (the encryption context Secrets Manager
  sends names the secret);
* **the initializer** (whoever runs `vault-platform init`) writes every share and reads
  none;
* **the break-glass principal** is the only one who may delete a share, change its
  resource policy or key, or move its versions: everyone else is denied, the deploying
  identity included;
* **the key administrators** (named roles, never the account root) manage the key;
  nobody may disable it or schedule its deletion.

Write once: a share whose status tag says it is stored cannot be written again, nor its
status tag changed, by anyone but the break-glass principal.

Before one secret per share, custody was one secret holding every share behind one role:
:func:`single_secret_name` and friends keep describing it while a stack retains it
(``secrets_manager.retain_single_secret``) to move its keys over. Until then any one
custodian can assume that role: the window the README's migration keeps short.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from components.aws.unseal_policies import VERSION, managed_key_policy

READ_ACTIONS = ("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue")
"""What a custodian needs to read its share."""

WRITE_ACTIONS = ("secretsmanager:DescribeSecret", "secretsmanager:PutSecretValue", "secretsmanager:TagResource")
"""What `vault-platform init` needs to write a share and mark it (a tag says pending or stored)."""

STATUS_TAG = "vault-platform/recovery-key"
"""The tag `vault-platform init` sets on each share's secret: ``pending``, then ``initialized``."""
STORED = "initialized"

DESTRUCTIVE_ACTIONS = (
    "secretsmanager:CancelRotateSecret",
    "secretsmanager:DeleteResourcePolicy",
    "secretsmanager:DeleteSecret",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:RemoveRegionsFromReplication",
    "secretsmanager:ReplicateSecretToRegions",
    "secretsmanager:RotateSecret",
    "secretsmanager:StopReplicationToReplica",
    "secretsmanager:UpdateSecret",
    "secretsmanager:UpdateSecretVersionStage",
)
"""Denied to all but the break-glass principal: each loses a share, moves it out of the
custodian's reach, or lifts these protections (a new resource policy, another KMS key)."""

DECRYPT_ACTIONS = ("kms:Decrypt",)
ENCRYPT_ACTIONS = ("kms:GenerateDataKey",)

# The single secret of earlier versions: what it allowed its one role.
SINGLE_SECRET_ACTIONS = ("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
                         "secretsmanager:PutSecretValue")
VALUE_ACTIONS = ("secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue")


def secret_name(cluster_name: str, stack: str, share: int) -> str:
    """Share ``share``'s secret (1-based): stable, so `init` and its custodian can find it."""
    return f"{cluster_name}/{stack}/recovery-keys/{share}"


def role_name(cluster_name: str, stack: str, share: int) -> str:
    """Share ``share``'s custodian role."""
    return f"{cluster_name}-recovery-key-{share}-{stack}"


def initializer_policy_name(cluster_name: str, stack: str) -> str:
    return f"{cluster_name}-recovery-keys-initializer-{stack}"


def single_secret_name(cluster_name: str, stack: str) -> str:
    """The one secret earlier versions kept every share in."""
    return f"{cluster_name}/{stack}/recovery-keys"


def single_role_name(cluster_name: str, stack: str) -> str:
    return f"{cluster_name}-recovery-keys-{stack}"


def alias_name(cluster_name: str, stack: str) -> str:
    return f"alias/{cluster_name}-recovery-keys-{stack}"


def secret_arn_pattern(region: str, name: str) -> str:
    """Any ARN the secret called ``name`` can have in ``region`` (AWS appends six random
    characters): the key policy is written before the secrets exist."""
    return f"arn:*:secretsmanager:{region}:*:secret:{name}-??????"


def via_secrets_manager(region: str, secret_arn: Optional[str] = None) -> dict[str, Any]:
    """The key only through Secrets Manager; with ``secret_arn`` (an ARN or an
    :func:`secret_arn_pattern`), only for that secret: Secrets Manager puts the secret's
    ARN in the encryption context of every call it makes to KMS."""
    condition: dict[str, Any] = {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}}
    if secret_arn is not None:
        operator = "StringLike" if "*" in secret_arn or "?" in secret_arn else "StringEquals"
        condition.setdefault(operator, {})["kms:EncryptionContext:SecretARN"] = secret_arn
    return condition


def custodian_trust_policy(custodian: str, require_mfa: bool, external_id: Optional[str]) -> dict[str, Any]:
    """One custodian principal may assume one share's role: with MFA in its session when
    ``require_mfa`` (a role-chained session carries none), with the agreed external id when
    one is set (for a custodian in another account)."""
    condition: dict[str, Any] = {}
    if require_mfa:
        condition["Bool"] = {"aws:MultiFactorAuthPresent": "true"}
    if external_id is not None:
        condition["StringEquals"] = {"sts:ExternalId": external_id}
    statement: dict[str, Any] = {"Sid": "OneCustodian", "Effect": "Allow", "Principal": {"AWS": custodian},
                                 "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return {"Version": VERSION, "Statement": [statement]}


def custodian_policy(secret_arn: str, key_arn: str, region: str) -> dict[str, Any]:
    """A custodian role: read its one share, decrypt it through Secrets Manager. No write:
    a custodian cannot replace the share it keeps."""
    return {
        "Version": VERSION,
        "Statement": [
            {"Sid": "ReadOneShare", "Effect": "Allow", "Action": list(READ_ACTIONS), "Resource": secret_arn},
            {"Sid": "DecryptOneShare", "Effect": "Allow", "Action": list(DECRYPT_ACTIONS), "Resource": key_arn,
             "Condition": via_secrets_manager(region, secret_arn)},
        ],
    }


def initializer_policy(secret_arns: Sequence[str], key_arn: str, region: str) -> dict[str, Any]:
    """What the principal that runs `vault-platform init` needs (attach it there): write
    every share, read none."""
    return {
        "Version": VERSION,
        "Statement": [
            {"Sid": "WriteShares", "Effect": "Allow", "Action": list(WRITE_ACTIONS), "Resource": list(secret_arns)},
            {"Sid": "EncryptShares", "Effect": "Allow", "Action": list(ENCRYPT_ACTIONS), "Resource": key_arn,
             "Condition": via_secrets_manager(region)},
        ],
    }


def key_policy(administrators: Sequence[str], custodian_roles: Sequence[tuple[str, str]],
               initializer: str, region: str, single_role: Optional[str] = None) -> dict[str, Any]:
    """The dedicated key: the named administrators manage but cannot use it; custodian role
    n decrypts share n's secret through Secrets Manager and nothing else; the initializer
    encrypts through Secrets Manager; nobody may disable or delete it.

    ``custodian_roles`` pairs each role's ARN with its secret's :func:`secret_arn_pattern`;
    ``single_role`` is the role of a retained single secret."""
    statements: list[dict[str, Any]] = []
    for share, (role_arn, secret) in enumerate(custodian_roles, start=1):
        statements.append({"Sid": f"Custodian{share}", "Effect": "Allow", "Principal": {"AWS": role_arn},
                           "Action": [*DECRYPT_ACTIONS, "kms:DescribeKey"], "Resource": "*",
                           "Condition": via_secrets_manager(region, secret)})
    statements.append({"Sid": "Initializer", "Effect": "Allow", "Principal": {"AWS": initializer},
                       "Action": [*ENCRYPT_ACTIONS, "kms:DescribeKey"], "Resource": "*",
                       "Condition": via_secrets_manager(region)})
    if single_role is not None:
        statements.append({"Sid": "SingleSecretCustodian", "Effect": "Allow", "Principal": {"AWS": single_role},
                           "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], "Resource": "*",
                           "Condition": via_secrets_manager(region)})
    return managed_key_policy(administrators, statements, "ProtectRecoveryKeyKey")


def _all_but(principals: Sequence[str]) -> dict[str, Any]:
    return {"ArnNotEquals": {"aws:PrincipalArn": sorted(set(principals))}}


def secret_policy(custodian_role_arn: str, initializer: str, break_glass: str) -> dict[str, Any]:
    """One share's resource policy: only its custodian role reads the value, only the
    initializer writes it, and only the break-glass principal may destroy it or change
    these rules (AWS's explicit deny holds for the deploying identity and the account
    root alike)."""
    stored = {"StringEquals": {f"secretsmanager:ResourceTag/{STATUS_TAG}": STORED}}
    statements: list[dict[str, Any]] = [
        {"Sid": "OnlyItsCustodianReads", "Effect": "Deny", "Principal": {"AWS": "*"},
         "Action": "secretsmanager:GetSecretValue", "Resource": "*", "Condition": _all_but([custodian_role_arn])},
        {"Sid": "OnlyTheInitializerWrites", "Effect": "Deny", "Principal": {"AWS": "*"},
         "Action": "secretsmanager:PutSecretValue", "Resource": "*", "Condition": _all_but([initializer])},
        {"Sid": "OnlyBreakGlassDestroys", "Effect": "Deny", "Principal": {"AWS": "*"},
         "Action": list(DESTRUCTIVE_ACTIONS), "Resource": "*", "Condition": _all_but([break_glass])},
        {"Sid": "AStoredShareIsNeverWrittenAgain", "Effect": "Deny", "Principal": {"AWS": "*"},
         "Action": "secretsmanager:PutSecretValue", "Resource": "*",
         "Condition": {**stored, **_all_but([break_glass])}},
        {"Sid": "ItsStatusTagStaysStored", "Effect": "Deny", "Principal": {"AWS": "*"},
         "Action": ["secretsmanager:TagResource", "secretsmanager:UntagResource"], "Resource": "*",
         "Condition": {**stored, **_all_but([break_glass]), "ForAnyValue:StringEquals": {"aws:TagKeys": [STATUS_TAG]}}},
    ]
    statements.append({"Sid": "InitializerWrites", "Effect": "Allow", "Principal": {"AWS": initializer},
                       "Action": list(WRITE_ACTIONS), "Resource": "*"})
    return {"Version": VERSION, "Statement": statements}


# --------------------------------------------------------------- the single secret of earlier versions

def single_custodian_policy(secret_arn: str, key_arn: str, region: str) -> dict[str, Any]:
    """The single secret's role, unchanged from earlier versions (kept while it is retained)."""
    return {
        "Version": VERSION,
        "Statement": [
            {"Sid": "RecoveryKeySecret", "Effect": "Allow", "Action": list(SINGLE_SECRET_ACTIONS),
             "Resource": secret_arn},
            {"Sid": "RecoveryKeyEncryption", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
             "Resource": key_arn, "Condition": via_secrets_manager(region)},
        ],
    }


def single_secret_policy(custodian_role_arn: str, break_glass: str) -> dict[str, Any]:
    """The single secret while it is retained: its role alone reads and writes the value,
    and the break-glass principal alone may destroy it (after the move to one secret per
    share)."""
    return {
        "Version": VERSION,
        "Statement": [
            {"Sid": "CustodianOnly", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": list(VALUE_ACTIONS),
             "Resource": "*", "Condition": _all_but([custodian_role_arn])},
            {"Sid": "OnlyBreakGlassDestroys", "Effect": "Deny", "Principal": {"AWS": "*"},
             "Action": list(DESTRUCTIVE_ACTIONS), "Resource": "*", "Condition": _all_but([break_glass])},
        ],
    }
