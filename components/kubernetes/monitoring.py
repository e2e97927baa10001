"""``VaultMonitoring``: Prometheus Operator objects for a Vault cluster.

* a ServiceMonitor scraping ``/v1/sys/metrics?format=prometheus`` on every pod's metrics
  port (8202: no Vault token needed, so sealed and standby pods report too) over TLS,
  every target labelled ``vault_platform=<name>`` for the alerts;
* a PrometheusRule with ``monitoring/alerts.yaml`` (unit-tested with promtool);
* the Grafana dashboard ``monitoring/dashboard.json`` in a ConfigMap labelled for
  Grafana's sidecar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_kubernetes as k8s
from components.config.base import PROJECT_DIR
from components.config.inputs import files

MONITORING_DIR = PROJECT_DIR / "monitoring"


def alert_groups() -> list[dict]:
    return files.load_yaml(MONITORING_DIR / "alerts.yaml", files.SMALL_FILE_LIMIT, inside=PROJECT_DIR)["groups"]


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
            spec={"groups": alert_groups()},
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
