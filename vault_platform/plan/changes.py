"""``vault-platform plan --diff BASE_DIR``: what a plan changes against an earlier one (for
example the base branch's), as a change set rather than an inventory.

Each resource is matched by its URN (without the stack and project); each change is
*created*, *deleted*, *updated* (with every input that changes, ``before → after``) or
*replaced* (an input changes that the provider cannot update in place: :data:`REPLACED_BY`;
``pulumi preview`` remains the authority on replacement). Resources are named the way a
Vault or Kubernetes operator knows them (``role kubernetes/ingest``, ``policy ci-deployer``,
``StatefulSet vault-system/vault``), not only by Pulumi type. Secret values stay
``[secret]``: a plan never holds them, so a changed secret cannot be seen here.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable


REPLACED_BY: dict[str, tuple[str, ...]] = {
    "vault:index/mount:Mount": ("type",),
    "vault:index/authBackend:AuthBackend": ("type",),
    "vault:index/policy:Policy": ("name",),
    "vault:index/audit:Audit": ("path", "type", "options", "local"),
    "vault:identity/group:Group": ("type",),
    "vault:kubernetes/authBackendRole:AuthBackendRole": ("roleName", "backend"),
    "vault:jwt/authBackendRole:AuthBackendRole": ("roleName", "backend"),
    "vault:appRole/authBackendRole:AuthBackendRole": ("roleName", "backend"),
    "vault:index/certAuthBackendRole:CertAuthBackendRole": ("name", "backend"),
    "vault:database/secretBackendConnection:SecretBackendConnection": ("name", "backend"),
    "vault:database/secretBackendRole:SecretBackendRole": ("name", "backend"),
    "vault:pkiSecret/secretBackendRole:SecretBackendRole": ("name", "backend"),
    "vault:transit/secretBackendKey:SecretBackendKey": ("name", "backend", "type"),
    "kubernetes:apps/v1:StatefulSet": ("spec.selector", "spec.serviceName", "spec.volumeClaimTemplates",
                                       "spec.podManagementPolicy"),
    "kubernetes:batch/v1:Job": ("spec.template",),
    "aws:iam/role:Role": ("name", "path"),
    "aws:iam/policy:Policy": ("name", "path"),
    "aws:iam/rolePolicy:RolePolicy": ("name", "role"),
    "aws:secretsmanager/secretPolicy:SecretPolicy": ("secretArn",),
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": ("clusterName", "namespace", "serviceAccount"),
    "aws:s3/bucketPolicy:BucketPolicy": ("bucket",),
    "aws:kms/key:Key": ("customerMasterKeySpec", "keyUsage"),
    "aws:kms/alias:Alias": ("name",),
    "aws:s3/bucket:Bucket": ("bucket", "bucketPrefix"),
    "aws:secretsmanager/secret:Secret": ("name",),
}
"""Inputs a provider cannot update in place, per type (plus every Kubernetes object's
``metadata.name`` and ``metadata.namespace``)."""

TEXT_LINES = 12
"""At most this many changed lines of a long text (a policy, ``server.hcl``) are shown."""


@dataclass
class FieldChange:
    path: str
    before: Any
    after: Any
    text_diff: list[str] = field(default_factory=list)


@dataclass
class ResourceChange:
    action: str
    """``created``, ``deleted``, ``updated`` or ``replaced``."""
    label: str
    type: str
    name: str
    fields: list[FieldChange] = field(default_factory=list)
    replaced_by: list[str] = field(default_factory=list)
    protected: bool = False


def _key(resource: dict[str, Any]) -> str:
    """The URN without ``urn:pulumi:<stack>::<project>::``: the same resource in two plans."""
    return resource["urn"].split("::", 2)[-1]


def label(resource: dict[str, Any]) -> str:
    """The object as an operator knows it: ``role kubernetes/ingest``."""
    return " ".join(kind_and_name(resource))


def kind_and_name(resource: dict[str, Any]) -> tuple[str, str]:
    """``("role", "kubernetes/ingest")``, ``("StatefulSet", "vault-system/vault")``; the
    Pulumi type's last part and the resource name for what has no better name."""
    typ, inputs = resource["type"], resource.get("inputs") or {}
    name = resource.get("name", "")
    if typ.startswith("kubernetes:"):
        metadata = inputs.get("metadata") or {}
        where = f"{metadata['namespace']}/" if metadata.get("namespace") else ""
        return typ.rsplit(":", 1)[-1], f"{where}{metadata.get('name', name)}"
    prefix = f"{inputs['namespace']}/" if inputs.get("namespace") else ""
    if typ.endswith("AuthBackendRole"):
        return "role", f"{prefix}{inputs.get('backend', '?')}/{inputs.get('roleName') or inputs.get('name')}"
    if typ in KNOWN and inputs.get(KNOWN[typ][1]):
        kind, key = KNOWN[typ]
        return kind, f"{prefix}{inputs[key]}"
    return typ.split(":")[-1], name


