"""The rules that look across the stack's sections: one function per section
(:func:`cluster_rules`, :func:`storage_rules`, :func:`unseal_rules`,
:func:`initialization_rules`), all run by :func:`stack_problems`; and
:func:`vault_problems`, which checks the ``vault`` key against the policy files the
stack loads. Each rule names the key path, the value and what is allowed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping, Optional

from components.config import targets
from components.config.inputs import files, pgp_keys, policy_files
from components.config.base import (
    DNS_LABEL, PRINCIPAL_ARN, PRINCIPAL_ARN_HELP, PROJECT_DIR, Rules, duration_seconds, quantity,
)
from components.config.cluster import MAX_CPU, MAX_MEMORY, MAX_VOLUME, SUPPORTED_KUBERNETES_MINORS
from components.config.network import network_rules
from components.config.problems import Problem
from components.config.stack import ENVIRONMENTS, StackConfig
from components.config.vault.stack_policies import privileged_policies, stack_policies
from components.config.vault.rules import cross_reference_problems


def stack_problems(
    config: StackConfig, given: Mapping[str, Any], stack: Optional[str], failed: set[str]
) -> list[Problem]:
    """Every rule across fields, skipping those whose inputs failed type validation
    (``failed``). ``given``: the stack's own values; ``stack``: its name."""
    rules = Rules(failed)
    env = config.environment
    rules.check(("environment",), stack in ENVIRONMENTS and env != stack,
                Problem("environment", f"the stack `{stack}` must declare environment `{stack}`", env))
    cluster_rules(config, rules)
    monitoring_rules(config, rules)
    audit_volume_rules(config, rules)
    autopilot_rules(config, rules)
    network_rules(config, rules)
    target_rules(config, rules)
    storage_rules(config, given, rules)
    unseal_rules(config, rules)
    initialization_rules(config, rules)
    return rules.problems


def audit_volume_rules(config: StackConfig, rules: Rules) -> None:
    """The rotated audit files, the live ones and one file's growth fit on the audit volume."""
    rotation, volume = config.cluster.audit_rotation, config.cluster.audit_volume.size
    files = len(config.vault.audit_files)
    if rotation.max_file_size is None or not files:
        return
    needed = rotation.max_bytes(volume, files) * rotation.slots * files
    rules.check(("cluster.audit_rotation", "cluster.audit_volume"), needed > quantity(volume),
                Problem("cluster.audit_rotation.max_file_size",
                        f"{files} audit file(s) x ({rotation.keep} kept + the live one + one of growth + one of "
                        f"headroom) at this size need {needed / 2**30:.1f}Gi, more than the audit volume ({volume}); "
                        f"allowed: at most {int(quantity(volume) / (rotation.slots * files) // 2**20)}Mi, or a larger "
                        "volume", rotation.max_file_size))


def autopilot_rules(config: StackConfig, rules: Rules) -> None:
    """Autopilot with Raft only; declared outside dev; its quorum within the cluster's size."""
    autopilot, raft, replicas = config.vault.autopilot, config.storage.type == "raft", config.cluster.replicas
    rules.check(("vault.autopilot", "storage.type"), autopilot is not None and not raft,
                Problem("vault.autopilot", f"only valid with Raft storage, not {config.storage.type}", has_value=False))
    rules.check(("vault.autopilot", "storage.type", "vault.configure"),
                autopilot is None and raft and config.vault.configure and not config.is_dev,
                Problem("vault.autopilot", f"required in {config.environment} with Raft storage: declare dead-server "
                        "cleanup and the minimum quorum (README, Cluster lifecycle)", has_value=False))
    if autopilot is None or not raft or replicas % 2 == 0 or (replicas < 3 and not config.is_dev):
        return  # a replica count Raft refuses is reported once, by the storage rules
    minimum = autopilot.min_quorum or replicas
    rules.check(("vault.autopilot", "cluster.replicas"), autopilot.cleanup_dead_servers and minimum < 3,
                Problem("vault.autopilot.min_quorum", f"dead-server cleanup needs a minimum quorum of at least 3 "
                        f"(cluster.replicas is {replicas}); allowed: cleanup_dead_servers false, or 3 or more "
                        "replicas", minimum))
    rules.check(("vault.autopilot", "cluster.replicas"), minimum > replicas,
                Problem("vault.autopilot.min_quorum", f"above cluster.replicas ({replicas}): autopilot could never "
                        f"clean up; allowed: 3 to {replicas}", minimum))
    threshold = duration_seconds(autopilot.dead_server_last_contact_threshold)
    rules.check(("vault.autopilot",), threshold < 60 or threshold <= duration_seconds(autopilot.last_contact_threshold),
                Problem("vault.autopilot.dead_server_last_contact_threshold", "at least 1m and longer than "
                        f"last_contact_threshold ({autopilot.last_contact_threshold}): a briefly silent server must "
                        "not be removed", autopilot.dead_server_last_contact_threshold))


