# Batch jobs of the analytics platform (Kubernetes role `batch-jobs`, AppRole
# `nightly-export`). Reads the shared batch secrets and gets read-write database
# credentials.

path "secret/data/[[environment]]/analytics/batch-jobs/*" {
  capabilities = ["read"]
}

path "secret/metadata/[[environment]]/analytics/batch-jobs/*" {
  capabilities = ["list", "read"]
}

path "database/creds/analytics-readwrite" {
  capabilities = ["read"]
}
