  path "secret/data/windows/*" {
    capabilities = ["create", "read", "update", "list"]
  }