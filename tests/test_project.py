"""Project-level contracts: the README's reference and commands, CI, Pulumi.yaml."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml

from components.config import NAMESPACE
from vault_platform.plan.reference import render_reference, update_readme


def test_configuration_reference_in_readme_is_current(project: Path):
    readme = project / "README.md"
    assert update_readme(readme, check_only=True) is False, "run `vault-platform docs` to refresh README.md"
    assert render_reference() in readme.read_text()


def test_reference_lists_every_key_with_its_default():
    reference = render_reference()
    assert f"| `{NAMESPACE}:cluster.replicas` | int | `3` |" in reference
    assert f"| `{NAMESPACE}:environment` |" in reference and "**required**" in reference


def test_reference_shows_real_types_not_python_wrappers():
    reference = render_reference()
    assert "Annotated" not in reference and "Strict" not in reference
    assert f"| `{NAMESPACE}:cluster.image.tag` | string | — |" in reference
    assert f"| `{NAMESPACE}:vault.roles.bound_claims` | map of string or list of strings |" in reference
    assert "Pulumi secret (`secure:`)" in reference


def test_version_is_the_packages(project: Path, capsys):
    from vault_platform.cli import main

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    version = tomllib.loads((project / "pyproject.toml").read_text())["project"]["version"]
    assert capsys.readouterr().out.strip() == f"vault-platform {version}"
    import vault_platform

    assert vault_platform.__version__ == version


def test_readme_quick_start_commands_and_ci_use_the_same_test_command(project: Path):
    readme = (project / "README.md").read_text()
    assert "./tasks plan " in readme and "./tasks test " in readme
    ci = (project / ".ci" / "run").read_text()
    assert "./tasks test" in ci
    tasks = (project / "tasks").read_text()
    assert "pip install" in tasks and "requirements.txt" in tasks


def test_pulumi_project_name_is_the_config_namespace(project: Path):
    document = yaml.safe_load((project / "Pulumi.yaml").read_text())
    assert document["name"] == NAMESPACE
    assert document["runtime"]["name"] == "python"


def test_requirements_are_pinned(project: Path):
    for name in sorted(p.name for p in project.glob("requirements*.txt")):
        for line in (project / name).read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                assert "==" in line, f"{name}: {line} is not pinned"
