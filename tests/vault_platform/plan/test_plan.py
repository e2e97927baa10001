"""The offline plan: real stack files through the real program, artifacts, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from components import config as schema
from tests.conftest import STACKS, stack_raw, with_values
from vault_platform.outputs import OutputDirError
from vault_platform.plan import artifacts
from vault_platform.plan.mocks import RecordingMonitor
from vault_platform.plan.program import PlanError, run_program


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "vault_platform", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_plans_and_writes_every_artifact(stack_plan, tmp_path: Path, stack: str):
    plan = stack_plan(stack)
    written = artifacts.write(plan, tmp_path / stack)
    assert "resources.json" in written and "vault/server.hcl" in written
    for sub in artifacts.SUBDIRS:
        assert (tmp_path / stack / sub).is_dir()
    resources = json.loads((tmp_path / stack / "resources.json").read_text())
    assert len(resources) == len(plan.registrations) > 10
    for entry in resources:
        assert set(entry) == {"urn", "type", "name", "parent", "inputs", "protect", "retainOnDelete", "dependsOn"}
    kinds = {p.name.split("-")[0] for p in (tmp_path / stack / "kubernetes").glob("*.yaml")}
    assert {"statefulset", "service", "configmap", "namespace", "poddisruptionbudget", "networkpolicy"} <= kinds
    assert plan.outputs["vault_address"].startswith("https://vault.vault-system.svc")


@pytest.mark.parametrize("stack", STACKS)
def test_no_private_key_material_in_any_artifact(stack_plan, tmp_path: Path, stack: str):
    artifacts.write(stack_plan(stack), tmp_path)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert "PRIVATE KEY" not in path.read_text(), path


def test_two_plans_are_byte_identical(project: Path, tmp_path: Path):
    """Separate processes (different hash seeds) must write the same bytes."""
    for run in ("a", "b"):
        env = {**os.environ, "PYTHONHASHSEED": "1" if run == "a" else "2"}
        done = subprocess.run(
            [sys.executable, "-m", "vault_platform", "plan", "--stack", "production", "--out", str(tmp_path / run)],
            cwd=project, capture_output=True, text=True, env=env, timeout=300,
        )
        assert done.returncode == 0, done.stderr
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b and len(files_a) > 10
    for relative in files_a:
        assert (tmp_path / "a" / relative).read_bytes() == (tmp_path / "b" / relative).read_bytes(), relative


def test_bad_value_exits_2_with_one_message_and_writes_nothing(project: Path, tmp_path: Path):
    stack_file = tmp_path / "Pulumi.production.yaml"
    text = (project / "Pulumi.production.yaml").read_text().replace("replicas: 5", "replicas: 4")
    stack_file.write_text(text.replace("mode: generated", "mode: plaintext"))
    out = tmp_path / "out"
    done = cli("plan", "--stack", str(stack_file), "--out", str(out), cwd=project)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"invalid stack configuration in {stack_file}" in done.stderr
    assert "vault-platform:cluster.replicas = 4" in done.stderr
    assert "vault-platform:tls.mode = 'plaintext'" in done.stderr
    assert not out.exists()


def test_the_program_itself_refuses_bad_config_before_registering_anything(project: Path):
    """The same validation guards `pulumi up`: __main__ stops with the message, no resource."""
    monitor = RecordingMonitor()
    raw = with_values(stack_raw("production"), **{"cluster.replicas": 2})
    with pytest.raises(PlanError) as caught:
        run_program(project, "production", raw, monitor=monitor)
    assert "vault-platform:cluster.replicas = 2" in str(caught.value)
    assert "Pulumi.production.yaml" in str(caught.value)
    assert monitor.registrations == []


def test_unknown_stack_is_a_clear_error(project: Path):
    done = cli("plan", "--stack", "qa", cwd=project)
    assert done.returncode == 2
    assert "Pulumi.qa.yaml" in done.stderr and "stack file not found" in done.stderr
    assert "Traceback" not in done.stderr


def test_plan_refuses_to_overwrite_a_directory_that_is_not_a_plan(stack_plan, tmp_path: Path):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(OutputDirError, match="was not written by vault-platform"):
        artifacts.write(stack_plan("dev"), tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_replanning_replaces_the_files_of_the_earlier_plan(stack_plan, tmp_path: Path):
    out = tmp_path / "plan"
    artifacts.write(stack_plan("production"), out)
    earlier = set(p.relative_to(out) for p in out.rglob("*"))
    artifacts.write(stack_plan("dev"), out)
    now = set(p.relative_to(out) for p in out.rglob("*"))
    gone = earlier - now
    assert Path("kubernetes/cronjob-vault-snapshot.yaml") in gone  # production's, not dev's
    assert now == set(p.relative_to(tmp_path / "again") for p in _written(stack_plan("dev"), tmp_path / "again"))


def _written(plan, out: Path) -> list[Path]:
    artifacts.write(plan, out)
    return list(out.rglob("*"))


def test_replanning_keeps_a_file_added_by_hand_and_replaces_nothing(stack_plan, tmp_path: Path):
    out = tmp_path / "plan"
    artifacts.write(stack_plan("dev"), out)
    before = (out / "resources.json").read_text()
    (out / "kubernetes" / "mine.yaml").write_text("kind: Mine\n")
    with pytest.raises(OutputDirError, match=r"did not write \(kubernetes/mine.yaml\)"):
        artifacts.write(stack_plan("staging"), out)
    assert (out / "kubernetes" / "mine.yaml").read_text() == "kind: Mine\n"
    assert (out / "resources.json").read_text() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".plan")]  # no staging left behind


def test_plan_summary_names_protected_resources_and_outputs(project: Path, tmp_path: Path):
    done = cli("plan", "--stack", "staging", "--out", str(tmp_path / "s"), cwd=project)
    assert done.returncode == 0, done.stderr
    assert "kubernetes:apps/v1:StatefulSet" in done.stdout
    assert "kubernetes:core/v1:Namespace::vault-namespace" in done.stdout
    assert "vault_address = https://vault.vault-system.svc.cluster.local:8200" in done.stdout


def test_secure_config_values_plan_offline_as_secrets(project: Path):
    raw = stack_raw("production")
    raw["vault:token"] = schema.SecretPlaceholder("v1:ciphertext")
    monitor, outputs, _ = run_program(project, "production", raw)
    assert monitor.registrations