def monitoring_rules(config: StackConfig, rules: Rules) -> None:
    """Who scrapes the metrics port, and the token the scrape no longer uses."""
    monitoring = config.monitoring
    rules.check(("monitoring.token_secret",), monitoring.token_secret is not None,
                Problem("monitoring.token_secret", "no longer used: every pod serves its metrics without a token on "
                        "port 8202, which the network policy opens to monitoring.scraper_namespaces only; remove "
                        "the key, and revoke the metrics token and delete its Secret (README, Monitoring)",
                        monitoring.token_secret))
    for index, name in enumerate(monitoring.scraper_namespaces):
        rules.check(("monitoring.scraper_namespaces",), not re.fullmatch(DNS_LABEL, name),
                    Problem(f"monitoring.scraper_namespaces[{index}]", "not a namespace name: lowercase letters, "
                            "digits and `-`, starting and ending with a letter or digit", name))


def vault_problems(config: StackConfig, stack: str, policy_dir: Optional[Path]) -> list[Problem]:
    """The ``vault`` key's cross references, and the problems of the policy files it selects."""
    vault = config.vault
    problems: list[Problem] = []
    if not vault.configure:
        return problems
    folder = policy_dir if policy_dir is not None else policy_files.POLICY_DIR
    target = config.cluster.target
    loaded, policy_problems = stack_policies(vault, target, config.environment, stack, folder=folder)
    for problem in policy_problems:
        where = f"{problem.file}" + (f" line {problem.line}" if problem.line else "")
        problems.append(Problem("vault.policies", f"{where}: {problem.message}", has_value=False))
    names = {policy.name for policy in loaded}
    selected, _ = policy_files.select(vault.policies.include, vault.policies.exclude, folder, stack)
    paths = policy_files.policy_paths(folder, stack)
    unavailable = {name: f"names a policy this stack excludes: policies/{paths[name].relative_to(folder).as_posix()} "
                         "exists, but vault.policies.include/exclude leave it out here"
                   for name in set(paths) - set(selected)}
    for name, stacks in policy_files.scoped_elsewhere(folder, stack).items():
        unavailable.setdefault(name, f"names a policy only stack {', '.join(stacks)} loads "
                                     f"(policies/{policy_files.SCOPED}/{stacks[0]}/{name}.hcl)")
    problems += cross_reference_problems(vault, config.environment, names, target,
                                         privileged_policies({f.name: f.policy for f in loaded}, vault, target),
                                         broken=frozenset(selected) - names, unavailable=unavailable)
    return problems


