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


PINNED = re.compile(r"uses:\s*(?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40}) # (?P<tag>v\d+\.\d+\.\d+)$")
CONTAINER = re.compile(r"container:\s*(?P<image>[\w./-]+:[\w.-]+)@sha256:[0-9a-f]{64}\s")


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_actions_are_pinned_by_commit_and_permissions_least_privilege(path):
    text = path.read_text()
    for line in text.splitlines():
        line = line.strip().lstrip("- ")
        if not line.startswith("uses:") or line.startswith("uses: ./"):
            continue
        assert PINNED.fullmatch(line), f"{path.name}: {line!r} is not pinned by commit SHA with its tag beside it"
    for line in (line for line in text.splitlines() if line.strip().startswith("container:")):
        assert CONTAINER.search(line + " "), f"{path.name}: {line.strip()!r} is not pinned by digest"
    workflow = yaml.safe_load(text)
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, f"{path.name}: job {name} declares no permissions"
        assert "write-all" not in str(job["permissions"])


def test_one_commit_per_action_everywhere():
    """The same action at two commits would be two reviews' worth of trust."""
    seen: dict[str, set[str]] = {}
    for path in FILES:
        for match in re.finditer(PINNED.pattern, "\n".join(line.strip().lstrip("- ") for line in
                                                          path.read_text().splitlines()), re.MULTILINE):
            seen.setdefault(match["action"], set()).add(match["sha"])
    assert seen and all(len(shas) == 1 for shas in seen.values()), seen


def _runs_pull_request_code(job: dict) -> bool:
    return any("checkout" in step.get("uses", "") or "run" in step for step in job.get("steps", []))


def test_pull_request_code_runs_with_read_only_credentials():
    jobs = load("preview.yml")["jobs"]
    for name, job in jobs.items():
        if _runs_pull_request_code(job):
            assert set(job["permissions"].values()) <= {"read", "none"} | (
                {"write"} if set(job["permissions"]) <= {"contents", "id-token"} else set()), name
            assert job["permissions"].get("contents") == "read" and "pull-requests" not in job["permissions"], name
            for step in job["steps"]:
                if "checkout" in step.get("uses", ""):
                    assert step["with"]["persist-credentials"] is False, name
    comment = jobs["comment"]
    assert comment["permissions"] == {"pull-requests": "write"} and not _runs_pull_request_code(comment)
    text = (WORKFLOWS / "preview.yml").read_text()
    assert "secrets.PULUMI_ACCESS_TOKEN" not in text and "secrets.PULUMI_READ_ACCESS_TOKEN" in text
    assert "secrets.PULUMI_ACCESS_TOKEN" not in (WORKFLOWS / "drift.yml").read_text()
    assert "AWS_DEPLOY_ROLE_ARN" not in text and "role: pulumi-deploy" not in text


def test_forks_get_no_credentials():
    jobs = load("preview.yml")["jobs"]
    fork_guard = "github.event.pull_request.head.repo.full_name == github.repository"
    for name, job in jobs.items():
        credentials = "id-token" in job["permissions"] or "pull-requests" in job["permissions"] or "secrets." in str(job)
        if credentials:
            assert fork_guard in job.get("if", ""), name


def test_write_credentials_only_behind_the_deploy_environments():
    up = load("up.yml")["jobs"]["up"]
    assert up["environment"] == "${{ inputs.stack }}"
    text = "\n".join(path.read_text() for path in FILES if path.name != "up.yml")
    assert "secrets.PULUMI_ACCESS_TOKEN" not in text and "AWS_DEPLOY_ROLE_ARN" not in text
    assert "role: pulumi-deploy" not in text


def _vault_role(job: dict) -> str:
    step = next(s for s in job["steps"] if "vault-action" in s.get("uses", ""))
    return step["with"]["role"]


@pytest.mark.parametrize("stack", ["dev", "staging", "production"])
def test_each_workflow_logs_in_to_a_vault_role_bound_to_its_own_environment(stack):
    """The environment a job runs in is the `environment` claim its Vault role binds: the
    workflow and the stack file cannot drift apart."""
    from components.config import load_stack_file

    roles = {r.name: r for r in load_stack_file(WORKFLOWS.parent.parent / f"Pulumi.{stack}.yaml").vault.roles}
    for name, job, ref in (("up.yml", load("up.yml")["jobs"]["up"], "refs/heads/main"),
                           ("drift.yml", load("drift.yml")["jobs"]["drift"], "refs/heads/main"),
                           ("preview.yml", load("preview.yml")["jobs"]["pulumi-preview"], "refs/pull/*/merge")):
        environment = job["environment"].replace("${{ inputs.stack }}", stack).replace("${{ matrix.stack }}", stack)
        role = roles[_vault_role(job)]
        assert role.bound_claims["environment"] == environment, (name, role.name)
        assert role.bound_claims["ref"] == ref, (name, role.name)
        assert role.bound_claims_type == ("glob" if "*" in ref else "string"), (name, role.name)
    assert roles["preview"].token_policies == roles["drift"].token_policies == ("vault-platform-reader",)


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
        assert job["container"].startswith("python:3.11-bookworm@sha256:"), name


def test_vault_login_and_ca_come_before_anything_that_reads_vault():
    for name, job in (("drift.yml", load("drift.yml")["jobs"]["drift"]), ("preview.yml", load("preview.yml")["jobs"]["pulumi-preview"])):
        steps = [s.get("name", s.get("uses", "")) for s in job["steps"]]
        login = next(i for i, s in enumerate(steps) if s.startswith("Vault token"))
        ca = steps.index("Vault CA certificate")
        preview = next(i for i, s in enumerate(job["steps"]) if "pulumi/actions" in s.get("uses", ""))
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
    assert "vault-platform plan --stack" in plan  # the change set against the base branch
    preview = jobs["pulumi-preview"]
    step = next(s for s in preview["steps"] if "pulumi/actions" in s.get("uses", ""))
    assert step["with"]["command"] == "preview" and step["with"]["policyPacks"] == "policypack"
    assert "comment-on-pr" not in step["with"]  # no writing GitHub token where the pull request's code runs
    assert any("GITHUB_STEP_SUMMARY" in s.get("run", "") for s in preview["steps"])


def test_the_pulumi_cli_is_the_version_of_the_pinned_sdk():
    """pulumi/actions installs the newest 3.x CLI unless told: every job names the version the
    SDK in requirements.txt is pinned to."""
    pinned = next(line.split("==")[1].strip() for line in (WORKFLOWS.parent.parent / "requirements.txt").read_text()
                  .splitlines() if line.startswith("pulumi=="))
    steps = [step for path in FILES for job in load(path.name)["jobs"].values() for step in job.get("steps", [])
             if "pulumi/actions" in step.get("uses", "")]
    assert len(steps) == 3 and all(str(step["with"]["pulumi-version"]) == pinned for step in steps)
