"""The policy language, where the command line has always offered it: ``vault_platform.acl``
keeps exporting ``parse_policy``, ``ACL`` (with ``allowed`` and ``capabilities``) and
``PolicyParseError``. The code lives in :mod:`vault_acl`, below both the Pulumi program and
the command line."""

from vault_acl import *  # noqa: F401,F403
from vault_acl import __all__  # noqa: F401
