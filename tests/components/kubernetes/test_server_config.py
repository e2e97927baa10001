"""Server configuration rendering: a pure function whose output Vault's HCL parser reads."""

from __future__ import annotations

import hcl2
import pytest

from components.kubernetes import hcl
from components.kubernetes.server_config import AwsKmsSeal, RaftJoin, ServerConfigSpec, render_server_config

JOIN = RaftJoin(
    namespace="vault-system",
    label_selector="app.kubernetes.io/name=vault,app.kubernetes.io/instance=vault",
    tls_server_name="vault-internal.vault-system.svc.cluster.local",
)


def parsed(text: str) -> dict:
    """python-hcl2 keeps string quotes; strip them so values compare as Vault reads them."""

    def unquote(value):
        if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
            return value[1:-1].replace('\\"', '"')
        if isinstance(value, dict):
            return {unquote(k): unquote(v) for k, v in value.items() if k != "__is_block__"}
        if isinstance(value, list):
            return [unquote(v) for v in value]
        return value

    data = hcl2.loads(text)
    data.pop("__comments__", None)
    return unquote(data)


def raft_spec(**overrides) -> ServerConfigSpec:
    return ServerConfigSpec(**{"storage": "raft", "tls_enabled": True, "raft_join": JOIN, **overrides})


def test_raft_config_has_every_hardened_setting():
    config = parsed(render_server_config(raft_spec()))
    assert config["disable_mlock"] is True
    assert config["ui"] is True
    listener = config["listener"][0]["tcp"]
    assert listener["tls_min_version"] == "tls12"
    assert listener["tls_cert_file"] == "/vault/tls/tls.crt"
    assert listener["cluster_address"] == "[::]:8201"
    assert "tls_disable" not in listener
    assert listener["telemetry"][0]["unauthenticated_metrics_access"] is False
    raft = config["storage"][0]["raft"]
    assert raft["path"] == "/vault/data"
    assert raft["autopilot_reconcile_interval"] == "10s"
    join = raft["retry_join"][0]
    assert join["auto_join"] == (
        'provider=k8s namespace=vault-system '
        'label_selector="app.kubernetes.io/name=vault,app.kubernetes.io/instance=vault"'
    )
    assert join["auto_join_scheme"] == "https"
    assert join["leader_tls_servername"] == "vault-internal.vault-system.svc.cluster.local"
    assert join["leader_ca_cert_file"] == "/vault/tls/ca.crt"
    assert config["service_registration"] == [{"kubernetes": {}}]
    assert config["telemetry"][0] == {"prometheus_retention_time": "24h", "disable_hostname": True}
    assert "seal" not in config


def test_file_storage_has_no_raft_join_and_no_service_registration():
    config = parsed(render_server_config(ServerConfigSpec(storage="file", tls_enabled=True)))
    assert config["storage"] == [{"file": {"path": "/vault/data"}}]
    assert "service_registration" not in config


def test_tls_disabled_is_explicit_and_joins_over_http():
    config = parsed(render_server_config(raft_spec(tls_enabled=False, raft_join=RaftJoin("v", "a=b", None))))
    assert config["listener"][0]["tcp"]["tls_disable"] is True
    join = config["storage"][0]["raft"]["retry_join"][0]
    assert join["auto_join_scheme"] == "http"
    assert "leader_tls_servername" not in join


def test_awskms_seal_stanza():
    text = render_server_config(raft_spec(seal=AwsKmsSeal(region="eu-west-1", kms_key_id="key-123")))
    assert parsed(text)["seal"] == [{"awskms": {"region": "eu-west-1", "kms_key_id": "key-123"}}]


def test_raft_without_join_is_refused():
    with pytest.raises(ValueError, match="raft_join"):
        render_server_config(ServerConfigSpec(storage="raft", tls_enabled=True))


@pytest.mark.parametrize(
    "value, rendered",
    [(True, "true"), (3, "3"), ("a\"b", '"a\\"b"'), (["x", 1], '["x", 1]')],
)
def test_hcl_literals(value, rendered):
    assert hcl.literal(value) == rendered


def test_hcl_refuses_template_sequences():
    with pytest.raises(ValueError, match="template"):
        hcl.literal("${env}")
