"""The hostile-input corpus: every case runs the real command line in its own process, on a
copy of the project, with a home directory of its own, under a memory ceiling and a
deadline, and asserts

* the exit code (2: refused) and the message — which names the file (or option) and the
  problem — and that no traceback is printed;
* that it ends well within the deadline (a hang, such as reading a FIFO, or an exponential
  blow-up, such as a YAML alias bomb, fails the case; figures live in the benchmarks);
* that nothing outside the output directory changed — usually nothing at all changed.

Memory is bounded by ``RLIMIT_AS`` (:data:`MEMORY`): a case that needs more dies with a
MemoryError, which is a failure here.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import pytest

from tests.conftest import PROJECT

DEADLINE = 30.0
"""Seconds a case may take (each one takes well under 3 here: a failed check is a hang)."""
MEMORY = 1536 * 1024 * 1024
"""Address space a case may use (a production plan needs under 1 GiB)."""
IGNORED = {".git", "build", "var", "__pycache__", ".pytest_cache"}
"""Left out of each case's copy of the project, with every virtualenv (``.venv*``): the
copies hold the program, not its 1.6 GB of environments."""


@dataclass
class Sandbox:
    root: Path
    project: Path
    home: Path

    def run(self, *args: str, cwd: Optional[Path] = None) -> tuple[subprocess.CompletedProcess, float]:
        env = {"PATH": os.environ["PATH"], "HOME": str(self.home), "PYTHONDONTWRITEBYTECODE": "1",
               "LANG": "C.UTF-8", "PYTHONPATH": str(self.project), "VAULT_PLATFORM_PROJECT_DIR": str(self.project)}
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "vault_platform", *args], cwd=cwd or self.project, env=env,
            capture_output=True, text=True, timeout=DEADLINE,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY)),
        )
        return done, time.perf_counter() - started

    def write(self, relative: str, content: str | bytes) -> Path:
        path = self.project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path


def _copy_project(target: Path) -> None:
    shutil.copytree(PROJECT, target, ignore=lambda folder, names: [
        n for n in names if n in IGNORED or n.startswith(".venv") or n.endswith(".egg-info")], symlinks=True)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """One copy of the project; each case copies it again (cheap) and may change its copy."""
    folder = tmp_path_factory.mktemp("pristine") / "project"
    _copy_project(folder)
    return folder


@pytest.fixture
def sandbox(tmp_path, pristine) -> Sandbox:
    project = tmp_path / "project"
    shutil.copytree(pristine, project, symlinks=True)
    home = tmp_path / "home"
    home.mkdir()
    (home / "notes.txt").write_text("a file in the home directory\n")
    return Sandbox(tmp_path, project, home)


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under ``root``: its kind, size, mode and content hash (links not followed)."""
    found = {}
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in [*dirs, *names]:
            path = Path(folder) / name
            info = path.lstat()
            if path.is_symlink():
                entry: tuple = ("link", os.readlink(path))
            elif path.is_dir():
                entry = ("dir", info.st_mode)
            elif path.is_file():
                entry = ("file", info.st_size, info.st_mode, hashlib.sha256(path.read_bytes()).hexdigest())
            else:
                entry = ("special", info.st_mode)
            found[str(path.relative_to(root))] = entry
    return found


def changed(before: dict, after: dict, allowed: tuple[str, ...] = ()) -> list[str]:
    differing = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    return sorted(k for k in differing if not any(k == a or k.startswith(a + "/") for a in allowed))


@dataclass
class Case:
    label: str
    args: tuple[str, ...]
    fragments: tuple[str, ...]
    setup: Callable[[Sandbox], None] = lambda box: None
    code: int = 2
    cwd: Callable[[Sandbox], Optional[Path]] = lambda box: None
    allowed: tuple[str, ...] = ()
    notes: dict = field(default_factory=dict)


def _plan(*extra: str) -> tuple[str, ...]:
    return ("plan", "--stack", "dev", *extra)


# --------------------------------------------------------------------------- set-ups


