# Ingest service of the analytics platform (Kubernetes auth role `ingest`).
# Reads its own secrets in its environment and gets read-write database credentials.

path "secret/data/[[environment]]/analytics/ingest/*" {
  capabilities = ["read"]
}

path "secret/metadata/[[environment]]/analytics/ingest/*" {
  capabilities = ["list", "read"]
}

path "database/creds/analytics-readwrite" {
  capabilities = ["read"]
}
