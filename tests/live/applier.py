"""The applier: a plan's ``resources.json`` applied to a live Vault-API server with the HTTP
calls the Vault provider makes (terraform-provider-vault, which pulumi-vault bridges).

* It starts as the provider does: ``auth/token/lookup-self`` with the token it is given,
  then ``auth/token/create`` for a child token (20 minutes, non-renewable, no policy list:
  the parent's), which makes every other call.
* Resources are applied in dependency order (``dependsOn``); each write is followed by the
  read the provider makes; a value one resource takes from another (a mount's accessor, a
  group's id, a CSR, a signed certificate) is taken from the live answer, not the plan's
  placeholder.
* ``destroy`` deletes in reverse order what the provider deletes (some resources have no
  delete call), and leaves protected resources, as Pulumi refuses to delete them.

What leaving the cloud forces is applied in one place, :class:`Surroundings` (the audit
directory, the OIDC issuer, the TokenReview endpoint, the database's address and CA). A
type the applier does not know fails the run (:class:`UnknownType`); a server that refuses a
write fails it too, unless the refusal is in :data:`KNOWN_SERVER_DIFFERENCES`.
"""

from __future__ import annotations

import copy
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Optional
from urllib.parse import urlsplit, urlunsplit

from tests.live.servers import Answer, Client

SECRET = "[secret]"

KNOWN_SERVER_DIFFERENCES: dict[str, str] = {
    "vault:aws/secretBackend:SecretBackend":
        "OpenBao has no built-in AWS secrets engine (`plugin not found in the catalog: aws`); Vault has one",
}
"""Resource types a real OpenBao refuses for a documented reason; what depends on them is skipped."""


class UnknownType(AssertionError):
    """The program emitted a ``vault:*`` type the applier cannot apply: teach it first."""


class Refused(AssertionError):
    """The server refused a write the provider would make."""


@dataclass
class Surroundings:
    """What leaving Kubernetes and the cloud forces on the applied configuration."""

    audit_dir: str
    """Where file audit devices write, instead of the pod's audit volume (``/vault/audit``)."""
    ca_pem: str
    """The test CA: it signed the OIDC issuer's, the TokenReview endpoint's and PostgreSQL's certificates."""
    log_collector: Optional[str] = None
    """A local TCP collector (``host:port``) in place of every socket audit device's address."""
    oidc_issuer: Optional[str] = None
    """The local OIDC issuer, in place of every jwt/oidc discovery URL and bound issuer."""
    token_review_host: Optional[str] = None
    """The local TokenReview endpoint, in place of the Kubernetes API."""
    postgres: Optional[tuple[str, int]] = None
    """The local PostgreSQL (host, port) in place of every database connection's host."""
    ca_file: Optional[str] = None
    """The test CA as a file (libpq's sslrootcert)."""
    secrets: dict[tuple[str, str], str] = field(default_factory=dict)
    """``(resource name, input)`` -> the value of a Pulumi secret the plan shows as ``[secret]``."""

    def secret(self, name: str, key: str) -> str:
        value = self.secrets.get((name, key))
        assert value is not None, f"no value for the secret {key} of {name}: give it in Surroundings.secrets"
        return value

    def localise(self, registration: dict) -> dict:
        """The registration as it is applied here: every place the cloud is named, replaced by
        what stands in for it. Drift compares the server with these same inputs."""
        inputs = copy.deepcopy(registration.get("inputs") or {})
        kind = registration["type"]
        if kind == "vault:index/audit:Audit":
            inputs["options"] = self._audit_options(inputs.get("options") or {})
        elif kind == "vault:jwt/authBackend:AuthBackend" and self.oidc_issuer:
            if inputs.get("oidcDiscoveryUrl"):  # the local issuer, and the CA that signed it
                inputs.update(oidcDiscoveryUrl=self.oidc_issuer, oidcDiscoveryCaPem=self.ca_pem)
            if inputs.get("boundIssuer"):
                inputs["boundIssuer"] = self.oidc_issuer
        elif kind == "vault:kubernetes/authBackendConfig:AuthBackendConfig" and self.token_review_host:
            # no pod token or CA here: the login JWT reviews itself at the local endpoint
            inputs.update(kubernetesHost=self.token_review_host, kubernetesCaCert=self.ca_pem, disableLocalCaJwt=True)
        elif kind == "vault:database/secretBackendConnection:SecretBackendConnection":
            for plugin in ("postgresql", "mysql", "mongodb"):
                if plugin in inputs and "connectionUrl" in inputs[plugin]:
                    inputs[plugin]["connectionUrl"] = self._connection_url(inputs[plugin]["connectionUrl"])
        return {**registration, "inputs": inputs}

    def _audit_options(self, options: dict[str, str]) -> dict[str, str]:
        path = options.get("file_path", "")
        if path.startswith("/vault/audit/"):
            options = {**options, "file_path": f"{self.audit_dir}/{path.removeprefix('/vault/audit/')}"}
        if "address" in options and self.log_collector:
            options = {**options, "address": self.log_collector}
        return options

    def _connection_url(self, url: str) -> str:
        if self.postgres is None:
            return url
        parts = urlsplit(url)
        user = parts.netloc.rsplit("@", 1)[0]
        query = parts.query + (f"&sslrootcert={self.ca_file}" if "sslmode=verify" in parts.query else "")
        host, port = self.postgres
        return urlunsplit((parts.scheme, f"{user}@{host}:{port}", parts.path, query, ""))


@dataclass
class Applied:
    registration: dict
    id: str
    outputs: dict = field(default_factory=dict)


