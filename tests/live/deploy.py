"""A stack on the live tier: its plan, its servers booted from the plan's ``vault/server.hcl``
(tests/live/server_config.py), initialised, and its configuration applied
(tests/live/applier.py) — what ``pulumi up`` and ``vault-platform init`` do on a cluster.

Stacks sealed with AWS KMS run on OpenBao 2.6.2 (the awskms seal built in) against moto's
KMS; the others on OpenBao 2.7. PostgreSQL storage runs on the session's PostgreSQL with
the shipped schema applied as the schema Job applies it, and Vault's least-privilege role.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional
from urllib.parse import quote

from components.kubernetes.postgresql import CA_DIR, SCHEMA_FILE, admin_environment, vault_url
from tests.live.applier import Applier, Report, Surroundings
from tests.live.server_config import Node, for_loopback, pod_environment
from tests.live.servers import BaoNode, Client, free_port, initialize, unseal, wait_active, wait_until
from tests.live.tls import TestCA
from vault_platform.live import drift
from vault_platform.live.client import Connection, VaultReader
from vault_platform.plan import artifacts
from vault_platform.plan.program import Plan

LEADER_TLS_NAME = "vault-internal.vault-system.svc.cluster.local"
"""What the rendered retry_join checks on the leader's certificate (any stack's namespace is
``vault-system``; the test CA issues node certificates for it)."""


@dataclass
class Cluster:
    stack: str
    nodes: list[BaoNode]
    root: str
    keys: list[str]
    """Unseal keys (Shamir) or recovery keys (awskms)."""
    awskms: bool
    applied_substitutions: list[str]
    ca: Path

    @property
    def leader(self) -> BaoNode:
        return self.nodes[0]

    def client(self, token: Optional[str] = None, namespace: Optional[str] = None) -> Client:
        return self.leader.client(token if token is not None else self.root, namespace)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


def rendered_server_config(plan: Plan) -> str:
    return artifacts.server_config(plan)


@dataclass
class Storage:
    """What PostgreSQL storage needs on the live tier: the database and Vault's role."""

    connection_url: str
    database: str


def prepare_postgresql_storage(postgres, plan: Plan, ca: TestCA, workdir: Path) -> Storage:
    """The schema Job's work on the session's PostgreSQL: a database owned by a non-superuser
    administrator (as RDS's), the shipped schema applied by psql as the Job runs it, and
    Vault's connection URL as the pod gets it (the mounted CA directory is the test CA)."""
    pg = plan.config.storage.postgresql
    database, admin, password = f"vault_{plan.stack.replace('-', '_')}", "vault_admin_storage", "admin-storage-pw"
    role_password = "vault-storage-role-password"
    postgres.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)", f"DROP ROLE IF EXISTS {pg.vault_role}",
                     f"DROP ROLE IF EXISTS {admin}",
                     f"CREATE ROLE {admin} LOGIN CREATEROLE PASSWORD '{password}'",
                     f"CREATE DATABASE {database} OWNER {admin}")
    admin_url = f"postgres://{admin}:{password}@{postgres.host}:{postgres.port}/{database}"
    env = {**admin_environment(admin_url), "PGSSLMODE": "verify-full", "PGSSLROOTCERT": str(ca.path),
           "VAULT_DB_PASSWORD": role_password, "KV_TABLE": pg.table, "HA_TABLE": pg.ha_table,
           "VAULT_ROLE": pg.vault_role, "PATH": "/usr/bin:/bin"}
    psql = shutil.which("psql") or "/usr/bin/psql"
    subprocess.run([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", f"kv_table={pg.table}", "-v",
                    f"ha_table={pg.ha_table}", "-v", f"vault_role={pg.vault_role}", "-v",
                    f"vault_password={role_password}", "-f", str(SCHEMA_FILE)], env=env, check=True,
                   capture_output=True)
    url = vault_url(admin_url, pg.vault_role, role_password, verify=True)
    mounted = quote(f"{CA_DIR}/ca.crt", safe="")  # leaving Kubernetes: the mounted CA directory is the test CA
    assert mounted in url, url
    return Storage(url.replace(mounted, quote(str(ca.path), safe="")), database)


