"""The CrossGuard guardrails, fed with resources captured under Pulumi's mocks.

`PolicyPack(...)` starts a server, so each policy's validate function is called
directly with the arguments the Pulumi engine would pass.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "policypack"))
import guardrails  # noqa: E402


def options(protect: bool) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def resource_args(registration, props=None, protect=None) -> ResourceValidationArgs:
    return ResourceValidationArgs(
        registration.type, props if props is not None else registration.inputs, registration.urn,
        registration.name, options(registration.protect if protect is None else protect), None)


def stack_args(registrations) -> StackValidationArgs:
    resources = [PolicyResource(r.type, r.inputs, r.urn, r.name, options(r.protect), None, None, [], {})
                 for r in registrations]
    return StackValidationArgs(resources)


def violations(policy: str, args) -> list[str]:
    found: list[str] = []
    guardrails.VALIDATORS[policy](args, lambda message, urn=None: found.append(message))
    return found


def run_resource_policies(plan) -> list[str]:
    found = []
    for registration in plan.resources():
        for name in ("kms-key-rotates-and-is-protected", "vault-statefulset-hardened"):
            found += violations(name, resource_args(registration))
    for name in ("vault-policies-pass-lints", "privileged-policies-only-on-administrative-identities",
                 "production-has-audit-device", "tls-on-outside-dev"):
        found += violations(name, stack_args(plan.resources()))
    return found


@pytest.mark.parametrize("stack", ["dev", "staging", "production"])
def test_every_shipped_stack_passes_every_guardrail(stack_plan, stack):
    assert run_resource_policies(stack_plan(stack)) == []


def with_policy(plan, name: str, text) -> list:
    """The plan's registrations with policy ``name``'s text replaced (``text(old)``)."""
    changed = []
    for registration in plan.resources():
        if registration.type == "vault:index/policy:Policy" and registration.inputs["name"] == name:
            registration = copy.copy(registration)
            registration.inputs = dict(registration.inputs, policy=text(registration.inputs["policy"]))
        changed.append(registration)
    return changed


def test_a_policy_that_reads_everything_is_refused(stack_plan):
    registrations = with_policy(stack_plan("production"), "ci-deployer",
                                lambda old: old + '\npath "*" { capabilities = ["read"] }\n')
    found = violations("vault-policies-pass-lints", stack_args(registrations))
    assert len(found) == 1 and "VP002 error" in found[0], found


ADMINISTRATIVE = "privileged-policies-only-on-administrative-identities"


def test_a_policy_made_privileged_on_a_workload_role_is_refused(stack_plan):
    """Privilege is computed from the text: a write on identity groups makes ci-deployer
    privileged, and the role holding it is not administrative."""
    registrations = with_policy(stack_plan("production"), "ci-deployer",
                                lambda old: old + '\npath "identity/group/*" { capabilities = ["update"] }\n')
    assert violations("vault-policies-pass-lints", stack_args(registrations)) == []
    found = violations(ADMINISTRATIVE, stack_args(registrations))
    assert len(found) == 1 and found[0].startswith("role jwt-github/deploy holds the privileged policy ci-deployer")
    assert "change identity groups" in found[0]


def with_role_policies(plan, role: str, policies: list[str]) -> list:
    changed = []
    for registration in plan.resources():
        if registration.inputs.get("roleName") == role:
            registration = copy.copy(registration)
            registration.inputs = dict(registration.inputs, tokenPolicies=policies)
        changed.append(registration)
    return changed


def test_break_glass_on_a_workload_role_is_refused_twice(stack_plan):
    found = violations(ADMINISTRATIVE, stack_args(with_role_policies(stack_plan("production"), "ingest",
                                                                       ["analytics-ingest", "break-glass"])))
    assert len(found) == 2, found
    assert found[0] == ("role kubernetes/ingest holds break-glass, which the stack declares unattached "
                        "(vault.policies.unattached)")
    assert found[1].startswith("role kubernetes/ingest holds the privileged policy break-glass (write ACL policies")
    assert found[1].endswith("but is not marked administrative")


def test_the_administrative_mark_is_what_lets_the_deploy_role_hold_its_policy(stack_plan):
    plan = stack_plan("production")
    assert violations(ADMINISTRATIVE, stack_args(plan.resources())) == []
    unmarked = []
    for registration in plan.resources():
        if registration.type == "vault-platform:configuration:VaultConfiguration":
            registration = copy.copy(registration)
            registration.inputs = dict(registration.inputs, administrative=[])
        unmarked.append(registration)
    found = violations(ADMINISTRATIVE, stack_args(unmarked))
    assert found and all("role jwt-github/pulumi-deploy holds the privileged policy vault-platform-deploy" in f
                         for f in found)


def test_a_policy_that_does_not_parse_is_refused_in_the_servers_dialect(stack_plan):
    registrations = with_policy(stack_plan("production"), "ci-deployer",
                                lambda old: 'path "a" { capabilities = ["scan"] }')
    assert "does not parse (vault-2.0)" in violations("vault-policies-pass-lints", stack_args(registrations))[0]


def test_production_without_an_audit_device_is_refused(stack_plan):
    registrations = [r for r in stack_plan("production").resources() if r.type != "vault:index/audit:Audit"]
    assert violations("production-has-audit-device", stack_args(registrations)) == [
        "production applies Vault configuration without an audit device (vault.audit_devices)"]
    dev = [r for r in stack_plan("dev").resources() if r.type != "vault:index/audit:Audit"]
    assert violations("production-has-audit-device", stack_args(dev)) == []


def test_tls_off_outside_dev_is_refused(stack_plan):
    registrations = copy.deepcopy(stack_plan("staging").resources())
    for r in registrations:
        if r.type == "kubernetes:core/v1:ConfigMap" and "server.hcl" in r.inputs["data"]:
            r.inputs["data"]["server.hcl"] = r.inputs["data"]["server.hcl"].replace(
                'tls_min_version = "tls12"', 'tls_disable = true')
        if r.type == "pulumi:providers:vault":
            r.inputs["address"] = "http://vault.staging.example.com:8200"
    found = violations("tls-on-outside-dev", stack_args(registrations))
    assert any("TLS disabled" in f for f in found) and any("plain HTTP" in f for f in found)


def test_a_commented_tls_disable_is_not_a_violation(stack_plan):
    registrations = copy.deepcopy(stack_plan("staging").resources())
    for r in registrations:
        if r.type == "kubernetes:core/v1:ConfigMap" and "server.hcl" in r.inputs["data"]:
            r.inputs["data"]["server.hcl"] += "\n# tls_disable = true\n"
    assert violations("tls-on-outside-dev", stack_args(registrations)) == []


@pytest.mark.parametrize(
    "change, protect, expected",
    [
        ({"enableKeyRotation": False}, True, "must rotate"),
        ({"deletionWindowInDays": 3}, True, "7-30 day deletion window"),
        ({}, False, "must be protected"),
    ],
)
def test_unrotated_or_unprotected_keys_are_refused(stack_plan, change, protect, expected):
    (key,) = [k for k in stack_plan("production").of_type("aws:kms/key:Key") if k.name == "vault-unseal-key"]
    found = violations("kms-key-rotates-and-is-protected", resource_args(key, {**key.inputs, **change}, protect))
    assert len(found) == 1 and expected in found[0]


@pytest.mark.parametrize(
    "path, value, expected",
    [
        (("containers", 0, "securityContext", "readOnlyRootFilesystem"), False, "readOnlyRootFilesystem: true"),
        (("containers", 0, "securityContext", "allowPrivilegeEscalation"), True, "allowPrivilegeEscalation: false"),
        (("containers", 0, "securityContext", "capabilities"), {"add": ["IPC_LOCK"]}, "capabilities.drop: [ALL]"),
        (("securityContext", "runAsNonRoot"), False, "non-root"),
        (("hostNetwork",), True, "host's network"),
    ],
)
def test_a_weakened_statefulset_is_refused(stack_plan, path, value, expected):
    (sts,) = stack_plan("production").of_type("kubernetes:apps/v1:StatefulSet")
    props = copy.deepcopy(sts.inputs)
    node = props["spec"]["template"]["spec"]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    found = violations("vault-statefulset-hardened", resource_args(sts, props))
    assert any(expected in f for f in found), found
