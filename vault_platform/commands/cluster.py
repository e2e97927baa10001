"""``vault-platform cluster upgrade`` and ``cluster scale-down``: a live Raft cluster's
servers changed one at a time (see :mod:`vault_platform.live.lifecycle`)."""

from __future__ import annotations

import argparse
from typing import Any

from vault_platform.commands.common import EXIT_FAILED, EXIT_OK, fail, load_config


def _procedure(args: argparse.Namespace, config: Any):
    from components.kubernetes.layout import ClusterLayout
    from vault_platform.live.client import Connection, VaultOperator
    from vault_platform.live.lifecycle import Kubectl, Procedure

    layout = ClusterLayout.from_config(config)
    connection = Connection.from_environment(args.address, config.vault.address)
    pods = Kubectl(layout.namespace, layout.name, context=args.context, timeout=int(args.timeout))
    return Procedure(VaultOperator(connection), pods, timeout=args.timeout)


def cmd_cluster(args: argparse.Namespace) -> int:
    loaded = load_config(args.stack)
    if isinstance(loaded, int):
        return loaded
    config, stack = loaded
    from vault_platform.live.client import LiveError
    from vault_platform.live.lifecycle import LifecycleError, scale_down, upgrade

    if config.storage.type != "raft":
        return fail(f"stack {stack} does not use Raft storage ({config.storage.type}): there is no Raft cluster to "
                    "change; restart its pods one at a time")
    try:
        procedure = _procedure(args, config)
        if args.cluster_command == "upgrade":
            upgrade(procedure, config.cluster.replicas, None if args.any_version else args.version
                    or config.cluster.image_tag)
        else:
            if args.to != config.cluster.replicas:
                return fail(f"the stack file says cluster.replicas: {config.cluster.replicas}; set it to {args.to} "
                            "first (then this command, then `pulumi up`), so that the next `pulumi up` keeps the "
                            "cluster at its new size")
            scale_down(procedure, args.to)
    except (LifecycleError, LiveError) as error:
        print(f"error: {error}")
        return EXIT_FAILED
    return EXIT_OK


def register(commands: Any) -> None:
    cluster = commands.add_parser(
        "cluster", help="a live Raft cluster, one server at a time: upgrade, scale-down").add_subparsers(
        dest="cluster_command", required=True, metavar="SUBCOMMAND")
    for sub, helptext in (
            ("upgrade", "restart every server onto the pod template `pulumi up` set: standbys first, then the "
                        "leader after a step-down, each waiting for autopilot to report it back healthy"),
            ("scale-down", "remove servers from the highest ordinal down: step down if leading, shrink the "
                           "StatefulSet, remove-peer, wait healthy")):
        command = cluster.add_parser(sub, help=helptext)
        command.add_argument("--stack", required=True, help="stack name or stack file")
        command.add_argument("--address", help="Vault address (default: VAULT_ADDR, then vault.address); the token "
                             "is VAULT_TOKEN (policy cluster-operator)")
        command.add_argument("--context", help="kubectl context (default: the current one)")
        command.add_argument("--timeout", type=float, default=600, help="seconds each step may take (default 600)")
        if sub == "upgrade":
            version = command.add_mutually_exclusive_group()
            version.add_argument("--version", help="the version each restarted server must report (default: the "
                                 "stack's image tag)")
            version.add_argument("--any-version", action="store_true", help="accept any version (a restart only)")
        else:
            command.add_argument("--to", type=int, required=True, help="the number of servers to keep (the stack "
                                 "file's cluster.replicas)")
        command.set_defaults(func=cmd_cluster)