def boot(plan: Plan, workdir: Path, binary: Path, ca: TestCA, replicas: int = 1, moto=None,
         storage: Optional[Storage] = None, shares: int = 1, threshold: int = 1,
         initialise: bool = True) -> Cluster:
    """``replicas`` nodes from the plan's rendered server configuration, started; the first
    one initialised (and unsealed with Shamir), the others joined."""
    rendered = rendered_server_config(plan)
    target = plan.config.cluster.target
    awskms = 'seal "awskms"' in rendered
    key_id = moto.client("kms").create_key(Description=f"{plan.stack} seal")["KeyMetadata"]["KeyId"] if awskms else None
    ports = [(free_port(), free_port()) for _ in range(replicas)]
    peers = tuple(f"https://127.0.0.1:{api}" for api, _ in ports)
    nodes, applied = [], []
    for index, (api, cluster) in enumerate(ports):
        name = f"{plan.stack}-{index}"
        certificate = ca.issue(name, (LEADER_TLS_NAME, "localhost"))
        node = Node(name, api, cluster, workdir / name / "data", certificate.cert, certificate.key, certificate.ca,
                    peers if replicas > 1 else (), moto.address if awskms else None, key_id, free_port(), free_port())
        node.data_dir.mkdir(parents=True, exist_ok=True)
        text, applied = for_loopback(rendered, node, target.is_openbao)
        env = pod_environment(node, storage.connection_url if storage else None, target.env_prefix)
        nodes.append(BaoNode(binary, workdir / name, name, text, env, api, cluster, ca.path,
                             break_glass_port=node.break_glass_port, metrics_port=node.metrics_port))
    started = Cluster(plan.stack, nodes, "", [], awskms, applied, ca.path)
    try:
        for node in nodes:
            node.start()
        if initialise:
            _initialise(started, shares, threshold)
    except BaseException:
        started.stop()
        raise
    return started


def _initialise(cluster: Cluster, shares: int, threshold: int) -> None:
    leader = cluster.leader
    answer = initialize(leader, shares, threshold, recovery=cluster.awskms)
    cluster.root = answer["root_token"]
    cluster.keys = answer["recovery_keys_base64" if cluster.awskms else "keys_base64"]
    if not cluster.awskms:
        unseal(leader, cluster.keys[:threshold])
    wait_active(leader)
    for node in cluster.nodes[1:]:
        if not cluster.awskms:
            unseal(node, cluster.keys[:threshold])
        wait_until(lambda n=node: n.health().status in (200, 429), 90, f"{node.name} joined and unsealed")


@dataclass
class Deployment:
    """A stack booted and its configuration applied."""

    plan: Plan
    cluster: Cluster
    surroundings: Surroundings
    applier: Applier
    report: Report
    extras: dict = field(default_factory=dict)

    def client(self, token: Optional[str] = None, namespace: Optional[str] = None) -> Client:
        return self.cluster.client(token, namespace)

    def declared(self) -> list[dict]:
        """What drift compares the server with: the plan's resources as applied here
        (localised), without those the server refused as a known difference."""
        return [r for r in self.applier.declared if r["name"] not in self.report.skipped]

    def drift(self, token: Optional[str] = None, ignore: tuple = ()):
        """``vault-platform drift``'s report for this deployment (root token by default)."""
        connection = Connection(self.cluster.leader.address, token or self.cluster.root, str(self.cluster.ca))
        vault, target = self.plan.config.vault, self.plan.config.cluster.target
        in_config = tuple(_on_this_node(device, target.root, self.cluster.leader.workdir)
                          for device in vault.audit_devices) if target.audit_in_config else ()
        return drift.detect(lambda namespace: VaultReader(replace(connection, namespace=namespace)),
                            self.declared(), self.plan.stack, ignore, connection.address,
                            audit_devices_in_config=in_config)

    def write_plan(self, folder: Path) -> Path:
        """A plan directory holding :meth:`declared` as ``resources.json`` (for ``drift --plan``)."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "resources.json").write_text(json.dumps(self.declared(), indent=2), encoding="utf-8")
        return folder


def _on_this_node(device, root: str, workdir: Path):
    """A config-declared audit device as the live tier rewrote it (LEAVING_KUBERNETES):
    its file in the node's directory instead of the audit volume."""
    path = device.file_path or ""
    if path.startswith(f"{root}/audit/"):
        return device.model_copy(update={"file_path": f"{workdir}/{path.rsplit('/', 1)[-1]}"})
    return device


