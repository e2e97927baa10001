"""A small, conservative evaluator of IAM policy documents.

``preflight`` asks IAM's policy simulator first. Where the simulator cannot be used
(the caller lacks ``iam:SimulatePrincipalPolicy``, or a test double does not
implement it) it reads the role's policies and evaluates them here. It follows
IAM's order — an explicit deny wins, then an allow, else an implicit deny — and
never guesses at conditions: a statement with a ``Condition`` makes the answer
``conditional`` (not proven), and the report says so. SCPs, session policies and
resource-based policies other than the one passed in are not seen.
"""

from __future__ import annotations

import fnmatch
from typing import Any, Iterable, Literal, Optional, Sequence

Decision = Literal["allowed", "explicitDeny", "implicitDeny", "conditional"]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _matches(patterns: Iterable[str], value: str, case_sensitive: bool) -> bool:
    for pattern in patterns:
        if case_sensitive:
            if fnmatch.fnmatchcase(value, pattern):
                return True
        elif fnmatch.fnmatchcase(value.lower(), pattern.lower()):
            return True
    return False


def _principal_matches(statement: dict[str, Any], principal: Optional[str], account_root: Optional[str]) -> bool:
    if principal is None:  # identity policy: the principal is whoever holds it
        return True
    value = statement.get("Principal")
    if value == "*":
        return True
    if not isinstance(value, dict):
        return False
    arns = _as_list(value.get("AWS"))
    return "*" in arns or principal in arns or (account_root is not None and account_root in arns)


def _applies(statement: dict[str, Any], action: str, resource: str) -> bool:
    if "Action" in statement and not _matches(_as_list(statement["Action"]), action, case_sensitive=False):
        return False
    if "NotAction" in statement and _matches(_as_list(statement["NotAction"]), action, case_sensitive=False):
        return False
    if "Resource" in statement and not _matches(_as_list(statement["Resource"]), resource, case_sensitive=True):
        return False
    if "NotResource" in statement and _matches(_as_list(statement["NotResource"]), resource, case_sensitive=True):
        return False
    return True


def evaluate(
    documents: Sequence[dict[str, Any]],
    action: str,
    resource: str,
    principal: Optional[str] = None,
    account_root: Optional[str] = None,
) -> Decision:
    """The decision for ``action`` on ``resource`` under ``documents``.

    For a resource policy pass ``principal`` (and ``account_root``, which counts as
    the principal's account delegating to IAM); for identity policies leave both None.
    """
    allowed = conditional_allow = conditional_deny = False
    for document in documents:
        for statement in _as_list(document.get("Statement")):
            if not _principal_matches(statement, principal, account_root):
                continue
            if not _applies(statement, action, resource):
                continue
            has_condition = bool(statement.get("Condition"))
            if statement.get("Effect") == "Deny":
                if not has_condition:
                    return "explicitDeny"
                conditional_deny = True
            elif statement.get("Effect") == "Allow":
                if has_condition:
                    conditional_allow = True
                else:
                    allowed = True
    if conditional_deny and (allowed or conditional_allow):
        return "conditional"
    if allowed:
        return "allowed"
    return "conditional" if conditional_allow else "implicitDeny"
