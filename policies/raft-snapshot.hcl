# The snapshot CronJob (Kubernetes auth role `raft-snapshot`): save a Raft snapshot,
# and nothing else.

path "sys/storage/raft/snapshot" {
  capabilities = ["read"]
}
