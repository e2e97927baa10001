"""A PKI engine: a root CA generated in its mount, or an intermediate whose CSR is
generated in its mount, signed by the declared root and set back — then the URLs,
CRL and tidy configuration, and the roles that issue certificates."""

from __future__ import annotations

from typing import Optional, Sequence

import pulumi
import pulumi_vault as vault

from components.config.vault.engines import SecretEngineSpec
from components.config.base import ttl_duration
from components.vault.scope import Scope


def declare(scope: Scope, spec: SecretEngineSpec, mount: vault.Mount, root_mount: Optional[vault.Mount] = None,
            root_ready: Sequence[pulumi.Resource] = ()) -> list[pulumi.Resource]:
    """The CA and its configuration and roles; an intermediate is signed by ``root_mount``
    once ``root_ready`` (the root's mount and certificate) exist."""
    pki = spec.pki
    assert pki is not None
    name = lambda kind, *parts: scope.resource_name(kind, spec.namespace, spec.path, *parts)  # noqa: E731
    subject = dict(common_name=pki.common_name, organization=pki.organization)
    keep = pulumi.ResourceOptions(protect=True)
    if pki.kind == "root":
        ca: pulumi.Resource = vault.pkisecret.SecretBackendRootCert(
            name("pki-root"), backend=mount.path, namespace=spec.namespace, type="internal", ttl=ttl_duration(pki.ttl),
            key_type=pki.key_type, key_bits=pki.key_bits, max_path_length=pki.max_path_length, issuer_name="root",
            opts=pulumi.ResourceOptions.merge(scope.opts(spec.namespace, [mount]), keep), **subject)
        created = [ca]
    else:
        assert root_mount is not None, "validated: an intermediate's root is declared"
        csr = vault.pkisecret.SecretBackendIntermediateCertRequest(
            name("pki-csr"), backend=mount.path, namespace=spec.namespace, type="internal",
            key_type=pki.key_type, key_bits=pki.key_bits, opts=scope.opts(spec.namespace, [mount]), **subject)
        signed = vault.pkisecret.SecretBackendRootSignIntermediate(
            name("pki-signed"), backend=root_mount.path, namespace=spec.namespace, csr=csr.csr, ttl=ttl_duration(pki.ttl),
            format="pem_bundle", max_path_length=pki.max_path_length,
            opts=scope.opts(spec.namespace, [csr, *root_ready]), **subject)
        ca = vault.pkisecret.SecretBackendIntermediateSetSigned(
            name("pki-issuer"), backend=mount.path, namespace=spec.namespace, certificate=signed.certificate,
            opts=pulumi.ResourceOptions.merge(scope.opts(spec.namespace, [signed]), keep))
        created = [csr, signed, ca]
    after_ca = scope.opts(spec.namespace, [ca])
    urls = pki.urls
    if urls.issuing_certificates or urls.crl_distribution_points or urls.ocsp_servers:
        created.append(vault.pkisecret.SecretBackendConfigUrls(
            name("pki-urls"), backend=mount.path, namespace=spec.namespace,
            issuing_certificates=list(urls.issuing_certificates), crl_distribution_points=list(urls.crl_distribution_points),
            ocsp_servers=list(urls.ocsp_servers), opts=after_ca))
    created.append(vault.pkisecret.SecretBackendCrlConfig(
        name("pki-crl"), backend=mount.path, namespace=spec.namespace, expiry=ttl_duration(pki.crl.expiry), disable=pki.crl.disable,
        auto_rebuild=pki.crl.auto_rebuild, enable_delta=pki.crl.enable_delta, opts=after_ca))
    created.append(vault.pkisecret.BackendConfigAutoTidy(
        name("pki-tidy"), backend=mount.path, namespace=spec.namespace, enabled=pki.tidy.enabled,
        interval_duration=ttl_duration(pki.tidy.interval), safety_buffer=ttl_duration(pki.tidy.safety_buffer), tidy_cert_store=True,
        tidy_revoked_certs=True, tidy_expired_issuers=True, opts=after_ca))
    for role in pki.roles:
        created.append(vault.pkisecret.SecretBackendRole(
            name("pki-role", role.name), backend=mount.path, namespace=spec.namespace, name=role.name,
            allowed_domains=list(role.allowed_domains), allow_subdomains=role.allow_subdomains,
            allow_bare_domains=role.allow_bare_domains, allow_glob_domains=role.allow_glob_domains,
            allow_wildcard_certificates=role.allow_wildcard_certificates, allow_any_name=role.allow_any_name,
            allow_localhost=role.allow_localhost, allow_ip_sans=role.allow_ip_sans, enforce_hostnames=True,
            server_flag=role.server_flag, client_flag=role.client_flag, key_type=role.key_type,
            key_bits=role.key_bits, ttl=ttl_duration(role.ttl), max_ttl=ttl_duration(role.max_ttl), no_store=role.no_store, opts=after_ca))
    return created
