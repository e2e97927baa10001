"""Workload identity for a Kubernetes service account on EKS: the IAM role's trust, and
what binds the account to the role — an IRSA annotation, or a Pod Identity association
(created in the cluster's region, which may differ from the role's resources)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

import pulumi
import pulumi_aws as aws

from components.aws import unseal_policies as documents


@dataclass(frozen=True)
class WorkloadIdentity:
    mode: Literal["irsa", "pod-identity"]
    namespace: str
    service_account: str
    oidc_provider_arn: Optional[str] = None
    cluster_name: Optional[str] = None
    cluster_region: Optional[str] = None
    """Region of the EKS cluster (Pod Identity); the caller's region when omitted."""

    def trust_policy(self) -> dict:
        if self.mode == "irsa":
            return documents.irsa_trust_policy(self.oidc_provider_arn or "", self.namespace, self.service_account)
        return documents.pod_identity_trust_policy(self.cluster_name or "", self.namespace, self.service_account)

    def bind(self, name: str, parent: pulumi.Resource, provider: aws.Provider, region: str,
             role_arn: pulumi.Output[str], tags: dict[str, str]) -> dict[str, pulumi.Output[str]]:
        """Bind the service account to the role; returns the annotations the account needs."""
        if self.mode == "irsa":
            return {"eks.amazonaws.com/role-arn": role_arn}
        if self.cluster_region and self.cluster_region != region:
            provider = aws.Provider(f"{name}-aws-cluster", region=self.cluster_region,
                                    opts=pulumi.ResourceOptions(parent=parent))
        aws.eks.PodIdentityAssociation(
            f"{name}-pod-identity",
            cluster_name=self.cluster_name or "",
            namespace=self.namespace,
            service_account=self.service_account,
            role_arn=role_arn,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=parent, provider=provider),
        )
        return {}
