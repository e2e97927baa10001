# vault-platform: privileged
# A read-only view of Vault's configuration, for drift detection, status checks and
# `pulumi preview --refresh` (JWT role `drift`). Reading the audit configuration needs
# sudo; nothing here writes, and nothing here reads a secret: no KV data, no credentials
# (`creds/`, `static-creds/`), no key export, no issuance. The secret engines' paths are
# the mounts the stacks declare (database, pki, pki-int, transit, secret, aws).

path "sys/auth" {
  capabilities = ["read"]
}

path "sys/mounts" {
  capabilities = ["read"]
}

path "sys/policies/acl" {
  capabilities = ["list"]
}

path "sys/policies/acl/*" {
  capabilities = ["read"]
}

path "sys/policies/password" {
  capabilities = ["list"]
}

path "sys/policies/password/+" {
  capabilities = ["read"]
}

path "sys/audit" {
  capabilities = ["read", "sudo"]
}

path "sys/namespaces" {
  capabilities = ["list"]
}

path "sys/quotas/rate-limit" {
  capabilities = ["list"]
}

path "sys/quotas/rate-limit/+" {
  capabilities = ["read"]
}

path "sys/quotas/lease-count" {
  capabilities = ["list"]
}

path "sys/quotas/lease-count/+" {
  capabilities = ["read"]
}

# Listing takes the trailing slash: `auth/+/role/*` would otherwise win a LIST of
# `auth/<mount>/role/` on servers that try the slashed path first (OpenBao, and Vault's
# own newer code), and the drift role could not list roles.
path "auth/+/role/" {
  capabilities = ["list"]
}

path "auth/+/certs/" {
  capabilities = ["list"]
}

# Users and groups beneath auth methods (userpass, LDAP): their policies, never a password.
path "auth/+/users/" {
  capabilities = ["list"]
}

path "auth/+/users/+" {
  capabilities = ["read"]
}

path "auth/+/groups/" {
  capabilities = ["list"]
}

path "auth/+/groups/+" {
  capabilities = ["read"]
}

path "auth/token/roles/" {
  capabilities = ["list"]
}

path "auth/token/roles/+" {
  capabilities = ["read"]
}

path "sys/ha-status" {
  capabilities = ["read"]
}

path "sys/storage/raft/configuration" {
  capabilities = ["read"]
}

path "sys/storage/raft/autopilot/state" {
  capabilities = ["read"]
}

path "sys/mounts/auth/+/tune" {
  capabilities = ["read"]
}

# The role itself; not `role/<name>/role-id` or `secret-id` (an AppRole's credentials).
path "auth/+/role/+" {
  capabilities = ["read"]
}

path "auth/+/certs/+" {
  capabilities = ["read"]
}

path "auth/+/config" {
  capabilities = ["read"]
}

path "identity/group/*" {
  capabilities = ["read", "list"]
}

path "identity/group-alias/*" {
  capabilities = ["read", "list"]
}

path "identity/entity/id/" {
  capabilities = ["list"]
}

path "identity/entity/id/+" {
  capabilities = ["read"]
}

# The secret engines' configuration and roles: what they allow, not what they hold.
path "database/config/" {
  capabilities = ["list"]
}

path "database/config/+" {
  capabilities = ["read"]
}

path "database/roles/" {
  capabilities = ["list"]
}

path "database/roles/+" {
  capabilities = ["read"]
}

path "database/static-roles/" {
  capabilities = ["list"]
}

path "database/static-roles/+" {
  capabilities = ["read"]
}

path "pki/roles/" {
  capabilities = ["list"]
}

path "pki/roles/+" {
  capabilities = ["read"]
}

path "pki-int/roles/" {
  capabilities = ["list"]
}

path "pki-int/roles/+" {
  capabilities = ["read"]
}

path "pki-int/config/urls" {
  capabilities = ["read"]
}

path "pki-int/config/crl" {
  capabilities = ["read"]
}

path "pki-int/config/auto-tidy" {
  capabilities = ["read"]
}

path "pki/config/urls" {
  capabilities = ["read"]
}

path "pki/config/crl" {
  capabilities = ["read"]
}

path "pki/config/auto-tidy" {
  capabilities = ["read"]
}

path "transit/keys/" {
  capabilities = ["list"]
}

path "transit/keys/+" {
  capabilities = ["read"]
}

path "secret/config" {
  capabilities = ["read"]
}

path "aws/roles/" {
  capabilities = ["list"]
}

path "aws/roles/+" {
  capabilities = ["read"]
}

path "aws/config/root" {
  capabilities = ["read"]
}
