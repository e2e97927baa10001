"""Vault's ACL policy semantics, offline: parse HCL policies and decide requests.

Follows Vault 1.21 (the image this project deploys):

* parsing: top-level keys ``name`` and ``path``; per path ``capabilities``, the legacy
  ``policy`` shorthand, ``allowed_parameters``, ``denied_parameters``,
  ``required_parameters``, ``min_wrapping_ttl``, ``max_wrapping_ttl`` (plus
  ``comment``, ``mfa_methods``, ``control_group``, ``subscribe_event_types``, kept but
  not evaluated); ``deny`` ends a block's capability list;
* rules: exact paths, prefix rules (trailing ``*``) and segment-wildcard rules (``+``),
  kept in separate indexes; blocks for the same path — from one policy or several —
  merge as Vault merges them (union of capabilities, deny wins, parameter lists
  concatenated or widened, the smaller wrapping TTL bound);
* lookup: exact match, then (LIST only) the exact path without its trailing slash,
  then the most specific of the longest prefix rule and every matching ``+`` rule,
  ranked as Vault ranks them; a LIST with a trailing slash matches wildcard rules
  against the path without the slash first (Vault 1.21; newer upstream code ranks
  both forms together so that a more specific deny wins);
* checks: capability for the operation, wrapping TTL bounds, then required, denied
  and allowed parameters (globs ``*`` at either end of a value; list values and
  comma-separated strings matched element by element, the Vault 1.21 behaviour);
* the root policy, and ``capabilities`` as ``sys/capabilities-self`` answers.

Not modelled: namespaces, Sentinel/RGPs, control groups and MFA (parsed, not
enforced), and templated paths (``{{identity...}}``), which Vault drops from an ACL
when they cannot be rendered — as here, where there is no entity to render them for.
"""

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
    "ACL", "CAPABILITIES", "DENY", "LEGACY_POLICIES", "OPERATIONS", "ROOT_POLICY", "SUDO", "Decision", "PathRule",
    "Policy", "PolicyParseError", "capability_names", "duration_seconds", "parse_policy",
]
