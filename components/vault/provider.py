"""The Vault provider every configuration resource is created through."""

from __future__ import annotations

from typing import Sequence

import pulumi
import pulumi_vault as vault

from components.config.vault.spec import VaultSpec


def declare_provider(spec: VaultSpec, cluster_address: pulumi.Input[str],
                     depends_on: Sequence[pulumi.Resource]) -> vault.Provider:
    """The provider for ``vault.address`` (the cluster's in-cluster address when omitted).

    The token comes from the secret config value, or the provider reads VAULT_TOKEN from
    its environment (and it then never enters the state). The provider works with a child
    token of at most 20 minutes, never the given token itself, and does not ask Vault for its
    version at configure time (so a plan never needs a reachable Vault)."""
    return vault.Provider(
        "vault",
        address=spec.address or cluster_address,
        ca_cert_file=spec.ca_cert_file,
        token=pulumi.Output.secret(spec.token.reveal()) if spec.token else None,
        skip_get_vault_version=True,
        skip_child_token=False,
        max_lease_ttl_seconds=1200,
        opts=pulumi.ResourceOptions(depends_on=list(depends_on)),
    )
