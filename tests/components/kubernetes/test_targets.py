"""Vault or OpenBao: everything that differs is rendered for the stack's server — image,
binary, environment, paths, Service selectors, the server configuration (mlock, audit
devices, PostgreSQL tables, the KMS plugin, break-glass), the probes, the snapshot job.
The OpenBao example is booted as rendered in the live tier; this is the 2.7 rendering that
cannot be run here (its KMS plugin), and the Vault variants there is no binary for."""

from __future__ import annotations

import pytest

from components.config.targets import Target
from components.kubernetes.server_config import AwsKmsSeal, KmsPlugin, RaftJoin, ServerConfigSpec, render_server_config
from tests.conftest import plan_with, stack_raw, with_values

STS = "kubernetes:apps/v1:StatefulSet"


def _pod(monitor_or_plan):
    (sts,) = [r for r in monitor_or_plan.registrations if r.type == STS]
    return sts.inputs["spec"]["template"]["spec"]


def _config(plan) -> str:
    (config_map,) = [r for r in plan.registrations if r.type == "kubernetes:core/v1:ConfigMap"
                     and r.name.endswith("-config")]
    return config_map.inputs["data"]["server.hcl"]


def test_the_openbao_example_runs_bao_with_its_own_environment_paths_and_labels(stack_plan):
    plan = stack_plan("openbao")
    pod = _pod(plan)
    container = pod["containers"][0]
    assert (container["name"], container["command"], container["args"]) == (
        "openbao", ["bao"], ["server", "-config=/openbao/config/server.hcl"])
    assert container["image"] == "quay.io/openbao/openbao:2.7.2"
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert {"BAO_API_ADDR", "BAO_CLUSTER_ADDR", "BAO_RAFT_NODE_ID", "BAO_K8S_POD_NAME", "BAO_CACERT"} <= set(env)
    assert not [name for name in env if name.startswith("VAULT_")]
    assert env["HOME"] == "/home/openbao" and env["BAO_CACERT"] == "/openbao/tls/ca.crt"
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert (mounts["config"], mounts["data"], mounts["audit"], mounts["tls"]) == (
        "/openbao/config", "/openbao/data", "/openbao/audit", "/openbao/tls")
    assert "haunhealthycode" not in container["livenessProbe"]["httpGet"]["path"]  # a Vault-only code
    active = next(r for r in plan.registrations if r.type == "kubernetes:core/v1:Service"
                  and r.name.endswith("-service-active"))
    assert active.inputs["spec"]["selector"]["openbao-active"] == "true"


def test_openbao_27_runs_the_awskms_seal_as_a_plugin_copied_in_by_an_init_container(stack_plan):
    plan = stack_plan("openbao")
    text = _config(plan)
    kms = plan.config.unseal.awskms.plugin
    assert 'plugin_directory = "/openbao/plugins"' in text
    assert f'plugin "kms" "awskms" {{\n  command = "openbao-plugin-kms-aws"\n  sha256sum = "{kms.sha256sum}"\n}}' in text
    assert 'seal "awskms"' in text and "disable_mlock" not in text
    pod = _pod(plan)
    (init,) = pod["initContainers"]
    assert init["image"] == pod["containers"][0]["image"]  # the server's own image: it has cp
    assert init["command"] == ["cp", "/plugin-source/openbao-plugin-kms-aws", "/openbao/plugins/openbao-plugin-kms-aws"]
    assert init["securityContext"]["readOnlyRootFilesystem"] is True
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["kms-plugin-source"]["image"] == {"reference": kms.image, "pullPolicy": "IfNotPresent"}
    assert "emptyDir" in volumes["plugins"]
    server_mount = next(m for m in pod["containers"][0]["volumeMounts"] if m["name"] == "plugins")
    assert server_mount == {"name": "plugins", "mountPath": "/openbao/plugins", "readOnly": True}


