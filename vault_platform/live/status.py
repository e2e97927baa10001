"""``vault-platform status``: the health of a live Vault cluster.

* seal type, version and cluster from ``sys/seal-status``;
* every HA node from ``sys/ha-status`` (active or standby, its API address), and each
  node's own ``sys/health`` (sealed, standby, initialised, version);
* Raft peers from ``sys/storage/raft/configuration`` (leader, voter) and autopilot
  from ``sys/storage/raft/autopilot/state`` (healthy, failure tolerance, per server).

Healthy means: unsealed, one active node, every node unsealed, autopilot healthy.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Optional

from vault_platform.live.client import LiveError, VaultReader, unauthenticated


@dataclass
class Node:
    name: str
    api_address: str
    active: bool
    sealed: Optional[bool] = None
    standby: Optional[bool] = None
    initialized: Optional[bool] = None
    version: Optional[str] = None
    error: Optional[str] = None


@dataclass
class Status:
    seal_type: str
    sealed: bool
    version: str
    cluster_name: str
    nodes: list[Node] = field(default_factory=list)
    raft_peers: list[dict[str, Any]] = field(default_factory=list)
    autopilot_healthy: Optional[bool] = None
    failure_tolerance: Optional[int] = None
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems


def collect(reader: VaultReader, raft: bool = True, replicas: Optional[int] = None) -> Status:
    """The cluster's health. ``raft``: ask the Raft endpoints (Vault answers 400 without
    Raft storage); ``replicas``: how many nodes the stack promises — all in HA, and with
    Raft all voters, tolerating the failure of ``(replicas - 1) // 2``.

    A node that cannot reach an active node (it redirects to a dead leader, or answers
    "active cluster node not found") makes an unhealthy status, not an unreadable one."""
    seal = reader.get("sys/seal-status") or {}
    status = Status(
        seal_type=seal.get("type", "?"),
        sealed=bool(seal.get("sealed")),
        version=seal.get("version", "?"),
        cluster_name=seal.get("cluster_name") or "?",
    )
    if status.sealed:
        status.problems.append("the node answering is sealed")
        return status
    try:
        answer = reader.get("sys/ha-status") or {}
    except LiveError as error:
        status.problems.append(f"no active node: the node answering has no leader to reach ({error})")
        return status
    ha = answer.get("nodes") or (answer.get("data") or {}).get("nodes") or []
    for entry in ha:
        node = Node(entry.get("hostname", "?"), entry.get("api_address", ""), bool(entry.get("active_node")))
        try:
            code, health = unauthenticated(
                node.api_address, "sys/health?standbyok=true&perfstandbyok=true&sealedcode=200&uninitcode=200",
                reader.connection.ca_cert)
            health = health or {}
            node.sealed, node.standby = health.get("sealed"), health.get("standby")
            node.initialized, node.version = health.get("initialized"), health.get("version")
        except LiveError as error:
            node.error = str(error)
        status.nodes.append(node)
    if replicas is not None and len(status.nodes) < replicas:
        status.problems.append(f"only {len(status.nodes)} of {replicas} nodes are in HA (the others are sealed or down)")
    if not any(n.active for n in status.nodes):
        status.problems.append("no active node (no leader)")
    for node in status.nodes:
        if node.error:
            status.problems.append(f"{node.api_address}: {node.error}")
        elif node.sealed:
            status.problems.append(f"{node.api_address} is sealed")
    if raft:
        _raft(reader, status, replicas)
    return status


def _raft(reader: VaultReader, status: Status, replicas: Optional[int]) -> None:
    """Raft peers and autopilot, held against what ``replicas`` promises."""
    raft_config = reader.get("sys/storage/raft/configuration")
    if raft_config is not None:
        servers = (((raft_config.get("data") or {}).get("config") or {}).get("servers")) or []
        status.raft_peers = [{"node_id": s.get("node_id"), "address": s.get("address"), "leader": s.get("leader"),
                              "voter": s.get("voter")} for s in servers]
        autopilot = reader.get("sys/storage/raft/autopilot/state") or {}
        auto = autopilot.get("data") or autopilot
        status.autopilot_healthy = auto.get("healthy")
        status.failure_tolerance = auto.get("failure_tolerance")
        if status.autopilot_healthy is False:
            unhealthy = [name for name, s in (auto.get("servers") or {}).items() if not s.get("healthy")]
            status.problems.append("autopilot reports the cluster unhealthy"
                                   + (f" (unhealthy: {', '.join(sorted(unhealthy))})" if unhealthy else ""))
        if replicas is not None:
            voters = sum(1 for peer in status.raft_peers if peer["voter"])
            promised = (replicas - 1) // 2
            if voters < replicas:
                status.problems.append(f"{voters} of the {replicas} replicas are Raft voters")
            if status.failure_tolerance is not None and status.failure_tolerance < promised:
                status.problems.append(f"failure tolerance {status.failure_tolerance}: {replicas} replicas promise "
                                       f"{promised}")


def render_table(stack: str, status: Status) -> str:
    lines = [f"Vault {status.version} ({status.cluster_name}) for stack {stack}: seal {status.seal_type}, "
             f"{'SEALED' if status.sealed else 'unsealed'}"]
    if status.nodes:
        lines.append("  node             role      sealed  initialised  version  address")
        for n in status.nodes:
            role = "active" if n.active else ("standby" if n.standby else "?")
            lines.append(f"  {n.name:<16} {role:<9} {str(n.sealed):<7} {str(n.initialized):<12} "
                         f"{n.version or '?':<8} {n.api_address}" + (f"  ERROR {n.error}" if n.error else ""))
    if status.raft_peers:
        peers = ", ".join(f"{p['node_id']}{' (leader)' if p['leader'] else ''}{'' if p['voter'] else ' non-voter'}"
                          for p in status.raft_peers)
        lines.append(f"  raft peers: {peers}")
        lines.append(f"  autopilot: {'healthy' if status.autopilot_healthy else 'UNHEALTHY'}, "
                     f"failure tolerance {status.failure_tolerance}")
    lines.append("healthy" if status.healthy else "UNHEALTHY: " + "; ".join(status.problems))
    return "\n".join(lines) + "\n"


def render_json(stack: str, status: Status) -> str:
    data = asdict(status)
    data.update(stack=stack, healthy=status.healthy)
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