def _file(relative: str, content: str | bytes) -> Callable[[Sandbox], None]:
    return lambda box: box.write(relative, content)


def _stack(content: str | bytes, name: str = "Pulumi.hostile.yaml") -> Callable[[Sandbox], None]:
    return _file(name, content)


def _dev_with(extra: str) -> Callable[[Sandbox], None]:
    """Dev's stack file with ``extra`` lines appended under ``config:``."""
    return lambda box: box.write("Pulumi.hostile.yaml", (box.project / "Pulumi.dev.yaml").read_text() + extra)


def _fifo(relative: str) -> Callable[[Sandbox], None]:
    def make(box: Sandbox) -> None:
        path = box.project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(path)
    return make


def _directory(relative: str) -> Callable[[Sandbox], None]:
    return lambda box: (box.project / relative).mkdir(parents=True)


def _outside_policy_link(box: Sandbox) -> None:
    outside = box.root / "elsewhere" / "everything.hcl"
    outside.parent.mkdir()
    outside.write_text('path "*" {\n  capabilities = ["create", "read", "update", "delete", "list", "sudo"]\n}\n')
    (box.project / "policies" / "zz-everything.hcl").symlink_to(outside)


def _marked(purpose: str, extra: Optional[str] = None) -> Callable[[Sandbox], None]:
    def make(box: Sandbox) -> None:
        folder = box.root / "out"
        folder.mkdir()
        (folder / ".vault-platform-output").write_text(json.dumps(
            {"tool": "vault-platform", "purpose": purpose, "files": ["resources.json"], "folders": []}))
        (folder / "resources.json").write_text("[]\n")
        if extra:
            (folder / extra).write_text("mine\n")
    return make


