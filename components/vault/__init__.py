"""Vault's configuration, split the way Vault's API is split: one module per concern
(namespaces, audit devices, auth methods and roles, policies, identity, limits, secret
engines with one module per engine under ``engines/``), each looping over the specs
declared in the stack file. :class:`components.vault.configuration.VaultConfiguration`
calls them in order; :mod:`components.vault.provider` makes the provider they go through."""
