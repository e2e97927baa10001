# CI/CD deployments (GitHub Actions through JWT auth). Reads deployment settings and
# writes the analytics services' application secrets; nothing else.

path "secret/data/[[environment]]/ci/*" {
  capabilities = ["read"]
}

path "secret/data/[[environment]]/analytics/+/app" {
  capabilities = ["create", "update", "read"]
}

path "secret/metadata/[[environment]]/analytics/*" {
  capabilities = ["list"]
}
