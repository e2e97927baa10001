"""``policy test`` and ``policy lint``: the shipped policies' tests and lints, offline."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from components.config.targets import DEFAULT_TARGET
from vault_platform.acl import DIALECTS
from vault_platform.commands.common import EXIT_FAILED, EXIT_OK, fail
from vault_platform.project import project_dir, use_project


def cmd_policy_test(args: argparse.Namespace) -> int:
    from vault_platform.policy.policy_tests import PolicyTestError, render, run_all

    project = use_project(project_dir())
    files = [Path(f).resolve() for f in args.files] or None
    try:
        results = run_all(project, files)
    except PolicyTestError as error:
        return fail(str(error))
    print(render(results, verbose=args.verbose))
    return EXIT_OK if all(r.ok for r in results) else EXIT_FAILED


def cmd_policy_lint(args: argparse.Namespace) -> int:
    from vault_platform.policy.report import lint_files, lint_stack

    project = use_project(project_dir())
    lints = lint_stack(project, args.stack) if args.stack else lint_files(project, args.dialect)
    for lint in lints:
        print(lint.render())
    failing = [lint for lint in lints if lint.severity == "error"]
    counts = {severity: sum(lint.severity == severity for lint in lints) for severity in ("warning", "note")}
    print(f"policy lint: {len(failing)} errors, {counts['warning']} warnings, {counts['note']} notes")
    return EXIT_FAILED if failing else EXIT_OK


def register(commands: Any) -> None:
    """Add ``policy test`` and ``policy lint`` to the command line."""
    policy = commands.add_parser("policy", help="Vault policies: tests and lints").add_subparsers(
        dest="policy_command", required=True, metavar="SUBCOMMAND")
    policy_test = policy.add_parser("test", help="run policies/tests/*.yaml (or the given files)")
    policy_test.add_argument("files", nargs="*", help="test files (default: policies/tests/*.yaml)")
    policy_test.add_argument("-v", "--verbose", action="store_true", help="show every check, not only failures")
    policy_test.set_defaults(func=cmd_policy_test)
    policy_lint = policy.add_parser("lint", help="lint policies/*.hcl (with --stack: as that stack loads them)")
    policy_lint.add_argument("--stack", help="lint the stack's selection, with its roles and groups (VP005), in "
                             "the dialect of the stack's server")
    policy_lint.add_argument("--dialect", choices=sorted(DIALECTS), default=DEFAULT_TARGET.policy_dialect,
                             help="without --stack: the server dialect to lint in (default: that of the default "
                             "server, %(default)s)")
    policy_lint.set_defaults(func=cmd_policy_lint)