KNOWN = {
    "vault:index/policy:Policy": ("policy", "name"),
    "vault:index/mount:Mount": ("secret engine", "path"),
    "vault:index/authBackend:AuthBackend": ("auth method", "path"),
    "vault:jwt/authBackend:AuthBackend": ("auth method", "path"),
    "vault:index/audit:Audit": ("audit device", "path"),
    "vault:identity/group:Group": ("group", "name"),
    "vault:index/namespace:Namespace": ("namespace", "path"),
    "vault:index/passwordPolicy:PasswordPolicy": ("password policy", "name"),
    "vault:index/quotaRateLimit:QuotaRateLimit": ("quota", "name"),
    "vault:index/quotaLeaseCount:QuotaLeaseCount": ("quota", "name"),
    "aws:iam/role:Role": ("IAM role", "name"),
    "aws:iam/policy:Policy": ("IAM policy", "name"),
    "aws:secretsmanager/secret:Secret": ("AWS secret", "name"),
    "aws:kms/alias:Alias": ("KMS alias", "name"),
    "aws:kms/key:Key": ("KMS key", "description"),
    "aws:s3/bucket:Bucket": ("S3 bucket", "bucketPrefix"),
}
"""Pulumi type -> (what operators call it, the input that names it)."""


def _flatten(value: Any, path: str = "") -> dict[str, Any]:
    """Leaf values by dotted path; a list of named objects is keyed by name."""
    if isinstance(value, dict) and value:
        found: dict[str, Any] = {}
        for key, item in value.items():
            found.update(_flatten(item, f"{path}.{key}" if path else str(key)))
        return found
    if isinstance(value, list) and value and all(isinstance(i, dict) for i in value):
        names = [item.get("name") if isinstance(item.get("name"), str) else None for item in value]
        unique = None not in names and len(set(names)) == len(names)  # else a change could hide behind a twin
        found = {}
        for index, item in enumerate(value):
            found.update(_flatten(item, f"{path}[{f'name={names[index]}' if unique else index}]"))
        return found
    return {path: value}


def _text_diff(before: Any, after: Any) -> list[str]:
    if not (isinstance(before, str) and isinstance(after, str) and ("\n" in before or "\n" in after)):
        return []
    lines = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
             if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    return lines[:TEXT_LINES] + ([f"... {len(lines) - TEXT_LINES} more changed lines"] if len(lines) > TEXT_LINES
                                 else [])


def _replacing(typ: str, changed: Iterable[str]) -> list[str]:
    keys = REPLACED_BY.get(typ, ()) + (("metadata.name", "metadata.namespace") if typ.startswith("kubernetes:")
                                       else ())
    return sorted({key for key in keys for path in changed if path == key or path.startswith(key + ".")
                   or path.startswith(key + "[")})


def compare(base: list[dict[str, Any]], head: list[dict[str, Any]]) -> list[ResourceChange]:
    """Every resource that differs, in the head plan's order (deletions last)."""
    before = {_key(r): r for r in base}
    after = {_key(r): r for r in head}
    changes = []
    for key, resource in after.items():
        old = before.get(key)
        if old is None:
            changes.append(ResourceChange("created", label(resource), resource["type"], resource["name"],
                                          protected=bool(resource.get("protect"))))
            continue
        old_fields, new_fields = _flatten(old.get("inputs") or {}), _flatten(resource.get("inputs") or {})
        fields = [FieldChange(path, old_fields.get(path), new_fields.get(path),
                              _text_diff(old_fields.get(path), new_fields.get(path)))
                  for path in sorted(set(old_fields) | set(new_fields))
                  if old_fields.get(path) != new_fields.get(path)]
        if fields:
            replaced_by = _replacing(resource["type"], [f.path for f in fields])
            changes.append(ResourceChange("replaced" if replaced_by else "updated", label(resource),
                                          resource["type"], resource["name"], fields, replaced_by,
                                          bool(resource.get("protect"))))
    for key, resource in before.items():
        if key not in after:
            changes.append(ResourceChange("deleted", label(resource), resource["type"], resource["name"],
                                          protected=bool(resource.get("protect"))))
    return changes


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    if "\n" in text:
        return f"({text.count(chr(10)) + 1} lines)"
    return text if len(text) <= 60 else text[:57] + "..."


def render_markdown(changes: list[ResourceChange], base: str, stack: str) -> str:
    if not changes:
        return f"No changes to stack {stack} against {base}.\n"
    counts = {action: sum(c.action == action for c in changes) for action in ("created", "updated", "replaced",
                                                                              "deleted")}
    lines = [f"#### Changes to stack {stack} against {base}: "
             + ", ".join(f"{n} {action}" for action, n in counts.items() if n), ""]
    for change in changes:
        note = ""
        if change.action == "replaced":
            note = f" (changes {', '.join(change.replaced_by)}, which cannot change in place)"
        if change.action in ("deleted", "replaced") and change.protected:
            note += " — **protected: `pulumi up` will refuse**"
        lines.append(f"- **{change.action}** {change.label} (`{change.type}`){note}")
        for item in change.fields:
            lines.append(f"  - `{item.path}`: {_show(item.before)} → {_show(item.after)}")
            if item.text_diff:
                lines.append("    ```diff")
                lines += [f"    {line}" for line in item.text_diff]
                lines.append("    ```")
    return "\n".join(lines) + "\n"


def render_json(changes: list[ResourceChange]) -> str:
    from dataclasses import asdict

    return json.dumps([asdict(change) for change in changes], indent=2, sort_keys=True, default=str) + "\n"
