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
    assert "uv pip sync" in tasks.replace('"$UV" pip sync', "uv pip sync") and "requirements.lock" in tasks


def test_pulumi_project_name_is_the_config_namespace(project: Path):
    document = yaml.safe_load((project / "Pulumi.yaml").read_text())
    assert document["name"] == NAMESPACE
    assert document["runtime"]["name"] == "python"


def test_requirements_are_pinned(project: Path):
    for name in sorted(p.name for p in project.glob("requirements*.txt")):
        for line in (project / name).read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                assert "==" in line, f"{name}: {line} is not pinned"


def test_every_requirements_file_has_a_current_lock_with_hashes(project: Path):
    """`./tasks` installs the lock files, not the requirements: each pin we make is in its
    lock at the same version, and every locked package carries hashes (`./tasks lock`)."""
    import re

    pairs = sorted(project.glob("requirements*.txt"))
    assert len(pairs) == 5  # the project, checkov, the two OpenBao wheels, the installer
    for txt in pairs:
        lock = txt.with_suffix(".lock")
        assert lock.exists(), f"{lock.name} is missing: run ./tasks lock"
        text = lock.read_text()
        locked = dict(re.findall(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;\\]+)", text, re.MULTILINE))
        locked = {re.sub(r"\[.*\]", "", name).lower().replace("_", "-"): version for name, version in locked.items()}
        for line in txt.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                name, version = line.split("==")
                name = re.sub(r"\[.*\]", "", name).lower().replace("_", "-")
                assert locked.get(name) == version.strip(), f"{lock.name}: {name} is not locked at {version}: run ./tasks lock"
        entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
        assert all("--hash=sha256:" in entry for entry in entries if "==" in entry), lock.name


def test_apt_waits_for_another_package_manager(tmp_path: Path, project: Path):
    """The install step retries while apt's lock is held (as by an unattended upgrade),
    instead of failing: a stand-in apt-get refuses twice, then succeeds."""
    import subprocess

    fake = tmp_path / "bin" / "apt-get"
    fake.parent.mkdir()
    counter = tmp_path / "calls"
    fake.write_text(f"""#!/bin/sh
echo x >> {counter}
if [ $(wc -l < {counter}) -le 2 ]; then
  echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 42 (apt-get)" >&2; exit 100
fi
echo "args: $*" >> {counter}
""")
    fake.chmod(0o755)
    script = project / "tasks"
    function = subprocess.run(["sed", "-n", "/^apt_get() {/,/^}/p", str(script)], capture_output=True, text=True).stdout
    assert function.startswith("apt_get()")
    run = f"sudo=(); sleep() {{ :; }}\n{function}\napt_get update -qq && echo done"
    done = subprocess.run(["bash", "-c", run], capture_output=True, text=True, timeout=60,
                          env={"PATH": f"{fake.parent}:/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("holds the apt lock; waiting") == 2 and "done" in done.stdout
    assert "args: -o DPkg::Lock::Timeout=60 update -qq" in counter.read_text()  # dpkg's own lock is waited for too
    counter.write_text("x\nx\n")
    free = subprocess.run(["bash", "-c", run], capture_output=True, text=True, timeout=60,
                          env={"PATH": f"{fake.parent}:/usr/bin:/bin"})
    assert free.returncode == 0 and "waiting" not in free.stdout  # a free lock: no wait at all
    counter.write_text("")
    gave_up = subprocess.run(["bash", "-c", run.replace("apt_get update", "APT_LOCK_WAIT=0 apt_get update")],
                             capture_output=True, text=True, timeout=60, env={"PATH": f"{fake.parent}:/usr/bin:/bin"})
    assert gave_up.returncode == 1 and "Could not get lock" in gave_up.stderr  # past the deadline: the error
