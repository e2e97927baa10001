path "auth/kubernetes/+/config" {
  capabilities = ["sudo", "update"]
}

