path "auth/*" {
  capabilities = ["create", "read", "update", "delete", "list", "sudo]
}
