"""The ``vault`` key of the stack configuration: what Vault itself is configured with.

Namespaces, audit devices, auth methods and their roles, policies and identity groups,
each a list of specs, with the secret engines, quotas and password policies of
:mod:`components.config.vault.engines`. Types and per-item rules live here; the rules
that look across items are in :mod:`components.config.vault.rules`. Secrets (the OIDC
client secret, the LDAP bind password, the Vault token) must be Pulumi secrets:
``secure:`` values in the stack file, which reach the program already marked secret.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional

from pydantic import AfterValidator, Field, StrictBool, StrictInt, StrictStr

from components.config.base import MOUNT, NAME, Model
from components.config.secrets import Secret, secret_validator
from components.config.base import TTL_PATTERN
from components.config.vault.engines import PasswordPolicySpec, QuotaSpec, SecretEngineSpec


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
    type: Literal["file", "socket", "syslog"] = Field(
        ..., description="Audit device type: `file` or `socket` (`syslog` is refused: the pod has no syslog socket).")
    path: StrictStr = Field(..., pattern=MOUNT, description="Mount path of the device.")
    description: StrictStr = Field("", description="Description.")
    local: StrictBool = Field(False, description="Keep it out of replication (Enterprise).")
    file_path: Optional[StrictStr] = Field(
        None, description="type `file`: a file on the audit volume (`/vault/audit/...`; `/openbao/audit/...` with "
        "OpenBao) or `stdout`."
    )
    address: Optional[StrictStr] = Field(None, description="type `socket`: `host:port` of the collector.")
    socket_type: Literal["tcp", "udp", "unix"] = Field("tcp", description="type `socket`: transport.")
    facility: StrictStr = Field("AUTH", description="type `syslog`: facility.")
    tag: StrictStr = Field("vault", description="type `syslog`: tag.")
    hmac_accessor: StrictBool = Field(True, description="HMAC token accessors in the log.")
    log_raw: StrictBool = Field(False, description="Log secrets in plain text; dev only.")
    format: Literal["json", "jsonx"] = Field("json", description="Entry format.")

    def options(self) -> dict[str, str]:
        """The device's options as the server takes them (strings), through the API or in
        the server configuration."""
        options = {"hmac_accessor": str(self.hmac_accessor).lower(), "log_raw": str(self.log_raw).lower(),
                   "format": self.format}
        if self.type == "file":
            options.update(file_path=self.file_path or "", mode="0600")
        elif self.type == "socket":
            options.update(address=self.address or "", socket_type=self.socket_type)
        else:
            options.update(facility=self.facility, tag=self.tag)
        return options


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
            "bound_claims_type", "bound_subject"},
    "oidc": {"role_type", "bound_audiences", "user_claim", "groups_claim", "allowed_redirect_uris", "bound_claims",
             "bound_claims_type", "bound_subject"},
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
        {}, description="jwt/oidc: claims that must match (a value, or a list of allowed values). On the GitHub "
        "Actions issuer: `repository_id`, and `ref` with `environment` or `job_workflow_ref`.")
    bound_claims_type: Literal["string", "glob"] = Field(
        "string", description="jwt/oidc: how bound_claims values match: `string` exactly, `glob` with `*` "
        "(e.g. `ref: refs/pull/*/merge`).")
    certificate: Optional[StrictStr] = Field(None, description="cert: trusted CA (PEM).")
    allowed_common_names: tuple[StrictStr, ...] = Field((), description="cert: accepted common names.")
    administrative: StrictBool = Field(
        False, description="May hold privileged policies (computed from what they grant: writing policies, auth "
        "methods, roles, identity, token roles or audit devices, or sudo with a write under sys/). Mark the "
        "deploy identity and administrators only.")

    @property
    def label(self) -> str:
        """How the tools name it: ``role [<namespace>/]<mount>/<name>``."""
        return f"role {self.namespace + '/' if self.namespace else ''}{self.mount}/{self.name}"


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
    administrative: StrictBool = Field(False, description="Its members may hold privileged policies (see roles).")

    @property
    def label(self) -> str:
        """How the tools name it: ``group [<namespace>/]<name>``."""
        return f"group {self.namespace + '/' if self.namespace else ''}{self.name}"


class PoliciesSpec(Model):
    include: tuple[StrictStr, ...] = Field(
        ("*",), description="Policy names (files `policies/<name>.hcl`) for this stack; `*` for every file."
    )
    exclude: tuple[StrictStr, ...] = Field((), description="Names left out of `include`.")
    unattached: tuple[StrictStr, ...] = Field(
        (), description="Policies written to Vault but held by no role or group: only tokens made by hand carry them "
        "(break-glass's emergency token, the metrics token). Exempt from the unused warning; an error if a role or "
        "group names one.")


class DriftIgnoreSpec(Model):
    path: StrictStr = Field(..., min_length=1, description="The object's path as drift reports it "
                            "(`auth/kubernetes/role/ingest`, `sys/mounts/legacy`); `*` matches any characters.")
    namespace: Optional[StrictStr] = Field(None, description="Its namespace; the root namespace when omitted.")
    attribute: Optional[StrictStr] = Field(None, description="Only this attribute (`token_ttl`, `options.log_raw`); "
                                           "every finding of the object when omitted.")
    reason: StrictStr = Field(..., description="Why the difference is deliberate (shown in every report).")


class AutopilotSpec(Model):
    """Raft autopilot (``sys/storage/raft/autopilot/configuration``): how the leader judges
    its peers and cleans up dead ones."""

    cleanup_dead_servers: StrictBool = Field(
        True, description="Remove servers that stopped answering for `dead_server_last_contact_threshold`, never "
        "below `min_quorum` (a dead peer counts against the quorum until removed)."
    )
    min_quorum: Optional[StrictInt] = Field(
        None, ge=3, le=9, description="Servers autopilot never prunes below: `cluster.replicas`, the size the "
        "stack promises, when omitted. At least 3, at most `cluster.replicas`."
    )
    dead_server_last_contact_threshold: StrictStr = Field(
        "24h", pattern=r"^([0-9]+(s|m|h))+$", description="How long a server may be silent before it counts as "
        "dead (at least 1m; long enough to ride out a node drain or a zone outage)."
    )
    last_contact_threshold: StrictStr = Field("10s", pattern=r"^([0-9]+(s|m|h))+$",
                                              description="Silence after which a server is unhealthy.")
    server_stabilization_time: StrictStr = Field(
        "10s", pattern=r"^([0-9]+(s|m|h))+$", description="How long a new server must be healthy before it votes."
    )
    max_trailing_logs: StrictInt = Field(1000, ge=1, description="Log entries a healthy server may lag behind.")


class DriftSpec(Model):
    ignore: tuple[DriftIgnoreSpec, ...] = Field(
        (), description="Deliberate differences `drift` leaves out of its findings; the report counts them.")


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

    autopilot: Optional[AutopilotSpec] = Field(
        None, description="Raft autopilot (Raft storage only): dead-server cleanup and minimum quorum. Required "
        "outside dev with Raft storage."
    )
    drift: DriftSpec = Field(DriftSpec(), description="What `vault-platform drift` accepts as deliberate.")

    _secrets = secret_validator("token")

    @property
    def namespaced_policies(self) -> dict[str, set[str]]:
        """Vault namespace -> the names of the policies its roles and groups hold (``default``
        is built in)."""
        needed: dict[str, set[str]] = {}
        for holder, names in [*((r, r.token_policies) for r in self.roles), *((g, g.policies) for g in self.groups)]:
            if holder.namespace is not None:
                needed.setdefault(holder.namespace, set()).update(n for n in names if n != "default")
        return needed

    @property
    def audit_files(self) -> tuple[str, ...]:
        """The file audit devices' paths on the audit volume (stdout is not a file there)."""
        return tuple(d.file_path for d in self.audit_devices
                     if d.type == "file" and d.file_path and d.file_path != "stdout")
