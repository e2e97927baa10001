"""AWS KMS auto-unseal against moto: the enforced permission matrix and `preflight`.

What moto enforces (moto 5.2.5, `set_initial_no_auth_action_count`): the identity
policies of an IAM user's access keys, evaluated by moto's own IAM policy engine.
What it lacks: its KMS responses name no resource, so every KMS action is checked
against "*" and a policy scoped to one key ARN denies even Encrypt on that key. The
`kms_actions_target_the_key` fixture supplies what AWS does — a KMS key operation is
authorised against the ARN of the key it names (resolved from id, alias or ARN by
moto's own key store) — and leaves the evaluation to moto. With it, "allowed on the
unseal key, denied on another key, denied for every other action on the unseal key"
is a real proof. The test also checks the document itself grants none of the denied
actions. moto enforces neither key policies nor trust-policy conditions; those
documents are checked in tests/components/test_unseal.py.
"""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count

from components.aws import unseal_policies as documents
from components.config import load_stack_file
from vault_platform.live.iam_eval import evaluate
from tests.conftest import REGION, denied
from vault_platform.live.preflight import PreflightError, render_report, run_preflight



pytestmark = pytest.mark.usefixtures("aws_credentials")


def rendered_role_policy(stack_plan) -> dict:
    from vault_platform.plan.artifacts import aws_documents

    return dict(aws_documents(stack_plan("production").resources()))["vault-unseal-role-policy"]


@set_initial_no_auth_action_count(5)
@mock_aws
def test_rendered_role_policy_allow_deny_matrix_is_enforced(stack_plan, kms_actions_target_the_key):
    rendered = rendered_role_policy(stack_plan)
    admin_kms = boto3.client("kms", region_name=REGION)
    unseal_key = admin_kms.create_key(Description="unseal")["KeyMetadata"]["Arn"]  # call 1
    other_key = admin_kms.create_key(Description="other")["KeyMetadata"]["Arn"]  # call 2
    # The plan's document, pointed at moto's key (its only resource is the key's ARN).
    planned_arn = rendered["Statement"][0]["Resource"]
    policy = json.loads(json.dumps(rendered).replace(planned_arn, unseal_key))
    assert policy == documents.role_policy(unseal_key)
    iam = boto3.client("iam", region_name=REGION)
    iam.create_user(UserName="vault")  # call 3
    iam.put_user_policy(UserName="vault", PolicyName="unseal", PolicyDocument=json.dumps(policy))  # call 4
    keys = iam.create_access_key(UserName="vault")["AccessKey"]  # call 5
    vault = boto3.client("kms", region_name=REGION, aws_access_key_id=keys["AccessKeyId"],
                         aws_secret_access_key=keys["SecretAccessKey"])

    blob = vault.encrypt(KeyId=unseal_key, Plaintext=b"root key")["CiphertextBlob"]
    assert vault.decrypt(CiphertextBlob=blob, KeyId=unseal_key)["Plaintext"] == b"root key"
    assert vault.describe_key(KeyId=unseal_key)["KeyMetadata"]["Arn"] == unseal_key

    assert denied(lambda: vault.encrypt(KeyId=other_key, Plaintext=b"x"), "kms:Encrypt")
    assert denied(lambda: vault.describe_key(KeyId=other_key), "kms:DescribeKey")
    assert denied(lambda: vault.schedule_key_deletion(KeyId=unseal_key, PendingWindowInDays=7),
                  "kms:ScheduleKeyDeletion")
    assert denied(lambda: vault.disable_key(KeyId=unseal_key), "kms:DisableKey")
    assert denied(lambda: vault.put_key_policy(KeyId=unseal_key, PolicyName="default", Policy="{}"),
                  "kms:PutKeyPolicy")
    assert denied(lambda: vault.create_grant(KeyId=unseal_key, GranteePrincipal="arn:aws:iam::123456789012:root",
                                             Operations=["Decrypt"]), "kms:CreateGrant")
    # and the document itself grants none of them:
    for action in ("kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy", "kms:CreateGrant"):
        assert evaluate([policy], action, unseal_key) == "implicitDeny"


# -- preflight -------------------------------------------------------------------------


