path "auth/approle/role/drslapp/secret-id" {
    capabilities = ["create", "update"]
    min_wrapping_ttl = "1s"
    max_wrapping_ttl = "60s"
}
path "auth/approle/login" {
    capabilities = ["create",]
}
path "auth/token/lookup-self" {
    capabilities = [ "read"]
}