def cluster_rules(config: StackConfig, rules: Rules) -> None:
    """The Kubernetes version, the workload, the dev-only shortcuts, TLS and the network."""
    check = rules.check
    env = config.environment
    dev = config.is_dev
    cluster = config.cluster

    minor = ".".join(config.kubernetes.version.split(".")[:2])
    check(("kubernetes.version",), minor not in SUPPORTED_KUBERNETES_MINORS,
          Problem("kubernetes.version",
                  f"unsupported Kubernetes version; allowed minors: "
                  f"{SUPPORTED_KUBERNETES_MINORS[0]} to {SUPPORTED_KUBERNETES_MINORS[-1]}",
                  config.kubernetes.version))

    _target_version(config, rules)
    for kind in ("cpu", "memory"):
        request = getattr(cluster.resources.requests, kind)
        limit = getattr(cluster.resources.limits, kind)
        check(("cluster.resources",), quantity(limit) < quantity(request),
              Problem(f"cluster.resources.limits.{kind}",
                      f"the limit is below the request ({request}); allowed: at least {request}", limit))
    _quantity_bounds(config, rules)

    shortcuts = [
        ("tls.mode", config.tls.mode == "disabled", config.tls.mode,
         "TLS cannot be off outside dev; allowed: generated, cert-manager"),
        ("network.network_policies", not config.network.network_policies, False,
         "network policies are a dev-only opt-out; allowed: true"),
        ("cluster.anti_affinity", cluster.anti_affinity == "preferred", "preferred",
         "soft anti-affinity is a dev-only shortcut; allowed: required"),
        ("cluster.zone_spread", cluster.zone_spread == "ScheduleAnyway", "ScheduleAnyway",
         "a best-effort zone spread is a dev-only shortcut; allowed: DoNotSchedule"),
    ]
    for path, refused, value, message in shortcuts:
        check((path, "environment"), refused and not dev, Problem(path, f"{message} (environment {env})", value))

    tls = config.tls
    check(("tls.mode", "tls.cert_manager"), tls.mode == "cert-manager" and tls.cert_manager is None,
          Problem("tls.cert_manager", "required when tls.mode is cert-manager", has_value=False))
    check(("tls.mode", "tls.cert_manager"), tls.mode != "cert-manager" and tls.cert_manager is not None,
          Problem("tls.cert_manager", f"only valid with tls.mode cert-manager, not {tls.mode}", has_value=False))
    manager = tls.cert_manager
    if manager is not None:
        check(("tls.cert_manager",), duration_seconds(manager.renew_before) >= duration_seconds(manager.duration),
              Problem("tls.cert_manager.renew_before",
                      f"must be shorter than the certificate's duration ({manager.duration})", manager.renew_before))
    check(("tls.ca_validity_hours", "tls.server_validity_hours"),
          tls.mode == "generated" and tls.server_validity_hours > tls.ca_validity_hours,
          Problem("tls.server_validity_hours",
                  f"the server certificate cannot outlive its CA ({tls.ca_validity_hours}h); "
                  f"allowed: at most {tls.ca_validity_hours}", tls.server_validity_hours))
    for index, name in enumerate(tls.extra_dns_names):
        check(("tls.extra_dns_names",),
              not re.fullmatch(r"(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", name),
              Problem(f"tls.extra_dns_names[{index}]", "not a DNS name (lowercase, dots, dashes)", name))


def _target_version(config: StackConfig, rules: Rules) -> None:
    """The image tag is the server's version: pinned, and one this project supports; a digest
    belongs to the tag written beside it."""
    cluster = config.cluster
    rules.check(("cluster.image",), cluster.image.digest is not None and cluster.image.tag is None,
                Problem("cluster.image.tag", "required with cluster.image.digest: a digest is the contents of one tag, "
                        f"so write the tag it was read for (the default is {cluster.image_tag}, which a later "
                        "release of this project may change)", has_value=False))
    tag = cluster.image_tag
    name = "OpenBao" if cluster.distribution == "openbao" else "Vault"
    allowed = f"allowed for {name}: {targets.supported_versions(cluster.distribution)}"
    version = targets.parse_version(tag)
    if tag == "latest":
        rules.check(("cluster.image.tag",), True,
                    Problem("cluster.image.tag", f"pin a version; `latest` is not allowed ({allowed})", "latest"))
    elif version is None:
        rules.check(("cluster.image.tag",), True, Problem(
            "cluster.image.tag", f"the tag must start with the server's version MAJOR.MINOR.PATCH; {allowed}", tag))
    else:
        rules.check(("cluster.image.tag", "cluster.distribution"), not targets.supported(cluster.distribution, version),
                    Problem("cluster.image.tag", f"{name} {'.'.join(map(str, version))} is not supported; {allowed}",
                            tag))


