"""The cluster lifecycle commands on a real Raft cluster: five OpenBao 2.6.2 nodes booted
from staging's rendered configuration (TLS, the awskms seal on moto's KMS, so a restarted
node unseals itself as a pod would), driven through ``vault-platform cluster scale-down``
and ``cluster upgrade`` with a token of the shipped ``cluster-operator`` policy only.

Kubernetes' part — deleting a pod, which the StatefulSet starts again; shrinking the
StatefulSet — is played by stopping and starting the node processes (:class:`LocalPods`);
the ``kubectl`` commands the procedures run in a cluster are checked apart, in
``tests/vault_platform/live/test_lifecycle.py``. Scale-down runs first (five to the three
staging promises), then the upgrade of those three; autopilot is staging's, as applied.
"""

from __future__ import annotations

import re

import pytest

from components.config import load_stack_file
from tests.conftest import PROJECT
from tests.live.deploy import boot
from tests.live.servers import wait_until
from vault_platform.live import lifecycle

pytestmark = pytest.mark.timeout(420)

POLICY = (PROJECT / "policies" / "cluster-operator.hcl").read_text()


class LocalPods:
    """What the StatefulSet does to pods, done to the node processes."""

    def __init__(self, cluster):
        self.nodes = {node.name: node for node in cluster.nodes}
        self.events: list[str] = []

    def delete(self, pod: str) -> None:
        node = self.nodes[pod]
        node.stop()  # SIGTERM, as the kubelet sends it
        self.events.append(f"delete {pod}")
        node.start()  # the StatefulSet's replacement, same volume and identity

    def scale(self, replicas: int) -> None:
        for name, node in self.nodes.items():
            if lifecycle.ordinal(name) >= replicas and node.process.poll() is None:
                node.stop()
                self.events.append(f"stop {name}")


@pytest.fixture(scope="module")
def five(stack_plan, tmp_path_factory, bao_awskms, test_ca, moto):
    cluster = boot(stack_plan("staging"), tmp_path_factory.mktemp("lifecycle"), bao_awskms, test_ca, replicas=5,
                   moto=moto)
    try:
        wait_until(lambda: _voters(cluster) == 5, 120, "five healthy voters")
        autopilot = load_stack_file(PROJECT / "Pulumi.staging.yaml").vault.autopilot
        cluster.client().post("sys/storage/raft/autopilot/configuration", {
            "cleanup_dead_servers": autopilot.cleanup_dead_servers, "min_quorum": autopilot.min_quorum,
            "dead_server_last_contact_threshold": autopilot.dead_server_last_contact_threshold,
            "server_stabilization_time": autopilot.server_stabilization_time}).expect(200, 204)
        yield cluster
    finally:
        cluster.stop()


def _voters(cluster) -> int:
    try:
        state = cluster.client().get("sys/storage/raft/autopilot/state")
    except Exception:  # noqa: BLE001 - a node restarting
        return 0
    data = state.data if state.status == 200 else {}
    return len(data.get("voters") or []) if data.get("healthy") else 0


def operator_token(cluster) -> str:
    client = cluster.client()
    client.put("sys/policies/acl/cluster-operator", {"policy": POLICY}).expect(204)
    return client.post("auth/token/create", {"policies": ["cluster-operator"], "ttl": "1h"}
                       ).expect(200).body["auth"]["client_token"]


def run_cluster(five, monkeypatch, capsys, pods, *args: str) -> tuple[int, str]:
    from vault_platform.cli import main
    from vault_platform.commands import cluster as command

    monkeypatch.setenv("VAULT_TOKEN", operator_token(five))
    monkeypatch.setenv("VAULT_CACERT", str(five.ca))
    real = command._procedure

    def local(parsed, config):
        procedure = real(parsed, config)
        procedure.pods, procedure.poll = pods, 0.5
        return procedure

    monkeypatch.setattr(command, "_procedure", local)
    code = main(["cluster", *args, "--stack", "staging", "--address", five.leader.address, "--timeout", "120"])
    out, _ = capsys.readouterr()
    return code, out


def test_scale_down_removes_the_highest_servers_one_at_a_time(five, monkeypatch, capsys):
    pods = LocalPods(five)
    code, out = run_cluster(five, monkeypatch, capsys, pods, "scale-down", "--to", "3")
    assert code == 0, out
    assert pods.events == ["stop staging-4", "stop staging-3"]
    assert "staging-4: removing it from Raft" in out and "staging-3: removed; 3 voters, healthy" in out
    state = five.client().get("sys/storage/raft/autopilot/state").expect(200).data
    assert sorted(state["voters"]) == ["staging-0", "staging-1", "staging-2"] and state["healthy"]
    assert state["failure_tolerance"] == 1
    servers = five.client().get("sys/storage/raft/configuration").expect(200).data["config"]["servers"]
    assert sorted(s["node_id"] for s in servers) == ["staging-0", "staging-1", "staging-2"]
    # the stack file decides the size: scaling to anything else is refused before any step
    code, out = run_cluster(five, monkeypatch, capsys, pods, "scale-down", "--to", "1")
    assert code == 2 and not pods.events[2:]


def test_upgrade_restarts_standbys_first_and_the_leader_last_after_stepping_down(five, monkeypatch, capsys):
    pods = LocalPods(five)
    leader = five.client().get("sys/storage/raft/autopilot/state").expect(200).data["leader"]
    code, out = run_cluster(five, monkeypatch, capsys, pods, "upgrade", "--version", "2.6.2")
    assert code == 0, out
    standbys = sorted({"staging-0", "staging-1", "staging-2"} - {leader})
    assert pods.events == [f"delete {standbys[0]}", f"delete {standbys[1]}", f"delete {leader}"]
    assert re.search(rf"{leader}: stepping down\n(\S+): now leads", out), out
    new_leader = re.search(r"(\S+): now leads", out).group(1)
    assert new_leader in standbys  # a restarted, healthy standby took over before the old leader went
    assert out.count("back, healthy and voting, version 2.6.2") == 3
    state = five.client().get("sys/storage/raft/autopilot/state").expect(200).data
    assert state["healthy"] and len(state["voters"]) == 3


def test_upgrade_waits_for_the_version_the_stack_declares_and_gives_up_saying_why(five, monkeypatch, capsys):
    pods = LocalPods(five)
    # the restarted server reports 2.6.2, never the stack's 2.0.4: the first step times out
    from vault_platform.commands import cluster as command

    real = command._procedure

    def short(parsed, config):
        procedure = real(parsed, config)
        procedure.timeout = 20
        return procedure

    monkeypatch.setattr(command, "_procedure", short)
    code, out = run_cluster(five, monkeypatch, capsys, pods, "upgrade")
    assert code == 1
    assert re.search(r"gave up waiting for staging-\d to come back healthy and voting on 2\.0\.4 after 20 s", out), out
    assert len(pods.events) == 1  # it stopped at the first server
    wait_until(lambda: _voters(five) == 3, 60, "the cluster healthy again")
