"""The declared side of drift: the plan's ``vault:*`` resources (``resources.json``, the
inputs the Vault provider sends), turned into the objects the server keeps — each with its
namespace, the path it is read at, and the normal form of every compared attribute.

References between resources (a group's member groups, an alias's group and auth mount)
are resolved by name, since the plan holds placeholders where the server holds ids.
Every ``vault:*`` type the program emits must be known here: an unknown one raises
:class:`UnknownResource` rather than being silently left out.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from vault_platform.live.drift import catalog as c
from vault_platform.live.drift import normalise as n


class UnknownResource(ValueError):
    """A ``vault:*`` resource type drift does not know how to compare."""


@dataclass
class Declared:
    object: str
    """What it is (``auth role``, ``audit device``...)."""
    namespace: Optional[str]
    path: str
    """Where the server keeps it (``auth/kubernetes/role/ingest``)."""
    resource: str
    """The Pulumi resource that declares it."""
    expected: dict[str, tuple[Any, c.Attribute]] = field(default_factory=dict)
    """Attribute -> (declared normal form, how it is compared)."""
    open_prefix: Optional[str] = None
    """Live attributes under this prefix that the stack does not name are compared with
    their default too (an audit device's options)."""

    def expect(self, attribute: c.Attribute, value: Any) -> None:
        self.expected[attribute.name] = (value, attribute)

    @property
    def secrets(self) -> list[str]:
        return sorted(name for name, (_, attribute) in self.expected.items() if attribute.secret)


NOT_COMPARED = {
    "vault:pkiSecret/secretBackendRootCert:SecretBackendRootCert": "a one-time issuance (the CA certificate)",
    "vault:pkiSecret/secretBackendIntermediateCertRequest:SecretBackendIntermediateCertRequest":
        "a one-time issuance (the intermediate's CSR)",
    "vault:pkiSecret/secretBackendRootSignIntermediate:SecretBackendRootSignIntermediate":
        "a one-time issuance (the signed intermediate)",
    "vault:pkiSecret/secretBackendIntermediateSetSigned:SecretBackendIntermediateSetSigned":
        "a one-time issuance (the intermediate installed)",
}
"""Resource types that declare an operation, not a setting the server keeps."""


def _plain(declared: Declared, inputs: dict, attributes: tuple[c.Attribute, ...]) -> Declared:
    for attribute in attributes:
        declared.expect(attribute, attribute.declared(inputs))
    return declared


def _mount_type(kind: str, options: Optional[dict]) -> str:
    version = str((options or {}).get("version") or "1")
    return "kv-v2" if kind == "kv" and version == "2" else kind


TYPE = c.Attribute("type", None)


def _auth_method(r: dict, inputs: dict, kind: str, config: Optional[tuple[c.Attribute, ...]]) -> list[Declared]:
    path = str(inputs.get("path") or kind).strip("/")
    namespace = inputs.get("namespace")
    mount = _plain(Declared("auth method", namespace, f"sys/auth/{path}", r["name"]), inputs, c.TUNE)
    mount.expect(TYPE, kind)
    if config is None:
        return [mount]
    return [mount, _plain(Declared("auth method config", namespace, f"auth/{path}/config", r["name"]), inputs, config)]


def _audit(r: dict, inputs: dict) -> list[Declared]:
    kind = inputs["type"]
    declared = Declared("audit device", inputs.get("namespace"), f"sys/audit/{inputs.get('path') or kind}", r["name"],
                        open_prefix="options.")
    declared.expect(TYPE, kind)
    declared.expect(c.Attribute("description", None, n.plain, c.SETTING), inputs.get("description", ""))
    declared.expect(c.Attribute("local", None, n.flag, c.SETTING), n.flag(inputs.get("local")))
    options = {**c.AUDIT_OPTIONS_DEFAULTS, **c.AUDIT_TYPE_DEFAULTS.get(kind, {}), **(inputs.get("options") or {})}
    for key, value in options.items():
        attribute = audit_option(kind, key)
        declared.expect(attribute, attribute.normalise(value))
    return [declared]


def audit_option(kind: str, key: str) -> c.Attribute:
    """How an audit device's option is compared (also one the stack does not name)."""
    default = {**c.AUDIT_OPTIONS_DEFAULTS, **c.AUDIT_TYPE_DEFAULTS.get(kind, {})}.get(key)
    normalise = n.with_default(n.flag if key in c.AUDIT_FLAGS else n.plain, default)
    return c.Attribute(f"options.{key}", None, normalise)


def _secret_mount(r: dict, inputs: dict, kind: Optional[str] = None) -> Declared:
    declared = _plain(Declared("secret engine", inputs.get("namespace"), f"sys/mounts/{inputs['path'].strip('/')}",
                               r["name"]), inputs, c.SECRET_MOUNT)
    declared.expect(TYPE, _mount_type(kind or inputs["type"], inputs.get("options")))
    return declared


def _under(kind: str, template: str, attributes: tuple[c.Attribute, ...]) -> Callable[[dict, dict], list[Declared]]:
    """An object at ``template`` (``{backend}``, ``{name}``) under a mount."""
    def build(r: dict, inputs: dict) -> list[Declared]:
        backend = str(inputs.get("backend") or inputs.get("mount") or "").strip("/")
        name = inputs.get("roleName") or inputs.get("name") or ""
        path = template.format(backend=backend, name=name)
        return [_plain(Declared(kind, inputs.get("namespace"), path, r["name"]), inputs, attributes)]
    return build


def _database_connection(r: dict, inputs: dict) -> list[Declared]:
    [declared] = _under("database connection", "{backend}/config/{name}", c.DATABASE_CONNECTION)(r, inputs)
    plugin = next((inputs[key] for key in ("postgresql", "mysql", "mongodb") if key in inputs), {})
    for attribute in (c.Attribute("connection_url", "connectionUrl"), c.Attribute("username", "username"),
                      c.Attribute("max_open_connections", "maxOpenConnections", n.with_default(n.seconds, 4),
                                  c.SETTING),
                      c.Attribute("password", "password", n.plain, c.PRIVILEGE, True)):
        declared.expect(attribute, attribute.declared(plugin))
    return [declared]


def _group(r: dict, inputs: dict) -> list[Declared]:
    declared = _plain(Declared("identity group", inputs.get("namespace"), f"identity/group/name/{inputs['name']}",
                               r["name"]), inputs, c.GROUP)
    declared.expect(MEMBER_GROUPS, sorted(inputs.get("memberGroupIds") or []))  # ids until resolved
    declared.expect(ALIAS, "")
    if declared.expected["type"][0] == "external":  # its members are whoever the directory says logs in
        del declared.expected["member_entity_ids"]
    return [declared]


MEMBER_GROUPS = c.Attribute("member_groups", None, n.names)
ALIAS = c.Attribute("alias", None, n.plain)


def _quota(kind: str, attributes: tuple[c.Attribute, ...]) -> Callable[[dict, dict], list[Declared]]:
    def build(r: dict, inputs: dict) -> list[Declared]:  # quotas live in the root namespace
        return [_plain(Declared("quota", None, f"sys/quotas/{kind}/{inputs['name']}", r["name"]), inputs, attributes)]
    return build


def _named(kind: str, template: str, attributes: tuple[c.Attribute, ...]) -> Callable[[dict, dict], list[Declared]]:
    def build(r: dict, inputs: dict) -> list[Declared]:
        path = template.format(name=inputs.get("name", ""), path=str(inputs.get("path", "")).strip("/"))
        return [_plain(Declared(kind, inputs.get("namespace"), path, r["name"]), inputs, attributes)]
    return build


BUILDERS: dict[str, Callable[[dict, dict], list[Declared]]] = {
    "vault:index/namespace:Namespace": _named("namespace", "sys/namespaces/{path}", ()),
    "vault:index/audit:Audit": _audit,
    "vault:index/policy:Policy": _named("policy", "sys/policies/acl/{name}", c.POLICY),
    "vault:index/passwordPolicy:PasswordPolicy": _named("password policy", "sys/policies/password/{name}",
                                                        c.PASSWORD_POLICY),
    "vault:index/authBackend:AuthBackend": lambda r, i: _auth_method(r, i, i["type"], None),
    "vault:jwt/authBackend:AuthBackend": lambda r, i: _auth_method(r, i, i.get("type", "jwt"), c.JWT_CONFIG),
    "vault:ldap/authBackend:AuthBackend": lambda r, i: _auth_method(r, i, "ldap", c.LDAP_CONFIG),
    "vault:kubernetes/authBackendConfig:AuthBackendConfig": _under("auth method config", "auth/{backend}/config",
                                                                   c.KUBERNETES_CONFIG),
    "vault:kubernetes/authBackendRole:AuthBackendRole": _under("auth role", "auth/{backend}/role/{name}",
                                                               c.KUBERNETES_ROLE),
    "vault:appRole/authBackendRole:AuthBackendRole": _under("auth role", "auth/{backend}/role/{name}", c.APPROLE_ROLE),
    "vault:jwt/authBackendRole:AuthBackendRole": _under("auth role", "auth/{backend}/role/{name}", c.JWT_ROLE),
    "vault:index/certAuthBackendRole:CertAuthBackendRole": _under("auth role", "auth/{backend}/certs/{name}",
                                                                  c.CERT_ROLE),
    "vault:identity/group:Group": _group,
    "vault:identity/groupAlias:GroupAlias": lambda r, i: [],  # resolved onto its group (resolve_references)
    "vault:index/quotaRateLimit:QuotaRateLimit": _quota("rate-limit", c.RATE_LIMIT),
    "vault:index/quotaLeaseCount:QuotaLeaseCount": _quota("lease-count", c.LEASE_COUNT),
    "vault:index/raftAutopilot:RaftAutopilot": lambda r, i: [_plain(Declared(
        "raft autopilot", None, "sys/storage/raft/autopilot/configuration", r["name"]), i, c.AUTOPILOT)],
    "vault:index/mount:Mount": lambda r, i: [_secret_mount(r, i)],
    "vault:aws/secretBackend:SecretBackend": lambda r, i: [
        _secret_mount(r, {**i, "path": i.get("path") or "aws"}, "aws"),
        _plain(Declared("aws config", i.get("namespace"), f"{(i.get('path') or 'aws').strip('/')}/config/root",
                        r["name"]), i, c.AWS_CONFIG)],
    "vault:aws/secretBackendRole:SecretBackendRole": _under("aws role", "{backend}/roles/{name}", c.AWS_ROLE),
    "vault:kv/secretBackendV2:SecretBackendV2": _under("kv config", "{backend}/config", c.KV_CONFIG),
    "vault:database/secretBackendConnection:SecretBackendConnection": _database_connection,
    "vault:database/secretBackendRole:SecretBackendRole": _under("database role", "{backend}/roles/{name}",
                                                                 c.DATABASE_ROLE),
    "vault:database/secretBackendStaticRole:SecretBackendStaticRole": _under(
        "database static role", "{backend}/static-roles/{name}", c.DATABASE_STATIC_ROLE),
    "vault:pkiSecret/secretBackendRole:SecretBackendRole": _under("pki role", "{backend}/roles/{name}", c.PKI_ROLE),
    "vault:pkiSecret/secretBackendConfigUrls:SecretBackendConfigUrls": _under("pki urls", "{backend}/config/urls",
                                                                              c.PKI_URLS),
    "vault:pkiSecret/secretBackendCrlConfig:SecretBackendCrlConfig": _under("pki crl config", "{backend}/config/crl",
                                                                            c.PKI_CRL),
    "vault:pkiSecret/backendConfigAutoTidy:BackendConfigAutoTidy": _under("pki auto-tidy",
                                                                          "{backend}/config/auto-tidy",
                                                                          c.PKI_AUTO_TIDY),
    "vault:transit/secretBackendKey:SecretBackendKey": _under("transit key", "{backend}/keys/{name}", c.TRANSIT_KEY),
}


def declared_objects(registrations: list[dict]) -> list[Declared]:
    """Every object the plan's Vault resources declare, references resolved."""
    objects: list[Declared] = []
    for registration in registrations:
        kind = registration["type"]
        if not kind.startswith("vault:") or kind in NOT_COMPARED:
            continue
        builder = BUILDERS.get(kind)
        if builder is None:
            raise UnknownResource(f"drift does not know how to compare {kind} ({registration['name']})")
        objects += builder(registration, registration.get("inputs") or {})
    _resolve_references(registrations, objects)
    return objects


def outside_mounts(paths: tuple[str, ...]) -> list[Declared]:
    """``vault.secret_mounts``: mounts the server must have that this stack does not manage
    (only their presence is compared)."""
    return [Declared("secret engine", None, f"sys/mounts/{path.strip('/')}", "vault.secret_mounts") for path in paths]


def config_audit_devices(specs: tuple) -> list[Declared]:
    """Audit devices the server declares in its own configuration (OpenBao): compared like
    the ones the plan creates through the API."""
    return [item for spec in specs for item in _audit(
        {"name": "server.hcl"}, {"type": spec.type, "path": spec.path, "description": spec.description,
                                 "local": spec.local, "options": spec.options()})]


def plan_group_id(resource_name: str) -> str:
    """The id the offline plan gives a group (the planner's mocks): how its references look."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, resource_name))


def _resolve_references(registrations: list[dict], objects: list[Declared]) -> None:
    by_urn = {r["urn"]: r for r in registrations}
    groups = {o.resource: o for o in objects if o.object == "identity group"}
    names = {plan_group_id(name): o.path.rsplit("/", 1)[-1] for name, o in groups.items()}
    for group in groups.values():
        ids, attribute = group.expected["member_groups"]
        group.expect(attribute, sorted(names.get(i, i) for i in ids))
    for registration in registrations:
        if registration["type"] != "vault:identity/groupAlias:GroupAlias":
            continue
        depends = [by_urn[u] for u in registration.get("dependsOn", []) if u in by_urn]
        group = next(groups[d["name"]] for d in depends if d["name"] in groups)
        mount = next(d for d in depends if d["type"].endswith("authBackend:AuthBackend"))
        mount_path = str(mount["inputs"].get("path") or mount["inputs"].get("type")).strip("/")
        group.expect(ALIAS, f"{mount_path}:{registration['inputs']['name']}")