@dataclass
class Report:
    applied: list[Applied] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    """Resource name -> why (a known server difference, or a dependency on one)."""
    calls: list[tuple[str, str, str, int]] = field(default_factory=list)
    """``(resource name, method, path, status)`` of every call, in order."""


def _camel_to_snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def ordered(registrations: list[dict]) -> list[dict]:
    """The ``vault:*`` resources (and the Vault provider), dependencies first."""
    vault = {r["urn"]: r for r in registrations if r["type"].startswith("vault:")}
    done: list[dict] = []
    seen: set[str] = set()

    def visit(urn: str, path: tuple[str, ...] = ()) -> None:
        if urn in seen:
            return
        assert urn not in path, f"dependency cycle through {urn}"
        for dependency in vault[urn]["dependsOn"]:
            if dependency in vault:
                visit(dependency, (*path, urn))
        seen.add(urn)
        done.append(vault[urn])

    for urn in sorted(vault):
        visit(urn)
    return done


class Applier:
    """Applies and destroys one plan's Vault resources through ``client`` (the token the
    provider is given; a child token does the work)."""

    def __init__(self, client: Client, surroundings: Surroundings, child_token: bool = True):
        self.parent = client
        self.surroundings = surroundings
        self.report = Report()
        self.current = "(provider)"
        self.by_urn: dict[str, Applied] = {}
        self.client = self._child(client) if child_token else client

    # -- the provider's own token ----------------------------------------------------

    def _child(self, client: Client) -> Client:
        self._expect(client.get("auth/token/lookup-self"), "auth/token/lookup-self", 200)
        answer = self._expect(client.post("auth/token/create", {
            "ttl": "1200s", "explicit_max_ttl": "1200s", "display_name": "terraform", "num_uses": 0,
            "renewable": False}), "auth/token/create", 200)
        self.child_token = answer.body["auth"]["client_token"]
        return client.with_token(self.child_token)

    # -- plumbing ---------------------------------------------------------------------

    def _expect(self, answer: Answer, what: str, *codes: int) -> Answer:
        self.report.calls.append(("(provider)", "", what, answer.status))
        if answer.status not in codes:
            raise Refused(f"{what}: HTTP {answer.status}: {answer.body}")
        return answer

    def call(self, method: str, path: str, body: Any = None, namespace: Optional[str] = None,
             ok: tuple[int, ...] = (200, 204)) -> Answer:
        client = self.client.in_namespace(namespace) if namespace else self.client
        answer = client.request(method, path, body) if body is not None or method in ("PUT", "POST") \
            else client.request(method, path)
        self.report.calls.append((self.current, method, path, answer.status))
        if answer.status not in ok:
            raise Refused(f"{method} {path}: HTTP {answer.status}: {answer.body}")
        return answer

    def dependency(self, registration: dict, type_suffix: str) -> Applied:
        """The applied resource of a type ending in ``type_suffix`` this one depends on."""
        found = [self.by_urn[u] for u in registration["dependsOn"]
                 if u in self.by_urn and self.by_urn[u].registration["type"].endswith(type_suffix)]
        assert len(found) == 1, f"{registration['name']}: expected one {type_suffix} dependency, found {len(found)}"
        return found[0]

    # -- apply and destroy ------------------------------------------------------------

    def apply(self, registrations: list[dict]) -> Report:
        """Apply ``registrations``, localised (:meth:`Surroundings.localise`); they are kept in
        :attr:`declared`, what drift compares the server with."""
        known = {**HANDLERS}
        self.declared = [self.surroundings.localise(r) for r in registrations]
        for registration in ordered(self.declared):
            kind = registration["type"]
            if kind == "pulumi:providers:vault":
                continue
            if kind not in known:
                raise UnknownType(f"the applier does not know {kind} ({registration['name']})")
            skipped = [self.report.skipped.get(self._name(u)) for u in registration["dependsOn"]]
            if any(skipped):
                self.report.skipped[registration["name"]] = f"depends on a skipped resource ({skipped[0]})"
                continue
            self.current = registration["name"]
            try:
                resource_id, outputs = known[kind].create(self, registration, registration["inputs"])
            except Refused as refusal:
                if kind in KNOWN_SERVER_DIFFERENCES:
                    self.report.skipped[registration["name"]] = f"{KNOWN_SERVER_DIFFERENCES[kind]} ({refusal})"
                    continue
                raise
            applied = Applied(registration, resource_id, outputs)
            known[kind].read(self, applied)
            self.by_urn[registration["urn"]] = applied
            self.report.applied.append(applied)
        return self.report

    def _name(self, urn: str) -> str:
        return urn.rsplit("::", 1)[-1]

    def update(self, registrations: list[dict]) -> list[str]:
        """Pulumi's update to a new plan: what is new or whose inputs changed is written (in
        dependency order, a write as the provider's create makes it), then what the plan no
        longer declares is deleted, in reverse order. Returns the names deleted."""
        new = [self.surroundings.localise(r) for r in registrations]
        for registration in ordered(new):
            old = self.by_urn.get(registration["urn"])
            if registration["type"] == "pulumi:providers:vault" or (
                    old is not None and old.registration["inputs"] == registration["inputs"]):
                continue
            self.current = registration["name"]
            resource_id, outputs = HANDLERS[registration["type"]].create(self, registration, registration["inputs"])
            applied = Applied(registration, resource_id, outputs)
            HANDLERS[registration["type"]].read(self, applied)
            if old is not None:
                self.report.applied[self.report.applied.index(old)] = applied
            else:
                self.report.applied.append(applied)
            self.by_urn[registration["urn"]] = applied
        declared = {r["urn"] for r in new}
        deleted = []
        for applied in [a for a in reversed(self.report.applied) if a.registration["urn"] not in declared]:
            self.current = applied.registration["name"]
            if not (applied.registration["protect"] or applied.registration.get("retainOnDelete")):
                HANDLERS[applied.registration["type"]].delete(self, applied)
                deleted.append(applied.registration["name"])
            self.report.applied.remove(applied)
            del self.by_urn[applied.registration["urn"]]
        self.declared = new
        return deleted

    def refresh(self, client: Optional[Client] = None) -> int:
        """What ``pulumi refresh`` (and ``preview --refresh``) reads: every applied resource's
        read, through ``client`` (a refresh's own identity; the applier's child token when
        omitted). Returns the number of reads; a refused read fails it."""
        saved, self.client = self.client, client or self.client
        before = len(self.report.calls)
        try:
            for applied in self.report.applied:
                self.current = applied.registration["name"]
                HANDLERS[applied.registration["type"]].read(self, applied)
        finally:
            self.client = saved
        return len(self.report.calls) - before

    def destroy(self) -> list[str]:
        """Delete, in reverse order, every applied resource Pulumi deletes: not the protected
        ones (Pulumi refuses) nor those retained on delete (Pulumi forgets them). Returns the
        names of the resources left in place."""
        kept = []
        for applied in reversed(self.report.applied):
            if applied.registration["protect"] or applied.registration.get("retainOnDelete"):
                kept.append(applied.registration["name"])
                continue
            self.current = applied.registration["name"]
            HANDLERS[applied.registration["type"]].delete(self, applied)
        return kept


