"""``VaultCluster``: a hardened, highly available Vault server on Kubernetes.

Built from typed pulumi-kubernetes resources (no Helm chart), so every object is
visible to previews, tests and policy checks. The object bodies come from pure
functions — :mod:`components.kubernetes.objects` (namespace, RBAC, Services, network),
:mod:`components.kubernetes.workload` (the StatefulSet) and
:mod:`components.kubernetes.server_config` (``server.hcl``) — and the steps below register
them in the order a reader follows: namespace and identity, TLS, configuration, Services,
storage, workload, monitoring, network.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from typing import Any, Optional, Protocol

import pulumi
import pulumi_kubernetes as k8s

from components.config.base import PROJECT_DIR, duration_seconds
from components.config import network
from components.config.inputs import files
from components.config.stack import StackConfig
from components.kubernetes import objects, workload
from components.kubernetes.layout import ClusterLayout
from components.kubernetes.monitoring import StackAlerts, VaultMonitoring, VaultMonitoringArgs
from components.kubernetes.postgresql import (
    CA_DIR as POSTGRESQL_CA_DIR, PostgresqlStorage, PostgresqlStorageArgs, schema_pending,
)
from components.kubernetes.server_config import (
    AuditDevice,
    AwsKmsSeal,
    KmsPlugin,
    RaftJoin,
    ServerConfigSpec,
    render_server_config,
)
from components.kubernetes.tls import VaultTls, VaultTlsArgs, renewal_window_hours


class AutoUnseal(Protocol):
    """What the cluster needs of an auto-unseal component (``KmsUnseal`` on AWS): the key
    to name in ``server.hcl`` and the identity its pods take. It is also a resource the
    pods wait for."""

    region: str
    key_id: pulumi.Output[str]
    service_account_annotations: dict[str, pulumi.Output[str]]


@dataclass
class VaultClusterArgs:
    config: StackConfig
    """The validated stack configuration (cluster, storage, TLS, network, telemetry)."""
    layout: ClusterLayout
    """Names, labels and addresses of the cluster (computed once from ``config``)."""
    seal_region: Optional[pulumi.Input[str]] = None
    """AWS region of the auto-unseal key; with ``seal_kms_key_id``. Shamir when omitted."""
    seal_kms_key_id: Optional[pulumi.Input[str]] = None
    """KMS key id for the ``seal "awskms"`` stanza; Vault keeps its Shamir seal when omitted."""
    service_account_annotations: dict[str, pulumi.Input[str]] = field(default_factory=dict)
    """Annotations for Vault's ServiceAccount (e.g. an IRSA role); none when omitted."""
    extra_env: list[dict[str, Any]] = field(default_factory=list)
    """Extra container environment entries (secret references only, never values)."""
    postgresql_admin_url: Optional[pulumi.Input[str]] = None
    """With PostgreSQL storage: the administrator's connection URL (a Pulumi secret), used
    only by the schema Job; Vault gets its own role and URL."""
    postgresql_ca_pem: Optional[str] = None
    """With PostgreSQL storage: the database's CA (Vault verifies the server with it)."""
    pods_depend_on: list[pulumi.Resource] = field(default_factory=list)
    """Resources the pods need before they start (e.g. the unseal permission); none when omitted."""

    @classmethod
    def from_config(cls, config: StackConfig, layout: ClusterLayout, unseal: Optional[AutoUnseal] = None,
                    database_admin_url: Optional[pulumi.Input[str]] = None) -> "VaultClusterArgs":
        """Args for the stack's cluster. ``unseal`` seals it (AWS KMS); with PostgreSQL storage
        ``database_admin_url`` is the administrator's URL of a database the stack creates
        (RDS), else the stack's ``admin_connection_url`` is used."""
        args = cls(config=config, layout=layout)
        if unseal is not None:
            args.seal_region = unseal.region
            args.seal_kms_key_id = unseal.key_id
            args.service_account_annotations = unseal.service_account_annotations
            args.pods_depend_on = [unseal]  # type: ignore[list-item]  (a component resource)
        postgresql = config.storage.postgresql
        if config.storage.type == "postgresql" and postgresql is not None:
            if database_admin_url is not None:
                args.postgresql_admin_url = database_admin_url
            elif postgresql.admin_connection_url is not None:
                args.postgresql_admin_url = pulumi.Output.secret(postgresql.admin_connection_url.reveal())
            if postgresql.ca_cert_file:
                args.postgresql_ca_pem = files.read_text(PROJECT_DIR / postgresql.ca_cert_file, files.SMALL_FILE_LIMIT,
                                                         inside=PROJECT_DIR)
        return args


