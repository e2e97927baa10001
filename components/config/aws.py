"""The stack's AWS sections: the seal (AWS KMS auto-unseal with a workload identity, or
Shamir in dev) and the first boot's recovery keys: their types (the rules across them are
in :mod:`components.config.rules`)."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field, StrictBool, StrictInt, StrictStr

from components.config.base import ACCOUNT_ARN, AWS_REGION, Model



class WorkloadIdentityConfig(Model):
    """How Vault's pods obtain AWS credentials (never static keys)."""

    mode: Literal["irsa", "pod-identity"] = Field(
        "irsa",
        description="`irsa`: an IAM role trusted by the cluster's OIDC provider for Vault's "
        "service account; `pod-identity`: EKS Pod Identity with an association.",
    )
    oidc_provider_arn: Optional[StrictStr] = Field(
        None,
        pattern=rf"^{ACCOUNT_ARN}:iam::[0-9]{{12}}:oidc-provider/[A-Za-z0-9._/-]+$",
        description="The cluster's IAM OIDC provider ARN (mode `irsa`).",
    )
    cluster_name: Optional[StrictStr] = Field(
        None,
        pattern=r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$",
        description="The EKS cluster name (mode `pod-identity`).",
    )
    cluster_region: Optional[StrictStr] = Field(
        None,
        pattern=AWS_REGION,
        description="Region of the EKS cluster (mode `pod-identity`); the key's region when omitted.",
    )


class KmsPluginConfig(Model):
    """OpenBao 2.7's ``awskms`` seal, which runs as an external KMS plugin: the plugin
    image (openbao-plugins ``kms-aws``, or your mirror of it) is mounted as an image volume,
    an init container copies the binary into the plugin directory, and OpenBao checks
    the binary's SHA-256 before it runs it."""

    image: StrictStr = Field(
        ...,
        pattern=r"^[a-z0-9]+([._/-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*@sha256:[0-9a-f]{64}$",
        description="The plugin image pinned by digest: `ghcr.io/openbao/openbao-plugin-kms-aws@sha256:<manifest "
        "digest>` or your mirror (the binary at `/openbao-plugin-kms-aws`).",
    )
    sha256sum: StrictStr = Field(
        ..., pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 of the plugin binary for the nodes' architecture (the release's checksums file), "
        "not the image digest.",
    )
    command: StrictStr = Field("openbao-plugin-kms-aws", pattern=r"^[A-Za-z0-9._-]+$",
                               description="The binary's file name in the image and in the plugin directory.")


class AwsKmsConfig(Model):
    """The AWS KMS key that seals Vault's root key."""

    region: StrictStr = Field(..., pattern=AWS_REGION, description="AWS region of the key.")
    existing_key_arn: Optional[StrictStr] = Field(
        None,
        pattern=rf"^{ACCOUNT_ARN}:kms:[a-z0-9-]+:[0-9]{{12}}:key/[A-Za-z0-9-]+$",
        description="Bring your own key: its ARN. Nothing is created for the key then, and its "
        "key policy (yours) must let Vault's role use it.",
    )
    deletion_window_in_days: StrictInt = Field(
        30, ge=7, le=30, description="Waiting period before a scheduled deletion (7-30 days)."
    )
    enable_key_rotation: StrictBool = Field(
        True, description="Yearly automatic rotation of the key material (dev may turn it off)."
    )
    rotation_period_in_days: StrictInt = Field(
        365, ge=90, le=2560, description="Days between automatic rotations (90-2560)."
    )
    key_administrators: tuple[StrictStr, ...] = Field(
        (),
        description="IAM principal ARNs that manage the KMS keys the stack creates (unseal, recovery keys) but "
        "cannot use them; required outside dev, never the account root. The deploying identity must be among "
        "them (AWS refuses a key policy that locks its creator out). In dev the account when omitted.",
    )
    identity: WorkloadIdentityConfig = Field(
        WorkloadIdentityConfig(), description="Workload identity of Vault's pods."
    )
    plugin: Optional[KmsPluginConfig] = Field(
        None, description="OpenBao 2.7 only (required there): the external KMS plugin the seal runs as."
    )


class UnsealConfig(Model):
    """How Vault unseals itself."""

    type: Literal["awskms", "shamir"] = Field(
        "awskms",
        description="`awskms`: auto-unseal with an AWS KMS key; `shamir`: key shares held by "
        "people, dev only.",
    )
    awskms: Optional[AwsKmsConfig] = Field(None, description="Required when type is `awskms`.")


class RecoveryKeyCustodyConfig(Model):
    """Recovery keys kept in AWS Secrets Manager: one secret per share under a dedicated
    KMS key, each readable through its own custodian role by one custodian only."""

    custodians: tuple[StrictStr, ...] = Field(
        (),
        description="One IAM principal ARN per share, in share order, all different: custodian n alone may "
        "assume the role that reads share n (so nobody alone holds the threshold).",
    )
    require_mfa: StrictBool = Field(
        True,
        description="Custodians assume their role only with MFA in their session. A role-chained session "
        "carries no MFA: set false when custodians are roles whose own sign-in enforces MFA.",
    )
    external_id: Optional[StrictStr] = Field(
        None, pattern=r"^[A-Za-z0-9+=,.@:/-]{2,1224}$",
        description="An external id custodians must present when assuming their role (for custodians in "
        "another account).",
    )
    initializer: Optional[StrictStr] = Field(
        None,
        description="The IAM principal ARN that runs `vault-platform init`: writes each share once, reads "
        "none (required).",
    )
    break_glass: Optional[StrictStr] = Field(
        None,
        description="The one IAM principal ARN that may delete a share, change its resource policy or key "
        "(everyone else is denied, the deploying identity included). Required.",
    )
    retain_single_secret: StrictBool = Field(
        False,
        description="Keep the single secret (and its role) of earlier versions, which holds every share, "
        "while its keys move to one secret per share (README, Recovery keys).",
    )
    recovery_window_in_days: StrictInt = Field(
        30, ge=7, le=30, description="Days a deleted secret can still be restored (7-30)."
    )


class InitializationConfig(Model):
    """The first boot of a new cluster: `vault-platform init` (see README, First boot)."""

    recovery_shares: StrictInt = Field(
        5, ge=1, le=10,
        description="Key shares made at initialisation: recovery keys with AWS KMS, unseal keys with Shamir.",
    )
    recovery_threshold: StrictInt = Field(
        3, ge=1, le=10, description="Shares needed to generate a root token (at most recovery_shares)."
    )
    recovery_keys: Literal["secrets-manager", "pgp"] = Field(
        "secrets-manager",
        description="`secrets-manager`: one AWS Secrets Manager secret per share under a dedicated KMS key, "
        "one custodian each (needs unseal.type awskms); `pgp`: each share encrypted by Vault to one operator's public key.",
    )
    pgp_keys: tuple[StrictStr, ...] = Field(
        (),
        description="With `pgp`: one public-key file per share, relative to the repository (armoured or binary "
        "`gpg --export`).",
    )
    secrets_manager: RecoveryKeyCustodyConfig = Field(
        RecoveryKeyCustodyConfig(), description="With `secrets-manager`: the custodians of the shares."
    )
