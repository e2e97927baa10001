"""The corpus of 150 public policies (tests/vault_acl/corpus) against the real server: in the
``openbao-2.7`` dialect the offline parser accepts exactly what OpenBao accepts, and the
evaluator answers every probe path as ``sys/capabilities`` does. (The other dialects'
agreement with this server — where Vault really differs — is printed by
``./tasks bench``; see README, Policy dialects.)"""

from __future__ import annotations

from tests.live.policy_agreement import measure


def test_the_openbao_dialect_agrees_with_openbao_on_every_policy_and_probe(dev_server):
    agreement = measure(dev_server.client(), ["openbao-2.7"])["openbao-2.7"]
    assert agreement.policies == 150 and agreement.probes > 4000
    assert agreement.disagreements == []
    assert (agreement.parse_agree, agreement.capability_agree) == (agreement.policies, agreement.probes)