def provision(config, stack: str, *, rotation=True, enabled=True, role_policy=True):
    """An account as `pulumi up` leaves it (optionally broken in one way)."""
    kms_config = config.unseal.awskms
    kms = boto3.client("kms", region_name=REGION)
    iam = boto3.client("iam", region_name=REGION)
    role_name = documents.role_name(config.cluster.name, stack)
    trust = documents.pod_identity_trust_policy(
        documents.eks_cluster_arn("aws", REGION, "123456789012", "platform-production"), "123456789012",
        "vault-system", "vault")
    role_arn = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    admins = ["arn:aws:iam::123456789012:root"]
    key = kms.create_key(Policy=json.dumps(documents.key_policy(admins, role_arn)),
                         KeyUsage="ENCRYPT_DECRYPT", KeySpec="SYMMETRIC_DEFAULT")["KeyMetadata"]
    kms.create_alias(AliasName=documents.alias_name(config.cluster.name, stack), TargetKeyId=key["KeyId"])
    if rotation:
        kms.enable_key_rotation(KeyId=key["KeyId"], RotationPeriodInDays=kms_config.rotation_period_in_days)
    if not enabled:
        kms.disable_key(KeyId=key["KeyId"])
    if role_policy:
        iam.put_role_policy(RoleName=role_name, PolicyName="vault-auto-unseal",
                            PolicyDocument=json.dumps(documents.role_policy(key["Arn"])))
    return key["Arn"], role_arn


@pytest.fixture
def production(project):
    return load_stack_file(project / "Pulumi.production.yaml")


def failures(results) -> dict[str, str]:
    return {r.check: r.detail for r in results if not r.ok}


@mock_aws
def test_preflight_passes_on_a_correct_account(production):
    provision(production, "production")
    results = run_preflight(production, "production", boto3.Session(region_name=REGION))
    assert failures(results) == {}
    checks = [r.check for r in results]
    assert "role may kms:Decrypt on the key" in checks and "key rotation is on" in checks
    detail = {r.check: r.detail for r in results}
    assert "policy simulator was unavailable" in detail["role may kms:Encrypt on the key"]
    assert "ready: 10 of 10 checks passed" in render_report("production", results)


@mock_aws
def test_preflight_fails_when_rotation_is_off(production):
    provision(production, "production", rotation=False)
    failed = failures(run_preflight(production, "production", boto3.Session(region_name=REGION)))
    assert failed == {"key rotation is on": "automatic rotation is off"}


@mock_aws
def test_preflight_fails_on_a_disabled_key(production):
    provision(production, "production", enabled=False)
    failed = failures(run_preflight(production, "production", boto3.Session(region_name=REGION)))
    assert failed == {"key is enabled": "key state is Disabled"}


@mock_aws
def test_preflight_fails_when_the_role_lacks_the_permission(production):
    provision(production, "production", role_policy=False)
    failed = failures(run_preflight(production, "production", boto3.Session(region_name=REGION)))
    assert set(failed) == {f"role may {a} on the key" for a in documents.UNSEAL_ACTIONS}
    assert all(detail.startswith("implicitDeny") for detail in failed.values())


@mock_aws
def test_preflight_fails_when_the_role_may_do_more(production):
    key_arn, _ = provision(production, "production")
    iam = boto3.client("iam", region_name=REGION)
    iam.put_role_policy(RoleName="vault-unseal-production", PolicyName="too-much",
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                            {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}))
    failed = failures(run_preflight(production, "production", boto3.Session(region_name=REGION)))
    assert "kms:ScheduleKeyDeletion: allowed" in failed["role may do nothing else with KMS"]
    assert "kms:Encrypt on another key: allowed" in failed["role may do nothing else with KMS"]


@mock_aws
def test_preflight_reports_a_missing_key_and_role(production):
    failed = failures(run_preflight(production, "production", boto3.Session(region_name=REGION)))
    assert failed == {
        "key exists": f"no key alias/vault-unseal-production in {REGION}",
        "role exists": "no IAM role vault-unseal-production",
    }


def test_preflight_refuses_a_stack_without_kms(project):
    dev = load_stack_file(project / "Pulumi.dev.yaml")
    with pytest.raises(PreflightError, match="does not use AWS KMS auto-unseal"):
        run_preflight(dev, "dev", boto3.Session(region_name=REGION))


# -- the local evaluator -----------------------------------------------------------------

ALLOW_KEY = {"Statement": [{"Effect": "Allow", "Action": ["kms:Encrypt"], "Resource": "arn:k/1"}]}


