"""``KmsUnseal``: AWS KMS auto-unseal with a least-privilege workload identity.

Creates (or adopts) the unseal key, the IAM role Vault's pods assume (IRSA or EKS
Pod Identity) and the role's one permission: Encrypt, Decrypt and DescribeKey on
that key. No AWS credentials exist anywhere: the pods get short-lived ones from
their identity. The documents come from :mod:`components.aws.unseal_policies`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal, Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.aws import unseal_policies as documents
from components.aws.account import key_administrators, stack_tags
from components.config import StackConfig
from components.aws.workload_identity import WorkloadIdentity


@dataclass
class KmsUnsealArgs:
    region: str
    """AWS region of the key (an explicit provider is made for it)."""
    role_name: str
    """Name of Vault's IAM role; also what `vault-platform preflight` looks up."""
    alias: str
    """KMS alias for a created key (``alias/...``)."""
    namespace: str
    """Namespace of Vault's service account."""
    service_account: str
    """Vault's service account name."""
    identity_mode: Literal["irsa", "pod-identity"] = "irsa"
    """How the pods get credentials; IRSA when omitted."""
    oidc_provider_arn: Optional[str] = None
    """The cluster's OIDC provider (IRSA)."""
    cluster_name: Optional[str] = None
    """The EKS cluster (Pod Identity)."""
    cluster_region: Optional[str] = None
    """Region of the EKS cluster (Pod Identity); the key's region when omitted."""
    existing_key_arn: Optional[str] = None
    """Adopt this key instead of creating one; nothing is created for the key then."""
    deletion_window_in_days: int = 30
    """Waiting period of a scheduled deletion; 30 days when omitted."""
    enable_key_rotation: bool = True
    """Automatic rotation of the key material; on when omitted."""
    rotation_period_in_days: int = 365
    """Days between rotations; yearly when omitted."""
    key_administrators: Sequence[str] = ()
    """Principals that manage (not use) the key; the account itself when omitted."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags on every AWS resource."""

    @classmethod
    def from_config(cls, config: StackConfig, stack: str) -> "KmsUnsealArgs":
        """Args for the stack's ``unseal.awskms`` settings (validated, so present)."""
        kms = config.unseal.awskms
        assert kms is not None
        name = config.cluster.name
        return cls(
            region=kms.region,
            role_name=documents.role_name(name, stack),
            alias=documents.alias_name(name, stack),
            namespace=config.kubernetes.namespace,
            service_account=name,
            identity_mode=kms.identity.mode,
            oidc_provider_arn=kms.identity.oidc_provider_arn,
            cluster_name=kms.identity.cluster_name,
            cluster_region=kms.identity.cluster_region,
            existing_key_arn=kms.existing_key_arn,
            deletion_window_in_days=kms.deletion_window_in_days,
            enable_key_rotation=kms.enable_key_rotation,
            rotation_period_in_days=kms.rotation_period_in_days,
            key_administrators=kms.key_administrators,
            tags=stack_tags(config, stack),
        )


class KmsUnseal(pulumi.ComponentResource):
    """The unseal key, Vault's IAM role and its one permission."""

    key_arn: pulumi.Output[str]
    key_id: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    region: str
    service_account_annotations: dict[str, pulumi.Output[str]]
    """Annotations Vault's ServiceAccount needs (IRSA's role ARN); empty for Pod Identity."""

    def __init__(self, name: str, args: KmsUnsealArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("vault-platform:unseal:KmsUnseal", name, None, opts)
        # An explicit provider pins the region to the stack config; credentials come from
        # the standard AWS chain (environment, AWS_PROFILE, web identity in CI).
        provider = aws.Provider(f"{name}-aws", region=args.region, opts=pulumi.ResourceOptions(parent=self))
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        self.region = args.region

        workload = WorkloadIdentity(args.identity_mode, args.namespace, args.service_account,
                                    args.oidc_provider_arn, args.cluster_name, args.cluster_region)
        role = aws.iam.Role(
            f"{name}-role",
            name=args.role_name,
            description="Vault auto-unseal: Encrypt, Decrypt and DescribeKey on the unseal key only",
            assume_role_policy=workload.trust_policy(provider, args.region),
            max_session_duration=3600,
            tags=args.tags,
            # The key policy names this role: a re-created role (new principal id) could no
            # longer unseal Vault, so it is protected like the key.
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=True)),
        )
        self.role_arn = role.arn

        if args.existing_key_arn:
            self.key_arn = pulumi.Output.from_input(args.existing_key_arn)
            self.key_id = pulumi.Output.from_input(args.existing_key_arn.rsplit("/", 1)[1])
        else:
            administrators = key_administrators(args.key_administrators, provider)
            key_policy = pulumi.Output.all(administrators, role.arn).apply(
                lambda values: json.dumps(documents.key_policy(values[0], values[1]), indent=2, sort_keys=True)
            )
            # The root of trust: deleting it destroys every secret in Vault.
            key = aws.kms.Key(
                f"{name}-key",
                description=f"Vault auto-unseal key ({args.alias.removeprefix('alias/')})",
                key_usage="ENCRYPT_DECRYPT",
                customer_master_key_spec="SYMMETRIC_DEFAULT",
                enable_key_rotation=args.enable_key_rotation,
                rotation_period_in_days=args.rotation_period_in_days if args.enable_key_rotation else None,
                deletion_window_in_days=args.deletion_window_in_days,
                bypass_policy_lockout_safety_check=False,
                policy=key_policy,
                tags=args.tags,
                opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=True, retain_on_delete=True)),
            )
            aws.kms.Alias(
                f"{name}-alias",
                name=args.alias,
                target_key_id=key.key_id,
                opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=True, retain_on_delete=True)),
            )
            self.key_arn = key.arn
            self.key_id = key.key_id

        aws.iam.RolePolicy(
            f"{name}-role-policy",
            name="vault-auto-unseal",
            role=role.id,
            policy=self.key_arn.apply(lambda arn: json.dumps(documents.role_policy(arn), indent=2, sort_keys=True)),
            opts=child,
        )

        self.service_account_annotations = workload.bind(name, self, provider, args.region, role.arn, args.tags)
        self.register_outputs({"key_arn": self.key_arn, "key_id": self.key_id, "role_arn": self.role_arn})
