"""The stack-configuration schema: secure defaults, every rule, and the messages users read."""

from __future__ import annotations

from pathlib import Path

import pytest

from components import config as schema
from components.config import base as units
from tests.conftest import STACKS, stack_raw, with_values

NS = schema.NAMESPACE


def load(raw, stack="production"):
    return schema.load(raw, f"Pulumi.{stack}.yaml", stack)


def problems_of(raw, stack="production") -> str:
    with pytest.raises(schema.ConfigError) as caught:
        load(raw, stack)
    return str(caught.value)


NO_SNAPSHOT_GUARDS = {"snapshots.object_lock": None, "snapshots.replication": None}
"""Production's snapshot guards, cleared where a case turns its snapshots off."""

MINIMAL_PRODUCTION = {
    f"{NS}:environment": "production",
    f"{NS}:unseal": {"awskms": {"region": "eu-west-1", "identity": {
        "oidc_provider_arn": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"},
        "key_administrators": ["arn:aws:iam::111122223333:role/vault-key-admins"]}},
    f"{NS}:network": {"egress": {"kubernetes_api": ["10.0.8.0/28"], "aws": ["10.0.16.0/24"]}},
}


def test_minimal_definition_gets_the_secure_defaults():
    config = load(MINIMAL_PRODUCTION)
    assert config.storage.type == "raft"
    assert config.cluster.replicas == 3
    assert config.tls.mode == "generated"
    assert config.network.network_policies is True
    assert config.cluster.anti_affinity == "required"
    assert config.cluster.zone_spread == "DoNotSchedule"
    assert config.cluster.image.tag != "latest"
    assert config.cluster.update_strategy == "OnDelete"
    assert config.cluster.log_format == "json"
    assert config.unseal.type == "awskms"
    kms = config.unseal.awskms
    assert (kms.enable_key_rotation, kms.deletion_window_in_days, kms.identity.mode) == (True, 30, "irsa")
    assert kms.existing_key_arn is None


@pytest.mark.parametrize("stack", STACKS)
def test_shipped_stack_files_are_valid(project: Path, stack: str):
    config = schema.load_stack_file(project / f"Pulumi.{stack}.yaml")
    assert config.environment == stack


def test_dev_is_single_replica_file_storage(project: Path):
    config = schema.load_stack_file(project / "Pulumi.dev.yaml")
    assert (config.cluster.replicas, config.storage.type) == (1, "file")


BAD_CASES = [
    # label, stack, changes, expected fragments of the one message
    ("raft-two-replicas", "production", {"cluster.replicas": 2},
     ["cluster.replicas = 2", "odd replica count of at least 3"]),
    ("raft-four-replicas", "staging", {"cluster.replicas": 4},
     ["cluster.replicas = 4", "allowed: 3, 5, 7, 9"]),
    ("raft-one-replica-production", "production", {"cluster.replicas": 1},
     ["cluster.replicas = 1", "at least 3"]),
    ("dev-raft-even", "dev", {"storage.type": "raft", "cluster.replicas": 2},
     ["cluster.replicas = 2", "odd replica count"]),
    ("replicas-not-a-number", "production", {"cluster.replicas": "three"},
     ["cluster.replicas = 'three'", "valid integer"]),
    ("replicas-too-many", "production", {"cluster.replicas": 11},
     ["cluster.replicas = 11", "less than or equal to 9"]),
    ("tls-off-production", "production", {"tls.mode": "disabled"},
     ["tls.mode = 'disabled'", "TLS cannot be off outside dev"]),
    ("tls-unknown-mode", "production", {"tls.mode": "self-signed"},
     ["tls.mode = 'self-signed'", "'generated', 'cert-manager' or 'disabled'"]),
    ("file-storage-staging", "staging", {"snapshots.enabled": False, **NO_SNAPSHOT_GUARDS, "storage.type": "file", "cluster.replicas": 1,
                                         "vault.autopilot": None},
     ["storage.type = 'file'", "file storage is dev-only"]),
    ("file-storage-three-replicas", "dev", {"cluster.replicas": 3},
     ["cluster.replicas = 3", "replicas must be 1"]),
    ("audit-rotation-beyond-the-volume", "production", {"cluster.audit_rotation": {"max_file_size": "30Gi"}},
     ["cluster.audit_rotation.max_file_size = '30Gi'", "1 audit file(s) x (3 kept + the live one + one of growth + "
      "one of headroom) at this size need 180.0Gi, more than the audit volume (100Gi); allowed: at most 17066Mi"]),
    ("postgresql-without-settings", "production", {"snapshots.enabled": False, **NO_SNAPSHOT_GUARDS, "storage.type": "postgresql",
                                                  "network.egress.postgresql": ["10.40.32.0/22"],
                                                  "vault.autopilot": None},
     ["storage.postgresql: required when storage.type is postgresql",
      "storage.raft: only valid with storage.type raft, not postgresql"]),
    ("postgresql-plain-admin-url", "production",
     {"snapshots.enabled": False, **NO_SNAPSHOT_GUARDS, "network.egress.postgresql": ["10.40.32.0/22"], "vault.autopilot": None,
      "storage": {"type": "postgresql", "postgresql": {"source": "existing",
                                                       "admin_connection_url": "postgres://a:b@db/vault"}}},
     ["storage.postgresql.admin_connection_url: must be a Pulumi secret",
      "storage.postgresql.ca_cert_file: required in production"]),
    ("postgresql-rds-missing", "production",
     {"snapshots.enabled": False, **NO_SNAPSHOT_GUARDS, "network.egress.postgresql": ["10.40.32.0/22"], "vault.autopilot": None,
      "storage": {"type": "postgresql", "postgresql": {"source": "rds", "ca_cert_file": "certs/none.pem"}}},
     ["storage.postgresql.rds: required with source rds",
      "storage.postgresql.ca_cert_file = 'certs/none.pem': no PEM certificate file"]),
    ("postgresql-block-with-raft", "production", {"storage.postgresql": {"source": "rds"}},
     ["storage.postgresql: only valid with storage.type postgresql, not raft"]),
    ("storage-unknown-type", "production", {"storage.type": "consul"},
     ["storage.type = 'consul'", "'raft', 'postgresql' or 'file'"]),
    ("unknown-nested-key", "production", {"cluster.replica": 3},
     ["cluster.replica: unknown key; did you mean `replicas`?"]),
    ("unknown-top-level-key", "production", {"clustr": {"replicas": 3}},
     [f"{NS}:clustr: unknown key; did you mean `cluster`?"]),
    ("environment-mismatch", "production", {"environment": "dev"},
     ["environment = 'dev'", "must declare environment `production`"]),
    ("environment-invalid", "production", {"environment": "prod"},
     ["environment = 'prod'", "'dev', 'staging' or 'production'"]),
    ("image-latest", "production", {"cluster.image.tag": "latest"},
     ["cluster.image.tag = 'latest'", "pin a version"]),
    ("image-digest-malformed", "production", {"cluster.image.digest": "sha256:abc"},
     ["cluster.image.digest = 'sha256:abc'", "does not match the allowed form"]),
    ("limit-below-request", "production", {"cluster.resources.limits.memory": "1Gi"},
     ["cluster.resources.limits.memory = '1Gi'", "below the request (2Gi)"]),
    ("quantity-malformed", "production", {"cluster.data_volume.size": "ten gigs"},
     ["cluster.data_volume.size = 'ten gigs'", "not a Kubernetes quantity: a number with an optional suffix (`500m`, `2`, `512Mi`, `10Gi`)"]),
    ("network-policies-off-production", "production", {"network.network_policies": False},
     ["network.network_policies = false", "dev-only opt-out"]),
    ("soft-anti-affinity-staging", "staging", {"cluster.anti_affinity": "preferred"},
     ["cluster.anti_affinity = 'preferred'", "dev-only shortcut"]),
    ("cert-manager-without-issuer", "production", {"tls.mode": "cert-manager"},
     ["tls.cert_manager: required when tls.mode is cert-manager"]),
    ("kubernetes-too-old", "production", {"kubernetes.version": "1.12.0"},
     ["kubernetes.version = '1.12.0'", "allowed minors: 1.25 to 1.37"]),
    ("namespace-not-dns", "production", {"kubernetes.namespace": "Vault_NS"},
     ["kubernetes.namespace = 'Vault_NS'", "not a DNS label: lowercase letters, digits and `-`"]),
    ("allowed-namespace-not-dns", "production", {"network.allowed_namespaces": ["ok", "Bad_NS"]},
     ["network.allowed_namespaces[1] = 'Bad_NS'", "not a namespace name"]),
    ("autopilot-intervals-inverted", "production",
     {"storage.raft.autopilot_reconcile_interval": "1s", "storage.raft.autopilot_update_interval": "5s"},
     ["storage.raft.autopilot_reconcile_interval = '1s'", "at least autopilot_update_interval (5s)"]),
    ("raft-block-with-file", "dev", {"storage.raft": {"performance_multiplier": 1}},
     ["storage.raft: only valid with storage.type raft, not file"]),
    ("deletion-window-too-short", "production", {"unseal.awskms.deletion_window_in_days": 3},
     ["unseal.awskms.deletion_window_in_days = 3", "greater than or equal to 7"]),
    ("deletion-window-too-long", "production", {"unseal.awskms.deletion_window_in_days": 45},
     ["unseal.awskms.deletion_window_in_days = 45", "less than or equal to 30"]),
    ("key-arn-malformed", "production", {"unseal.awskms.existing_key_arn": "arn:aws:kms:eu-west-1:key/abc"},
     ["unseal.awskms.existing_key_arn = 'arn:aws:kms:eu-west-1:key/abc'", "does not match the allowed form"]),
    ("key-arn-other-region", "production",
     {"unseal.awskms.existing_key_arn": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      "unseal.awskms.deletion_window_in_days": 30},
     ["the key is in us-east-1 but unseal.awskms.region is eu-west-1",
      "unseal.awskms.deletion_window_in_days: only for a key the stack creates"]),
    ("identity-mode-unknown", "production", {"unseal.awskms.identity.mode": "static-keys"},
     ["unseal.awskms.identity.mode = 'static-keys'", "'irsa' or 'pod-identity'"]),
    ("irsa-without-oidc-provider", "staging", {"unseal.awskms.identity.oidc_provider_arn": None},
     ["unseal.awskms.identity.oidc_provider_arn: required when identity.mode is irsa"]),
    ("pod-identity-with-oidc-arn", "production",
     {"unseal.awskms.identity.oidc_provider_arn": "arn:aws:iam::111122223333:oidc-provider/x"},
     ["unseal.awskms.identity.oidc_provider_arn: only valid with the other identity mode"]),
    ("shamir-in-production", "production",
     {"snapshots.enabled": False, **NO_SNAPSHOT_GUARDS, "initialization": None, "unseal": {"type": "shamir"}},
     ["unseal.type = 'shamir'", "must unseal itself", "allowed: awskms"]),
    ("awskms-without-settings", "dev", {"unseal": {"type": "awskms"}},
     ["unseal.awskms: required when unseal.type is awskms"]),
    ("rotation-off-production", "production", {"unseal.awskms.enable_key_rotation": False},
     ["unseal.awskms.enable_key_rotation = false", "cannot be off in production"]),
    ("rotation-period-too-short", "production", {"unseal.awskms.rotation_period_in_days": 30},
     ["unseal.awskms.rotation_period_in_days = 30", "greater than or equal to 90"]),
    ("key-admin-not-an-arn", "production", {"unseal.awskms.key_administrators": ["platform-admins"]},
     ["unseal.awskms.key_administrators[0] = 'platform-admins'", "not an IAM principal ARN"]),
    ("zone-spread-soft-production", "production", {"cluster.zone_spread": "ScheduleAnyway"},
     ["cluster.zone_spread = 'ScheduleAnyway'", "dev-only shortcut"]),
    ("renew-before-duration", "production",
     {"tls.mode": "cert-manager", "tls.cert_manager": {"issuer_name": "ca", "duration": "1h", "renew_before": "360h"}},
     ["tls.cert_manager.renew_before = '360h'", "shorter than the certificate's duration (1h)"]),
    ("server-cert-outlives-ca", "production", {"tls.ca_validity_hours": 24},
     ["tls.server_validity_hours = 8760", "cannot outlive its CA (24h)"]),
    ("recovery-threshold-above-shares", "production", {"initialization.recovery_threshold": 6},
     ["initialization.recovery_threshold = 6", "cannot exceed recovery_shares (5)"]),
    ("recovery-threshold-one-of-many", "dev",
     {"initialization": {"recovery_shares": 3, "recovery_threshold": 1, "recovery_keys": "pgp",
                         "pgp_keys": ["a.asc", "b.asc", "c.asc"]}},
     ["initialization.recovery_threshold = 1", "at least 2 when there are 3 shares",
      "initialization.pgp_keys[0] = 'a.asc'", "initialization.pgp_keys[1] = 'b.asc'",
      "initialization.pgp_keys[2] = 'c.asc'", "no such file"]),
    ("single-custodian-production", "production",
     {"initialization.recovery_shares": 1, "initialization.recovery_threshold": 1,
      "initialization.secrets_manager.custodians": ["arn:aws:iam::444455556666:user/custodian-amara"]},
     ["initialization.recovery_threshold = 1", "no single person may generate a root token"]),
    ("recovery-shares-too-many", "production", {"initialization.recovery_shares": 11},
     ["initialization.recovery_shares = 11", "less than or equal to 10"]),
    ("recovery-keys-unknown", "production", {"initialization.recovery_keys": "email"},
     ["initialization.recovery_keys = 'email'", "'secrets-manager' or 'pgp'"]),
    ("pgp-key-count", "production", {"initialization.recovery_keys": "pgp", "initialization.pgp_keys": ["README.md"]},
     ["initialization.pgp_keys = [\"README.md\"]", "one public key per share: 5 (recovery_shares), not 1",
      "initialization.pgp_keys[0] = 'README.md'", "not an OpenPGP public key",
      "initialization.secrets_manager: only valid with recovery_keys secrets-manager"]),
    ("custodians-missing", "staging", {"initialization.secrets_manager.custodians": []},
     ["initialization.secrets_manager.custodians = []", "one IAM principal ARN per share: 5 (recovery_shares), not 0"]),
    ("one-custodian-for-five-shares", "staging",
     {"initialization.secrets_manager.custodians": ["arn:aws:iam::111122223333:role/vault-custodians"]},
     ["initialization.secrets_manager.custodians = [\"arn:aws:iam::111122223333:role/vault-custodians\"]",
      "one IAM principal ARN per share: 5 (recovery_shares), not 1", "each custodian reads one share only"]),
    ("custodian-not-an-arn", "staging", {"initialization.secrets_manager.custodians": [
        "vault-custodians", "arn:aws:iam::111122223333:user/c2", "arn:aws:iam::111122223333:user/c3", "arn:aws:iam::111122223333:user/c4", "arn:aws:iam::111122223333:user/c5"]},
     ["initialization.secrets_manager.custodians[0] = 'vault-custodians'", "not an IAM principal ARN"]),
    ("custodian-twice", "staging", {"initialization.secrets_manager.custodians": [
        "arn:aws:iam::111122223333:user/c1", "arn:aws:iam::111122223333:user/c2", "arn:aws:iam::111122223333:user/c3", "arn:aws:iam::111122223333:user/c1", "arn:aws:iam::111122223333:user/c5"]},
     ["initialization.secrets_manager.custodians = ", "a principal is listed twice"]),
    ("custodian-account-root", "staging", {"initialization.secrets_manager.custodians": [
        "arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:user/c2", "arn:aws:iam::111122223333:user/c3", "arn:aws:iam::111122223333:user/c4", "arn:aws:iam::111122223333:user/c5"]},
     ["initialization.secrets_manager.custodians[0] = 'arn:aws:iam::111122223333:root'",
      "lets every principal of that account assume the custodian role"]),
    ("break-glass-missing", "production", {"initialization.secrets_manager.break_glass": None},
     ["initialization.secrets_manager.break_glass: name the one IAM principal ARN"]),
    ("initializer-is-a-custodian", "production", {"initialization.secrets_manager.initializer":
                                                  "arn:aws:iam::444455556666:user/custodian-bo"},
     ["initialization.secrets_manager.initializer = 'arn:aws:iam::444455556666:user/custodian-bo'",
      "must not also be a custodian"]),
    ("initializer-missing", "production", {"initialization.secrets_manager.initializer": None},
     ["initialization.secrets_manager.initializer: name the IAM principal ARN that runs `vault-platform init`"]),
    ("break-glass-is-a-key-administrator", "production", {"initialization.secrets_manager.break_glass":
                                                         "arn:aws:iam::444455556666:role/vault-key-admins"},
     ["initialization.secrets_manager.break_glass = 'arn:aws:iam::444455556666:role/vault-key-admins'",
      "must be neither a custodian nor a key administrator"]),
    ("external-id-bad", "production", {"initialization.secrets_manager.external_id": "a b"},
     ["initialization.secrets_manager.external_id = 'a b'"]),
    ("key-administrators-missing", "production", {"unseal.awskms.key_administrators": []},
     ["unseal.awskms.key_administrators: production needs the roles that administer the KMS keys",
      "include the identity that runs `pulumi up`"]),
    ("key-administrator-account-root", "staging", {"unseal.awskms.key_administrators": [
        "arn:aws:iam::111122223333:root"]},
     ["unseal.awskms.key_administrators[0] = 'arn:aws:iam::111122223333:root'",
      "any principal allowed kms:PutKeyPolicy lift the key's protections"]),
    ("secrets-manager-without-aws", "dev", {"initialization": {"recovery_shares": 1, "recovery_threshold": 1,
                                                                "secrets_manager": {
        "custodians": ["arn:aws:iam::111122223333:role/c"],
        "break_glass": "arn:aws:iam::111122223333:role/vault-break-glass",
        "initializer": "arn:aws:iam::111122223333:role/vault-operators"}}},
     ["initialization.recovery_keys = 'secrets-manager'", "needs AWS: unseal.type awskms, not shamir"]),
    ("restore-principal-not-an-arn", "production", {"snapshots.restore_principals": ["operators"]},
     ["snapshots.restore_principals[0] = 'operators'", "not an IAM principal ARN"]),
    ("secure-value-on-plain-key", "production", {"cluster.log_level": schema.SecretPlaceholder("v1:abc")},
     ["cluster.log_level: this key cannot be a secret"]),
]


@pytest.mark.parametrize(
    "stack, changes, expected", [case[1:] for case in BAD_CASES], ids=[case[0] for case in BAD_CASES]
)
def test_bad_values_are_named_with_file_key_value_and_allowed(stack, changes, expected):
    message = problems_of(with_values(stack_raw(stack), **changes), stack)
    assert message.startswith(f"invalid stack configuration in Pulumi.{stack}.yaml")
    for fragment in expected:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    problems = [line for line in message.splitlines()[1:]]
    for line in problems:  # nothing reported beyond what the case is about
        assert line.startswith(f"  - {NS}:") and any(f in line for f in expected), f"unexpected: {line}"


@pytest.mark.parametrize(
    "stack, changes, only",
    [
        ("production", {"unseal.awskms.identity.mode": "kiam"},
         "unseal.awskms.identity.mode = 'kiam': input should be 'irsa' or 'pod-identity'; did you mean 'irsa'?"),
        ("production", {"unseal": None}, "unseal = null: must be a mapping of keys (see the configuration reference)"),
        ("production", {"cluster.replicas": True}, "cluster.replicas = true: input should be a valid integer"),
        ("production", {"cluster.replicas": 5.0}, "cluster.replicas = 5.0: input should be a valid integer"),
        ("production", {"network.network_policies": "off"},
         "network.network_policies = 'off': input should be a valid boolean"),
    ],
    ids=["bad-enum-hides-dependent-rules", "null-section", "bool-for-int", "float-for-int", "string-for-bool"],
)
def test_a_bad_value_is_reported_once_as_written(stack, changes, only):
    with pytest.raises(schema.ConfigError) as caught:
        load(with_values(stack_raw(stack), **changes), stack)
    (problem,) = caught.value.problems
    assert problem.line and problem.render() == f"{NS}:{only} (stack file line {problem.line})"


def test_missing_environment_is_reported():
    assert f"{NS}:environment: required key is missing" in problems_of({}, "production")


def test_every_problem_is_listed_in_one_message():
    raw = with_values(
        stack_raw("production"),
        **{"cluster.replicas": 2, "tls.mode": "disabled", "cluster.imag": {}, "network.network_policies": False},
    )
    with pytest.raises(schema.ConfigError) as caught:
        load(raw)
    paths = [problem.path for problem in caught.value.problems]
    assert paths == ["cluster.imag", "cluster.replicas", "network.network_policies", "tls.mode"]
    assert "(4 problems)" in str(caught.value)


def test_other_namespaces_are_left_to_their_providers():
    config = load({**MINIMAL_PRODUCTION, "aws:region": "eu-west-1", "kubernetes:context": "prod"})
    assert config.environment == "production"


def test_runtime_values_decode_json_objects_and_keep_plain_strings():
    assert schema.decode_runtime_value('{"replicas": 3}') == {"replicas": 3}
    assert schema.decode_runtime_value("production") == "production"
    assert schema.decode_runtime_value("3") == 3


def test_secure_values_stay_encrypted_when_read_offline(tmp_path: Path):
    stack = tmp_path / "Pulumi.production.yaml"
    stack.write_text(
        "config:\n  vault-platform:environment: production\n  vault:token:\n    secure: v1:abcdef\n"
    )
    raw = schema.read_stack_file(stack)
    assert isinstance(raw["vault:token"], schema.SecretPlaceholder)
    assert "abcdef" not in repr(raw["vault:token"])


@pytest.mark.parametrize(
    "content, expected",
    [
        ("config: [1, 2]\n", "a stack file is a mapping with a `config:` mapping"),
        ("config: {a: [\n", "not valid YAML"),
    ],
    ids=["config-not-a-mapping", "broken-yaml"],
)
def test_malformed_stack_files(tmp_path: Path, content: str, expected: str):
    stack = tmp_path / "Pulumi.production.yaml"
    stack.write_text(content)
    with pytest.raises(schema.ConfigError) as caught:
        schema.load_stack_file(stack)
    assert expected in str(caught.value)
    assert str(stack) in str(caught.value)


@pytest.mark.parametrize(
    "text, value", [("500m", 0.5), ("2", 2), ("1Gi", 2**30), ("512Mi", 2**29), ("1.5", 1.5), ("1k", 1000)]
)
def test_quantity(text, value):
    assert units.quantity(text) == value


@pytest.mark.parametrize("text, seconds", [("10s", 10), ("1h30m", 5400), ("250ms", 0.25), ("2h", 7200)])
def test_duration_seconds(text, seconds):
    assert units.duration_seconds(text) == seconds


# -- where a problem is: list entries by name, stack-file lines, words instead of patterns ----


def test_a_problem_names_its_list_entry_and_its_line(tmp_path: Path, project: Path):
    text = (project / "Pulumi.production.yaml").read_text()
    bad = text.replace("token_policies: [analytics-ingest]", "token_policies: [analytics-ingset]", 1)
    assert bad != text
    stack = tmp_path / "Pulumi.production.yaml"
    stack.write_text(bad)
    with pytest.raises(schema.ConfigError) as caught:
        schema.load_stack_file(stack)
    (problem,) = caught.value.problems
    line = bad.splitlines().index(next(l for l in bad.splitlines() if "analytics-ingset" in l)) + 1
    assert problem.path == "vault.roles[name=ingest].token_policies[0]" and problem.line == line
    assert problem.render().endswith(f"did you mean `analytics-ingest`? (stack file line {line})")


def test_a_name_used_twice_keeps_the_index_beside_it():
    from components.config.inputs.locations import describe

    data = {"vault": {"roles": [{"name": "deploy", "mount": "a"}, {"name": "deploy", "mount": "b"}]}}
    assert describe("vault.roles[1].mount", data) == ("vault.roles[1: name=deploy].mount", None)
    assert describe("vault.roles[0]", {"vault": {"roles": ["plain"]}}) == ("vault.roles[0]", None)


def test_a_policy_that_fails_to_parse_is_one_problem_not_a_cascade(tmp_path: Path, project: Path):
    import shutil

    folder = tmp_path / "policies"
    shutil.copytree(project / "policies", folder)
    (folder / "analytics-ingest.hcl").write_text('path "secret/data/x" {\n  capabilities = "read"\n}\n')
    with pytest.raises(schema.ConfigError) as caught:
        schema.load(stack_raw("production"), "Pulumi.production.yaml", "production", policy_dir=folder)
    (problem,) = caught.value.problems  # not also "the role names a policy that does not exist"
    assert problem.path == "vault.policies" and "policies/analytics-ingest.hcl line 2" in problem.message


def test_durations_and_enums_are_explained_in_words():
    raw = with_values(stack_raw("production"), **{"cluster.log_level": "warning", "vault.auth_methods": [
        {"type": "kubernetes", "path": "kubernetes", "tune": {"max_lease_ttl": "1 day"}}]})
    message = problems_of(raw, "production")
    assert "cluster.log_level = 'warning'" in message and "did you mean 'warn'?" in message
    assert ("vault.auth_methods[path=kubernetes].tune.max_lease_ttl = '1 day': not a duration: a whole number of "
            "seconds (`3600`)") in message
    assert "does not match the allowed form" not in message


def test_snapshots_need_named_key_administrators_even_with_an_existing_seal_key():
    """The snapshot key (and its replica's) is the stack's own: with the seal's key brought
    from elsewhere, key_administrators are still required and still allowed outside dev."""
    raw = with_values(stack_raw("production"), **{
        "unseal.awskms.existing_key_arn": "arn:aws:kms:eu-west-1:444455556666:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
        "initialization": None})
    del raw[f"{NS}:unseal"]["awskms"]["deletion_window_in_days"]  # a setting of a key the stack creates
    load(raw)  # snapshots on: key_administrators stay allowed
    del raw[f"{NS}:unseal"]["awskms"]["key_administrators"]
    with pytest.raises(schema.ConfigError, match="unseal.awskms.key_administrators: production needs the roles"):
        load(raw)
