"""The policy dialects: where Vault 1.21, Vault 2.0 and OpenBao 2.7 parse or decide a
policy differently. Everything else — the HCL1 grammar, wildcard priority, ``deny``,
``sudo``, wrapping TTLs, merging — is the same on all three (hashicorp/vault
``vault/acl.go`` ``wildcardPathDescriptorComparePriority`` and openbao/openbao
``internal/vault/policy/acl.go`` rank non-exact matches identically).

Each field cites the code it follows. Vault: ``vault/policy.go`` and ``vault/acl.go`` of
hashicorp/vault (1.21: PR #23874, commit fb97a459, backported in 3fe08e83; 2.0: the
``AllowOperation`` that ranks both LIST forms together, ``resolveACLPermsForListOp``,
shipped in 2.0.3, which OpenBao's advisory GHSA-xp3c-3jw3-4vcr references). OpenBao:
``internal/vault/policy/policy.go`` and ``acl.go`` of openbao/openbao (LIST fix PR #3389,
commit 21ae01c2, first released in 2.6.0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

_COMMON_CAPABILITIES = ("deny", "create", "read", "update", "delete", "list", "sudo", "patch")
_COMMON_KEYS = ("comment", "policy", "capabilities", "allowed_parameters", "denied_parameters",
                "required_parameters", "min_wrapping_ttl", "max_wrapping_ttl", "mfa_methods", "control_group")


@dataclass(frozen=True)
class Dialect:
    name: str
    capabilities: frozenset[str]
    """Vault adds ``subscribe`` and ``recover``; OpenBao adds ``scan`` and has neither of
    Vault's (openbao ``policy.go`` capability switch, around lines 566-580)."""
    path_keys: frozenset[str]
    """Vault adds ``subscribe_event_types``; OpenBao adds ``expiration``,
    ``pagination_limit`` and ``list_scan_response_keys_filter_path`` (openbao
    ``policy.go`` valid keys, around lines 408-422)."""
    duplicate_attributes: Literal["refuse", "merge"]
    """Vault parses with ``hcl.Parse``, which refuses an attribute assigned twice in one
    block ("was already set"; the deprecation reached "pending removal" in Vault PR
    #31215); OpenBao uses ``ParseDontErrorOnDuplicateKeys`` (``sdk/helper/hclutil/hcl.go``
    ``ParseConfig``) and the decoder merges: lists appended, maps merged per key, the last
    scalar wins."""
    list_lookup: Literal["trimmed-first", "pooled", "slashed-first"]
    """How a LIST of ``p/`` (the HTTP layer appends the slash) matches wildcard rules.
    ``trimmed-first``: Vault 1.21 tries ``p`` first (PR #23874), which lets
    ``foo/metadata/*`` (list) beat ``foo/metadata/private/*`` (deny) for
    ``LIST foo/metadata/private``. ``pooled``: Vault 2.0 ranks the candidates of both
    forms together and a deny more specific than the best list grant wins.
    ``slashed-first``: OpenBao tries ``p/`` first and ``p`` only when nothing matched."""
    parameter_lists: Literal["per-element", "whole-value"]
    """List values and comma-separated strings: Vault 1.21+ matches each element against
    ``allowed_parameters``/``denied_parameters`` (``valueInAllowedParameterList``);
    OpenBao matches the value as a whole (``acl.go`` ``valueInSlice``; openbao issue #2277)."""
    lowercase_policy_parameters: bool
    """Vault 2.0 lowercases the values of ``policies`` and ``token_policies`` before
    matching them (``normalizePolicyParameterValue``), so ``ADMIN`` cannot slip past a
    deny of ``admin``."""
    parameter_operations: frozenset[str]
    """Operations whose parameters are checked (Vault adds ``recover``)."""
    canonical_paths: Literal["refuse", "redirect"]
    """A request path with ``//``, ``/./`` or ``/../``: Vault 1.21.5+ and 2.0 refuse it;
    OpenBao's HTTP mux redirects (307) to the cleaned path, which is then decided."""
    built_in_policies: frozenset[str]
    """Policies the server creates itself (Vault 2.0 adds ``default-ceiling``)."""
    control_group_capabilities: bool = False
    """OpenBao validates ``control_group`` itself and requires each factor to name its
    ``controlled_capabilities`` (``policy.go`` ``parseControlGroup``); Vault does not."""


DIALECTS: dict[str, Dialect] = {
    "vault-1.21": Dialect(
        "vault-1.21", frozenset((*_COMMON_CAPABILITIES, "subscribe", "recover")),
        frozenset((*_COMMON_KEYS, "subscribe_event_types")), "refuse", "trimmed-first", "per-element", False,
        frozenset(("read", "create", "update", "patch", "recover")), "refuse",
        frozenset(("default", "root", "response-wrapping", "control-group"))),
    "vault-2.0": Dialect(
        "vault-2.0", frozenset((*_COMMON_CAPABILITIES, "subscribe", "recover")),
        frozenset((*_COMMON_KEYS, "subscribe_event_types")), "refuse", "pooled", "per-element", True,
        frozenset(("read", "create", "update", "patch", "recover")), "refuse",
        frozenset(("default", "root", "response-wrapping", "control-group", "default-ceiling"))),
    "openbao-2.7": Dialect(
        "openbao-2.7", frozenset((*_COMMON_CAPABILITIES, "scan")),
        frozenset((*_COMMON_KEYS, "expiration", "pagination_limit", "list_scan_response_keys_filter_path")),
        "merge", "slashed-first", "whole-value", False, frozenset(("read", "create", "update", "patch")), "redirect",
        frozenset(("default", "root")), control_group_capabilities=True),
}
DEFAULT_DIALECT = "vault-1.21"


def dialect(name: str = DEFAULT_DIALECT) -> Dialect:
    """The dialect called ``name``; a clear error naming the ones there are."""
    if isinstance(name, Dialect):
        return name
    try:
        return DIALECTS[name]
    except KeyError:
        raise ValueError(f"unknown policy dialect {name!r}; allowed: {', '.join(sorted(DIALECTS))}") from None
