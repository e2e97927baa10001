path "kv/+/secret-id-concourse" {
  capabilities = [ "create", "update", "read", "list" ]
}

path "kv/+/aws-keys-concourse" {
  capabilities = [ "create", "update", "read", "list" ]
}