def target_rules(config: StackConfig, rules: Rules) -> None:
    """What the chosen server lacks, refused before anything is registered: file storage
    on OpenBao 2.7, the Enterprise edition on OpenBao, the ``awskms`` seal on OpenBao 2.7
    without its plugin, and the plugin anywhere else."""
    check = rules.check
    target = config.cluster.target
    check(("storage.type", "cluster.distribution", "cluster.image.tag"),
          config.storage.type == "file" and not target.file_storage,
          Problem("storage.type", f"{target.label} has no file storage; allowed: raft, postgresql", "file"))
    check(("vault.edition", "cluster.distribution"), target.is_openbao and config.vault.edition == "enterprise",
          Problem("vault.edition", "applies to HashiCorp Vault only: OpenBao has namespaces built in; allowed: "
                  "community (or leave it out)", "enterprise"))
    kms = config.unseal.awskms if config.unseal.type == "awskms" else None
    if kms is None:
        return
    check(("unseal.awskms.plugin", "cluster.image.tag"), target.kms_plugin and kms.plugin is None,
          Problem("unseal.awskms.plugin", f"{target.label} runs the awskms seal as an external KMS plugin: declare "
                  "its image (pinned by digest) and the binary's sha256sum", has_value=False))
    check(("unseal.awskms.plugin", "cluster.image.tag"), not target.kms_plugin and kms.plugin is not None,
          Problem("unseal.awskms.plugin", f"only OpenBao 2.7 runs the seal as a plugin; {target.label} has it "
                  "built in: leave it out", has_value=False))
    minor = tuple(int(part) for part in config.kubernetes.version.split(".")[:2])
    check(("unseal.awskms.plugin", "kubernetes.version"),
          target.kms_plugin and kms.plugin is not None and minor < (1, 35),
          Problem("kubernetes.version", "the KMS plugin reaches the pod as an image volume, on by default from "
                  "Kubernetes 1.35; allowed: 1.35 or later (or OpenBao 2.6, whose seal is built in)",
                  config.kubernetes.version))


def _quantity_bounds(config: StackConfig, rules: Rules) -> None:
    """Every quantity under its ceiling (a typo or a hostile value, never a real server)."""
    cluster = config.cluster
    bounded = [(f"cluster.resources.{side}.cpu", getattr(cluster.resources, side).cpu, str(MAX_CPU))
               for side in ("requests", "limits")]
    bounded += [(f"cluster.resources.{side}.memory", getattr(cluster.resources, side).memory, MAX_MEMORY)
                for side in ("requests", "limits")]
    bounded += [(f"cluster.{volume}.size", getattr(cluster, volume).size, MAX_VOLUME)
                for volume in ("data_volume", "audit_volume")]
    for path, value, ceiling in bounded:
        rules.check((path,), quantity(value) > quantity(ceiling),
                    Problem(path, f"larger than {ceiling}, the most this project allows; allowed: at most {ceiling}",
                            value))


