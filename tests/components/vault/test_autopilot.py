"""Raft autopilot's configuration: declared per stack, held to the cluster's size, applied
through the Vault provider, granted to the deploy identity and read by drift's."""

from __future__ import annotations

import pytest

from components import config as schema
from tests.conftest import plan_with, stack_raw

AUTOPILOT = "vault:index/raftAutopilot:RaftAutopilot"


def test_production_declares_cleanup_above_its_five_servers(stack_plan):
    (autopilot,) = stack_plan("production").of_type(AUTOPILOT)
    assert autopilot.inputs == {"cleanupDeadServers": True, "minQuorum": 5, "deadServerLastContactThreshold": "24h",
                                "lastContactThreshold": "10s", "serverStabilizationTime": "10s",
                                "maxTrailingLogs": 1000}
    assert not stack_plan("dev").of_type(AUTOPILOT)  # one node on file storage


def test_the_derived_policies_grant_exactly_the_autopilot_configuration(tmp_path):
    from vault_platform.cli import main

    assert main(["plan", "--stack", "production", "--out", str(tmp_path)]) == 0
    policies = tmp_path / "vault" / "policies"
    deploy = (policies / "vault-platform-deploy.hcl").read_text()
    reader = (policies / "vault-platform-reader.hcl").read_text()
    assert ('path "sys/storage/raft/autopilot/configuration" {\n  capabilities = ["read", "update"]\n}' in deploy)
    assert ('path "sys/storage/raft/autopilot/configuration" {\n  capabilities = ["read"]\n}' in reader)


def test_min_quorum_defaults_to_the_cluster_size():
    raw = stack_raw("production")
    del raw["vault-platform:vault"]["autopilot"]["min_quorum"]
    (autopilot,) = plan_with("production", raw).by_type(AUTOPILOT)
    assert autopilot.inputs["minQuorum"] == 5


@pytest.mark.parametrize("changes, fragment", [
    ({"min_quorum": 7}, "vault.autopilot.min_quorum = 7: above cluster.replicas (5): autopilot could never clean up; "
                        "allowed: 3 to 5"),
    ({"min_quorum": 2}, "vault.autopilot.min_quorum = 2: input should be greater than or equal to 3"),
    ({"dead_server_last_contact_threshold": "30s"},
     "vault.autopilot.dead_server_last_contact_threshold = '30s': at least 1m and longer than last_contact_threshold"),
])
def test_bad_autopilot_settings_are_named(changes, fragment):
    raw = stack_raw("production")
    raw["vault-platform:vault"]["autopilot"].update(changes)
    with pytest.raises(schema.ConfigError) as caught:
        schema.load(raw, "Pulumi.production.yaml", "production")
    assert fragment in str(caught.value), str(caught.value)


def test_production_must_declare_autopilot():
    raw = stack_raw("production")
    del raw["vault-platform:vault"]["autopilot"]
    with pytest.raises(schema.ConfigError, match="vault.autopilot: required in production with Raft storage"):
        schema.load(raw, "Pulumi.production.yaml", "production")


def test_autopilot_needs_raft_storage():
    raw = stack_raw("postgresql")
    raw.setdefault("vault-platform:vault", {})["autopilot"] = {"min_quorum": 3}
    with pytest.raises(schema.ConfigError, match="vault.autopilot: only valid with Raft storage, not postgresql"):
        schema.load(raw, "Pulumi.postgresql.yaml", "postgresql")
