"""The ``vault`` key of the stack configuration: what Vault itself is configured with.

Namespaces, audit devices, auth methods and their roles, policies and identity groups,
each a list of specs. Types and per-item rules live here; the rules that look across
items (a role naming a policy or mount that does not exist, TTL ordering, duplicate
paths) are in :func:`cross_reference_problems`. Secrets (the OIDC client secret, the
LDAP bind password, the Vault token) must be Pulumi secrets: ``secure:`` values in
the stack file, which reach the program already marked secret.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Optional

from pydantic import AfterValidator, Field, StrictBool, StrictInt, StrictStr

from components.problems import Problem
from components.schema_base import MOUNT, NAME, Model, repeated, ttl_order
from components.secret_values import Secret, secret_validator
from components.secret_engines_schema import PasswordPolicySpec, QuotaSpec, SecretEngineSpec, engine_problems
from components.ttl import TTL_PATTERN


# --------------------------------------------------------------------------- items


def _claim_value(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError("a claim value is a string or a list of strings")


ClaimValue = Annotated[Any, AfterValidator(_claim_value)]


class NamespaceSpec(Model):
    path: StrictStr = Field(..., pattern=MOUNT, description="Namespace path; `a/b` nests `b` in `a` (declare `a` too).")


class TuneSpec(Model):
    default_lease_ttl: Optional[StrictStr] = Field(None, pattern=TTL_PATTERN, description="Default lease TTL (e.g. `1h`).")
    max_lease_ttl: Optional[StrictStr] = Field(None, pattern=TTL_PATTERN, description="Maximum lease TTL; roles may not exceed it.")
    listing_visibility: Literal["hidden", "unauth"] = Field(
        "hidden", description="`unauth` lists the mount on the login page (OIDC); hidden otherwise."
    )


class AuditDeviceSpec(Model):
    type: Literal["file", "socket", "syslog"] = Field(..., description="Audit device type.")
    path: StrictStr = Field(..., pattern=MOUNT, description="Mount path of the device.")
    description: StrictStr = Field("", description="Description.")
    local: StrictBool = Field(False, description="Keep it out of replication (Enterprise).")
    file_path: Optional[StrictStr] = Field(
        None, description="type `file`: a file on the audit volume (`/vault/audit/...`) or `stdout`."
    )
    address: Optional[StrictStr] = Field(None, description="type `socket`: `host:port` of the collector.")
    socket_type: Literal["tcp", "udp", "unix"] = Field("tcp", description="type `socket`: transport.")
    facility: StrictStr = Field("AUTH", description="type `syslog`: facility.")
    tag: StrictStr = Field("vault", description="type `syslog`: tag.")
    hmac_accessor: StrictBool = Field(True, description="HMAC token accessors in the log.")
    log_raw: StrictBool = Field(False, description="Log secrets in plain text; dev only.")
    format: Literal["json", "jsonx"] = Field("json", description="Entry format.")


class KubernetesAuthSpec(Model):
    kubernetes_host: StrictStr = Field(
        "https://kubernetes.default.svc", description="API server Vault calls for TokenReview."
    )
    use_local_service_account: StrictBool = Field(
        True,
        description="Vault reviews tokens with its own service account and the cluster CA "
        "(it then gets the `system:auth-delegator` binding). Turn off for a remote cluster.",
    )
    kubernetes_ca_cert: Optional[StrictStr] = Field(None, description="PEM CA of a remote cluster.")


class OidcSpec(Model):
    oidc_discovery_url: StrictStr = Field(..., pattern=r"^https://", description="Issuer's discovery URL (https).")
    oidc_client_id: Optional[StrictStr] = Field(None, description="Client id (OIDC login).")
    oidc_client_secret: Optional[Secret] = Field(None, description="Client secret: a Pulumi secret.")
    bound_issuer: Optional[StrictStr] = Field(None, description="Required `iss` claim.")
    default_role: Optional[StrictStr] = Field(None, description="Role used when a login names none.")

    _secrets = secret_validator("oidc_client_secret")


class LdapSpec(Model):
    url: StrictStr = Field(..., pattern=r"^ldaps?://", description="Directory URL (`ldaps://`, or `ldap://` with starttls).")
    starttls: StrictBool = Field(False, description="Upgrade `ldap://` to TLS.")
    insecure_tls: StrictBool = Field(False, description="Skip certificate checks: refused.")
    certificate: Optional[StrictStr] = Field(None, description="PEM CA of the directory.")
    userdn: StrictStr = Field(..., description="Base DN of users.")
    userattr: StrictStr = Field("uid", description="User attribute.")
    groupdn: Optional[StrictStr] = Field(None, description="Base DN of groups.")
    groupattr: StrictStr = Field("cn", description="Group name attribute.")
    binddn: Optional[StrictStr] = Field(None, description="DN Vault binds as to search.")
    bindpass: Optional[Secret] = Field(None, description="Bind password: a Pulumi secret.")

    _secrets = secret_validator("bindpass")


class AuthMethodSpec(Model):
    type: Literal["kubernetes", "approle", "jwt", "oidc", "ldap", "cert", "userpass"] = Field(
        ..., description="Auth method type; `userpass` is dev only."
    )
    path: StrictStr = Field(..., pattern=MOUNT, description="Mount path (unique per namespace).")
    namespace: Optional[StrictStr] = Field(None, description="Declared namespace (Enterprise); root when omitted.")
    description: StrictStr = Field("", description="Description.")
    tune: TuneSpec = Field(TuneSpec(), description="Mount tuning.")
    kubernetes: Optional[KubernetesAuthSpec] = Field(None, description="type `kubernetes`: its config.")
    oidc: Optional[OidcSpec] = Field(None, description="type `jwt`/`oidc`: its config.")
    ldap: Optional[LdapSpec] = Field(None, description="type `ldap`: its config.")


ROLE_FIELDS: dict[str, set[str]] = {
    "kubernetes": {"bound_service_account_names", "bound_service_account_namespaces", "audience"},
    "approle": {"secret_id_ttl", "secret_id_num_uses", "secret_id_bound_cidrs"},
    "jwt": {"role_type", "bound_audiences", "user_claim", "groups_claim", "allowed_redirect_uris", "bound_claims",
            "bound_subject"},
    "oidc": {"role_type", "bound_audiences", "user_claim", "groups_claim", "allowed_redirect_uris", "bound_claims",
             "bound_subject"},
    "cert": {"certificate", "allowed_common_names"},
    "ldap": set(),
    "userpass": set(),
}
"""Role fields that only make sense for one kind of auth method."""
ALL_ROLE_FIELDS = set().union(*ROLE_FIELDS.values())


class RoleSpec(Model):
    name: StrictStr = Field(..., pattern=NAME, description="Role name (unique per mount).")
    mount: StrictStr = Field(..., pattern=MOUNT, description="Path of the declared auth method it belongs to.")
    namespace: Optional[StrictStr] = Field(None, description="Namespace of that auth method.")
    token_policies: tuple[StrictStr, ...] = Field((), description="Policies on issued tokens (declared, or `default`).")
    token_ttl: Optional[StrictStr] = Field(None, pattern=TTL_PATTERN, description="Token TTL.")
    token_max_ttl: Optional[StrictStr] = Field(None, pattern=TTL_PATTERN, description="Token maximum TTL.")
    token_bound_cidrs: tuple[StrictStr, ...] = Field((), description="CIDRs tokens may be used from.")
    bound_service_account_names: tuple[StrictStr, ...] = Field((), description="kubernetes: service accounts.")
    bound_service_account_namespaces: tuple[StrictStr, ...] = Field((), description="kubernetes: namespaces.")
    audience: Optional[StrictStr] = Field(None, description="kubernetes: required token audience.")
    secret_id_ttl: Optional[StrictStr] = Field(None, pattern=TTL_PATTERN, description="approle: SecretID lifetime.")
    secret_id_num_uses: Optional[StrictInt] = Field(None, ge=0, description="approle: SecretID uses (0: unlimited).")
    secret_id_bound_cidrs: tuple[StrictStr, ...] = Field((), description="approle: CIDRs SecretIDs may be used from.")
    role_type: Optional[Literal["jwt", "oidc"]] = Field(None, description="jwt/oidc: role type (the mount's type when omitted).")
    bound_audiences: tuple[StrictStr, ...] = Field((), description="jwt/oidc: accepted `aud` values.")
    bound_subject: Optional[StrictStr] = Field(None, description="jwt/oidc: required `sub`.")
    user_claim: StrictStr = Field("sub", description="jwt/oidc: claim naming the user.")
    groups_claim: Optional[StrictStr] = Field(None, description="jwt/oidc: claim listing groups.")
    allowed_redirect_uris: tuple[StrictStr, ...] = Field((), description="oidc: allowed redirect URIs.")
    bound_claims: dict[StrictStr, ClaimValue] = Field(
        {}, description="jwt/oidc: claims that must match (a value, or a list of allowed values).")
    certificate: Optional[StrictStr] = Field(None, description="cert: trusted CA (PEM).")
    allowed_common_names: tuple[StrictStr, ...] = Field((), description="cert: accepted common names.")


class GroupAliasSpec(Model):
    name: StrictStr = Field(..., description="Group name as the auth method reports it (OIDC/LDAP group).")
    mount: StrictStr = Field(..., pattern=MOUNT, description="Path of the declared oidc/jwt/ldap auth method.")


class GroupSpec(Model):
    name: StrictStr = Field(..., pattern=NAME, description="Identity group name.")
    type: Literal["internal", "external"] = Field("internal", description="`external` groups get aliases.")
    namespace: Optional[StrictStr] = Field(None, description="Namespace of the group.")
    policies: tuple[StrictStr, ...] = Field((), description="Policies of the group's members.")
    member_groups: tuple[StrictStr, ...] = Field((), description="internal: names of member groups.")
    aliases: tuple[GroupAliasSpec, ...] = Field((), description="external: directory groups mapped to it.")


class PoliciesSpec(Model):
    include: tuple[StrictStr, ...] = Field(
        ("*",), description="Policy names (files `policies/<name>.hcl`) for this stack; `*` for every file."
    )
    exclude: tuple[StrictStr, ...] = Field((), description="Names left out of `include`.")


class VaultSpec(Model):
    """Vault's own configuration, applied through the Vault provider."""

    configure: StrictBool = Field(
        False,
        description="Apply the configuration below. Leave off for a new environment until Vault is "
        "initialised (see README, First boot).",
    )
    address: Optional[StrictStr] = Field(
        None, pattern=r"^https?://", description="Address the deploying machine reaches Vault at; the in-cluster address when omitted."
    )
    ca_cert_file: Optional[StrictStr] = Field(
        None, description="CA file on the deploying machine for the Vault provider (e.g. the `vault_ca_cert_pem` output)."
    )
    token: Optional[Secret] = Field(None, description="Vault token (a Pulumi secret); `VAULT_TOKEN` when omitted.")
    edition: Literal["community", "enterprise"] = Field(
        "community", description="Vault edition; namespaces need `enterprise`."
    )
    namespaces: tuple[NamespaceSpec, ...] = Field((), description="Namespaces (Enterprise).")
    audit_devices: tuple[AuditDeviceSpec, ...] = Field((), description="Audit devices; staging and production need one.")
    auth_methods: tuple[AuthMethodSpec, ...] = Field((), description="Auth methods.")
    roles: tuple[RoleSpec, ...] = Field((), description="Auth roles, each on a declared auth method.")
    policies: PoliciesSpec = Field(PoliciesSpec(), description="Which `policies/*.hcl` this stack loads.")
    groups: tuple[GroupSpec, ...] = Field((), description="Identity groups.")
    secret_engines: tuple[SecretEngineSpec, ...] = Field(
        (), description="Secret engines: kv-v2, database, pki, transit, aws, each with its block."
    )
    password_policies: tuple[PasswordPolicySpec, ...] = Field(
        (), description="Password policies (used by database connections)."
    )
    quotas: tuple[QuotaSpec, ...] = Field((), description="Rate-limit and lease-count quotas.")
    secret_mounts: tuple[StrictStr, ...] = Field(
        (), description="Other secret-engine mounts Vault is expected to have that this stack does not manage; "
        "drift reports any mount that is neither here nor in secret_engines, and any of these that is missing."
    )

    _secrets = secret_validator("token")


