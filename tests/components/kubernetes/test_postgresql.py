"""PostgreSQL storage under Pulumi's mocks: the example stack, RDS protections, the
Secret wiring, the schema Job, and no connection URL in any artifact."""

from __future__ import annotations

import pytest

from components.kubernetes.postgresql import SCHEMA_FILE, admin_environment, vault_url
from components.config.secrets import SecretPlaceholder
from tests.conftest import PROJECT, plan_with
from components import config as schema
from vault_platform.plan import artifacts

EXAMPLE = PROJECT / "examples" / "Pulumi.postgresql.yaml"


@pytest.fixture(scope="module")
def plan(stack_plan):
    return stack_plan("postgresql")


def one(plan, type_):
    (found,) = plan.of_type(type_)
    return found


def test_three_replicas_share_postgresql_through_the_ha_lock(plan):
    sts = one(plan, "kubernetes:apps/v1:StatefulSet")
    assert sts.inputs["spec"]["replicas"] == 3
    server_hcl = artifacts.server_config(plan)
    assert 'storage "postgresql" {\n  ha_enabled = "true"\n  table = "vault_kv_store"\n  ha_table = "vault_ha_locks"' in server_hcl
    assert "connection_url" not in server_hcl and "retry_join" not in server_hcl
    assert 'service_registration "kubernetes"' in server_hcl


def test_pods_read_the_url_from_a_secret_and_verify_the_server(plan):
    sts = one(plan, "kubernetes:apps/v1:StatefulSet")
    pod = sts.inputs["spec"]["template"]["spec"]
    env = {e["name"]: e for e in pod["containers"][0]["env"]}
    assert env["VAULT_PG_CONNECTION_URL"] == {"name": "VAULT_PG_CONNECTION_URL", "valueFrom": {
        "secretKeyRef": {"key": "connection-url", "name": "vault-postgresql"}}}
    mounts = {m["mountPath"] for m in pod["containers"][0]["volumeMounts"]}
    assert "/vault/postgresql-ca" in mounts and "/vault/data" not in mounts
    claims = [c["metadata"]["name"] for c in sts.inputs["spec"]["volumeClaimTemplates"]]
    assert claims == ["audit"]
    assert any(dep.endswith("Job::vault-postgresql-schema-job") for dep in sts.depends_on)
    role = one(plan, "kubernetes:rbac.authorization.k8s.io/v1:Role")
    assert all("list" not in rule["verbs"] for rule in role.inputs["rules"])  # no Raft auto-join


