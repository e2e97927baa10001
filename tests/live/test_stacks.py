"""Every shipped stack applied to a real server, then proven to work as declared.

For each stack (the module-scoped fixture runs one stack at a time, then stops it): its
servers boot from the plan's own ``vault/server.hcl``; the plan is applied with the
provider's calls (tests/live/applier.py) by a token holding the plan's derived deploy
policy and nothing else — it refreshes and destroys with it too, a refresh and drift run
with the derived reader policy alone, and what neither declares is refused; then each
declared auth role logs in and its token
carries exactly the declared policies; database roles issue credentials that work on
PostgreSQL with exactly the declared grants, and revocation drops them; PKI issues for each
role and the chain verifies; transit encrypts, decrypts, signs and verifies; quotas read
back as declared; KV refuses a write without check-and-set.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import time
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from components.config.base import ttl_seconds
from tests.conftest import EXAMPLE_STACKS, STACKS
from tests.databases import EXPECTED, analytics_database, assert_exact_grants
from tests.live.applier import HANDLERS, KNOWN_SERVER_DIFFERENCES
from tests.live.deploy import apply, boot, deploy_token, surroundings

CONFIGURED = ("dev", "staging", "production")
"""The stacks that declare Vault's configuration (the PostgreSQL example does not)."""


def test_the_applier_knows_every_vault_type_the_program_emits(stack_plan):
    emitted = {r.type for stack in (*STACKS, *EXAMPLE_STACKS) for r in stack_plan(stack).resources()
               if r.type.startswith("vault:")}
    assert emitted, "the stacks configure Vault"
    assert not emitted - set(HANDLERS), f"teach the applier {sorted(emitted - set(HANDLERS))}"


@pytest.fixture(scope="module")
def analytics(postgres):
    with analytics_database(postgres) as database:
        yield database


@pytest.fixture(scope="module", params=CONFIGURED)
def deployment(request, stack_plan, tmp_path_factory, bao, bao_awskms, test_ca, moto, oidc, kubernetes_api,
               analytics, postgres, log_collector):
    plan = stack_plan(request.param)
    awskms = plan.config.unseal.type == "awskms"
    cluster = boot(plan, tmp_path_factory.mktemp(f"stack-{plan.stack}"), bao_awskms if awskms else bao, test_ca,
                   moto=moto)
    around = surroundings(plan, tmp_path_factory.mktemp(f"audit-{plan.stack}"), test_ca, oidc, kubernetes_api,
                          postgres, log_collector)
    try:
        deployment = apply(plan, cluster, around, token=deploy_token(plan, cluster))
        deployment.extras["deploy_token"] = deployment.applier.child_token
        yield deployment
    finally:
        cluster.stop()


def test_the_stack_applies_with_no_refusal_but_the_known_server_differences(deployment):
    report = deployment.report
    assert report.applied
    differences = {r.name for r in deployment.plan.resources() if r.type in KNOWN_SERVER_DIFFERENCES}
    for name, why in report.skipped.items():
        assert name in differences or "depends on a skipped resource" in why, f"{name}: {why}"
    refused = [call for call in report.calls if call[3] >= 400 and call[0] not in report.skipped]
    assert len(report.calls) > len(report.applied) and not refused


# --------------------------------------------------------------------------- least privilege


def test_the_deploy_identity_holds_only_the_derived_deploy_policy(deployment):
    token = deployment.client(token=deployment.extras["deploy_token"]).get("auth/token/lookup-self").expect(200).data
    assert token["policies"] == ["vault-platform-deploy"]


def test_a_refresh_reads_every_resource_with_the_deploy_token_and_with_the_reader_token(deployment, oidc):
    """``pulumi refresh`` as the deploy job, and ``preview --refresh`` as the reader: every
    read the provider makes is allowed (a refusal raises)."""
    reads = deployment.applier.refresh()
    reader = deployment.client(token=_drift_token(deployment, oidc))
    assert reader.get("auth/token/lookup-self").expect(200).data["policies"] == ["default", "vault-platform-reader"]
    assert deployment.applier.refresh(reader) == reads >= 40  # every read, each allowed


