"""`drift` and `status` against a local HTTP server answering like Vault's API
(response shapes after Vault's API documentation). No network: loopback only."""

from __future__ import annotations

import json
import re

import pytest
from pytest_httpserver import HTTPServer

from components.config.inputs import policy_files
from components.config import load_stack_file
from vault_platform.cli import main

TOKEN = "s.test-token"


@pytest.fixture
def production(project):
    return load_stack_file(project / "Pulumi.production.yaml")


def _wrap(data: dict) -> dict:
    return {"request_id": "r", "lease_id": "", "renewable": False, "lease_duration": 0, "data": data,
            "wrap_info": None, "warnings": None, "auth": None}


def clean_vault(server: HTTPServer, config, stack: str = "production", *, extra_mount=False, extra_policy=False,
                changed_policy=False, extra_role=False, max_ttl_override=None, missing_mount=None,
                kv_version_1=False) -> None:
    """A Vault that holds exactly what the stack declares (plus the requested drift)."""
    vault = config.vault
    auth = {"token/": {"type": "token", "config": {"default_lease_ttl": 0, "max_lease_ttl": 0}}}
    for method in vault.auth_methods:
        from components.config.units import ttl_seconds
        auth[f"{method.path}/"] = {"type": method.type, "accessor": f"auth_{method.type}_1",
                                   "config": {"default_lease_ttl": ttl_seconds(method.tune.default_lease_ttl) or 0,
                                              "max_lease_ttl": ttl_seconds(method.tune.max_lease_ttl) or 0}}
    if max_ttl_override is not None:
        auth["kubernetes/"]["config"]["max_lease_ttl"] = max_ttl_override
    mounts = {"sys/": {"type": "system"}, "cubbyhole/": {"type": "cubbyhole"}, "identity/": {"type": "identity"}}
    live_type = {"kv-v2": ("kv", {"version": "2"})}
    for engine in vault.secret_engines:
        if engine.path != missing_mount:
            kind, options = live_type.get(engine.type, (engine.type, {}))
            mounts[f"{engine.path}/"] = {"type": kind, "options": options}
    if kv_version_1:
        mounts["secret/"]["options"] = {"version": "1"}
    if extra_mount:
        mounts["legacy-kv/"] = {"type": "kv", "options": {"version": "1"}}
    loaded, _ = policy_files.load(vault.policies.include, vault.policies.exclude, config.environment, stack)
    policies = {f.name: f.text for f in loaded}
    if changed_policy:
        policies["analytics-ingest"] += '\npath "secret/data/*" { capabilities = ["read"] }\n'
    names = sorted(policies) + ["default", "root"] + (["hand-made"] if extra_policy else [])
    audit = {f"{d.path}/": {"type": d.type, "options": {}} for d in vault.audit_devices}

    def on(path, body, method="GET"):
        server.expect_request(f"/v1/{path}", method=method, headers={"X-Vault-Token": TOKEN}).respond_with_json(body)

    on("sys/auth", _wrap(auth))
    on("sys/mounts", _wrap(mounts))
    on("sys/policies/acl", _wrap({"keys": names}), "LIST")
    for name, text in policies.items():
        on(f"sys/policies/acl/{name}", _wrap({"name": name, "policy": text}))
    on("sys/audit", _wrap(audit))
    roles: dict[str, list[str]] = {}
    for role in vault.roles:
        roles.setdefault(role.mount, []).append(role.name)
    if extra_role:
        roles["kubernetes"].append("debug-shell")
    for method in vault.auth_methods:
        if method.type in ("kubernetes", "approle", "jwt", "oidc"):
            on(f"auth/{method.path}/role", _wrap({"keys": roles.get(method.path, [])}), "LIST")


def drift(server: HTTPServer, monkeypatch, capsys, *extra: str) -> tuple[int, str]:
    monkeypatch.setenv("VAULT_ADDR", server.url_for("").rstrip("/"))
    monkeypatch.setenv("VAULT_TOKEN", TOKEN)
    code = main(["drift", "--stack", "production", *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_a_clean_vault_has_no_drift(httpserver, production, monkeypatch, capsys):
    clean_vault(httpserver, production)
    code, out = drift(httpserver, monkeypatch, capsys)
    assert code == 0 and "no drift" in out


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"extra_mount": True}, r"unmanaged\s+secret mount\s+legacy-kv\s+\(type kv\)"),
        ({"extra_policy": True}, r"unmanaged\s+policy\s+hand-made"),
        ({"changed_policy": True}, r"changed\s+policy\s+analytics-ingest\s+\(policy text differs"),
        ({"extra_role": True}, r"unmanaged\s+role\s+kubernetes/debug-shell"),
        ({"max_ttl_override": 604800}, r"changed\s+auth mount\s+kubernetes\s+\(max_lease_ttl 604800s, declared 86400s\)"),
        ({"missing_mount": "transit"}, r"missing\s+secret mount\s+transit"),
        ({"kv_version_1": True}, r"changed\s+secret mount\s+secret\s+\(type kv, declared kv-v2\)"),
    ],
    ids=["unmanaged-mount", "unmanaged-policy", "changed-policy", "unmanaged-role", "changed-tuning", "missing-mount", "changed-mount-type"],
)
def test_each_kind_of_drift_is_reported(httpserver, production, monkeypatch, capsys, change, expected):
    clean_vault(httpserver, production, **change)
    code, out = drift(httpserver, monkeypatch, capsys)
    assert code == 3, out
    assert re.search(expected, out), out
    assert out.startswith("drift in stack production: 1 finding")