# --------------------------------------------------------------------------- resource handlers


@dataclass(frozen=True)
class Handler:
    """How the provider creates, reads and deletes one resource type."""

    create: Callable[[Applier, dict, dict], tuple[str, dict]]
    read: Callable[[Applier, Applied], None]
    delete: Callable[[Applier, Applied], None]


def _ns(inputs: dict) -> Optional[str]:
    return inputs.get("namespace")


def _get(path_of: Callable[[Applied], str]) -> Callable[[Applier, Applied], None]:
    def read(applier: Applier, applied: Applied) -> None:
        applier.call("GET", path_of(applied), namespace=_ns(applied.registration["inputs"]), ok=(200,))
    return read


def _delete(path_of: Optional[Callable[[Applied], str]]) -> Callable[[Applier, Applied], None]:
    def delete(applier: Applier, applied: Applied) -> None:
        if path_of is not None:
            applier.call("DELETE", path_of(applied), namespace=_ns(applied.registration["inputs"]),
                         ok=(200, 204, 404))
    return delete


def _no_read(applier: Applier, applied: Applied) -> None:
    """The provider reads nothing back after this create."""


def _token_fields(inputs: dict) -> dict:
    """The auth roles' shared token fields, as the provider sends them on create."""
    body: dict[str, Any] = {"token_type": inputs.get("tokenType", "default")}
    for key in ("tokenPolicies", "tokenTtl", "tokenMaxTtl", "tokenBoundCidrs", "tokenExplicitMaxTtl", "tokenPeriod",
                "tokenNumUses"):
        if inputs.get(key):
            body[_camel_to_snake(key)] = inputs[key]
    body["token_no_default_policy"] = bool(inputs.get("tokenNoDefaultPolicy", False))
    return body


def _tune(tune: Optional[dict]) -> dict:
    tune = tune or {}
    body: dict[str, Any] = {"options": None, "default_lease_ttl": tune.get("defaultLeaseTtl", ""),
                            "max_lease_ttl": tune.get("maxLeaseTtl", ""), "force_no_cache": False}
    for key in ("auditNonHmacRequestKeys", "auditNonHmacResponseKeys", "passthroughRequestHeaders",
                "allowedResponseHeaders"):
        body[_camel_to_snake(key)] = tune.get(key) or [""]
    for key in ("listingVisibility", "tokenType"):
        if tune.get(key):
            body[_camel_to_snake(key)] = tune[key]
    return body


def _enable_auth(applier: Applier, inputs: dict, kind: str) -> str:
    path = inputs.get("path") or kind
    applier.call("POST", f"sys/auth/{path}", {
        "type": kind, "description": inputs.get("description", ""),
        "config": {"options": None, "default_lease_ttl": "", "max_lease_ttl": "", "force_no_cache": False},
        "local": bool(inputs.get("local", False)), "seal_wrap": False, "external_entropy_access": False,
        "options": None}, _ns(inputs))
    return path


def _accessor(applier: Applier, path: str, namespace: Optional[str]) -> str:
    return applier.call("GET", f"sys/mounts/auth/{path}", namespace=namespace, ok=(200,)).data["accessor"]


def _create_auth_backend(applier: Applier, registration: dict, inputs: dict) -> tuple[str, dict]:
    path = _enable_auth(applier, inputs, inputs["type"])
    if inputs.get("tune"):
        applier.call("POST", f"sys/mounts/auth/{path}/tune", _tune(inputs["tune"]), _ns(inputs))
    return path, {"accessor": _accessor(applier, path, _ns(inputs))}


def _read_auth_backend(applier: Applier, applied: Applied) -> None:
    namespace = _ns(applied.registration["inputs"])
    applier.call("GET", f"sys/mounts/auth/{applied.id}", namespace=namespace, ok=(200,))
    applier.call("GET", f"sys/mounts/auth/{applied.id}/tune", namespace=namespace, ok=(200,))


