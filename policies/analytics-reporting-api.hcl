# Reporting API of the analytics platform (Kubernetes auth role `reporting-api`).
# Reads its secrets, gets read-only database credentials, and encrypts report
# exports with its transit key.

path "secret/data/[[environment]]/analytics/reporting-api/*" {
  capabilities = ["read"]
}

path "secret/metadata/[[environment]]/analytics/reporting-api/*" {
  capabilities = ["list", "read"]
}

path "database/creds/analytics-readonly" {
  capabilities = ["read"]
}

path "transit/encrypt/reporting" {
  capabilities = ["update"]
}

path "transit/decrypt/reporting" {
  capabilities = ["update"]
}
