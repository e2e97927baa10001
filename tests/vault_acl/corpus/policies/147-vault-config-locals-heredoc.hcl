        path "%s/sign/*" { capabilities = [ "read", "list", "create", "update" ] }
