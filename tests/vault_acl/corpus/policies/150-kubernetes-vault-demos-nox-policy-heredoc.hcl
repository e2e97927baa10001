# For K/V v1 secrets engine
path "secret/$SECRETPATH/${APP}/*" {
    capabilities = ["create", "read", "update", "delete", "list"]
}
# For K/V v2 secrets engine
path "secret/$SECRETPATH/${APP}/*" {
    capabilities = ["create", "read", "update", "delete", "list"]
}
