"""``vault-platform preflight``: is a live AWS account ready for Vault's auto-unseal?

Checks, against the account the default credential chain reaches:

1. the unseal key exists (the stack's alias, or ``existing_key_arn``), is enabled, is a
   symmetric ``ENCRYPT_DECRYPT`` key and rotates;
2. Vault's role exists;
3. the role may ``kms:Encrypt``, ``kms:Decrypt`` and ``kms:DescribeKey`` on that key —
   asked of IAM's policy simulator; where the simulator cannot be used, the role's own
   policies are evaluated locally (:mod:`vault_platform.live.iam_eval`) and the report says so;
4. the role may do nothing else with KMS (no destruction, no key-policy change, no
   grants, no other key);
5. the key policy lets the role use the key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Optional
from urllib.parse import unquote

from components.aws import unseal_policies as documents
from components.config import StackConfig
from vault_platform.live.iam_eval import evaluate
from vault_platform.live.aws_calls import error_code

FORBIDDEN_PROBES = (
    "kms:ScheduleKeyDeletion",
    "kms:DisableKey",
    "kms:PutKeyPolicy",
    "kms:CreateGrant",
    "kms:ReEncryptFrom",
    "kms:GenerateDataKey",
)
"""Actions Vault's role must not have on the key (it needs only UNSEAL_ACTIONS)."""


@dataclass
class Result:
    check: str
    ok: bool
    detail: str


class PreflightError(RuntimeError):
    """The account could not be examined (no credentials, no network, wrong stack)."""


def run_preflight(config: StackConfig, stack: str, session: Any) -> list[Result]:
    """Every check for ``stack``; ``session`` is a boto3 Session."""
    from botocore.exceptions import BotoCoreError, ClientError

    kms_config = config.unseal.awskms
    if config.unseal.type != "awskms" or kms_config is None:
        raise PreflightError(f"stack {stack} does not use AWS KMS auto-unseal (unseal.type is {config.unseal.type})")
    region = kms_config.region
    key_ref = kms_config.existing_key_arn or documents.alias_name(config.cluster.name, stack)
    role_name = documents.role_name(config.cluster.name, stack)
    kms = session.client("kms", region_name=region)
    iam = session.client("iam", region_name=region)
    results: list[Result] = []
    try:
        key_arn = _key_checks(kms, key_ref, region, results)
        try:
            role = iam.get_role(RoleName=role_name)["Role"]
        except ClientError as error:
            if error_code(error) != "NoSuchEntity":
                raise
            results.append(Result("role exists", False, f"no IAM role {role_name}"))
            return results
        results.append(Result("role exists", True, role["Arn"]))
        if key_arn is None:
            return results
        results += _role_checks(iam, role, key_arn)
        results.append(_key_policy_check(kms, key_arn, role["Arn"]))
    except (ClientError, BotoCoreError) as error:
        raise PreflightError(f"AWS could not be examined: {error}") from error
    return results


def _key_checks(kms: Any, key_ref: str, region: str, results: list[Result]) -> Optional[str]:
    """The key exists, is enabled, symmetric and rotating; returns its ARN (None: no key)."""
    from botocore.exceptions import ClientError

    try:
        metadata = kms.describe_key(KeyId=key_ref)["KeyMetadata"]
    except ClientError as error:
        if error_code(error) in ("NotFoundException", "InvalidArnException"):
            results.append(Result("key exists", False, f"no key {key_ref} in {region}"))
            return None
        raise
    key_arn = metadata["Arn"]
    results.append(Result("key exists", True, f"{key_ref} -> {key_arn}"))
    state = metadata.get("KeyState")
    results.append(Result("key is enabled", state == "Enabled", f"key state is {state}"))
    spec = metadata.get("KeySpec") or metadata.get("CustomerMasterKeySpec")
    usage = metadata.get("KeyUsage")
    results.append(Result("key is symmetric ENCRYPT_DECRYPT", spec == "SYMMETRIC_DEFAULT" and usage == "ENCRYPT_DECRYPT",
                          f"key spec {spec}, usage {usage}"))
    rotation = kms.get_key_rotation_status(KeyId=metadata["KeyId"]).get("KeyRotationEnabled")
    results.append(Result("key rotation is on", bool(rotation), "automatic rotation is " + ("on" if rotation else "off")))
    return key_arn