def _create_jwt_backend(applier: Applier, registration: dict, inputs: dict) -> tuple[str, dict]:
    surroundings = applier.surroundings
    path = _enable_auth(applier, inputs, inputs.get("type", "jwt"))
    config: dict[str, Any] = {"namespace_in_state": True}
    for key in ("oidcDiscoveryUrl", "oidcDiscoveryCaPem", "oidcClientId", "boundIssuer", "defaultRole", "jwksUrl",
                "oidcResponseMode"):
        if key in inputs:
            config[_camel_to_snake(key)] = inputs[key]
    if inputs.get("oidcClientSecret") == SECRET:
        config["oidc_client_secret"] = surroundings.secret(registration["name"], "oidcClientSecret")
    applier.call("PUT", f"auth/{path}/config", config, _ns(inputs))
    if inputs.get("tune"):
        applier.call("POST", f"sys/mounts/auth/{path}/tune", _tune(inputs["tune"]), _ns(inputs))
    return path, {"accessor": _accessor(applier, path, _ns(inputs))}


def _read_jwt_backend(applier: Applier, applied: Applied) -> None:
    _read_auth_backend(applier, applied)
    applier.call("GET", f"auth/{applied.id}/config", namespace=_ns(applied.registration["inputs"]), ok=(200,))


def _create_ldap_backend(applier: Applier, registration: dict, inputs: dict) -> tuple[str, dict]:
    path = _enable_auth(applier, inputs, "ldap")
    config: dict[str, Any] = {key: bool(inputs.get(camel, default)) for key, camel, default in (
        ("starttls", "starttls", False), ("insecure_tls", "insecureTls", False), ("case_sensitive_names",
        "caseSensitiveNames", False), ("discoverdn", "discoverdn", False), ("deny_null_bind", "denyNullBind", True),
        ("username_as_alias", "usernameAsAlias", False), ("use_token_groups", "useTokenGroups", False),
        ("anonymous_group_search", "anonymousGroupSearch", False))}
    for key in ("url", "tlsMinVersion", "certificate", "binddn", "userdn", "userattr", "groupdn", "groupattr"):
        if inputs.get(key):
            config[_camel_to_snake(key)] = inputs[key]
    if inputs.get("bindpass") == SECRET:
        config["bindpass"] = applier.surroundings.secret(registration["name"], "bindpass")
    applier.call("PUT", f"auth/{path}/config", config, _ns(inputs))
    if inputs.get("tune"):
        applier.call("POST", f"sys/mounts/auth/{path}/tune", _tune(inputs["tune"]), _ns(inputs))
    return path, {"accessor": _accessor(applier, path, _ns(inputs))}


def _create_kubernetes_config(applier: Applier, registration: dict, inputs: dict) -> tuple[str, dict]:
    body: dict[str, Any] = {"kubernetes_host": inputs["kubernetesHost"],
                            "disable_iss_validation": bool(inputs.get("disableIssValidation", False))}
    if inputs.get("kubernetesCaCert"):
        body["kubernetes_ca_cert"] = inputs["kubernetesCaCert"]
    if inputs.get("disableLocalCaJwt"):
        body["disable_local_ca_jwt"] = True
    path = f"auth/{inputs['backend']}/config"
    applier.call("PUT", path, body, _ns(inputs))
    return path, {}


def _role(kind_path: str, extra: Callable[[dict], dict], reads: tuple[str, ...] = ("",)) -> Handler:
    """``reads``: what the provider reads after a write, relative to the role's path (an
    AppRole's role ID too)."""
    def path_of(inputs: dict) -> str:
        return f"auth/{inputs['backend'].strip('/')}/{kind_path}/{inputs.get('roleName') or inputs['name']}"

    def create(applier: Applier, registration: dict, inputs: dict) -> tuple[str, dict]:
        path = path_of(inputs)
        applier.call("PUT", path, {**_token_fields(inputs), **extra(inputs)}, _ns(inputs))
        return path, {}

    def read(applier: Applier, applied: Applied) -> None:
        for suffix in reads:
            applier.call("GET", applied.id + suffix, namespace=_ns(applied.registration["inputs"]), ok=(200,))

    return Handler(create, read, _delete(lambda a: a.id))


def _approle_fields(inputs: dict) -> dict:
    body = {"bind_secret_id": inputs.get("bindSecretId", True), "local_secret_ids": False}
    for key in ("secretIdNumUses", "secretIdTtl", "secretIdBoundCidrs"):
        if inputs.get(key):
            body[_camel_to_snake(key)] = inputs[key]
    return body


def _jwt_role_fields(inputs: dict) -> dict:
    body: dict[str, Any] = {
        "bound_audiences": inputs.get("boundAudiences", []), "user_claim": inputs.get("userClaim", ""),
        "user_claim_json_pointer": False, "bound_claims": {
            key: [part.strip() for part in value.split(",")] for key, value in (inputs.get("boundClaims") or {}).items()},
        "clock_skew_leeway": 0, "expiration_leeway": 0, "not_before_leeway": 0, "verbose_oidc_logging": False}
    for key in ("roleType", "boundSubject", "boundClaimsType", "groupsClaim", "maxAge", "claimMappings"):
        if key in inputs:
            body[_camel_to_snake(key)] = inputs[key]
    for key in ("allowedRedirectUris", "oidcScopes"):
        if inputs.get(key):
            body[_camel_to_snake(key)] = inputs[key]
    return body


def _kubernetes_role_fields(inputs: dict) -> dict:
    body = {"bound_service_account_names": inputs.get("boundServiceAccountNames", []),
            "bound_service_account_namespace_selector": ""}
    for key in ("boundServiceAccountNamespaces", "audience", "aliasNameSource"):
        if inputs.get(key):
            body[_camel_to_snake(key)] = inputs[key]
    return body


