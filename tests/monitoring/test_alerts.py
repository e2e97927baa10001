"""Vault's alert rules with promtool (Debian's prometheus package), and the monitoring
objects the stack registers."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from components.kubernetes.monitoring import STACK_ALERTS, StackAlerts, stack_alert_groups

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
                      "VaultKmsSealErrors", "VaultKmsUnreachable", "VaultTargetDown"}
    tested = (MONITORING / "alerts.test.yaml").read_text()
    for alert in alerts:
        assert f"alertname: {alert}" in tested
    stack = {r.get("alert") for g in yaml.safe_load((MONITORING / STACK_ALERTS).read_text())["groups"]
             for r in g["rules"]} - {None}
    assert stack == {"VaultAuditVolumeFilling", "VaultSnapshotJobFailed", "VaultSnapshotStale",
                     "VaultCertificateExpiresSoon"}
    tested = (MONITORING / "stack-alerts.test.yaml").read_text()
    for alert in stack:
        assert f"alertname: {alert}" in tested


def render_stack_alerts(folder: Path) -> None:
    """The two renders ``stack-alerts.test.yaml`` reads (see its header), by the program's own code."""
    alerts = StackAlerts(namespace="vault-system", name="vault", snapshot_max_age_seconds=600,
                         certificate="vault-tls", certificate_source="generated", warn_seconds=43200)
    generated = stack_alert_groups(alerts, "1970-01-02T00:00:00Z")
    (folder / "stack-alerts.generated.yaml").write_text(yaml.safe_dump({"groups": generated}))
    manager = [g for g in stack_alert_groups(dataclasses.replace(alerts, certificate_source="cert-manager"))
               if g["name"] == "vault-certificate-cert-manager"]
    (folder / "stack-alerts.cert-manager.yaml").write_text(yaml.safe_dump({"groups": manager}))
    shutil.copy(MONITORING / "stack-alerts.test.yaml", folder)


def test_the_stack_alerts_as_rendered_pass_promtool_and_their_unit_tests(tmp_path):
    render_stack_alerts(tmp_path)
    for name in ("stack-alerts.generated.yaml", "stack-alerts.cert-manager.yaml"):
        done = run("check", "rules", name, cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
    done = run("test", "rules", "stack-alerts.test.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    # a wrong placeholder (another cluster's name) makes the audit and snapshot tests fail
    other = (tmp_path / "stack-alerts.generated.yaml").read_text().replace("audit-vault-", "audit-other-")
    (tmp_path / "stack-alerts.generated.yaml").write_text(other)
    assert run("test", "rules", "stack-alerts.test.yaml", cwd=tmp_path).returncode != 0


def test_each_stack_gets_the_groups_that_apply_to_it(stack_plan):
    def groups(stack: str) -> dict[str, dict]:
        (rules,) = stack_plan(stack).of_type("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
        return {g["name"]: g for g in rules.inputs["spec"]["groups"]}

    production, dev = groups("production"), groups("dev")
    assert list(production) == ["vault", "vault-audit-volume", "vault-snapshots", "vault-certificate-generated"]
    assert list(dev) == ["vault", "vault-audit-volume", "vault-certificate-generated"]  # no snapshots in dev
    record, alert = production["vault-certificate-generated"]["rules"]
    # the offline plan pretends the certificate was issued on 2026-01-01 for 8760 h
    assert record["expr"] == "vector(1798761600)" and record["labels"]["name"] == "vault-tls"
    assert alert["expr"].endswith("< 3153600")  # its renewal window: a tenth of 8760 h
    stale = production["vault-snapshots"]["rules"][1]
    assert "> 46800" in stale["expr"] and 'cronjob="vault-snapshot"' in stale["expr"]  # 13h


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
    assert rules.inputs["spec"]["groups"][:1] == yaml.safe_load((MONITORING / "alerts.yaml").read_text())["groups"]
    dashboard = next(r for r in plan.of_type("kubernetes:core/v1:ConfigMap") if "vault.json" in r.inputs["data"])
    assert dashboard.inputs["metadata"]["labels"]["grafana_dashboard"] == "1"
    panels = json.loads(dashboard.inputs["data"]["vault.json"])["panels"]
    assert len(panels) >= 8 and all(p["targets"][0]["expr"] for p in panels)
    (internal,) = [r for r in plan.of_type("kubernetes:core/v1:Service")
                   if r.inputs["metadata"]["name"] == "vault-internal"]
    assert internal.inputs["metadata"]["labels"]["vault-platform/service"] == "internal"


def test_a_cert_manager_stack_alerts_from_cert_managers_metrics():
    from tests.conftest import plan_with, stack_raw, with_values

    raw = with_values(stack_raw("production"), **{"tls.mode": "cert-manager", "tls.cert_manager": {
        "issuer_name": "internal-ca", "renew_before": "360h"}})
    (rules,) = plan_with("production", raw).by_type("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    groups = {g["name"]: g for g in rules.inputs["spec"]["groups"]}
    assert "vault-certificate-generated" not in groups
    record, alert = groups["vault-certificate-cert-manager"]["rules"]
    assert 'certmanager_certificate_expiration_timestamp_seconds{namespace="vault-system", name="vault-tls"}' in (
        record["expr"])
    assert alert["expr"].endswith(f"< {360 * 3600 * 2 // 3}")  # two thirds of renew_before: not renewed in time
