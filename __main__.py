"""vault-platform: one stack per environment.

Wiring only: the stack configuration is validated once, each component takes its Args
from it (``Args.from_config``), the cluster's layout is computed once and handed to whoever
needs it, and a few documented outputs are exported. Everything else lives in
``components/`` (see README, Architecture).
"""

import pulumi

from components.aws.database import PostgresDatabase, PostgresDatabaseArgs
from components.aws.recovery_keys import RecoveryKeyCustody, RecoveryKeyCustodyArgs
from components.aws.unseal import KmsUnseal, KmsUnsealArgs
from components.kubernetes.cluster import VaultCluster, VaultClusterArgs
from components.kubernetes.layout import ClusterLayout
from components.runtime_config import load_stack_config
from components.snapshots import RaftSnapshots, RaftSnapshotsArgs
from components.vault.configuration import VaultConfiguration, VaultConfigurationArgs
from components.vault.provider import declare_provider

config = load_stack_config()
stack = pulumi.get_stack()
layout = ClusterLayout.from_config(config)
postgresql = config.storage.postgresql

unseal = KmsUnseal("vault-unseal", KmsUnsealArgs.from_config(config, stack)) if config.unseal.type == "awskms" else None
database = None
if config.storage.type == "postgresql" and postgresql is not None and postgresql.source == "rds":
    database = PostgresDatabase("vault-database", PostgresDatabaseArgs.from_config(config, stack))
cluster = VaultCluster("vault", VaultClusterArgs.from_config(config, layout, unseal, database and database.admin_url))

snapshots = None
if config.snapshots.enabled:
    snapshots = RaftSnapshots("vault-snapshots", RaftSnapshotsArgs.from_config(config, stack, layout, cluster.namespace))

custody = None
initialization = config.initialization
if initialization is not None and initialization.recovery_keys == "secrets-manager":
    custody = RecoveryKeyCustody("vault-recovery-keys", RecoveryKeyCustodyArgs.from_config(config, stack))

if config.vault.configure:
    provider = declare_provider(config.vault, cluster.address, depends_on=[cluster])
    VaultConfiguration("vault-config", VaultConfigurationArgs.from_config(config, stack, provider))

pulumi.export("environment", config.environment)
pulumi.export("vault_address", cluster.address)
pulumi.export("vault_namespace", cluster.namespace)
pulumi.export("vault_ca_cert_pem", cluster.ca_cert_pem)
if unseal is not None:
    pulumi.export("unseal_key_arn", unseal.key_arn)
    pulumi.export("unseal_role_arn", unseal.role_arn)
if snapshots is not None:
    pulumi.export("snapshot_bucket", snapshots.bucket_name)
    if snapshots.replica_bucket_name is not None:
        pulumi.export("snapshot_replica_bucket", snapshots.replica_bucket_name)
    if snapshots.restore_role_arn is not None:
        pulumi.export("snapshot_restore_role_arn", snapshots.restore_role_arn)
if custody is not None:
    pulumi.export("recovery_key_secret_arns", custody.secret_arns)
    pulumi.export("recovery_key_role_arns", custody.role_arns)
    if custody.single_secret_arn is not None:  # retained while its keys move to one secret per share
        pulumi.export("recovery_keys_secret_arn", custody.single_secret_arn)
        pulumi.export("recovery_keys_role_arn", custody.single_role_arn)
