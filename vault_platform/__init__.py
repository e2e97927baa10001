"""vault-platform's command line: offline plans and checks of the Pulumi program,
and (in later modules) tools that talk to live Vault clusters and AWS accounts."""

__version__ = "0.1.0"
