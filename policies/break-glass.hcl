# vault-platform: privileged
# Break-glass: everything, with sudo. Attached to no role or group. It is used only
# with a token generated for an emergency (see README, Break-glass), which is revoked
# afterwards; every use is audited.

path "*" {
  capabilities = ["create", "read", "update", "patch", "delete", "list", "sudo"]
}
