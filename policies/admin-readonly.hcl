# vault-platform: privileged
# A read-only view of Vault's configuration, for drift detection, status checks and
# `pulumi preview --refresh` (JWT role `drift`). Reading the audit configuration needs
# sudo; nothing here writes.

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

path "sys/audit" {
  capabilities = ["read", "sudo"]
}

path "sys/namespaces" {
  capabilities = ["list"]
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

path "auth/+/role/*" {
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
