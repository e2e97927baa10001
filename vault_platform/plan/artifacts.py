"""Plan artifacts: the files a plan writes, byte-identical from one run to the next.

Layout of ``<out>/`` (default ``build/<stack>/``)::

    resources.json        every registered resource, secrets as "[secret]"
    summary.json          counts per type, protected resources, outputs, warnings
    kubernetes/*.yaml     every Kubernetes object as it would be applied
    vault/server.hcl      the rendered server configuration
    vault/policies/*.hcl  every Vault policy as it would be written
    vault/password-policies/*.hcl  every password policy as it would be written
    vault/configuration.json  a summary of Vault's declared configuration
    aws/*.json            every IAM/KMS policy document (when the stack has AWS resources)
    access/matrix.*       the access matrix (json, md, csv, html) when Vault is configured
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Optional

import yaml

from vault_platform import outputs
from vault_platform.plan.mocks import Registration, placeholder_outputs
from vault_platform.plan.program import Plan

SUBDIRS = ("kubernetes", "vault", "aws", "access")


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=True, default_flow_style=False, allow_unicode=True, width=100)


def kubernetes_objects(plan: Plan) -> list[tuple[str, dict[str, Any]]]:
    """``(file name, object)`` for every Kubernetes resource, ordered by file name."""
    result = []
    for registration in plan.resources():
        if not registration.type.startswith("kubernetes:") or not registration.custom:
            continue
        body = registration.inputs
        if "kind" not in body:
            continue
        name = (body.get("metadata") or {}).get("name", registration.name)
        result.append((f"{body['kind'].lower()}-{name}.yaml", body))
    result.sort(key=lambda item: item[0])
    names = [name for name, _ in result]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise ValueError(f"two Kubernetes objects would share a file: {sorted(duplicates)}")
    return result


def server_config(plan: Plan) -> str:
    """The ``server.hcl`` text from the ConfigMap the program registered."""
    for registration in plan.of_type("kubernetes:core/v1:ConfigMap"):
        data = registration.inputs.get("data") or {}
        if "server.hcl" in data:
            return data["server.hcl"]
    raise LookupError("the plan has no ConfigMap with server.hcl")


def summary(plan: Plan) -> dict[str, Any]:
    resources = plan.resources()
    return {
        "stack": plan.stack,
        "stackFile": plan.stack_file,
        "environment": plan.config.environment,
        "resourceCount": len(resources),
        "resourcesByType": dict(sorted(Counter(r.type for r in resources).items())),
        "protected": sorted(f"{r.type}::{r.name}" for r in resources if r.protect),
        "outputs": plan.outputs,
        "placeholders": placeholder_outputs(plan.outputs),
        "cluster": {"server": plan.config.cluster.target.label, "replicas": plan.config.cluster.replicas,
                    "storage": plan.config.storage.type},
        "objects": _objects(resources),
        "warnings": plan.warnings,
    }


def _objects(resources: list[Registration]) -> dict[str, list[str]]:
    """The Vault and Kubernetes objects by kind, as operators name them (``policy ci-deployer``)."""
    from vault_platform.plan.changes import kind_and_name

    found: dict[str, list[str]] = {}
    for resource in resources:
        if not resource.custom or resource.type.startswith("pulumi:providers:"):
            continue
        kind, name = kind_and_name(resource.as_json())
        found.setdefault(kind, []).append(name)
    return {kind: sorted(names) for kind, names in sorted(found.items())}


def render(plan: Plan) -> dict[str, str]:
    """Every artifact as ``{relative path: text}``."""
    files: dict[str, str] = {
        "resources.json": dump_json([r.as_json() for r in plan.resources()]),
        "summary.json": dump_json(summary(plan)),
        "vault/server.hcl": server_config(plan),
    }
    for name, text in vault_policies(plan).items():
        files[f"vault/policies/{name}.hcl"] = text
    for registration in plan.of_type("vault:index/passwordPolicy:PasswordPolicy"):
        files[f"vault/password-policies/{registration.inputs['name']}.hcl"] = registration.inputs["policy"]
    configuration = vault_configuration(plan)
    if configuration:
        files["vault/configuration.json"] = dump_json(configuration)
    from vault_platform.policy.access import render_all
    from vault_platform.policy.report import matrix_of_plan

    matrix = matrix_of_plan(plan)
    if matrix is not None:
        for name, text in render_all(matrix).items():
            files[f"access/{name}"] = text
    for name, body in kubernetes_objects(plan):
        files[f"kubernetes/{name}"] = dump_yaml(body)
    for name, document in aws_documents(plan.resources()):
        files[f"aws/{name}.json"] = dump_json(document)
    return files


def vault_policies(plan: Plan) -> dict[str, str]:
    """Policy name -> text, for every Vault policy the plan registers."""
    return {r.inputs["name"]: r.inputs["policy"] for r in plan.of_type("vault:index/policy:Policy")}


_SUMMARY_KEYS = {
    "vault:index/namespace:Namespace": ("namespaces", ("path", "namespace")),
    "vault:index/audit:Audit": ("auditDevices", ("path", "type", "description", "options")),
    "vault:index/authBackend:AuthBackend": ("authMethods", ("path", "type", "namespace", "description", "tune")),
    "vault:jwt/authBackend:AuthBackend": (
        "authMethods", ("path", "type", "namespace", "description", "oidcDiscoveryUrl", "oidcClientId",
                        "boundIssuer", "tune")),
    "vault:ldap/authBackend:AuthBackend": ("authMethods", ("path", "namespace", "url", "userdn", "groupdn", "tune")),
    "vault:index/policy:Policy": ("policies", ("name", "namespace")),
    "vault:identity/group:Group": ("groups", ("name", "type", "namespace", "policies")),
    "vault:identity/groupAlias:GroupAlias": ("groupAliases", ("name", "namespace")),
    "vault:index/mount:Mount": ("secretEngines", ("path", "type", "namespace", "description", "options",
                                                  "defaultLeaseTtlSeconds", "maxLeaseTtlSeconds")),
    "vault:aws/secretBackend:SecretBackend": ("secretEngines", ("path", "namespace", "description", "region")),
    "vault:database/secretBackendConnection:SecretBackendConnection": (
        "databaseConnections", ("backend", "name", "namespace", "pluginName", "allowedRoles", "passwordPolicy")),
    "vault:pkiSecret/secretBackendRootCert:SecretBackendRootCert": (
        "certificateAuthorities", ("backend", "commonName", "keyType", "keyBits", "ttl")),
    "vault:pkiSecret/secretBackendRootSignIntermediate:SecretBackendRootSignIntermediate": (
        "certificateAuthorities", ("backend", "commonName", "ttl")),
    "vault:transit/secretBackendKey:SecretBackendKey": (
        "transitKeys", ("backend", "name", "type", "autoRotatePeriod", "deletionAllowed", "exportable")),
    "vault:index/passwordPolicy:PasswordPolicy": ("passwordPolicies", ("name", "policy")),
    "vault:index/quotaRateLimit:QuotaRateLimit": ("quotas", ("name", "path", "rate", "interval", "blockInterval")),
    "vault:index/quotaLeaseCount:QuotaLeaseCount": ("quotas", ("name", "path", "maxLeases")),
}


def vault_configuration(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    """A readable summary of Vault's declared configuration, by concern."""
    summary: dict[str, list[dict[str, Any]]] = {}
    for registration in plan.resources():
        if registration.type.endswith("Role") and registration.type.startswith("vault:"):
            auth = "authBackendRole" in registration.type or "AuthBackendRole" in registration.type
            section, keys = ("roles" if auth else "secretEngineRoles"), None
        elif registration.type in _SUMMARY_KEYS:
            section, keys = _SUMMARY_KEYS[registration.type]
        else:
            continue
        inputs = registration.inputs
        entry = {k: inputs[k] for k in (keys or sorted(inputs)) if k in inputs}
        if registration.type == "vault:ldap/authBackend:AuthBackend":
            entry["type"] = "ldap"
        summary.setdefault(section, []).append(entry)
    return summary


