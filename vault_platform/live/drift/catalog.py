"""What drift compares, object by object: for every kind of object the program declares,
the attributes that decide who can do what or what is recorded, each with the input that
declares it, its normal form (and so the server's default) and its severity.

Severity ``privilege``: the attribute changes who can authenticate, what a token or a
credential may do or for how long, what key material may leave, or what is audited.
``setting``: everything else compared (descriptions, retention, quotas, URLs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from vault_platform.live.drift import normalise as n

PRIVILEGE, SETTING = "privilege", "setting"


@dataclass(frozen=True)
class Attribute:
    name: str
    """The server's name for it (``options.<key>`` for an audit device's options)."""
    source: Optional[str]
    """The input declaring it (``tune.maxLeaseTtl`` for a nested one); None: the provider
    never sends it, so the server's default is what the stack declares."""
    normalise: n.Normaliser = n.plain
    severity: str = PRIVILEGE
    secret: bool = False
    """Written, never read back: it cannot be compared (the report says so)."""

    def declared(self, inputs: dict[str, Any]) -> Any:
        value: Any = inputs
        for part in (self.source or "").split("."):
            value = value.get(part) if isinstance(value, dict) and part else None
        return self.normalise(value)


def attrs(*specs: tuple) -> tuple[Attribute, ...]:
    return tuple(Attribute(*spec) for spec in specs)


_VISIBILITY = n.with_default(n.plain, "hidden")

TOKEN = attrs(
    ("token_policies", "tokenPolicies", n.names), ("token_ttl", "tokenTtl", n.seconds),
    ("token_max_ttl", "tokenMaxTtl", n.seconds), ("token_explicit_max_ttl", "tokenExplicitMaxTtl", n.seconds),
    ("token_period", "tokenPeriod", n.seconds), ("token_num_uses", "tokenNumUses", n.seconds),
    ("token_bound_cidrs", "tokenBoundCidrs", n.names), ("token_no_default_policy", "tokenNoDefaultPolicy", n.flag),
    ("token_type", "tokenType", n.with_default(n.plain, "default")),
)
"""The token fields every auth role (and the LDAP method's own config) carries."""

MOUNT_TUNING = (
    ("default_lease_ttl", n.seconds, PRIVILEGE), ("max_lease_ttl", n.seconds, PRIVILEGE),
    ("audit_non_hmac_request_keys", n.names, PRIVILEGE), ("audit_non_hmac_response_keys", n.names, PRIVILEGE),
    ("listing_visibility", _VISIBILITY, SETTING), ("passthrough_request_headers", n.names, SETTING),
    ("allowed_response_headers", n.names, SETTING),
)
"""The tuning every mount has, as ``sys/auth`` and ``sys/mounts`` show it."""
MOUNT_FLAGS = attrs(("description", "description", n.plain, SETTING), ("local", "local", n.flag, SETTING),
                    ("seal_wrap", "sealWrap", n.flag, SETTING))


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


TUNE = tuple(Attribute(name, f"tune.{_camel(name)}", normalise, severity)
             for name, normalise, severity in MOUNT_TUNING) + MOUNT_FLAGS + attrs(
    ("token_type", "tune.tokenType", n.with_default(n.plain, "default-service")))
"""An auth method's mount (the provider takes its tuning in a ``tune`` block)."""

SECRET_MOUNT = tuple(Attribute(name, {"default_lease_ttl": "defaultLeaseTtlSeconds",
                                      "max_lease_ttl": "maxLeaseTtlSeconds"}.get(name, _camel(name)), normalise, severity)
                     for name, normalise, severity in MOUNT_TUNING) + MOUNT_FLAGS + attrs(
    ("external_entropy_access", "externalEntropyAccess", n.flag, SETTING))
"""A secret engine's mount (the provider takes its tuning as top-level arguments)."""

KUBERNETES_ROLE = TOKEN + attrs(
    ("bound_service_account_names", "boundServiceAccountNames", n.names),
    ("bound_service_account_namespaces", "boundServiceAccountNamespaces", n.names),
    ("bound_service_account_namespace_selector", "boundServiceAccountNamespaceSelector", n.plain),
    ("audience", "audience", n.plain),
    ("alias_name_source", "aliasNameSource", n.with_default(n.plain, "serviceaccount_uid")),
)

APPROLE_ROLE = TOKEN + attrs(
    ("bind_secret_id", "bindSecretId", n.with_default(n.flag, True)),
    ("secret_id_bound_cidrs", "secretIdBoundCidrs", n.names), ("secret_id_num_uses", "secretIdNumUses", n.seconds),
    ("secret_id_ttl", "secretIdTtl", n.seconds), ("local_secret_ids", "localSecretIds", n.flag, SETTING),
)

