# CRITICAL: Capability wildcard
path "secret/data/dev/*" { capabilities = ["*"] }