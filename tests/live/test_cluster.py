"""A three-node Raft cluster booted from staging's rendered ``server.hcl`` (TLS, Raft joined
through the leader's address with the rendered TLS name and CA, the AWS KMS seal on moto's
KMS, OpenBao 2.6.2), with staging's configuration applied — and what an operator does
with it: ``status`` while nodes are sealed, dead, not yet voting, or the quorum is lost;
``snapshot list`` and ``snapshot restore`` of a snapshot the CronJob's own identity took.

Each scenario puts the cluster back as it found it (the next one starts healthy).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import time

import pytest
import requests

from components.config import load_stack_file
from tests.conftest import PROJECT
from tests.live.deploy import apply, boot, surroundings
from tests.live.servers import wait_until

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def cluster(stack_plan, tmp_path_factory, bao_awskms, test_ca, moto, kubernetes_api, oidc, log_collector):
    plan = stack_plan("staging")
    booted = boot(plan, tmp_path_factory.mktemp("cluster"), bao_awskms, test_ca, replicas=3, moto=moto)
    try:
        wait_until(lambda: _healthy(booted), 120, "three voters, autopilot healthy, one failure tolerated")
        plan = dataclasses.replace(plan, registrations=[  # no database here (the stacks' tests prove it)
            r for r in plan.registrations if not r.type.startswith("vault:database/")])
        apply(plan, booted, surroundings(plan, tmp_path_factory.mktemp("cluster-audit"), test_ca, oidc,
                                         kubernetes_api, log_collector=log_collector))
        yield booted
    finally:
        booted.stop()


def _voters(cluster) -> int:
    servers = cluster.client().get("sys/storage/raft/configuration").data.get("config", {}).get("servers", [])
    return sum(1 for s in servers if s["voter"])


def _active(cluster):
    return next(node for node in cluster.nodes if node.process.poll() is None and node.health().status == 200)


def _healthy(cluster) -> bool:
    try:
        leader = _active(cluster)
    except StopIteration:
        return False
    state = leader.client(cluster.root).get("sys/storage/raft/autopilot/state")
    return (state.status == 200 and state.data.get("healthy") and len(state.data.get("voters", [])) == 3
            and state.data.get("failure_tolerance") == 1)


def _drift_token(cluster, oidc) -> str:
    """A token of the drift role (the derived vault-platform-reader): what ``status`` and ``drift`` run as."""
    role = next(r for r in load_stack_file(PROJECT / "Pulumi.staging.yaml").vault.roles if r.name == "drift")
    claims = {key: value if isinstance(value, str) else value[0] for key, value in role.bound_claims.items()}
    jwt = oidc.token({**claims, "aud": role.bound_audiences[0], "sub": "status"})
    return _active(cluster).client(token="").post("auth/jwt-github/login", {"role": "drift", "jwt": jwt}
                                                   ).expect(200).body["auth"]["client_token"]


def status(cluster, oidc, monkeypatch, capsys, node=None) -> tuple[int, dict]:
    from vault_platform.cli import main

    monkeypatch.setenv("VAULT_TOKEN", _drift_token(cluster, oidc) if node is None else cluster.root)
    monkeypatch.setenv("VAULT_CACERT", str(cluster.ca))
    node = node or _active(cluster)
    code = main(["status", "--stack", "staging", "--address", node.address, "--format", "json"])
    out, err = capsys.readouterr()
    assert not err or code != 0, err
    return code, json.loads(out) if out else {"error": err}


def _restart(cluster, *nodes) -> None:
    for node in nodes:
        node.stop()
        node.start()
    wait_until(lambda: _healthy(cluster), 120, "the cluster healthy again")


@pytest.fixture
def restore(cluster):
    """Nodes a scenario stops or seals are started again afterwards, whatever happened."""
    changed = []
    yield changed.append
    if changed:
        _restart(cluster, *changed)


def test_status_of_a_healthy_cluster(cluster, oidc, monkeypatch, capsys):
    code, report = status(cluster, oidc, monkeypatch, capsys)
    assert code == 0 and report["healthy"], report
    assert len(report["nodes"]) == 3 and report["failure_tolerance"] == 1
    assert sum(1 for peer in report["raft_peers"] if peer["voter"]) == 3


def test_status_names_a_sealed_node(cluster, oidc, monkeypatch, capsys, restore):
    leader = _active(cluster)
    restore(leader)  # the KMS seal unseals it at start
    leader.client(cluster.root).put("sys/seal").expect(204)  # the active node seals; another takes over
    wait_until(lambda: any(n is not leader and n.health().status == 200 for n in cluster.nodes), 60, "a new leader")
    code, report = status(cluster, oidc, monkeypatch, capsys)
    assert code == 1 and not report["healthy"]
    assert any(leader.name in problem for problem in report["problems"]), report  # named by its Raft node id


def test_status_names_a_dead_node(cluster, oidc, monkeypatch, capsys, restore):
    follower = next(n for n in cluster.nodes if n.health().status == 429)
    restore(follower)
    follower.kill()
    code, report = status(cluster, oidc, monkeypatch, capsys)
    assert code == 1 and not report["healthy"], report
    assert any(follower.address in p for p in report["problems"]), report["problems"]


def test_status_of_a_cluster_that_lost_its_quorum_is_unhealthy_not_unreadable(cluster, oidc, monkeypatch, capsys,
                                                                               restore):
    token = _drift_token(cluster, oidc)
    leader = _active(cluster)
    survivor, other = [n for n in cluster.nodes if n is not leader]
    restore(leader)
    restore(other)
    leader.kill()
    other.kill()  # nothing to wait for: a lone node of three can never elect itself
    from vault_platform.cli import main

    monkeypatch.setenv("VAULT_TOKEN", token)
    monkeypatch.setenv("VAULT_CACERT", str(cluster.ca))
    code = main(["status", "--stack", "staging", "--address", survivor.address, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 1, f"exit {code}: {err}"
    report = json.loads(out)
    assert not report["healthy"] and any("no active node" in p for p in report["problems"]), report


def test_status_counts_voters_against_the_replicas_the_stack_promises(cluster, oidc, monkeypatch, capsys, restore):
    """A node that rejoined is a non-voter until autopilot promotes it: three nodes answer,
    autopilot is healthy, yet the cluster tolerates no failure — not what 3 replicas promise."""
    root = _active(cluster).client(cluster.root)
    root.post("sys/storage/raft/autopilot/configuration", {"server_stabilization_time": "1h"}).expect(204, 200)
    follower = next(n for n in cluster.nodes if n.health().status == 429)
    follower.stop()
    restore(follower)
    root.post("sys/storage/raft/remove-peer", {"server_id": follower.name}).expect(204, 200)
    for entry in follower.workdir.glob("data/*"):  # a replaced pod: a new, empty volume
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    follower.start()
    wait_until(lambda: follower.health().status == 429, 90, f"{follower.name} rejoined as a standby")
    code, report = status(cluster, oidc, monkeypatch, capsys)
    assert code == 1 and not report["healthy"], report
    assert any("voters" in p for p in report["problems"]), report["problems"]
    root.post("sys/storage/raft/autopilot/configuration", {"server_stabilization_time": "10s"}).expect(204, 200)
    wait_until(lambda: _healthy(cluster), 120, "the rejoined node promoted")


@pytest.fixture
def snapshot_bucket(moto, monkeypatch):
    s3 = moto.client("s3")
    bucket = f"vault-snapshots-{time.time_ns()}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    for name, value in {"AWS_ENDPOINT_URL": moto.address, "AWS_ACCESS_KEY_ID": "testing",
                        "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    return s3, bucket


def _snapshot_as_the_cronjob(cluster, kubernetes_api) -> bytes:
    """What the snapshot CronJob's init container does: log in with its projected token
    (audience vault) as role raft-snapshot, save a snapshot — and nothing else is allowed."""
    active = _active(cluster)
    jwt = kubernetes_api.service_account_token("vault-system", "vault-snapshot", "vault")
    token = active.client(token="").post("auth/kubernetes/login", {"role": "raft-snapshot", "jwt": jwt}
                                         ).expect(200).body["auth"]["client_token"]
    job = active.client(token)
    assert job.get("secret/data/staging/live-tier/before").status == 403
    assert job.get("sys/storage/raft/configuration").status == 403
    response = requests.get(f"{active.address}/v1/sys/storage/raft/snapshot", headers={"X-Vault-Token": token},
                            verify=str(cluster.ca), timeout=30)
    assert response.status_code == 200, response.text
    job.post("auth/token/revoke-self").expect(204)
    return response.content


def test_a_snapshot_the_cronjob_took_is_listed_and_restored(cluster, kubernetes_api, snapshot_bucket, monkeypatch,
                                                           capsys, tmp_path):
    from vault_platform.cli import main

    s3, bucket = snapshot_bucket
    root = _active(cluster).client(cluster.root)
    root.post("secret/data/staging/live-tier/before", {"data": {"v": "1"}, "options": {"cas": 0}}).expect(200)
    snapshot = _snapshot_as_the_cronjob(cluster, kubernetes_api)
    s3.put_object(Bucket=bucket, Key="vault/staging/20261127T061700Z.snap", Body=snapshot)
    root.post("secret/data/staging/live-tier/after", {"data": {"v": "2"}, "options": {"cas": 0}}).expect(200)

    assert main(["snapshot", "list", "--stack", "staging", "--bucket", bucket]) == 0
    assert "vault/staging/20261127T061700Z.snap" in capsys.readouterr().out
    monkeypatch.setenv("VAULT_TOKEN", cluster.root)
    monkeypatch.setenv("VAULT_CACERT", str(cluster.ca))
    code = main(["snapshot", "restore", "--stack", "staging", "--bucket", bucket, "--latest", "--yes",
                 "--address", _active(cluster).address, "--workdir", str(tmp_path / "restore")])
    out, err = capsys.readouterr()
    assert code == 0, f"{out}\n{err}"
    assert "checksums match" in out and "current state saved first" in out
    wait_until(lambda: _active(cluster).client(cluster.root).get("secret/data/staging/live-tier/after").status == 404,
               60, "the state after the snapshot gone")
    data = _active(cluster).client(cluster.root).get("secret/data/staging/live-tier/before").expect(200).data
    assert data["data"] == {"v": "1"}
    wait_until(lambda: _healthy(cluster), 120, "the cluster healthy after the restore")


def test_a_refused_restore_suggests_force_only_when_the_keys_differ(cluster, oidc, kubernetes_api, snapshot_bucket,
                                                                   monkeypatch, capsys, tmp_path):
    from vault_platform.cli import main

    s3, bucket = snapshot_bucket
    s3.put_object(Bucket=bucket, Key="vault/staging/20261127T071700Z.snap",
                  Body=_snapshot_as_the_cronjob(cluster, kubernetes_api))
    monkeypatch.setenv("VAULT_TOKEN", _drift_token(cluster, oidc))  # reads, but may not restore
    monkeypatch.setenv("VAULT_CACERT", str(cluster.ca))
    code = main(["snapshot", "restore", "--stack", "staging", "--bucket", bucket, "--latest", "--yes", "--no-backup",
                 "--address", _active(cluster).address, "--workdir", str(tmp_path / "restore")])
    err = capsys.readouterr().err
    assert code == 2 and "403 permission denied" in err
    assert "--force" not in err, err


# --------------------------------------------------------------------------- metrics without a token


def _scrape(node) -> list[tuple[str, float]]:
    """``(series, value)`` of ``vault_core_unsealed`` as Prometheus scrapes the node's metrics
    listener: no token at all."""
    answer = requests.get(f"{node.metrics_address}/v1/sys/metrics", params={"format": "prometheus"},
                          verify=str(node.ca), timeout=10)
    assert answer.status_code == 200, (node.name, answer.status_code, answer.text[:200])
    found = []
    for line in answer.text.splitlines():
        if line.startswith("vault_core_unsealed"):
            series, value = line.rsplit(" ", 1)
            found.append((series, float(value)))
    assert found, f"{node.name}: no vault_core_unsealed in its metrics"
    return found


def _sealed(scraped: list[tuple[str, float]]) -> bool:
    """What the scrape says: the series named after the cluster when there is one, else the
    boot-time one (a node never unsealed since start)."""
    named = [value for name, value in scraped if 'cluster=""' not in name]
    return min(named) == 0 if named else max(value for _, value in scraped) == 0


def _promtool_fires(tmp_path, samples: dict[str, list[tuple[str, float]]]) -> list[dict]:
    """The VaultSealed alerts promtool finds after five minutes of these scraped samples
    (pod name -> its series), with the shipped rules."""
    import shutil
    import subprocess

    import yaml

    from components.config.base import PROJECT_DIR

    shutil.copy(PROJECT_DIR / "monitoring" / "alerts.yaml", tmp_path / "alerts.yaml")
    series = []
    for pod, scraped in samples.items():
        for name, value in scraped:
            labels = name[name.index("{") + 1:-1] if "{" in name else ""
            series.append({"series": f'vault_core_unsealed{{pod="{pod}"{", " + labels if labels else ""}}}',
                           "values": " ".join([str(int(value))] * 6)})
    rule = next(r for g in yaml.safe_load((tmp_path / "alerts.yaml").read_text())["groups"] for r in g["rules"]
                if r["alert"] == "VaultSealed")
    sealed = [pod for pod, scraped in samples.items() if _sealed(scraped)]
    expected = [{"exp_labels": {**rule["labels"], "pod": pod},
                 "exp_annotations": {"summary": rule["annotations"]["summary"].replace("{{ $labels.pod }}", pod),
                                     "description": rule["annotations"]["description"]}} for pod in sealed]
    test = {"rule_files": ["alerts.yaml"], "evaluation_interval": "1m", "tests": [{
        "interval": "1m", "input_series": series,
        "alert_rule_test": [{"eval_time": "5m", "alertname": "VaultSealed", "exp_alerts": expected}]}]}
    (tmp_path / "scraped.test.yaml").write_text(yaml.safe_dump(test, sort_keys=False))
    done = subprocess.run([shutil.which("promtool") or "promtool", "test", "rules", "scraped.test.yaml"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return expected


def test_every_pod_reports_its_metrics_without_a_token_and_a_sealed_one_fires_vault_sealed(
        cluster, restore, tmp_path):
    """The rendered metrics listener (8202) serves sys/metrics to Prometheus without a Vault
    token — on standbys, and on a sealed node, which the API port would refuse — and the
    scraped sample of a sealed node makes promtool fire VaultSealed with the shipped rule, while
    the unsealed nodes' samples do not — although every node still carries the gauge it set at
    boot, before it knew its cluster's name (cluster="", 0 or 1), which says nothing current."""
    for node in cluster.nodes:
        plain = requests.get(f"{node.address}/v1/sys/metrics", params={"format": "prometheus"},
                             verify=str(node.ca), timeout=10)
        assert plain.status_code in (400, 403), (node.name, plain.status_code)  # the API port wants a token
    before = {node.name: _scrape(node) for node in cluster.nodes}
    (tmp_path / "healthy").mkdir()
    assert _promtool_fires(tmp_path / "healthy", before) == []

    leader = _active(cluster)
    restore(leader)
    leader.client(cluster.root).put("sys/seal").expect(204)
    wait_until(lambda: leader.health().status == 503, 30, f"{leader.name} sealed")
    # the seal shows on the series named after the cluster (the server refreshes it on a timer)
    wait_until(lambda: _sealed(_scrape(leader)), 60, f"{leader.name}'s metrics show the seal")
    after = {node.name: _scrape(node) for node in cluster.nodes}
    (tmp_path / "sealed").mkdir()
    fired = _promtool_fires(tmp_path / "sealed", after)
    assert [alert["exp_labels"]["pod"] for alert in fired] == [leader.name]


def test_the_api_listener_sends_hsts_and_the_metrics_listener_does_not_need_it(cluster):
    """The rendered API listener answers with Strict-Transport-Security (a browser that once
    reached the UI or an OIDC login never falls back to HTTP)."""
    from components.kubernetes.server_config import HSTS

    for node in cluster.nodes:
        answer = requests.get(f"{node.address}/v1/sys/health", verify=str(node.ca), timeout=10)
        assert answer.headers.get("Strict-Transport-Security") == HSTS, (node.name, dict(answer.headers))


def test_the_applied_autopilot_configuration_is_the_stacks(cluster):
    """Staging's ``vault.autopilot``, applied through the provider, is what the servers run."""
    config = cluster.client().get("sys/storage/raft/autopilot/configuration").expect(200).data
    declared = load_stack_file(PROJECT / "Pulumi.staging.yaml").vault.autopilot
    assert (config["cleanup_dead_servers"], config["min_quorum"]) == (True, declared.min_quorum) == (True, 3)
    assert config["dead_server_last_contact_threshold"] in ("24h0m0s", "24h")
