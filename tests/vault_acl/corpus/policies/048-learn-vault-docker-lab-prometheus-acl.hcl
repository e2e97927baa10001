path "/sys/metrics" {
  capabilities = ["read"]
}
