"""The ``vault-platform`` command line.

Exit codes: 0 success; 1 a check failed (or, for status, the cluster is unhealthy);
2 bad configuration, usage, or a Vault/AWS that cannot be read (message, no traceback,
nothing written); 3 drift found.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_DRIFT = 3


def _plan(stack: str, out: Optional[str]):
    """Plan one stack and write its artifacts; returns (plan, out dir) or an exit code."""
    from vault_platform.plan import PlanError, project_dir, run_plan, use_project

    project = use_project(project_dir())
    from components.config import ConfigError
    from vault_platform import artifacts

    try:
        plan = run_plan(stack, project)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except PlanError as error:
        print(f"error: the program failed for stack {stack}:\n{error}", file=sys.stderr)
        return EXIT_CONFIG
    target = Path(out) if out else project / "build" / plan.stack
    try:
        artifacts.write(plan, target)
    except artifacts.OutputDirError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    return plan, target


def cmd_plan(args: argparse.Namespace) -> int:
    from vault_platform.report import print_plan_summary

    result = _plan(args.stack, args.out)
    if isinstance(result, int):
        return result
    plan, target = result
    print_plan_summary(plan, target)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from vault_platform.check import check_plan_dir, print_check_report

    result = _plan(args.stack, args.out)
    if isinstance(result, int):
        return result
    plan, target = result
    report = check_plan_dir(target, plan.config.kubernetes.version)
    print_check_report(plan.stack, report)
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_docs(args: argparse.Namespace) -> int:
    from vault_platform.plan import project_dir, use_project

    readme = use_project(project_dir()) / "README.md"
    from vault_platform.config_reference import update_readme

    changed = update_readme(readme, check_only=args.check)
    if args.check and changed:
        print(f"{readme.name}: the configuration reference is stale; run `vault-platform docs`", file=sys.stderr)
        return EXIT_FAILED
    print(f"{readme.name}: configuration reference {'updated' if changed else 'up to date'}")
    return EXIT_OK


def _load_config(stack: str):
    """``(config, stack name)`` of a stack, or an exit code after printing the problem."""
    from vault_platform.plan import project_dir, stack_file, use_project

    project = use_project(project_dir())
    from components import config as schema

    path = stack_file(project, stack)
    try:
        return schema.load_stack_file(path), schema.stack_name_of(path)
    except schema.ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONFIG


def cmd_preflight(args: argparse.Namespace) -> int:
    loaded = _load_config(args.stack)
    if isinstance(loaded, int):
        return loaded
    config, stack = loaded
    import boto3

    from vault_platform.preflight import PreflightError, render_report, run_preflight

    try:
        results = run_preflight(config, stack, boto3.Session(profile_name=args.profile))
    except PreflightError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    print(render_report(stack, results))
    return EXIT_OK if all(result.ok for result in results) else EXIT_FAILED


def cmd_policy_test(args: argparse.Namespace) -> int:
    from vault_platform.plan import project_dir, use_project

    project = use_project(project_dir())
    from vault_platform.policy_tests import PolicyTestError, render, run_all

    files = [Path(f).resolve() for f in args.files] or None
    try:
        results = run_all(project, files)
    except PolicyTestError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    print(render(results, verbose=args.verbose))
    return EXIT_OK if all(r.ok for r in results) else EXIT_FAILED


def cmd_policy_lint(args: argparse.Namespace) -> int:
    from vault_platform.plan import project_dir, use_project

    project = use_project(project_dir())
    from vault_platform.policy_report import lint_stack, lint_files

    lints = lint_stack(project, args.stack) if args.stack else lint_files(project)
    for lint in lints:
        print(lint.render())
    failing = [l for l in lints if l.severity == "error"]
    print(f"policy lint: {len(failing)} errors, {len(lints) - len(failing)} warnings")
    return EXIT_FAILED if failing else EXIT_OK


def cmd_access(args: argparse.Namespace) -> int:
    import json

    from vault_platform import access
    from vault_platform.policy_report import matrix_of_plan

    result = _plan(args.stack, args.out)
    if isinstance(result, int):
        return result
    plan, target = result
    matrix = matrix_of_plan(plan)
    if matrix is None:
        print(f"error: stack {plan.stack} does not configure Vault (vault.configure is false)", file=sys.stderr)
        return EXIT_CONFIG
    changes = None
    if args.diff:
        base_file = Path(args.diff) / "access" / "matrix.json"
        if not base_file.is_file():
            print(f"error: {base_file} not found: --diff takes the directory of an earlier plan", file=sys.stderr)
            return EXIT_CONFIG
        changes = access.diff(access.Matrix.from_json(json.loads(base_file.read_text())), matrix)
    if args.format == "markdown":
        text = access.diff_markdown(changes, args.diff, str(target)) if changes is not None else access.to_markdown(matrix)
    elif args.format == "csv":
        text = access.to_csv(matrix)
    else:
        text = access.to_html(matrix, changes)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"access matrix written to {args.output}")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_drift(args: argparse.Namespace) -> int:
    loaded = _load_config(args.stack)
    if isinstance(loaded, int):
        return loaded
    config, stack = loaded
    from vault_platform import drift
    from vault_platform.live import Connection, LiveError, VaultReader

    if not config.vault.configure:
        print(f"error: stack {stack} does not configure Vault (vault.configure is false)", file=sys.stderr)
        return EXIT_CONFIG
    try:
        connection = Connection.from_environment(args.address, config.vault.address)
        findings = drift.detect(VaultReader(connection), drift.declared_of(config, stack),
                                enterprise=config.vault.edition == "enterprise")
    except LiveError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    render = drift.render_json(stack, findings, connection.address) if args.format == "json" else drift.render_table(stack, findings)
    sys.stdout.write(render)
    return EXIT_DRIFT if findings else EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    loaded = _load_config(args.stack)
    if isinstance(loaded, int):
        return loaded
    config, stack = loaded
    from vault_platform import status as health
    from vault_platform.live import Connection, LiveError, VaultReader

    try:
        result = health.collect(VaultReader(Connection.from_environment(args.address, config.vault.address)),
                                raft=config.storage.type == "raft", replicas=config.cluster.replicas)
    except LiveError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    sys.stdout.write(health.render_json(stack, result) if args.format == "json" else health.render_table(stack, result))
    return EXIT_OK if result.healthy else EXIT_FAILED


def cmd_init(args: argparse.Namespace) -> int:
    loaded = _load_config(args.stack)
    if isinstance(loaded, int):
        return loaded
    config, stack = loaded
    import shlex

    from components import recovery_key_policies
    from vault_platform import initialization as boot
    from vault_platform.live import Connection, LiveError, VaultOperator
    from vault_platform.local_files import operations_dir
    from vault_platform.plan import project_dir

    init = config.initialization
    if init is None:
        print(f"error: stack {stack} has no `initialization` section (see README, First boot)", file=sys.stderr)
        return EXIT_CONFIG
    if init.recovery_keys == "pgp":
        out = Path(args.out) if args.out else operations_dir(project_dir(), stack, "init")
        custody: boot.Custody = boot.PgpCustody(init.pgp_keys, out)
    else:
        import boto3

        assert config.unseal.awskms is not None  # validated: secrets-manager needs awskms
        client = boto3.Session(profile_name=args.profile).client("secretsmanager",
                                                                 region_name=config.unseal.awskms.region)
        custody = boot.SecretsManagerCustody(client, recovery_key_policies.secret_name(config.cluster.name, stack))
    bootstrap = None if args.no_bootstrap else (
        shlex.split(args.bootstrap_command) if args.bootstrap_command else boot.default_bootstrap(stack))
    try:
        connection = Connection.from_environment(args.address, config.vault.address)
        connection.token = None  # init sends no token, not even one in the environment
        outcome = boot.initialise(config, stack, VaultOperator(connection), custody, bootstrap)
    except (boot.InitError, LiveError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    if not outcome.initialized:
        return EXIT_OK
    if not outcome.root_revoked:
        print("error: the root token may still be valid (see above)", file=sys.stderr)
        return EXIT_FAILED
    if outcome.bootstrap_exit:
        print(f"error: the bootstrap exited with {outcome.bootstrap_exit}; the root token is revoked. Generate a "
              "root token with the recovery keys (README, Break-glass), run `pulumi up` with it, then revoke it.",
              file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _snapshot_setup(args: argparse.Namespace):
    """(config, stack, bucket, prefix, s3 client) for the snapshot commands, or an exit code."""
    import os

    loaded = _load_config(args.stack)
    if isinstance(loaded, int):
        return loaded
    config, stack = loaded
    if not config.snapshots.enabled:
        print(f"error: stack {stack} takes no Raft snapshots (snapshots.enabled is false)", file=sys.stderr)
        return EXIT_CONFIG
    assert config.unseal.awskms is not None  # validated: snapshots need awskms
    bucket = args.bucket or os.environ.get("VAULT_SNAPSHOT_BUCKET")
    if not bucket:
        print("error: no bucket: pass --bucket (the stack output snapshot_bucket) or set VAULT_SNAPSHOT_BUCKET",
              file=sys.stderr)
        return EXIT_CONFIG
    import boto3

    from vault_platform.snapshots import stack_prefix

    s3 = boto3.Session(profile_name=args.profile).client("s3", region_name=config.unseal.awskms.region)
    return config, stack, bucket, stack_prefix(config.snapshots.prefix, stack), s3


def cmd_snapshot_list(args: argparse.Namespace) -> int:
    setup = _snapshot_setup(args)
    if isinstance(setup, int):
        return setup
    _, _, bucket, prefix, s3 = setup
    from vault_platform import snapshots

    try:
        found = snapshots.list_snapshots(s3, bucket, prefix)
    except snapshots.SnapshotError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    sys.stdout.write(snapshots.render_list(bucket, found))
    return EXIT_OK


def cmd_snapshot_restore(args: argparse.Namespace) -> int:
    setup = _snapshot_setup(args)
    if isinstance(setup, int):
        return setup
    config, stack, bucket, prefix, s3 = setup
    from vault_platform import snapshots
    from vault_platform.live import Connection, LiveError, VaultOperator
    from vault_platform.local_files import operations_dir
    from vault_platform.plan import project_dir

    try:
        if args.latest:
            found = snapshots.list_snapshots(s3, bucket, prefix)
            if not found:
                print(f"error: no snapshots under s3://{bucket}/{prefix}/", file=sys.stderr)
                return EXIT_CONFIG
            key = found[0].key
        else:
            key = args.key
        if not key.startswith(f"{prefix}/"):
            print(f"error: {key} is not a snapshot of stack {stack} (expected under {prefix}/)", file=sys.stderr)
            return EXIT_CONFIG
        connection = Connection.from_environment(args.address, config.vault.address)
        if not connection.token:
            print("error: restoring needs a token with sudo on sys/storage/raft/snapshot in VAULT_TOKEN "
                  "(README, Restore)", file=sys.stderr)
            return EXIT_CONFIG
        if not args.yes:
            if not sys.stdin.isatty():
                print("error: a restore replaces all of Vault's data: pass --yes to confirm", file=sys.stderr)
                return EXIT_CONFIG
            answer = input(f"Restore {key} into {connection.address}, replacing all data? Type the stack name: ")
            if answer.strip() != stack:
                print("not confirmed: nothing done", file=sys.stderr)
                return EXIT_FAILED
        workdir = Path(args.workdir) if args.workdir else operations_dir(project_dir(), stack, "restore")
        snapshots.restore(VaultOperator(connection), s3, bucket, key, workdir, force=args.force,
                          backup=not args.no_backup)
    except (snapshots.SnapshotError, LiveError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vault-platform",
        description="Plan, check and operate Vault stacks offline and against live clusters.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    plan = commands.add_parser("plan", help="run the program under mocks and write the plan artifacts")
    plan.add_argument("--stack", default="dev", help="stack name (Pulumi.<stack>.yaml) or stack file; default dev")
    plan.add_argument("--out", help="output directory (default build/<stack>/)")
    plan.set_defaults(func=cmd_plan)

    check = commands.add_parser("check", help="plan, then validate the artifacts with kubernetes-validate, checkov and HCL parsing")
    check.add_argument("--stack", default="dev", help="stack name or stack file; default dev")
    check.add_argument("--out", help="output directory (default build/<stack>/)")
    check.set_defaults(func=cmd_check)

    preflight = commands.add_parser(
        "preflight", help="check a live AWS account: unseal key, rotation, Vault's role and its permissions"
    )
    preflight.add_argument("--stack", required=True, help="stack name or stack file")
    preflight.add_argument("--profile", help="AWS profile (default: the standard credential chain)")
    preflight.set_defaults(func=cmd_preflight)

    access_cmd = commands.add_parser("access", help="who can do what: the access matrix of a stack, or its changes")
    access_cmd.add_argument("--stack", default="dev", help="stack name or stack file; default dev")
    access_cmd.add_argument("--format", choices=("markdown", "csv", "html"), default="markdown")
    access_cmd.add_argument("--diff", metavar="BASE_DIR", help="compare with the plan in BASE_DIR (e.g. the base branch's)")
    access_cmd.add_argument("--out", help="plan output directory (default build/<stack>/)")
    access_cmd.add_argument("--output", "-o", help="write to this file instead of standard output")
    access_cmd.set_defaults(func=cmd_access)

    policy = commands.add_parser("policy", help="Vault policies: tests and lints").add_subparsers(
        dest="policy_command", required=True, metavar="SUBCOMMAND")
    policy_test = policy.add_parser("test", help="run policies/tests/*.yaml (or the given files)")
    policy_test.add_argument("files", nargs="*", help="test files (default: policies/tests/*.yaml)")
    policy_test.add_argument("-v", "--verbose", action="store_true", help="show every check, not only failures")
    policy_test.set_defaults(func=cmd_policy_test)
    policy_lint = policy.add_parser("lint", help="lint policies/*.hcl (with --stack: as that stack loads them)")
    policy_lint.add_argument("--stack", help="lint the stack's selection, with its roles and groups (VP005)")
    policy_lint.set_defaults(func=cmd_policy_lint)

    drift_cmd = commands.add_parser(
        "drift", help="compare a live Vault with the stack's declared configuration (exit 3 on drift)")
    drift_cmd.add_argument("--stack", required=True, help="stack name or stack file")
    drift_cmd.add_argument("--address", help="Vault address (default: VAULT_ADDR, then vault.address)")
    drift_cmd.add_argument("--format", choices=("table", "json"), default="table")
    drift_cmd.set_defaults(func=cmd_drift)

    status_cmd = commands.add_parser("status", help="health of a live Vault cluster (exit 1 when unhealthy)")
    status_cmd.add_argument("--stack", required=True, help="stack name or stack file")
    status_cmd.add_argument("--address", help="Vault address (default: VAULT_ADDR, then vault.address)")
    status_cmd.add_argument("--format", choices=("table", "json"), default="table")
    status_cmd.set_defaults(func=cmd_status)

    init_cmd = commands.add_parser(
        "init", help="first boot: initialise Vault, keep the recovery keys, bootstrap, revoke the root token")
    init_cmd.add_argument("--stack", required=True, help="stack name or stack file")
    init_cmd.add_argument("--address", help="Vault address (default: VAULT_ADDR, then vault.address)")
    init_cmd.add_argument("--profile", help="AWS profile of the custodian role (recovery_keys secrets-manager)")
    init_cmd.add_argument("--out", help="directory for the PGP-encrypted shares (default var/<stack>/init/)")
    bootstrap = init_cmd.add_mutually_exclusive_group()
    bootstrap.add_argument("--bootstrap-command", metavar="CMD",
                           help="what applies the configuration with the root token (default: pulumi up --stack S "
                           "--yes --config-path --config vault-platform:vault.configure=true)")
    bootstrap.add_argument("--no-bootstrap", action="store_true", help="revoke the root token right away")
    init_cmd.set_defaults(func=cmd_init)

    snapshot = commands.add_parser("snapshot", help="Raft snapshots in S3: list, restore").add_subparsers(
        dest="snapshot_command", required=True, metavar="SUBCOMMAND")
    for sub, helptext in (("list", "list a stack's snapshots, newest first"),
                          ("restore", "restore a snapshot into the live Vault (replaces all data)")):
        command = snapshot.add_parser(sub, help=helptext)
        command.add_argument("--stack", required=True, help="stack name or stack file")
        command.add_argument("--bucket", help="the bucket (stack output snapshot_bucket; default "
                             "VAULT_SNAPSHOT_BUCKET)")
        command.add_argument("--profile", help="AWS profile (the snapshot restore role)")
        if sub == "list":
            command.set_defaults(func=cmd_snapshot_list)
            continue
        which = command.add_mutually_exclusive_group(required=True)
        which.add_argument("--key", help="the object key (from `snapshot list`)")
        which.add_argument("--latest", action="store_true", help="the newest snapshot")
        command.add_argument("--address", help="Vault address (default: VAULT_ADDR, then vault.address)")
        command.add_argument("--force", action="store_true",
                             help="snapshot-force: for a cluster whose keys differ (a rebuilt cluster)")
        command.add_argument("--no-backup", action="store_true", help="do not save the current state first")
        command.add_argument("--workdir", help="where files go (default var/<stack>/restore/)")
        command.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        command.set_defaults(func=cmd_snapshot_restore)

    docs = commands.add_parser("docs", help="regenerate the configuration reference in README.md")
    docs.add_argument("--check", action="store_true", help="only report whether it is stale (exit 1)")
    docs.set_defaults(func=cmd_docs)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from botocore.exceptions import BotoCoreError

    from vault_platform.plan import project_dir, use_project

    use_project(project_dir())
    from components.config import ConfigError

    try:
        return args.func(args)
    except (ConfigError, BotoCoreError) as error:  # e.g. a bad stack for `policy lint`, an unknown --profile
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONFIG


if __name__ == "__main__":
    sys.exit(main())
