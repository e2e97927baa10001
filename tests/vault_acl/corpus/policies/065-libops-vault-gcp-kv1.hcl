path "secret/{{identity.entity.aliases.auth_gcp_8fb93eb9.metadata.project_id}}/*" {
  capabilities = ["read", "list"]
}
