"""``VaultMonitoring``: Prometheus Operator objects for a Vault cluster.

* a ServiceMonitor scraping ``/v1/sys/metrics?format=prometheus`` on every pod's metrics
  port (8202: no Vault token needed, so sealed and standby pods report too) over TLS,
  every target labelled ``vault_platform=<name>`` for the alerts;
* a PrometheusRule with ``monitoring/alerts.yaml`` and the stack's own groups of
  ``monitoring/stack-alerts.yaml`` (both unit-tested with promtool);
* the Grafana dashboard ``monitoring/dashboard.json`` in a ConfigMap labelled for
  Grafana's sidecar.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_kubernetes as k8s
import yaml

from components.config.base import PROJECT_DIR
from components.config.inputs import files

MONITORING_DIR = PROJECT_DIR / "monitoring"
STACK_ALERTS = "stack-alerts.yaml"


def alert_groups() -> list[dict]:
    return files.load_yaml(MONITORING_DIR / "alerts.yaml", files.SMALL_FILE_LIMIT, inside=PROJECT_DIR)["groups"]


@dataclass(frozen=True)
class StackAlerts:
    """What ``monitoring/stack-alerts.yaml`` names of one stack, and which of its groups apply."""

    namespace: str
    name: str
    """The Vault cluster's name: its audit claims are ``audit-<name>-<n>``, its snapshot
    CronJob ``<name>-snapshot``."""
    snapshot_max_age_seconds: Optional[int] = None
    """With scheduled snapshots: how old the newest may get; no snapshot alerts when None."""
    certificate: Optional[str] = None
    """The server certificate's name (the Certificate or the Secret); no certificate alert when None."""
    certificate_source: Optional[str] = None
    """``cert-manager`` (its own metrics) or ``generated`` (the expiry the stack knows)."""
    warn_seconds: int = 14 * 86400
    """Alert when the certificate has less than this left."""


def stack_alert_groups(alerts: StackAlerts, not_after: Optional[str] = None) -> list[dict]:
    """``monitoring/stack-alerts.yaml`` for one stack: its names in place of the placeholders,
    the groups that apply. ``not_after``: the generated certificate's expiry (RFC 3339)."""
    text = files.read_text(MONITORING_DIR / STACK_ALERTS, files.SMALL_FILE_LIMIT, inside=PROJECT_DIR)
    expiry = int(datetime.datetime.fromisoformat(not_after).timestamp()) if not_after else 0
    values = {"__NAMESPACE__": alerts.namespace, "__NAME__": alerts.name, "__CERTIFICATE__": alerts.certificate or "",
              "__NOT_AFTER__": str(expiry), "__WARN_SECONDS__": str(alerts.warn_seconds),
              "__SNAPSHOT_MAX_AGE__": str(alerts.snapshot_max_age_seconds or 0)}
    for token, value in values.items():
        text = text.replace(token, value)
    wanted = {"vault-audit-volume"}
    if alerts.snapshot_max_age_seconds:
        wanted.add("vault-snapshots")
    if alerts.certificate and alerts.certificate_source:
        wanted.add(f"vault-certificate-{alerts.certificate_source}")
    return [group for group in yaml.safe_load(text)["groups"] if group["name"] in wanted]


@dataclass
class VaultMonitoringArgs:
    namespace: pulumi.Input[str]
    name: str
    """The Vault cluster's name (its headless Service is ``<name>-internal``)."""
    selector: dict[str, str]
    """Labels selecting the headless Service."""
    labels: dict[str, str]
    scheme: str = "https"
    tls_secret: Optional[str] = None
    """Secret whose ``ca.crt`` verifies Vault's certificate; plain HTTP when omitted (dev)."""
    tls_server_name: Optional[str] = None
    scrape_interval: str = "30s"
    rule_labels: dict[str, str] = field(default_factory=dict)
    stack_alerts: Optional[StackAlerts] = None
    """The stack's own alerts (audit volume, snapshots, certificate); none when omitted."""
    certificate_not_after: Optional[pulumi.Input[str]] = None
    """The generated certificate's expiry, for its alert."""


class VaultMonitoring(pulumi.ComponentResource):
    def __init__(self, name: str, args: VaultMonitoringArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("vault-platform:monitoring:VaultMonitoring", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        labels = {**args.labels, **args.rule_labels}
        endpoint: dict = {
            "port": "metrics",
            "scheme": args.scheme,
            "path": "/v1/sys/metrics",
            "params": {"format": ["prometheus"]},
            "interval": args.scrape_interval,
            "relabelings": [{"sourceLabels": ["__meta_kubernetes_pod_name"], "targetLabel": "pod"},
                            {"targetLabel": "vault_platform", "replacement": args.name}],
        }
        if args.tls_secret:
            endpoint["tlsConfig"] = {"ca": {"secret": {"name": args.tls_secret, "key": "ca.crt"}},
                                     "serverName": args.tls_server_name}
        k8s.apiextensions.CustomResource(
            f"{name}-service-monitor",
            api_version="monitoring.coreos.com/v1",
            kind="ServiceMonitor",
            metadata={"name": args.name, "namespace": args.namespace, "labels": labels},
            spec={"selector": {"matchLabels": dict(args.selector)}, "endpoints": [endpoint]},
            opts=child,
        )
        k8s.apiextensions.CustomResource(
            f"{name}-rules",
            api_version="monitoring.coreos.com/v1",
            kind="PrometheusRule",
            metadata={"name": f"{args.name}-alerts", "namespace": args.namespace, "labels": labels},
            spec=pulumi.Output.from_input(args.certificate_not_after).apply(lambda not_after: {"groups": [
                *alert_groups(),
                *(stack_alert_groups(args.stack_alerts, not_after) if args.stack_alerts else []),
            ]}),
            opts=child,
        )
        k8s.core.v1.ConfigMap(
            f"{name}-dashboard",
            metadata={"name": f"{args.name}-dashboard", "namespace": args.namespace,
                      "labels": {**args.labels, "grafana_dashboard": "1"}},
            data={"vault.json": files.read_text(MONITORING_DIR / "dashboard.json", files.SMALL_FILE_LIMIT,
                                                inside=PROJECT_DIR)},
            opts=child,
        )
        self.register_outputs({})
