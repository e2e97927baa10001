"""`status` against a local HTTP server answering like Vault's API (response shapes after
Vault's API documentation), for the answers a live cluster is hard to bring into; the
live tier runs it against real clusters. No network: loopback only."""

from __future__ import annotations

from pytest_httpserver import HTTPServer

from vault_platform.cli import main

TOKEN = "s.test-token"


def _wrap(data: dict) -> dict:
    return {"request_id": "r", "lease_id": "", "renewable": False, "lease_duration": 0, "data": data,
            "wrap_info": None, "warnings": None, "auth": None}


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