def _forbidden(deployment) -> list[tuple[str, str, dict]]:
    """Requests neither derived policy allows: nothing the stack does not declare, no secret
    data, no tokens beyond the provider's own child."""
    vault = deployment.plan.config.vault
    kv = next(e.path for e in vault.secret_engines if e.type == "kv-v2")
    database = next(e for e in vault.secret_engines if e.type == "database")
    return [
        ("PUT", "sys/policies/acl/undeclared", {"policy": 'path "*" { capabilities = ["sudo"] }'}),
        ("PUT", "sys/policies/acl/default", {"policy": 'path "*" { capabilities = ["read"] }'}),
        ("POST", "sys/auth/undeclared", {"type": "userpass"}),
        ("POST", "sys/mounts/undeclared", {"type": "kv"}),
        ("PUT", "sys/audit/undeclared", {"type": "file", "options": {"file_path": "stdout", "log_raw": "true"}}),
        ("POST", "auth/token/roles/escalate", {"allowed_policies": ["break-glass"]}),
        ("POST", "auth/token/create-orphan", {"policies": ["vault-platform-deploy"]}),
        ("POST", "auth/token/create", {"policies": ["break-glass"]}),
        ("POST", "identity/entity", {"name": "someone", "policies": ["break-glass"]}),
        ("GET", f"{kv}/data/{deployment.plan.stack}/analytics/ingest/kafka", {}),
        ("GET", f"{database.path}/creds/{database.database.roles[0].name}", {}),
        ("PUT", "sys/raw/core/anything", {"value": "x"}),
    ]


def test_the_deploy_identity_is_refused_what_the_stack_does_not_declare(deployment):
    client = deployment.client(token=deployment.extras["deploy_token"])
    for method, path, body in _forbidden(deployment):
        answer = client.request(method, path, body or None)
        assert answer.status in (400, 403), f"the deploy identity got HTTP {answer.status} for {method} {path}"
        if path == "auth/token/create":  # a child may carry only its parent's policies
            assert "child policies must be subset of parent" in str(answer.body) or answer.status == 403


def test_the_reader_identity_writes_nothing(deployment, oidc):
    client = deployment.client(token=_drift_token(deployment, oidc))
    writes = [(m, p, b) for m, p, b in _forbidden(deployment) if m != "GET"]
    writes += [("PUT", f"sys/policies/acl/{name}", {"policy": 'path "*" { capabilities = ["read"] }'})
               for name in ("vault-platform-reader", "vault-platform-deploy")]
    writes += [("DELETE", f"sys/audit/{d.path}", {}) for d in deployment.plan.config.vault.audit_devices]
    for method, path, body in writes:
        answer = client.request(method, path, body or None)
        assert answer.status == 403, f"the reader got HTTP {answer.status} for {method} {path}"


# --------------------------------------------------------------------------- logins


def _login(deployment, role, oidc, kubernetes_api) -> dict:
    """Log in with the declared role the way its clients do; the ``auth`` block of the answer."""
    client = deployment.client(token="")
    mount = next(m for m in deployment.plan.config.vault.auth_methods if m.path == role.mount)
    if mount.type == "kubernetes":
        jwt = kubernetes_api.service_account_token(role.bound_service_account_namespaces[0],
                                                   role.bound_service_account_names[0],
                                                   role.audience or "https://kubernetes.default.svc")
        return client.post(f"auth/{role.mount}/login", {"role": role.name, "jwt": jwt}).expect(200).body["auth"]
    if mount.type == "approle":
        root = deployment.client()
        role_id = root.get(f"auth/{role.mount}/role/{role.name}/role-id").expect(200).data["role_id"]
        secret_id = root.post(f"auth/{role.mount}/role/{role.name}/secret-id").expect(200).data["secret_id"]
        return client.post(f"auth/{role.mount}/login", {"role_id": role_id, "secret_id": secret_id}).expect(200).body["auth"]
    if (role.role_type or mount.type) == "jwt":
        claims = {key: value if isinstance(value, str) else value[0] for key, value in role.bound_claims.items()}
        claims.update(aud=role.bound_audiences[0] if role.bound_audiences else "vault", sub=role.bound_subject or "ci")
        claims.setdefault(role.user_claim, claims.get(role.user_claim, "someone"))
        return client.post(f"auth/{role.mount}/login", {"role": role.name, "jwt": oidc.token(claims)}).expect(200).body["auth"]
    return _oidc_login(client, role, mount, oidc, {"email": "someone@example.com", "groups": []})