# --------------------------------------------------------------------------- cross references


def cross_reference_problems(vault: VaultSpec, environment: str, policy_names: set[str]) -> list[Problem]:
    """Rules across items. ``policy_names``: the policies this stack loads."""
    issues: list[Problem] = []
    add = issues.append
    dev = environment == "dev"
    known_policies = policy_names | {"default"}

    namespaces = {ns.path for ns in vault.namespaces}
    if vault.namespaces and vault.edition == "community":
        add(Problem("vault.namespaces", "namespaces need Vault Enterprise; vault.edition is community "
                  "(allowed: set vault.edition to enterprise, or remove the namespaces)", has_value=False))
    for index, ns in enumerate(vault.namespaces):
        parent = ns.path.rsplit("/", 1)[0] if "/" in ns.path else None
        if parent and parent not in namespaces:
            add(Problem(f"vault.namespaces[{index}].path", f"its parent namespace `{parent}` is not declared", ns.path))
    for index, ns in repeated(vault.namespaces, lambda n: n.path):
        add(Problem(f"vault.namespaces[{index}].path", "duplicate namespace", ns.path))

    def check_namespace(path: str, namespace: Optional[str]) -> None:
        if namespace is not None and namespace not in namespaces:
            add(Problem(f"{path}.namespace", f"namespace `{namespace}` is not declared in vault.namespaces", namespace))

    if vault.configure and not dev and not vault.audit_devices:
        add(Problem("vault.audit_devices", f"{environment} must declare at least one audit device", has_value=False))
    for index, device in repeated(vault.audit_devices, lambda d: d.path):
        add(Problem(f"vault.audit_devices[{index}].path", "duplicate audit device path", device.path))
    for index, device in enumerate(vault.audit_devices):
        where = f"vault.audit_devices[{index}]"
        if device.type == "file":
            if device.file_path is None:
                add(Problem(f"{where}.file_path", "required for a file audit device", has_value=False))
            elif device.file_path != "stdout" and not re.fullmatch(r"/vault/audit/[A-Za-z0-9_.-]+", device.file_path):
                add(Problem(f"{where}.file_path", "must be a file on the audit volume (/vault/audit/<name>) or stdout",
                          device.file_path))
        if device.type == "socket" and not device.address:
            add(Problem(f"{where}.address", "required for a socket audit device", has_value=False))
        if device.log_raw and not dev:
            add(Problem(f"{where}.log_raw", f"logging secrets in plain text is dev-only (environment {environment})",
                      True))
        if not device.hmac_accessor and not dev:
            add(Problem(f"{where}.hmac_accessor", f"token accessors must be HMAC'd in {environment}", False))

    mounts: dict[tuple[Optional[str], str], AuthMethodSpec] = {}
    for index, method in repeated(vault.auth_methods, lambda m: (m.namespace, m.path)):
        add(Problem(f"vault.auth_methods[{index}].path", "duplicate auth mount path"
                    + (f" in namespace {method.namespace}" if method.namespace else ""), method.path))
    for index, method in enumerate(vault.auth_methods):
        where = f"vault.auth_methods[{index}]"
        check_namespace(where, method.namespace)
        mounts.setdefault((method.namespace, method.path), method)
        expected = {"kubernetes": "kubernetes", "jwt": "oidc", "oidc": "oidc", "ldap": "ldap"}.get(method.type)
        for block in ("kubernetes", "oidc", "ldap"):
            present = getattr(method, block) is not None
            if present and block != expected:
                add(Problem(f"{where}.{block}", f"only valid for a {block if block != 'oidc' else 'jwt/oidc'} auth method, "
                          f"not {method.type}", has_value=False))
        if expected in ("oidc", "ldap") and getattr(method, expected) is None:
            add(Problem(f"{where}.{expected}", f"required for a {method.type} auth method", has_value=False))
        if method.type == "userpass" and not dev:
            add(Problem(f"{where}.type", f"userpass is dev-only (environment {environment}); use oidc or ldap", "userpass"))
        if method.type == "oidc" and method.oidc is not None:
            if not method.oidc.oidc_client_id or method.oidc.oidc_client_secret is None:
                add(Problem(f"{where}.oidc", "an oidc auth method needs oidc_client_id and oidc_client_secret",
                          has_value=False))
        if method.ldap is not None:
            if method.ldap.insecure_tls:
                add(Problem(f"{where}.ldap.insecure_tls", "skipping certificate checks is not allowed", True))
            if method.ldap.url.startswith("ldap://") and not method.ldap.starttls:
                add(Problem(f"{where}.ldap.url", "ldap:// needs starttls: true (TLS is required); or use ldaps://",
                          method.ldap.url))
            if method.ldap.binddn and method.ldap.bindpass is None:
                add(Problem(f"{where}.ldap.bindpass", "required with binddn", has_value=False))
        ttl_order(add, f"{where}.tune", "default_lease_ttl", method.tune.default_lease_ttl,
                  "the mount's max_lease_ttl", method.tune.max_lease_ttl)

    def check_policies(where: str, names: tuple[str, ...], holder: str) -> None:
        for number, policy in enumerate(names):
            if policy == "root":
                add(Problem(f"{where}[{number}]", f"the root policy cannot be given to a {holder}", "root"))
            elif policy not in known_policies:
                add(Problem(f"{where}[{number}]",
                            "names a policy that does not exist (policies/<name>.hcl loaded by this stack, or default)",
                            policy))

    for index, role in repeated(vault.roles, lambda r: (r.namespace, r.mount, r.name)):
        add(Problem(f"vault.roles[{index}].name", f"duplicate role on mount {role.mount}", role.name))
    for index, role in enumerate(vault.roles):
        where = f"vault.roles[{index}]"
        method = mounts.get((role.namespace, role.mount))
        if method is None:
            add(Problem(f"{where}.mount", "names an auth mount that is not declared in vault.auth_methods "
                      f"(declared: {', '.join(sorted(p for _, p in mounts)) or 'none'})", role.mount))
            continue
        if method.type in ("ldap", "userpass"):
            add(Problem(f"{where}.mount", f"{method.type} auth has no roles; map its groups with vault.groups "
                      "aliases (ldap) or manage users by hand (userpass)", role.mount))
            continue
        check_policies(f"{where}.token_policies", role.token_policies, "role")
        extra = role.model_fields_set & ALL_ROLE_FIELDS
        for name in sorted(extra - ROLE_FIELDS[method.type]):
            add(Problem(f"{where}.{name}", f"not a field of a {method.type} role", has_value=False))
        if method.type == "kubernetes" and not (role.bound_service_account_names and role.bound_service_account_namespaces):
            add(Problem(where, "a kubernetes role needs bound_service_account_names and bound_service_account_namespaces",
                      has_value=False))
        if method.type == "kubernetes" and ("*" in role.bound_service_account_names
                                            and "*" in role.bound_service_account_namespaces):
            add(Problem(f"{where}.bound_service_account_names", "any service account in any namespace is not allowed",
                      "*"))
        if method.type in ("jwt", "oidc"):
            role_type = role.role_type or method.type
            if role_type == "jwt" and not (role.bound_audiences or role.bound_claims or role.bound_subject
                                           or role.token_bound_cidrs):
                add(Problem(where, "a jwt role must bind the token (bound_audiences, bound_claims, bound_subject "
                            "or token_bound_cidrs)", has_value=False))
            if role_type == "oidc" and not role.allowed_redirect_uris:
                add(Problem(f"{where}.allowed_redirect_uris", "required for an oidc role", has_value=False))
        if method.type == "cert" and not role.certificate:
            add(Problem(f"{where}.certificate", "required for a cert role (trusted CA PEM)", has_value=False))
        ttl_order(add, where, "token_ttl", role.token_ttl, "token_max_ttl", role.token_max_ttl)
        # The longest the role's tokens live: checked once against the mount's ceiling.
        longest = "token_max_ttl" if role.token_max_ttl is not None else "token_ttl"
        ttl_order(add, where, longest, getattr(role, longest), f"the max_lease_ttl of mount {role.mount}",
                  method.tune.max_lease_ttl)

    groups = {g.name: g for g in vault.groups}
    for index, group in repeated(vault.groups, lambda g: g.name):
        add(Problem(f"vault.groups[{index}].name", "duplicate group name", group.name))
    for index, group in enumerate(vault.groups):
        if _in_cycle(group.name, groups):
            add(Problem(f"vault.groups[{index}].member_groups", "group membership forms a cycle",
                        list(group.member_groups)))
    for index, group in enumerate(vault.groups):
        where = f"vault.groups[{index}]"
        check_namespace(where, group.namespace)
        check_policies(f"{where}.policies", group.policies, "group")
        if group.type == "internal" and group.aliases:
            add(Problem(f"{where}.aliases", "only external groups have aliases", has_value=False))
        if group.type == "external" and group.member_groups:
            add(Problem(f"{where}.member_groups", "external groups take members from their aliases", has_value=False))
        for number, member in enumerate(group.member_groups):
            if member not in groups:
                add(Problem(f"{where}.member_groups[{number}]", "names a group that is not declared", member))
        for number, alias in enumerate(group.aliases):
            method = mounts.get((group.namespace, alias.mount))
            if method is None:
                add(Problem(f"{where}.aliases[{number}].mount",
                          "names an auth mount that is not declared in vault.auth_methods", alias.mount))
            elif method.type not in ("oidc", "jwt", "ldap"):
                add(Problem(f"{where}.aliases[{number}].mount",
                          f"group aliases need an oidc, jwt or ldap mount, not {method.type}", alias.mount))

    issues += engine_problems(vault.secret_engines, vault.quotas, vault.password_policies, environment,
                              vault.edition == "enterprise", set(mounts), check_namespace)
    engine_paths = {engine.path for engine in vault.secret_engines}
    for index, path in enumerate(vault.secret_mounts):
        if path.strip("/") in engine_paths:
            add(Problem(f"vault.secret_mounts[{index}]", "already declared in vault.secret_engines", path))
    return issues


def _in_cycle(name: str, groups: dict[str, GroupSpec]) -> bool:
    """Whether ``name`` reaches itself through member groups (undeclared members ignored)."""
    stack, seen = list(groups[name].member_groups), set()
    while stack:
        member = stack.pop()
        if member == name:
            return True
        if member in seen or member not in groups:
            continue
        seen.add(member)
        stack.extend(groups[member].member_groups)
    return False
