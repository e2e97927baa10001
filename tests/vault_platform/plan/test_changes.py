"""`vault-platform plan --diff BASE_DIR`: a change set against an earlier plan, by the
objects people know, field by field; placeholder outputs marked."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from vault_platform.plan import changes


def _resource(typ: str, name: str, inputs: dict, protect: bool = False) -> dict:
    return {"urn": f"urn:pulumi:s::vault-platform::{typ}::{name}", "type": typ, "name": name, "inputs": inputs,
            "protect": protect}


POLICY = _resource("vault:index/policy:Policy", "vault-config-policy-ci-deployer",
                   {"name": "ci-deployer", "policy": 'path "a" {\n  capabilities = ["read"]\n}\n'})
ROLE = _resource("vault:kubernetes/authBackendRole:AuthBackendRole", "vault-config-role-ingest",
                 {"backend": "kubernetes", "roleName": "ingest", "tokenPolicies": ["analytics-ingest"]})
MOUNT = _resource("vault:index/mount:Mount", "vault-config-secret-transit", {"path": "transit", "type": "transit"},
                  protect=True)
SECRET = _resource("kubernetes:core/v1:Secret", "vault-db", {"metadata": {"name": "db", "namespace": "vault-system"},
                                                             "stringData": {"url": "[secret]"}})


def test_each_kind_of_change_is_named_by_the_object_and_field():
    head_policy = copy.deepcopy(POLICY)
    head_policy["inputs"]["policy"] = 'path "a" {\n  capabilities = ["read", "update"]\n}\n'
    head_role = copy.deepcopy(ROLE)
    head_role["inputs"]["tokenPolicies"] = ["analytics-ingest", "break-glass"]
    head_mount = copy.deepcopy(MOUNT)
    head_mount["inputs"]["type"] = "kv"
    created = _resource("vault:jwt/authBackendRole:AuthBackendRole", "vault-config-role-preview",
                        {"backend": "jwt-github", "roleName": "preview"})
    found = changes.compare([POLICY, ROLE, MOUNT, SECRET], [head_policy, head_role, head_mount, created])
    by_label = {c.label: c for c in found}
    assert [(c.action, c.label) for c in found] == [
        ("updated", "policy ci-deployer"), ("updated", "role kubernetes/ingest"),
        ("replaced", "secret engine transit"), ("created", "role jwt-github/preview"),
        ("deleted", "Secret vault-system/db")]
    (policy_text,) = by_label["policy ci-deployer"].fields
    assert policy_text.text_diff == ['-  capabilities = ["read"]', '+  capabilities = ["read", "update"]']
    (policies,) = by_label["role kubernetes/ingest"].fields
    assert (policies.path, policies.before, policies.after) == (
        "tokenPolicies", ["analytics-ingest"], ["analytics-ingest", "break-glass"])
    assert by_label["secret engine transit"].replaced_by == ["type"] and by_label["secret engine transit"].protected
    text = changes.render_markdown(found, "base", "production")
    assert text.startswith("#### Changes to stack production against base: 1 created, 2 updated, 1 replaced, "
                           "1 deleted")
    assert "- **replaced** secret engine transit (`vault:index/mount:Mount`) (changes type, which cannot change in " \
           "place) — **protected: `pulumi up` will refuse**" in text
    assert '  - `tokenPolicies`: ["analytics-ingest"] → ["analytics-ingest", "break-glass"]' in text


def test_secrets_stay_secret_and_nothing_changed_is_nothing():
    head = copy.deepcopy(SECRET)
    head["inputs"]["stringData"]["password"] = "[secret]"
    (change,) = changes.compare([SECRET], [head])
    (field,) = change.fields
    assert (field.path, field.before, field.after) == ("stringData.password", None, "[secret]")
    assert changes.compare([POLICY, ROLE], [POLICY, ROLE]) == []
    assert changes.render_markdown([], "base", "dev") == "No changes to stack dev against base.\n"


def test_replicas_five_to_seven_through_the_command(project: Path, tmp_path: Path, capsys):
    from vault_platform.cli import main

    assert main(["plan", "--stack", "production", "--out", str(tmp_path / "base")]) == 0
    stack = tmp_path / "Pulumi.production.yaml"
    text = (project / "Pulumi.production.yaml").read_text()
    assert "    replicas: 5\n" in text
    stack.write_text(text.replace("    replicas: 5\n", "    replicas: 7\n", 1))
    capsys.readouterr()
    assert main(["plan", "--stack", str(stack), "--out", str(tmp_path / "head"), "--diff", str(tmp_path / "base")]) == 0
    out = capsys.readouterr().out
    assert "  Vault 2.0.4, 7 replicas, raft storage" in out
    assert "- **updated** StatefulSet vault-system/vault (`kubernetes:apps/v1:StatefulSet`)\n  - `spec.replicas`: 5 → 7" in out
    assert "unseal_key_arn = arn:aws:kms:" in out and out.split("unseal_key_arn = ")[1].splitlines()[0].endswith(
        "[placeholder]")
    assert out.split("vault_address = ")[1].splitlines()[0] == "https://vault.vault-system.svc.cluster.local:8200"
    summary = json.loads((tmp_path / "head" / "summary.json").read_text())
    assert "vault_ca_cert_pem" in summary["placeholders"] and "vault_address" not in summary["placeholders"]
    assert summary["objects"]["role"] and "kubernetes/ingest" in summary["objects"]["role"]

    assert main(["plan", "--stack", "production", "--out", str(tmp_path / "x"), "--diff", str(tmp_path / "none")]) == 2
    assert "--diff takes the directory of an earlier plan" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()  # refused before anything was planned or written


def test_twins_by_name_are_compared_by_position_so_no_change_hides():
    mounts = [{"name": "data", "mountPath": "/a", "subPath": "x"}, {"name": "data", "mountPath": "/b", "subPath": "y"}]
    base = _resource("kubernetes:apps/v1:StatefulSet", "vault", {"metadata": {"name": "vault"},
                                                                 "spec": {"volumeMounts": mounts}})
    head = copy.deepcopy(base)
    head["inputs"]["spec"]["volumeMounts"][0]["subPath"] = "z"
    (change,) = changes.compare([base], [head])
    assert [(f.path, f.before, f.after) for f in change.fields] == [("spec.volumeMounts[0].subPath", "x", "z")]