JWT_ROLE = TOKEN + attrs(
    ("role_type", "roleType", n.with_default(n.plain, "oidc")), ("bound_audiences", "boundAudiences", n.names),
    ("bound_subject", "boundSubject", n.plain), ("bound_claims", "boundClaims", n.claims),
    ("bound_claims_type", "boundClaimsType", n.with_default(n.plain, "string")),
    ("user_claim", "userClaim", n.plain), ("user_claim_json_pointer", "userClaimJsonPointer", n.flag),
    ("groups_claim", "groupsClaim", n.plain), ("claim_mappings", "claimMappings", n.mapping),
    ("allowed_redirect_uris", "allowedRedirectUris", n.names), ("oidc_scopes", "oidcScopes", n.names),
    ("max_age", "maxAge", n.seconds), ("clock_skew_leeway", "clockSkewLeeway", n.seconds),
    ("expiration_leeway", "expirationLeeway", n.seconds), ("not_before_leeway", "notBeforeLeeway", n.seconds),
    ("verbose_oidc_logging", "verboseOidcLogging", n.flag, SETTING),
)

CERT_ROLE = TOKEN + attrs(
    ("certificate", "certificate", n.text), ("allowed_common_names", "allowedCommonNames", n.names),
    ("allowed_dns_sans", "allowedDnsSans", n.names), ("allowed_email_sans", "allowedEmailSans", n.names),
    ("allowed_uri_sans", "allowedUriSans", n.names), ("allowed_names", "allowedNames", n.names),
    ("allowed_organizational_units", "allowedOrganizationalUnits", n.names),
    ("required_extensions", "requiredExtensions", n.names), ("display_name", "displayName", n.plain, SETTING),
)

JWT_CONFIG = attrs(
    ("oidc_discovery_url", "oidcDiscoveryUrl", n.plain), ("oidc_discovery_ca_pem", "oidcDiscoveryCaPem", n.text),
    ("bound_issuer", "boundIssuer", n.plain), ("oidc_client_id", "oidcClientId", n.plain),
    ("oidc_client_secret", "oidcClientSecret", n.plain, PRIVILEGE, True),
    ("jwks_url", "jwksUrl", n.plain), ("jwks_ca_pem", "jwksCaPem", n.text),
    ("jwt_validation_pubkeys", "jwtValidationPubkeys", n.names), ("jwt_supported_algs", "jwtSupportedAlgs", n.names),
    ("default_role", "defaultRole", n.plain), ("oidc_response_mode", "oidcResponseMode", n.plain, SETTING),
    ("oidc_response_types", "oidcResponseTypes", n.names, SETTING),
    ("namespace_in_state", "namespaceInState", n.with_default(n.flag, True), SETTING),
)

LDAP_CONFIG = TOKEN + attrs(
    ("url", "url", n.plain), ("starttls", "starttls", n.flag), ("insecure_tls", "insecureTls", n.flag),
    ("certificate", "certificate", n.text), ("tls_min_version", "tlsMinVersion", n.with_default(n.plain, "tls12")),
    ("userdn", "userdn", n.plain), ("userattr", "userattr", n.with_default(n.plain, "cn")),
    ("upndomain", "upndomain", n.plain), ("discoverdn", "discoverdn", n.flag),
    ("groupdn", "groupdn", n.plain), ("groupattr", "groupattr", n.with_default(n.plain, "cn")),
    ("groupfilter", "groupfilter", n.with_default(
        n.plain, "(|(memberUid={{.Username}})(member={{.UserDN}})(uniqueMember={{.UserDN}}))")),
    ("binddn", "binddn", n.plain), ("bindpass", "bindpass", n.plain, PRIVILEGE, True),
    ("deny_null_bind", "denyNullBind", n.with_default(n.flag, True)),
    ("case_sensitive_names", "caseSensitiveNames", n.flag), ("username_as_alias", "usernameAsAlias", n.flag),
    ("use_token_groups", "useTokenGroups", n.flag), ("anonymous_group_search", "anonymousGroupSearch", n.flag),
)

KUBERNETES_CONFIG = attrs(
    ("kubernetes_host", "kubernetesHost", n.plain), ("kubernetes_ca_cert", "kubernetesCaCert", n.text),
    ("disable_iss_validation", "disableIssValidation", n.flag),
    ("use_annotations_as_alias_metadata", "useAnnotationsAsAliasMetadata", n.flag, SETTING),
    ("disable_local_ca_jwt", "disableLocalCaJwt", n.flag), ("issuer", "issuer", n.plain),
    ("pem_keys", "pemKeys", n.names), ("token_reviewer_jwt", "tokenReviewerJwt", n.plain, PRIVILEGE, True),
)

