"""Policy tests: the shipped ones hold, the format is checked, failures are reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.config.inputs import policy_files
from vault_platform.policy.policy_tests import PolicyTestError, render, run_all, run_file

TESTS = sorted((Path(__file__).resolve().parents[3] / "policies" / "tests").glob("*.yaml"))


def test_every_shipped_policy_has_a_test_file(project):
    tested = set()
    for path in TESTS:
        text = path.read_text()
        tested |= {name for name in policy_files.available(project / "policies") if name in text}
    assert tested == set(policy_files.available(project / "policies"))


@pytest.mark.parametrize("path", TESTS, ids=[p.stem for p in TESTS])
def test_shipped_policy_tests_hold(project, path):
    results = run_file(path, project)
    assert results, "a test file with no checks"
    failures = [r for r in results if not r.ok]
    assert not failures, render(failures)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(text)
    return path


def test_a_failing_expectation_is_reported(project, tmp_path):
    path = write(tmp_path, "policies: [analytics-ingest]\nenvironments: [production]\ncases:\n"
                           "  - path: secret/data/production/analytics/ingest/db\n    allow: [update]\n")
    (result,) = run_file(path, project)
    assert not result.ok and result.check == "allow update" and "granted: read" in result.detail
    assert "1 FAILED" in render([result])


@pytest.mark.parametrize(
    "text, message",
    [
        ("cases: []\n", "give exactly one of policies, role, group"),
        ("policies: [a]\ncases: []\n", "no cases"),
        ("policies: [a]\ncases:\n  - path: x\n", "states nothing"),
        ("policies: [a]\ncases:\n  - path: x\n    allow: [reed]\n", "are not capabilities"),
        ("policies: [a]\ncases:\n  - path: x\n    operation: update\n", "operation and expect go together"),
        ("policies: [a]\nwho: me\ncases: []\n", "unknown keys ['who']"),
        ("role: kubernetes/nobody\nenvironments: [production]\ncases:\n  - path: x\n    deny: [read]\n",
         "role 'kubernetes/nobody' is not declared in Pulumi.production.yaml"),
    ],
)
def test_bad_test_files_are_errors(project, tmp_path, text, message):
    with pytest.raises(PolicyTestError, match=__import__("re").escape(message)):
        run_file(write(tmp_path, text), project)


def test_the_command_exits_non_zero_on_failure(project, tmp_path, capsys):
    from vault_platform.cli import main

    assert main(["policy", "test"]) == 0
    assert "all hold" in capsys.readouterr().out
    path = write(tmp_path, "policies: [ci-deployer]\nenvironments: [dev]\ncases:\n  - path: sys/seal\n    allow: [sudo]\n")
    assert main(["policy", "test", str(path)]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_run_all_covers_every_file(project):
    results = run_all(project)
    assert len({r.file for r in results}) == len(TESTS) and all(r.ok for r in results)


def test_every_shipped_policy_is_exercised_by_a_test(project):
    """Each policies/*.hcl is among the policies some test file checks: named in
    `policies:`, or held by the `role:`/`group:` it names in some environment."""
    import yaml

    from vault_platform.policy.policy_tests import ENVIRONMENTS, load_environment

    environments = {name: load_environment(project, name) for name in ENVIRONMENTS}
    covered: set[str] = set()
    for path in TESTS:
        spec = yaml.safe_load(path.read_text())
        for name in spec.get("environments") or ENVIRONMENTS:
            env = environments[name]
            covered |= set(spec.get("policies") or ())
            covered |= set(env.roles.get(spec.get("role"), ())) | set(env.groups.get(spec.get("group"), ()))
    shipped = {path.stem for path in (project / "policies").glob("*.hcl")}
    assert shipped - covered == set(), "add a policies/tests/*.yaml for these"
