"""The commands that talk to a live Vault or AWS account: ``preflight``, ``drift``,
``status``, ``init``, ``snapshot list`` and ``snapshot restore``."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from vault_platform.commands.common import EXIT_DRIFT, EXIT_FAILED, EXIT_OK, fail, load_config


def cmd_preflight(args: argparse.Namespace) -> int:
    loaded = load_config(args.stack)
    if isinstance(loaded, int):
        return loaded
    config, stack = loaded
    import boto3

    from vault_platform.live.preflight import PreflightError, render_report, run_preflight

    try:
        results = run_preflight(config, stack, boto3.Session(profile_name=args.profile))
    except PreflightError as error:
        return fail(str(error))
    print(render_report(stack, results))
    return EXIT_OK if all(result.ok for result in results) else EXIT_FAILED


def cmd_drift(args: argparse.Namespace) -> int:
    loaded = load_config(args.stack)
    if isinstance(loaded, int):
        return loaded
    config, stack = loaded
    from vault_platform.live import drift
    from vault_platform.live.client import Connection, LiveError, VaultReader

    if not config.vault.configure:
        return fail(f"stack {stack} does not configure Vault (vault.configure is false)")
    registrations = _declared_resources(args, stack)
    if isinstance(registrations, int):
        return registrations
    ignore = tuple(drift.IgnoreRule(rule.path, rule.reason, rule.namespace, rule.attribute)
                   for rule in config.vault.drift.ignore)
    try:
        connection = Connection.from_environment(args.address, config.vault.address)
        report = drift.detect(lambda namespace: VaultReader(replace(connection, namespace=namespace)),
                              registrations, stack, ignore, connection.address, args.concurrency,
                              outside_mounts=config.vault.secret_mounts,
                              audit_devices_in_config=config.vault.audit_devices
                              if config.cluster.target.audit_in_config else ())
    except drift.UnknownResource as error:
        return fail(str(error))
    except LiveError as error:
        return fail(str(error))
    render = {"json": drift.render_json, "markdown": drift.render_markdown}.get(args.format, drift.render_table)
    sys.stdout.write(render(report))
    return EXIT_DRIFT if report.drift else EXIT_OK


def _declared_resources(args: argparse.Namespace, stack: str) -> Any:
    """The plan's resources: planned now, or from ``--plan DIR`` (a ``plan`` output)."""
    from vault_platform.plan.artifacts import PlanDirectoryError, read_resources
    from vault_platform.plan.program import PlanError, run_plan
    from vault_platform.project import project_dir

    if args.plan is None:
        try:
            return [r.as_json() for r in run_plan(args.stack, project_dir()).resources()]
        except PlanError as error:
            return fail(f"the program failed for stack {stack}:\n{error}")
    try:
        return read_resources(Path(args.plan), "--plan")
    except PlanDirectoryError as error:
        return fail(str(error))