def storage_rules(config: StackConfig, given: Mapping[str, Any], rules: Rules) -> None:
    """Storage type against environment and replicas, PostgreSQL, Raft tuning, snapshots.
    ``given``: the stack's own values (to tell a set ``storage.raft`` from its default)."""
    check = rules.check
    env = config.environment
    dev = config.is_dev
    storage = config.storage.type
    replicas = config.cluster.replicas

    _postgresql_rules(config, rules)
    check(("snapshots.enabled", "storage.type"), config.snapshots.enabled and storage != "raft",
          Problem("snapshots.enabled", f"Raft snapshots need storage.type raft, not {storage} (PostgreSQL is "
                  "backed up by the database: see README)", True))
    for index, arn in enumerate(config.snapshots.restore_principals):
        check(("snapshots.restore_principals",), not re.fullmatch(PRINCIPAL_ARN, arn),
              Problem(f"snapshots.restore_principals[{index}]", PRINCIPAL_ARN_HELP, arn))
    check(("snapshots.enabled", "unseal.type"), config.snapshots.enabled and config.unseal.type != "awskms",
          Problem("snapshots.enabled", "snapshots go to S3 with the AWS KMS identity: needs unseal.type awskms", True))
    check(("storage.type", "environment"), storage == "file" and not dev,
          Problem("storage.type", f"file storage is dev-only; {env} allows: raft", storage))
    check(("storage.type", "cluster.replicas"), storage == "file" and replicas != 1,
          Problem("cluster.replicas", "file storage has no HA: replicas must be 1 (use raft for more)", replicas))
    check(("storage.type",), "raft" in (given.get("storage") or {}) and storage != "raft",
          Problem("storage.raft", f"only valid with storage.type raft, not {storage}", has_value=False))
    check(("storage.type", "cluster.replicas", "environment"),
          storage == "raft" and not dev and (replicas < 3 or replicas % 2 == 0),
          Problem("cluster.replicas",
                  f"Raft storage in {env} needs an odd replica count of at least 3 (allowed: 3, 5, 7, 9)", replicas))
    check(("storage.type", "cluster.replicas", "environment"), storage == "raft" and dev and replicas % 2 == 0,
          Problem("cluster.replicas", "Raft needs an odd replica count for a quorum (allowed: 1, 3, 5, 7, 9)",
                  replicas))
    raft = config.storage.raft
    check(("storage.raft",),
          duration_seconds(raft.autopilot_reconcile_interval) < duration_seconds(raft.autopilot_update_interval),
          Problem("storage.raft.autopilot_reconcile_interval",
                  f"must be at least autopilot_update_interval ({raft.autopilot_update_interval}), "
                  "or Vault refuses to start", raft.autopilot_reconcile_interval))
    _snapshot_guards(config, rules)


def _snapshot_guards(config: StackConfig, rules: Rules) -> None:
    """Object Lock within the retention; the replica in another region."""
    snapshots, kms = config.snapshots, config.unseal.awskms
    lock, replication = snapshots.object_lock, snapshots.replication
    rules.check(("snapshots.object_lock", "snapshots.retention_days"),
                lock is not None and lock.days is not None and lock.days > snapshots.retention_days,
                Problem("snapshots.object_lock.days", f"longer than snapshots.retention_days "
                        f"({snapshots.retention_days}): a version locked longer than it is kept could not expire; "
                        f"allowed: 1 to {snapshots.retention_days}", lock.days if lock else None))
    rules.check(("snapshots.replication", "unseal.awskms"),
                replication is not None and kms is not None and replication.region == kms.region,
                Problem("snapshots.replication.region", "the bucket's own region (unseal.awskms.region): a replica "
                        "there survives no regional outage; allowed: another region",
                        replication.region if replication else None))
    for key, value in (("snapshots.object_lock", lock), ("snapshots.replication", replication)):
        rules.check((key, "snapshots.enabled"), value is not None and not snapshots.enabled,
                    Problem(key, "only with snapshots.enabled: true", has_value=False))

