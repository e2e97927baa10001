"""``PostgresqlStorage``: what Vault needs to use a PostgreSQL database.

* a generated password for Vault's own database role (a Pulumi secret);
* the schema Job: Debian-free, pinned psql image, restricted pod, applying
  ``sql/vault-postgresql.sql`` (idempotent: tables, index, Vault's role and grants)
  with the administrator's credentials, before any Vault pod starts — the Job and those
  credentials stay in the cluster only until the schema is recorded as applied
  (``storage.postgresql.applied_schema``): the next ``pulumi up`` removes them;
* Vault's connection URL (its role, ``sslmode=verify-full`` against the database CA
  outside dev) in a Kubernetes Secret, read by the pods as ``VAULT_PG_CONNECTION_URL``
  (``BAO_PG_CONNECTION_URL`` with OpenBao).

The Job, not pulumi-postgresql, applies the schema: it runs inside the cluster, where
the database is reachable, so the machine running `pulumi up` (often a CI runner
outside the VPC) never needs a network path or credentials to the database.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Optional
import hashlib
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from components.config.base import PROJECT_DIR
from components.config.storage import PostgresqlConfig
from components.config.inputs import files
from components.kubernetes.hardening import container_security_context, pod_security_context

SCHEMA_FILE = PROJECT_DIR / "sql" / "vault-postgresql.sql"
CA_DIR = "/vault/postgresql-ca"


@functools.cache
def schema_sql() -> str:
    """The schema the Job applies (``sql/vault-postgresql.sql``), read once."""
    return files.read_text(SCHEMA_FILE, files.SMALL_FILE_LIMIT, inside=PROJECT_DIR)


def vault_url(admin_url: str, role: str, password: str, verify: bool) -> str:
    """Vault's URL: the admin URL's host, port and database with Vault's role; TLS
    verified against the mounted CA (``verify``) or at least required."""
    parts = urlsplit(admin_url)
    host = parts.hostname or ""
    netloc = f"{quote(role)}:{quote(password, safe='')}@{host}" + (f":{parts.port}" if parts.port else "")
    query = {k: v for k, v in parse_qsl(parts.query) if not k.startswith("ssl")}
    if verify:
        query.update(sslmode="verify-full", sslrootcert=f"{CA_DIR}/ca.crt")
    else:
        query.update(sslmode="require")
    return urlunsplit((parts.scheme or "postgres", netloc, parts.path, urlencode(query), ""))


def admin_environment(admin_url: str) -> dict[str, str]:
    """libpq environment for psql from the admin URL (the password separately)."""
    parts = urlsplit(admin_url)
    return {
        "PGHOST": parts.hostname or "",
        "PGPORT": str(parts.port or 5432),
        "PGDATABASE": parts.path.lstrip("/") or "postgres",
        "PGUSER": unquote(parts.username or "postgres"),
        "PGPASSWORD": unquote(parts.password or ""),
    }


@dataclass
class PostgresqlStorageArgs:
    namespace: pulumi.Input[str]
    name: str
    """Base name of the Kubernetes objects (the Vault cluster's name)."""
    labels: dict[str, str]
    admin_url: pulumi.Input[str]
    """A Pulumi secret: the administrator's connection URL."""
    vault_role: str = "vault"
    table: str = "vault_kv_store"
    ha_table: str = "vault_ha_locks"
    ca_pem: Optional[str] = None
    """The database CA; Vault verifies the server with it. Dev may omit it (TLS still required)."""
    image: str = "postgres:16.6-alpine3.20"
    schema_pending: bool = True
    """The schema is not recorded as applied (:func:`schema_pending`): the Job and the
    administrator's credentials are in the cluster; once it is, neither is."""


def schema_id(vault_role: str, table: str, ha_table: str) -> str:
    """The schema's id (also in the Job's name): the first ten hex digits of the SHA-256 of
    what the Job applies — the SQL, Vault's role and the table names. (Not the database's
    address or the passwords: they are secrets the offline plan does not know; pointing the
    stack at another database means clearing ``applied_schema``, see README.)"""
    text = "\n".join((schema_sql(), vault_role, table, ha_table))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def schema_pending(pg: PostgresqlConfig) -> bool:
    """The stack's schema is not recorded as applied: its Job and the administrator's
    credentials are in the cluster (and the Job's network policy)."""
    return pg.applied_schema != schema_id(pg.vault_role, pg.table, pg.ha_table)


class PostgresqlStorage(pulumi.ComponentResource):
    secret_name: pulumi.Output[str]
    """Secret holding ``connection-url`` for Vault."""
    ca_config_map: Optional[str]
    schema_job: Optional[k8s.batch.v1.Job]
    """The Job applying a schema not yet recorded as applied; None once it is."""

    def __init__(self, name: str, args: PostgresqlStorageArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("vault-platform:postgresql:PostgresqlStorage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        verify = args.ca_pem is not None
        # Protected: a new password reaches the database only through the schema Job, so
        # replacing it once the Job is gone would lock Vault out (README, PostgreSQL storage).
        password = random.RandomPassword(f"{name}-vault-password", length=40, special=False,
                                         opts=pulumi.ResourceOptions(parent=self, protect=True))

        def metadata(suffix: str) -> dict:
            return {"name": f"{args.name}-{suffix}", "namespace": args.namespace, "labels": dict(args.labels)}

        admin = pulumi.Output.secret(pulumi.Output.from_input(args.admin_url))
        connection = k8s.core.v1.Secret(
            f"{name}-connection",
            metadata=metadata("postgresql"),
            type="Opaque",
            string_data=pulumi.Output.all(admin, password.result).apply(
                lambda v: {"connection-url": vault_url(v[0], args.vault_role, v[1], verify)}
            ),
            opts=child,
        )
        self.ca_config_map = None
        needs: list[pulumi.Resource] = []
        if verify:
            self.ca_config_map = f"{args.name}-postgresql-ca"
            needs.append(k8s.core.v1.ConfigMap(f"{name}-ca", metadata=metadata("postgresql-ca"),
                                               data={"ca.crt": args.ca_pem}, opts=child))
        self.schema_job = None
        if args.schema_pending:
            self.schema_job = self._schema_job(name, args, admin, password.result, metadata, needs,
                                               schema_id(args.vault_role, args.table, args.ha_table))
        self.secret_name = connection.metadata.apply(lambda m: m["name"])
        self.register_outputs({"secret_name": self.secret_name})

    def _schema_job(self, name: str, args: PostgresqlStorageArgs, admin: pulumi.Output[str],
                    vault_password: pulumi.Output[str], metadata, needs: list[pulumi.Resource],
                    digest: str) -> k8s.batch.v1.Job:
        """The administrator's credentials, the schema and the Job applying it: present only
        until the schema is recorded as applied (``storage.postgresql.applied_schema``)."""
        child = pulumi.ResourceOptions(parent=self)
        admin_secret = k8s.core.v1.Secret(
            f"{name}-admin", metadata=metadata("postgresql-admin"), type="Opaque",
            string_data=pulumi.Output.all(admin, vault_password).apply(
                lambda v: {**admin_environment(v[0]), "VAULT_DB_PASSWORD": v[1]}),
            opts=child)
        schema = k8s.core.v1.ConfigMap(f"{name}-schema", metadata=metadata("postgresql-schema"),
                                       data={"vault-postgresql.sql": schema_sql()}, opts=child)
        pulumi.log.warn(
            f"PostgreSQL schema {digest} is applied by this update's Job, with the administrator's credentials in "
            f"Secret {args.name}-postgresql-admin; once it has run, set storage.postgresql.applied_schema: {digest} "
            "and the next `pulumi up` removes both from the cluster", resource=self)
        # The Job's name carries the schema's id: a changed schema is a new Job (and the old
        # one, finished, is replaced); an unchanged one is left as it is.
        return k8s.batch.v1.Job(
            f"{name}-schema-job",
            metadata={**metadata(f"postgresql-schema-{digest}"), "annotations": SCHEMA_JOB_SKIPS},
            spec=schema_job_spec(args, self.ca_config_map),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[admin_secret, schema, *needs]),
        )


SCHEMA_JOB_SKIPS = {
    "checkov.io/skip1": "CKV_K8S_35=psql reads the administrator's password from PGPASSWORD; "
                        "the value comes from a Secret and the pod runs once, then is deleted",
    "checkov.io/skip2": "CKV_K8S_43=The psql image is pinned by tag in the stack config "
                        "(storage.postgresql.schema_job_image); add @sha256 to pin by digest",
    "checkov.io/skip3": "CKV_K8S_15=IfNotPresent: the image is pinned, a cached copy is the same image",
}
"""The checkov checks the schema Job skips, each with its reason."""


def schema_job_spec(args: PostgresqlStorageArgs, ca_config_map: Optional[str]) -> dict:
    """The schema Job: psql applies ``sql/vault-postgresql.sql`` with the administrator's
    credentials (from the admin Secret), verifying the server against the CA when given."""
    volumes = [{"name": "schema", "configMap": {"name": f"{args.name}-postgresql-schema", "defaultMode": 0o444}},
               {"name": "tmp", "emptyDir": {"sizeLimit": "16Mi"}}]
    mounts = [{"name": "schema", "mountPath": "/schema", "readOnly": True}, {"name": "tmp", "mountPath": "/tmp"}]
    env = [{"name": key, "valueFrom": {"secretKeyRef": {"name": f"{args.name}-postgresql-admin", "key": key}}}
           for key in ("PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "VAULT_DB_PASSWORD")]
    env.append({"name": "PGSSLMODE", "value": "verify-full" if ca_config_map else "require"})
    env.append({"name": "HOME", "value": "/tmp"})
    env += [{"name": "KV_TABLE", "value": args.table}, {"name": "HA_TABLE", "value": args.ha_table},
            {"name": "VAULT_ROLE", "value": args.vault_role}]
    if ca_config_map:
        volumes.append({"name": "ca", "configMap": {"name": ca_config_map, "defaultMode": 0o444}})
        mounts.append({"name": "ca", "mountPath": CA_DIR, "readOnly": True})
        env.append({"name": "PGSSLROOTCERT", "value": f"{CA_DIR}/ca.crt"})
    # A constant script: the names reach psql as environment variables, never spliced into
    # the shell text (psql quotes them as identifiers in the SQL).
    script = (
        'exec psql -X -q -v ON_ERROR_STOP=1 -v kv_table="$KV_TABLE" -v ha_table="$HA_TABLE" '
        '-v vault_role="$VAULT_ROLE" -v vault_password="$VAULT_DB_PASSWORD" -f /schema/vault-postgresql.sql'
    )
    return {
        "backoffLimit": 6,
        "template": {
            "metadata": {"labels": {**args.labels, "app.kubernetes.io/component": "postgresql-schema"}},
            "spec": {
                "restartPolicy": "OnFailure",
                "automountServiceAccountToken": False,
                "enableServiceLinks": False,
                "securityContext": pod_security_context(),
                "containers": [{
                    "name": "psql",
                    "image": args.image,
                    "imagePullPolicy": "IfNotPresent",
                    "command": ["/bin/sh", "-c", script],
                    "env": env,
                    "resources": {"requests": {"cpu": "50m", "memory": "64Mi"},
                                  "limits": {"cpu": "500m", "memory": "128Mi"}},
                    "securityContext": container_security_context(),
                    "volumeMounts": mounts,
                }],
                "volumes": volumes,
            },
        },
    }
