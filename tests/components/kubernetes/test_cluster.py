"""VaultCluster under Pulumi's mocks: the objects, their inputs and their resource options."""

from __future__ import annotations

import pytest

from tests.conftest import plan_with, stack_raw, with_values

STS = "kubernetes:apps/v1:StatefulSet"
SVC = "kubernetes:core/v1:Service"
NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy"


def pod_spec(plan_or_monitor):
    registrations = getattr(plan_or_monitor, "registrations")
    (sts,) = [r for r in registrations if r.type == STS]
    return sts.inputs["spec"]["template"]["spec"]


def container(plan_or_monitor):
    return pod_spec(plan_or_monitor)["containers"][0]


def test_namespace_is_protected_and_retained(stack_plan):
    plan = stack_plan("production")
    (namespace,) = plan.of_type("kubernetes:core/v1:Namespace")
    assert namespace.protect is True
    assert namespace.retain_on_delete is True
    labels = namespace.inputs["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


def test_statefulset_waits_for_config_identity_and_tls(stack_plan):
    plan = stack_plan("production")
    (sts,) = plan.of_type(STS)
    deps = " ".join(sts.depends_on)
    for needed in ("ConfigMap::vault-config", "Namespace::vault-namespace", "RoleBinding::vault-service-registration",
                   "Secret::vault-tls-secret"):
        assert needed in deps
    assert sts.parent.endswith("VaultCluster::vault")


def test_statefulset_spec_is_ha_and_keeps_volumes(stack_plan):
    spec = stack_plan("production").of_type(STS)[0].inputs["spec"]
    assert spec["replicas"] == 5
    assert spec["podManagementPolicy"] == "Parallel"
    assert spec["updateStrategy"] == {"type": "OnDelete"}
    assert spec["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}
    claims = {c["metadata"]["name"]: c["spec"] for c in spec["volumeClaimTemplates"]}
    assert claims["data"]["resources"]["requests"]["storage"] == "50Gi"
    assert claims["audit"]["storageClassName"] == "gp3"


def test_pods_spread_over_nodes_and_zones(stack_plan):
    pod = pod_spec(stack_plan("production"))
    required = pod["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert required[0]["topologyKey"] == "kubernetes.io/hostname"
    spread = pod["topologySpreadConstraints"][0]
    assert (spread["topologyKey"], spread["whenUnsatisfiable"], spread["maxSkew"]) == (
        "topology.kubernetes.io/zone", "DoNotSchedule", 1)


def test_restricted_security_context(stack_plan):
    pod = pod_spec(stack_plan("production"))
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    context = container(stack_plan("production"))["securityContext"]
    assert context["readOnlyRootFilesystem"] is True
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert context["runAsUser"] >= 10000


def test_writable_paths_are_volumes(stack_plan):
    mounts = {m["mountPath"]: m for m in container(stack_plan("production"))["volumeMounts"]}
    for path in ("/vault/data", "/vault/audit", "/tmp", "/home/vault"):
        assert path in mounts and not mounts[path].get("readOnly")
    assert mounts["/vault/config"]["readOnly"] is True
    assert mounts["/vault/tls"]["readOnly"] is True
    # the API token is mounted only because HA needs it (service registration, auto-join)
    assert "/var/run/secrets/kubernetes.io/serviceaccount" in mounts


def test_probes_keep_standbys_ready_and_never_restart_sealed_pods(stack_plan):
    c = container(stack_plan("production"))
    readiness = c["readinessProbe"]["httpGet"]
    liveness = c["livenessProbe"]["httpGet"]
    assert readiness["scheme"] == liveness["scheme"] == "HTTPS"
    assert readiness["path"].startswith("/v1/sys/health?") and "standbyok=true" in readiness["path"]
    assert "sealedcode" not in readiness["path"]  # a sealed pod is not ready
    assert "sealedcode=204" in liveness["path"] and "uninitcode=204" in liveness["path"]
    assert "haunhealthycode=204" in liveness["path"]  # a standby in an election is not restarted
    assert c["lifecycle"]["preStop"] == {"sleep": {"seconds": 5}}  # Kubernetes' own: no shell needed
    assert pod_spec(stack_plan("production"))["terminationGracePeriodSeconds"] == 90


def test_per_pod_addresses_come_from_the_environment(stack_plan):
    env = {e["name"]: e for e in container(stack_plan("production"))["env"]}
    assert env["VAULT_CLUSTER_ADDR"]["value"] == (
        "https://$(POD_NAME).vault-internal.vault-system.svc.cluster.local:8201")
    assert env["VAULT_RAFT_NODE_ID"]["value"] == "$(POD_NAME)"
    assert env["POD_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    assert env["VAULT_K8S_NAMESPACE"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.namespace"


def test_services_headless_client_active_standby(stack_plan):
    services = {r.inputs["metadata"]["name"]: r.inputs["spec"] for r in stack_plan("production").of_type(SVC)}
    assert set(services) == {"vault", "vault-internal", "vault-active", "vault-standby"}
    assert services["vault-internal"]["clusterIP"] == "None"
    assert services["vault-internal"]["publishNotReadyAddresses"] is True
    assert services["vault-active"]["selector"]["vault-active"] == "true"
    assert services["vault-standby"]["selector"]["vault-active"] == "false"


def test_service_registration_role_is_least_privilege(stack_plan):
    (role,) = stack_plan("production").of_type("kubernetes:rbac.authorization.k8s.io/v1:Role")
    assert role.inputs["rules"] == [
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]},
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "update", "patch"],
         "resourceNames": ["vault-0", "vault-1", "vault-2", "vault-3", "vault-4"]},
    ]


