"""The restricted security settings every pod of the stack runs with (Vault's servers,
the PostgreSQL schema Job, the snapshot CronJob): one definition, so that they cannot
drift apart."""

from __future__ import annotations

from typing import Any, Optional

RUN_AS = 10100
"""A high, image-independent UID/GID: the containers run from a read-only root
filesystem and write only to mounted volumes, so they need no user inside the image."""


def container_security_context() -> dict[str, Any]:
    """Non-root, no privilege escalation, read-only root filesystem, no capabilities,
    RuntimeDefault seccomp: the Pod Security Standard `restricted`, and stricter."""
    return {
        "runAsNonRoot": True,
        "runAsUser": RUN_AS,
        "runAsGroup": RUN_AS,
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "privileged": False,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def pod_security_context(fs_group_change_policy: Optional[str] = None) -> dict[str, Any]:
    """The pod's side: non-root with the same UID/GID, volumes owned by that group."""
    context: dict[str, Any] = {
        "runAsNonRoot": True,
        "runAsUser": RUN_AS,
        "runAsGroup": RUN_AS,
        "fsGroup": RUN_AS,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    if fs_group_change_policy:
        context["fsGroupChangePolicy"] = fs_group_change_policy
    return context