def _oidc_login(client, role, mount, oidc, claims: dict) -> dict:
    """The browser's part of the authorization-code flow, done by hand."""
    redirect = role.allowed_redirect_uris[0]
    url = client.post(f"auth/{role.mount}/oidc/auth_url", {"role": role.name, "redirect_uri": redirect}
                      ).expect(200).data["auth_url"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert url.startswith(oidc.url), url
    code = oidc.authorize({"sub": "someone", **claims}, query["nonce"], query["client_id"])
    answer = client.get(f"auth/{role.mount}/oidc/callback", params={"state": query["state"], "code": code,
                                                                     "nonce": query["nonce"]})
    return answer.expect(200).body["auth"]


def _bound_elsewhere(role) -> bool:
    """A role whose logins are bound to networks loopback is not in."""
    cidrs = [*role.token_bound_cidrs, *role.secret_id_bound_cidrs]
    return bool(cidrs) and not any(ipaddress.ip_address("127.0.0.1") in ipaddress.ip_network(c) for c in cidrs)


def test_each_declared_role_logs_in_and_its_token_carries_exactly_its_policies(deployment, oidc, kubernetes_api):
    roles = deployment.plan.config.vault.roles
    assert roles
    for role in roles:
        if _bound_elsewhere(role):  # the binding holds: a login from loopback is refused for its source address
            with pytest.raises(AssertionError, match="unauthorized by CIDR restrictions"):
                _login(deployment, role, oidc, kubernetes_api)
            stored = deployment.client().get(f"auth/{role.mount}/role/{role.name}").expect(200).data
            assert sorted(stored["token_policies"]) == sorted(role.token_policies), role.name
            assert sorted(stored["token_bound_cidrs"]) == sorted(role.token_bound_cidrs), role.name
            continue
        auth = _login(deployment, role, oidc, kubernetes_api)
        assert sorted(auth["token_policies"]) == sorted({*role.token_policies, "default"}), role.name
        assert auth["lease_duration"] == ttl_seconds(role.token_ttl), role.name


def _github_roles(deployment):
    mounts = {m.path: m for m in deployment.plan.config.vault.auth_methods}
    return [r for r in deployment.plan.config.vault.roles if mounts[r.mount].type == "jwt"
            and mounts[r.mount].oidc.bound_issuer == "https://token.actions.githubusercontent.com"]


def test_ci_roles_admit_only_their_repository_ref_and_environment(deployment, oidc):
    """The server enforces the bindings the stack declares: a token from another branch, a
    pull request, another environment or a re-created repository of the same name is refused;
    the preview role's glob admits any pull request's merge ref and nothing else."""
    client = deployment.client(token="")
    roles = _github_roles(deployment)
    assert {"pulumi-deploy", "drift", "preview"} <= {r.name for r in roles}

    def login(role, **changes) -> int:
        claims = {key: value if isinstance(value, str) else value[0] for key, value in role.bound_claims.items()}
        if role.bound_claims_type == "glob":
            claims["ref"] = claims["ref"].replace("*", "1234")
        claims.update(aud=role.bound_audiences[0], sub="ci", **changes)
        claims = {key: value for key, value in claims.items() if value is not None}
        return client.post(f"auth/{role.mount}/login", {"role": role.name, "jwt": oidc.token(claims)}).status

    for role in roles:
        assert login(role) == 200, role.name
        assert login(role, repository_id="999999999") == 400, role.name  # the name re-registered elsewhere
        assert login(role, environment="another-environment") == 400, role.name
        assert login(role, ref=None) == 400, role.name
        if role.bound_claims_type == "glob":
            assert login(role, ref="refs/heads/main") == 400, role.name  # a preview role is no drift role
        else:
            assert login(role, ref="refs/heads/feature") == 400, role.name
            assert login(role, ref="refs/pull/7/merge") == 400, role.name


def test_identity_groups_carry_their_policies_and_oidc_users_get_them_from_the_directory(deployment, oidc):
    vault = deployment.plan.config.vault
    assert vault.groups
    root, client = deployment.client(), deployment.client(token="")
    for group in vault.groups:
        live = root.get(f"identity/group/name/{group.name}").expect(200).data
        assert (live["type"], sorted(live["policies"])) == (group.type, sorted(group.policies)), group.name
        for alias in group.aliases:  # external groups: a user the directory puts in the group gets its policies
            role = next(r for r in vault.roles if r.mount == alias.mount)
            mount = next(m for m in vault.auth_methods if m.path == alias.mount)
            auth = _oidc_login(client, role, mount, oidc, {"email": f"{group.name}@example.com",
                                                           "groups": [alias.name]})
            assert set(group.policies) <= set(auth["identity_policies"]), group.name


# --------------------------------------------------------------------------- secret engines


def _engines(deployment, kind):
    return [e for e in deployment.plan.config.vault.secret_engines if e.type == kind]


def test_database_roles_issue_credentials_with_exactly_their_grants_and_revocation_drops_them(deployment, analytics):
    client = deployment.client()
    for engine in _engines(deployment, "database"):
        for role in engine.database.roles:
            answer = client.get(f"{engine.path}/creds/{role.name}").expect(200)
            name, password = answer.data["username"], answer.data["password"]
            assert_exact_grants(analytics, role.name, name, password)
            client.put("sys/leases/revoke", {"lease_id": answer.body["lease_id"]}).expect(204)
            with pytest.raises(psycopg.OperationalError):
                psycopg.connect(**analytics, user=name, password=password).close()
        for role in engine.database.static_roles:
            creds = client.get(f"{engine.path}/static-creds/{role.name}").expect(200).data
            with psycopg.connect(**analytics, user=creds["username"], password=creds["password"]) as user:
                assert user.execute("SELECT current_user").fetchone()[0] == role.username
    assert set(EXPECTED) >= {r.name for e in _engines(deployment, "database") for r in e.database.roles}


def test_pki_issues_for_each_role_and_the_chain_verifies(deployment):
    client = deployment.client()
    for engine in _engines(deployment, "pki"):
        for role in engine.pki.roles:
            host = f"api.{role.allowed_domains[0]}"
            issued = client.put(f"{engine.path}/issue/{role.name}", {"common_name": host, "ttl": "1h"}).expect(200).data
            leaf = x509.load_pem_x509_certificate(issued["certificate"].encode())
            chain = [x509.load_pem_x509_certificate(c.encode()) for c in issued["ca_chain"]]
            for child, parent in zip([leaf, *chain], chain):
                parent.public_key().verify(child.signature, child.tbs_certificate_bytes, ec.ECDSA(child.signature_hash_algorithm))
                assert child.issuer == parent.subject
            root = chain[-1]
            assert root.issuer == root.subject, "the chain ends at the declared root"
            assert leaf.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)[0].value == host
            refused = client.put(f"{engine.path}/issue/{role.name}", {"common_name": "www.elsewhere.org"})
            assert refused.status == 400, "a name outside allowed_domains is refused"


