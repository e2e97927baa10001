"""TLS for Vault's listener: a generated CA and server certificate, or cert-manager.

Either way the result is one Kubernetes Secret holding ``tls.crt``, ``tls.key`` and
``ca.crt``, mounted by every Vault pod; its name is :attr:`VaultTls.secret_name`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Optional, Sequence

import pulumi
import pulumi_kubernetes as k8s
import pulumi_tls as tls


def renewal_window_hours(validity_hours: int) -> int:
    """A generated certificate's renewal window: its last tenth. A `pulumi up` inside it
    issues a new one (and the expiry alert fires inside it)."""
    return validity_hours // 10


@dataclass
class VaultTlsArgs:
    namespace: pulumi.Input[str]
    """Namespace of the Secret (or Certificate); pass the Namespace's output so that
    they are created after it."""
    secret_name: str
    """Name of the Kubernetes Secret the pods mount."""
    dns_names: Sequence[str]
    """Every DNS name the pods and services answer to (wildcards allowed)."""
    ip_addresses: Sequence[str] = ("127.0.0.1",)
    """IP SANs; loopback lets the CLI inside a pod verify the server."""
    labels: dict[str, str] = field(default_factory=dict)
    """Labels for the Secret or Certificate."""
    mode: Literal["generated", "cert-manager"] = "generated"
    """`generated` makes a CA and a server certificate with pulumi-tls (keys are
    Pulumi secrets); `cert-manager` asks an existing issuer for a Certificate."""
    ca_validity_hours: int = 87600
    """Lifetime of the generated CA; ten years when omitted."""
    server_validity_hours: int = 8760
    """Lifetime of the generated server certificate; one year when omitted. Pulumi
    re-issues it when less than a tenth of its lifetime remains at `pulumi up`."""
    issuer_name: Optional[str] = None
    """cert-manager issuer (required in cert-manager mode)."""
    issuer_kind: str = "ClusterIssuer"
    """cert-manager issuer kind; a ClusterIssuer when omitted."""
    duration: str = "2160h"
    """cert-manager certificate lifetime; 90 days when omitted."""
    renew_before: str = "360h"
    """cert-manager renewal margin; 15 days when omitted."""


class VaultTls(pulumi.ComponentResource):
    """The server certificate Secret for Vault's TLS listener."""

    secret_name: pulumi.Output[str]
    ca_cert_pem: Optional[pulumi.Output[str]]
    """The CA certificate (generated mode); None with cert-manager, whose CA lives in
    the issued Secret's ``ca.crt``."""
    cert_pem: Optional[pulumi.Output[str]]
    """The server certificate (generated mode); None with cert-manager."""
    not_after: Optional[pulumi.Output[str]]
    """When the generated server certificate expires (RFC 3339); None with cert-manager,
    which reports its certificates' expiry in its own metrics."""

    def __init__(self, name: str, args: VaultTlsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("vault-platform:tls:VaultTls", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        metadata = {"name": args.secret_name, "namespace": args.namespace, "labels": dict(args.labels)}
        if args.mode == "generated":
            self.ca_cert_pem, self.cert_pem, self.not_after, secret = self._generated(name, args, metadata, child)
            self.secret_name = secret.metadata.apply(lambda m: m["name"])
        else:
            self.ca_cert_pem = None
            self.cert_pem = None
            self.not_after = None
            certificate = k8s.apiextensions.CustomResource(
                f"{name}-certificate",
                api_version="cert-manager.io/v1",
                kind="Certificate",
                metadata={"name": args.secret_name, "namespace": args.namespace, "labels": dict(args.labels)},
                spec={
                    "secretName": args.secret_name,
                    "issuerRef": {
                        "name": args.issuer_name,
                        "kind": args.issuer_kind,
                        "group": "cert-manager.io",
                    },
                    "commonName": args.dns_names[0],
                    "dnsNames": list(args.dns_names),
                    "ipAddresses": list(args.ip_addresses),
                    "duration": args.duration,
                    "renewBefore": args.renew_before,
                    "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
                    "usages": ["server auth", "client auth", "digital signature", "key encipherment"],
                    "secretTemplate": {"labels": dict(args.labels)},
                },
                opts=child,
            )
            self.secret_name = certificate.spec.apply(lambda s: s["secretName"])
        self.register_outputs({"secret_name": self.secret_name, "ca_cert_pem": self.ca_cert_pem})

    @staticmethod
    def _generated(name: str, args: VaultTlsArgs, metadata: dict, child: pulumi.ResourceOptions):
        ca_key = tls.PrivateKey(f"{name}-ca-key", algorithm="ECDSA", ecdsa_curve="P256", opts=child)
        ca_cert = tls.SelfSignedCert(
            f"{name}-ca",
            private_key_pem=ca_key.private_key_pem,
            is_ca_certificate=True,
            validity_period_hours=args.ca_validity_hours,
            early_renewal_hours=renewal_window_hours(args.ca_validity_hours),
            allowed_uses=["cert_signing", "crl_signing", "digital_signature"],
            subject=tls.SelfSignedCertSubjectArgs(
                common_name=f"{args.secret_name} CA", organization="vault-platform"
            ),
            opts=child,
        )
        server_key = tls.PrivateKey(
            f"{name}-server-key", algorithm="ECDSA", ecdsa_curve="P256", opts=child
        )
        request = tls.CertRequest(
            f"{name}-server-csr",
            private_key_pem=server_key.private_key_pem,
            dns_names=list(args.dns_names),
            ip_addresses=list(args.ip_addresses),
            subject=tls.CertRequestSubjectArgs(
                common_name=args.dns_names[0], organization="vault-platform"
            ),
            opts=child,
        )
        server_cert = tls.LocallySignedCert(
            f"{name}-server",
            cert_request_pem=request.cert_request_pem,
            ca_private_key_pem=ca_key.private_key_pem,
            ca_cert_pem=ca_cert.cert_pem,
            validity_period_hours=args.server_validity_hours,
            early_renewal_hours=renewal_window_hours(args.server_validity_hours),
            allowed_uses=["digital_signature", "key_encipherment", "server_auth", "client_auth"],
            opts=child,
        )
        secret = k8s.core.v1.Secret(
            f"{name}-secret",
            metadata=metadata,
            type="kubernetes.io/tls",
            string_data={
                "tls.crt": pulumi.Output.secret(server_cert.cert_pem),
                "tls.key": pulumi.Output.secret(server_key.private_key_pem),
                "ca.crt": pulumi.Output.secret(ca_cert.cert_pem),
            },
            opts=child,
        )
        return ca_cert.cert_pem, server_cert.cert_pem, server_cert.validity_end_time, secret
