"""Removing objects from a stack with the deploy identity alone.

Pulumi deletes what a stack no longer declares *after* the program has updated the deploy
policy, which no longer names it. The program reads the deploy policy the server holds (the
Vault provider's ``generic/getSecret`` read, made here with the deploy identity's own
token) and keeps *retiring* grants — read, list, delete — for what it named and the stack
no longer declares; the next apply drops them. Proven on dev: a role, a quota and a
database role removed in one apply with the deploy token alone; without the retiring
grants the same deletion is refused; the apply after narrows the policy again.
"""

from __future__ import annotations

import json

import pytest

from components.config.vault.stack_policies import DEPLOY_POLICY, RETIRING
from tests.conftest import PROJECT, stack_raw
from tests.databases import analytics_database
from tests.live.deploy import apply, boot, deploy_token, surroundings
from vault_platform.plan.mocks import PlanMocks, RecordingMonitor
from vault_platform.plan.program import run_program

READ = "vault:generic/getSecret:getSecret"


class ServerHolds(PlanMocks):
    """The plan's mocks, except that the provider's read of the deploy policy answers with
    what the live server holds."""

    def __init__(self, policy_text: str):
        super().__init__()
        self.policy_text = policy_text
        self.reads = 0

    def call(self, args):
        if args.token == READ and args.args.get("path") == f"sys/policies/acl/{DEPLOY_POLICY}":
            self.reads += 1
            data = {"name": DEPLOY_POLICY, "policy": self.policy_text}
            return {"path": args.args["path"], "data": data, "dataJson": json.dumps(data)}
        return super().call(args)


def _plan(raw: dict, live_policy: str) -> tuple[list[dict], str]:
    """The dev program run with ``raw`` while the server holds ``live_policy``: its
    registrations and the deploy policy it writes."""
    mocks = ServerHolds(live_policy)
    monitor, _, _ = run_program(PROJECT, "dev", raw, RecordingMonitor(mocks))
    assert mocks.reads == 1, "the program reads the deploy policy the server holds"
    resources = [r.as_json() for r in monitor.registrations]
    policy = next(r["inputs"]["policy"] for r in resources
                  if r["type"] == "vault:index/policy:Policy" and r["inputs"]["name"] == DEPLOY_POLICY)
    return resources, policy


def _without(raw: dict) -> dict:
    """dev without the batch-jobs role, the database-credentials quota and one database role."""
    vault = raw["vault-platform:vault"]
    vault["roles"] = [r for r in vault["roles"] if r["name"] != "batch-jobs"]
    vault["quotas"] = [q for q in vault["quotas"] if q["name"] != "database-credentials"]
    database = next(e for e in vault["secret_engines"] if e["type"] == "database")["database"]
    gone = database["roles"].pop()["name"]
    for connection in database["connections"]:
        connection["allowed_roles"] = [r for r in connection.get("allowed_roles", []) if r != gone]
    return raw


@pytest.fixture
def dev(stack_plan, tmp_path, bao, test_ca, oidc, kubernetes_api, postgres, log_collector):
    plan = stack_plan("dev")
    cluster = boot(plan, tmp_path / "servers", bao, test_ca)
    around = surroundings(plan, tmp_path / "audit", test_ca, oidc, kubernetes_api, postgres, log_collector)
    try:
        with analytics_database(postgres):
            yield apply(plan, cluster, around, token=deploy_token(plan, cluster))
    finally:
        cluster.stop()


def test_objects_removed_from_the_stack_are_deleted_by_the_deploy_identity_and_the_next_apply_narrows_it(dev):
    deployer = dev.client(token=dev.applier.child_token)
    held = deployer.get(f"sys/policies/acl/{DEPLOY_POLICY}").expect(200).data["policy"]
    raw = _without(stack_raw("dev"))
    removed_role = "auth/kubernetes/role/batch-jobs"
    database_role = next(e for e in dev.plan.config.vault.secret_engines if e.type == "database")
    removed_db_role = f"{database_role.path}/roles/{database_role.database.roles[-1].name}"

    resources, policy = _plan(raw, held)
    retiring = {block.split('"')[1] for block in policy.split(RETIRING)[1:]}
    assert retiring == {removed_role, removed_db_role, "sys/quotas/rate-limit/database-credentials"}, policy
    assert 'capabilities = ["read", "delete"]' in policy.split(f'path "{removed_role}"')[1].split("}")[0]

    deleted = dev.applier.update(resources)
    assert {"vault-config-role-kubernetes-batch-jobs", "vault-config-quota-rate-limit-database-credentials"} \
        <= set(deleted), deleted
    root = dev.client()
    assert root.get(removed_role).status == 404 and root.get(removed_db_role).status == 404
    assert root.get("sys/quotas/rate-limit/database-credentials").status in (400, 404)

    narrowed_resources, narrowed = _plan(raw, deployer.get(f"sys/policies/acl/{DEPLOY_POLICY}").expect(200)
                                         .data["policy"])
    assert RETIRING not in narrowed and removed_role not in narrowed
    dev.applier.update(narrowed_resources)
    assert root.get(f"sys/policies/acl/{DEPLOY_POLICY}").expect(200).data["policy"] == narrowed


def test_without_the_retiring_grants_the_deletion_is_refused(dev):
    """Why the retiring grants exist: the narrowed policy alone cannot delete what it no
    longer names."""
    resources, _ = _plan(_without(stack_raw("dev")), "")
    narrowed = next(r["inputs"]["policy"] for r in resources
                    if r["type"] == "vault:index/policy:Policy" and r["inputs"]["name"] == DEPLOY_POLICY)
    dev.client().put(f"sys/policies/acl/{DEPLOY_POLICY}", {"policy": narrowed}).expect(204)
    answer = dev.client(token=dev.applier.child_token).request("DELETE", "auth/kubernetes/role/batch-jobs")
    assert answer.status == 403
