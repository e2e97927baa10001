"""The reloader sidecar, as production renders it, against a real server: it rotates the
file audit log and reloads the TLS certificate with SIGHUP — no restart, no lost entry.

The script is the one in production's rendered ConfigMap and its settings are the rendered
container's, with the pod's paths replaced by the node's (its audit file, its certificate
and key) and a short interval. The server binary runs under a name of its own, so the
script — which finds the process running ``<name> server`` — signals this server and no other
on the machine, as in a pod. It runs under the machine's ``sh``; the images' BusyBox provides
the same POSIX commands.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.live.deploy import boot
from tests.live.servers import wait_until

pytestmark = pytest.mark.timeout(240)

SERVER_NAME = "bao-reloader"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
STATEFULSET = "kubernetes:apps/v1:StatefulSet"


def rendered_reloader(plan) -> tuple[str, dict[str, str]]:
    """The script and the container environment production deploys."""
    (config_map,) = [r for r in plan.of_type(CONFIG_MAP) if r.inputs["metadata"]["name"] == "vault-reloader"]
    (statefulset,) = plan.of_type(STATEFULSET)
    containers = statefulset.inputs["spec"]["template"]["spec"]["containers"]
    (sidecar,) = [c for c in containers if c["name"] == "reloader"]
    return config_map.inputs["data"]["reloader.sh"], {e["name"]: e["value"] for e in sidecar["env"]}


@pytest.fixture(scope="module")
def node(stack_plan, tmp_path_factory, bao, test_ca):
    """One server from dev's rendered configuration, its binary under a name of its own."""
    workdir = tmp_path_factory.mktemp("reloader")
    binary = workdir / SERVER_NAME
    binary.symlink_to(bao)
    cluster = boot(stack_plan("dev"), workdir / "server", binary, test_ca)
    yield cluster
    cluster.stop()


@pytest.fixture
def reloader(stack_plan, node, tmp_path):
    """Starts the rendered script with the node's paths; stops it after the test."""
    script_text, env = rendered_reloader(stack_plan("production"))
    assert env["SERVER"] == "vault" and env["AUDIT_FILES"] == "/vault/audit/audit.log"
    assert env["WATCH_FILES"] == "/vault/tls/tls.crt /vault/tls/tls.key"
    script = tmp_path / "reloader.sh"
    script.write_text(script_text)
    started = []

    def start(audit_file: Path, max_bytes: int, keep: int, watch: str) -> subprocess.Popen:
        log = (tmp_path / "reloader.log").open("w")
        process = subprocess.Popen(["sh", str(script)], stdout=log, stderr=subprocess.STDOUT, env={
            **env, "PATH": os.environ["PATH"], "SERVER": SERVER_NAME, "AUDIT_FILES": str(audit_file),
            "AUDIT_MAX_BYTES": str(max_bytes), "AUDIT_KEEP": str(keep), "WATCH_FILES": watch, "INTERVAL": "0.2",
            "HEARTBEAT": str(tmp_path / "heartbeat")})
        started.append(process)
        return process

    yield start
    for process in started:
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0  # the script's trap: a clean exit on TERM


def served_serial(address: str) -> int:
    from cryptography import x509

    host, port = address.removeprefix("https://").split(":")
    pem = ssl.get_server_certificate((host, int(port)))
    return x509.load_pem_x509_certificate(pem.encode()).serial_number


