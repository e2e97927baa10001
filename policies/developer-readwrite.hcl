# Developers in dev and staging: manage the analytics secrets of the environment.

path "secret/data/[[environment]]/analytics/*" {
  capabilities = ["create", "read", "update", "patch", "delete"]
}

path "secret/metadata/[[environment]]/analytics/*" {
  capabilities = ["list", "read", "delete"]
}

path "secret/metadata/[[environment]]/" {
  capabilities = ["list"]
}