def derived_policy(plan: Plan, name: str) -> str:
    """The text of a policy the plan derives (``vault-platform-deploy``, ``vault-platform-reader``)."""
    return next(r.inputs["policy"] for r in plan.of_type("vault:index/policy:Policy") if r.inputs["name"] == name)


def deploy_token(plan: Plan, cluster: Cluster) -> str:
    """A token holding the plan's deploy policy and nothing else (not even ``default``): what
    an administrator bootstraps once with the root token — the policy written, a token made
    — and what the deploy role's logins carry afterwards."""
    root = cluster.client()
    root.put("sys/policies/acl/vault-platform-deploy",
             {"policy": derived_policy(plan, "vault-platform-deploy")}).expect(204)
    answer = root.post("auth/token/create", {"policies": ["vault-platform-deploy"], "no_default_policy": True,
                                             "ttl": "2h", "display_name": "deploy"}).expect(200)
    return answer.body["auth"]["client_token"]


def apply(plan: Plan, cluster: Cluster, surroundings: Surroundings, token: Optional[str] = None) -> Deployment:
    """The stack's plan applied with ``token`` (the root token when omitted, as ``init``'s
    bootstrap does; :func:`deploy_token` for the deploy identity alone)."""
    resources = [r.as_json() for r in plan.resources()]
    applier = Applier(cluster.client(token), surroundings)
    report = applier.apply(resources)
    return Deployment(plan, cluster, surroundings, applier, report)


def surroundings(plan: Plan, audit_dir: Path, ca: TestCA, oidc=None, kubernetes_api=None, postgres=None,
                 log_collector=None, directory=None) -> Surroundings:
    """What the live tier puts in place of the cloud for ``plan``: the local audit directory,
    log collector, OIDC issuer, TokenReview endpoint and PostgreSQL, and the values of the
    Pulumi secrets the plan shows as ``[secret]`` (an LDAP bind password: ``directory``'s)."""
    from tests.databases import ADMIN_PASSWORD

    secrets = {}
    for registration in plan.resources():
        inputs = registration.inputs
        if registration.type == "vault:database/secretBackendConnection:SecretBackendConnection":
            secrets[(registration.name, "password")] = ADMIN_PASSWORD
        if "oidcClientSecret" in inputs and oidc is not None:
            secrets[(registration.name, "oidcClientSecret")] = oidc.client_secret
        if registration.type == "vault:ldap/authBackend:AuthBackend" and directory is not None:
            secrets[(registration.name, "bindpass")] = directory.bind_password
        if registration.type == "vault:aws/secretBackend:SecretBackend":
            secrets[(registration.name, "secretKey")] = "unused-the-server-refuses-the-engine"
    return Surroundings(
        audit_dir=str(audit_dir), ca_pem=ca.pem, ca_file=str(ca.path),
        log_collector=log_collector.address if log_collector else None,
        oidc_issuer=oidc.url if oidc else None, token_review_host=kubernetes_api.url if kubernetes_api else None,
        postgres=(postgres.host, postgres.port) if postgres else None, secrets=secrets)
