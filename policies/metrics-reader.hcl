# Prometheus's token (periodic, in the Secret the ServiceMonitor names): Vault's
# metrics endpoint and nothing else.

path "sys/metrics" {
  capabilities = ["read"]
}