def aws_documents(resources: list[Registration]) -> list[tuple[str, Any]]:
    """``(resource name, policy document)`` for every IAM or KMS policy the stack would create."""
    documents = []
    for registration in resources:
        for key in ("policy", "assumeRolePolicy"):
            text = registration.inputs.get(key)
            if registration.type.startswith("aws:") and isinstance(text, str):
                suffix = "" if key == "policy" else "-trust"
                documents.append((f"{registration.name}{suffix}", json.loads(text)))
    return sorted(documents, key=lambda item: item[0])


def write(plan: Plan, out: Path, project: Optional[Path] = None) -> list[str]:
    """Write the artifacts as the directory ``out``, replacing an earlier plan there in one
    step; refuses (:class:`~vault_platform.outputs.OutputDirError`) anything else — see
    :mod:`vault_platform.outputs`. Returns the relative paths written."""
    files = render(plan)
    outputs.replace_directory(out, files, "plan", "--out", project, folders=SUBDIRS)
    return sorted(files)


class PlanDirectoryError(ValueError):
    """A directory given as an earlier plan holds no plan's ``resources.json``."""


def read_resources(directory: Path, option: str) -> list[dict[str, Any]]:
    """The resources an earlier ``plan`` wrote into ``directory`` (given as ``option``:
    ``--diff``, ``--plan``), checked to be a plan's list of resources."""
    from components.config.inputs import files

    path = directory / "resources.json"
    try:
        data = json.loads(files.read_text(path, files.STACK_FILE_LIMIT * 64))
    except files.InputFileError as error:
        raise PlanDirectoryError(f"{error}: {option} takes the directory of an earlier plan") from None
    except ValueError:
        raise PlanDirectoryError(f"{path}: not a resources.json written by `vault-platform plan`") from None
    if not isinstance(data, list) or not all(isinstance(r, dict) and "urn" in r and "type" in r for r in data):
        raise PlanDirectoryError(f"{path}: not a resources.json written by `vault-platform plan`")
    return data