@pytest.mark.parametrize("stack", ["dev", "staging", "production"])
def test_every_namespaced_object_is_created_after_the_namespace(stack_plan, stack):
    plan = stack_plan(stack)
    (namespace,) = plan.of_type("kubernetes:core/v1:Namespace")
    namespaced = [r for r in plan.resources()
                  if r.type.startswith("kubernetes:") and r.inputs.get("metadata", {}).get("namespace")]
    assert len(namespaced) > 8
    for registration in namespaced:
        assert namespace.urn in registration.depends_on, registration.name


def test_pulumi_does_not_wait_for_pods_that_need_initialising(stack_plan):
    (sts,) = stack_plan("production").of_type(STS)
    assert sts.inputs["metadata"]["annotations"]["pulumi.com/skipAwait"] == "true"


def test_a_reissued_certificate_leaves_the_pod_template_and_the_reloader_picks_it_up():
    """A renewed certificate needs no restart (the reloader sidecar signals the server), so
    it no longer changes the pod template; a changed server configuration still does."""
    key = "vault-platform/config-sha256"
    base = plan_with("production", stack_raw("production")).one(STS)
    renewed = plan_with("production", with_values(stack_raw("production"), **{"tls.server_validity_hours": 4380}))
    reconfigured = plan_with("production", with_values(stack_raw("production"), **{"cluster.log_level": "debug"}))
    annotation = lambda sts: sts.inputs["spec"]["template"]["metadata"]["annotations"][key]  # noqa: E731
    assert annotation(base) == annotation(renewed.one(STS)) != annotation(reconfigured.one(STS))
    spec = base.inputs["spec"]["template"]["spec"]
    assert spec["shareProcessNamespace"] is True
    reloader = next(c for c in spec["containers"] if c["name"] == "reloader")
    env = {e["name"]: e["value"] for e in reloader["env"]}
    assert env["WATCH_FILES"] == "/vault/tls/tls.crt /vault/tls/tls.key" and env["SERVER"] == "vault"
    # production: one audit file on a 100Gi volume, three kept: 100Gi / (3 + 3) in whole MiB (the
    # kept files and the live one fill two thirds of it just before a rotation)
    assert (env["AUDIT_FILES"], env["AUDIT_MAX_BYTES"], env["AUDIT_KEEP"]) == ("/vault/audit/audit.log",
                                                                               str(17066 * 2**20), "3")
    assert reloader["image"] == next(c for c in spec["containers"] if c["name"] == "vault")["image"]
    assert reloader["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert {m["mountPath"]: m.get("readOnly", False) for m in reloader["volumeMounts"]} == {
        "/reloader": True, "/vault/audit": False, "/vault/tls": True, "/reloader-state": False}
    assert "readinessProbe" not in reloader  # a stalled sidecar must not make a healthy server unready
    assert "readinessProbe" in next(c for c in spec["containers"] if c["name"] == "vault")


