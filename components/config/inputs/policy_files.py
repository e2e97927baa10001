"""Vault policies from ``policies/*.hcl``: selection per stack, stack variables, checks.

A policy file may use the stack variables ``[[environment]]`` and ``[[stack]]``; the
double brackets cannot collide with Vault's own ``{{identity...}}`` templating, which is
left for Vault to render. Every selected policy is parsed with Vault's rules
(:mod:`vault_acl`) before anything is registered.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from components.config.base import PROJECT_DIR
from components.config.inputs import files
from vault_acl import DEFAULT_DIALECT, Policy, PolicyParseError, dialect as get_dialect, parse_policy

POLICY_DIR = PROJECT_DIR / "policies"
VARIABLE = re.compile(r"\[\[\s*([A-Za-z_][A-Za-z0-9_]*)\s*\]\]")
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
BUILT_IN = {"root", "default"}


@dataclass(frozen=True)
class PolicyFile:
    name: str
    path: Path
    text: str
    """After stack variables are substituted."""
    policy: Policy
    derived: bool = False
    """Derived from the stack by the plan (``vault-platform-deploy``, ``vault-platform-reader``),
    not read from ``policies/``; ``path`` is where the plan writes it."""


@dataclass(frozen=True)
class PolicyProblem:
    file: str
    line: Optional[int]
    message: str


@functools.lru_cache(maxsize=512)
def _parse(text: str, name: str, dialect: str) -> Policy:
    """Parsing is pure: the configuration check and the program share one parse per text.
    (An ACL copies the rules it merges, so sharing the parsed policy is safe.)"""
    return parse_policy(text, name, dialect=dialect)


def render_variables(text: str, variables: dict[str, str]) -> tuple[str, list[tuple[int, str]]]:
    """Substitute ``[[name]]``; returns the text and ``(line, unknown name)`` pairs."""
    unknown: list[tuple[int, str]] = []

    def substitute(match: re.Match) -> str:
        name = match.group(1)
        if name in variables:
            return variables[name]
        unknown.append((text.count("\n", 0, match.start()) + 1, name))
        return match.group(0)

    return VARIABLE.sub(substitute, text), unknown


SCOPED = "stacks"
"""``policies/stacks/<stack>/<name>.hcl``: a policy only that stack loads."""


def policy_paths(folder: Path = POLICY_DIR, stack: Optional[str] = None) -> dict[str, Path]:
    """Name -> file of every policy a stack may select: ``policies/*.hcl`` and, with
    ``stack``, ``policies/stacks/<stack>/*.hcl`` (a name in both is the top-level file; the
    clash is reported by :func:`load`)."""
    paths = {path.stem: path for path in sorted(folder.glob("*.hcl"))}
    if stack is not None:
        for path in sorted((folder / SCOPED / stack).glob("*.hcl")):
            paths.setdefault(path.stem, path)
    return paths


def scoped_elsewhere(folder: Path = POLICY_DIR, stack: Optional[str] = None) -> dict[str, list[str]]:
    """Name -> the other stacks whose ``policies/stacks/<stack>/`` hold it."""
    found: dict[str, list[str]] = {}
    for path in sorted((folder / SCOPED).glob("*/*.hcl")):
        if path.parent.name != stack:
            found.setdefault(path.stem, []).append(path.parent.name)
    return found


def available(folder: Path = POLICY_DIR, stack: Optional[str] = None) -> list[str]:
    return sorted(policy_paths(folder, stack))


def select(include: tuple[str, ...], exclude: tuple[str, ...], folder: Path = POLICY_DIR,
           stack: Optional[str] = None) -> tuple[list[str], list[str]]:
    """``(selected names, include entries that match no file)``: every file of
    :func:`policy_paths` — the stack's own folder included — matched by ``include`` and not
    by ``exclude``."""
    names = available(folder, stack)
    selected: list[str] = []
    missing: list[str] = []
    for pattern in include:
        matched = [n for n in names if fnmatch.fnmatchcase(n, pattern)]
        if not matched:
            missing.append(pattern)
        selected += [n for n in matched if n not in selected]
    return [n for n in selected if not any(fnmatch.fnmatchcase(n, p) for p in exclude)], missing


def load(
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    environment: str,
    stack: str,
    folder: Path = POLICY_DIR,
    dialect: str = DEFAULT_DIALECT,
) -> tuple[list[PolicyFile], list[PolicyProblem]]:
    """The stack's policies, parsed in the ``dialect`` of the server the stack deploys; and
    every problem found (none registered then). Each file is read safely
    (:mod:`components.config.inputs.files`): a directory, FIFO, oversized or non-UTF-8 file,
    or a symbolic link out of the repository is a problem, not a hang."""
    built_in = BUILT_IN | get_dialect(dialect).built_in_policies
    names, missing = select(include, exclude, folder, stack)
    paths = policy_paths(folder, stack)
    root = PROJECT_DIR if folder == POLICY_DIR else folder.resolve().parent
    problems = [PolicyProblem("vault.policies.include", None, f"`{p}` matches no file policies/<name>.hcl")
                for p in missing]
    for clash in sorted(set(policy_paths(folder)) & {p.stem for p in (folder / SCOPED / stack).glob("*.hcl")}):
        problems.append(PolicyProblem(f"policies/{SCOPED}/{stack}/{clash}.hcl", None,
                                      f"`{clash}` is also policies/{clash}.hcl: rename one of them"))
    variables = {"environment": environment, "stack": stack}
    loaded = []
    for name in names:
        path = paths[name]
        shown = f"policies/{path.relative_to(folder).as_posix()}"
        if name in built_in:
            problems.append(PolicyProblem(shown, None, f"`{name}` is a built-in policy name of the server "
                                                       f"({dialect}); rename the file"))
            continue
        if not NAME.match(name):
            problems.append(PolicyProblem(shown, None, "policy names are lowercase letters, digits, - and _"))
            continue
        try:
            raw = files.read_text(path, files.POLICY_FILE_LIMIT, inside=root, shown=shown)
        except files.InputFileError as error:
            problems.append(PolicyProblem(shown, None, f"the file {error.problem}"))
            continue
        text, unknown = render_variables(raw, variables)
        for line, variable in unknown:
            problems.append(PolicyProblem(shown, line, f"unknown stack variable [[{variable}]] "
                                                       f"(allowed: {', '.join(sorted(variables))})"))
        try:
            policy = _parse(text, name, dialect)
        except PolicyParseError as error:
            message = str(error).split(": ", 1)[1] if ": " in str(error) else str(error)
            problems.append(PolicyProblem(shown, error.line, message.rsplit(" (line", 1)[0]))
            continue
        loaded.append(PolicyFile(name, path, text, policy))
    return loaded, problems