AUDIT_OPTIONS_DEFAULTS = {"format": "json", "hmac_accessor": "true", "log_raw": "false", "prefix": "",
                          "elide_list_responses": "false"}
"""Every audit device's options the server fills in when not given (compared like declared ones)."""
AUDIT_TYPE_DEFAULTS = {"file": {"mode": "0600"}, "socket": {"socket_type": "tcp"}, "syslog": {}}
AUDIT_FLAGS = {"hmac_accessor", "log_raw", "elide_list_responses"}

GROUP = attrs(
    ("type", "type", n.with_default(n.plain, "internal")), ("policies", "policies", n.names),
    ("member_entity_ids", "memberEntityIds", n.names), ("metadata", "metadata", n.mapping, SETTING),
)
"""Plus ``member_groups`` (names) and ``alias`` (``<mount>:<name>``), resolved across resources."""

KV_CONFIG = attrs(
    ("max_versions", "maxVersions", n.seconds, SETTING), ("cas_required", "casRequired", n.flag, SETTING),
    ("delete_version_after", "deleteVersionAfter", n.seconds, SETTING),
)

DATABASE_CONNECTION = attrs(
    ("plugin_name", "pluginName", n.plain), ("allowed_roles", "allowedRoles", n.names),
    ("password_policy", "passwordPolicy", n.plain),
    ("root_credentials_rotate_statements", "rootRotationStatements", n.ordered),
)
"""Plus the plugin block's ``connection_url``, ``username``, ``max_open_connections`` and
``password`` (a secret), read from ``connection_details``."""

DATABASE_ROLE = attrs(
    ("db_name", "dbName", n.plain), ("creation_statements", "creationStatements", n.ordered),
    ("revocation_statements", "revocationStatements", n.ordered),
    ("rollback_statements", "rollbackStatements", n.ordered), ("renew_statements", "renewStatements", n.ordered),
    ("default_ttl", "defaultTtl", n.seconds), ("max_ttl", "maxTtl", n.seconds),
    ("credential_type", "credentialType", n.with_default(n.plain, "password")),
)

DATABASE_STATIC_ROLE = attrs(
    ("db_name", "dbName", n.plain), ("username", "username", n.plain),
    ("rotation_statements", "rotationStatements", n.ordered), ("rotation_period", "rotationPeriod", n.seconds),
)

PKI_ROLE = attrs(
    *((name, camel, n.with_default(n.flag, default)) for name, camel, default in (
        ("allow_any_name", "allowAnyName", False), ("allow_bare_domains", "allowBareDomains", False),
        ("allow_glob_domains", "allowGlobDomains", False), ("allow_ip_sans", "allowIpSans", True),
        ("allow_localhost", "allowLocalhost", True), ("allow_subdomains", "allowSubdomains", False),
        ("allow_wildcard_certificates", "allowWildcardCertificates", True),
        ("allowed_uri_sans_template", "allowedUriSansTemplate", False),
        ("basic_constraints_valid_for_non_ca", "basicConstraintsValidForNonCa", False),
        ("client_flag", "clientFlag", True), ("code_signing_flag", "codeSigningFlag", False),
        ("email_protection_flag", "emailProtectionFlag", False), ("enforce_hostnames", "enforceHostnames", True),
        ("server_flag", "serverFlag", True), ("use_csr_common_name", "useCsrCommonName", True),
        ("use_csr_sans", "useCsrSans", True), ("require_cn", "requireCn", True), ("no_store", "noStore", False),
        ("generate_lease", "generateLease", False))),
    ("allowed_domains", "allowedDomains", n.names), ("allowed_uri_sans", "allowedUriSans", n.names),
    ("allowed_other_sans", "allowedOtherSans", n.names),
    ("key_type", "keyType", n.with_default(n.plain, "rsa")), ("key_bits", "keyBits", n.with_default(n.plain, 2048)),
    ("ttl", "ttl", n.seconds), ("max_ttl", "maxTtl", n.seconds), ("ext_key_usage", "extKeyUsages", n.names),
    ("key_usage", "keyUsages", n.with_default(n.names, ["DigitalSignature", "KeyAgreement", "KeyEncipherment"])),
    ("issuer_ref", "issuerRef", n.with_default(n.plain, "default")),
)

PKI_URLS = attrs(
    ("issuing_certificates", "issuingCertificates", n.names, SETTING),
    ("crl_distribution_points", "crlDistributionPoints", n.names, SETTING),
    ("ocsp_servers", "ocspServers", n.names, SETTING),
)

PKI_CRL = attrs(
    ("disable", "disable", n.flag), ("ocsp_disable", "ocspDisable", n.flag),
    ("expiry", "expiry", n.with_default(n.seconds, "72h"), SETTING), ("auto_rebuild", "autoRebuild", n.flag, SETTING),
    ("enable_delta", "enableDelta", n.flag, SETTING),
)