def _bomb() -> str:
    lines = ["config:", "  vault-platform:environment: dev", '  bomb0: &b0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, 10):
        lines.append(f"  bomb{level}: &b{level} [" + ", ".join([f"*b{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _deep(levels: int) -> str:
    body = "config:\n  vault-platform:environment: dev\n  deep:\n"
    for level in range(levels):
        body += "  " * (level + 2) + f"k{level}:\n"
    return body + "  " * (levels + 2) + "leaf: 1\n"


MINIMAL = "config:\n  vault-platform:environment: dev\n"
DEV_PG = ("  vault-platform:storage:\n    type: postgresql\n    postgresql:\n      source: existing\n"
          "      admin_connection_url:\n        secure: v1:abc\n      ca_cert_file: {path}\n")
PGP = ("  vault-platform:initialization:\n    recovery_shares: 1\n    recovery_threshold: 1\n"
       "    recovery_keys: pgp\n    pgp_keys: [{path}]\n")

CASES = [
    # ---------------------------------------------------------------- output directories
    Case("out-dot", _plan("--out", "."), ("--out . is the working directory",)),
    Case("out-dotdot", _plan("--out", ".."), ("--out .. is a parent of the working directory",)),
    Case("out-root", _plan("--out", "/"), ("--out / is the filesystem root",)),
    Case("out-home", _plan("--out", "HOME"), ("is the home directory",)),
    Case("out-project", _plan("--out", "PROJECT"), ("is the project directory",), cwd=lambda box: box.root),
    Case("out-project-parent", _plan("--out", "ROOT"), ("--out", "is a parent of the"),
         cwd=lambda box: box.home),
    Case("out-file", _plan("--out", "README.md"), ("--out README.md is a file, not a directory",)),
    Case("out-symlink", _plan("--out", "ROOT/link"), ("is a symbolic link",),
         setup=lambda box: (box.root / "link").symlink_to(box.root / "target", target_is_directory=True)
         or (box.root / "target").mkdir()),
    Case("out-dangling-symlink", _plan("--out", "ROOT/dangling"), ("is a symbolic link",),
         setup=lambda box: (box.root / "dangling").symlink_to(box.root / "nowhere")),
    Case("out-foreign-dir", _plan("--out", "ROOT/out"), ("is not empty and was not written by vault-platform",),
         setup=lambda box: (box.root / "out").mkdir() or (box.root / "out" / "keep.txt").write_text("keep\n")),
    Case("out-legacy-plan", _plan("--out", "ROOT/out"), ("was not written by vault-platform",),
         setup=lambda box: (box.root / "out").mkdir() or (box.root / "out" / "resources.json").write_text("[]")),
    Case("out-marked-with-extra", _plan("--out", "ROOT/out"), ("did not write (notes.txt)",),
         setup=_marked("plan", "notes.txt")),
    Case("out-other-purpose", _plan("--out", "ROOT/out"), ("holds vault-platform's 'init' output, not 'plan'",),
         setup=_marked("init")),
    Case("check-out-dot", ("check", "--stack", "dev", "--out", "."), ("--out . is the working directory",)),
    Case("access-out-dotdot", ("access", "--stack", "dev", "--out", ".."), ("is a parent of the working directory",)),
    Case("access-output-directory", ("access", "--stack", "dev", "--out", "ROOT/plan", "--output", "policies"),
         ("--output policies is not a regular file",), allowed=("plan",)),
    Case("access-output-foreign-file", ("access", "--stack", "dev", "--out", "ROOT/plan", "--output", "README.md"),
         ("--output README.md exists and was not written by vault-platform",), allowed=("plan",)),
    Case("access-output-symlink", ("access", "--stack", "dev", "--out", "ROOT/plan", "--output", "ROOT/link.md"),
         ("is a symbolic link",), allowed=("plan",),
         setup=lambda box: (box.root / "link.md").symlink_to(box.project / "README.md")),
    Case("init-out-dot", ("init", "--stack", "Pulumi.hostile.yaml", "--out", ".", "--address", "http://127.0.0.1:9"),
         ("--out . is the working directory",),
         setup=lambda box: (box.write("keys/alice.gpg", b"\x99\x00\x00"),  # a public-key packet header
                            _dev_with(PGP.format(path="keys/alice.gpg"))(box))),
    Case("restore-workdir-home", ("snapshot", "restore", "--stack", "staging", "--bucket", "b", "--latest", "--yes",
                                  "--workdir", "HOME"), ("--workdir", "is the home directory")),
    # ---------------------------------------------------------------- stack files
    Case("stack-not-utf8", ("plan", "--stack", "Pulumi.hostile.yaml"),
         ("Pulumi.hostile.yaml", "is not UTF-8 text: byte 0xff at byte offset 48"),
         setup=_stack(b"config:\n  vault-platform:environment: dev\n  x: \"\xff\"\n")),
    Case("stack-nul-byte", ("plan", "--stack", "Pulumi.hostile.yaml"), ("holds a NUL byte at byte offset 10",),
         setup=_stack("config:\n  \x00: 1\n")),
    Case("stack-duplicate-top-key", ("plan", "--stack", "Pulumi.hostile.yaml"),
         ("repeats the key 'vault-platform:environment' (at line 2 and at line 3)",),
         setup=_stack("config:\n  vault-platform:environment: dev\n  vault-platform:environment: production\n")),
    Case("stack-duplicate-nested-key", ("plan", "--stack", "Pulumi.hostile.yaml"),
         ("repeats the key 'replicas' (at line 4 and at line 5)",),
         setup=_stack("config:\n  vault-platform:environment: dev\n  vault-platform:cluster:\n"
                      "    replicas: 1\n    replicas: 3\n")),
    Case("stack-alias-bomb", ("plan", "--stack", "Pulumi.hostile.yaml"),
         ("expands to more than 1,000,000 values through its aliases",), setup=_stack(_bomb())),
    Case("stack-recursive-alias", ("plan", "--stack", "Pulumi.hostile.yaml"), ("refers to itself",),
         setup=_stack("config:\n  vault-platform:environment: dev\n  loop: &loop [*loop]\n")),
    Case("stack-deep-nesting", ("plan", "--stack", "Pulumi.hostile.yaml"), ("nests deeper than 64 levels",),
         setup=_stack(_deep(80))),
    Case("stack-too-large", ("plan", "--stack", "Pulumi.hostile.yaml"), ("at most 4,194,304 are allowed",),
         setup=_stack("config:\n  vault-platform:environment: dev\n  filler: '" + "x" * (4 * 1024 * 1024) + "'\n")),
    Case("stack-fifo", ("plan", "--stack", "Pulumi.hostile.yaml"), ("is not a regular file (a FIFO",),
         setup=_fifo("Pulumi.hostile.yaml")),
    Case("stack-directory", ("plan", "--stack", "Pulumi.hostile.yaml"), ("is a directory, not a file",),
         setup=_directory("Pulumi.hostile.yaml")),
    Case("stack-top-level-list", ("plan", "--stack", "Pulumi.hostile.yaml"),
         ("a stack file is a mapping with a `config:` mapping",), setup=_stack("- 1\n- 2\n")),
    Case("stack-bad-yaml", ("plan", "--stack", "Pulumi.hostile.yaml"), ("is not valid YAML", "at line 3, column 1"),
         setup=_stack("config:\n  a: [1, 2\n")),
    Case("stack-python-tag", ("plan", "--stack", "Pulumi.hostile.yaml"), ("is not valid YAML",),
         setup=_stack("config:\n  x: !!python/object/apply:os.system ['true']\n")),
    Case("stack-binary", ("plan", "--stack", "Pulumi.hostile.yaml"), ("is not UTF-8 text",),
         setup=_stack(bytes(range(128, 256)) * 8)),
    Case("stack-name-shell", ("plan", "--stack", "Pulumi.a;touch pwned.yaml"),
         ("the stack name 'a;touch pwned' is not allowed",),
         setup=lambda box: shutil.copy(box.project / "Pulumi.dev.yaml", box.project / "Pulumi.a;touch pwned.yaml")),
    Case("stack-name-dotdot", ("plan", "--stack", "Pulumi....yaml"), ("the stack name '..' is not allowed",),
         setup=lambda box: shutil.copy(box.project / "Pulumi.dev.yaml", box.project / "Pulumi....yaml")),
    Case("stack-name-subshell", ("plan", "--stack", "$(id)"), ("the stack name '$(id)' is not allowed",)),
    Case("stack-volume-overflow", ("plan", "--stack", "Pulumi.hostile.yaml"),
         ("cluster.data_volume.size = '99999999999999999999999Ei'", "at most 16 characters"),
         setup=_stack("config:\n  vault-platform:environment: dev\n  vault-platform:cluster:\n"
                      "    data_volume:\n      size: 99999999999999999999999Ei\n")),
    Case("stack-volume-too-large", ("plan", "--stack", "Pulumi.hostile.yaml"),
         ("cluster.audit_volume.size = '9999Ti': larger than 64Ti",),
         setup=_stack("config:\n  vault-platform:environment: dev\n  vault-platform:cluster:\n"
                      "    audit_volume:\n      size: 9999Ti\n")),
    Case("stack-cpu-too-large", ("plan", "--stack", "Pulumi.hostile.yaml"),
         ("cluster.resources.limits.cpu = '100000': larger than 512",),
         setup=_stack("config:\n  vault-platform:environment: dev\n  vault-platform:cluster:\n"
                      "    resources:\n      limits: {cpu: '100000', memory: 1Gi}\n")),
    # ---------------------------------------------------------------- policy files
    Case("policy-not-utf8", _plan(), ("policies/zz-bad.hcl", "is not UTF-8 text: byte 0xfe at byte offset 6"),
         setup=_file("policies/zz-bad.hcl", b'path "\xfe" { capabilities = ["read"] }\n')),
    Case("policy-directory", _plan(), ("policies/zz-dir.hcl", "is a directory, not a file"),
         setup=_directory("policies/zz-dir.hcl")),
    Case("policy-fifo", _plan(), ("policies/zz-fifo.hcl", "is not a regular file"), setup=_fifo("policies/zz-fifo.hcl")),
    Case("policy-symlink-outside", _plan(), ("policies/zz-everything.hcl", "only files in the repository are read"),
         setup=_outside_policy_link),
    Case("policy-too-large", _plan(), ("policies/zz-huge.hcl", "at most 131,072 are allowed"),
         setup=_file("policies/zz-huge.hcl", 'path "secret/*" { capabilities = ["read"] }\n' * 180_000)),
    Case("policy-nul-byte", _plan(), ("policies/zz-nul.hcl", "holds a NUL byte"),
         setup=_file("policies/zz-nul.hcl", 'path "a\x00" { capabilities = ["read"] }\n')),
    # ---------------------------------------------------------------- files the stack names
    Case("ca-outside-repository", ("plan", "--stack", "Pulumi.hostile.yaml"),
         ("storage.postgresql.ca_cert_file = '../elsewhere.pem'", "only files in the repository are read"),
         setup=lambda box: (_stack(MINIMAL + DEV_PG.format(path="../elsewhere.pem"))(box),
                            (box.root / "elsewhere.pem").write_text("-----BEGIN CERTIFICATE-----\n"))),
    Case("ca-fifo", ("plan", "--stack", "Pulumi.hostile.yaml"),
         ("storage.postgresql.ca_cert_file = 'certs/fifo.pem'", "is not a regular file"),
         setup=lambda box: (_stack(MINIMAL + DEV_PG.format(path="certs/fifo.pem"))(box), _fifo("certs/fifo.pem")(box))),
    Case("pgp-key-outside", ("plan", "--stack", "Pulumi.hostile.yaml"),
         ("initialization.pgp_keys[0] = '/etc/hostname'", "only files in the repository are read"),
         setup=_dev_with(PGP.format(path="/etc/hostname"))),
    Case("policy-test-duplicate-key", ("policy", "test", "policies/tests/zz.yaml"),
         ("policies/tests/zz.yaml", "repeats the key 'policies' (at line 1 and at line 2)"),
         setup=_file("policies/tests/zz.yaml", "policies: [a]\npolicies: [b]\ncases: []\n")),
]


def _expand(arg: str, box: Sandbox) -> str:
    for token, value in (("PROJECT", box.project), ("HOME", box.home), ("ROOT", box.root)):
        if arg == token or arg.startswith(token + "/"):
            return str(value) + arg[len(token):]
    return arg


@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_hostile_input_is_refused_quickly_and_changes_nothing(case: Case, sandbox: Sandbox):
    case.setup(sandbox)
    before = snapshot(sandbox.root)
    done, seconds = sandbox.run(*(_expand(arg, sandbox) for arg in case.args), cwd=case.cwd(sandbox))
    after = snapshot(sandbox.root)
    assert done.returncode == case.code, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout, done.stderr
    for fragment in case.fragments:
        assert fragment in done.stderr, f"{fragment!r} not in:\n{done.stderr}"
    assert seconds < DEADLINE, f"{case.label} took {seconds:.1f} s"
    assert not changed(before, after, case.allowed), f"changed: {changed(before, after, case.allowed)}"
    assert not (sandbox.project / "pwned").exists()


def test_a_plan_goes_into_its_own_directory_and_replaces_only_its_own_files(sandbox: Sandbox):
    """The positive control: a new directory, then the same again (replaced in one step), and
    a policy linked inside the repository is read."""
    (sandbox.project / "policies" / "zz-alias.hcl").symlink_to("metrics-reader.hcl")
    out = sandbox.root / "plans" / "dev"
    for _ in range(2):
        before = snapshot(sandbox.root)
        done, _ = sandbox.run("plan", "--stack", "dev", "--out", str(out))
        assert done.returncode == 0, done.stderr
        assert not changed(before, snapshot(sandbox.root), ("plans",))
    assert (out / "vault" / "policies" / "zz-alias.hcl").read_text() == \
        (sandbox.project / "policies" / "metrics-reader.hcl").read_text()
    marker = json.loads((out / ".vault-platform-output").read_text())
    assert marker["purpose"] == "plan" and "resources.json" in marker["files"]
    assert sorted(p.name for p in (sandbox.root / "plans").iterdir()) == ["dev"]  # no staging left behind