def test_openbao_declares_its_audit_devices_in_its_configuration_and_not_through_the_api(stack_plan):
    plan = stack_plan("openbao")
    text = _config(plan)
    assert 'audit "file" "file" {' in text and 'file_path = "/openbao/audit/audit.log"' in text
    assert 'audit "file" "stdout" {' in text
    assert not plan.of_type("vault:index/audit:Audit")
    assert plan.of_type("vault:index/audit:Audit") == [] and stack_plan("staging").of_type("vault:index/audit:Audit")


def test_the_openbao_snapshot_job_uses_bao(stack_plan):
    (job,) = stack_plan("openbao").of_type("kubernetes:batch/v1:CronJob")
    (init,) = job.inputs["spec"]["jobTemplate"]["spec"]["template"]["spec"]["initContainers"]
    script = init["command"][-1]
    assert "bao operator raft snapshot save" in script and "BAO_TOKEN" in script and "vault " not in script
    assert {e["name"] for e in init["env"]} == {"BAO_ADDR", "HOME", "BAO_CACERT"}


@pytest.mark.parametrize("target, rendered, absent", [
    (Target("vault", (1, 21, 9)), [], ["enable_unauthenticated_access", "disable_unauthed"]),
    (Target("vault", (2, 0, 4)), ['enable_unauthenticated_access = ["generate-root"]'], ["disable_unauthed"]),
    (Target("openbao", (2, 7, 2)), ['address = "127.0.0.1:8210"', "disable_unauthed_generate_root_endpoints = false"],
     ["enable_unauthenticated_access"]),
])
def test_break_glass_without_a_token_is_rendered_the_way_each_server_allows_it(target, rendered, absent):
    spec = ServerConfigSpec(storage="raft", tls_enabled=True, target=target, unauthenticated_generate_root=True,
                            raft_join=RaftJoin("ns", "a=b", "vault-internal"))
    text = render_server_config(spec)
    assert all(line in text for line in rendered) and not any(word in text for word in absent)
    off = render_server_config(ServerConfigSpec(storage="raft", tls_enabled=True, target=target,
                                                raft_join=RaftJoin("ns", "a=b", "vault-internal")))
    assert not any(word in off for word in ("enable_unauthenticated_access", "disable_unauthed", "8210"))


def test_openbao_26_keeps_the_builtin_seal_and_postgresql_skips_creating_tables():
    seal = AwsKmsSeal("eu-west-1", "key", plugin=None)
    text = render_server_config(ServerConfigSpec(storage="postgresql", tls_enabled=True,
                                                 target=Target("openbao", (2, 6, 2)), seal=seal))
    assert "plugin" not in text and 'seal "awskms"' in text and 'skip_create_table = "true"' in text
    vault = render_server_config(ServerConfigSpec(storage="postgresql", tls_enabled=True, seal=seal))
    assert "skip_create_table" not in vault and "disable_mlock = true" in vault
    plugin = AwsKmsSeal("eu-west-1", "key", KmsPlugin("openbao-plugin-kms-aws", "ab" * 32))
    assert 'plugin "kms" "awskms"' in render_server_config(
        ServerConfigSpec(storage="raft", tls_enabled=True, target=Target("openbao", (2, 7, 2)), seal=plugin,
                         raft_join=RaftJoin("ns", "a=b", "x")))


def test_postgresql_storage_on_openbao_reads_bao_pg_connection_url():
    raw = with_values(stack_raw("postgresql"), **{"cluster.distribution": "openbao", "cluster.image.tag": "2.6.2"})
    monitor = plan_with("postgresql", raw)
    env = {e["name"] for e in _pod(monitor)["containers"][0]["env"]}
    assert "BAO_PG_CONNECTION_URL" in env and "VAULT_PG_CONNECTION_URL" not in env


def test_vault_liveness_survives_an_election_and_the_default_is_vault_20(stack_plan):
    container = _pod(stack_plan("production"))["containers"][0]
    assert container["image"] == ("hashicorp/vault:2.0.4@sha256:"
                                  "5be49781ecf78bfe775c5309c6a4d9f4e9e040b6c885c99eb2b12fb69855e1a2")
    assert container["command"] == ["vault"]
    assert "haunhealthycode=204" in container["livenessProbe"]["httpGet"]["path"]
