#This is Just for practing the Policies for HashiCorp Vault
path "secret/*"{
	capabilities = ["create"]}
path "secret/foo" {
