"""Auth methods with their tuning and config, and the roles on them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_vault as vault

from components.vault.scope import Scope
from components.config.base import ttl_duration, ttl_seconds
from components.config.vault.spec import AuthMethodSpec, RoleSpec


@dataclass
class Mount:
    spec: AuthMethodSpec
    resource: pulumi.CustomResource
    """Has ``path`` and ``accessor`` outputs."""
    ready: list[pulumi.Resource]
    """The mount and its config: roles wait for both."""


def _tune(spec: AuthMethodSpec, args_type):
    tune = spec.tune
    return args_type(
        default_lease_ttl=ttl_duration(tune.default_lease_ttl),
        max_lease_ttl=ttl_duration(tune.max_lease_ttl),
        listing_visibility=tune.listing_visibility,
    )


def declare_auth_methods(scope: Scope, specs: tuple[AuthMethodSpec, ...]) -> dict[tuple[Optional[str], str], Mount]:
    mounts: dict[tuple[Optional[str], str], Mount] = {}
    for spec in specs:
        name = scope.resource_name("auth", spec.namespace, spec.path)
        opts = scope.opts(spec.namespace, after_audit=True)
        common = dict(path=spec.path, namespace=spec.namespace, description=spec.description or None)
        ready: list[pulumi.Resource] = []
        if spec.type in ("jwt", "oidc"):
            oidc = spec.oidc
            assert oidc is not None
            resource = vault.jwt.AuthBackend(
                name,
                type=spec.type,
                oidc_discovery_url=oidc.oidc_discovery_url,
                oidc_client_id=oidc.oidc_client_id,
                oidc_client_secret=(
                    pulumi.Output.secret(oidc.oidc_client_secret.reveal()) if oidc.oidc_client_secret else None
                ),
                bound_issuer=oidc.bound_issuer,
                default_role=oidc.default_role,
                tune=_tune(spec, vault.jwt.AuthBackendTuneArgs),
                opts=opts,
                **common,
            )
        elif spec.type == "ldap":
            ldap = spec.ldap
            assert ldap is not None
            resource = vault.ldap.AuthBackend(
                name,
                url=ldap.url,
                starttls=ldap.starttls,
                insecure_tls=False,
                tls_min_version="tls12",
                certificate=ldap.certificate,
                userdn=ldap.userdn,
                userattr=ldap.userattr,
                groupdn=ldap.groupdn,
                groupattr=ldap.groupattr,
                binddn=ldap.binddn,
                bindpass=pulumi.Output.secret(ldap.bindpass.reveal()) if ldap.bindpass else None,
                deny_null_bind=True,
                tune=_tune(spec, vault.ldap.AuthBackendTuneArgs),
                opts=opts,
                **common,
            )
        else:
            resource = vault.AuthBackend(
                name, type=spec.type, tune=_tune(spec, vault.AuthBackendTuneArgs), opts=opts, **common
            )
            if spec.type == "kubernetes":
                kubernetes = spec.kubernetes or _default_kubernetes()
                ready.append(
                    vault.kubernetes.AuthBackendConfig(
                        scope.resource_name("auth-config", spec.namespace, spec.path),
                        backend=resource.path,
                        namespace=spec.namespace,
                        kubernetes_host=kubernetes.kubernetes_host,
                        kubernetes_ca_cert=kubernetes.kubernetes_ca_cert,
                        disable_local_ca_jwt=not kubernetes.use_local_service_account,
                        opts=opts,
                    )
                )
        mounts[(spec.namespace, spec.path)] = Mount(spec, resource, [resource, *ready])
    return mounts


def _default_kubernetes():
    from components.config.vault.spec import KubernetesAuthSpec

    return KubernetesAuthSpec()


def declare_roles(
    scope: Scope,
    roles: tuple[RoleSpec, ...],
    mounts: dict[tuple[Optional[str], str], Mount],
    policies: dict[tuple[Optional[str], str], pulumi.Resource],
) -> list[pulumi.CustomResource]:
    created = []
    for role in roles:
        mount = mounts[(role.namespace, role.mount)]
        needs = [*mount.ready, *(policies[(role.namespace, p)] for p in role.token_policies
                                 if (role.namespace, p) in policies)]
        opts = scope.opts(role.namespace, needs)
        name = scope.resource_name("role", role.namespace, role.mount, role.name)
        token = dict(
            backend=mount.resource.path,
            namespace=role.namespace,
            token_policies=list(role.token_policies),
            token_ttl=ttl_seconds(role.token_ttl),
            token_max_ttl=ttl_seconds(role.token_max_ttl),
            token_bound_cidrs=list(role.token_bound_cidrs) or None,
        )
        kind = mount.spec.type
        if kind == "kubernetes":
            resource = vault.kubernetes.AuthBackendRole(
                name,
                role_name=role.name,
                bound_service_account_names=list(role.bound_service_account_names),
                bound_service_account_namespaces=list(role.bound_service_account_namespaces),
                audience=role.audience,
                opts=opts,
                **token,
            )
        elif kind == "approle":
            resource = vault.approle.AuthBackendRole(
                name,
                role_name=role.name,
                bind_secret_id=True,
                secret_id_ttl=ttl_seconds(role.secret_id_ttl),
                secret_id_num_uses=role.secret_id_num_uses,
                secret_id_bound_cidrs=list(role.secret_id_bound_cidrs) or None,
                opts=opts,
                **token,
            )
        elif kind in ("jwt", "oidc"):
            resource = vault.jwt.AuthBackendRole(
                name,
                role_name=role.name,
                role_type=role.role_type or kind,
                bound_audiences=list(role.bound_audiences) or None,
                bound_subject=role.bound_subject,
                bound_claims={k: v if isinstance(v, str) else ",".join(map(str, v)) for k, v in role.bound_claims.items()} or None,
                bound_claims_type=role.bound_claims_type if role.bound_claims else None,
                user_claim=role.user_claim,
                groups_claim=role.groups_claim,
                allowed_redirect_uris=list(role.allowed_redirect_uris) or None,
                opts=opts,
                **token,
            )
        else:  # cert (ldap and userpass have no roles: the schema refuses them)
            resource = vault.CertAuthBackendRole(
                name,
                name=role.name,
                certificate=role.certificate or "",
                allowed_common_names=list(role.allowed_common_names) or None,
                opts=opts,
                **token,
            )
        created.append(resource)
    return created
