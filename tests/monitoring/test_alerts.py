"""Vault's alert rules with promtool (Debian's prometheus package), and the monitoring
objects the stack registers."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

MONITORING = Path(__file__).resolve().parents[2] / "monitoring"


def promtool() -> str:
    found = shutil.which("promtool")
    if not found:
        pytest.fail("promtool is not installed: run `./tasks setup` (it installs Debian's prometheus package)")
    return found


def run(*args: str, cwd: Path = MONITORING) -> subprocess.CompletedProcess:
    return subprocess.run([promtool(), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_rules_pass_promtool_check():
    done = run("check", "rules", "alerts.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 10 rules found" in done.stdout


def test_rules_pass_their_unit_tests_on_synthetic_series():
    done = run("test", "rules", "alerts.test.yaml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_promtool_catches_a_broken_rule_and_a_wrong_expectation(tmp_path):
    rules = yaml.safe_load((MONITORING / "alerts.yaml").read_text())
    rules["groups"][0]["rules"][0]["expr"] = "vault_core_unsealed =="
    (tmp_path / "alerts.yaml").write_text(yaml.safe_dump(rules))
    assert run("check", "rules", "alerts.yaml", cwd=tmp_path).returncode != 0
    tests = (MONITORING / "alerts.test.yaml").read_text().replace('exp_labels: {severity: critical, pod: vault-0}',
                                                                  'exp_labels: {severity: warning, pod: vault-0}', 1)
    (tmp_path / "alerts.yaml").write_text((MONITORING / "alerts.yaml").read_text())
    (tmp_path / "alerts.test.yaml").write_text(tests)
    assert run("test", "rules", "alerts.test.yaml", cwd=tmp_path).returncode != 0


def test_every_alert_the_operators_need_exists_and_is_tested():
    alerts = {r["alert"] for g in yaml.safe_load((MONITORING / "alerts.yaml").read_text())["groups"] for r in g["rules"]}
    assert alerts == {"VaultSealed", "VaultNoLeader", "VaultFrequentLeaderChanges", "VaultAutopilotUnhealthy",
                      "VaultRaftNoFailureTolerance", "VaultAuditDeviceFailing", "VaultHighRequestLatency",
                      "VaultCertificateExpiresSoon", "VaultKmsSealErrors", "VaultTargetDown"}
    tested = (MONITORING / "alerts.test.yaml").read_text()
    for alert in alerts:
        assert f"alertname: {alert}" in tested


def test_stack_registers_service_monitor_rules_and_dashboard(stack_plan):
    plan = stack_plan("production")
    (monitor,) = plan.of_type("kubernetes:monitoring.coreos.com/v1:ServiceMonitor")
    endpoint = monitor.inputs["spec"]["endpoints"][0]
    assert (endpoint["path"], endpoint["scheme"], endpoint["params"]) == (
        "/v1/sys/metrics", "https", {"format": ["prometheus"]})
    assert "authorization" not in endpoint and endpoint["port"] == "metrics"  # no token: sealed pods report too
    assert {"targetLabel": "vault_platform", "replacement": "vault"} in endpoint["relabelings"]
    assert endpoint["tlsConfig"]["ca"]["secret"] == {"key": "ca.crt", "name": "vault-tls"}
    assert monitor.inputs["spec"]["selector"]["matchLabels"]["vault-platform/service"] == "internal"
    (rules,) = plan.of_type("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    assert rules.inputs["spec"]["groups"] == yaml.safe_load((MONITORING / "alerts.yaml").read_text())["groups"]
    dashboard = next(r for r in plan.of_type("kubernetes:core/v1:ConfigMap") if "vault.json" in r.inputs["data"])
    assert dashboard.inputs["metadata"]["labels"]["grafana_dashboard"] == "1"
    panels = json.loads(dashboard.inputs["data"]["vault.json"])["panels"]
    assert len(panels) >= 8 and all(p["targets"][0]["expr"] for p in panels)
    (internal,) = [r for r in plan.of_type("kubernetes:core/v1:Service")
                   if r.inputs["metadata"]["name"] == "vault-internal"]
    assert internal.inputs["metadata"]["labels"]["vault-platform/service"] == "internal"
