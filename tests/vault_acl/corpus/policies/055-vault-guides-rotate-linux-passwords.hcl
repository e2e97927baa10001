  path "secret/data/linux/*" {
    capabilities = ["create", "read", "update", "list"]
  }