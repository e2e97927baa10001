# Platform administrators (OIDC group platform-admins): see everything about Vault's
# configuration and operate it — health, Raft, leases — without changing who may do what
# and without reading a secret. Not privileged (computed): configuration changes go
# through the stack (the deploy identity, reviewed), emergencies through break-glass.

path "sys/mounts" {
  capabilities = ["read"]
}

path "sys/mounts/*" {
  capabilities = ["read"]
}

path "sys/auth" {
  capabilities = ["read"]
}

path "sys/policies/acl" {
  capabilities = ["list"]
}

path "sys/policies/acl/*" {
  capabilities = ["read"]
}

# Listing audit devices needs sudo; reading is all it allows here.
path "sys/audit" {
  capabilities = ["read", "sudo"]
}

path "auth/+/config" {
  capabilities = ["read"]
}

path "auth/+/role/" {
  capabilities = ["list"]
}

path "auth/+/role/+" {
  capabilities = ["read"]
}

path "auth/token/roles/" {
  capabilities = ["list"]
}

path "auth/token/roles/+" {
  capabilities = ["read"]
}

path "identity/group/id/" {
  capabilities = ["list"]
}

path "identity/group/id/+" {
  capabilities = ["read"]
}

path "identity/group/name/+" {
  capabilities = ["read"]
}

path "identity/entity/id/" {
  capabilities = ["list"]
}

path "identity/entity/id/+" {
  capabilities = ["read"]
}

path "sys/health" {
  capabilities = ["read"]
}

path "sys/ha-status" {
  capabilities = ["read"]
}

path "sys/storage/raft/configuration" {
  capabilities = ["read"]
}

path "sys/storage/raft/autopilot/*" {
  capabilities = ["read"]
}

# Which leases exist (sudo is what listing them takes), not what they hold.
path "sys/leases/lookup/*" {
  capabilities = ["list", "sudo"]
}

path "secret/data/*" {
  capabilities = ["deny"]
}
