# Give access to $namespace/$service_account
# This is V2 style
path "kv/data/{{identity.entity.aliases.${MOUNT_ACCESSOR}.metadata.service_account_namespace}}/{{identity.entity.aliases.${MOUNT_ACCESSOR}.metadata.service_account_name}}/*" {
capabilities = ["create", "read", "update", "delete", "list"]
}


# Give list access to $namespace, so applications can see what other secrets can be requested. More just showing options than this is a real use case
path "kv/data/{{identity.entity.aliases.${MOUNT_ACCESSOR}.metadata.service_account_namespace}} {
capabilities = ["list"]
}
