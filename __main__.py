"""vault-platform: one stack per environment.

Thin wiring only: validate the stack configuration, build the components, export a
few documented outputs. Everything else lives in ``components/``.
"""

import pulumi
import pulumi_vault as vault

from components import cluster_objects, policy_files
from components.cluster import VaultCluster, VaultClusterArgs
from components.config import PROJECT_DIR
from components.configuration import VaultConfiguration, VaultConfigurationArgs
from components.database import PostgresDatabase, PostgresDatabaseArgs
from components.recovery_keys import RecoveryKeyCustody, RecoveryKeyCustodyArgs
from components.snapshots import RaftSnapshots, RaftSnapshotsArgs
from components.runtime_config import load_stack_config
from components.unseal import KmsUnseal, KmsUnsealArgs

config = load_stack_config()
stack = pulumi.get_stack()
spec = config.vault

cluster_args = VaultClusterArgs(
    config=config,
    token_review=spec.configure and any(
        m.type == "kubernetes" and (m.kubernetes is None or m.kubernetes.use_local_service_account)
        for m in spec.auth_methods
    ),
)
unseal = None
if config.unseal.type == "awskms":
    unseal = KmsUnseal("vault-unseal", KmsUnsealArgs.from_config(config, stack))
    cluster_args.seal_region = unseal.region
    cluster_args.seal_kms_key_id = unseal.key_id
    cluster_args.service_account_annotations = unseal.service_account_annotations
    cluster_args.pods_depend_on = [unseal]

postgresql = config.storage.postgresql
if config.storage.type == "postgresql" and postgresql is not None:
    if postgresql.source == "rds" and postgresql.rds is not None:
        rds = postgresql.rds
        database = PostgresDatabase(
            "vault-database",
            PostgresDatabaseArgs(
                region=rds.region, vpc_id=rds.vpc_id, subnet_ids=rds.subnet_ids,
                client_security_group_id=rds.client_security_group_id, instance_class=rds.instance_class,
                engine_version=rds.engine_version, allocated_storage=rds.allocated_storage,
                max_allocated_storage=rds.max_allocated_storage, backup_retention_period=rds.backup_retention_period,
                ca_cert_identifier=rds.ca_cert_identifier, database=rds.database, master_username=rds.master_username,
                tags={"vault-platform/stack": stack, "vault-platform/environment": config.environment},
            ),
        )
        cluster_args.postgresql_admin_url = database.admin_url
    elif postgresql.admin_connection_url is not None:
        cluster_args.postgresql_admin_url = pulumi.Output.secret(postgresql.admin_connection_url.reveal())
    if postgresql.ca_cert_file:
        cluster_args.postgresql_ca_pem = (PROJECT_DIR / postgresql.ca_cert_file).read_text(encoding="utf-8")

cluster = VaultCluster("vault", cluster_args)

snapshots = None
if config.snapshots.enabled and config.unseal.awskms is not None:
    kms = config.unseal.awskms
    layout = cluster_objects.ClusterLayout.of(config.cluster, config.kubernetes, config.tls.mode != "disabled", True)
    snapshots = RaftSnapshots(
        "vault-snapshots",
        RaftSnapshotsArgs(
            region=kms.region,
            namespace=cluster.namespace,
            namespace_name=config.kubernetes.namespace,
            name=config.cluster.name,
            labels={**layout.labels, "app.kubernetes.io/component": "snapshot"},
            stack=stack,
            vault_address=f"{layout.scheme}://{layout.fqdn(config.cluster.name + '-active')}:8200",
            tls_secret=layout.tls_secret if layout.tls_enabled else None,
            vault_image=cluster_objects.image_reference(config.cluster),
            identity_mode=kms.identity.mode,
            oidc_provider_arn=kms.identity.oidc_provider_arn,
            cluster_name=kms.identity.cluster_name,
            cluster_region=kms.identity.cluster_region,
            schedule=config.snapshots.schedule,
            retention_days=config.snapshots.retention_days,
            prefix=config.snapshots.prefix,
            uploader_image=config.snapshots.uploader_image,
            restore_principals=config.snapshots.restore_principals,
            tags={"vault-platform/stack": stack, "vault-platform/environment": config.environment},
        ),
    )

custody = None
initialization = config.initialization
if initialization is not None and initialization.recovery_keys == "secrets-manager" and config.unseal.awskms:
    custody = RecoveryKeyCustody(
        "vault-recovery-keys",
        RecoveryKeyCustodyArgs(
            region=config.unseal.awskms.region,
            cluster_name=config.cluster.name,
            stack=stack,
            custodians=initialization.secrets_manager.custodians,
            key_administrators=config.unseal.awskms.key_administrators,
            recovery_window_in_days=initialization.secrets_manager.recovery_window_in_days,
            tags={"vault-platform/stack": stack, "vault-platform/environment": config.environment},
        ),
    )

if spec.configure:
    # The token comes from the secret config value, or the provider reads VAULT_TOKEN
    # from its environment (and it then never enters the state).
    provider = vault.Provider(
        "vault",
        address=spec.address or cluster.address,
        ca_cert_file=spec.ca_cert_file,
        token=pulumi.Output.secret(spec.token.reveal()) if spec.token else None,
        skip_get_vault_version=True,
        skip_child_token=False,
        max_lease_ttl_seconds=1200,
        opts=pulumi.ResourceOptions(depends_on=[cluster]),
    )
    policies, _ = policy_files.load(spec.policies.include, spec.policies.exclude, config.environment, stack)
    VaultConfiguration(
        "vault-config",
        VaultConfigurationArgs(provider=provider, spec=spec, policies=policies),
    )

pulumi.export("environment", config.environment)
pulumi.export("vault_address", cluster.address)
pulumi.export("vault_namespace", cluster.namespace)
pulumi.export("vault_ca_cert_pem", cluster.ca_cert_pem)
if unseal is not None:
    pulumi.export("unseal_key_arn", unseal.key_arn)
    pulumi.export("unseal_role_arn", unseal.role_arn)
if snapshots is not None:
    pulumi.export("snapshot_bucket", snapshots.bucket_name)
    if snapshots.restore_role_arn is not None:
        pulumi.export("snapshot_restore_role_arn", snapshots.restore_role_arn)
if custody is not None:
    pulumi.export("recovery_keys_secret_arn", custody.secret_arn)
    pulumi.export("recovery_keys_role_arn", custody.role_arn)