def _cert_role_fields(inputs: dict) -> dict:
    body: dict[str, Any] = {"ocsp_enabled": False, "ocsp_fail_open": False, "ocsp_query_all_servers": False,
                            "ocsp_max_retries": 4}
    for key in ("certificate", "displayName", "allowedCommonNames", "allowedDnsSans", "allowedEmailSans",
                "allowedNames", "allowedOrganizationalUnits", "allowedUriSans", "requiredExtensions"):
        if inputs.get(key):
            body[_camel_to_snake(key)] = inputs[key]
    return body


def _create_mount(applier: Applier, registration: dict, inputs: dict) -> tuple[str, dict]:
    path = inputs["path"]
    seconds = lambda key: f"{int(inputs.get(key) or 0)}s"  # noqa: E731
    applier.call("POST", f"sys/mounts/{path}", {
        "type": inputs["type"], "description": inputs.get("description", ""),
        "config": {"options": None, "default_lease_ttl": seconds("defaultLeaseTtlSeconds"),
                   "max_lease_ttl": seconds("maxLeaseTtlSeconds"), "force_no_cache": False},
        "local": bool(inputs.get("local", False)), "seal_wrap": False, "external_entropy_access": False,
        "options": inputs.get("options") or {}}, _ns(inputs))
    return path, {"path": path}


def _create_aws_backend(applier: Applier, registration: dict, inputs: dict) -> tuple[str, dict]:
    path = inputs.get("path") or "aws"
    _create_mount(applier, registration, {**inputs, "type": "aws", "path": path})
    applier.call("PUT", f"{path}/config/root", {
        "access_key": inputs["accessKey"], "max_retries": -1, "region": inputs.get("region", ""),
        "secret_key": applier.surroundings.secret(registration["name"], "secretKey")}, _ns(inputs))
    return path, {}


def _create_audit(applier: Applier, registration: dict, inputs: dict) -> tuple[str, dict]:
    path = inputs.get("path") or inputs["type"]
    applier.call("PUT", f"sys/audit/{path}", {
        "type": inputs["type"], "description": inputs.get("description", ""),
        "options": inputs.get("options") or {},
        "local": bool(inputs.get("local", False))}, _ns(inputs))
    return path, {}


def _create_named(path_format: str, body_of: Callable[[Applier, dict, dict], dict],
                  method: str = "PUT") -> Callable[[Applier, dict, dict], tuple[str, dict]]:
    def create(applier: Applier, registration: dict, inputs: dict) -> tuple[str, dict]:
        path = path_format.format(**{k: str(v).strip("/") for k, v in inputs.items() if isinstance(v, (str, int))})
        applier.call(method, path, body_of(applier, registration, inputs), _ns(inputs))
        return path, {}
    return create


def _policy_body(applier: Applier, registration: dict, inputs: dict) -> dict:
    return {"policy": inputs["policy"]}


def _rate_limit_body(applier: Applier, registration: dict, inputs: dict) -> dict:
    body = {"path": inputs.get("path", ""), "rate": inputs["rate"]}
    for key in ("interval", "blockInterval", "role"):
        if inputs.get(key):
            body[_camel_to_snake(key)] = inputs[key]
    return body


def _lease_count_body(applier: Applier, registration: dict, inputs: dict) -> dict:
    return {"path": inputs.get("path", ""), "max_leases": inputs["maxLeases"]}


def _create_namespace(applier: Applier, registration: dict, inputs: dict) -> tuple[str, dict]:
    path = inputs["path"]
    applier.call("PUT", f"sys/namespaces/{path}", {}, _ns(inputs))
    return f"sys/namespaces/{path}", {}


def _create_group(applier: Applier, registration: dict, inputs: dict) -> tuple[str, dict]:
    live_ids = {_mock_id(a.registration["name"]): a.id for a in applier.by_urn.values()
                if a.registration["type"] == "vault:identity/group:Group"}
    body: dict[str, Any] = {"type": inputs.get("type", "internal"), "name": inputs["name"],
                            "policies": inputs.get("policies", []), "metadata": inputs.get("metadata", {})}
    if body["type"] == "internal":
        body["member_entity_ids"] = []
        body["member_group_ids"] = [live_ids[mock] for mock in inputs.get("memberGroupIds", [])]
    answer = applier.call("PUT", "identity/group", body, _ns(inputs))
    return answer.data["id"], {}


