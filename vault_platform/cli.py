"""The ``vault-platform`` command line: the parser, and one error boundary around every
command. The commands live in :mod:`vault_platform.commands` (offline, policy, live).

Exit codes: 0 success; 1 a check failed (or, for status, the cluster is unhealthy);
2 bad configuration, usage, or a Vault/AWS that cannot be read (message, no traceback,
nothing written); 3 drift found.
"""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import version
from typing import Optional, Sequence

from vault_platform.commands import cluster, live, offline, policy
from vault_platform.commands.common import EXIT_CONFIG, EXIT_DRIFT, EXIT_FAILED, EXIT_OK, fail

__all__ = ["EXIT_CONFIG", "EXIT_DRIFT", "EXIT_FAILED", "EXIT_OK", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vault-platform",
        description="Plan, check and operate Vault stacks offline and against live clusters.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version('vault-platform')}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    offline.register(commands)
    policy.register(commands)
    live.register(commands)
    cluster.register(commands)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from botocore.exceptions import BotoCoreError

    from vault_platform.project import project_dir, use_project

    use_project(project_dir())
    from components.config import ConfigError

    try:
        return args.func(args)
    except (ConfigError, BotoCoreError) as error:  # e.g. a bad stack for `policy lint`, an unknown --profile
        return fail(str(error))


if __name__ == "__main__":
    sys.exit(main())
