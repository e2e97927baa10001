"""The GitHub Actions workflows: actionlint clean, and the delivery rules they promise."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

WORKFLOWS = Path(__file__).resolve().parent.parent / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def actionlint() -> str:
    return str(Path(sys.executable).parent / "actionlint")


def test_actionlint_finds_nothing():
    done = subprocess.run([actionlint(), "-no-color", *map(str, FILES)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(FILES) == 4


def test_actionlint_does_catch_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
                      "      - run: echo ${{ github.event.no_such_context.x }\n")
    done = subprocess.run([actionlint(), "-no-color", str(broken)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "broken.yml" in done.stdout


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_actions_are_pinned_and_permissions_least_privilege(path):
    text = path.read_text()
    for action in re.findall(r"uses:\s*([^\s#]+)", text):
        if action.startswith("./"):
            continue
        assert re.search(r"@v\d+\.\d+\.\d+$", action), f"{path.name}: {action} is not pinned to a release"
    workflow = yaml.safe_load(text)
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, f"{path.name}: job {name} declares no permissions"
        assert "write-all" not in str(job["permissions"])


def _stack_jobs():
    for name in ("up.yml", "drift.yml", "preview.yml"):
        for job_name, job in load(name)["jobs"].items():
            if any("pulumi/actions" in str(step.get("uses", "")) for step in job.get("steps", [])):
                yield name, job_name, job


def test_every_job_that_touches_a_stack_holds_a_concurrency_group_per_stack():
    """Deploys share pulumi-<stack>; read-only previews and drift runs have their own
    groups, because GitHub cancels a *pending* job when another queues in its group."""
    groups = {}
    for name, job_name, job in _stack_jobs():
        assert job["concurrency"]["cancel-in-progress"] is False, (name, job_name)
        groups[name] = job["concurrency"]["group"]
    assert groups == {"up.yml": "pulumi-${{ inputs.stack }}", "drift.yml": "pulumi-drift-${{ matrix.stack }}",
                      "preview.yml": "pulumi-preview-${{ matrix.stack }}"}


def test_jobs_that_run_the_test_command_run_on_debian():
    for name, job in [("preview.yml", load("preview.yml")["jobs"]["test"]), ("preview.yml", load("preview.yml")["jobs"]["plan"]),
                      ("deploy.yml", load("deploy.yml")["jobs"]["test"])]:
        assert job["container"] == "python:3.11-bookworm", name


def test_vault_login_and_ca_come_before_anything_that_reads_vault():
    for name, job in (("drift.yml", load("drift.yml")["jobs"]["drift"]), ("preview.yml", load("preview.yml")["jobs"]["pulumi-preview"])):
        steps = [s.get("name", s.get("uses", "")) for s in job["steps"]]
        login = next(i for i, s in enumerate(steps) if s.startswith("Vault token"))
        ca = steps.index("Vault CA certificate")
        preview = next(i for i, s in enumerate(steps) if "preview" in s)
        assert ca < login < preview, (name, steps)


def test_aws_through_oidc_only():
    for path in FILES:
        text = path.read_text()
        assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text
        if "configure-aws-credentials" in text:
            assert "role-to-assume" in text and "id-token: write" in text


def test_deploy_goes_dev_then_staging_then_production_in_environments():
    deploy = load("deploy.yml")["jobs"]
    assert deploy["dev"]["needs"] == ["test"]
    assert deploy["staging"]["needs"] == ["dev"] and deploy["production"]["needs"] == ["staging"]
    up = load("up.yml")["jobs"]["up"]
    assert up["environment"] == "${{ inputs.stack }}"
    step = next(s for s in up["steps"] if "pulumi/actions" in s.get("uses", ""))
    assert step["with"]["command"] == "up" and step["with"]["policyPacks"] == "policypack"


def test_drift_is_read_only_and_reports_per_stack():
    workflow = load("drift.yml")
    assert "schedule" in workflow[True] and "workflow_dispatch" in workflow[True]  # `on:` parses as True
    job = workflow["jobs"]["drift"]
    preview = next(s for s in job["steps"] if "pulumi/actions" in s.get("uses", ""))
    assert preview["with"]["command"] == "preview"
    assert preview["with"]["refresh"] is True and preview["with"]["expect-no-changes"] is True
    text = (WORKFLOWS / "drift.yml").read_text()
    assert "command: refresh" not in text and "vault-platform drift" in text
    assert "Drift detected: ${stack}" in text and "issues: write" in text


def test_pull_requests_get_plans_checks_and_access_changes():
    jobs = load("preview.yml")["jobs"]
    plan = "\n".join(step.get("run", "") for step in jobs["plan"]["steps"])
    assert "./tasks check" in plan and "vault-platform access" in plan and "--diff" in plan
    preview = jobs["pulumi-preview"]
    step = next(s for s in preview["steps"] if "pulumi/actions" in s.get("uses", ""))
    assert step["with"]["comment-on-pr"] is True and step["with"]["policyPacks"] == "policypack"