def _mock_id(name: str) -> str:
    """The id the offline plan's mocks give a group (vault_platform/plan/mocks.py)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def _create_group_alias(applier: Applier, registration: dict, inputs: dict) -> tuple[str, dict]:
    group = applier.dependency(registration, "identity/group:Group")
    mount = applier.dependency(registration, "AuthBackend")
    answer = applier.call("PUT", "identity/group-alias", {
        "name": inputs["name"], "mount_accessor": mount.outputs["accessor"], "canonical_id": group.id}, _ns(inputs))
    return answer.data["id"], {}


def _password_policy_body(applier: Applier, registration: dict, inputs: dict) -> dict:
    return {"policy": inputs["policy"]}


def _database_connection(applier: Applier, registration: dict, inputs: dict) -> tuple[str, dict]:
    plugin = next(k for k in ("postgresql", "mysql", "mongodb") if k in inputs)
    block = inputs[plugin]
    body: dict[str, Any] = {
        "plugin_name": inputs.get("pluginName") or f"{plugin}-database-plugin",
        "verify_connection": inputs.get("verifyConnection", True),
        "allowed_roles": ",".join(inputs.get("allowedRoles", [])),
        "connection_url": block["connectionUrl"],
        "max_open_connections": block.get("maxOpenConnections", 2), "username": block.get("username", ""),
        "disable_escaping": False, "password_authentication": "password"}
    if block.get("password") == SECRET:
        body["password"] = applier.surroundings.secret(registration["name"], "password")
    for key in ("passwordPolicy", "rootRotationStatements"):
        if inputs.get(key):
            body[_camel_to_snake(key)] = inputs[key]
    path = f"{inputs['backend'].strip('/')}/config/{inputs['name']}"
    applier.call("PUT", path, body, _ns(inputs))
    return path, {}


def _database_role_body(applier: Applier, registration: dict, inputs: dict) -> dict:
    body = {"db_name": inputs["dbName"], "creation_statements": inputs["creationStatements"]}
    for key in ("defaultTtl", "maxTtl", "revocationStatements", "rollbackStatements", "renewStatements"):
        if inputs.get(key):
            body[_camel_to_snake(key)] = inputs[key]
    return body


def _static_role_body(applier: Applier, registration: dict, inputs: dict) -> dict:
    body = {"username": inputs["username"], "db_name": inputs["dbName"],
            "rotation_statements": inputs.get("rotationStatements", [])}
    if inputs.get("rotationPeriod"):
        body["rotation_period"] = inputs["rotationPeriod"]
    return body


def _kv_config_body(applier: Applier, registration: dict, inputs: dict) -> dict:
    return {"max_versions": inputs.get("maxVersions", 0), "cas_required": bool(inputs.get("casRequired", False)),
            "delete_version_after": inputs.get("deleteVersionAfter", 0)}


def _create_transit_key(applier: Applier, registration: dict, inputs: dict) -> tuple[str, dict]:
    path = f"{inputs['backend'].strip('/')}/keys/{inputs['name']}"
    rotate = inputs.get("autoRotatePeriod", 0)
    applier.call("PUT", path, {"convergent_encryption": False, "derived": False,
                               "type": inputs.get("type", "aes256-gcm96"), "auto_rotate_period": rotate,
                               "key_size": 0}, _ns(inputs))
    applier.call("PUT", f"{path}/config", {  # the provider's own spelling (min_encryption_versoin) on create
        "min_decryption_version": inputs.get("minDecryptionVersion", 1), "min_encryption_versoin": 0,
        "deletion_allowed": bool(inputs.get("deletionAllowed", False)), "exportable": bool(inputs.get("exportable",
                                                                                                      False)),
        "allow_plaintext_backup": bool(inputs.get("allowPlaintextBackup", False)), "auto_rotate_period": rotate},
        _ns(inputs))
    return path, {}


def _aws_role_body(applier: Applier, registration: dict, inputs: dict) -> dict:
    body: dict[str, Any] = {"credential_type": inputs["credentialType"]}
    for key in ("policyDocument", "policyArns", "roleArns"):
        if inputs.get(key):
            body[_camel_to_snake(key)] = inputs[key]
    for key in ("defaultStsTtl", "maxStsTtl"):
        if inputs.get(key):
            body[_camel_to_snake(key)] = str(inputs[key])
    return body


PKI_SUBJECT = ("commonName", "organization", "ou", "country", "locality", "province", "streetAddress", "postalCode")


def _create_root_cert(applier: Applier, registration: dict, inputs: dict) -> tuple[str, dict]:
    body: dict[str, Any] = {"exclude_cn_from_sans": False, "use_pss": False}
    for key in (*PKI_SUBJECT, "ttl", "format", "privateKeyFormat", "maxPathLength", "keyType", "keyBits",
                "issuerName", "keyName"):
        if key in inputs:
            body[_camel_to_snake(key)] = inputs[key]
    backend = inputs["backend"].strip("/")
    answer = applier.call("PUT", f"{backend}/issuers/generate/root/{inputs['type']}", body, _ns(inputs))
    return f"{backend}/issuer/{answer.data['issuer_id']}", {"certificate": answer.data["certificate"]}


def _create_csr(applier: Applier, registration: dict, inputs: dict) -> tuple[str, dict]:
    body: dict[str, Any] = {"exclude_cn_from_sans": False, "add_basic_constraints": False}
    for key in (*PKI_SUBJECT, "format", "privateKeyFormat", "keyType", "keyBits", "keyName"):
        if key in inputs:
            body[_camel_to_snake(key)] = inputs[key]
    backend = inputs["backend"].strip("/")
    answer = applier.call("PUT", f"{backend}/issuers/generate/intermediate/{inputs['type']}", body, _ns(inputs))
    return f"{backend}/csr", {"csr": answer.data["csr"]}


def _create_sign_intermediate(applier: Applier, registration: dict, inputs: dict) -> tuple[str, dict]:
    csr = applier.dependency(registration, "SecretBackendIntermediateCertRequest").outputs["csr"]
    body: dict[str, Any] = {"csr": csr, "exclude_cn_from_sans": False, "use_csr_values": False, "use_pss": False}
    for key in (*PKI_SUBJECT, "ttl", "format", "maxPathLength"):
        if key in inputs:
            body[_camel_to_snake(key)] = inputs[key]
    backend = inputs["backend"].strip("/")
    answer = applier.call("PUT", f"{backend}/root/sign-intermediate", body, _ns(inputs))
    return f"{backend}/{inputs.get('commonName')}", {"certificate": answer.data["certificate"],
                                                     "ca_chain": answer.data.get("ca_chain")}


def _create_set_signed(applier: Applier, registration: dict, inputs: dict) -> tuple[str, dict]:
    signed = applier.dependency(registration, "SecretBackendRootSignIntermediate").outputs["certificate"]
    backend = inputs["backend"].strip("/")
    applier.call("PUT", f"{backend}/intermediate/set-signed", {"certificate": signed}, _ns(inputs))
    return f"{backend}/set-signed", {}


PKI_ROLE_BOOLEANS = {
    "allowAnyName": False, "allowBareDomains": False, "allowGlobDomains": False, "allowIpSans": True,
    "allowLocalhost": True, "allowSubdomains": False, "allowWildcardCertificates": True,
    "allowedUriSansTemplate": False, "basicConstraintsValidForNonCa": False, "clientFlag": True,
    "codeSigningFlag": False, "emailProtectionFlag": False, "enforceHostnames": True, "generateLease": False,
    "noStore": False, "requireCn": True, "serverFlag": True, "useCsrCommonName": True, "useCsrSans": True,
}
"""The PKI role's booleans the provider always sends, with its schema defaults."""


