"""The offline commands: ``plan``, ``check``, ``access`` (the access matrix of a plan) and
``docs`` (the configuration reference). None of them contacts anything."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Optional

from components.config.inputs import files
from vault_platform import outputs
from vault_platform.commands.common import EXIT_FAILED, EXIT_OK, fail
from vault_platform.policy import who_can
from vault_platform.project import project_dir, use_project


def plan_into(stack: str, out: Optional[str]):
    """Plan one stack and write its artifacts; returns (plan, out dir) or an exit code. The
    output directory is checked first: a refused one costs no plan."""
    from components.config import ConfigError, check_stack_name, stack_name_of
    from vault_platform.plan import artifacts
    from vault_platform.plan.program import PlanError, run_plan
    from vault_platform.project import stack_file

    project = use_project(project_dir())
    try:
        path = stack_file(project, stack)
        name = stack_name_of(path)
        check_stack_name(name, str(path))
        outputs.check_target(Path(out) if out else project / "build" / name, "--out", project)
        plan = run_plan(stack, project)
    except (ConfigError, outputs.OutputDirError) as error:
        return fail(str(error))
    except PlanError as error:
        return fail(f"the program failed for stack {stack}:\n{error}")
    target = Path(out) if out else project / "build" / plan.stack
    try:
        artifacts.write(plan, target, project)
    except outputs.OutputDirError as error:
        return fail(str(error))
    return plan, target


def cmd_plan(args: argparse.Namespace) -> int:
    from vault_platform.plan import artifacts, changes
    from vault_platform.plan.summary import print_plan_summary

    base = None
    if args.diff:  # read before planning: --out may be the same directory
        try:
            base = artifacts.read_resources(Path(args.diff), "--diff")
        except artifacts.PlanDirectoryError as error:
            return fail(str(error))
    result = plan_into(args.stack, args.out)
    if isinstance(result, int):
        return result
    plan, target = result
    print_plan_summary(plan, target)
    if base is not None:
        found = changes.compare(base, [r.as_json() for r in plan.resources()])
        print()
        sys.stdout.write(changes.render_json(found) if args.format == "json"
                         else changes.render_markdown(found, args.diff, plan.stack))
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from vault_platform.plan.check import check_plan_dir, print_check_report

    result = plan_into(args.stack, args.out)
    if isinstance(result, int):
        return result
    plan, target = result
    report = check_plan_dir(target, plan.config.kubernetes.version,
                            dialect=plan.config.cluster.target.policy_dialect, config=plan.config)
    print_check_report(plan.stack, report)
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_docs(args: argparse.Namespace) -> int:
    from vault_platform.plan.reference import update_readme

    readme = use_project(project_dir()) / "README.md"
    changed = update_readme(readme, check_only=args.check)
    if args.check and changed:
        print(f"{readme.name}: the configuration reference is stale; run `vault-platform docs`", file=sys.stderr)
        return EXIT_FAILED
    print(f"{readme.name}: configuration reference {'updated' if changed else 'up to date'}")
    return EXIT_OK


def cmd_access(args: argparse.Namespace) -> int:
    from vault_platform.policy import access
    from vault_platform.policy.report import matrix_of_plan

    result = plan_into(args.stack, args.out)
    if isinstance(result, int):
        return result
    plan, target = result
    matrix = matrix_of_plan(plan)
    if matrix is None:
        return fail(f"stack {plan.stack} does not configure Vault (vault.configure is false)")
    changes = None
    if args.diff:
        base_file = Path(args.diff) / "access" / "matrix.json"
        try:
            base = access.Matrix.from_json(json.loads(files.read_text(base_file, files.STACK_FILE_LIMIT)))
        except files.InputFileError as error:
            return fail(f"{error}: --diff takes the directory of an earlier plan")
        except (ValueError, KeyError, TypeError, AttributeError):
            return fail(f"{base_file}: not an access matrix written by `vault-platform plan`")
        changes = access.diff(base, matrix)
    if args.format == "markdown":
        text = access.diff_markdown(changes, args.diff, str(target)) if changes is not None else access.to_markdown(matrix)
    elif args.format == "csv":
        text = access.to_csv(matrix)
    else:
        text = access.to_html(matrix, changes)
    if args.output:
        try:
            outputs.write_file(Path(args.output), text, "--output")
        except outputs.OutputDirError as error:
            return fail(str(error))
        print(f"access matrix written to {args.output}")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_who_can(args: argparse.Namespace) -> int:
    from vault_platform.policy.report import policies_of_plan, privileged_of_plan
    from vault_platform.policy import access

    result = plan_into(args.stack, args.out)
    if isinstance(result, int):
        return result
    plan, _ = result
    if not plan.config.vault.configure:
        return fail(f"stack {plan.stack} does not configure Vault (vault.configure is false)")
    if not args.path.strip().strip("/"):
        return fail("who-can takes a request path, e.g. secret/data/billing/stripe")
    policies = policies_of_plan(plan)
    found = who_can.who_can(args.path, policies, access.identities_of(plan.config.vault),
                            privileged_of_plan(plan, policies), plan.config.cluster.target.policy_dialect,
                            args.capability)
    render = who_can.render_json if args.format == "json" else who_can.render_table
    sys.stdout.write(render(plan.stack, args.path.strip().lstrip("/"), args.capability, found))
    return EXIT_OK


def register(commands: Any) -> None:
    """Add ``plan``, ``check``, ``access`` and ``docs`` to the command line."""
    plan = commands.add_parser("plan", help="run the program under mocks and write the plan artifacts")
    plan.add_argument("--stack", default="dev", help="stack name (Pulumi.<stack>.yaml) or stack file; default dev")
    plan.add_argument("--out", help="output directory (default build/<stack>/)")
    plan.add_argument("--diff", metavar="BASE_DIR", help="also list what changes against the plan in BASE_DIR "
                      "(e.g. the base branch's): created, updated, replaced, deleted, field by field")
    plan.add_argument("--format", choices=("markdown", "json"), default="markdown", help="of the --diff change set")
    plan.set_defaults(func=cmd_plan)

    check = commands.add_parser("check", help="plan, then validate the artifacts with kubernetes-validate, checkov "
                                "and HCL parsing")
    check.add_argument("--stack", default="dev", help="stack name or stack file; default dev")
    check.add_argument("--out", help="output directory (default build/<stack>/)")
    check.set_defaults(func=cmd_check)

    access_cmd = commands.add_parser("access", help="who can do what: the access matrix of a stack, or its changes")
    access_cmd.add_argument("--stack", default="dev", help="stack name or stack file; default dev")
    access_cmd.add_argument("--format", choices=("markdown", "csv", "html"), default="markdown")
    access_cmd.add_argument("--diff", metavar="BASE_DIR", help="compare with the plan in BASE_DIR (e.g. the base branch's)")
    access_cmd.add_argument("--out", help="plan output directory (default build/<stack>/)")
    access_cmd.add_argument("--output", "-o", help="write to this file instead of standard output")
    access_cmd.set_defaults(func=cmd_access)
    queries = access_cmd.add_subparsers(dest="query", metavar="QUERY")
    who = queries.add_parser("who-can", help="every identity that holds a capability on one concrete path, and why")
    who.add_argument("path", help="a request path, e.g. secret/data/billing/stripe")
    who.add_argument("--capability", choices=who_can.SHOWN_CAPABILITIES, help="only identities holding this one")
    who.add_argument("--stack", default="dev", help="stack name or stack file; default dev")
    who.add_argument("--format", choices=("table", "json"), default="table")
    who.add_argument("--out", help="plan output directory (default build/<stack>/)")
    who.set_defaults(func=cmd_who_can)

    docs = commands.add_parser("docs", help="regenerate the configuration reference in README.md")
    docs.add_argument("--check", action="store_true", help="only report whether it is stale (exit 1)")
    docs.set_defaults(func=cmd_docs)