def test_transit_keys_encrypt_decrypt_sign_and_verify(deployment):
    client = deployment.client()
    for engine in _engines(deployment, "transit"):
        for key in engine.transit.keys:
            message = base64.b64encode(b"the quarterly numbers").decode()
            if key.type in ("aes256-gcm96", "chacha20-poly1305"):
                sealed = client.put(f"{engine.path}/encrypt/{key.name}", {"plaintext": message}).expect(200).data
                opened = client.put(f"{engine.path}/decrypt/{key.name}", sealed).expect(200).data
                assert opened["plaintext"] == message
            else:
                signature = client.put(f"{engine.path}/sign/{key.name}", {"input": message}).expect(200).data
                valid = client.put(f"{engine.path}/verify/{key.name}", {"input": message, **signature}).expect(200)
                assert valid.data["valid"] is True
            info = client.get(f"{engine.path}/keys/{key.name}").expect(200).data
            assert (info["deletion_allowed"], info["exportable"]) == (key.deletion_allowed, key.exportable)
            assert info["auto_rotate_period"] == ttl_seconds(key.auto_rotate_period)


def test_quotas_read_back_with_the_declared_rate_and_interval(deployment):
    client = deployment.client()
    for quota in deployment.plan.config.vault.quotas:
        data = client.get(f"sys/quotas/{quota.type}/{quota.name}").expect(200).data
        assert data["rate"] == quota.rate, quota.name
        assert data["interval"] == ttl_seconds(quota.interval), f"{quota.name}: interval {data['interval']}"
        assert data.get("block_interval", 0) == (ttl_seconds(quota.block_interval) or 0), quota.name
        assert data["path"] == (f"{quota.path}/" if quota.path else ""), quota.name


