"""KmsUnseal under Pulumi's mocks, and the policy documents it renders.

moto cannot check key policies or trust-policy conditions (see
tests/vault_platform/live/test_preflight.py); those are proven here on the documents.
"""

from __future__ import annotations

import json
import re

import pytest

from components.aws import unseal_policies as documents
from vault_platform.plan import artifacts
from tests.conftest import plan_with, stack_raw, with_values

KEY = "aws:kms/key:Key"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
USE_ACTIONS = {"kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
               "kms:GenerateDataKeyWithoutPlaintext", "kms:CreateGrant", "kms:Sign", "kms:GenerateMac"}


def unseal(registrations):
    """The unseal component's resources (the snapshot component has a key and role too)."""
    return [r for r in registrations if r.name.startswith("vault-unseal")]


def test_key_is_protected_rotating_and_symmetric(stack_plan):
    plan = stack_plan("production")
    (key,) = unseal(plan.of_type(KEY))
    assert key.protect is True and key.retain_on_delete is True
    inputs = key.inputs
    assert inputs["enableKeyRotation"] is True
    assert inputs["deletionWindowInDays"] == 30
    assert inputs["rotationPeriodInDays"] == 365
    assert (inputs["keyUsage"], inputs["customerMasterKeySpec"]) == ("ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT")
    assert inputs["bypassPolicyLockoutSafetyCheck"] is False
    (role,) = unseal(plan.of_type(ROLE))
    assert role.protect, "the key policy names the role: a re-created role could not unseal"
    (alias,) = unseal(plan.of_type("aws:kms/alias:Alias"))
    assert alias.protect is True and alias.inputs["name"] == "alias/vault-unseal-production"


def test_seal_stanza_carries_the_key_id(stack_plan):
    plan = stack_plan("production")
    key_id = plan.outputs["unseal_key_arn"].rsplit("/", 1)[1]  # the key id the provider returned
    server_hcl = artifacts.server_config(plan)
    assert f'seal "awskms" {{\n  region = "eu-west-1"\n  kms_key_id = "{key_id}"\n}}' in server_hcl


def test_pods_wait_for_the_unseal_permission(stack_plan):
    plan = stack_plan("production")
    (sts,) = plan.of_type("kubernetes:apps/v1:StatefulSet")
    deps = " ".join(sts.depends_on)
    assert "RolePolicy::vault-unseal-role-policy" in deps
    assert "PodIdentityAssociation::vault-unseal-pod-identity" in deps


