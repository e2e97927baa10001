path "kv/data/gitea/ssh*" { capabilities = ["read"] }