def _concurrency(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 32:
        raise argparse.ArgumentTypeError(f"{text!r}: allowed: a whole number from 1 to 32")
    return int(text)


def cmd_status(args: argparse.Namespace) -> int:
    loaded = load_config(args.stack)
    if isinstance(loaded, int):
        return loaded
    config, stack = loaded
    from vault_platform.live import status as health
    from vault_platform.live.client import Connection, LiveError, VaultReader

    try:
        result = health.collect(VaultReader(Connection.from_environment(args.address, config.vault.address)),
                                raft=config.storage.type == "raft", replicas=config.cluster.replicas)
    except LiveError as error:
        return fail(str(error))
    sys.stdout.write(health.render_json(stack, result) if args.format == "json" else health.render_table(stack, result))
    return EXIT_OK if result.healthy else EXIT_FAILED


def cmd_init(args: argparse.Namespace) -> int:
    loaded = load_config(args.stack)
    if isinstance(loaded, int):
        return loaded
    config, stack = loaded
    import shlex

    from components.aws import recovery_key_policies
    from vault_platform.live import initialization as boot
    from vault_platform.live.client import Connection, LiveError, VaultOperator
    from vault_platform import outputs
    from vault_platform.outputs import operations_dir
    from vault_platform.project import project_dir

    init = config.initialization
    if init is None:
        return fail(f"stack {stack} has no `initialization` section (see README, First boot)")
    if init.recovery_keys == "pgp":
        out = Path(args.out) if args.out else operations_dir(project_dir(), stack, "init")
        try:  # refused before Vault is asked anything
            outputs.check_target(out, "--out", project_dir())
        except outputs.OutputDirError as error:
            return fail(str(error))
        custody: boot.Custody = boot.PgpCustody(init.pgp_keys, out)
    else:
        import boto3

        assert config.unseal.awskms is not None  # validated: secrets-manager needs awskms
        client = boto3.Session(profile_name=args.profile).client("secretsmanager",
                                                                 region_name=config.unseal.awskms.region)
        custody = boot.SecretsManagerCustody(client, [
            recovery_key_policies.secret_name(config.cluster.name, stack, share)
            for share in range(1, init.recovery_shares + 1)])
    bootstrap = None if args.no_bootstrap else (
        shlex.split(args.bootstrap_command) if args.bootstrap_command else boot.default_bootstrap(stack))
    try:
        connection = Connection.from_environment(args.address, config.vault.address)
        connection.token = None  # init sends no token, not even one in the environment
        outcome = boot.initialise(config, stack, VaultOperator(connection), custody, bootstrap,
                                  say=lambda line: print(line, flush=True), unseal_timeout=args.unseal_timeout * 60)
    except (boot.InitError, LiveError) as error:
        return fail(str(error))
    if not outcome.initialized:
        return EXIT_OK
    if not outcome.root_revoked:
        return fail("the root token may still be valid (see above)", EXIT_FAILED)
    if outcome.bootstrap_exit:
        return fail(f"the bootstrap exited with {outcome.bootstrap_exit}; the root token is revoked. Generate a "
                    "root token with the recovery keys (README, Break-glass), run `pulumi up` with it, then revoke it.",
                    EXIT_FAILED)
    return EXIT_OK


def _snapshot_setup(args: argparse.Namespace):
    """(config, stack, bucket, prefix, s3 client) for the snapshot commands, or an exit code."""
    import os

    loaded = load_config(args.stack)
    if isinstance(loaded, int):
        return loaded
    config, stack = loaded
    if not config.snapshots.enabled:
        return fail(f"stack {stack} takes no Raft snapshots (snapshots.enabled is false)")
    assert config.unseal.awskms is not None  # validated: snapshots need awskms
    bucket = args.bucket or os.environ.get("VAULT_SNAPSHOT_BUCKET")
    if not bucket:
        return fail("no bucket: pass --bucket (the stack output snapshot_bucket) or set VAULT_SNAPSHOT_BUCKET")
    import boto3

    from vault_platform.live.snapshots import stack_prefix

    s3 = boto3.Session(profile_name=args.profile).client("s3", region_name=config.unseal.awskms.region)
    return config, stack, bucket, stack_prefix(config.snapshots.prefix, stack), s3


def cmd_snapshot_list(args: argparse.Namespace) -> int:
    setup = _snapshot_setup(args)
    if isinstance(setup, int):
        return setup
    _, _, bucket, prefix, s3 = setup
    from vault_platform.live import snapshots

    try:
        found = snapshots.list_snapshots(s3, bucket, prefix)
    except snapshots.SnapshotError as error:
        return fail(str(error))
    sys.stdout.write(snapshots.render_list(bucket, found))
    return EXIT_OK


def cmd_snapshot_restore(args: argparse.Namespace) -> int:
    setup = _snapshot_setup(args)
    if isinstance(setup, int):
        return setup
    config, stack, bucket, prefix, s3 = setup
    from vault_platform.live import snapshots
    from vault_platform.live.client import Connection, LiveError, VaultOperator
    from vault_platform import outputs
    from vault_platform.outputs import operations_dir
    from vault_platform.project import project_dir

    workdir = Path(args.workdir) if args.workdir else operations_dir(project_dir(), stack, "restore")
    try:  # refused before S3 or Vault is asked anything
        outputs.check_target(workdir, "--workdir", project_dir())
    except outputs.OutputDirError as error:
        return fail(str(error))
    try:
        if args.latest:
            found = snapshots.list_snapshots(s3, bucket, prefix)
            if not found:
                return fail(f"no snapshots under s3://{bucket}/{prefix}/")
            key = found[0].key
        else:
            key = args.key
        if not key.startswith(f"{prefix}/"):
            return fail(f"{key} is not a snapshot of stack {stack} (expected under {prefix}/)")
        connection = Connection.from_environment(args.address, config.vault.address)
        if not connection.token:
            return fail("restoring needs a token with sudo on sys/storage/raft/snapshot in VAULT_TOKEN "
                        "(README, Restore)")
        if not args.yes:
            if not sys.stdin.isatty():
                return fail("a restore replaces all of Vault's data: pass --yes to confirm")
            answer = input(f"Restore {key} into {connection.address}, replacing all data? Type the stack name: ")
            if answer.strip() != stack:
                print("not confirmed: nothing done", file=sys.stderr)
                return EXIT_FAILED
        snapshots.restore(VaultOperator(connection), s3, bucket, key, workdir, force=args.force,
                          backup=not args.no_backup, project=project_dir())
    except (snapshots.SnapshotError, LiveError) as error:
        return fail(str(error))
    return EXIT_OK




ADDRESS_HELP = "Vault address (default: VAULT_ADDR, then vault.address)"


def register(commands: Any) -> None:
    """Add the live commands to the command line."""
    preflight = commands.add_parser(
        "preflight", help="check a live AWS account: unseal key, rotation, Vault's role and its permissions")
    preflight.add_argument("--stack", required=True, help="stack name or stack file")
    preflight.add_argument("--profile", help="AWS profile (default: the standard credential chain)")
    preflight.set_defaults(func=cmd_preflight)

    for name, handler, helptext in (
            ("drift", cmd_drift, "compare a live Vault with the stack's declared configuration (exit 3 on drift)"),
            ("status", cmd_status, "health of a live Vault cluster (exit 1 when unhealthy)")):
        command = commands.add_parser(name, help=helptext)
        command.add_argument("--stack", required=True, help="stack name or stack file")
        command.add_argument("--address", help=ADDRESS_HELP)
        command.add_argument("--format", choices=("table", "json", "markdown") if name == "drift" else ("table", "json"),
                             default="table")
        if name == "drift":
            command.add_argument("--plan", metavar="DIR", help="compare with this plan's resources.json (a `plan` "
                                 "output, e.g. the one a pull request reviewed) instead of planning the stack now")
            command.add_argument("--concurrency", type=_concurrency, default=8,
                                 help="reads in flight at once (1-32, default 8)")
        command.set_defaults(func=handler)

    init_cmd = commands.add_parser(
        "init", help="first boot: initialise Vault, keep the recovery keys, bootstrap, revoke the root token")
    init_cmd.add_argument("--stack", required=True, help="stack name or stack file")
    init_cmd.add_argument("--address", help=ADDRESS_HELP)
    init_cmd.add_argument("--profile", help="AWS profile of the stack's initializer (recovery_keys secrets-manager)")
    init_cmd.add_argument("--out", help="directory for the PGP-encrypted shares (default var/<stack>/init/)")
    bootstrap = init_cmd.add_mutually_exclusive_group()
    bootstrap.add_argument("--bootstrap-command", metavar="CMD",
                           help="what applies the configuration with the root token (default: pulumi up --stack S "
                           "--yes --config-path --config vault-platform:vault.configure=true)")
    bootstrap.add_argument("--no-bootstrap", action="store_true", help="revoke the root token right away")
    init_cmd.add_argument("--unseal-timeout", type=float, default=60, metavar="MINUTES",
                          help="with a Shamir seal: how long to wait for the operators to unseal (default 60)")
    init_cmd.set_defaults(func=cmd_init)
    _register_snapshot(commands)


def _register_snapshot(commands: Any) -> None:
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
        command.add_argument("--address", help=ADDRESS_HELP)
        command.add_argument("--force", action="store_true",
                             help="snapshot-force: for a cluster whose keys differ (a rebuilt cluster)")
        command.add_argument("--no-backup", action="store_true", help="do not save the current state first")
        command.add_argument("--workdir", help="where files go (default var/<stack>/restore/)")
        command.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        command.set_defaults(func=cmd_snapshot_restore)
