"""The IAM and KMS policy documents of AWS KMS auto-unseal, as pure functions.

Every document the stack creates is built here, so that the plan writes exactly
these (``build/<stack>/aws/``), the tests check them, and ``preflight`` asks AWS about
the same actions.
"""

from __future__ import annotations

from typing import Any, Sequence

VERSION = "2012-10-17"

UNSEAL_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt")
"""What Vault's awskms seal calls: nothing else."""

ADMIN_ACTIONS = (
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
)
"""Managing the key: no cryptographic use (no Encrypt, Decrypt, GenerateDataKey,
ReEncrypt, CreateGrant), and no destruction (see PROTECTED_ACTIONS)."""

PROTECTED_ACTIONS = ("kms:DisableKey", "kms:ScheduleKeyDeletion")
"""Denied to everyone by the key policy: losing the key loses every secret in Vault.
Deleting it takes a deliberate key-policy change first."""


def managed_key_policy(administrators: Sequence[str], uses: Sequence[dict[str, Any]], protect_sid: str
                       ) -> dict[str, Any]:
    """The shape every key the stack creates shares: the named administrators manage but
    cannot use it; ``uses`` (Allow statements) say who uses it and how; nobody may disable
    it or schedule its deletion (statement ``protect_sid``)."""
    return {
        "Version": VERSION,
        "Statement": [
            {"Sid": "KeyAdministration", "Effect": "Allow", "Principal": {"AWS": sorted(administrators)},
             "Action": list(ADMIN_ACTIONS), "Resource": "*"},
            *uses,
            {"Sid": protect_sid, "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": list(PROTECTED_ACTIONS),
             "Resource": "*"},
        ],
    }


def key_policy(administrators: Sequence[str], vault_role_arn: str) -> dict[str, Any]:
    """The unseal key's policy: administrators manage but cannot use it; only Vault's
    role can use it; nobody can disable it or schedule its deletion."""
    return managed_key_policy(administrators, [{"Sid": "VaultAutoUnseal", "Effect": "Allow",
                                                "Principal": {"AWS": vault_role_arn},
                                                "Action": list(UNSEAL_ACTIONS), "Resource": "*"}],
                              "ProtectUnsealKey")


def role_policy(key_arn: str) -> dict[str, Any]:
    """Vault's role: Encrypt, Decrypt and DescribeKey on the one unseal key."""
    return {
        "Version": VERSION,
        "Statement": [
            {"Sid": "VaultAutoUnseal", "Effect": "Allow", "Action": list(UNSEAL_ACTIONS), "Resource": key_arn}
        ],
    }


def principals_trust_policy(sid: str, principals: Sequence[str]) -> dict[str, Any]:
    """Trust for people or roles: the listed IAM principals may assume the role, nobody else."""
    return {
        "Version": VERSION,
        "Statement": [{"Sid": sid, "Effect": "Allow", "Principal": {"AWS": sorted(principals)},
                       "Action": "sts:AssumeRole"}],
    }


def irsa_trust_policy(oidc_provider_arn: str, namespace: str, service_account: str) -> dict[str, Any]:
    """Trust for IRSA: only Vault's service account, only with the STS audience."""
    issuer = oidc_provider_arn.split(":oidc-provider/", 1)[1]
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "VaultServiceAccount",
                "Effect": "Allow",
                "Principal": {"Federated": oidc_provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                        f"{issuer}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ],
    }


def eks_cluster_arn(partition: str, region: str, account: str, cluster_name: str) -> str:
    return f"arn:{partition}:eks:{region}:{account}:cluster/{cluster_name}"


def pod_identity_trust_policy(cluster_arn: str, account: str, namespace: str, service_account: str) -> dict[str, Any]:
    """Trust for EKS Pod Identity, narrowed by the session tags it sets to one cluster (by
    ARN: a name can be carried by a cluster in another account or region), one namespace
    and one service account, and to requests made for this account."""
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "VaultPodIdentity",
                "Effect": "Allow",
                "Principal": {"Service": "pods.eks.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {
                    "StringEquals": {
                        "aws:SourceAccount": account,
                        "aws:RequestTag/eks-cluster-arn": cluster_arn,
                        "aws:RequestTag/kubernetes-namespace": namespace,
                        "aws:RequestTag/kubernetes-service-account": service_account,
                    }
                },
            }
        ],
    }


def role_name(cluster_name: str, stack: str) -> str:
    """Vault's IAM role name: stable, so operators and ``preflight`` can find it."""
    return f"{cluster_name}-unseal-{stack}"


def alias_name(cluster_name: str, stack: str) -> str:
    """The unseal key's alias: one per stack."""
    return f"alias/{cluster_name}-unseal-{stack}"
