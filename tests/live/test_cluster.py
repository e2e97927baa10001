"""A three-node Raft cluster booted from staging's rendered ``server.hcl`` (TLS, Raft joined
through the leader's address with the rendered TLS name and CA, the AWS KMS seal on moto's
KMS, OpenBao 2.6.2), with staging's configuration applied — and what an operator does
with it: ``status`` while nodes are sealed, dead, not yet voting, or the quorum is lost;
``snapshot list`` and ``snapshot restore`` of a snapshot the CronJob's own identity took.

Each scenario puts the cluster back as it found it (the next one starts healthy).
"""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest

from tests.live.deploy import apply, boot, surroundings
from tests.live.servers import wait_until

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def cluster(stack_plan, tmp_path_factory, bao_awskms, test_ca, moto, kubernetes_api, oidc, log_collector):
    plan = stack_plan("staging")
    booted = boot(plan, tmp_path_factory.mktemp("cluster"), bao_awskms, test_ca, replicas=3, moto=moto)
    try:
        wait_until(lambda: _healthy(booted), 120, "three voters, autopilot healthy, one failure tolerated")
        plan = dataclasses.replace(plan, registrations=[  # no database here (the stacks' tests prove it)
            r for r in plan.registrations if not r.type.startswith("vault:database/")])
        apply(plan, booted, surroundings(plan, tmp_path_factory.mktemp("cluster-audit"), test_ca, oidc,
                                         kubernetes_api, log_collector=log_collector))
        yield booted
    finally:
        booted.stop()


def _voters(cluster) -> int:
    servers = cluster.client().get("sys/storage/raft/configuration").data.get("config", {}).get("servers", [])
    return sum(1 for s in servers if s["voter"])


def _active(cluster):
    return next(node for node in cluster.nodes if node.process.poll() is None and node.health().status == 200)


def _healthy(cluster) -> bool:
    try:
        leader = _active(cluster)
    except StopIteration:
        return False
    state = leader.client(cluster.root).get("sys/storage/raft/autopilot/state")
    return (state.status == 200 and state.data.get("healthy") and len(state.data.get("voters", [])) == 3
            and state.data.get("failure_tolerance") == 1)


def _drift_token(cluster, oidc) -> str:
    """A token of admin-readonly, the read-only identity ``status`` and ``drift`` run as."""
    jwt = oidc.token({"repository": "example-org/vault-platform", "environment": "staging-read",
                      "aud": "https://github.com/example-org", "sub": "status"})
    return _active(cluster).client(token="").post("auth/jwt-github/login", {"role": "drift", "jwt": jwt}
                                                   ).expect(200).body["auth"]["client_token"]


def status(cluster, oidc, monkeypatch, capsys, node=None) -> tuple[int, dict]:
    from vault_platform.cli import main

    monkeypatch.setenv("VAULT_TOKEN", _drift_token(cluster, oidc) if node is None else cluster.root)
    monkeypatch.setenv("VAULT_CACERT", str(cluster.ca))
    node = node or _active(cluster)
    code = main(["status", "--stack", "staging", "--address", node.address, "--format", "json"])
    out, err = capsys.readouterr()
    assert not err or code != 0, err
    return code, json.loads(out) if out else {"error": err}


def _restart(cluster, *nodes) -> None:
    for node in nodes:
        node.stop()
        node.start()
    wait_until(lambda: _healthy(cluster), 120, "the cluster healthy again")


@pytest.fixture
def restore(cluster):
    """Nodes a scenario stops or seals are started again afterwards, whatever happened."""
    changed = []
    yield changed.append
    if changed:
        _restart(cluster, *changed)


def test_status_of_a_healthy_cluster(cluster, oidc, monkeypatch, capsys):
    code, report = status(cluster, oidc, monkeypatch, capsys)
    assert code == 0 and report["healthy"], report
    assert len(report["nodes"]) == 3 and report["failure_tolerance"] == 1
    assert sum(1 for peer in report["raft_peers"] if peer["voter"]) == 3


def test_status_names_a_sealed_node(cluster, oidc, monkeypatch, capsys, restore):
    leader = _active(cluster)
    restore(leader)  # the KMS seal unseals it at start
    leader.client(cluster.root).put("sys/seal").expect(204)  # the active node seals; another takes over
    wait_until(lambda: any(n is not leader and n.health().status == 200 for n in cluster.nodes), 60, "a new leader")
    code, report = status(cluster, oidc, monkeypatch, capsys)
    assert code == 1 and not report["healthy"]
    assert any(leader.name in problem for problem in report["problems"]), report  # named by its Raft node id


def test_status_names_a_dead_node(cluster, oidc, monkeypatch, capsys, restore):
    follower = next(n for n in cluster.nodes if n.health().status == 429)
    restore(follower)
    follower.kill()
    code, report = status(cluster, oidc, monkeypatch, capsys)
    assert code == 1 and not report["healthy"], report
    assert any(follower.address in p for p in report["problems"]), report["problems"]


def test_status_of_a_cluster_that_lost_its_quorum_is_unhealthy_not_unreadable(cluster, oidc, monkeypatch, capsys,
                                                                               restore):
    token = _drift_token(cluster, oidc)
    leader = _active(cluster)
    survivor, other = [n for n in cluster.nodes if n is not leader]
    restore(leader)
    restore(other)
    leader.kill()
    other.kill()  # nothing to wait for: a lone node of three can never elect itself
    from vault_platform.cli import main

    monkeypatch.setenv("VAULT_TOKEN", token)
    monkeypatch.setenv("VAULT_CACERT", str(cluster.ca))
    code = main(["status", "--stack", "staging", "--address", survivor.address, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 1, f"exit {code}: {err}"
    report = json.loads(out)
    assert not report["healthy"] and any("no active node" in p for p in report["problems"]), report


def test_status_counts_voters_against_the_replicas_the_stack_promises(cluster, oidc, monkeypatch, capsys, restore):
    """A node that rejoined is a non-voter until autopilot promotes it: three nodes answer,
    autopilot is healthy, yet the cluster tolerates no failure — not what 3 replicas promise."""
    root = _active(cluster).client(cluster.root)
    root.post("sys/storage/raft/autopilot/configuration", {"server_stabilization_time": "1h"}).expect(204, 200)
    follower = next(n for n in cluster.nodes if n.health().status == 429)
    follower.stop()
    restore(follower)
    root.post("sys/storage/raft/remove-peer", {"server_id": follower.name}).expect(204, 200)
    for entry in follower.workdir.glob("data/*"):  # a replaced pod: a new, empty volume
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    follower.start()
    wait_until(lambda: follower.health().status == 429, 90, f"{follower.name} rejoined as a standby")
    code, report = status(cluster, oidc, monkeypatch, capsys)
    assert code == 1 and not report["healthy"], report
    assert any("voters" in p for p in report["problems"]), report["problems"]
    root.post("sys/storage/raft/autopilot/configuration", {"server_stabilization_time": "10s"}).expect(204, 200)
    wait_until(lambda: _healthy(cluster), 120, "the rejoined node promoted")
