"""``RecoveryKeyCustody``: where `vault-platform init` keeps the recovery keys when the
stack's ``initialization.recovery_keys`` is ``secrets-manager``.

* a dedicated KMS key (rotating; administered by the named key administrators; used only
  through Secrets Manager; nobody may disable it or schedule its deletion), protected
  and retained;
* one Secrets Manager secret per share under that key, *without a value*: `vault-platform
  init` writes each share once and the shares never pass through Pulumi or its state;
  each secret's resource policy lets only its custodian role read it, only the
  initializer write it, and only the break-glass principal destroy it; protected and
  retained;
* one custodian role per share, assumable by that share's custodian alone (MFA, external
  id); its one permission is its own share (documents in
  :mod:`components.aws.recovery_key_policies`);
* the managed policy the initializer needs (write every share, read none), for the
  operators to attach to that principal (it may be a user, or in another account);
* with ``retain_single_secret``, the single secret and role of earlier versions, under
  their old resource names, so that a stack moving its keys over loses nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

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
    """One principal per share, in share order: custodian n alone reads share n."""
    break_glass: str
    """The one principal that may destroy a share or change its policy."""
    initializer: str
    """The principal that runs `vault-platform init`: writes every share, reads none."""
    require_mfa: bool = True
    external_id: Optional[str] = None
    key_administrators: Sequence[str] = ()
    """Principals that manage (not use) the key; the account when omitted (dev only: validated)."""
    retain_single_secret: bool = False
    recovery_window_in_days: int = 30
    """Days a deleted secret can still be restored; 30 when omitted."""
    tags: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: StackConfig, stack: str) -> "RecoveryKeyCustodyArgs":
        """Args for ``initialization.secrets_manager`` (validated: needs AWS KMS, one
        custodian per share, a break-glass principal)."""
        assert config.initialization is not None and config.unseal.awskms is not None
        custody = config.initialization.secrets_manager
        assert custody.break_glass is not None and custody.initializer is not None  # validated: required
        return cls(
            region=config.unseal.awskms.region,
            cluster_name=config.cluster.name,
            stack=stack,
            custodians=custody.custodians,
            break_glass=custody.break_glass,
            initializer=custody.initializer,
            require_mfa=custody.require_mfa,
            external_id=custody.external_id,
            key_administrators=config.unseal.awskms.key_administrators,
            retain_single_secret=custody.retain_single_secret,
            recovery_window_in_days=custody.recovery_window_in_days,
            tags=stack_tags(config, stack),
        )


class RecoveryKeyCustody(pulumi.ComponentResource):
    secret_arns: pulumi.Output[list[str]]
    role_arns: pulumi.Output[list[str]]
    single_secret_arn: Optional[pulumi.Output[str]] = None
    single_role_arn: Optional[pulumi.Output[str]] = None

    def __init__(self, name: str, args: RecoveryKeyCustodyArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("vault-platform:initialization:RecoveryKeyCustody", name, None, opts)
        # `vault-platform init` tags each share's secret with its status: not Pulumi's to manage
        provider = aws.Provider(f"{name}-aws", region=args.region, ignore_tags={"keys": [documents.STATUS_TAG]},
                                opts=pulumi.ResourceOptions(parent=self))
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        keep = pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=True, retain_on_delete=True))
        named = pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=True))  # named by the key policy
        administrators = key_administrators(args.key_administrators, provider)
        roles = [aws.iam.Role(
            f"{name}-{share}-role", name=documents.role_name(args.cluster_name, args.stack, share),
            description=f"Vault recovery key {share}: read its one Secrets Manager secret",
            assume_role_policy=json.dumps(documents.custodian_trust_policy(
                custodian, args.require_mfa, args.external_id), indent=2, sort_keys=True),
            max_session_duration=3600, tags=args.tags, opts=named)
            for share, custodian in enumerate(args.custodians, start=1)]
        names = [documents.secret_name(args.cluster_name, args.stack, share)
                 for share in range(1, len(args.custodians) + 1)]
        single_role = None
        if args.retain_single_secret:  # the resource names of earlier versions: nothing is replaced
            single_role = aws.iam.Role(
                f"{name}-role", name=documents.single_role_name(args.cluster_name, args.stack),
                description="Vault recovery keys: read and write one Secrets Manager secret",
                assume_role_policy=json.dumps(principals_trust_policy("Custodians", args.custodians), indent=2,
                                              sort_keys=True),
                max_session_duration=3600, tags=args.tags, opts=named)

        def policy(values: list) -> str:
            administrators_, role_arns, single = values[0], values[1], values[2]
            patterns = [documents.secret_arn_pattern(args.region, secret) for secret in names]
            return json.dumps(documents.key_policy(administrators_, list(zip(role_arns, patterns)),
                                                   args.initializer, args.region, single_role=single),
                              indent=2, sort_keys=True)

        key = aws.kms.Key(
            f"{name}-key", description=f"Vault recovery keys ({args.cluster_name}, {args.stack})",
            key_usage="ENCRYPT_DECRYPT", customer_master_key_spec="SYMMETRIC_DEFAULT", enable_key_rotation=True,
            deletion_window_in_days=30, bypass_policy_lockout_safety_check=False,
            policy=pulumi.Output.all(administrators, pulumi.Output.all(*[role.arn for role in roles]),
                                     single_role.arn if single_role else None).apply(policy),
            tags=args.tags, opts=keep)
        aws.kms.Alias(f"{name}-alias", name=documents.alias_name(args.cluster_name, args.stack),
                      target_key_id=key.key_id, opts=keep)

        secrets = [_guarded_secret(
            f"{name}-{share}", secret_name, f"Vault recovery key {share} of {len(names)}, written once by "
            "`vault-platform init`", role, "vault-recovery-key", key, args, keep, child,
            lambda role_arn: documents.secret_policy(role_arn, args.initializer, args.break_glass),
            lambda secret_arn, key_arn: documents.custodian_policy(secret_arn, key_arn, args.region))
            for share, (role, secret_name) in enumerate(zip(roles, names), start=1)]

        aws.iam.Policy(  # attached by the operators to the initializer principal
            f"{name}-initializer-policy", name=documents.initializer_policy_name(args.cluster_name, args.stack),
            description="Vault recovery keys: write every share, read none (for `vault-platform init`)",
            policy=pulumi.Output.all(pulumi.Output.all(*[secret.arn for secret in secrets]), key.arn).apply(
                lambda values: json.dumps(documents.initializer_policy(values[0], values[1], args.region),
                                          indent=2, sort_keys=True)),
            tags=args.tags, opts=child)
        if single_role is not None:
            self.single_secret_arn = _retained_single_secret(name, args, single_role, key, keep, child)
            self.single_role_arn = single_role.arn

        self.secret_arns = pulumi.Output.all(*[secret.arn for secret in secrets])
        self.role_arns = pulumi.Output.all(*[role.arn for role in roles])
        self.register_outputs({"secret_arns": self.secret_arns, "role_arns": self.role_arns})


def _retained_single_secret(name: str, args: RecoveryKeyCustodyArgs, role: aws.iam.Role, key: aws.kms.Key,
                            keep: pulumi.ResourceOptions, child: pulumi.ResourceOptions) -> pulumi.Output[str]:
    """The single secret of earlier versions, under its old resource names; its policy now
    also keeps everyone but the break-glass principal from destroying it."""
    return _guarded_secret(
        name, documents.single_secret_name(args.cluster_name, args.stack),
        "Vault recovery keys, written once by `vault-platform init`", role, "vault-recovery-keys", key, args, keep,
        child, lambda role_arn: documents.single_secret_policy(role_arn, args.break_glass),
        lambda secret_arn, key_arn: documents.single_custodian_policy(secret_arn, key_arn, args.region)).arn


def _guarded_secret(prefix: str, secret_name: str, description: str, role: aws.iam.Role, role_policy_name: str,
                    key: aws.kms.Key, args: RecoveryKeyCustodyArgs, keep: pulumi.ResourceOptions,
                    child: pulumi.ResourceOptions, secret_document: Callable[[str], dict],
                    role_document: Callable[[str, str], dict]) -> aws.secretsmanager.Secret:
    """A secret without a value under ``key`` (protected, retained), its resource policy,
    and its custodian role's permission to it: resources ``<prefix>-secret``,
    ``<prefix>-secret-policy`` and ``<prefix>-role-policy``."""
    secret = aws.secretsmanager.Secret(
        f"{prefix}-secret", name=secret_name, description=description, kms_key_id=key.arn,
        recovery_window_in_days=args.recovery_window_in_days, tags=args.tags, opts=keep)
    aws.secretsmanager.SecretPolicy(
        f"{prefix}-secret-policy", secret_arn=secret.arn, block_public_policy=True,
        policy=role.arn.apply(lambda arn: json.dumps(secret_document(arn), indent=2, sort_keys=True)), opts=child)
    aws.iam.RolePolicy(
        f"{prefix}-role-policy", name=role_policy_name, role=role.id,
        policy=pulumi.Output.all(secret.arn, key.arn).apply(
            lambda values: json.dumps(role_document(values[0], values[1]), indent=2, sort_keys=True)),
        opts=child)
    return secret