def test_the_reloader_probe_fails_once_its_loop_stops_beating(stack_plan, tmp_path):
    import subprocess
    import time

    (sts,) = stack_plan("production").of_type(STS)
    spec = sts.inputs["spec"]["template"]["spec"]
    reloader = next(c for c in spec["containers"] if c["name"] == "reloader")
    heartbeat = tmp_path / "heartbeat"
    command = [part.replace("/reloader-state/heartbeat", str(heartbeat))
               for part in reloader["livenessProbe"]["exec"]["command"]]
    heartbeat.write_text(f"{int(time.time())}\n")
    assert subprocess.run(command).returncode == 0
    heartbeat.write_text(f"{int(time.time()) - 61}\n")  # three 15 s intervals, at least a minute
    assert subprocess.run(command).returncode != 0


def test_network_policies_scope_the_cluster_and_metrics_ports(stack_plan):
    policies = {r.inputs["metadata"]["name"]: r.inputs["spec"] for r in stack_plan("production").of_type(NETPOL)}
    api, cluster, metrics = policies["vault-server"]["ingress"]
    assert api["ports"] == [{"port": 8200, "protocol": "TCP"}]
    assert cluster["ports"] == [{"port": 8201, "protocol": "TCP"}]
    assert [list(peer) for peer in cluster["from"]] == [["podSelector"]]
    # the metrics port (sys/metrics without a token) for the scraper's namespace only
    assert metrics["ports"] == [{"port": 8202, "protocol": "TCP"}]
    (scraper,) = metrics["from"]
    assert scraper == {"namespaceSelector": {"matchExpressions": [
        {"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["monitoring"]}]}}


def test_dev_lets_its_own_prometheus_scrape(stack_plan):
    dev = stack_plan("dev")
    assert dev.config.network.network_policies and dev.config.monitoring.enabled
    policies = {r.inputs["metadata"]["name"]: r.inputs["spec"] for r in dev.of_type(NETPOL)}
    ports = [rule["ports"][0]["port"] for rule in policies["vault-server"]["ingress"]]
    assert 8202 in ports


def test_the_metrics_listener_alone_serves_metrics_without_a_token(stack_plan):
    from vault_platform.plan.artifacts import server_config

    text = server_config(stack_plan("production"))
    listeners = text.split('listener "tcp"')[1:]
    metrics = [block for block in listeners if '"[::]:8202"' in block]
    assert len(metrics) == 1 and "unauthenticated_metrics_access = true" in metrics[0]
    assert "cluster_address" not in metrics[0] and 'tls_cert_file = "/vault/tls/tls.crt"' in metrics[0]
    others = [block for block in listeners if block not in metrics]
    assert others and all("unauthenticated_metrics_access = false" in block for block in others)


def test_disruption_budget_keeps_quorum(stack_plan):
    (pdb,) = stack_plan("production").of_type("kubernetes:policy/v1:PodDisruptionBudget")
    assert pdb.inputs["spec"]["maxUnavailable"] == 1


def test_generated_tls_keys_are_secrets_and_sans_cover_every_name(stack_plan):
    plan = stack_plan("production")
    (secret,) = plan.of_type("kubernetes:core/v1:Secret")
    assert secret.inputs["stringData"] == {"ca.crt": "[secret]", "tls.crt": "[secret]", "tls.key": "[secret]"}
    (csr,) = plan.of_type("tls:index/certRequest:CertRequest")
    names = set(csr.inputs["dnsNames"])
    for name in ("vault", "vault.vault-system.svc.cluster.local", "vault-active.vault-system.svc",
                 "*.vault-internal.vault-system.svc.cluster.local", "*.vault-internal", "localhost",
                 "vault.internal.example.com"):
        assert name in names
    assert csr.inputs["ipAddresses"] == ["127.0.0.1"]
    for key in plan.of_type("tls:index/privateKey:PrivateKey"):
        assert key.inputs["algorithm"] == "ECDSA"


def test_recommended_labels_everywhere(stack_plan):
    for registration in stack_plan("production").resources():
        if registration.type.startswith("kubernetes:") and registration.type != "kubernetes:core/v1:Namespace":
            labels = registration.inputs["metadata"]["labels"]
            assert labels["app.kubernetes.io/name"] == "vault"
            assert labels["app.kubernetes.io/managed-by"] == "pulumi"


def test_dev_is_single_replica_file_storage_without_ha_objects(stack_plan):
    plan = stack_plan("dev")
    spec = plan.of_type(STS)[0].inputs["spec"]
    assert spec["replicas"] == 1
    assert not plan.of_type("kubernetes:rbac.authorization.k8s.io/v1:Role")
    services = {r.inputs["metadata"]["name"] for r in plan.of_type(SVC)}
    assert services == {"vault", "vault-internal"}
    # Kubernetes auth is declared in dev: Vault reviews tokens with its own account
    mounts = {m["mountPath"] for m in spec["template"]["spec"]["containers"][0]["volumeMounts"]}
    assert "/var/run/secrets/kubernetes.io/serviceaccount" in mounts
    (binding,) = plan.of_type("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding")
    assert binding.inputs["roleRef"]["name"] == "system:auth-delegator"
    assert binding.inputs["subjects"] == [{"kind": "ServiceAccount", "name": "vault", "namespace": "vault-system"}]


def test_no_api_token_without_ha_or_kubernetes_auth():
    raw = with_values(stack_raw("dev"), **{"vault.configure": False})
    monitor = plan_with("dev", raw)
    mounts = {m["mountPath"] for m in pod_spec(monitor)["containers"][0]["volumeMounts"]}
    assert "/var/run/secrets/kubernetes.io/serviceaccount" not in mounts
    assert not monitor.by_type("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding")


def test_cert_manager_mode_requests_a_certificate_instead_of_generating_keys():
    raw = with_values(
        stack_raw("production"),
        **{"tls.mode": "cert-manager", "tls.cert_manager": {"issuer_name": "internal-ca"}},
    )
    monitor = plan_with("production", raw)
    assert not monitor.by_type("tls:index/privateKey:PrivateKey")
    certificate = monitor.one("kubernetes:cert-manager.io/v1:Certificate")
    spec = certificate.inputs["spec"]
    assert spec["secretName"] == "vault-tls"
    assert spec["issuerRef"] == {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": "internal-ca"}
    assert "*.vault-internal.vault-system.svc.cluster.local" in spec["dnsNames"]
    assert spec["privateKey"]["rotationPolicy"] == "Always"


def test_dev_without_tls_serves_http_everywhere():
    raw = with_values(stack_raw("dev"), **{"tls.mode": "disabled"})
    monitor = plan_with("dev", raw)
    c = pod_spec(monitor)["containers"][0]
    assert c["readinessProbe"]["httpGet"]["scheme"] == "HTTP"
    assert all(v["name"] != "tls" for v in pod_spec(monitor)["volumes"])
    assert not monitor.by_type("kubernetes:core/v1:Secret")
    config = monitor.one("kubernetes:core/v1:ConfigMap", "vault-config").inputs["data"]["server.hcl"]
    assert "tls_disable = true" in config


@pytest.mark.parametrize("digest, skipped", [(None, True), ("sha256:" + "a" * 64, False)])
def test_image_digest_pins_the_image_and_drops_the_checkov_skip(digest, skipped):
    raw = with_values(stack_raw("production"), **{"cluster.image.digest": digest})
    monitor = plan_with("production", raw)
    sts = monitor.one(STS)
    image = sts.inputs["spec"]["template"]["spec"]["containers"][0]["image"]
    annotations = sts.inputs["metadata"].get("annotations", {})
    assert any(v.startswith("CKV_K8S_43=") for v in annotations.values()) is skipped
    assert image.endswith(digest) if digest else image == "hashicorp/vault:2.0.4"  # the default: Vault 2.0, newest patch


def test_config_change_rolls_the_pod_template(stack_plan):
    sts = stack_plan("production").of_type(STS)[0]
    checksum = sts.inputs["spec"]["template"]["metadata"]["annotations"]["vault-platform/config-sha256"]
    raw = with_values(stack_raw("production"), **{"cluster.log_level": "debug"})
    other = plan_with("production", raw).one(STS)
    assert other.inputs["spec"]["template"]["metadata"]["annotations"]["vault-platform/config-sha256"] != checksum


def test_the_tls_api_listener_sends_hsts(stack_plan):
    from vault_platform.plan.artifacts import server_config

    text = server_config(stack_plan("production"))
    api = text.split('listener "tcp"')[1]
    assert '"[::]:8200"' in api
    assert 'default = { "Strict-Transport-Security" = ["max-age=31536000; includeSubDomains"] }' in api
