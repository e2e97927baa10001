path "nerc/data/{{ cluster_name }}/*" {
  capabilities = ["read"]
}
