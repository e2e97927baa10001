path "secret/data/{{identity.entity.aliases.auth_jwt_68930c62.name}}/*" {
  capabilities = ["create", "update", "patch", "read", "delete"]
}

path "secret/metadata/{{identity.entity.aliases.auth_jwt_68930c62.name}}/*" {
  capabilities = ["list"]
}