"""Raft autopilot's configuration (``sys/storage/raft/autopilot/configuration``): dead-server
cleanup and the minimum quorum, declared per stack."""

from __future__ import annotations

from typing import Optional

import pulumi
import pulumi_vault as vault

from components.config.vault.spec import AutopilotSpec
from components.vault.scope import Scope


def declare_autopilot(scope: Scope, spec: Optional[AutopilotSpec], replicas: int) -> Optional[pulumi.Resource]:
    """The autopilot settings; ``min_quorum`` is the cluster's size unless the stack says
    otherwise. None when the stack declares none (dev, or storage without Raft)."""
    if spec is None:
        return None
    return vault.RaftAutopilot(
        scope.resource_name("raft-autopilot"),
        cleanup_dead_servers=spec.cleanup_dead_servers,
        min_quorum=spec.min_quorum or replicas,
        dead_server_last_contact_threshold=spec.dead_server_last_contact_threshold,
        last_contact_threshold=spec.last_contact_threshold,
        server_stabilization_time=spec.server_stabilization_time,
        max_trailing_logs=spec.max_trailing_logs,
        opts=scope.opts(after_audit=True),
    )