PKI_AUTO_TIDY = attrs(
    ("enabled", "enabled", n.flag, SETTING), ("interval_duration", "intervalDuration", n.seconds, SETTING),
    ("safety_buffer", "safetyBuffer", n.seconds, SETTING), ("tidy_cert_store", "tidyCertStore", n.flag, SETTING),
    ("tidy_revoked_certs", "tidyRevokedCerts", n.flag, SETTING),
    ("tidy_expired_issuers", "tidyExpiredIssuers", n.flag, SETTING),
)

TRANSIT_KEY = attrs(
    ("type", "type", n.with_default(n.plain, "aes256-gcm96")), ("deletion_allowed", "deletionAllowed", n.flag),
    ("exportable", "exportable", n.flag), ("allow_plaintext_backup", "allowPlaintextBackup", n.flag),
    ("derived", "derived", n.flag), ("convergent_encryption", "convergentEncryption", n.flag),
    ("auto_rotate_period", "autoRotatePeriod", n.seconds, SETTING),
    ("min_decryption_version", "minDecryptionVersion", n.with_default(n.seconds, 1), SETTING),
    ("min_encryption_version", "minEncryptionVersion", n.seconds, SETTING),
)

AWS_CONFIG = attrs(
    ("region", "region", n.plain, SETTING), ("iam_endpoint", "iamEndpoint", n.plain),
    ("sts_endpoint", "stsEndpoint", n.plain), ("access_key", "accessKey", n.plain, PRIVILEGE, True),
    ("secret_key", "secretKey", n.plain, PRIVILEGE, True),
)

AWS_ROLE = attrs(
    ("credential_type", "credentialType", n.plain), ("policy_document", "policyDocument", n.document),
    ("policy_arns", "policyArns", n.names), ("role_arns", "roleArns", n.names), ("iam_groups", "iamGroups", n.names),
    ("default_sts_ttl", "defaultStsTtl", n.seconds), ("max_sts_ttl", "maxStsTtl", n.seconds),
    ("permissions_boundary_arn", "permissionsBoundaryArn", n.plain),
)

RATE_LIMIT = attrs(
    ("path", "path", lambda v: str(v or "").rstrip("/"), SETTING), ("rate", "rate", n.number, SETTING),
    ("interval", "interval", n.with_default(n.seconds, 1), SETTING),
    ("block_interval", "blockInterval", n.seconds, SETTING), ("role", "role", n.plain, SETTING),
)

LEASE_COUNT = attrs(
    ("path", "path", lambda v: str(v or "").rstrip("/"), SETTING), ("max_leases", "maxLeases", n.seconds, SETTING),
    ("role", "role", n.plain, SETTING),
)

AUTOPILOT = attrs(
    ("cleanup_dead_servers", "cleanupDeadServers", n.flag, SETTING), ("min_quorum", "minQuorum", n.number, SETTING),
    ("dead_server_last_contact_threshold", "deadServerLastContactThreshold", n.seconds, SETTING),
    ("last_contact_threshold", "lastContactThreshold", n.seconds, SETTING),
    ("server_stabilization_time", "serverStabilizationTime", n.seconds, SETTING),
    ("max_trailing_logs", "maxTrailingLogs", n.number, SETTING),
)

POLICY = attrs(("policy", "policy", n.text))
PASSWORD_POLICY = attrs(("policy", "policy", n.text, SETTING))

ROLE_ATTRIBUTES = {"kubernetes": KUBERNETES_ROLE, "approle": APPROLE_ROLE, "jwt": JWT_ROLE, "oidc": JWT_ROLE,
                   "cert": CERT_ROLE}

OBJECT_SEVERITY = {
    "namespace": PRIVILEGE, "audit device": PRIVILEGE, "policy": PRIVILEGE, "auth method": PRIVILEGE,
    "auth method config": PRIVILEGE, "auth role": PRIVILEGE, "auth user": PRIVILEGE, "ldap group": PRIVILEGE,
    "token role": PRIVILEGE, "identity group": PRIVILEGE, "identity entity": PRIVILEGE,
    "database connection": PRIVILEGE, "database role": PRIVILEGE, "database static role": PRIVILEGE,
    "pki role": PRIVILEGE, "aws role": PRIVILEGE, "aws config": PRIVILEGE, "transit key": SETTING,
    "secret engine": SETTING, "kv config": SETTING, "pki urls": SETTING, "pki crl config": SETTING,
    "pki auto-tidy": SETTING, "password policy": SETTING, "quota": SETTING,
}
"""The severity of an object found unmanaged or missing."""
