"""The layout is the architecture: these tests keep it so.

* each folder has at most 12 modules, and no function is longer than 80 lines;
* ``__main__.py`` is wiring only (at most 80 lines);
* imports point one way — down the table in README's Architecture section — and no module
  reaches itself through imports (TYPE_CHECKING and function-level imports count too).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("components", "vault_platform", "vault_acl", "policypack", "benchmarks")

ALLOWED: dict[str, tuple[str, ...]] = {
    "components": (),  # the packages' own __init__ files hand nothing on
    "vault_platform": (),
    "vault_acl": ("vault_acl",),
    "components.config": ("components.config", "vault_acl"),
    "components.kubernetes": ("components.kubernetes", "components.config"),
    "components.aws": ("components.aws", "components.config"),
    "components.vault": ("components.vault", "components.config"),
    "components.snapshots": ("components.aws", "components.kubernetes", "components.config"),
    "components.runtime_config": ("components.config",),
    "__main__": ("components",),
    "vault_platform.project": (),
    "vault_platform.outputs": (),
    "vault_platform.acl": ("vault_acl",),
    "vault_platform.policy": ("vault_platform.policy", "vault_platform.project", "components.config", "vault_acl"),
    "vault_platform.plan": ("vault_platform.plan", "vault_platform.policy", "vault_platform.project", "vault_platform.outputs",
                            "components.config", "vault_acl"),
    "vault_platform.live": ("vault_platform.live", "vault_platform.project", "vault_platform.outputs", "components.config",
                            "components.aws"),
    "vault_platform.commands": ("vault_platform", "components"),
    "vault_platform.cli": ("vault_platform.commands", "vault_platform.project", "components.config"),
    "vault_platform.__main__": ("vault_platform.cli",),
    "policypack": ("policypack", "vault_acl", "vault_platform.policy"),
    "benchmarks": ("components", "vault_platform", "vault_acl"),
}
"""Module (prefix) -> the project's modules it may import. Third-party imports are free."""
OURS = ("components", "vault_platform", "vault_acl", "policypack", "benchmarks", "__main__")


def _files() -> list[Path]:
    files = [ROOT / "__main__.py"]
    for source in SOURCES:
        files += sorted((ROOT / source).rglob("*.py"))
    return files


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module(path): path for path in _files()}


def _imports(path: Path) -> set[str]:
    """The project's modules ``path`` imports (a ``from X import Y`` naming a module is X.Y)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in MODULES else node.module)
    return {name for name in found if name.split(".")[0] in OURS}


GRAPH = {module: _imports(path) for module, path in MODULES.items()}


def _rule(module: str) -> tuple[str, ...]:
    prefixes = [prefix for prefix in ALLOWED if module == prefix or module.startswith(prefix + ".")]
    assert prefixes, f"{module} is in no layer of the architecture table (tests/test_architecture.py ALLOWED)"
    return ALLOWED[max(prefixes, key=len)]


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down_the_layers(module):
    allowed = _rule(module)
    wrong = sorted(name for name in GRAPH[module] if not _within(name, allowed))
    assert not wrong, f"{module} may import only {allowed}, but imports {wrong}"


def test_the_program_never_imports_the_command_line():
    offenders = {m: sorted(n for n in GRAPH[m] if n.startswith("vault_platform"))
                 for m in MODULES if m.startswith(("components", "vault_acl")) or m == "__main__"}
    assert not {m: n for m, n in offenders.items() if n}


def test_no_import_cycles():
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in GRAPH.get(node, ()):
            if target not in MODULES:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in GRAPH.get(node, ()):
                cycles.append(sorted(component))

    for module in sorted(MODULES):
        if module not in index:
            visit(module)
    assert not cycles, f"modules that import each other: {cycles}"


def test_no_folder_holds_more_than_twelve_modules():
    folders: dict[Path, int] = {}
    for path in _files():
        folders[path.parent] = folders.get(path.parent, 0) + 1
    crowded = {str(folder.relative_to(ROOT)): count for folder, count in folders.items()
               if count > 12 and folder != ROOT}
    assert not crowded


def test_no_function_is_longer_than_eighty_lines():
    long = []
    for path in _files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > 80:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert not long


def test_main_is_wiring_only():
    main = (ROOT / "__main__.py").read_text(encoding="utf-8")
    assert len(main.splitlines()) <= 80
    tree = ast.parse(main)
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))], \
        "__main__.py defines nothing: logic belongs in components/"


def test_the_acl_contract_of_the_command_line_package():
    """``vault_platform.acl`` keeps exporting the policy language wherever it lives."""
    from vault_platform import acl

    policy = acl.parse_policy('path "secret/*" { capabilities = ["read"] }', "reader")
    evaluator = acl.ACL([policy])
    assert evaluator.allowed("read", "secret/app").allowed
    assert evaluator.capabilities("secret/app") == ["read"]
    with pytest.raises(acl.PolicyParseError):
        acl.parse_policy('path "x" { capabilities = ["fly"] }', "bad")
