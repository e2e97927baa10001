"""Where Vault keeps its data — Raft, PostgreSQL (an existing database or RDS), or file
storage in dev — and the scheduled Raft snapshots: their types (the rules across them are
in :mod:`components.config.rules`)."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field, StrictBool, StrictInt, StrictStr

from components.config.base import AWS_REGION, DURATION, IDENTIFIER, Model
from components.config.secrets import Secret, secret_validator



class RaftConfig(Model):
    """Integrated storage (Raft) tuning."""

    performance_multiplier: StrictInt = Field(
        1, ge=0, le=10, description="Raft timing multiplier; 1 is HashiCorp's production value."
    )
    autopilot_reconcile_interval: StrictStr = Field(
        "10s", pattern=DURATION, description="How often autopilot reconciles voter state."
    )
    autopilot_update_interval: StrictStr = Field(
        "2s", pattern=DURATION, description="How often autopilot refreshes server state."
    )


class RdsConfig(Model):
    """A managed Amazon RDS for PostgreSQL created by the stack."""

    region: StrictStr = Field(..., pattern=r"^[a-z]{2}(-[a-z]+)+-[0-9]$", description="AWS region of the instance.")
    vpc_id: StrictStr = Field(..., pattern=r"^vpc-[0-9a-f]+$", description="VPC of the cluster.")
    subnet_ids: tuple[StrictStr, ...] = Field(
        ..., min_length=2, description="Private subnets in at least two zones (Multi-AZ)."
    )
    client_security_group_id: StrictStr = Field(
        ..., pattern=r"^sg-[0-9a-f]+$", description="Security group of the cluster's nodes: the only source allowed in."
    )
    instance_class: StrictStr = Field("db.t4g.medium", pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$", description="Instance class.")
    engine_version: StrictStr = Field(
        "16", pattern=r"^1[4-7]$",
        description="PostgreSQL major version; RDS applies minor versions itself (auto minor upgrades).")
    allocated_storage: StrictInt = Field(50, ge=20, le=65536, description="Storage in GiB.")
    max_allocated_storage: StrictInt = Field(200, ge=20, le=65536, description="Autoscaling ceiling in GiB.")
    backup_retention_period: StrictInt = Field(14, ge=7, le=35, description="Days of automated backups (7-35).")
    ca_cert_identifier: StrictStr = Field("rds-ca-rsa2048-g1", description="RDS server CA.")
    database: StrictStr = Field("vault", pattern=IDENTIFIER, description="Database name.")
    master_username: StrictStr = Field("vault_admin", pattern=IDENTIFIER, description="Administrator name.")


class PostgresqlConfig(Model):
    """PostgreSQL storage: an existing database, or an RDS instance the stack creates."""

    source: Literal["existing", "rds"] = Field(..., description="`existing` database or a new `rds` instance.")
    admin_connection_url: Optional[Secret] = Field(
        None,
        description="source `existing`: a Pulumi secret `postgres://admin:password@host:5432/db` used only by "
        "the schema Job; Vault gets its own least-privilege role.",
    )
    ca_cert_file: Optional[StrictStr] = Field(
        None,
        description="PEM file (in the repository) of the CA that signed the database's certificate; required "
        "outside dev, where Vault verifies the server (`sslmode=verify-full`).",
    )
    table: StrictStr = Field("vault_kv_store", pattern=IDENTIFIER, description="Data table.")
    ha_table: StrictStr = Field("vault_ha_locks", pattern=IDENTIFIER, description="HA lock table.")
    vault_role: StrictStr = Field("vault", pattern=IDENTIFIER, description="Database role Vault logs in as.")
    max_parallel: StrictInt = Field(128, ge=1, le=1024, description="Concurrent requests Vault makes.")
    schema_job_image: StrictStr = Field(
        "postgres:16.6-alpine3.20", pattern=r"^[a-z0-9./_-]+:[A-Za-z0-9_.-]+(@sha256:[0-9a-f]{64})?$",
        description="Pinned image with psql for the schema Job.",
    )
    rds: Optional[RdsConfig] = Field(None, description="source `rds`: the instance.")
    applied_schema: Optional[StrictStr] = Field(
        None, pattern=r"^[0-9a-f]{10}$",
        description="The schema a `pulumi up` has applied (the id `plan` prints). While it is the current schema's, "
        "the administrator's credentials and the schema Job are not in the cluster; a changed schema brings them "
        "back until it is applied and recorded here (README, PostgreSQL storage).",
    )

    _secrets = secret_validator("admin_connection_url")


class StorageConfig(Model):
    """Where Vault keeps its data."""

    type: Literal["raft", "postgresql", "file"] = Field(
        "raft",
        description="`raft` (integrated storage, HA), `postgresql` (HA through Vault's lock table) or "
        "`file` (dev only, single replica).",
    )
    raft: RaftConfig = Field(RaftConfig(), description="Raft settings (type `raft` only).")
    postgresql: Optional[PostgresqlConfig] = Field(None, description="PostgreSQL settings (type `postgresql` only).")


class ObjectLockConfig(Model):
    """S3 Object Lock on the snapshot bucket: each snapshot version cannot be deleted or
    overwritten before its retention ends — in `COMPLIANCE` mode by no one, the account root
    included. Once on, a bucket's Object Lock cannot be turned off."""

    mode: Literal["COMPLIANCE", "GOVERNANCE"] = Field(
        "COMPLIANCE", description="`COMPLIANCE`: nobody can shorten or lift the retention; `GOVERNANCE`: principals "
        "with `s3:BypassGovernanceRetention` can."
    )
    days: Optional[StrictInt] = Field(
        None, ge=1, le=3650, description="Retention of each version; `snapshots.retention_days` when omitted (at most "
        "that: a version locked longer than it is kept could not expire)."
    )


