"""Workload identity for a Kubernetes service account on EKS: the IAM role's trust, and
what binds the account to the role — an IRSA annotation, or a Pod Identity association
(created in the cluster's region, which may differ from the role's resources)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal, Optional

import pulumi
import pulumi_aws as aws

from components.aws import unseal_policies as documents


def _text(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=True)


@dataclass(frozen=True)
class WorkloadIdentity:
    mode: Literal["irsa", "pod-identity"]
    namespace: str
    service_account: str
    oidc_provider_arn: Optional[str] = None
    cluster_name: Optional[str] = None
    cluster_region: Optional[str] = None
    """Region of the EKS cluster (Pod Identity); the caller's region when omitted."""

    def trust_policy(self, provider: aws.Provider, region: str) -> pulumi.Output[str]:
        """The role's trust policy as JSON text. Pod Identity's names the cluster by ARN, in
        the account the stack deploys to (the cluster's region, else ``region``)."""
        if self.mode == "irsa":
            return pulumi.Output.from_input(_text(
                documents.irsa_trust_policy(self.oidc_provider_arn or "", self.namespace, self.service_account)))
        invoke = pulumi.InvokeOutputOptions(provider=provider)
        identity = aws.get_caller_identity_output(opts=invoke)
        partition = aws.get_partition_output(opts=invoke)
        return pulumi.Output.all(partition.partition, identity.account_id).apply(lambda values: _text(
            documents.pod_identity_trust_policy(
                documents.eks_cluster_arn(values[0], self.cluster_region or region, values[1], self.cluster_name or ""),
                values[1], self.namespace, self.service_account)))

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