def _pki_role_body(applier: Applier, registration: dict, inputs: dict) -> dict:
    body: dict[str, Any] = {_camel_to_snake(k): bool(inputs.get(k, d)) for k, d in PKI_ROLE_BOOLEANS.items()}
    body.update(key_type=inputs.get("keyType", "rsa"), key_bits=inputs.get("keyBits", 2048))
    for key in ("allowedDomains", "ttl", "maxTtl", "extKeyUsages", "keyUsages"):
        if inputs.get(key):
            body[{"extKeyUsages": "ext_key_usage", "keyUsages": "key_usage"}.get(key, _camel_to_snake(key))] = inputs[key]
    return body


def _urls_body(applier: Applier, registration: dict, inputs: dict) -> dict:
    return {"issuing_certificates": inputs.get("issuingCertificates", []),
            "crl_distribution_points": inputs.get("crlDistributionPoints", []),
            "ocsp_servers": inputs.get("ocspServers", []), "enable_templating": False}


def _crl_body(applier: Applier, registration: dict, inputs: dict) -> dict:
    body = {"disable": bool(inputs.get("disable", False)), "ocsp_disable": False,
            "auto_rebuild": bool(inputs.get("autoRebuild", False)), "enable_delta": bool(inputs.get("enableDelta", False))}
    if inputs.get("expiry"):
        body["expiry"] = inputs["expiry"]
    return body


AUTO_TIDY_BOOLEANS = ("enabled", "maintainStoredCertificateCounts", "publishStoredCertificateCountMetrics",
                      "tidyCertStore", "tidyRevokedCerts", "tidyRevokedCertIssuerAssociations", "tidyExpiredIssuers",
                      "tidyMoveLegacyCaBundle", "tidyAcme", "tidyRevocationQueue", "tidyCrossClusterRevokedCerts",
                      "tidyCertMetadata", "tidyCmpv2NonceStore")


def _auto_tidy_body(applier: Applier, registration: dict, inputs: dict) -> dict:
    body: dict[str, Any] = {_camel_to_snake(k): bool(inputs.get(k, False)) for k in AUTO_TIDY_BOOLEANS}
    for key in ("intervalDuration", "safetyBuffer"):
        if inputs.get(key):
            body[_camel_to_snake(key)] = inputs[key]
    return body


def _config_path(suffix: str) -> Callable[[Applier, dict, dict], tuple[str, dict]]:
    return lambda applier, registration, inputs: (f"{inputs['backend'].strip('/')}/{suffix}", {})


def _put_at(path_of: Callable[[dict], str], body_of: Callable[[Applier, dict, dict], dict]):
    def create(applier: Applier, registration: dict, inputs: dict) -> tuple[str, dict]:
        path = path_of(inputs)
        applier.call("PUT", path, body_of(applier, registration, inputs), _ns(inputs))
        return path, {}
    return create


def _backend_path(template: str) -> Callable[[dict], str]:
    return lambda inputs: template.format(backend=inputs.get("backend", inputs.get("mount", "")).strip("/"),
                                          name=inputs.get("name", ""))


AUTOPILOT_PATH = "sys/storage/raft/autopilot/configuration"
AUTOPILOT_FIELDS = ("cleanupDeadServers", "lastContactThreshold", "deadServerLastContactThreshold", "maxTrailingLogs",
                    "minQuorum", "serverStabilizationTime")
AUTOPILOT_DEFAULTS = {"cleanup_dead_servers": False, "dead_server_last_contact_threshold": "24h0m0s",
                      "last_contact_threshold": "10s", "max_trailing_logs": 1000, "min_quorum": 3,
                      "server_stabilization_time": "10s"}
"""What the provider writes back when the resource is deleted (it has no delete call)."""


def _autopilot_body(applier: Applier, registration: dict, inputs: dict) -> dict:
    """The fields the provider sends when set (a false or zero value is left out)."""
    return {_camel_to_snake(key): inputs[key] for key in AUTOPILOT_FIELDS if inputs.get(key)}


def _reset_autopilot(applier: Applier, applied: Applied) -> None:
    applier.call("PUT", AUTOPILOT_PATH, AUTOPILOT_DEFAULTS)


_by_id = lambda a: a.id  # noqa: E731