class VaultCluster(pulumi.ComponentResource):
    """Namespace, identity, TLS, config, Services, StatefulSet, PDB and NetworkPolicies."""

    address: pulumi.Output[str]
    """The in-cluster API address (``https://<name>.<namespace>.svc.<domain>:8200``)."""
    ca_cert_pem: Optional[pulumi.Output[str]]
    """CA that signed the server certificate (generated TLS only)."""
    namespace: pulumi.Output[str]
    service_account_name: pulumi.Output[str]
    server_config: pulumi.Output[str]
    """The rendered ``server.hcl``."""

    def __init__(self, name: str, args: VaultClusterArgs, opts: Optional[pulumi.ResourceOptions] = None):
        config = args.config
        # The environment is recorded on the component, where policy packs can read it.
        server = {"environment": config.environment, "policy_dialect": config.cluster.target.policy_dialect}
        super().__init__("vault-platform:cluster:VaultCluster", name, server, opts)
        self._name, self._args, self._layout = name, args, args.layout
        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata=objects.namespace_metadata(self._layout),
            # Deleting the namespace deletes the data volumes with it.
            opts=pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True),
        )
        self.namespace = namespace.metadata.apply(lambda m: m["name"])
        self._in_namespace = pulumi.ResourceOptions(parent=self, depends_on=[namespace])
        service_account, bound = self._identity()
        tls_resources, server_cert_pem = self._tls()
        config_map = self._configuration()
        self._services()
        storage_env, storage_volumes, storage_needs = self._storage()
        statefulset = self._workload(storage_env, storage_volumes,
                                     [namespace, config_map, *bound, *tls_resources, *storage_needs])
        self._monitoring()
        self._network()

        self.address = pulumi.Output.from_input(self._layout.address)
        self.service_account_name = service_account.metadata.apply(lambda m: m["name"])
        self.statefulset_name = statefulset.metadata.apply(lambda m: m["name"])
        self.register_outputs(
            {
                # the engine replaces a component's inputs with these outputs: keep the
                # environment here too, where the policy pack reads it
                **server,
                "address": self.address,
                "ca_cert_pem": self.ca_cert_pem,
                "namespace": self.namespace,
                "service_account_name": self.service_account_name,
            }
        )

    def _identity(self) -> tuple[k8s.core.v1.ServiceAccount, list[pulumi.Resource]]:
        """Vault's ServiceAccount; with HA the service-registration Role on its own pods;
        with token review the `system:auth-delegator` binding."""
        name, layout, args = self._name, self._layout, self._args
        service_account = k8s.core.v1.ServiceAccount(
            f"{name}-service-account",
            metadata=layout.metadata(layout.name, annotations=dict(args.service_account_annotations)),
            automount_service_account_token=False,
            opts=self._in_namespace,
        )
        bound: list[pulumi.Resource] = [service_account]
        if layout.ha:
            role = k8s.rbac.v1.Role(
                f"{name}-service-registration",
                metadata=layout.metadata(f"{layout.name}-service-registration"),
                rules=objects.service_registration_role(layout, args.config.cluster.replicas),
                opts=self._in_namespace,
            )
            bound.append(k8s.rbac.v1.RoleBinding(
                f"{name}-service-registration",
                metadata=layout.metadata(f"{layout.name}-service-registration"),
                role_ref={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role.metadata["name"]},
                subjects=[{"kind": "ServiceAccount", "name": layout.name, "namespace": layout.namespace}],
                opts=self._in_namespace,
            ))
        if layout.token_review:
            binding = objects.token_review_binding(layout)
            bound.append(k8s.rbac.v1.ClusterRoleBinding(
                f"{name}-token-review",
                metadata={"name": f"{layout.namespace}-{layout.name}-token-review", "labels": dict(layout.labels)},
                role_ref=binding["roleRef"],
                subjects=binding["subjects"],
                opts=self._in_namespace,
            ))
        return service_account, bound

    def _tls(self) -> tuple[list[pulumi.Resource], Optional[pulumi.Output[str]]]:
        """The server certificate Secret (generated or from cert-manager), unless TLS is off."""
        self.ca_cert_pem = None
        self._certificate_not_after: Optional[pulumi.Output[str]] = None
        layout = self._layout
        if not layout.tls_enabled:
            return [], None
        tls_config = self._args.config.tls
        manager = tls_config.cert_manager
        certificate = VaultTls(
            f"{self._name}-tls",
            VaultTlsArgs(
                namespace=self.namespace,
                secret_name=layout.tls_secret,
                dns_names=layout.dns_names(tls_config.extra_dns_names),
                labels=layout.labels,
                mode="cert-manager" if tls_config.mode == "cert-manager" else "generated",
                ca_validity_hours=tls_config.ca_validity_hours,
                server_validity_hours=tls_config.server_validity_hours,
                issuer_name=manager.issuer_name if manager else None,
                issuer_kind=manager.issuer_kind if manager else "ClusterIssuer",
                duration=manager.duration if manager else "2160h",
                renew_before=manager.renew_before if manager else "360h",
            ),
            opts=self._in_namespace,
        )
        self.ca_cert_pem = certificate.ca_cert_pem
        self._certificate_not_after = certificate.not_after
        return [certificate], certificate.cert_pem

    def _configuration(self) -> k8s.core.v1.ConfigMap:
        """``server.hcl``, rendered once the seal's key id is known, in a ConfigMap."""
        config, layout = self._args.config, self._layout
        cluster, pg = config.cluster, config.storage.postgresql
        raft = config.storage.raft
        spec_base = dict(
            storage=config.storage.type,
            postgresql_table=pg.table if pg else "vault_kv_store",
            postgresql_ha_table=pg.ha_table if pg else "vault_ha_locks",
            postgresql_max_parallel=pg.max_parallel if pg else 128,
            tls_enabled=layout.tls_enabled,
            ui=cluster.ui,
            log_level=cluster.log_level,
            log_format=cluster.log_format,
            raft_join=RaftJoin(
                namespace=layout.namespace,
                label_selector=layout.label_selector,
                tls_server_name=layout.tls_server_name if layout.tls_enabled else None,
            ) if config.storage.type == "raft" else None,
            performance_multiplier=raft.performance_multiplier,
            autopilot_reconcile_interval=raft.autopilot_reconcile_interval,
            autopilot_update_interval=raft.autopilot_update_interval,
            prometheus_retention_time=config.telemetry.prometheus_retention_time,
            disable_hostname=config.telemetry.disable_hostname,
            target=layout.target,
            audit_devices=tuple(AuditDevice(d.type, d.path, d.description, tuple(d.options().items()))
                                for d in config.vault.audit_devices) if config.vault.configure else (),
            unauthenticated_generate_root=cluster.unauthenticated_generate_root,
        )
        kms = config.unseal.awskms if config.unseal.type == "awskms" else None
        plugin = KmsPlugin(kms.plugin.command, kms.plugin.sha256sum) if kms and kms.plugin else None
        self.server_config = pulumi.Output.all(self._args.seal_region, self._args.seal_kms_key_id).apply(
            lambda seal: render_server_config(ServerConfigSpec(
                **spec_base, seal=AwsKmsSeal(region=seal[0], kms_key_id=seal[1], plugin=plugin) if seal[1] else None))
        )
        return k8s.core.v1.ConfigMap(
            f"{self._name}-config",
            metadata=layout.metadata(layout.config_map),
            data={workload.SERVER_CONFIG_FILE: self.server_config},
            immutable=False,
            opts=self._in_namespace,
        )

    def _services(self) -> None:
        """Headless (peer discovery), client, and with HA the active and standby Services."""
        layout = self._layout
        for service_name, spec in objects.services(layout).items():
            role = service_name.removeprefix(layout.name).lstrip("-") or "api"
            k8s.core.v1.Service(
                f"{self._name}-service-{role}",
                metadata={**layout.metadata(service_name),
                          "labels": {**layout.labels, "vault-platform/service": role}},
                spec=spec,
                opts=self._in_namespace,
            )

    def _storage(self) -> tuple[list[dict[str, Any]], list[workload.Volume], list[pulumi.Resource]]:
        """With PostgreSQL storage: the schema Job and Vault's connection Secret, and what the
        pods need of them (environment, the CA volume). Nothing for Raft or file storage."""
        config, args = self._args.config, self._args
        pg = config.storage.postgresql
        if config.storage.type != "postgresql":
            return [], [], []
        assert pg is not None and args.postgresql_admin_url is not None
        postgresql = PostgresqlStorage(
            f"{self._name}-postgresql",
            PostgresqlStorageArgs(
                namespace=self.namespace,
                name=self._layout.name,
                labels=self._layout.labels,
                admin_url=args.postgresql_admin_url,
                vault_role=pg.vault_role,
                table=pg.table,
                ha_table=pg.ha_table,
                ca_pem=args.postgresql_ca_pem,
                image=pg.schema_job_image,
                schema_pending=schema_pending(pg),
            ),
            opts=self._in_namespace,
        )
        # The Secret and the CA directory the connection URL names (sslrootcert): one source each.
        env = [{"name": f"{self._layout.target.env_prefix}PG_CONNECTION_URL", "valueFrom": {"secretKeyRef": {
            "name": postgresql.secret_name, "key": "connection-url"}}}]
        volumes: list[workload.Volume] = []
        if postgresql.ca_config_map:
            volumes.append((
                {"name": "postgresql-ca", "configMap": {"name": postgresql.ca_config_map, "defaultMode": 0o444}},
                {"name": "postgresql-ca", "mountPath": POSTGRESQL_CA_DIR, "readOnly": True},
            ))
        return env, volumes, [postgresql]

    def _workload(self, storage_env: list[dict[str, Any]], storage_volumes: list[workload.Volume],
                  needs: list[pulumi.Resource]) -> k8s.apps.v1.StatefulSet:
        """The StatefulSet and its disruption budget. A new server.hcl (or reloader script)
        changes the pod template, so the diff shows that pods need a restart; a renewed
        certificate does not: the reloader sidecar makes the server re-read it."""
        args, layout, cluster = self._args, self._layout, self._args.config.cluster
        reloader, script = self._reloader()
        # The certificate is not part of it: the reloader applies a renewed one in place.
        checksum = pulumi.Output.all(self.server_config, script).apply(
            lambda parts: hashlib.sha256("\n".join(p or "" for p in parts).encode()).hexdigest()
        )
        statefulset = k8s.apps.v1.StatefulSet(
            f"{self._name}-server",
            metadata=layout.metadata(
                layout.name,
                annotations={**workload.SKIP_AWAIT, **workload.checkov_skips(layout, cluster, bool(storage_env))},
            ),
            spec=workload.statefulset_spec(layout, cluster, layout.name, checksum, [*args.extra_env, *storage_env],
                                           storage_volumes, kms_plugin=self._kms_plugin(), reloader=reloader),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*needs, *args.pods_depend_on]),
        )
        k8s.policy.v1.PodDisruptionBudget(
            f"{self._name}-disruption-budget",
            metadata=layout.metadata(layout.name),
            spec=objects.disruption_budget(layout),
            opts=self._in_namespace,
        )
        return statefulset

    def _reloader(self) -> tuple[workload.Reloader, str]:
        """The reloader sidecar's settings and its script, in a ConfigMap."""
        config, layout = self._args.config, self._layout
        script = files.read_text(PROJECT_DIR / "sidecars" / workload.RELOADER_SCRIPT, files.SMALL_FILE_LIMIT,
                                 inside=PROJECT_DIR)
        name = f"{layout.name}-reloader"
        k8s.core.v1.ConfigMap(f"{self._name}-reloader", metadata=layout.metadata(name),
                              data={workload.RELOADER_SCRIPT: script}, opts=self._in_namespace)
        rotation, audit_files = config.cluster.audit_rotation, config.vault.audit_files
        return workload.Reloader(
            config_map=name,
            audit_files=audit_files,
            max_bytes=rotation.max_bytes(config.cluster.audit_volume.size, len(audit_files)),
            keep=rotation.keep,
            interval=rotation.check_seconds,
        ), script

    def _kms_plugin(self) -> Optional[tuple[str, str]]:
        """OpenBao 2.7's KMS plugin (image, binary name), when the seal runs as one."""
        config = self._args.config
        kms = config.unseal.awskms if config.unseal.type == "awskms" else None
        if kms is None or kms.plugin is None or not self._layout.target.kms_plugin:
            return None
        return kms.plugin.image, kms.plugin.command

    def _monitoring(self) -> None:
        """ServiceMonitor, alert rules and dashboard (Prometheus Operator), when enabled."""
        monitoring, layout = self._args.config.monitoring, self._layout
        if not monitoring.enabled:
            return
        VaultMonitoring(
            f"{self._name}-monitoring",
            VaultMonitoringArgs(
                namespace=self.namespace,
                name=layout.name,
                selector={**layout.selector, "vault-platform/service": "internal"},
                labels=layout.labels,
                scheme=layout.scheme,
                tls_secret=layout.tls_secret if layout.tls_enabled else None,
                tls_server_name=layout.tls_server_name if layout.tls_enabled else None,
                scrape_interval=monitoring.scrape_interval,
                rule_labels=dict(monitoring.rule_labels),
                stack_alerts=self._stack_alerts(),
                certificate_not_after=self._certificate_not_after,
            ),
            opts=self._in_namespace,
        )

    def _stack_alerts(self) -> StackAlerts:
        """The stack's own alerts: its audit volumes; its snapshots when scheduled; its
        certificate — from cert-manager's metrics (alerting past two thirds of `renew_before`:
        cert-manager has not renewed it), or the generated one's known expiry (alerting inside
        its renewal window: the next `pulumi up` renews it)."""
        config, layout = self._args.config, self._layout
        snapshots = config.snapshots
        alerts = StackAlerts(namespace=layout.namespace, name=layout.name,
                             snapshot_max_age_seconds=int(duration_seconds(snapshots.max_age))
                             if snapshots.enabled else None)
        tls = config.tls
        if not layout.tls_enabled:
            return alerts
        if tls.mode == "cert-manager" and tls.cert_manager is not None:
            warn = int(duration_seconds(tls.cert_manager.renew_before) * 2 / 3)
            return dataclasses.replace(alerts, certificate=layout.tls_secret, certificate_source="cert-manager",
                                       warn_seconds=warn)
        return dataclasses.replace(alerts, certificate=layout.tls_secret, certificate_source="generated",
                                   warn_seconds=renewal_window_hours(tls.server_validity_hours) * 3600)

    def _network(self) -> None:
        """Default-deny, then what the stack declares and derives: who may call which port,
        and where each pod kind may connect (unless network policies are off, in dev)."""
        config, layout = self._args.config, self._layout
        if not config.network.network_policies:
            return
        callers = network.outside_callers(config)
        if callers:
            pulumi.log.warn(f"{', '.join(callers)}: their callers usually come from outside the cluster, but "
                            "network.external_clients is empty, so only the namespaces the policy admits reach the "
                            "API; declare the load balancer's or the runners' CIDRs", resource=self)
        if config.network.egress.restricted and not config.is_dev:
            for description in network.open_destinations(config):
                pulumi.log.warn(f"egress destination '{description}' admits every address: Vault may reach any host "
                                "on its ports; route it through an egress proxy to keep it narrow", resource=self)
        for policy_name, spec in objects.network_policies(layout, config).items():
            k8s.networking.v1.NetworkPolicy(
                f"{self._name}-network-policy-{policy_name.removeprefix(layout.name).lstrip('-')}",
                metadata=layout.metadata(policy_name),
                spec=spec,
                opts=self._in_namespace,
            )
