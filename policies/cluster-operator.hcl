# The operator running `vault-platform cluster upgrade` or `cluster scale-down`: read the
# Raft cluster's health, make the active node step down, remove a server from Raft — and
# nothing else (no secrets, no policies, no configuration). Attached to no role or group:
# a token is made for the procedure and revoked after it (README, Cluster lifecycle). The
# sudo that step-down requires makes it a privileged policy by this project's rule.

path "sys/storage/raft/autopilot/state" {
  capabilities = ["read"]
}

path "sys/storage/raft/configuration" {
  capabilities = ["read"]
}

path "sys/step-down" {
  capabilities = ["update", "sudo"]   # the server asks for sudo here
}

path "sys/storage/raft/remove-peer" {
  capabilities = ["update"]
}
