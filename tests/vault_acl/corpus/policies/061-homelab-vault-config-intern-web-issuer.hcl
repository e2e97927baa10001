path "pki-web-intern-ecdsa/issue/standard-server" {
  capabilities = ["create", "update"]
}

path "pki-web-intern-rsa/issue/standard-server" {
  capabilities = ["create", "update"]
}

path "pki-web-intern-ecdsa/issue/secure-server" {
  capabilities = ["create", "update"]
}

path "pki-web-intern-rsa/issue/secure-server" {
  capabilities = ["create", "update"]
}
