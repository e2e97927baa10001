"""Vault's configuration, split the way Vault's API is split: one module per concern
(namespaces, audit devices, auth methods and roles, policies, identity), each looping
over the specs declared in the stack file. :class:`components.configuration.VaultConfiguration`
calls them in order."""
