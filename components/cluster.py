"""``VaultCluster``: a hardened, highly available Vault server on Kubernetes.

Built from typed pulumi-kubernetes resources (no Helm chart), so every object is
visible to previews, tests and policy checks. The object bodies come from the pure
functions in :mod:`components.cluster_objects`; the server configuration from
:func:`components.server_config.render_server_config`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Optional

import pulumi
import pulumi_kubernetes as k8s

from components import cluster_objects as objects
from components.config import StackConfig
from components.server_config import AwsKmsSeal, RaftJoin, ServerConfigSpec, render_server_config
from components.monitoring import VaultMonitoring, VaultMonitoringArgs
from components.postgresql import CA_DIR as POSTGRESQL_CA_DIR, PostgresqlStorage, PostgresqlStorageArgs
from components.tls import VaultTls, VaultTlsArgs


@dataclass
class VaultClusterArgs:
    config: StackConfig
    """The validated stack configuration (cluster, storage, TLS, network, telemetry)."""
    seal_region: Optional[pulumi.Input[str]] = None
    """AWS region of the auto-unseal key; with ``seal_kms_key_id``. Shamir when omitted."""
    seal_kms_key_id: Optional[pulumi.Input[str]] = None
    """KMS key id for the ``seal "awskms"`` stanza; Vault keeps its Shamir seal when omitted."""
    service_account_annotations: dict[str, pulumi.Input[str]] = field(default_factory=dict)
    """Annotations for Vault's ServiceAccount (e.g. an IRSA role); none when omitted."""
    extra_env: list[dict[str, Any]] = field(default_factory=list)
    """Extra container environment entries (secret references only, never values)."""
    token_review: bool = False
    """Bind Vault's service account to `system:auth-delegator` and mount its token, so that
    Kubernetes auth can review service-account tokens; off when omitted."""
    postgresql_admin_url: Optional[pulumi.Input[str]] = None
    """With PostgreSQL storage: the administrator's connection URL (a Pulumi secret), used
    only by the schema Job; Vault gets its own role and URL."""
    postgresql_ca_pem: Optional[str] = None
    """With PostgreSQL storage: the database's CA (Vault verifies the server with it)."""
    pods_depend_on: list[pulumi.Resource] = field(default_factory=list)
    """Resources the pods need before they start (e.g. the unseal permission); none when omitted."""


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
        super().__init__("vault-platform:cluster:VaultCluster", name, {"environment": config.environment}, opts)
        cluster = config.cluster
        storage_type = config.storage.type
        ha = storage_type in ("raft", "postgresql")
        tls_enabled = config.tls.mode != "disabled"
        layout = objects.ClusterLayout.of(cluster, config.kubernetes, tls_enabled, ha, args.token_review, storage_type)
        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata=objects.namespace_metadata(layout),
            # Deleting the namespace deletes the data volumes with it.
            opts=pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True),
        )
        in_namespace = pulumi.ResourceOptions(parent=self, depends_on=[namespace])

        service_account = k8s.core.v1.ServiceAccount(
            f"{name}-service-account",
            metadata=layout.metadata(layout.name, annotations=dict(args.service_account_annotations)),
            automount_service_account_token=False,
            opts=in_namespace,
        )
        bound: list[pulumi.Resource] = [service_account]
        if ha:
            role = k8s.rbac.v1.Role(
                f"{name}-service-registration",
                metadata=layout.metadata(f"{layout.name}-service-registration"),
                rules=objects.service_registration_role(layout, cluster.replicas),
                opts=in_namespace,
            )
            bound.append(
                k8s.rbac.v1.RoleBinding(
                    f"{name}-service-registration",
                    metadata=layout.metadata(f"{layout.name}-service-registration"),
                    role_ref={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role.metadata["name"]},
                    subjects=[{"kind": "ServiceAccount", "name": layout.name, "namespace": layout.namespace}],
                    opts=in_namespace,
                )
            )

        if args.token_review:
            binding = objects.token_review_binding(layout)
            bound.append(
                k8s.rbac.v1.ClusterRoleBinding(
                    f"{name}-token-review",
                    metadata={"name": f"{layout.namespace}-{layout.name}-token-review", "labels": dict(layout.labels)},
                    role_ref=binding["roleRef"],
                    subjects=binding["subjects"],
                    opts=in_namespace,
                )
            )

        tls_resources: list[pulumi.Resource] = []
        self.ca_cert_pem = None
        server_cert_pem: Optional[pulumi.Output[str]] = None
        if tls_enabled:
            tls_config = config.tls
            manager = tls_config.cert_manager
            certificate = VaultTls(
                f"{name}-tls",
                VaultTlsArgs(
                    namespace=namespace.metadata.apply(lambda m: m["name"]),
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
                opts=in_namespace,
            )
            self.ca_cert_pem = certificate.ca_cert_pem
            server_cert_pem = certificate.cert_pem
            tls_resources.append(certificate)

        seal_inputs = pulumi.Output.all(args.seal_region, args.seal_kms_key_id)
        pg = config.storage.postgresql
        spec_base = dict(
            storage=storage_type,
            postgresql_table=pg.table if pg else "vault_kv_store",
            postgresql_ha_table=pg.ha_table if pg else "vault_ha_locks",
            postgresql_max_parallel=pg.max_parallel if pg else 128,
            tls_enabled=tls_enabled,
            ui=cluster.ui,
            log_level=cluster.log_level,
            log_format=cluster.log_format,
            raft_join=RaftJoin(
                namespace=layout.namespace,
                label_selector=layout.label_selector,
                tls_server_name=layout.tls_server_name if tls_enabled else None,
            )
            if storage_type == "raft"
            else None,
            performance_multiplier=config.storage.raft.performance_multiplier,
            autopilot_reconcile_interval=config.storage.raft.autopilot_reconcile_interval,
            autopilot_update_interval=config.storage.raft.autopilot_update_interval,
            prometheus_retention_time=config.telemetry.prometheus_retention_time,
            disable_hostname=config.telemetry.disable_hostname,
        )
        self.server_config = seal_inputs.apply(
            lambda seal: render_server_config(
                ServerConfigSpec(
                    **spec_base,
                    seal=AwsKmsSeal(region=seal[0], kms_key_id=seal[1]) if seal[1] else None,
                )
            )
        )
        config_map = k8s.core.v1.ConfigMap(
            f"{name}-config",
            metadata=layout.metadata(layout.config_map),
            data={objects.SERVER_CONFIG_FILE: self.server_config},
            immutable=False,
            opts=in_namespace,
        )

        for service_name, spec in objects.services(layout).items():
            role = service_name.removeprefix(layout.name).lstrip("-") or "api"
            k8s.core.v1.Service(
                f"{name}-service-{role}",
                metadata={**layout.metadata(service_name),
                          "labels": {**layout.labels, "vault-platform/service": role}},
                spec=spec,
                opts=in_namespace,
            )

        # A new server.hcl or a re-issued certificate changes the pod template, so the
        # diff shows that pods need a restart to pick it up.
        extra_env = list(args.extra_env)
        extra_volumes = []
        storage_needs: list[pulumi.Resource] = []
        if storage_type == "postgresql":
            assert pg is not None and args.postgresql_admin_url is not None
            postgresql = PostgresqlStorage(
                f"{name}-postgresql",
                PostgresqlStorageArgs(
                    namespace=namespace.metadata.apply(lambda m: m["name"]),
                    name=layout.name,
                    labels=layout.labels,
                    admin_url=args.postgresql_admin_url,
                    vault_role=pg.vault_role,
                    table=pg.table,
                    ha_table=pg.ha_table,
                    ca_pem=args.postgresql_ca_pem,
                    image=pg.schema_job_image,
                ),
                opts=in_namespace,
            )
            # The Secret and the CA directory the connection URL names (sslrootcert): one source each.
            extra_env.append({"name": "VAULT_PG_CONNECTION_URL", "valueFrom": {"secretKeyRef": {
                "name": postgresql.secret_name, "key": "connection-url"}}})
            if postgresql.ca_config_map:
                extra_volumes.append((
                    {"name": "postgresql-ca", "configMap": {"name": postgresql.ca_config_map, "defaultMode": 0o444}},
                    {"name": "postgresql-ca", "mountPath": POSTGRESQL_CA_DIR, "readOnly": True},
                ))
            storage_needs.append(postgresql)
        checksum = pulumi.Output.all(self.server_config, server_cert_pem).apply(
            lambda parts: hashlib.sha256("\n".join(p or "" for p in parts).encode()).hexdigest()
        )
        statefulset = k8s.apps.v1.StatefulSet(
            f"{name}-server",
            metadata=layout.metadata(
                layout.name,
                annotations={**objects.SKIP_AWAIT, **objects.checkov_skips(cluster, bool(storage_needs))},
            ),
            spec=objects.statefulset_spec(layout, cluster, layout.name, checksum, extra_env, extra_volumes),
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[namespace, config_map, *bound, *tls_resources, *storage_needs, *args.pods_depend_on],
            ),
        )

        k8s.policy.v1.PodDisruptionBudget(
            f"{name}-disruption-budget",
            metadata=layout.metadata(layout.name),
            spec=objects.disruption_budget(layout),
            opts=in_namespace,
        )

        if config.monitoring.enabled:
            monitoring = config.monitoring
            VaultMonitoring(
                f"{name}-monitoring",
                VaultMonitoringArgs(
                    namespace=namespace.metadata.apply(lambda m: m["name"]),
                    name=layout.name,
                    selector={**layout.selector, "vault-platform/service": "internal"},
                    labels=layout.labels,
                    scheme=layout.scheme,
                    tls_secret=layout.tls_secret if tls_enabled else None,
                    tls_server_name=layout.tls_server_name if tls_enabled else None,
                    token_secret=monitoring.token_secret,
                    scrape_interval=monitoring.scrape_interval,
                    rule_labels=dict(monitoring.rule_labels),
                ),
                opts=in_namespace,
            )

        if config.network.network_policies:
            for policy_name, spec in objects.network_policies(layout, config.network).items():
                k8s.networking.v1.NetworkPolicy(
                    f"{name}-network-policy-{policy_name.removeprefix(layout.name).lstrip('-')}",
                    metadata=layout.metadata(policy_name),
                    spec=spec,
                    opts=in_namespace,
                )

        self.address = pulumi.Output.from_input(layout.address)
        self.namespace = namespace.metadata.apply(lambda m: m["name"])
        self.service_account_name = service_account.metadata.apply(lambda m: m["name"])
        self.statefulset_name = statefulset.metadata.apply(lambda m: m["name"])
        self.register_outputs(
            {
                # the engine replaces a component's inputs with these outputs: keep the
                # environment here too, where the policy pack reads it
                "environment": config.environment,
                "address": self.address,
                "ca_cert_pem": self.ca_cert_pem,
                "namespace": self.namespace,
                "service_account_name": self.service_account_name,
            }
        )
