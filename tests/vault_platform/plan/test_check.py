"""`vault-platform check`: the real validators pass on every stack and fail on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLE_STACKS, STACKS
from vault_platform.plan import artifacts
from vault_platform.plan.check import CheckReport, check_plan_dir, validate_checkov, validate_hcl, validate_kubernetes

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("stack", STACKS + EXAMPLE_STACKS)
def test_every_stack_passes_kubernetes_validate_checkov_and_hcl(stack_plan, tmp_path: Path, stack: str):
    plan = stack_plan(stack)
    artifacts.write(plan, tmp_path)
    report = check_plan_dir(tmp_path, plan.config.kubernetes.version,
                            dialect=plan.config.cluster.target.policy_dialect, config=plan.config)
    errors = [f"{f.validator} {f.file}: {f.message}" for f in report.errors]
    if stack == "openbao":  # no digest of its image could be read here, and none is invented
        assert errors == ["pinning stack file: vault-platform:cluster.image.digest: required in staging: pin "
                          "quay.io/openbao/openbao:2.7.2 by its digest (read it where you trust the registry: "
                          "`docker buildx imagetools inspect quay.io/openbao/openbao:2.7.2` or `crane digest "
                          "quay.io/openbao/openbao:2.7.2`), with a comment saying where it was read"]
    else:
        assert report.ok, errors
        assert report.counts.get("images pinned by digest") == (None if stack == "dev" else 1)
    custom = [f for f in report.notes if f.validator == "kubernetes-validate" and "custom resource" in f.message]
    assert report.counts["kubernetes objects validated"] + len(custom) == len(list((tmp_path / "kubernetes").glob("*.yaml")))
    assert {f.file.split("-")[0] for f in custom} <= {"servicemonitor", "prometheusrule", "certificate"}
    assert report.counts["checkov passed"] > 80
    assert report.counts["checkov failed"] == 0
    assert report.counts["HCL files parsed"] >= 1
    skips = [f for f in report.notes if f.validator == "checkov"]
    assert skips and all(":" in f.message and "(no reason)" not in f.message for f in skips)


BAD_POD = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "bad", "namespace": "demo"},
    "spec": {
        "selector": {"matchLabels": {"app": "bad"}},
        "template": {
            "metadata": {"labels": {"app": "bad"}},
            "spec": {"containers": [{"name": "c", "image": "nginx:latest", "securityContext": {"privileged": True}}]},
        },
    },
}


def test_checkov_fails_an_insecure_manifest(tmp_path: Path):
    (tmp_path / "deployment-bad.yaml").write_text(yaml.safe_dump(BAD_POD))
    report = CheckReport()
    validate_checkov(tmp_path, report)
    failed = {f.message.split()[0] for f in report.errors}
    assert {"CKV_K8S_16", "CKV_K8S_14", "CKV_K8S_22"} <= failed  # privileged, latest tag, writable root


def test_a_skip_without_a_reason_is_an_error(tmp_path: Path):
    bad = {**BAD_POD, "metadata": {**BAD_POD["metadata"], "annotations": {"checkov.io/skip1": "CKV_K8S_16"}}}
    (tmp_path / "deployment-bad.yaml").write_text(yaml.safe_dump(bad))
    report = CheckReport()
    validate_checkov(tmp_path, report)
    assert any("skipped CKV_K8S_16" in f.message and "(no reason)" in f.message for f in report.errors)


def test_strict_schema_validation_rejects_unknown_fields(tmp_path: Path):
    bad = {**BAD_POD, "spec": {**BAD_POD["spec"], "replica": 3}}
    (tmp_path / "deployment-bad.yaml").write_text(yaml.safe_dump(bad))
    report = CheckReport()
    validate_kubernetes(tmp_path, "1.31.0", report)
    assert report.errors and "'replica' was unexpected" in report.errors[0].message


def test_custom_resources_are_reported_as_not_validated(tmp_path: Path):
    certificate = {"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "c"}, "spec": {}}
    (tmp_path / "certificate-c.yaml").write_text(yaml.safe_dump(certificate))
    report = CheckReport()
    validate_kubernetes(tmp_path, "1.31.0", report)
    assert report.ok and "not validated" in report.notes[0].message


def test_hcl_syntax_errors_are_reported(tmp_path: Path):
    (tmp_path / "server.hcl").write_text('storage "raft" {\n  path = \n}\n')
    report = CheckReport()
    validate_hcl(tmp_path, report)
    assert not report.ok and report.errors[0].file == "server.hcl"


def test_a_policy_vault_would_refuse_fails_the_check(tmp_path: Path):
    from vault_platform.plan.check import validate_policies

    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "team.hcl").write_text('path "secret/*" {\n  capabilities = ["reed"]\n}\n')
    report = CheckReport()
    validate_policies(tmp_path, report, "vault-2.0")
    assert not report.ok and 'invalid capability "reed"' in report.errors[0].message


def test_an_error_level_lint_fails_the_check_and_privilege_is_a_note(tmp_path: Path):
    from vault_platform.plan.check import validate_policies

    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "team.hcl").write_text('path "sys/policies/acl/*" {\n  capabilities = ["update"]\n}\n')
    report = CheckReport()
    validate_policies(tmp_path, report, "vault-2.0")
    assert report.ok and "VP003 note" in report.notes[0].message  # privileged is fine on its own: who holds it is checked at load
    (tmp_path / "policies" / "team.hcl").write_text('path "*" {\n  capabilities = ["read"]\n}\n')
    report = CheckReport()
    validate_policies(tmp_path, report, "vault-2.0")
    assert not report.ok and "VP002 error" in report.errors[0].message


def test_a_digest_belongs_to_the_tag_written_beside_it():
    from components import config as schema
    from tests.conftest import stack_raw

    raw = stack_raw("production")
    del raw["vault-platform:cluster"]["image"]["tag"]
    with pytest.raises(schema.ConfigError, match="cluster.image.tag: required with cluster.image.digest"):
        schema.load(raw, "Pulumi.production.yaml", "production")


def test_every_shipped_digest_says_where_it_was_read(project):
    cited = 0
    for path in [project / f"Pulumi.{s}.yaml" for s in STACKS] + [project / "examples" / f"Pulumi.{s}.yaml"
                                                                   for s in EXAMPLE_STACKS]:
        text = path.read_text()
        for line_number, line in enumerate(text.splitlines()):
            if line.strip().startswith("digest: sha256:"):
                comment = "\n".join(text.splitlines()[max(0, line_number - 8):line_number])
                assert "read from" in comment and "commit" in comment and "confirm it" in comment, path
                cited += 1
    assert cited == 3  # staging, production and the PostgreSQL example pin one