def _role_checks(iam: Any, role: dict[str, Any], key_arn: str) -> list[Result]:
    """The role may use the key for the seal, and do nothing else with KMS."""
    results = []
    decide, method = _decider(iam, role, key_arn)
    for action in documents.UNSEAL_ACTIONS:
        decision = decide(action, key_arn)
        results.append(Result(f"role may {action} on the key", decision == "allowed", f"{decision} ({method})"))
    excess = [
        f"{action}: {decision}"
        for action in FORBIDDEN_PROBES
        if (decision := decide(action, key_arn)) != "implicitDeny" and decision != "explicitDeny"
    ]
    other_key = key_arn.rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000"
    if (decision := decide("kms:Encrypt", other_key)) not in ("implicitDeny", "explicitDeny"):
        excess.append(f"kms:Encrypt on another key: {decision}")
    results.append(Result(
        "role may do nothing else with KMS",
        not excess,
        "; ".join(excess) if excess else f"{len(FORBIDDEN_PROBES) + 1} other uses denied ({method})",
    ))
    return results


def _key_policy_check(kms: Any, key_arn: str, role_arn: str) -> Result:
    """The key policy lets the role use the key (directly or through the account)."""
    policy = json.loads(kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"])
    account_root = f"arn:{key_arn.split(':')[1]}:iam::{key_arn.split(':')[4]}:root"
    verdicts = {
        action: evaluate([policy], action, "*", principal=role_arn, account_root=account_root)
        for action in documents.UNSEAL_ACTIONS
    }
    missing = [f"{action}: {decision}" for action, decision in verdicts.items() if decision != "allowed"]
    return Result(
        "key policy lets the role use the key",
        not missing,
        "; ".join(missing) if missing else "allowed by the key policy (directly or through the account)",
    )


def _decider(iam: Any, role: dict[str, Any], key_arn: str) -> tuple[Callable[[str, str], str], str]:
    """A function ``(action, resource) -> decision`` for the role, and how it decides."""
    from botocore.exceptions import ClientError

    role_arn = role["Arn"]
    try:
        iam.simulate_principal_policy(
            PolicySourceArn=role_arn, ActionNames=[documents.UNSEAL_ACTIONS[0]], ResourceArns=[key_arn]
        )
    except (ClientError, NotImplementedError) as error:
        reason = error_code(error) or type(error).__name__
        policies = _role_policies(iam, role)
        boundary = _boundary(iam, role)

        def local(action: str, resource: str) -> str:
            decision = evaluate(policies, action, resource)
            if boundary is not None and decision == "allowed":
                decision = evaluate([boundary], action, resource)
            return decision

        return local, f"role's policies evaluated locally; the policy simulator was unavailable ({reason})"

    def simulated(action: str, resource: str) -> str:
        answer = iam.simulate_principal_policy(
            PolicySourceArn=role_arn, ActionNames=[action], ResourceArns=[resource]
        )
        return answer["EvaluationResults"][0]["EvalDecision"]

    return simulated, "IAM policy simulator"


def _document(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    return json.loads(unquote(value))


def _role_policies(iam: Any, role: dict[str, Any]) -> list[dict[str, Any]]:
    name = role["RoleName"]
    found = [
        _document(iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"])
        for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]
    ]
    for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        found.append(_managed(iam, attached["PolicyArn"]))
    return found


def _managed(iam: Any, arn: str) -> dict[str, Any]:
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    return _document(iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"])


def _boundary(iam: Any, role: dict[str, Any]) -> Optional[dict[str, Any]]:
    boundary = role.get("PermissionsBoundary") or {}
    arn = boundary.get("PermissionsBoundaryArn")
    return _managed(iam, arn) if arn else None


def render_report(stack: str, results: list[Result]) -> str:
    lines = [f"preflight for stack {stack}:"]
    for result in results:
        lines.append(f"  {'PASS' if result.ok else 'FAIL'}  {result.check}: {result.detail}")
    passed = sum(1 for r in results if r.ok)
    verdict = "ready" if passed == len(results) else "NOT READY"
    lines.append(f"{verdict}: {passed} of {len(results)} checks passed")
    return "\n".join(lines)
