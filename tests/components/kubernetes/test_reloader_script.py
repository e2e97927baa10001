"""The reloader's script as the server images run it: BusyBox's ``sh`` and applets (the images
are Alpine), against a stand-in server process — ``<binary> server ...`` that records each
SIGHUP — and a CLI process under the same name that must never get one. shellcheck passes it
as POSIX sh. (The same script against a real OpenBao server: tests/live/test_reloader.py.)"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from components.config.base import PROJECT_DIR

SCRIPT = PROJECT_DIR / "sidecars" / "reloader.sh"
APPLETS = ("sh", "stat", "sha256sum", "tr", "mv", "cat", "date", "sleep", "kill")


def tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: run `./tasks setup` (Debian package {name})")
    return found


def test_shellcheck_passes_the_script_as_posix_sh():
    done = subprocess.run([tool("shellcheck"), "-s", "sh", str(SCRIPT)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def wait_for(predicate, seconds: float, what: str):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {seconds} s")


def test_under_busybox_it_rotates_reloads_and_signals_only_the_server(tmp_path: Path):
    busybox = tool("busybox")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for applet in APPLETS:  # BusyBox's applets only, as in the image
        (bin_dir / applet).symlink_to(busybox)
    env = {"PATH": str(bin_dir)}
    # the stand-in server: `vault server` records each SIGHUP; a CLI `vault status` must live on
    (tmp_path / "server").write_text("trap 'echo hup >> hups' HUP\nwhile :; do sleep 0.1; done\n")
    (tmp_path / "status").write_text("trap 'echo killed >> cli; exit 1' HUP\nwhile :; do sleep 0.1; done\n")
    # (run by Debian's dash: BusyBox picks its applet by the name it is called under)
    dash = tool("dash")
    server = subprocess.Popen(["vault", "server", "-config=/vault/config/server.hcl"], executable=dash,
                              cwd=tmp_path, env=env)
    cli = subprocess.Popen(["vault", "status"], executable=dash, cwd=tmp_path, env=env)
    audit = tmp_path / "audit.log"
    audit.write_bytes(b"x" * 100)
    cert = tmp_path / "tls.crt"
    cert.write_text("first certificate\n")
    log = (tmp_path / "reloader.log").open("w")
    reloader = subprocess.Popen([str(bin_dir / "sh"), str(SCRIPT)], stdout=log, stderr=subprocess.STDOUT, env={
        **env, "SERVER": "vault", "AUDIT_FILES": str(audit), "AUDIT_MAX_BYTES": "1000", "AUDIT_KEEP": "2",
        "WATCH_FILES": str(cert), "INTERVAL": "0.2", "HEARTBEAT": str(tmp_path / "heartbeat")})
    hups = tmp_path / "hups"
    try:
        wait_for((tmp_path / "heartbeat").exists, 5, "the first heartbeat")
        assert not hups.exists()  # below the size, the certificate unchanged: no signal
        for round_number in (1, 2, 3):
            audit.write_bytes(b"y" * 1000)  # the server's new file reached the size
            wait_for(lambda: hups.exists() and len(hups.read_text().split()) == round_number, 5,
                     f"rotation {round_number}")
        assert sorted(p.name for p in tmp_path.glob("audit.log*")) == ["audit.log.1", "audit.log.2"]
        cert.write_text("renewed certificate\n")
        wait_for(lambda: len(hups.read_text().split()) == 4, 5, "the signal for the renewed certificate")
        text = (tmp_path / "reloader.log").read_text()
        assert text.count("rotated at 1000 bytes") == 3 and "certificate changed" in text
        assert "applet not found" not in text and "not found" not in text  # every command is a BusyBox applet
        assert f"SIGHUP to vault ({server.pid})" in text
        assert cli.poll() is None and not (tmp_path / "cli").exists()  # the CLI process was left alone
        age = int(time.time()) - int((tmp_path / "heartbeat").read_text())
        assert 0 <= age <= 2
    finally:
        reloader.send_signal(signal.SIGTERM)
        assert reloader.wait(5) == 0
        for process in (server, cli):
            process.kill()
            process.wait(5)
