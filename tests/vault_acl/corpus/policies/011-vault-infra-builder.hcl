path "secret/data/builder/*" {
    capabilities = [ "read" ]
}
