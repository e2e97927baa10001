"""``RecoveryKeyCustody``: where `vault-platform init` keeps the recovery keys when the
stack's ``initialization.recovery_keys`` is ``secrets-manager``.

* a dedicated KMS key (rotating; used only through Secrets Manager by the custodian
  role; nobody may disable it or schedule its deletion), protected and retained;
* one Secrets Manager secret under that key, *without a value*: the value is written
  once by `vault-platform init` and never passes through Pulumi or its state; a
  resource policy lets only the custodian role read or write it; protected and retained;
* the custodian role: assumed by the configured principals; its one permission is its
  own secret (documents in :mod:`components.aws.recovery_key_policies`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.aws import recovery_key_policies as documents
from components.aws.account import key_administrators, stack_tags
from components.aws.unseal_policies import principals_trust_policy
from components.config import StackConfig


@dataclass
class RecoveryKeyCustodyArgs:
    region: str
    cluster_name: str
    stack: str
    custodians: Sequence[str]
    """Principals allowed to assume the custodian role."""
    key_administrators: Sequence[str] = ()
    """Principals that manage (not use) the key; the account when omitted."""
    recovery_window_in_days: int = 30
    """Days a deleted secret can still be restored; 30 when omitted."""
    tags: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: StackConfig, stack: str) -> "RecoveryKeyCustodyArgs":
        """Args for ``initialization.secrets_manager`` (validated: needs AWS KMS)."""
        assert config.initialization is not None and config.unseal.awskms is not None
        custody = config.initialization.secrets_manager
        return cls(
            region=config.unseal.awskms.region,
            cluster_name=config.cluster.name,
            stack=stack,
            custodians=custody.custodians,
            key_administrators=config.unseal.awskms.key_administrators,
            recovery_window_in_days=custody.recovery_window_in_days,
            tags=stack_tags(config, stack),
        )


class RecoveryKeyCustody(pulumi.ComponentResource):
    secret_arn: pulumi.Output[str]
    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: RecoveryKeyCustodyArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("vault-platform:initialization:RecoveryKeyCustody", name, None, opts)
        provider = aws.Provider(f"{name}-aws", region=args.region, opts=pulumi.ResourceOptions(parent=self))
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        keep = pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=True, retain_on_delete=True))

        role = aws.iam.Role(
            f"{name}-role", name=documents.role_name(args.cluster_name, args.stack),
            description="Vault recovery keys: read and write one Secrets Manager secret",
            assume_role_policy=json.dumps(principals_trust_policy("Custodians", args.custodians), indent=2,
                                          sort_keys=True),
            max_session_duration=3600, tags=args.tags,
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=True)))  # named by the key policy

        administrators = key_administrators(args.key_administrators, provider)
        key = aws.kms.Key(
            f"{name}-key", description=f"Vault recovery keys ({args.cluster_name}, {args.stack})",
            key_usage="ENCRYPT_DECRYPT", customer_master_key_spec="SYMMETRIC_DEFAULT", enable_key_rotation=True,
            deletion_window_in_days=30, bypass_policy_lockout_safety_check=False,
            policy=pulumi.Output.all(administrators, role.arn).apply(lambda values: json.dumps(
                documents.key_policy(values[0], values[1], args.region), indent=2, sort_keys=True)),
            tags=args.tags, opts=keep)
        aws.kms.Alias(f"{name}-alias", name=documents.alias_name(args.cluster_name, args.stack),
                      target_key_id=key.key_id, opts=keep)

        secret = aws.secretsmanager.Secret(
            f"{name}-secret", name=documents.secret_name(args.cluster_name, args.stack),
            description="Vault recovery keys, written once by `vault-platform init`",
            kms_key_id=key.arn, recovery_window_in_days=args.recovery_window_in_days, tags=args.tags, opts=keep)
        aws.secretsmanager.SecretPolicy(
            f"{name}-secret-policy", secret_arn=secret.arn, block_public_policy=True,
            policy=role.arn.apply(lambda arn: json.dumps(documents.secret_policy(arn), indent=2, sort_keys=True)),
            opts=child)
        aws.iam.RolePolicy(
            f"{name}-role-policy", name="vault-recovery-keys", role=role.id,
            policy=pulumi.Output.all(secret.arn, key.arn).apply(lambda values: json.dumps(
                documents.custodian_policy(values[0], values[1], args.region), indent=2, sort_keys=True)),
            opts=child)

        self.secret_arn = secret.arn
        self.role_arn = role.arn
        self.register_outputs({"secret_arn": self.secret_arn, "role_arn": self.role_arn})
