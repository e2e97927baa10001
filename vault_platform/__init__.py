"""vault-platform's command line: offline plans and checks of the Pulumi program
(``plan/``), policy intelligence (``policy/``), and the commands that talk to live Vault
clusters and AWS accounts (``live/``); ``commands/`` wires them into ``vault-platform``."""

__version__ = "0.1.0"