def _postgresql_rules(config: StackConfig, rules: Rules) -> None:
    check = rules.check
    storage = config.storage
    pg = storage.postgresql
    env = config.environment
    if storage.type != "postgresql":
        check(("storage.type", "storage.postgresql"), pg is not None,
              Problem("storage.postgresql", f"only valid with storage.type postgresql, not {storage.type}",
                      has_value=False))
        return
    if pg is None:
        check(("storage.postgresql",), True,
              Problem("storage.postgresql", "required when storage.type is postgresql (source, ca_cert_file)",
                      has_value=False))
        return
    check(("cluster.replicas", "environment"), not config.is_dev and config.cluster.replicas < 2,
          Problem("cluster.replicas", f"PostgreSQL storage in {env} needs at least 2 replicas for HA "
                  "(allowed: 2 to 9)", config.cluster.replicas))
    if pg.source == "existing":
        check(("storage.postgresql.admin_connection_url",), pg.admin_connection_url is None,
              Problem("storage.postgresql.admin_connection_url", "required with source existing", has_value=False))
        check(("storage.postgresql.rds",), pg.rds is not None,
              Problem("storage.postgresql.rds", "only valid with source rds", has_value=False))
    else:
        check(("storage.postgresql.rds",), pg.rds is None,
              Problem("storage.postgresql.rds", "required with source rds (region, vpc_id, subnet_ids, "
                      "client_security_group_id)", has_value=False))
        check(("storage.postgresql.admin_connection_url",), pg.admin_connection_url is not None,
              Problem("storage.postgresql.admin_connection_url",
                      "only valid with source existing (the stack makes the RDS credentials)", has_value=False))
    check(("storage.postgresql.ca_cert_file", "environment"), pg.ca_cert_file is None and not config.is_dev,
          Problem("storage.postgresql.ca_cert_file",
                  f"required in {env}: Vault verifies the database server's certificate", has_value=False))
    if pg.ca_cert_file is not None:
        try:
            pem = files.read_text(PROJECT_DIR / pg.ca_cert_file, files.SMALL_FILE_LIMIT, inside=PROJECT_DIR,
                                  shown=pg.ca_cert_file)
            problem = None if "BEGIN CERTIFICATE" in pem else "no PEM certificate in this file"
        except files.InputFileError as error:
            problem = ("no PEM certificate file at this path in the repository" if error.problem == files.NOT_FOUND
                       else f"the file {error.problem} (a PEM certificate file in the repository is expected)")
        check(("storage.postgresql.ca_cert_file",), problem is not None,
              Problem("storage.postgresql.ca_cert_file", problem or "", pg.ca_cert_file))
    check(("storage.postgresql.table", "storage.postgresql.ha_table"), pg.table == pg.ha_table,
          Problem("storage.postgresql.ha_table", "must differ from table", pg.ha_table))


_KEY_SETTINGS = ("deletion_window_in_days", "enable_key_rotation", "rotation_period_in_days", "key_administrators")


