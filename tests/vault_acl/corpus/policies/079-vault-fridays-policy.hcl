path "auth/token/*" {
  capabilities = ["create", "read", "update", "delete", "list", "sudo"]
}