def test_the_reloader_rotates_the_audit_log_and_the_server_reopens_it(node, reloader, tmp_path):
    leader = node.leader
    pid = leader.process.pid
    audit_dir = tmp_path / "audit"
    audit_dir.mkdir()
    audit_file = audit_dir / "audit.log"
    client = node.client()
    log = (tmp_path / "reloader.log").read_text
    client.put("sys/audit/rotated", {"type": "file", "options": {"file_path": str(audit_file)}}).expect(204)
    try:
        client.get("sys/policies/acl/marker-before-rotation")
        # a CLI command under the server's name (as `kubectl exec ... vault status` would be in
        # the pod's shared process namespace): it must not get the signal, which would kill it
        bystander = subprocess.Popen([SERVER_NAME, "-c", "import time; time.sleep(120)"], executable=sys.executable)
        process = reloader(audit_file, max_bytes=8192, keep=2, watch="")

        def rotated_once() -> bool:
            client.get("sys/mounts")  # traffic, until the file reaches the size and moves
            return (audit_dir / "audit.log.1").exists()

        wait_until(rotated_once, 30, "the first rotation", interval=0.02)
        # the signal makes the server reopen its path: a new audit.log, where later entries go
        wait_until(audit_file.exists, 10, "the server to reopen audit.log")
        client.get("sys/policies/acl/marker-after-rotation")
        wait_until(lambda: "marker-after-rotation" in audit_file.read_text(), 10, "the entry in the new audit.log")
        rotated = (audit_dir / "audit.log.1").read_text()
        assert "marker-before-rotation" in rotated and "marker-after-rotation" not in rotated
        assert "marker-before-rotation" not in audit_file.read_text()

        # more rotations: at most two rotated files are kept
        def rotated_thrice() -> bool:
            client.get("sys/mounts")
            return log().count("rotated at") >= 3

        wait_until(rotated_thrice, 30, "two more rotations", interval=0.02)
        wait_until(audit_file.exists, 10, "the server to reopen audit.log")
        time.sleep(1)
        assert sorted(p.name for p in audit_dir.iterdir()) == ["audit.log", "audit.log.1", "audit.log.2"]
        # the first file (before the first rotation) was deleted by the third; the second, whose
        # first entries followed the first reopen, is now the oldest kept; each kept one is full
        for name in ("audit.log.1", "audit.log.2"):
            assert (audit_dir / name).stat().st_size >= 8192
        files = {name: (audit_dir / name).read_text() for name in ("audit.log", "audit.log.1", "audit.log.2")}
        assert not any("marker-before-rotation" in text for text in files.values())
        assert files["audit.log.2"].count("marker-after-rotation") == 2  # its request and its response
        assert not any("marker-after-rotation" in files[name] for name in ("audit.log", "audit.log.1"))
        assert re.search(rf"SIGHUP to {SERVER_NAME} \({pid}\): {re.escape(str(audit_file))} rotated at \d+ bytes",
                         log()), log()
        assert process.poll() is None and leader.process.pid == pid and leader.process.poll() is None
        assert bystander.poll() is None, "the reloader signalled a process that is not the server"
    finally:
        bystander.kill()
        client.delete("sys/audit/rotated").expect(204)


def test_the_reloader_makes_the_server_serve_a_renewed_certificate_without_a_restart(node, reloader, test_ca,
                                                                                      tmp_path, stack_plan):
    leader = node.leader
    pid = leader.process.pid
    cert = Path(re.search(r'tls_cert_file = "([^"]+)"', leader.config).group(1))
    key = Path(re.search(r'tls_key_file = "([^"]+)"', leader.config).group(1))
    before = served_serial(leader.address)
    reloader(tmp_path / "no-audit.log", max_bytes=1 << 30, keep=1, watch=f"{cert} {key}")
    time.sleep(0.5)  # the script has taken the current files' fingerprint
    renewed = test_ca.issue("renewed", ("vault-internal.vault-system.svc.cluster.local", "localhost"))
    for source, target in ((renewed.key, key), (renewed.cert, cert)):
        staged = target.with_suffix(".new")
        shutil.copyfile(source, staged)
        os.replace(staged, target)  # as the kubelet swaps a Secret volume's files
    wait_until(lambda: served_serial(leader.address) != before, 20, "the server to serve the renewed certificate")
    from cryptography import x509

    assert served_serial(leader.address) == x509.load_pem_x509_certificate(renewed.cert.read_bytes()).serial_number
    assert leader.process.pid == pid and leader.process.poll() is None
    assert node.client().get("sys/health").status == 200
    assert "certificate changed" in (tmp_path / "reloader.log").read_text()