HANDLERS: dict[str, Handler] = {
    "vault:index/namespace:Namespace": Handler(_create_namespace, _get(_by_id), _delete(_by_id)),
    "vault:index/audit:Audit": Handler(_create_audit, _no_read, _delete(lambda a: f"sys/audit/{a.id}")),
    "vault:index/policy:Policy": Handler(_create_named("sys/policies/acl/{name}", _policy_body),
                                         _get(_by_id), _delete(_by_id)),
    "vault:index/passwordPolicy:PasswordPolicy": Handler(
        _create_named("sys/policies/password/{name}", _password_policy_body), _no_read, _delete(_by_id)),
    "vault:index/authBackend:AuthBackend": Handler(_create_auth_backend, _read_auth_backend,
                                                   _delete(lambda a: f"sys/auth/{a.id}")),
    "vault:jwt/authBackend:AuthBackend": Handler(_create_jwt_backend, _read_jwt_backend,
                                                 _delete(lambda a: f"sys/auth/{a.id}")),
    "vault:ldap/authBackend:AuthBackend": Handler(_create_ldap_backend, _read_jwt_backend,
                                                  _delete(lambda a: f"sys/auth/{a.id}")),
    "vault:kubernetes/authBackendConfig:AuthBackendConfig": Handler(_create_kubernetes_config, _get(_by_id),
                                                                    _delete(None)),
    "vault:kubernetes/authBackendRole:AuthBackendRole": _role("role", _kubernetes_role_fields),
    "vault:appRole/authBackendRole:AuthBackendRole": _role("role", _approle_fields, ("", "/role-id")),
    "vault:jwt/authBackendRole:AuthBackendRole": _role("role", _jwt_role_fields),
    "vault:index/certAuthBackendRole:CertAuthBackendRole": _role("certs", _cert_role_fields),
    "vault:identity/group:Group": Handler(_create_group, _get(lambda a: f"identity/group/id/{a.id}"),
                                          _delete(lambda a: f"identity/group/id/{a.id}")),
    "vault:identity/groupAlias:GroupAlias": Handler(_create_group_alias,
                                                    _get(lambda a: f"identity/group-alias/id/{a.id}"),
                                                    _delete(lambda a: f"identity/group-alias/id/{a.id}")),
    "vault:index/quotaRateLimit:QuotaRateLimit": Handler(
        _create_named("sys/quotas/rate-limit/{name}", _rate_limit_body), _get(_by_id), _delete(_by_id)),
    "vault:index/quotaLeaseCount:QuotaLeaseCount": Handler(
        _create_named("sys/quotas/lease-count/{name}", _lease_count_body), _get(_by_id), _delete(_by_id)),
    "vault:index/raftAutopilot:RaftAutopilot": Handler(
        _put_at(lambda inputs: AUTOPILOT_PATH, _autopilot_body), _get(_by_id), _reset_autopilot),
    "vault:index/mount:Mount": Handler(_create_mount, _get(lambda a: f"sys/mounts/{a.id}"),
                                       _delete(lambda a: f"sys/mounts/{a.id}")),
    "vault:aws/secretBackend:SecretBackend": Handler(_create_aws_backend, _get(lambda a: f"{a.id}/config/root"),
                                                     _delete(lambda a: f"sys/mounts/{a.id}")),
    "vault:aws/secretBackendRole:SecretBackendRole": Handler(
        _put_at(_backend_path("{backend}/roles/{name}"), _aws_role_body), _get(_by_id), _delete(_by_id)),
    "vault:database/secretBackendConnection:SecretBackendConnection": Handler(_database_connection, _get(_by_id),
                                                                              _delete(_by_id)),
    "vault:database/secretBackendRole:SecretBackendRole": Handler(
        _put_at(_backend_path("{backend}/roles/{name}"), _database_role_body), _get(_by_id), _delete(_by_id)),
    "vault:database/secretBackendStaticRole:SecretBackendStaticRole": Handler(
        _put_at(_backend_path("{backend}/static-roles/{name}"), _static_role_body), _get(_by_id), _delete(_by_id)),
    "vault:kv/secretBackendV2:SecretBackendV2": Handler(
        _put_at(_backend_path("{backend}/config"), _kv_config_body), _get(_by_id), _delete(None)),
    "vault:transit/secretBackendKey:SecretBackendKey": Handler(_create_transit_key, _get(_by_id), _delete(_by_id)),
    "vault:pkiSecret/secretBackendRootCert:SecretBackendRootCert": Handler(_create_root_cert, _no_read,
                                                                           _delete(_by_id)),
    "vault:pkiSecret/secretBackendIntermediateCertRequest:SecretBackendIntermediateCertRequest": Handler(
        _create_csr, _no_read, _delete(None)),
    "vault:pkiSecret/secretBackendRootSignIntermediate:SecretBackendRootSignIntermediate": Handler(
        _create_sign_intermediate, _no_read, _delete(None)),
    "vault:pkiSecret/secretBackendIntermediateSetSigned:SecretBackendIntermediateSetSigned": Handler(
        _create_set_signed, _no_read, _delete(None)),
    "vault:pkiSecret/secretBackendRole:SecretBackendRole": Handler(
        _put_at(_backend_path("{backend}/roles/{name}"), _pki_role_body), _get(_by_id), _delete(_by_id)),
    "vault:pkiSecret/secretBackendConfigUrls:SecretBackendConfigUrls": Handler(
        _put_at(_backend_path("{backend}/config/urls"), _urls_body), _get(_by_id), _delete(None)),
    "vault:pkiSecret/secretBackendCrlConfig:SecretBackendCrlConfig": Handler(
        _put_at(_backend_path("{backend}/config/crl"), _crl_body), _get(_by_id), _delete(None)),
    "vault:pkiSecret/backendConfigAutoTidy:BackendConfigAutoTidy": Handler(
        _put_at(_backend_path("{backend}/config/auto-tidy"), _auto_tidy_body), _get(_by_id), _delete(None)),
}
