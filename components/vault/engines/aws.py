"""The AWS secrets engine: its mount with Vault's IAM credentials (the secret key as
a Pulumi secret), and roles for IAM users, assumed roles or federation tokens."""

from __future__ import annotations

import pulumi
import pulumi_vault as vault

from components.config.vault.engines import SecretEngineSpec
from components.config.base import ttl_seconds
from components.vault.scope import Scope


def declare_backend(scope: Scope, spec: SecretEngineSpec, opts: pulumi.ResourceOptions) -> vault.aws.SecretBackend:
    aws = spec.aws
    assert aws is not None
    return vault.aws.SecretBackend(
        scope.resource_name("secret", spec.namespace, spec.path),
        path=spec.path,
        namespace=spec.namespace,
        description=spec.description or None,
        region=aws.region,
        access_key=aws.access_key,
        secret_key=pulumi.Output.secret(aws.secret_key.reveal()),
        default_lease_ttl_seconds=ttl_seconds(spec.tune.default_lease_ttl),
        max_lease_ttl_seconds=ttl_seconds(spec.tune.max_lease_ttl),
        opts=opts,
    )


def declare_roles(scope: Scope, spec: SecretEngineSpec, backend: vault.aws.SecretBackend) -> list[pulumi.Resource]:
    aws = spec.aws
    assert aws is not None
    return [
        vault.aws.SecretBackendRole(
            scope.resource_name("aws-role", spec.namespace, spec.path, role.name),
            backend=backend.path,
            namespace=spec.namespace,
            name=role.name,
            credential_type=role.credential_type,
            policy_arns=list(role.policy_arns) or None,
            policy_document=role.policy_document,
            role_arns=list(role.role_arns) or None,
            default_sts_ttl=ttl_seconds(role.default_sts_ttl),
            max_sts_ttl=ttl_seconds(role.max_sts_ttl),
            opts=scope.opts(spec.namespace, [backend]),
        )
        for role in aws.roles
    ]