def test_kv_refuses_a_write_without_check_and_set(deployment):
    client = deployment.client()
    for engine in _engines(deployment, "kv-v2"):
        kv = engine.kv
        path = f"{engine.path}/data/{deployment.plan.config.environment}/live-tier/probe-{time.time_ns()}"
        refused = client.post(path, {"data": {"value": "1"}})
        if kv is None or kv.cas_required:
            assert refused.status == 400 and "check-and-set" in str(refused.body)
        client.post(path, {"data": {"value": "1"}, "options": {"cas": 0}}).expect(200)
        assert client.post(path, {"data": {"value": "2"}, "options": {"cas": 0}}).status == 400


# --------------------------------------------------------------------------- the live commands


def _drift_token(deployment, oidc) -> str:
    """A token of the stack's own drift identity: the jwt role the scheduled workflow uses."""
    role = next(r for r in deployment.plan.config.vault.roles if r.name == "drift")
    claims = {key: value if isinstance(value, str) else value[0] for key, value in role.bound_claims.items()}
    jwt = oidc.token({**claims, "aud": role.bound_audiences[0], "sub": "drift"})
    return deployment.client(token="").post(f"auth/{role.mount}/login", {"role": role.name, "jwt": jwt}
                                            ).expect(200).body["auth"]["client_token"]


