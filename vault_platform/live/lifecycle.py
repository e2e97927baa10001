"""``vault-platform cluster upgrade`` and ``cluster scale-down``: the procedures that change
a Raft cluster's servers one at a time, each step gated on autopilot's view of the cluster.

*Upgrade* — after ``pulumi up`` changed the pod template (the StatefulSet is ``OnDelete``,
so nothing restarted yet): the cluster must be healthy with every promised server voting;
then each standby in turn is restarted (its pod deleted: Kubernetes starts it from the new
template) and the next waits until autopilot reports it back — healthy, voting, on the
expected version; last, the active node steps down, and once another node leads it is
restarted the same way.

*Scale-down* to N — after ``cluster.replicas`` became N in the stack file, before the
``pulumi up`` that applies it: from the highest ordinal down to N, one server at a time,
a leading server steps down first, the StatefulSet shrinks by one (its pod stops), the
server is removed from Raft (``remove-peer``), and the next step waits until autopilot is
healthy with one voter fewer. The volume claims stay (the StatefulSet retains them).

How pods restart and shrink is :class:`Pods` (``kubectl`` in :class:`Kubectl`); what the
cluster says is read through the Vault API with an operator's token (policy
``cluster-operator``).
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Protocol

from vault_platform.live.client import LiveError, VaultOperator


class LifecycleError(RuntimeError):
    """The procedure stopped: the cluster is not in a state to take the next step."""


class Pods(Protocol):
    def delete(self, pod: str) -> None:
        """Delete ``pod``; return once its server has stopped (its controller starts it again)."""

    def scale(self, replicas: int) -> None:
        """Shrink the StatefulSet to ``replicas``; return once the pods beyond have stopped."""


@dataclass
class Kubectl:
    """:class:`Pods` through ``kubectl`` (its current context unless ``context`` names one)."""

    namespace: str
    statefulset: str
    context: Optional[str] = None
    timeout: int = 600
    run: Callable[..., Any] = subprocess.run

    def _kubectl(self, *args: str) -> None:
        command = ["kubectl", *(["--context", self.context] if self.context else []), "--namespace", self.namespace,
                   *args]
        done = self.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise LifecycleError(f"{' '.join(command)} failed: {(done.stderr or done.stdout).strip()}")

    def delete(self, pod: str) -> None:
        self._kubectl("delete", "pod", pod, "--wait=true", f"--timeout={self.timeout}s")

    def scale(self, replicas: int) -> None:
        self._kubectl("scale", f"statefulset/{self.statefulset}", f"--replicas={replicas}")
        self._kubectl("wait", "--for=delete", f"pod/{self.statefulset}-{replicas}", f"--timeout={self.timeout}s")


@dataclass
class Server:
    id: str
    healthy: bool
    voter: bool
    version: str
    last_contact: float = 0.0
    """Seconds since the leader last heard from it, as of the read."""


@dataclass
class Autopilot:
    healthy: bool
    leader: str
    servers: dict[str, Server] = field(default_factory=dict)
    read_at: float = 0.0
    """When it was read (``time.monotonic()``)."""

    def heard_from_since(self, server: str, moment: float) -> bool:
        """The leader heard from ``server`` after ``moment`` (``time.monotonic()``)."""
        found = self.servers.get(server)
        return found is not None and self.read_at - found.last_contact > moment

    @property
    def voters(self) -> list[str]:
        return sorted(s.id for s in self.servers.values() if s.voter)


def read_autopilot(operator: VaultOperator) -> Autopilot:
    """Autopilot's view of the cluster (``sys/storage/raft/autopilot/state``)."""
    read_at = time.monotonic()
    answer = operator.get("sys/storage/raft/autopilot/state") or {}
    data = answer.get("data") or answer
    if not data.get("servers"):
        raise LiveError("autopilot reports no servers: is the storage Raft?")
    servers = {
        sid: Server(sid, bool(s.get("healthy")), s.get("status") in ("voter", "leader"), str(s.get("version") or "?"),
                    go_duration(str(s.get("last_contact") or "0s")))
        for sid, s in data["servers"].items()
    }
    return Autopilot(bool(data.get("healthy")), str(data.get("leader") or ""), servers, read_at)


_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def go_duration(text: str) -> float:
    """Seconds in a Go duration as Vault prints it (``0s``, ``1.25s``, ``2m3.5s``, ``850ms``)."""
    parts = re.findall(r"([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)", text)
    if not parts:
        raise LiveError(f"not a duration: {text!r}")
    return sum(float(number) * _GO_UNITS[unit] for number, unit in parts)


def ordinal(server_id: str) -> int:
    """The StatefulSet ordinal a server's id (its pod's name) ends with."""
    found = re.search(r"-([0-9]+)$", server_id)
    if not found:
        raise LifecycleError(f"server id {server_id!r} is not a StatefulSet pod name (<name>-<ordinal>)")
    return int(found.group(1))


