"""vault-platform's Pulumi components, one concern per module (see README, Architecture)."""