def test_drift_finds_nothing_on_the_fresh_stack_as_its_own_drift_identity(deployment, oidc, monkeypatch, capsys,
                                                                           tmp_path):
    """``drift --plan`` with the plan as applied here (the cloud's names replaced), run as the
    drift role the scheduled workflow uses: every compared object is readable, nothing differs."""
    from vault_platform.cli import main

    monkeypatch.setenv("VAULT_TOKEN", _drift_token(deployment, oidc))
    monkeypatch.setenv("VAULT_CACERT", str(deployment.cluster.ca))
    address = deployment.cluster.leader.address
    plan_dir = deployment.write_plan(tmp_path / "plan")
    code = main(["drift", "--stack", deployment.plan.stack, "--address", address, "--plan", str(plan_dir),
                 "--format", "json"])
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert (code, report["findings"], report["drift"]) == (0, [], False), err
    assert report["reads"] > 40 and report["target"] == "openbao"
    assert main(["drift", "--stack", deployment.plan.stack, "--address", address, "--plan", str(plan_dir),
                 "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith(f"### Drift: none in `{deployment.plan.stack}`")


LOCALISED = {"options.file_path", "options.address", "oidc_discovery_url", "oidc_discovery_ca_pem", "bound_issuer",
             "kubernetes_host", "kubernetes_ca_cert", "disable_local_ca_jwt", "connection_url"}
"""The attributes the live tier sets to its stand-ins (Surroundings.localise)."""


def test_drift_against_the_stack_itself_finds_only_what_the_test_environment_changed(deployment, oidc,
                                                                                      monkeypatch, capsys):
    """Without ``--plan`` drift plans the stack itself: here that plan names the cloud's
    addresses, so exactly the localised attributes differ — and the resources the server
    refused as a known difference are missing."""
    from vault_platform.cli import main

    monkeypatch.setenv("VAULT_TOKEN", _drift_token(deployment, oidc))
    monkeypatch.setenv("VAULT_CACERT", str(deployment.cluster.ca))
    code = main(["drift", "--stack", deployment.plan.stack, "--address", deployment.cluster.leader.address,
                 "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    changed = {f["attribute"] for f in findings if f["kind"] == "changed"}
    missing = {f["path"] for f in findings if f["kind"] == "missing"}
    refused = {r.inputs.get("path") or "aws" for r in deployment.plan.resources() if r.name in deployment.report.skipped
               and r.type == "vault:aws/secretBackend:SecretBackend"}
    assert code == 3 and "options.file_path" in changed and changed <= LOCALISED, findings
    assert {f["kind"] for f in findings} <= {"changed", "missing"}
    assert {path.split("/")[0] if not path.startswith("sys/") else path.rsplit("/", 1)[-1] for path in missing} \
        == refused, findings


def test_the_drift_identity_reads_no_secret(deployment, oidc):
    client = deployment.client(token=_drift_token(deployment, oidc))
    vault = deployment.plan.config.vault
    denied = [("GET", f"{e.path}/creds/{r.name}") for e in vault.secret_engines if e.type == "database"
              for r in e.database.roles]
    denied += [("GET", f"{e.path}/data/{deployment.plan.stack}/analytics/ingest/kafka") for e in vault.secret_engines
               if e.type == "kv-v2"]
    denied += [("GET", f"{e.path}/export/encryption-key/{k.name}") for e in vault.secret_engines
               if e.type == "transit" for k in e.transit.keys]
    denied += [("POST", f"{e.path}/issue/{r.name}") for e in vault.secret_engines if e.type == "pki" and e.pki.roles
               for r in e.pki.roles]
    denied += [("POST", f"auth/{r.mount}/role/{r.name}/secret-id") for r in vault.roles
               if next(m for m in vault.auth_methods if m.path == r.mount).type == "approle"]
    denied += [("POST", "auth/token/create"), ("GET", "sys/raw/core")]  # (cubbyhole is the token's own)
    assert len(denied) >= 6
    for method, path in denied:
        answer = client.request(method, path, {"common_name": "x.internal.example.com"} if method == "POST" else None)
        assert answer.status == 403, f"the drift identity got HTTP {answer.status} for {method} {path}"


def test_destroy_removes_all_but_the_protected_resources(deployment):
    """Last, as ``pulumi destroy`` would end a stack, with the deploy token alone: every
    resource the provider deletes goes; what the program protects (KV, PKI and transit data,
    the CAs, transit keys) stays, and so does the deploy policy (retained on delete: the
    identity deleting needs it to the last resource)."""
    kept = deployment.applier.destroy()
    protected = {r.name for r in deployment.plan.resources() if r.protect and r.type.startswith("vault:")}
    retained = {r.name for r in deployment.plan.resources() if r.retain_on_delete and r.type.startswith("vault:")}
    assert len(retained) == 1 and set(kept) == (protected | retained) - set(deployment.report.skipped)
    root = deployment.client()
    assert set(root.list("sys/policies/acl").expect(200).data["keys"]) == {"default", "root", "vault-platform-deploy"}
    assert set(root.get("sys/auth").expect(200).data) == {"token/"}
    assert root.get("sys/audit").expect(200).data == {}
    mounts = {path.rstrip("/") for path in root.get("sys/mounts").expect(200).data}
    kept_mounts = {r.inputs["path"] for r in deployment.plan.resources()
                   if r.type == "vault:index/mount:Mount" and r.protect}
    assert mounts == {"sys", "cubbyhole", "identity"} | kept_mounts
