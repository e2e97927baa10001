"""Break-glass on OpenBao, as rendered: a root token from the unseal or recovery keys alone.

OpenBao (2.5.3 and later) serves the unauthenticated generate-root endpoints on no listener
unless one says ``disable_unauthed_generate_root_endpoints = false``. With
``cluster.unauthenticated_generate_root`` the stack renders a second listener, on the pod's
loopback only, that does: the procedure (README, Break-glass) runs there through
``kubectl exec`` or ``port-forward``; the API listener keeps refusing. Proven on OpenBao 2.7
with Shamir unseal keys (dev) and on 2.6.2 with AWS KMS recovery keys (the OpenBao example).
With a token, the authenticated ``sys/generate-root-token`` endpoints work on any listener.
Vault 2.0's ``enable_unauthenticated_access`` cannot be run here (no Vault binary): its
rendering is checked offline (tests/components/kubernetes/test_targets.py).
"""

from __future__ import annotations

import base64

import pytest

from tests.live.deploy import boot, rendered_server_config
from tests.live.servers import Client
from tests.live.variants import stack_variant


def _dev_on_openbao(break_glass: bool):
    def edit(raw: dict) -> None:
        raw["vault-platform:cluster"].update(distribution="openbao", unauthenticated_generate_root=break_glass)
        raw["vault-platform:storage"] = {"type": "raft"}
        raw["vault-platform:vault"]["audit_devices"][0]["file_path"] = "/openbao/audit/audit.log"
    return edit


def _example_on_openbao_26(raw: dict) -> None:
    raw["vault-platform:cluster"].update(image={"tag": "2.6.2"}, unauthenticated_generate_root=True)
    del raw["vault-platform:unseal"]["awskms"]["plugin"]


def _decode(encoded: str, otp: str) -> str:
    raw = base64.b64decode(encoded + "=" * (-len(encoded) % 4))
    return bytes(a ^ b for a, b in zip(raw, otp.encode())).decode()


def _generate_root(listener: Client, keys: list[str]) -> str:
    """The procedure: start an attempt (OTP), give the key shares, decode the token."""
    attempt = listener.put("sys/generate-root/attempt", {}).expect(200).body
    answer = None
    for key in keys:
        answer = listener.put("sys/generate-root/update", {"key": key, "nonce": attempt["nonce"]}).expect(200).body
    assert answer and answer["complete"], answer
    return _decode(answer["encoded_token"], attempt["otp"])


@pytest.mark.parametrize("case", ["openbao-2.7-shamir", "openbao-2.6-awskms-recovery-keys"])
def test_a_root_token_from_the_keys_alone_on_the_loopback_listener_only(case, tmp_path, bao, bao_awskms, test_ca,
                                                                       moto):
    if case == "openbao-2.7-shamir":
        plan, binary = stack_variant("dev", _dev_on_openbao(True)), bao
    else:
        plan, binary = stack_variant("openbao", _example_on_openbao_26), bao_awskms
    assert 'disable_unauthed_generate_root_endpoints = false' in rendered_server_config(plan)
    cluster = boot(plan, tmp_path, binary, test_ca, moto=moto)
    try:
        node = cluster.leader
        api = node.client(token="")
        assert api.put("sys/generate-root/attempt", {}).status == 405  # the API listener: never
        token = _generate_root(Client(node.break_glass_address, node.ca), cluster.keys)
        root = node.client(token)
        assert root.get("auth/token/lookup-self").expect(200).data["policies"] == ["root"]
        root.post("auth/token/revoke-self").expect(204)
        assert node.client(token).get("auth/token/lookup-self").status == 403
    finally:
        cluster.stop()


def test_without_the_option_no_listener_serves_it_but_a_token_may(tmp_path, bao, test_ca):
    plan = stack_variant("dev", _dev_on_openbao(False))
    assert ":8210" not in rendered_server_config(plan)
    cluster = boot(plan, tmp_path, bao, test_ca)
    try:
        node = cluster.leader
        assert node.client(token="").put("sys/generate-root/attempt", {}).status == 405
        assert node.client(token="").put("sys/generate-root-token/attempt", {}).status == 403
        with_token = node.client(cluster.root)
        attempt = with_token.put("sys/generate-root-token/attempt", {}).expect(200).data
        answer = with_token.put("sys/generate-root-token/update", {"key": cluster.keys[0], "nonce": attempt["nonce"]}
                                ).expect(200).data
        token = _decode(answer["encoded_token"], attempt["otp"])
        assert node.client(token).get("auth/token/lookup-self").expect(200).data["policies"] == ["root"]
        node.client(token).post("auth/token/revoke-self").expect(204)
    finally:
        cluster.stop()
