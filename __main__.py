"""vault-platform: one stack per environment.

Thin wiring only: validate the stack configuration, build the components, export a
few documented outputs. Everything else lives in ``components/``.
"""

import pulumi

from components.cluster import VaultCluster, VaultClusterArgs
from components.runtime_config import load_stack_config

config = load_stack_config()

cluster = VaultCluster("vault", VaultClusterArgs(config=config))

pulumi.export("environment", config.environment)
pulumi.export("vault_address", cluster.address)
pulumi.export("vault_namespace", cluster.namespace)
pulumi.export("vault_ca_cert_pem", cluster.ca_cert_pem)