@dataclass
class Procedure:
    """What both procedures share: the Vault API, the pods, the waits and the log."""

    operator: VaultOperator
    pods: Pods
    say: Callable[[str], None] = print
    timeout: float = 600
    """Seconds each wait may take."""
    poll: float = 2.0

    def state(self) -> Autopilot:
        return read_autopilot(self.operator)

    def wait(self, what: str, done: Callable[[Autopilot], bool]) -> Autopilot:
        """Poll autopilot until ``done``; a read that fails meanwhile (an election) is retried."""
        end, last = time.monotonic() + self.timeout, "no answer yet"
        while time.monotonic() < end:
            try:
                state = self.state()
                if done(state):
                    return state
                unhealthy = sorted(s.id for s in state.servers.values() if not s.healthy)
                last = f"leader {state.leader or 'none'}, voters {', '.join(state.voters)}" + (
                    f", unhealthy {', '.join(unhealthy)}" if unhealthy else "")
            except LiveError as error:
                last = str(error)
            time.sleep(self.poll)
        raise LifecycleError(f"gave up waiting for {what} after {self.timeout:.0f} s (last: {last})")

    def require_healthy(self, voters: int) -> Autopilot:
        state = self.state()
        unhealthy = sorted(s.id for s in state.servers.values() if not s.healthy)
        if not state.healthy or unhealthy or len(state.voters) != voters:
            raise LifecycleError(
                f"the cluster is not ready for this: autopilot {'healthy' if state.healthy else 'unhealthy'}, "
                f"{len(state.voters)} voters of {voters} expected" + (f", unhealthy: {', '.join(unhealthy)}"
                                                                       if unhealthy else "")
                + " — fix that first (vault-platform status)")
        return state

    def step_down(self, leader: str) -> str:
        """Make ``leader`` step down; returns the new leader once another one leads, healthy."""
        self.say(f"{leader}: stepping down")
        self.operator.put("sys/step-down", {})
        state = self.wait(f"a leader other than {leader}",
                          lambda s: s.leader not in ("", leader) and getattr(s.servers.get(s.leader), "healthy", False))
        self.say(f"{state.leader}: now leads")
        return state.leader

    def restart(self, server: str, voters: int, version: Optional[str]) -> None:
        """Delete the server's pod and wait until its replacement is back. Autopilot may still
        call a server healthy for a while after it stopped (its last contact is recent), so
        "back" also means: the leader heard from it after the old pod was gone."""
        started = time.monotonic()
        self.say(f"{server}: deleting its pod")
        self.pods.delete(server)
        gone = time.monotonic()

        def back(state: Autopilot) -> bool:
            s = state.servers.get(server)
            return (s is not None and s.healthy and s.voter and state.healthy and len(state.voters) == voters
                    and (version is None or s.version == version) and state.heard_from_since(server, gone))

        state = self.wait(f"{server} to come back healthy and voting" + (f" on {version}" if version else ""), back)
        self.say(f"{server}: back, healthy and voting, version {state.servers[server].version} "
                 f"({time.monotonic() - started:.0f} s)")


def upgrade(procedure: Procedure, replicas: int, version: Optional[str]) -> list[str]:
    """Restart every server, standbys first, the leader last after stepping down; returns the
    order. ``version``: what each restarted server must report (None: any)."""
    state = procedure.require_healthy(replicas)
    standbys = sorted((sid for sid in state.voters if sid != state.leader), key=ordinal)
    procedure.say(f"upgrade: {len(standbys)} standbys ({', '.join(standbys)}), then the leader {state.leader}")
    order = []
    for server in standbys:
        procedure.restart(server, replicas, version)
        order.append(server)
    old_leader = state.leader
    procedure.step_down(old_leader)
    procedure.restart(old_leader, replicas, version)
    order.append(old_leader)
    procedure.say(f"upgrade done: {', '.join(order)}")
    return order


def scale_down(procedure: Procedure, target: int) -> list[str]:
    """Remove the voters with ordinals ``target`` and above, the highest first; returns the
    removed ids."""
    state = procedure.state()
    current = len(state.voters)
    if not 1 <= target < current:
        raise LifecycleError(f"cannot scale {current} servers down to {target}: allowed 1 to {current - 1}")
    by_ordinal = {ordinal(sid): sid for sid in state.voters}
    # The servers that stay must be healthy; those to remove may be down already (a run that
    # stopped between shrinking the StatefulSet and removing the peer is resumed).
    staying = [sid for number, sid in by_ordinal.items() if number < target]
    unhealthy = sorted(sid for sid in staying if not state.servers[sid].healthy)
    if len(staying) != target or unhealthy:
        raise LifecycleError(f"the servers that stay are not ready: {len(staying)} of {target} voting"
                             + (f", unhealthy: {', '.join(unhealthy)}" if unhealthy else "")
                             + " — fix that first (vault-platform status)")
    removed = []
    for number in range(current - 1, target - 1, -1):
        server = by_ordinal.get(number)
        if server is None:
            raise LifecycleError(f"no voter with ordinal {number} (voters: {', '.join(state.voters)})")
        if procedure.state().leader == server:
            procedure.step_down(server)
        procedure.say(f"{server}: stopping its pod (StatefulSet to {number} replicas)")
        procedure.pods.scale(number)
        procedure.say(f"{server}: removing it from Raft")
        procedure.operator.post("sys/storage/raft/remove-peer", {"server_id": server})
        procedure.wait(f"a healthy cluster of {number} voters without {server}",
                       lambda s, gone=server, n=number: gone not in s.servers and s.healthy and len(s.voters) == n)
        procedure.say(f"{server}: removed; {number} voters, healthy")
        removed.append(server)
    procedure.say(f"scale-down done: {', '.join(removed)} removed. Their volume claims remain: delete them once "
                  "you no longer need their data; then run `pulumi up` (cluster.replicas is "
                  f"{target} in the stack file).")
    return removed
