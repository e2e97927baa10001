"""vault-platform's guardrails, as CrossGuard policies.

* Vault policies pass the error-level lints (and parse with the rules of the stack's
  server: the cluster's ``policy_dialect``);
* a privileged policy (computed: :mod:`vault_acl.privilege`) is held only by the roles
  and groups the stack marks administrative, and a policy declared unattached by none
  (the marks are the configuration component's properties);
* production applies its Vault configuration only with an audit device;
* TLS stays on outside dev (listener and the Vault provider's address);
* the KMS unseal key rotates, keeps a deletion window, and is protected;
* the Vault StatefulSet keeps its hardened security context.

Properties are Pulumi's engine names (camelCase), as registered.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Optional

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from vault_acl import DEFAULT_DIALECT, PolicyParseError, parse_policy
from vault_acl.privilege import privileges
from vault_platform.policy.lints import errors, lint_policy

CLUSTER = "vault-platform:cluster:VaultCluster"
CONFIGURATION = "vault-platform:configuration:VaultConfiguration"
ROLE_NAME = {"vault:kubernetes/authBackendRole:AuthBackendRole": "roleName",
             "vault:appRole/authBackendRole:AuthBackendRole": "roleName",
             "vault:jwt/authBackendRole:AuthBackendRole": "roleName",
             "vault:index/certAuthBackendRole:CertAuthBackendRole": "name"}
"""Role types, and the property naming the role."""


def _environment(resources: Iterable[Any]) -> Optional[str]:
    for resource in resources:
        if resource.resource_type == CLUSTER:
            return (resource.props or {}).get("environment")
    return None


def _dialect(resources: Iterable[Any]) -> str:
    for resource in resources:
        if resource.resource_type == CLUSTER:
            return (resource.props or {}).get("policy_dialect") or DEFAULT_DIALECT
    return DEFAULT_DIALECT


def vault_policies_pass_lints(args: StackValidationArgs, report: ReportViolation) -> None:
    dialect = _dialect(args.resources)
    for resource in args.resources:
        if resource.resource_type != "vault:index/policy:Policy":
            continue
        name = (resource.props or {}).get("name", resource.name)
        text = (resource.props or {}).get("policy")
        if not isinstance(text, str):
            continue
        try:
            policy = parse_policy(text, name, dialect=dialect)
        except PolicyParseError as error:
            report(f"Vault policy {name} does not parse ({dialect}): {error}")
            continue
        for lint in errors(lint_policy(policy, f"policies/{name}.hcl", dialect)):
            report(f"Vault policy {name}: {lint.render()}")


def _at(namespace: Optional[str], path: str) -> str:
    return f"{namespace}/{path}" if namespace else path


def _holders(resources: Iterable[Any]) -> list[tuple[str, Optional[str], list[str]]]:
    """``(identity, namespace, policies)`` of every auth role and identity group, the
    identity named as the configuration component names it (``role <mount>/<name>``,
    ``group <name>``, behind the namespace)."""
    found = []
    for resource in resources:
        props = resource.props or {}
        namespace = props.get("namespace")
        if resource.resource_type in ROLE_NAME:
            mount = str(props.get("backend", "")).strip("/")
            found.append((f"role {_at(namespace, f'{mount}/{props.get(ROLE_NAME[resource.resource_type])}')}",
                          namespace, list(props.get("tokenPolicies") or [])))
        elif resource.resource_type == "vault:identity/group:Group":
            found.append((f"group {_at(namespace, str(props.get('name')))}", namespace,
                           list(props.get("policies") or [])))
    return found


def privileged_policies_held_by_administrative_identities(args: StackValidationArgs, report: ReportViolation) -> None:
    dialect = _dialect(args.resources)
    marks = next(((r.props or {}) for r in args.resources if r.resource_type == CONFIGURATION), {})
    administrative, unattached = set(marks.get("administrative") or ()), set(marks.get("unattached") or ())
    namespaces = [_at((r.props or {}).get("namespace"), str((r.props or {}).get("path")))
                  for r in args.resources if r.resource_type == "vault:index/namespace:Namespace"]
    texts = {((r.props or {}).get("namespace"), (r.props or {}).get("name")): (r.props or {}).get("policy")
             for r in args.resources if r.resource_type == "vault:index/policy:Policy"}
    for identity, namespace, held in _holders(args.resources):
        for name in held:
            text = texts.get((namespace, name))
            if name in unattached:
                report(f"{identity} holds {name}, which the stack declares unattached (vault.policies.unattached)")
            if not isinstance(text, str) or identity in administrative:
                continue
            try:
                reasons = privileges(parse_policy(text, name, dialect=dialect), dialect, namespaces)
            except PolicyParseError:
                continue  # reported by vault-policies-pass-lints
            if reasons:
                report(f"{identity} holds the privileged policy {name} ({reasons[0].render()}) but is not marked "
                       "administrative")


def production_has_audit_device(args: StackValidationArgs, report: ReportViolation) -> None:
    if _environment(args.resources) != "production":
        return
    applies_vault = any(r.resource_type.startswith("vault:") for r in args.resources)
    audits = [r for r in args.resources if r.resource_type == "vault:index/audit:Audit"]
    if applies_vault and not audits:
        report("production applies Vault configuration without an audit device (vault.audit_devices)")


def tls_is_on(args: StackValidationArgs, report: ReportViolation) -> None:
    environment = _environment(args.resources)
    if environment in (None, "dev"):
        return
    for resource in args.resources:
        props = resource.props or {}
        if resource.resource_type == "kubernetes:core/v1:ConfigMap":
            text = (props.get("data") or {}).get("server.hcl", "")
            if re.search(r"^\s*tls_disable\s*=\s*(true|\"true\"|1)", text, re.MULTILINE):
                report(f"{environment}: Vault's listener has TLS disabled ({resource.name})")
        if resource.resource_type == "pulumi:providers:vault":
            address = props.get("address", "")
            if isinstance(address, str) and address.startswith("http://"):
                report(f"{environment}: the Vault provider talks plain HTTP ({address})")


def kms_key_rotates_and_is_protected(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != "aws:kms/key:Key":
        return
    props = args.props
    if props.get("enableKeyRotation") is not True:
        report("the KMS key must rotate (enableKeyRotation: true)")
    window = props.get("deletionWindowInDays")
    if not isinstance(window, (int, float)) or not 7 <= window <= 30:
        report(f"the KMS key needs a 7-30 day deletion window (got {window})")
    if not args.opts.protect:
        report("the KMS key must be protected (protect: true): deleting it destroys every secret in Vault")


def _is_vault_statefulset(args: ResourceValidationArgs) -> bool:
    labels = ((args.props.get("metadata") or {}).get("labels") or {})
    return args.resource_type == "kubernetes:apps/v1:StatefulSet" and labels.get("app.kubernetes.io/name") == "vault"


def statefulset_is_hardened(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if not _is_vault_statefulset(args):
        return
    pod = ((args.props.get("spec") or {}).get("template") or {}).get("spec") or {}
    pod_context = pod.get("securityContext") or {}
    if pod_context.get("runAsNonRoot") is not True:
        report("the Vault pod must run as non-root (securityContext.runAsNonRoot: true)")
    if (pod_context.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
        report("the Vault pod must use the RuntimeDefault seccomp profile")
    if pod.get("hostNetwork") or pod.get("hostPID") or pod.get("hostIPC"):
        report("the Vault pod must not share the host's network, PID or IPC namespaces")
    for container in pod.get("containers") or []:
        context = container.get("securityContext") or {}
        name = container.get("name", "?")
        checks: list[tuple[bool, str]] = [
            (context.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation: false"),
            (context.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem: true"),
            ("ALL" in ((context.get("capabilities") or {}).get("drop") or []), "capabilities.drop: [ALL]"),
            (not context.get("privileged"), "privileged: false"),
            (not (context.get("capabilities") or {}).get("add"), "no added capabilities"),
        ]
        for ok, what in checks:
            if not ok:
                report(f"container {name} must keep {what}")


POLICIES = [
    StackValidationPolicy(
        name="vault-policies-pass-lints",
        description="Vault ACL policies parse in the server's dialect and pass the error-level lints "
        "(VP002, VP006).",
        validate=vault_policies_pass_lints,
    ),
    StackValidationPolicy(
        name="privileged-policies-only-on-administrative-identities",
        description="A policy that can change who may do what is held only by roles and groups the stack marks "
        "administrative; an unattached one by none.",
        validate=privileged_policies_held_by_administrative_identities,
    ),
    StackValidationPolicy(
        name="production-has-audit-device",
        description="Production applies its Vault configuration only with an audit device.",
        validate=production_has_audit_device,
    ),
    StackValidationPolicy(
        name="tls-on-outside-dev",
        description="Vault's listener and the Vault provider use TLS outside dev.",
        validate=tls_is_on,
    ),
    ResourceValidationPolicy(
        name="kms-key-rotates-and-is-protected",
        description="The unseal key rotates, keeps a 7-30 day deletion window and is protected.",
        validate=kms_key_rotates_and_is_protected,
    ),
    ResourceValidationPolicy(
        name="vault-statefulset-hardened",
        description="The Vault StatefulSet keeps its restricted security context.",
        validate=statefulset_is_hardened,
    ),
]

VALIDATORS: dict[str, Callable] = {p.name: p.validate for p in POLICIES}