@pytest.mark.parametrize(
    "docs, action, resource, expected",
    [
        ([ALLOW_KEY], "kms:Encrypt", "arn:k/1", "allowed"),
        ([ALLOW_KEY], "KMS:encrypt", "arn:k/1", "allowed"),  # actions are case-insensitive
        ([ALLOW_KEY], "kms:Encrypt", "arn:k/2", "implicitDeny"),
        ([ALLOW_KEY], "kms:Decrypt", "arn:k/1", "implicitDeny"),
        ([{"Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}], "kms:Sign", "x", "allowed"),
        ([ALLOW_KEY, {"Statement": [{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}]}],
         "kms:Encrypt", "arn:k/1", "explicitDeny"),
        ([{"Statement": [{"Effect": "Allow", "NotAction": "kms:Decrypt", "Resource": "*"}]}],
         "kms:Decrypt", "x", "implicitDeny"),
        ([{"Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
                          "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}],
         "kms:Encrypt", "x", "conditional"),
    ],
    ids=["allow", "action-case", "other-resource", "other-action", "wildcard", "deny-wins", "not-action",
         "condition-not-guessed"],
)
def test_iam_evaluation(docs, action, resource, expected):
    assert evaluate(docs, action, resource) == expected


def test_key_policy_principal_matching():
    policy = documents.key_policy(["arn:aws:iam::1:root"], "arn:aws:iam::1:role/vault")
    assert evaluate([policy], "kms:Decrypt", "*", principal="arn:aws:iam::1:role/vault") == "allowed"
    assert evaluate([policy], "kms:Decrypt", "*", principal="arn:aws:iam::1:role/admin") == "implicitDeny"
    assert evaluate([policy], "kms:ScheduleKeyDeletion", "*", principal="arn:aws:iam::1:role/vault",
                    account_root="arn:aws:iam::1:root") == "explicitDeny"


@mock_aws
def test_preflight_command_exit_codes(production, capsys):
    from vault_platform.cli import main

    key_arn, _ = provision(production, "production", rotation=False)
    assert main(["preflight", "--stack", "production"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  key rotation is on: automatic rotation is off" in out
    assert "NOT READY: 9 of 10 checks passed" in out
    boto3.client("kms", region_name=REGION).enable_key_rotation(KeyId=key_arn)
    assert main(["preflight", "--stack", "production"]) == 0
    assert main(["preflight", "--stack", "dev"]) == 2
    assert "does not use AWS KMS auto-unseal" in capsys.readouterr().err


# -- the policy simulator path (real AWS), with AWS's answers stubbed --------------------


def _simulation(action: str, decision: str) -> dict:
    return {"EvaluationResults": [{"EvalActionName": action, "EvalDecision": decision}]}


def test_the_policy_simulator_is_asked_when_the_caller_may_use_it():
    from botocore.stub import Stubber

    from vault_platform.live.preflight import _decider

    iam = boto3.client("iam", region_name=REGION)
    role = {"Arn": "arn:aws:iam::123456789012:role/vault", "RoleName": "vault"}
    key = "arn:aws:kms:eu-west-1:123456789012:key/k"
    with Stubber(iam) as stub:
        stub.add_response("simulate_principal_policy", _simulation("kms:Decrypt", "allowed"),
                          {"PolicySourceArn": role["Arn"], "ActionNames": ["kms:Decrypt"], "ResourceArns": [key]})
        stub.add_response("simulate_principal_policy", _simulation("kms:DisableKey", "implicitDeny"),
                          {"PolicySourceArn": role["Arn"], "ActionNames": ["kms:DisableKey"], "ResourceArns": [key]})
        decide, method = _decider(iam, role, key)
        assert method == "IAM policy simulator"
        assert decide("kms:DisableKey", key) == "implicitDeny"
        stub.assert_no_pending_responses()


def test_a_caller_without_simulator_access_falls_back_to_the_role_policies():
    from botocore.stub import Stubber

    from vault_platform.live.preflight import _decider

    iam = boto3.client("iam", region_name=REGION)
    role = {"Arn": "arn:aws:iam::123456789012:role/vault", "RoleName": "vault"}
    key = "arn:aws:kms:eu-west-1:123456789012:key/k"
    with Stubber(iam) as stub:
        stub.add_client_error("simulate_principal_policy", service_error_code="AccessDenied", http_status_code=403)
        stub.add_response("list_role_policies", {"PolicyNames": ["unseal"]}, {"RoleName": "vault"})
        stub.add_response("get_role_policy", {"RoleName": "vault", "PolicyName": "unseal",
                                              "PolicyDocument": json.dumps(documents.role_policy(key))},
                          {"RoleName": "vault", "PolicyName": "unseal"})
        stub.add_response("list_attached_role_policies", {"AttachedPolicies": []}, {"RoleName": "vault"})
        decide, method = _decider(iam, role, key)
        assert "evaluated locally" in method and "AccessDenied" in method
        assert decide("kms:Encrypt", key) == "allowed"
        assert decide("kms:DisableKey", key) == "implicitDeny"
