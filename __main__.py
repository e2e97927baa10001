"""vault-platform: one stack per environment.

Thin wiring only: validate the stack configuration, build the components, export a
few documented outputs. Everything else lives in ``components/``.
"""

import pulumi

from components.cluster import VaultCluster, VaultClusterArgs
from components.runtime_config import load_stack_config
from components.unseal import KmsUnseal, KmsUnsealArgs

config = load_stack_config()
stack = pulumi.get_stack()

cluster_args = VaultClusterArgs(config=config)
unseal = None
if config.unseal.type == "awskms":
    unseal = KmsUnseal("vault-unseal", KmsUnsealArgs.from_config(config, stack))
    cluster_args.seal_region = unseal.region
    cluster_args.seal_kms_key_id = unseal.key_id
    cluster_args.service_account_annotations = unseal.service_account_annotations
    cluster_args.pods_depend_on = [unseal]

cluster = VaultCluster("vault", cluster_args)

pulumi.export("environment", config.environment)
pulumi.export("vault_address", cluster.address)
pulumi.export("vault_namespace", cluster.namespace)
pulumi.export("vault_ca_cert_pem", cluster.ca_cert_pem)
if unseal is not None:
    pulumi.export("unseal_key_arn", unseal.key_arn)
    pulumi.export("unseal_role_arn", unseal.role_arn)