def test_drift_as_json(httpserver, production, monkeypatch, capsys):
    clean_vault(httpserver, production, extra_policy=True, extra_mount=True)
    code, out = drift(httpserver, monkeypatch, capsys, "--format", "json")
    data = json.loads(out)
    assert code == 3 and data["drift"] is True
    assert {(f["kind"], f["object"], f["name"]) for f in data["findings"]} == {
        ("unmanaged", "policy", "hand-made"), ("unmanaged", "secret mount", "legacy-kv")}


def test_a_forbidden_token_is_a_clear_error(httpserver, production, monkeypatch, capsys):
    httpserver.expect_request("/v1/sys/auth").respond_with_json({"errors": ["permission denied"]}, status=403)
    code, out = drift(httpserver, monkeypatch, capsys)
    assert code == 2
    assert "Vault refused sys/auth (403 permission denied)" in out and "Traceback" not in out


def test_an_unreachable_vault_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.setenv("VAULT_ADDR", "http://127.0.0.1:9")
    monkeypatch.setenv("VAULT_TOKEN", TOKEN)
    assert main(["drift", "--stack", "production"]) == 2
    assert "cannot reach Vault at http://127.0.0.1:9" in capsys.readouterr().err


# -- status -------------------------------------------------------------------------------------


def healthy_cluster(server: HTTPServer, *, sealed_node: bool = False, autopilot_ok: bool = True,
                    nodes_in_ha: int = 5) -> None:
    base = server.url_for("").rstrip("/")
    server.expect_request("/v1/sys/seal-status").respond_with_json(
        {"type": "awskms", "initialized": True, "sealed": False, "t": 1, "n": 1, "version": "1.21.2",
         "cluster_name": "vault-cluster-prod", "recovery_seal": True, "storage_type": "raft"})
    nodes = [{"hostname": f"vault-{i}", "api_address": base, "cluster_address": f"https://vault-{i}:8201",
              "active_node": i == 0, "version": "1.21.2"} for i in range(nodes_in_ha)]
    server.expect_request("/v1/sys/ha-status").respond_with_json(_wrap({"nodes": nodes}))
    health = {"initialized": True, "sealed": sealed_node, "standby": False, "version": "1.21.2"}
    server.expect_request("/v1/sys/health").respond_with_json(health)
    servers = [{"node_id": f"vault-{i}", "address": f"vault-{i}.vault-internal:8201", "leader": i == 0,
                "voter": True, "protocol_version": "3"} for i in range(5)]
    server.expect_request("/v1/sys/storage/raft/configuration").respond_with_json(
        _wrap({"config": {"index": 1, "servers": servers}}))
    state = {"healthy": autopilot_ok, "failure_tolerance": 2 if autopilot_ok else 1, "leader": "vault-0",
             "servers": {f"vault-{i}": {"id": f"vault-{i}", "healthy": autopilot_ok or i != 2, "status": "voter"}
                         for i in range(5)}}
    server.expect_request("/v1/sys/storage/raft/autopilot/state").respond_with_json(_wrap(state))


def status(server, monkeypatch, capsys, stack: str = "production") -> tuple[int, str]:
    monkeypatch.setenv("VAULT_ADDR", server.url_for("").rstrip("/"))
    monkeypatch.setenv("VAULT_TOKEN", TOKEN)
    code = main(["status", "--stack", stack])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_status_of_a_healthy_cluster(httpserver, monkeypatch, capsys):
    healthy_cluster(httpserver)
    code, out = status(httpserver, monkeypatch, capsys)
    assert code == 0, out
    assert "Vault 1.21.2 (vault-cluster-prod) for stack production: seal awskms, unsealed" in out
    assert "raft peers: vault-0 (leader), vault-1, vault-2, vault-3, vault-4" in out
    assert "autopilot: healthy, failure tolerance 2" in out and out.rstrip().endswith("healthy")


def test_status_reports_a_sealed_node_and_unhealthy_autopilot(httpserver, monkeypatch, capsys):
    healthy_cluster(httpserver, sealed_node=True, autopilot_ok=False)
    code, out = status(httpserver, monkeypatch, capsys)
    assert code == 1
    address = httpserver.url_for("").rstrip("/")  # nodes are named by address: host names can repeat
    assert f"{address} is sealed" in out and "autopilot reports the cluster unhealthy (unhealthy: vault-2)" in out
    assert "failure tolerance 1: 5 replicas promise 2" in out


def test_status_of_an_unreachable_vault(monkeypatch, capsys):
    monkeypatch.setenv("VAULT_ADDR", "http://127.0.0.1:9")
    assert main(["status", "--stack", "production"]) == 2
    assert "cannot reach Vault" in capsys.readouterr().err


def test_status_counts_nodes_missing_from_ha(httpserver, monkeypatch, capsys):
    healthy_cluster(httpserver, nodes_in_ha=3)  # production declares 5 replicas
    code, out = status(httpserver, monkeypatch, capsys)
    assert code == 1 and "only 3 of 5 nodes are in HA (the others are sealed or down)" in out


def test_status_of_a_postgresql_cluster_asks_no_raft_endpoint(httpserver, monkeypatch, capsys):
    httpserver.expect_request("/v1/sys/storage/raft/configuration").respond_with_json(
        {"errors": ["raft storage is not in use"]}, status=400)
    healthy_cluster(httpserver, nodes_in_ha=3)
    code, out = status(httpserver, monkeypatch, capsys, stack="postgresql")
    assert code == 0, out
    assert "raft peers" not in out and out.rstrip().endswith("healthy")
