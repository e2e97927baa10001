"""What every command shares: exit codes, the one way a problem is reported (a message on
standard error, no traceback), and reading a stack's validated configuration."""

from __future__ import annotations

import sys

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_DRIFT = 3


def fail(message: str, code: int = EXIT_CONFIG) -> int:
    """Print ``error: <message>`` on standard error; returns ``code`` for the command to exit with."""
    print(f"error: {message}", file=sys.stderr)
    return code


def load_config(stack: str):
    """``(config, stack name)`` of a stack, or an exit code after printing the problem."""
    from vault_platform.project import project_dir, stack_file, use_project

    project = use_project(project_dir())
    from components import config as schema

    path = stack_file(project, stack)
    try:
        return schema.load_stack_file(path), schema.stack_name_of(path)
    except schema.ConfigError as error:
        return fail(str(error))
