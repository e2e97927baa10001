"""Where the project is: the directory holding ``Pulumi.yaml``, its stack files, and the
import path of its ``components`` package. Every command starts here."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def project_dir() -> Path:
    """The directory holding ``Pulumi.yaml``: the working directory or one above it,
    else the checkout this package lives in."""
    env = os.environ.get("VAULT_PLATFORM_PROJECT_DIR")
    if env:
        return Path(env).resolve()
    for candidate in [Path.cwd(), *Path.cwd().parents]:
        if (candidate / "Pulumi.yaml").is_file() and (candidate / "__main__.py").is_file():
            return candidate
    return Path(__file__).resolve().parent.parent


def use_project(project: Path) -> Path:
    """Make the project's ``components`` package importable; returns the resolved path."""
    project = project.resolve()
    if str(project) not in sys.path:
        sys.path.insert(0, str(project))
    return project


def stack_file(project: Path, stack: str) -> Path:
    """``Pulumi.<stack>.yaml`` at the project root, else under ``examples/``; a path to a
    stack file is accepted as is."""
    if stack.endswith(".yaml"):
        return Path(stack)
    for folder in (project, project / "examples"):
        candidate = folder / f"Pulumi.{stack}.yaml"
        if candidate.is_file():
            return candidate
    return project / f"Pulumi.{stack}.yaml"


def display_path(path: Path, project: Path) -> str:
    try:
        return str(path.resolve().relative_to(project.resolve()))
    except ValueError:
        return str(path)
