"""``vault-platform check``: real validators over a plan's artifacts.

* every Kubernetes object against the schemas of the stack's Kubernetes version
  (``kubernetes-validate``, strict: unknown fields are errors);
* checkov's Kubernetes checks: zero failures; every skip must be an annotation on
  the object naming the check and giving a reason;
* every ``*.hcl`` file under ``vault/`` parses, and every Vault policy passes Vault's
  own policy rules and the error-level lints (warnings are shown as notes);
* outside dev, the server's image is pinned by digest.

checkov pins dependencies that clash with this project's (it ships its own ``hcl2``
module), so it lives in its own virtualenv; :func:`checkov_command` finds it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import hcl2
import kubernetes_validate

from components.config.inputs import files
from components.config.targets import DEFAULT_TARGET


@dataclass
class Finding:
    validator: str
    file: str
    message: str


@dataclass
class CheckReport:
    errors: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_kubernetes(directory: Path, version: str, report: CheckReport) -> None:
    validated = 0
    for path in sorted(directory.glob("*.yaml")):
        for document in [files.load_yaml(path, files.STACK_FILE_LIMIT)]:
            if not document:
                continue
            try:
                kubernetes_validate.validate(document, version, strict=True)
                validated += 1
            except kubernetes_validate.SchemaNotFoundError:
                report.notes.append(
                    Finding(
                        "kubernetes-validate",
                        path.name,
                        f"not validated: no bundled schema for {document.get('apiVersion')} "
                        f"{document.get('kind')} (a custom resource)",
                    )
                )
            except kubernetes_validate.ValidationError as error:
                where = "/".join(str(p) for p in error.path) or "(root)"
                report.errors.append(
                    Finding("kubernetes-validate", path.name, f"{where}: {error.message}")
                )
            except kubernetes_validate.utils.VersionNotSupportedError:
                report.errors.append(
                    Finding("kubernetes-validate", path.name, f"Kubernetes {version} is not supported")
                )
                return
    report.counts["kubernetes objects validated"] = validated


def checkov_command() -> Optional[list[str]]:
    """checkov's executable: $VAULT_PLATFORM_CHECKOV, the project's ``.venv-checkov``, or PATH."""
    explicit = os.environ.get("VAULT_PLATFORM_CHECKOV")
    if explicit:
        return [explicit]
    project = Path(__file__).resolve().parents[2]
    local = project / ".venv-checkov" / "bin" / "checkov"
    if local.is_file():
        return [str(local)]
    found = shutil.which("checkov")
    return [found] if found else None


def run_checkov(directory: Path) -> dict[str, Any]:
    """checkov's JSON report for the Kubernetes manifests in ``directory``."""
    command = checkov_command()
    if command is None:
        raise FileNotFoundError(
            "checkov is not installed: run `./tasks setup` (it installs checkov into .venv-checkov)"
        )
    completed = subprocess.run(
        [*command, "-d", str(directory), "--framework", "kubernetes", "--output", "json",
         "--skip-download"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"},
    )
    start = completed.stdout.find("{")
    start_list = completed.stdout.find("[")
    if start_list != -1 and (start == -1 or start_list < start):
        start = start_list
    if start == -1:
        raise RuntimeError(f"checkov produced no report (exit {completed.returncode}): {completed.stderr[-2000:]}")
    data = json.loads(completed.stdout[start:])
    if isinstance(data, list):  # one entry per framework
        data = next((item for item in data if item.get("check_type") == "kubernetes"), data[0])
    return data


def validate_checkov(directory: Path, report: CheckReport) -> None:
    data = run_checkov(directory)
    results = data.get("results") or {}
    failed = results.get("failed_checks") or []
    skipped = results.get("skipped_checks") or []
    for check in failed:
        report.errors.append(
            Finding(
                "checkov",
                Path(check.get("file_path", "")).name,
                f"{check.get('check_id')} {check.get('check_name')} ({check.get('resource')})",
            )
        )
    for check in skipped:
        reason = ((check.get("check_result") or {}).get("suppress_comment") or "").strip()
        if reason == "No comment provided":  # checkov's text for an annotation without "=reason"
            reason = ""
        finding = Finding(
            "checkov",
            Path(check.get("file_path", "")).name,
            f"skipped {check.get('check_id')} on {check.get('resource')}: {reason or '(no reason)'}",
        )
        (report.notes if reason else report.errors).append(finding)
    summary = data.get("summary") or {}
    if summary.get("parsing_errors"):
        report.errors.append(Finding("checkov", directory.name, f"{summary['parsing_errors']} files did not parse"))
    report.counts["checkov passed"] = int(summary.get("passed", len(results.get("passed_checks") or [])))
    report.counts["checkov failed"] = len(failed)
    report.counts["checkov skipped with a reason"] = sum(
        1 for f in report.notes if f.validator == "checkov" and f.message.startswith("skipped")
    )


def validate_hcl(directory: Path, report: CheckReport) -> None:
    parsed = 0
    for path in sorted(directory.rglob("*.hcl")):
        try:
            hcl2.loads(files.read_text(path, files.POLICY_FILE_LIMIT))
            parsed += 1
        except Exception as error:  # python-hcl2 raises lark errors of several types
            report.errors.append(Finding("hcl", str(path.relative_to(directory)), str(error).splitlines()[0]))
    report.counts["HCL files parsed"] = parsed


def validate_policies(directory: Path, report: CheckReport, dialect: str) -> None:
    """Every rendered policy parses with the rules of the stack's server (``dialect``:
    keys, capabilities, TTLs) and passes the lints."""
    from vault_acl import PolicyParseError, parse_policy
    from vault_platform.policy.lints import lint_policy

    checked = 0
    for path in sorted((directory / "policies").glob("*.hcl")):
        try:
            policy = parse_policy(files.read_text(path, files.POLICY_FILE_LIMIT), path.stem, dialect=dialect)
            checked += 1
        except PolicyParseError as error:
            report.errors.append(Finding("policy", f"policies/{path.name}", str(error)))
            continue
        for lint in lint_policy(policy, f"policies/{path.name}", dialect):
            finding = Finding("lint", f"policies/{path.name}", lint.render())
            (report.errors if lint.severity == "error" else report.notes).append(finding)
    report.counts["Vault policies parsed"] = checked


def validate_pinning(config: Any, report: CheckReport) -> None:
    """Outside dev the server's image is pulled by digest (``cluster.image.digest``): a tag can
    be moved to other contents, a digest cannot. The Jobs' images (snapshot uploader, schema)
    are named whole in the stack file; one without ``@sha256:`` is a note."""
    image = config.cluster.image
    name = f"{config.cluster.image_repository}:{config.cluster.image_tag}"
    if image.digest:
        report.counts["images pinned by digest"] = report.counts.get("images pinned by digest", 0) + 1
    elif config.environment != "dev":
        report.errors.append(Finding("pinning", "stack file", (
            f"vault-platform:cluster.image.digest: required in {config.environment}: pin {name} by its digest "
            f"(read it where you trust the registry: `docker buildx imagetools inspect {name}` or `crane digest "
            f"{name}`), with a comment saying where it was read")))
    others = {"snapshots.uploader_image": config.snapshots.uploader_image if config.snapshots.enabled else None,
              "storage.postgresql.schema_job_image": config.storage.postgresql.schema_job_image
              if config.storage.postgresql else None}
    for key, reference in others.items():
        if reference and "@sha256:" not in reference:
            report.notes.append(Finding("pinning", "stack file", f"vault-platform:{key} = {reference!r} is pinned "
                                        "by tag only; add @sha256:<digest> to pin it by digest"))


def check_plan_dir(plan_dir: Path, kubernetes_version: str, checkov: bool = True,
                   dialect: str = DEFAULT_TARGET.policy_dialect, config: Any = None) -> CheckReport:
    """Validate every artifact of the plan in ``plan_dir`` (policies in the ``dialect`` of
    the stack's server); with the stack's ``config``, its images' pinning too."""
    report = CheckReport()
    if config is not None:
        validate_pinning(config, report)
    validate_kubernetes(plan_dir / "kubernetes", kubernetes_version, report)
    if checkov:
        validate_checkov(plan_dir / "kubernetes", report)
    validate_hcl(plan_dir / "vault", report)
    validate_policies(plan_dir / "vault", report, dialect)
    return report


def print_check_report(stack: str, report: CheckReport) -> None:
    for finding in report.notes:
        print(f"note  [{finding.validator}] {finding.file}: {finding.message}")
    for finding in report.errors:
        print(f"ERROR [{finding.validator}] {finding.file}: {finding.message}")
    figures = ", ".join(f"{name}: {count}" for name, count in report.counts.items())
    verdict = "passed" if report.ok else f"FAILED ({len(report.errors)} errors)"
    print(f"check {verdict} for stack {stack} — {figures}")