def unseal_rules(config: StackConfig, rules: Rules) -> None:
    check = rules.check
    unseal = config.unseal
    env = config.environment
    if not rules.usable("unseal.type"):
        return
    if unseal.type == "shamir":
        check(("environment",), not config.is_dev,
              Problem("unseal.type",
                      f"{env} must unseal itself after every restart; Shamir is dev-only (allowed: awskms)",
                      "shamir"))
        check((), unseal.awskms is not None,
              Problem("unseal.awskms", "only valid with unseal.type awskms, not shamir", has_value=False))
        return
    kms = unseal.awskms
    if kms is None:
        check(("unseal.awskms",), True,
              Problem("unseal.awskms", "required when unseal.type is awskms (region, identity)", has_value=False))
        return
    if kms.existing_key_arn:
        key_region = kms.existing_key_arn.split(":")[3]
        check(("unseal.awskms.region", "unseal.awskms.existing_key_arn"), key_region != kms.region,
              Problem("unseal.awskms.existing_key_arn",
                      f"the key is in {key_region} but unseal.awskms.region is {kms.region}; they must match",
                      kms.existing_key_arn))
        # key_administrators also administer the other keys the stack creates anyway
        settings = set(_KEY_SETTINGS) - ({"key_administrators"} if _other_stack_keys(config) else set())
        for name in sorted(settings & kms.model_fields_set):
            check((), True, Problem(f"unseal.awskms.{name}",
                                    "only for a key the stack creates; remove it or remove existing_key_arn",
                                    has_value=False))
    else:
        check(("unseal.awskms.enable_key_rotation", "environment"), not kms.enable_key_rotation and not config.is_dev,
              Problem("unseal.awskms.enable_key_rotation", f"key rotation cannot be off in {env} (allowed: true)",
                      False))
    creates_key = not kms.existing_key_arn or bool(_other_stack_keys(config))
    check(("unseal.awskms.key_administrators", "environment", "initialization.recovery_keys"),
          creates_key and not config.is_dev and not kms.key_administrators,
          Problem("unseal.awskms.key_administrators",
                  f"{env} needs the roles that administer the KMS keys the stack creates, named (the account root "
                  "would let any principal allowed kms:PutKeyPolicy lift the keys' protections); include the "
                  "identity that runs `pulumi up`: AWS refuses a key policy that locks its creator out",
                  has_value=False))
    for index, arn in enumerate(kms.key_administrators):
        check(("unseal.awskms.key_administrators",), not re.fullmatch(PRINCIPAL_ARN, arn),
              Problem(f"unseal.awskms.key_administrators[{index}]", PRINCIPAL_ARN_HELP, arn))
        check(("unseal.awskms.key_administrators", "environment"), not config.is_dev and _is_account_root(arn),
              Problem(f"unseal.awskms.key_administrators[{index}]",
                      f"the account root lets any principal allowed kms:PutKeyPolicy lift the key's protections; "
                      f"name the administrator roles in {env}", arn))
    identity = kms.identity
    if not rules.usable("unseal.awskms.identity.mode"):
        return
    irsa = identity.mode == "irsa"
    wanted = ("oidc_provider_arn",) if irsa else ("cluster_name",)
    unwanted = ("cluster_name", "cluster_region") if irsa else ("oidc_provider_arn",)
    for name in wanted:
        check((f"unseal.awskms.identity.{name}",), getattr(identity, name) is None,
              Problem(f"unseal.awskms.identity.{name}", f"required when identity.mode is {identity.mode}",
                      has_value=False))
    for name in unwanted:
        check((f"unseal.awskms.identity.{name}",), getattr(identity, name) is not None,
              Problem(f"unseal.awskms.identity.{name}",
                      f"only valid with the other identity mode, not {identity.mode}", has_value=False))


