# Developers in production: read-only.

path "secret/data/[[environment]]/analytics/*" {
  capabilities = ["read"]
}

path "secret/metadata/[[environment]]/analytics/*" {
  capabilities = ["list", "read"]
}

path "secret/metadata/[[environment]]/" {
  capabilities = ["list"]
}