def test_schema_job_applies_the_repository_sql_from_a_hardened_pod(plan):
    job = one(plan, "kubernetes:batch/v1:Job")
    pod = job.inputs["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["image"] == "postgres:16.6-alpine3.20"
    assert "ON_ERROR_STOP=1" in container["command"][-1] and "-f /schema/vault-postgresql.sql" in container["command"][-1]
    context = container["securityContext"]
    assert context["readOnlyRootFilesystem"] and not context["allowPrivilegeEscalation"]
    assert context["capabilities"] == {"drop": ["ALL"]} and pod["automountServiceAccountToken"] is False
    env = {e["name"]: e for e in container["env"]}
    assert env["PGSSLMODE"]["value"] == "verify-full" and env["PGPASSWORD"]["valueFrom"]["secretKeyRef"]
    sql = next(r for r in plan.of_type("kubernetes:core/v1:ConfigMap") if "vault-postgresql.sql" in r.inputs["data"])
    assert sql.inputs["data"]["vault-postgresql.sql"] == SCHEMA_FILE.read_text()


def test_rds_is_protected_encrypted_multi_az_and_backed_up(plan):
    instance = one(plan, "aws:rds/instance:Instance")
    inputs = instance.inputs
    assert instance.protect and instance.retain_on_delete
    assert inputs["multiAz"] and inputs["storageEncrypted"] and inputs["deletionProtection"]
    assert inputs["backupRetentionPeriod"] == 14 and inputs["publiclyAccessible"] is False
    assert inputs["skipFinalSnapshot"] is False and inputs["password"] == "[secret]"
    assert inputs["finalSnapshotIdentifier"] == "vault-database-postgresql-final"  # unique per stack
    parameters = {p["name"]: p["value"] for p in one(plan, "aws:rds/parameterGroup:ParameterGroup").inputs["parameters"]}
    assert parameters["rds.force_ssl"] == "1"
    group = one(plan, "aws:ec2/securityGroup:SecurityGroup").inputs
    assert [rule["securityGroups"] for rule in group["ingress"]] == [["sg-0a1b2c3d4e5f60799"]]
    assert group["ingress"][0]["fromPort"] == 5432 and group["egress"] == []
    assert len(one(plan, "aws:rds/subnetGroup:SubnetGroup").inputs["subnetIds"]) == 3


def test_no_connection_url_or_password_in_any_artifact(plan, tmp_path):
    artifacts.write(plan, tmp_path)
    passwords = [r for r in plan.resources() if r.type == "random:index/randomPassword:RandomPassword"]
    assert len(passwords) == 2
    for secret in plan.of_type("kubernetes:core/v1:Secret"):
        assert set(secret.inputs["stringData"].values()) == {"[secret]"}
    for path in tmp_path.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert "postgres://" not in text and "postgresql://" not in text, path
            assert "sslrootcert" not in text, path


def test_an_existing_database_takes_its_admin_url_as_a_secret():
    raw = schema.read_stack_file(EXAMPLE)
    raw["vault-platform:storage"]["postgresql"] = {
        "source": "existing", "ca_cert_file": "certs/example-database-ca.pem",
        "admin_connection_url": SecretPlaceholder("v1:ciphertext")}
    monitor = plan_with("postgresql", raw)
    assert not monitor.by_type("aws:rds/instance:Instance")
    names = {r.inputs["metadata"]["name"] for r in monitor.by_type("kubernetes:core/v1:Secret")}
    assert {"vault-postgresql", "vault-postgresql-admin"} <= names


def test_vault_url_uses_vault_role_and_verifies_the_server():
    url = vault_url("postgres://admin:pw@db.example.com:5432/vault?sslmode=disable&connect_timeout=5",
                    "vault", "p@ss/word", verify=True)
    assert url == ("postgres://vault:p%40ss%2Fword@db.example.com:5432/vault?connect_timeout=5&"
                   "sslmode=verify-full&sslrootcert=%2Fvault%2Fpostgresql-ca%2Fca.crt")
    assert "sslmode=require" in vault_url("postgres://a:b@db/v", "vault", "x", verify=False)
    assert admin_environment("postgres://admin:pw@db.example.com:6432/vault") == {
        "PGHOST": "db.example.com", "PGPORT": "6432", "PGDATABASE": "vault", "PGUSER": "admin", "PGPASSWORD": "pw"}


def test_the_admin_credentials_leave_the_cluster_once_the_schema_is_recorded_as_applied(plan):
    """Pending: the Job, the schema and the administrator's Secret, and a warning naming the
    id to record. Recorded: none of them (the next `pulumi up` deletes them), Vault's own
    connection Secret and CA stay. A changed schema (another id recorded) brings them back."""
    from components.kubernetes.postgresql import schema_id
    from tests.conftest import stack_raw, with_values
    from vault_platform.plan.program import run_program

    def names(recorded) -> set[str]:  # a plan or a monitor: both keep the registrations
        return {r.inputs.get("metadata", {}).get("name") for r in recorded.registrations
                if r.type.startswith("kubernetes:")}

    pg = plan.config.storage.postgresql
    current = schema_id(pg.vault_role, pg.table, pg.ha_table)
    pending = names(plan)
    assert {"vault-postgresql-admin", "vault-postgresql-schema", f"vault-postgresql-schema-{current}",
            "vault-postgresql", "vault-postgresql-ca"} <= pending
    assert any(f"set storage.postgresql.applied_schema: {current}" in w for w in plan.warnings)

    recorded = with_values(stack_raw("postgresql"), **{"storage.postgresql.applied_schema": current})
    schema.load(recorded, "Pulumi.postgresql.yaml", "postgresql")
    monitor, _, warnings = run_program(PROJECT, "postgresql", recorded)
    applied = names(monitor)
    assert {"vault-postgresql", "vault-postgresql-ca"} <= applied
    assert not {n for n in applied if n and n.startswith(("vault-postgresql-admin", "vault-postgresql-schema"))}
    assert not monitor.by_type("kubernetes:batch/v1:Job") and not any("applied_schema" in w for w in warnings)
    sts = next(r for r in monitor.registrations if r.type == "kubernetes:apps/v1:StatefulSet")
    env = {e["name"]: e for e in sts.inputs["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["VAULT_PG_CONNECTION_URL"]["valueFrom"]["secretKeyRef"]["name"] == "vault-postgresql"

    older = with_values(stack_raw("postgresql"), **{"storage.postgresql.applied_schema": "0123456789"})
    monitor, _, _ = run_program(PROJECT, "postgresql", older)
    assert len(monitor.by_type("kubernetes:batch/v1:Job")) == 1
    # Vault's role renamed: a new id, so the Job runs again to create it
    renamed = with_values(recorded, **{"storage.postgresql.vault_role": "vault_storage"})
    monitor, _, _ = run_program(PROJECT, "postgresql", renamed)
    assert len(monitor.by_type("kubernetes:batch/v1:Job")) == 1
    password = next(r for r in plan.registrations if r.type == "random:index/randomPassword:RandomPassword"
                    and "vault-password" in r.name)
    assert password.protect


def test_an_applied_schema_id_is_ten_hex_digits():
    from tests.conftest import stack_raw, with_values

    with pytest.raises(schema.ConfigError, match=r"storage.postgresql.applied_schema = 'latest'"):
        schema.load(with_values(stack_raw("postgresql"), **{"storage.postgresql.applied_schema": "latest"}),
                    "Pulumi.postgresql.yaml", "postgresql")
