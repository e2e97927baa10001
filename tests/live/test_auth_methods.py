"""The auth methods the stack files offer but no shipped stack declares — LDAP and TLS
certificates — applied to a real server with the provider's calls, then logged in with:

* LDAP against a real directory (OpenLDAP over LDAPS, its CA given as the method's
  ``certificate``): Vault searches as the read-only account whose password is a Pulumi
  secret, the person's password is checked by the directory, and the directory's groups
  reach the token through the declared external group and its alias;
* TLS certificates: a client certificate from the role's CA with an allowed common name
  logs in and gets the role's policies; another common name, or a certificate from a CA
  the role does not trust, is refused.

Server difference: OpenBao 2.7 no longer carries the LDAP auth method in its binary (it
moved to the separately distributed openbao-plugins; enabling it answers "plugin not found
in the catalog: ldap"); Vault and OpenBao 2.6 have it built in. This module's server is
therefore OpenBao 2.6.2, booted from dev's rendered configuration like the others.
"""

from __future__ import annotations

import pytest

from components.config.secrets import SecretPlaceholder
from tests.live.applier import Applier
from tests.live.deploy import surroundings
from tests.live.identities import LdapDirectory
from tests.live.tls import TestCA
from tests.live.variants import stack_variant

AUTH = ("vault:index/policy:Policy", "vault:index/authBackend:AuthBackend", "vault:ldap/authBackend:AuthBackend",
        "vault:index/certAuthBackendRole:CertAuthBackendRole", "vault:identity/group:Group",
        "vault:identity/groupAlias:GroupAlias")


@pytest.fixture(scope="module")
def dev_binary(bao_awskms):
    """OpenBao 2.6.2, the last with the LDAP auth method built in."""
    return bao_awskms


@pytest.fixture(scope="module")
def directory(test_ca, tmp_path_factory):
    ldap = LdapDirectory(test_ca.issue("ldap-directory"), tmp_path_factory.mktemp("ldap"),
                         {"dba": ("alice",), "readers": ("bob",)})
    yield ldap
    ldap.stop()


def _with_ldap_and_cert(directory: LdapDirectory, ca_pem: str):
    """Dev with a directory (and its egress destination: the plan refuses a host Vault calls
    that no destination names) and certificate logins."""
    def edit(raw: dict) -> None:
        raw["vault-platform:network"]["egress"].setdefault("destinations", []).append(
            {"description": "the test directory", "hosts": ["127.0.0.1"], "cidrs": ["127.0.0.1/32"],
             "ports": [directory.port]})
        vault = raw["vault-platform:vault"]
        vault["auth_methods"] += [
            {"type": "ldap", "path": "ldap", "ldap": {
                "url": directory.url, "certificate": ca_pem, "userdn": directory.userdn, "userattr": "uid",
                "groupdn": directory.groupdn, "groupattr": "cn", "binddn": directory.binddn,
                "bindpass": SecretPlaceholder("v1:AAAAAAAAAAAAAAAA:set-with-pulumi-config-set-secret")}},
            {"type": "cert", "path": "cert"}]
        vault["roles"].append({"name": "deploy-bot", "mount": "cert", "certificate": ca_pem,
                               "allowed_common_names": ["deploy-bot"], "token_policies": ["ci-deployer"],
                               "token_ttl": "20m"})
        vault["groups"].append({"name": "dbas", "type": "external", "policies": ["developer-readwrite"],
                                "aliases": [{"name": "dba", "mount": "ldap"}]})
    return edit


@pytest.fixture(scope="module")
def configured(dev_server, directory, test_ca, tmp_path_factory, kubernetes_api):
    plan = stack_variant("dev", _with_ldap_and_cert(directory, test_ca.pem))
    resources = [r.as_json() for r in plan.resources() if r.type in AUTH]
    applier = Applier(dev_server.client(), surroundings(plan, tmp_path_factory.mktemp("audit"), test_ca,
                                                        kubernetes_api=kubernetes_api, directory=directory))
    applier.apply(resources)
    yield dev_server
    for entry in applier.report.applied:
        entry.registration["protect"] = False
    applier.destroy()


def _ldap_login(server, uid: str, password: str):
    return server.client(token="").post(f"auth/ldap/login/{uid}", {"password": password})


def test_ldap_config_reads_back_without_its_bind_password(configured, directory):
    config = configured.client().get("auth/ldap/config").expect(200).data
    assert (config["url"], config["userdn"], config["groupdn"], config["binddn"]) == (
        directory.url, directory.userdn, directory.groupdn, directory.binddn)
    assert "bindpass" not in config and not config["insecure_tls"]


def test_a_directory_user_logs_in_and_gets_the_policies_of_their_directory_group(configured, directory):
    auth = _ldap_login(configured, "alice", directory.password("alice")).expect(200).body["auth"]
    assert auth["identity_policies"] == ["developer-readwrite"]
    assert auth["metadata"]["username"] == "alice"
    bob = _ldap_login(configured, "bob", directory.password("bob")).expect(200).body["auth"]
    assert not bob.get("identity_policies")  # in a directory group no Vault group is aliased to


def test_a_wrong_directory_password_is_refused(configured):
    assert _ldap_login(configured, "alice", "not-her-password").status == 400


def _cert_login(server, certificate):
    return server.client(token="").request("POST", "auth/cert/login", {"name": "deploy-bot"},
                                           cert=(str(certificate.cert), str(certificate.key)))


def test_a_client_certificate_with_an_allowed_name_logs_in_with_the_roles_policies(configured, test_ca):
    auth = _cert_login(configured, test_ca.issue("deploy-bot", ("deploy-bot",))).expect(200).body["auth"]
    assert sorted(auth["token_policies"]) == ["ci-deployer", "default"]
    assert auth["lease_duration"] == 20 * 60


def test_a_client_certificate_with_another_name_or_from_another_ca_is_refused(configured, test_ca, tmp_path):
    assert _cert_login(configured, test_ca.issue("intruder", ("intruder",))).status in (400, 403)
    stranger = TestCA(tmp_path / "other-ca", "a CA the role does not trust").issue("deploy-bot", ("deploy-bot",))
    assert _cert_login(configured, stranger).status in (400, 403)
