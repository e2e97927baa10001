"""``vault-platform drift``: what a live Vault holds that the stack does not declare,
and where declared objects differ.

Pulumi's refresh sees only what Pulumi manages; this reads Vault itself, so an auth
method, secret engine, policy, audit device, namespace or role added by hand shows
up. Compared: auth mounts (type, lease TTL tuning), secret mounts (``vault.secret_engines`` by
type, plus the unmanaged ``vault.secret_mounts``), policies (text),
audit devices (type), namespaces (Enterprise), roles on declared auth mounts.
Built-in objects (token auth, the sys/cubbyhole/identity mounts, the default and root
policies) are ignored.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Optional

from vault_platform.live.client import VaultReader

BUILT_IN_AUTH = {"token"}
BUILT_IN_MOUNTS = {"sys", "cubbyhole", "identity"}
BUILT_IN_POLICIES = {"default", "root", "response-wrapping", "control-group"}
ROLE_LISTS = {
    "kubernetes": "auth/{path}/role",
    "approle": "auth/{path}/role",
    "jwt": "auth/{path}/role",
    "oidc": "auth/{path}/role",
    "cert": "auth/{path}/certs",
}


@dataclass(frozen=True)
class Finding:
    kind: str
    """``unmanaged`` (in Vault, not declared), ``missing`` (declared, not in Vault), ``changed``."""
    object: str
    name: str
    detail: str = ""


@dataclass
class Declared:
    """What the stack declares, in the shape drift compares."""

    auth: dict[str, dict[str, Any]]
    """mount path -> {type, default_lease_ttl, max_lease_ttl} (TTLs in seconds or None)."""
    mounts: dict[str, Optional[str]]
    """secret mount path -> Vault's type (``kv`` with version 2 is ``kv-v2``); None: any type."""
    policies: dict[str, str]
    audit: dict[str, str]
    """path -> type."""
    namespaces: set[str]
    roles: dict[str, set[str]]
    """auth mount path -> role names."""


def declared_of(config: Any, stack: str, policy_dir=None) -> Declared:
    from components.config.inputs import policy_files
    from components.config.units import ttl_seconds

    vault = config.vault
    kwargs = {"folder": policy_dir} if policy_dir is not None else {}
    loaded, _ = policy_files.load(vault.policies.include, vault.policies.exclude, config.environment, stack, **kwargs)
    roles: dict[str, set[str]] = {}
    for role in vault.roles:
        if role.namespace is None:
            roles.setdefault(role.mount, set()).add(role.name)
    mounts: dict[str, Optional[str]] = {path.strip("/"): None for path in vault.secret_mounts}
    mounts.update({e.path: e.type for e in vault.secret_engines if e.namespace is None})
    return Declared(
        auth={m.path: {"type": m.type, "default_lease_ttl": ttl_seconds(m.tune.default_lease_ttl),
                       "max_lease_ttl": ttl_seconds(m.tune.max_lease_ttl)}
              for m in vault.auth_methods if m.namespace is None},
        mounts=mounts,
        policies={f.name: f.text for f in loaded},
        audit={d.path: d.type for d in vault.audit_devices},
        namespaces={n.path for n in vault.namespaces},
        roles=roles,
    )


def _data(answer: Any) -> dict[str, Any]:
    """Vault answers list endpoints with ``data``; older versions at the top level too."""
    if not isinstance(answer, dict):
        return {}
    data = answer.get("data")
    return data if isinstance(data, dict) else {k: v for k, v in answer.items() if k.endswith("/")}


def _mount_type(info: dict[str, Any]) -> str:
    kind = str(info.get("type"))
    version = str((info.get("options") or {}).get("version") or "1")
    return "kv-v2" if kind == "kv" and version == "2" else kind


