# List existing policies
path "sys/policies/acl"
{
  capabilities = ["list"]
}

# Create and manage ACL policies
path "sys/policies/acl/*"
{
  capabilities = ["create", "read", "update", "delete", "list"]
}

# Manage auth methods broadly across Vault
path "auth/*"
{
  capabilities = ["create", "read", "update", "delete", "list", "sudo"]
}

# Create, update, and delete auth methods
path "sys/auth/*"
{
  capabilities = ["create", "update", "delete", "sudo"]
}

# List auth methods
path "sys/auth"
{
  capabilities = ["read"]
}

# Managing identity
path "identity/*"
{
  capabilities = ["create", "read", "update", "delete", "list"]
}

# Enable and manage the key/value secrets engine at `secret/` path
path "secret/*"
{
  capabilities = ["create", "read", "update", "delete", "list"]
}

# pki secrets engine
path "pki/*"
{
  capabilities = ["create", "read", "update", "delete", "list"]
}

# pki_root secrets engine
path "pki_root/*"
{
  capabilities = ["create", "read", "update", "delete", "list"]
}

#pki_intermediate secrets engine
path "pki_intermediate/*"
{
  capabilities = ["create", "read", "update", "delete", "list"]
}

#EaaS secrets engine
path "EaaS/*"
{
  capabilities = ["create", "read", "update", "delete", "list"]
}

# aws secrets engine
path "aws/*"
{
  capabilities = ["create", "read", "update", "delete", "list"]
}

# ssh_client_signer secrets engine
path "ssh-client-signer/*"
{
  capabilities = ["create", "read", "update", "delete", "list"]
}

# Allow managing leases
path "sys/leases/*"
{
  capabilities = ["read", "update", "list"]
}

# Manage namespaces
path "sys/namespaces/*" {
   capabilities = ["create", "read", "update", "delete", "list"]
}

# Manage secrets engines
path "sys/mounts/*"
{
  capabilities = ["create", "read", "update", "delete", "list"]
}

# List existing secrets engines.
path "sys/mounts"
{
  capabilities = ["read"]
}

# For UI compatibility
path "sys/internal/ui/mounts" {
  capabilities = ["read"]
}

# Configure License
path "sys/license"
{
  capabilities = ["create", "read", "update", "delete", "list"]
}

# Configure Vault UI
path "sys/config/ui"
{
  capabilities = ["read", "update", "delete", "list"]
}