def test_pod_identity_association_binds_vault_service_account(stack_plan):
    (association,) = unseal(stack_plan("production").of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation"))
    inputs = association.inputs
    assert (inputs["clusterName"], inputs["namespace"], inputs["serviceAccount"]) == (
        "platform-production", "vault-system", "vault")
    assert inputs["roleArn"] == "arn:aws:iam::123456789012:role/vault-unseal-production"


def test_irsa_annotates_the_service_account(stack_plan):
    plan = stack_plan("staging")
    (account,) = [a for a in plan.of_type("kubernetes:core/v1:ServiceAccount") if a.inputs["metadata"]["name"] == "vault"]
    assert account.inputs["metadata"]["annotations"] == {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/vault-unseal-staging"}
    assert not unseal(plan.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation"))


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_no_aws_credentials_in_any_artifact(stack_plan, stack, tmp_path):
    from vault_platform.plan import artifacts

    artifacts.write(stack_plan(stack), tmp_path)
    access_key = re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")
    for path in tmp_path.rglob("*"):
        if not path.is_file():
            continue
        text = path.read_text()
        for marker in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "access_key", "secret_key"):
            assert marker not in text, (path.name, marker)
        assert not access_key.search(text), path.name


def test_dev_keeps_shamir_and_creates_nothing_in_aws(stack_plan):
    plan = stack_plan("dev")
    assert not [r for r in plan.resources() if r.type.startswith("aws:") or r.type == "pulumi:providers:aws"]
    server_hcl = artifacts.server_config(plan)
    assert not re.search(r'^seal\s+"', server_hcl, re.MULTILINE)


def test_existing_key_is_adopted_not_created():
    arn = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    raw = stack_raw("production")
    raw["vault-platform:unseal"]["awskms"] = {
        "region": "eu-west-1", "existing_key_arn": arn,
        "identity": {"mode": "pod-identity", "cluster_name": "platform-production"},
        # allowed beside an existing key: they administer the recovery-key key the stack still creates
        "key_administrators": ["arn:aws:iam::444455556666:role/vault-key-admins"],
    }
    monitor = plan_with("production", raw)
    assert not unseal(monitor.by_type(KEY)) and not unseal(monitor.by_type("aws:kms/alias:Alias"))
    policy = json.loads(monitor.one(ROLE_POLICY, "vault-unseal-role-policy").inputs["policy"])
    assert policy == documents.role_policy(arn)
    server_hcl = monitor.one("kubernetes:core/v1:ConfigMap", "vault-config").inputs["data"]["server.hcl"]
    assert 'kms_key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"' in server_hcl


def test_named_key_administrators_replace_the_account():
    raw = with_values(stack_raw("production"), **{
        "unseal.awskms.key_administrators": ["arn:aws:iam::123456789012:role/platform-admins"]})
    policy = json.loads(plan_with("production", raw).one(KEY, "vault-unseal-key").inputs["policy"])
    admin = next(s for s in policy["Statement"] if s["Sid"] == "KeyAdministration")
    assert admin["Principal"] == {"AWS": ["arn:aws:iam::123456789012:role/platform-admins"]}


# -- the rendered documents ------------------------------------------------------------


def plan_document(stack_plan, name: str) -> dict:
    from vault_platform.plan.artifacts import aws_documents

    return dict(aws_documents(stack_plan("production").resources()))[name]


def test_plan_writes_key_trust_and_role_policies(stack_plan):
    from vault_platform.plan.artifacts import aws_documents

    names = [name for name, _ in aws_documents(stack_plan("production").resources()) if name.startswith("vault-unseal")]
    assert names == ["vault-unseal-key", "vault-unseal-role-policy", "vault-unseal-role-trust"]


def test_role_policy_grants_three_actions_on_one_key(stack_plan):
    policy = plan_document(stack_plan, "vault-unseal-role-policy")
    (statement,) = policy["Statement"]
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt"]
    assert statement["Resource"] == stack_plan("production").outputs["unseal_key_arn"]
    assert "*" not in statement["Resource"]


def test_key_policy_admins_manage_but_cannot_use(stack_plan):
    policy = plan_document(stack_plan, "vault-unseal-key")
    statements = {s["Sid"]: s for s in policy["Statement"]}
    admin = statements["KeyAdministration"]
    assert admin["Principal"] == {"AWS": ["arn:aws:iam::444455556666:role/pulumi-deploy",
                                          "arn:aws:iam::444455556666:role/vault-key-admins"]}
    assert not USE_ACTIONS & set(admin["Action"])
    assert not {a for a in admin["Action"] if "*" in a}
    assert not set(documents.PROTECTED_ACTIONS) & set(admin["Action"])


def test_key_policy_only_vault_role_may_use_the_key(stack_plan):
    policy = plan_document(stack_plan, "vault-unseal-key")
    users = [s for s in policy["Statement"] if s["Effect"] == "Allow" and USE_ACTIONS & set(s["Action"])]
    assert len(users) == 1
    assert users[0]["Principal"] == {"AWS": "arn:aws:iam::123456789012:role/vault-unseal-production"}
    assert sorted(users[0]["Action"]) == ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt"]


def test_key_policy_denies_disabling_and_deletion_to_everyone(stack_plan):
    policy = plan_document(stack_plan, "vault-unseal-key")
    deny = next(s for s in policy["Statement"] if s["Effect"] == "Deny")
    assert deny["Principal"] == {"AWS": "*"}
    assert sorted(deny["Action"]) == ["kms:DisableKey", "kms:ScheduleKeyDeletion"]


def test_pod_identity_trust_is_narrowed_to_vault_service_account(stack_plan):
    trust = plan_document(stack_plan, "vault-unseal-role-trust")
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert sorted(statement["Action"]) == ["sts:AssumeRole", "sts:TagSession"]
    # by ARN and account: another cluster can carry the name, not the ARN (mock account 123456789012)
    assert statement["Condition"] == {"StringEquals": {
        "aws:SourceAccount": "123456789012",
        "aws:RequestTag/eks-cluster-arn": "arn:aws:eks:eu-west-1:123456789012:cluster/platform-production",
        "aws:RequestTag/kubernetes-namespace": "vault-system",
        "aws:RequestTag/kubernetes-service-account": "vault",
    }}
    assert "eks-cluster-name" not in json.dumps(trust)


def test_pod_identity_trust_names_the_cluster_in_its_own_region():
    raw = with_values(stack_raw("production"), **{"unseal.awskms.identity.cluster_region": "eu-central-1"})
    (role,) = unseal(plan_with("production", raw).by_type(ROLE))
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert statement["Condition"]["StringEquals"]["aws:RequestTag/eks-cluster-arn"] == (
        "arn:aws:eks:eu-central-1:123456789012:cluster/platform-production")


def test_irsa_trust_conditions_on_subject_and_audience(stack_plan):
    (role,) = unseal(stack_plan("staging").of_type(ROLE))
    trust = json.loads(role.inputs["assumeRolePolicy"])
    (statement,) = trust["Statement"]
    issuer = "oidc.eks.eu-west-1.amazonaws.com/id/5C1E4A2B9D7F3E8A6B0C1D2E3F4A5B6C"
    assert statement["Principal"] == {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{issuer}"}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"]["StringEquals"] == {
        f"{issuer}:sub": "system:serviceaccount:vault-system:vault",
        f"{issuer}:aud": "sts.amazonaws.com",
    }