class ReplicationConfig(Model):
    """A copy of every snapshot in a bucket in another region, under a key of that region."""

    region: StrictStr = Field(..., pattern=AWS_REGION, description="The replica's region (not the bucket's).")
    storage_class: Literal["STANDARD", "STANDARD_IA", "GLACIER_IR"] = Field(
        "STANDARD_IA", description="Storage class of the replicas (a restore reads them seldom)."
    )


class SnapshotConfig(Model):
    """Scheduled Raft snapshots to an S3 bucket the stack creates (needs Raft and AWS KMS)."""

    enabled: StrictBool = Field(False, description="Take snapshots on a schedule (Raft storage and AWS KMS only).")
    schedule: StrictStr = Field("17 */6 * * *", pattern=r"^(\S+\s+){4}\S+$", description="CronJob schedule (UTC).")
    retention_days: StrictInt = Field(30, ge=1, le=3650, description="Days a snapshot is kept (older versions too).")
    max_age: StrictStr = Field("13h", pattern=DURATION, description="`VaultSnapshotStale` fires when no snapshot "
                               "succeeded for this long: about two intervals of the schedule (6 h by default).")
    prefix: StrictStr = Field("vault", pattern=r"^[a-z0-9][a-z0-9/_-]*[a-z0-9]$",
                              description="Object key prefix; the stack name is appended.")
    uploader_image: StrictStr = Field(
        "amazon/aws-cli:2.22.0", pattern=r"^[a-z0-9./_-]+:[A-Za-z0-9_.-]+(@sha256:[0-9a-f]{64})?$",
        description="Pinned image with the AWS CLI for the upload.")
    object_lock: Optional[ObjectLockConfig] = Field(
        None, description="Object Lock (compliance retention): snapshots nobody can delete early. One-way: see README."
    )
    replication: Optional[ReplicationConfig] = Field(
        None, description="Cross-region replication of every snapshot (a region's loss keeps the backups)."
    )
    restore_principals: tuple[StrictStr, ...] = Field(
        (),
        description="IAM principal ARNs allowed to assume the restore role, which may list and read the "
        "snapshots (for `vault-platform snapshot list/restore`) and nothing else; no role when empty.",
    )