def _normalise_policy(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def detect(reader: VaultReader, declared: Declared, enterprise: bool = False) -> list[Finding]:
    findings: list[Finding] = []
    add = findings.append

    live_auth = {path.rstrip("/"): info for path, info in _data(reader.get("sys/auth")).items()}
    for path, info in sorted(live_auth.items()):
        if path in BUILT_IN_AUTH:
            continue
        want = declared.auth.get(path)
        if want is None:
            add(Finding("unmanaged", "auth mount", path, f"type {info.get('type')}"))
            continue
        if info.get("type") != want["type"]:
            add(Finding("changed", "auth mount", path, f"type {info.get('type')}, declared {want['type']}"))
        config = info.get("config") or {}
        for key in ("default_lease_ttl", "max_lease_ttl"):
            if want[key] is not None and config.get(key) not in (None, want[key]):
                add(Finding("changed", "auth mount", path, f"{key} {config.get(key)}s, declared {want[key]}s"))
    for path in sorted(set(declared.auth) - set(live_auth)):
        add(Finding("missing", "auth mount", path))

    live_mounts = {path.rstrip("/"): info for path, info in _data(reader.get("sys/mounts")).items()}
    for path, info in sorted(live_mounts.items()):
        live_type = _mount_type(info)
        if path in BUILT_IN_MOUNTS:
            continue
        if path not in declared.mounts:
            add(Finding("unmanaged", "secret mount", path, f"type {live_type}"))
        elif declared.mounts[path] not in (None, live_type):
            add(Finding("changed", "secret mount", path, f"type {live_type}, declared {declared.mounts[path]}"))
    for path in sorted(set(declared.mounts) - set(live_mounts)):
        add(Finding("missing", "secret mount", path))

    live_policies = set(reader.list("sys/policies/acl")) - BUILT_IN_POLICIES
    for name in sorted(live_policies - set(declared.policies)):
        add(Finding("unmanaged", "policy", name))
    for name in sorted(set(declared.policies) - live_policies):
        add(Finding("missing", "policy", name))
    for name in sorted(live_policies & set(declared.policies)):
        answer = reader.get(f"sys/policies/acl/{name}") or {}
        text = (answer.get("data") or {}).get("policy", "")
        if _normalise_policy(text) != _normalise_policy(declared.policies[name]):
            add(Finding("changed", "policy", name, "policy text differs from policies/" + name + ".hcl"))

    live_audit = {path.rstrip("/"): info for path, info in _data(reader.get("sys/audit")).items()}
    for path, info in sorted(live_audit.items()):
        if path not in declared.audit:
            add(Finding("unmanaged", "audit device", path, f"type {info.get('type')}"))
        elif info.get("type") != declared.audit[path]:
            add(Finding("changed", "audit device", path, f"type {info.get('type')}, declared {declared.audit[path]}"))
    for path in sorted(set(declared.audit) - set(live_audit)):
        add(Finding("missing", "audit device", path))

    if enterprise or declared.namespaces:
        live_namespaces = {k.rstrip("/") for k in reader.list("sys/namespaces")}
        top_level = {n for n in declared.namespaces if "/" not in n}
        for name in sorted(live_namespaces - top_level):
            add(Finding("unmanaged", "namespace", name))
        for name in sorted(top_level - live_namespaces):
            add(Finding("missing", "namespace", name))

    for path, want in sorted(declared.auth.items()):
        template = ROLE_LISTS.get(want["type"])
        if template is None or path not in live_auth:
            continue
        live_roles = set(reader.list(template.format(path=path)))
        wanted = declared.roles.get(path, set())
        for name in sorted(live_roles - wanted):
            add(Finding("unmanaged", "role", f"{path}/{name}"))
        for name in sorted(wanted - live_roles):
            add(Finding("missing", "role", f"{path}/{name}"))
    return findings


def render_table(stack: str, findings: list[Finding]) -> str:
    if not findings:
        return f"no drift: Vault matches the declared configuration of stack {stack}\n"
    width = max(len(f.object) for f in findings)
    lines = [f"drift in stack {stack}: {len(findings)} finding{'s' * (len(findings) != 1)}"]
    for finding in findings:
        detail = f"  ({finding.detail})" if finding.detail else ""
        lines.append(f"  {finding.kind:<9}  {finding.object:<{width}}  {finding.name}{detail}")
    return "\n".join(lines) + "\n"


def render_json(stack: str, findings: list[Finding], address: Optional[str] = None) -> str:
    return json.dumps({"stack": stack, "address": address, "drift": bool(findings),
                       "findings": [asdict(f) for f in findings]}, indent=2, sort_keys=True) + "\n"
