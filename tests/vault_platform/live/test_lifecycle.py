"""The lifecycle procedures' parts that need no server: the ``kubectl`` commands they run,
the durations autopilot prints, and the rule that a restarted server counts as back only
once the leader heard from it after its old pod was gone. (The procedures themselves run
on a real five-node Raft cluster in ``tests/live/test_lifecycle.py``.)"""

from __future__ import annotations

import subprocess
import time

import pytest

from vault_platform.live import lifecycle


class Recorder:
    def __init__(self, returncode: int = 0, stderr: str = ""):
        self.commands: list[list[str]] = []
        self.returncode, self.stderr = returncode, stderr

    def __call__(self, command, **kwargs):
        self.commands.append(command)
        return subprocess.CompletedProcess(command, self.returncode, "", self.stderr)


def test_kubectl_deletes_a_pod_and_waits_and_shrinks_the_statefulset_then_waits_for_its_last_pod():
    run = Recorder()
    pods = lifecycle.Kubectl("vault-system", "vault", context="prod", timeout=300, run=run)
    pods.delete("vault-1")
    pods.scale(3)
    assert run.commands == [
        ["kubectl", "--context", "prod", "--namespace", "vault-system", "delete", "pod", "vault-1", "--wait=true",
         "--timeout=300s"],
        ["kubectl", "--context", "prod", "--namespace", "vault-system", "scale", "statefulset/vault", "--replicas=3"],
        ["kubectl", "--context", "prod", "--namespace", "vault-system", "wait", "--for=delete", "pod/vault-3",
         "--timeout=300s"],
    ]


def test_a_failing_kubectl_stops_the_procedure_with_its_message():
    pods = lifecycle.Kubectl("vault-system", "vault", run=Recorder(1, 'pods "vault-9" not found'))
    with pytest.raises(lifecycle.LifecycleError, match=r'kubectl --namespace vault-system delete pod vault-9 .*'
                                                       r'failed: pods "vault-9" not found'):
        pods.delete("vault-9")


@pytest.mark.parametrize("text, seconds", [("0s", 0), ("1.5s", 1.5), ("2m3.5s", 123.5), ("850ms", 0.85),
                                           ("1h0m0s", 3600)])
def test_go_durations(text, seconds):
    assert lifecycle.go_duration(text) == pytest.approx(seconds)


def test_ordinals_come_from_pod_names():
    assert lifecycle.ordinal("vault-12") == 12
    with pytest.raises(lifecycle.LifecycleError, match="not a StatefulSet pod name"):
        lifecycle.ordinal("node-a")


class ScriptedOperator:
    """Autopilot's answers, one per read, as a server restarts: its last contact first
    grows (the old pod is gone, the leader still calls it healthy), then is fresh."""

    def __init__(self, contacts: list[str]):
        self.contacts = contacts
        self.reads = 0

    def get(self, path):
        contact = self.contacts[min(self.reads, len(self.contacts) - 1)]
        self.reads += 1
        servers = {f"vault-{n}": {"healthy": True, "status": "voter", "version": "2.7.2", "last_contact": "0.1s"}
                   for n in range(3)}
        servers["vault-1"]["last_contact"] = contact
        servers["vault-0"]["status"] = "leader"
        return {"data": {"healthy": True, "leader": "vault-0", "servers": servers}}


def test_a_server_autopilot_still_calls_healthy_is_not_back_until_the_leader_hears_from_it():
    class SlowPods:
        def delete(self, pod):
            time.sleep(0.3)  # the old pod goes; the leader heard from it last before this

    # healthy all along, but the contacts are older than the deletion until the fourth read
    operator = ScriptedOperator(["0.5s", "0.7s", "0.9s", "0.01s"])
    said: list[str] = []
    procedure = lifecycle.Procedure(operator, SlowPods(), say=said.append, timeout=10, poll=0.01)
    procedure.restart("vault-1", 3, "2.7.2")
    assert operator.reads == 4
    assert said[-1].startswith("vault-1: back, healthy and voting, version 2.7.2")


class StateOperator:
    """Autopilot's answers from a dict the test changes; writes recorded."""

    def __init__(self, servers: dict[str, dict], leader: str):
        self.servers, self.leader, self.writes = servers, leader, []

    def get(self, path):
        healthy = all(s["healthy"] for s in self.servers.values())
        return {"data": {"healthy": healthy, "leader": self.leader, "servers": {
            sid: {**s, "status": "leader" if sid == self.leader else "voter", "version": "2.7.2",
                  "last_contact": "0.1s"} for sid, s in self.servers.items()}}}

    def post(self, path, body):
        self.writes.append((path, body))
        self.servers.pop(body["server_id"])


def test_a_scale_down_that_stopped_after_shrinking_resumes_with_the_dead_server():
    """vault-4's pod is gone (a previous run stopped before remove-peer): the cluster is not
    healthy, yet the servers that stay are, so the procedure goes on and removes it."""
    servers = {f"vault-{n}": {"healthy": n != 4} for n in range(5)}
    operator = StateOperator(servers, "vault-0")

    class Pods:
        scaled: list[int] = []

        def scale(self, replicas):
            self.scaled.append(replicas)
            for n in range(replicas, 5):
                servers.get(f"vault-{n}", {})["healthy"] = False

    pods = Pods()
    said: list[str] = []
    removed = lifecycle.scale_down(lifecycle.Procedure(operator, pods, say=said.append, timeout=5, poll=0.01), 3)
    assert removed == ["vault-4", "vault-3"] and pods.scaled == [4, 3]
    assert operator.writes == [("sys/storage/raft/remove-peer", {"server_id": "vault-4"}),
                               ("sys/storage/raft/remove-peer", {"server_id": "vault-3"})]
    # a server that stays being down stops it before any step
    servers = {f"vault-{n}": {"healthy": n != 1} for n in range(5)}
    with pytest.raises(lifecycle.LifecycleError, match="the servers that stay are not ready: 3 of 3 voting, "
                                                       "unhealthy: vault-1"):
        lifecycle.scale_down(lifecycle.Procedure(StateOperator(servers, "vault-0"), Pods(), timeout=1, poll=0.01), 3)
