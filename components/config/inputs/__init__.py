"""The files a stack's configuration refers to, read from the repository: Vault policies
(``policy_files``), operators' PGP keys (``pgp_keys``), and the one safe way every file is
read (``files``: size limits, regular files only, UTF-8, YAML without duplicate keys or
alias bombs, nothing outside the repository)."""
