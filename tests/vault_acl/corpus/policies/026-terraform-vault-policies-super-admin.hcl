
path "*" {
  capabilities = ["create", "read", "update", "patch", "delete", "list", "sudo"]
}

