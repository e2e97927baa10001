"""What the chosen server lacks is refused before anything is registered, naming the key,
the value and what that server supports; and the server picks the policy dialect."""

from __future__ import annotations

import pytest

from components import config as schema
from tests.conftest import stack_raw, with_values

PLUGIN = {"image": "registry.example.com/kms@sha256:" + "a" * 64, "sha256sum": "b" * 64}


def problems(stack: str, **changes) -> str:
    with pytest.raises(schema.ConfigError) as caught:
        schema.load(with_values(stack_raw(stack), **changes), f"Pulumi.{stack}.yaml", stack)
    return str(caught.value)


def loads(stack: str, **changes):
    return schema.load(with_values(stack_raw(stack), **changes), f"Pulumi.{stack}.yaml", stack)


@pytest.mark.parametrize("tag, message", [
    ("2.0.1", "Vault 2.0.1 is not supported; allowed for Vault: 1.21.x (from 1.21.7), 2.0.x (from 2.0.2)"),
    ("1.21.6", "Vault 1.21.6 is not supported"),
    ("3.0.0", "Vault 3.0.0 is not supported"),
    ("latest", "pin a version; `latest` is not allowed"),
    ("stable", "the tag must start with the server's version MAJOR.MINOR.PATCH"),
])
def test_the_image_tag_is_a_supported_version(tag, message):
    text = problems("production", **{"cluster.image.tag": tag})
    assert f"cluster.image.tag = '{tag}'" in text and message in text


def test_supported_versions_pick_the_policy_dialect():
    assert loads("production").cluster.target.policy_dialect == "vault-2.0"
    assert loads("production", **{"cluster.image.tag": "1.21.9"}).cluster.target.policy_dialect == "vault-1.21"
    assert loads("production", **{"cluster.image.tag": "2.0.4-ent"}).cluster.target.label == "Vault 2.0.4"
    assert loads("openbao").cluster.target.policy_dialect == "openbao-2.7"


OPENBAO_27 = {"cluster.distribution": "openbao", "cluster.image": {}}  # its default image, by tag


@pytest.mark.parametrize("stack, changes, expected", [
    ("dev", {**OPENBAO_27}, ["storage.type = 'file'", "OpenBao 2.7.2 has no file storage; allowed: raft, postgresql"]),
    ("staging", {**OPENBAO_27, "vault.edition": "enterprise"},
     ["vault.edition = 'enterprise'", "applies to HashiCorp Vault only"]),
    ("staging", {**OPENBAO_27, "kubernetes.version": "1.35.0"},
     ["unseal.awskms.plugin: OpenBao 2.7.2 runs the awskms seal as an external KMS plugin"]),
    ("staging", {**OPENBAO_27, "unseal.awskms.plugin": PLUGIN},
     ["kubernetes.version = '1.31.0'", "on by default from Kubernetes 1.35"]),
    ("staging", {"unseal.awskms.plugin": PLUGIN}, ["unseal.awskms.plugin: only OpenBao 2.7 runs the seal as a plugin"]),
    ("staging", {**OPENBAO_27, "cluster.image.tag": "2.6.2"},
     ["vault.secret_engines[path=aws].type = 'aws'", "OpenBao has no built-in `aws` secrets engine",
      "vault.audit_devices[path=file].file_path = '/vault/audit/audit.log'", "(/openbao/audit/<name>)"]),
])
def test_what_the_server_lacks_is_refused(stack, changes, expected):
    text = problems(stack, **changes)
    assert all(part in text for part in expected), text


def test_openbao_has_namespaces_without_enterprise_and_no_lease_count_quotas():
    raw = stack_raw("openbao")
    vault = raw["vault-platform:vault"]
    assert loads("openbao").vault.namespaces and "edition" not in vault
    vault["quotas"].append({"type": "lease-count", "name": "cap", "max_leases": 10})
    with pytest.raises(schema.ConfigError, match=r"vault.quotas\[name=cap\].type = 'lease-count': OpenBao 2.7.2 has no "
                                                 "lease-count quotas"):
        schema.load(raw, "Pulumi.openbao.yaml", "openbao")


def test_ldap_auth_is_refused_on_openbao_27_and_accepted_on_26():
    ldap = {"type": "ldap", "path": "ldap", "ldap": {"url": "ldaps://ldap.example.com", "userdn": "ou=people"}}
    raw = stack_raw("openbao")
    raw["vault-platform:vault"]["auth_methods"].append(ldap)
    raw["vault-platform:network"]["egress"]["destinations"].append(
        {"description": "directory", "hosts": ["ldap.example.com"], "cidrs": ["10.70.0.0/24"], "ports": [636]})
    with pytest.raises(schema.ConfigError, match="OpenBao 2.7 moved LDAP auth out of its binary"):
        schema.load(raw, "Pulumi.openbao.yaml", "openbao")
    raw["vault-platform:cluster"]["image"] = {"tag": "2.6.2"}
    del raw["vault-platform:unseal"]["awskms"]["plugin"]
    schema.load(raw, "Pulumi.openbao.yaml", "openbao")


def test_a_policy_is_checked_in_the_servers_dialect(tmp_path):
    from components.config.inputs import policy_files

    (tmp_path / "scanner.hcl").write_text('path "kv/*" {\n  capabilities = ["scan"]\n}\n', encoding="utf-8")
    loaded, found = policy_files.load(("*",), (), "dev", "dev", folder=tmp_path, dialect="openbao-2.7")
    assert [p.name for p in loaded] == ["scanner"] and not found
    loaded, found = policy_files.load(("*",), (), "dev", "dev", folder=tmp_path, dialect="vault-2.0")
    assert not loaded and 'invalid capability "scan"' in found[0].message
    (tmp_path / "default-ceiling.hcl").write_text('path "a" { capabilities = ["read"] }', encoding="utf-8")
    _, found = policy_files.load(("*",), (), "dev", "dev", folder=tmp_path, dialect="vault-2.0")
    assert any("built-in policy name of the server (vault-2.0)" in p.message for p in found)