def initialization_rules(config: StackConfig, rules: Rules) -> None:
    check = rules.check
    init = config.initialization
    if init is None:
        return
    shares, threshold = init.recovery_shares, init.recovery_threshold
    inputs = ("initialization.recovery_shares", "initialization.recovery_threshold")
    check(inputs, threshold > shares,
          Problem("initialization.recovery_threshold",
                  f"cannot exceed recovery_shares ({shares}); allowed: 1 to {shares}", threshold))
    check(inputs, shares > 1 and threshold < 2,
          Problem("initialization.recovery_threshold",
                  f"Vault needs a threshold of at least 2 when there are {shares} shares", threshold))
    check((*inputs, "environment"), not config.is_dev and threshold < 2,
          Problem("initialization.recovery_threshold",
                  f"in {config.environment} no single person may generate a root token; allowed: 2 to 10 "
                  "(with as many shares)", threshold))
    if not rules.usable("initialization.recovery_keys"):
        return
    custody = init.secrets_manager
    if init.recovery_keys == "pgp":
        check(("initialization.pgp_keys", "initialization.recovery_shares"), len(init.pgp_keys) != shares,
              Problem("initialization.pgp_keys",
                      f"needs one public key per share: {shares} (recovery_shares), not {len(init.pgp_keys)}",
                      list(init.pgp_keys)))
        check(("initialization.pgp_keys",), len(set(init.pgp_keys)) != len(init.pgp_keys),
              Problem("initialization.pgp_keys", "a key is listed twice: each share goes to another operator",
                      list(init.pgp_keys)))
        for index, name in enumerate(init.pgp_keys):
            try:
                pgp_keys.read_public_key(PROJECT_DIR / name, inside=PROJECT_DIR)
            except pgp_keys.PgpKeyError as error:
                check(("initialization.pgp_keys",), True, Problem(f"initialization.pgp_keys[{index}]", str(error), name))
        check(("initialization.secrets_manager",), "secrets_manager" in init.model_fields_set,
              Problem("initialization.secrets_manager", "only valid with recovery_keys secrets-manager",
                      has_value=False))
        return
    check(("initialization.pgp_keys",), bool(init.pgp_keys),
          Problem("initialization.pgp_keys", "only valid with recovery_keys pgp", has_value=False))
    check(("unseal.type",), config.unseal.type != "awskms",
          Problem("initialization.recovery_keys",
                  f"Secrets Manager custody needs AWS: unseal.type awskms, not {config.unseal.type} (allowed here: pgp)",
                  init.recovery_keys))
    where = "initialization.secrets_manager"
    check((f"{where}.custodians", "initialization.recovery_shares"), len(custody.custodians) != shares,
          Problem(f"{where}.custodians",
                  f"needs one IAM principal ARN per share: {shares} (recovery_shares), not "
                  f"{len(custody.custodians)}; each custodian reads one share only",
                  list(custody.custodians)))
    check((f"{where}.custodians",), len(set(custody.custodians)) != len(custody.custodians),
          Problem(f"{where}.custodians",
                  "a principal is listed twice: with two shares one person is closer to the threshold alone",
                  list(custody.custodians)))
    for index, arn in enumerate(custody.custodians):
        check((f"{where}.custodians",), not re.fullmatch(PRINCIPAL_ARN, arn),
              Problem(f"{where}.custodians[{index}]", PRINCIPAL_ARN_HELP, arn))
        check((f"{where}.custodians",), _is_account_root(arn),
              Problem(f"{where}.custodians[{index}]",
                      "an account root lets every principal of that account assume the custodian role; "
                      "name one role or user", arn))
    check((f"{where}.break_glass",), custody.break_glass is None,
          Problem(f"{where}.break_glass",
                  "name the one IAM principal ARN that may delete a share or change its policy (everyone else "
                  "is denied)", has_value=False))
    for name in ("break_glass", "initializer"):
        value = getattr(custody, name)
        check((f"{where}.{name}",), value is not None and not re.fullmatch(PRINCIPAL_ARN, value),
              Problem(f"{where}.{name}", PRINCIPAL_ARN_HELP, value))
    check((f"{where}.initializer",), custody.initializer is None,
          Problem(f"{where}.initializer", "name the IAM principal ARN that runs `vault-platform init`: it writes "
                  "every share and reads none", has_value=False))
    check((f"{where}.initializer", f"{where}.custodians"), custody.initializer in custody.custodians,
          Problem(f"{where}.initializer", "must not also be a custodian: it writes every share",
                  custody.initializer))
    administrators = set(config.unseal.awskms.key_administrators if config.unseal.awskms else ())
    check((f"{where}.break_glass", f"{where}.custodians", "unseal.awskms.key_administrators"),
          custody.break_glass is not None and custody.break_glass in set(custody.custodians) | administrators,
          Problem(f"{where}.break_glass", "must be neither a custodian nor a key administrator: it may rewrite the "
                  "shares' policies, a key administrator the key's, and together that reads every share",
                  custody.break_glass))


def _other_stack_keys(config: StackConfig) -> list[str]:
    """The KMS keys the stack creates besides the seal's, all administered by
    ``unseal.awskms.key_administrators``: the recovery keys' and the snapshots' (and, with
    replication, their replica's)."""
    keys = ["recovery keys"] if _custody_by_secrets_manager(config) else []
    return keys + (["snapshots"] if config.snapshots.enabled else [])


def _custody_by_secrets_manager(config: StackConfig) -> bool:
    init = config.initialization
    return init is not None and init.recovery_keys == "secrets-manager"


def _is_account_root(arn: str) -> bool:
    return arn.endswith(":root")
