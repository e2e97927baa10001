"""ACL policy semantics, offline: parse HCL1 policies and decide requests as a server
does — in the dialect of the server the stack deploys (:mod:`vault_acl.dialects`):
``vault-1.21`` (the default, and today's behaviour), ``vault-2.0``, ``openbao-2.7``.

* parsing: HCL1 as the hcl v1 library reads it (:mod:`vault_acl.hcl1`: braces on the
  next line, comma-separated items, ``${...}`` kept literally, heredocs) or its JSON
  form; top-level keys ``name`` and ``path``; per path the dialect's keys and
  capabilities; every invalid key of the offending object reported; lists must be lists;
  templated paths must balance ``{{ }}``; an attribute given twice refused (Vault) or
  merged (OpenBao); ``deny`` ends a block's capability list;
* rules: exact paths, prefix rules (trailing ``*``) and segment-wildcard rules (``+``),
  kept in separate indexes; blocks for the same path — from one policy or several —
  merge as the servers merge them (union of capabilities, deny wins, parameter lists
  concatenated or widened, the smaller wrapping TTL bound);
* lookup: exact match, then (LIST only) the exact path without its trailing slash, then
  the most specific of the longest prefix rule and every matching ``+`` rule; a LIST of
  ``p/`` matches wildcard rules the dialect's way (Vault 1.21 ``p`` first, OpenBao ``p/``
  first, Vault 2.0 both ranked together with a more specific deny winning);
* checks: capability for the operation, wrapping TTL bounds, then required, denied and
  allowed parameters (globs ``*`` at either end of a value; list values element by
  element on Vault, whole on OpenBao); non-canonical request paths refused (Vault) or
  cleaned (OpenBao); OpenBao's ``scan``, ``expiration`` and ``pagination_limit``;
* the root policy, and ``capabilities`` as ``sys/capabilities-self`` answers.

Not modelled: namespaces, Sentinel/RGPs, control groups and MFA (parsed, not
enforced), and templated paths (``{{identity...}}``), which the servers drop from an ACL
when they cannot be rendered — as here, where there is no entity to render them for.
"""

from vault_acl.dialects import DEFAULT_DIALECT, DIALECTS, Dialect, dialect
from vault_acl.evaluator import ACL
from vault_acl.model import (
    CAPABILITIES,
    DENY,
    LEGACY_POLICIES,
    OPERATIONS,
    ROOT_POLICY,
    SUDO,
    Decision,
    PathRule,
    Policy,
    PolicyParseError,
    capability_names,
)
from vault_acl.parser import duration_seconds, parse_policy

__all__ = [
    "ACL", "CAPABILITIES", "DEFAULT_DIALECT", "DENY", "DIALECTS", "Dialect", "LEGACY_POLICIES", "OPERATIONS",
    "ROOT_POLICY", "SUDO", "Decision", "PathRule", "Policy", "PolicyParseError", "capability_names", "dialect",
    "duration_seconds", "parse_policy",
]
