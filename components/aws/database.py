"""``PostgresDatabase``: a managed Amazon RDS for PostgreSQL for Vault's storage.

Multi-AZ, encrypted storage, deletion protection, automated backups (at least 7
days), a generated administrator password held only as a Pulumi secret, a security
group open on 5432 to the cluster's nodes only, a parameter group that forces TLS,
and the instance protected from deletion in Pulumi too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence
from urllib.parse import quote

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.aws.account import stack_tags
from components.config import StackConfig


@dataclass
class PostgresDatabaseArgs:
    region: str
    """AWS region (an explicit provider is made for it)."""
    vpc_id: str
    subnet_ids: Sequence[str]
    """Private subnets in at least two zones."""
    client_security_group_id: str
    """The only security group allowed to connect (the cluster's nodes)."""
    instance_class: str = "db.t4g.medium"
    engine_version: str = "16"
    allocated_storage: int = 50
    max_allocated_storage: int = 200
    backup_retention_period: int = 14
    """Days of automated backups; two weeks when omitted (at least 7)."""
    ca_cert_identifier: str = "rds-ca-rsa2048-g1"
    database: str = "vault"
    master_username: str = "vault_admin"
    tags: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: StackConfig, stack: str) -> "PostgresDatabaseArgs":
        """Args for the stack's ``storage.postgresql.rds`` (validated, so present)."""
        assert config.storage.postgresql is not None and config.storage.postgresql.rds is not None
        rds = config.storage.postgresql.rds
        return cls(
            region=rds.region, vpc_id=rds.vpc_id, subnet_ids=rds.subnet_ids,
            client_security_group_id=rds.client_security_group_id, instance_class=rds.instance_class,
            engine_version=rds.engine_version, allocated_storage=rds.allocated_storage,
            max_allocated_storage=rds.max_allocated_storage, backup_retention_period=rds.backup_retention_period,
            ca_cert_identifier=rds.ca_cert_identifier, database=rds.database, master_username=rds.master_username,
            tags=stack_tags(config, stack),
        )


class PostgresDatabase(pulumi.ComponentResource):
    """The RDS instance and what secures it; ``admin_url`` is a Pulumi secret."""

    admin_url: pulumi.Output[str]
    address: pulumi.Output[str]

    def __init__(self, name: str, args: PostgresDatabaseArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("vault-platform:database:PostgresDatabase", name, None, opts)
        provider = aws.Provider(f"{name}-aws", region=args.region, opts=pulumi.ResourceOptions(parent=self))
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        family = f"postgres{args.engine_version.split('.')[0]}"

        password = random.RandomPassword(
            f"{name}-admin-password", length=40, special=True, override_special="-_.~", opts=pulumi.ResourceOptions(parent=self)
        )
        subnets = aws.rds.SubnetGroup(f"{name}-subnets", subnet_ids=list(args.subnet_ids), tags=args.tags, opts=child)
        security_group = aws.ec2.SecurityGroup(
            f"{name}-security-group",
            vpc_id=args.vpc_id,
            description="Vault's PostgreSQL: 5432 from the cluster's nodes only",
            ingress=[aws.ec2.SecurityGroupIngressArgs(
                protocol="tcp", from_port=5432, to_port=5432, security_groups=[args.client_security_group_id],
                description="Vault pods (cluster nodes)")],
            egress=[],
            tags=args.tags,
            opts=child,
        )
        parameters = aws.rds.ParameterGroup(
            f"{name}-parameters",
            family=family,
            description="Vault's PostgreSQL: TLS only",
            parameters=[
                aws.rds.ParameterGroupParameterArgs(name="rds.force_ssl", value="1", apply_method="immediate"),
                aws.rds.ParameterGroupParameterArgs(name="ssl_min_protocol_version", value="TLSv1.2",
                                                    apply_method="immediate"),
                aws.rds.ParameterGroupParameterArgs(name="log_connections", value="1", apply_method="immediate"),
            ],
            tags=args.tags,
            opts=child,
        )
        # Vault's data: protected, retained, Multi-AZ, encrypted, backed up.
        instance = aws.rds.Instance(
            f"{name}-instance",
            engine="postgres",
            engine_version=args.engine_version,
            instance_class=args.instance_class,
            allocated_storage=args.allocated_storage,
            max_allocated_storage=args.max_allocated_storage,
            storage_type="gp3",
            storage_encrypted=True,
            multi_az=True,
            publicly_accessible=False,
            deletion_protection=True,
            backup_retention_period=args.backup_retention_period,
            copy_tags_to_snapshot=True,
            skip_final_snapshot=False,
            final_snapshot_identifier=f"{name}-{pulumi.get_stack()}-final",  # unique per stack in an account
            auto_minor_version_upgrade=True,
            db_name=args.database,
            username=args.master_username,
            password=password.result,
            db_subnet_group_name=subnets.name,
            vpc_security_group_ids=[security_group.id],
            parameter_group_name=parameters.name,
            ca_cert_identifier=args.ca_cert_identifier,
            performance_insights_enabled=True,
            enabled_cloudwatch_logs_exports=["postgresql"],
            tags=args.tags,
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=True, retain_on_delete=True)),
        )
        self.address = instance.address
        self.admin_url = pulumi.Output.secret(
            pulumi.Output.all(instance.address, instance.port, password.result).apply(
                lambda v: f"postgres://{quote(args.master_username)}:{quote(v[2], safe='')}@{v[0]}:{v[1]}/{args.database}"
            )
        )
        self.register_outputs({"address": self.address})
