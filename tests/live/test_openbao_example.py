"""The OpenBao example stack (examples/Pulumi.openbao.yaml), proven as rendered: booted from
its own ``server.hcl`` with only what leaving Kubernetes and AWS forces — no Vault-to-OpenBao
substitution — then applied and used.

The example pins OpenBao 2.7.2, whose ``awskms`` seal is an external KMS plugin the live
tier cannot run (the plugin image is not available here): its rendering (plugin directory,
``plugin "kms"`` block, init container and image volume) is checked offline
(tests/components/kubernetes/test_targets.py). This module plans the same stack at
OpenBao 2.6.2 — ``cluster.image.tag: 2.6.2``, and no plugin, which 2.6 does not use: the
only two keys changed — whose seal is built in, and boots that rendering.
"""

from __future__ import annotations

import pytest

from tests.live.deploy import apply, boot, rendered_server_config, surroundings
from tests.live.server_config import LEAVING_KUBERNETES, VAULT_TO_OPENBAO
from tests.live.servers import json_lines
from tests.live.variants import stack_variant


def _on_openbao_26(raw: dict) -> None:
    raw["vault-platform:cluster"]["image"] = {"tag": "2.6.2"}
    del raw["vault-platform:unseal"]["awskms"]["plugin"]


@pytest.fixture(scope="module")
def analytics(postgres):
    from tests.databases import analytics_database

    with analytics_database(postgres) as database:
        yield database


@pytest.fixture(scope="module")
def example(tmp_path_factory, bao_awskms, test_ca, moto, oidc, kubernetes_api, analytics, postgres, log_collector):
    plan = stack_variant("openbao", _on_openbao_26)
    cluster = boot(plan, tmp_path_factory.mktemp("openbao-example"), bao_awskms, test_ca, moto=moto)
    try:
        yield plan, cluster, surroundings(plan, tmp_path_factory.mktemp("openbao-audit"), test_ca, oidc,
                                          kubernetes_api, postgres, log_collector)
    finally:
        cluster.stop()


def test_it_boots_as_rendered_with_only_what_leaving_kubernetes_forces(example):
    plan, cluster, _ = example
    rendered = rendered_server_config(plan)
    assert 'audit "file" "file"' in rendered and "disable_mlock" not in rendered and 'seal "awskms"' in rendered
    assert cluster.applied_substitutions
    assert set(cluster.applied_substitutions) <= {s.name for s in LEAVING_KUBERNETES}
    assert not set(cluster.applied_substitutions) & {s.name for s in VAULT_TO_OPENBAO}
    assert cluster.awskms, "auto-unsealed with the awskms seal (moto's KMS)"
    leader = cluster.client().get("sys/leader").expect(200).body
    assert leader["leader_address"] == cluster.leader.address  # BAO_API_ADDR, as the StatefulSet sets it


def test_audit_devices_come_from_the_server_configuration_and_record_requests(example):
    _, cluster, _ = example
    client = cluster.client()
    devices = client.get("sys/audit").expect(200).data
    assert {path: info["type"] for path, info in devices.items()} == {"file/": "file", "stdout/": "file"}
    refused = client.put("sys/audit/extra", {"type": "file", "options": {"file_path": "stdout"}})
    assert refused.status == 400  # OpenBao refuses audit devices through the API
    client.get("sys/mounts").expect(200)
    log = cluster.leader.workdir / "audit.log"
    assert any(entry.get("request", {}).get("path") == "sys/mounts" for entry in json_lines(log))


def test_its_configuration_applies_without_a_refusal_and_works_in_its_namespace(example, kubernetes_api):
    plan, cluster, around = example
    deployment = apply(plan, cluster, around)
    refused = [call for call in deployment.report.calls if call[3] >= 400]
    assert deployment.report.skipped == {} and not refused, refused
    assert not [r for r in plan.resources() if r.type == "vault:index/audit:Audit"]
    jwt = kubernetes_api.service_account_token("analytics-platform", "ingest", "vault")
    auth = cluster.client(token="", namespace="analytics").post(
        "auth/kubernetes/login", {"role": "ingest", "jwt": jwt}).expect(200).body["auth"]
    assert sorted(auth["token_policies"]) == ["analytics-ingest", "default"]
    assert deployment.drift().findings == [], "drift finds the config-declared audit devices declared too"
