"""The policies a stack writes (:func:`stack_policies`): the ``policies/*.hcl`` files it
selects, and two the plan derives from the declared configuration instead of anyone
writing them by hand; and which of them are privileged (:func:`privileged_policies`).
The derived ones:

* ``vault-platform-deploy`` — exactly what the Vault provider calls to create, read, update
  and delete what the stack declares (each path named, a wildcard only where the server
  picks the id: identity groups and aliases, PKI issuers), plus the child token the
  provider makes. No secret data, no orphan or root tokens, no audit device, policy, role,
  mount or token role beyond the declared ones.
* ``vault-platform-reader`` — what a refresh and ``vault-platform drift`` read: every
  declared object, the listings drift walks in each declared namespace (to find what is
  unmanaged), and the cluster's health for ``status``. No secret data: no KV data,
  credentials (``creds/``, ``static-creds/``), key exports, issuance or secret IDs. (It
  reads an AppRole's role ID, as a refresh does: an identifier, useless without a secret
  ID, which it cannot create.)

The deploy policy is privileged (:mod:`vault_acl.privilege`): it writes the declared
policies, its own included, and the declared login roles, so whoever runs the deploy job
can grant any capability by changing the stack — it is root-equivalent to them, and it is
held only by identities the stack marks ``administrative``. What it cannot do is anything
the stack does not declare.

Removing an object from the stack: Pulumi deletes it after the program has already
updated this policy, so the policy would no longer name it. The deploy policy therefore
keeps, as *retiring* grants (read, list, delete, sudo — never create or update), the
paths the previous deploy policy named that the stack no longer declares
(:func:`retiring_grants`, from the policy as the server holds it); the next apply drops
them.

Objects inside a namespace are granted under the namespace's prefix (``team-a/auth/...``):
the identities holding these policies live in the root namespace. The provider's calls
per resource type follow terraform-provider-vault, which pulumi-vault bridges; the live
tier applies, refreshes and destroys every stack with the deploy policy alone, and runs
drift with the reader policy alone.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Mapping, Optional

from components.config.inputs import policy_files
from components.config.inputs.policy_files import PolicyFile, PolicyProblem
from components.config.targets import Target
from components.config.vault.spec import VaultSpec
from vault_acl import Policy, parse_policy
from vault_acl.privilege import privileges

DEPLOY_POLICY = "vault-platform-deploy"
READER_POLICY = "vault-platform-reader"
DERIVED_POLICIES = (DEPLOY_POLICY, READER_POLICY)

CRUD = ("create", "read", "update", "delete")
Grants = dict[str, set[str]]

ROLE_LISTS = {"kubernetes": ("role",), "approle": ("role",), "jwt": ("role",), "oidc": ("role",), "cert": ("certs",),
              "userpass": ("users",), "ldap": ("groups", "users")}
"""What lives beneath each auth method type (drift lists it to find unmanaged entries)."""
ENGINE_CHILDREN = {"database": ("config", "roles", "static-roles"), "pki": ("roles",), "transit": ("keys",),
                   "aws": ("roles",)}


def _at(namespace: Optional[str], path: str) -> str:
    return f"{namespace}/{path}" if namespace else path


def _grant(grants: Grants, namespace: Optional[str], path: str, capabilities: Iterable[str]) -> None:
    grants.setdefault(_at(namespace, path), set()).update(capabilities)


def _namespace_of(path: str) -> tuple[Optional[str], str]:
    parent, _, leaf = path.rpartition("/")
    return parent or None, leaf


AUTOPILOT_CONFIGURATION = "sys/storage/raft/autopilot/configuration"


def deploy_grants(spec: VaultSpec, target: Target, policy_names: Iterable[str]) -> Grants:
    """Path -> capabilities of ``vault-platform-deploy`` (``policy_names``: the policy files
    the stack loads)."""
    grants: Grants = {}
    _grant(grants, None, "auth/token/create", ("update",))  # the provider's own child token
    _grant(grants, None, "auth/token/lookup-self", ("read",))
    for namespace in spec.namespaces:
        parent, leaf = _namespace_of(namespace.path)
        _grant(grants, parent, f"sys/namespaces/{leaf}", (*CRUD, "patch"))
    if not target.audit_in_config:
        _grant(grants, None, "sys/audit", ("read", "sudo"))
        for device in spec.audit_devices:
            _grant(grants, None, f"sys/audit/{device.path}", (*CRUD, "sudo"))
    for name in [*policy_names, *DERIVED_POLICIES]:
        _grant(grants, None, f"sys/policies/acl/{name}", CRUD)
    for namespace, names in spec.namespaced_policies.items():
        for name in names:
            _grant(grants, namespace, f"sys/policies/acl/{name}", CRUD)
    for policy in spec.password_policies:
        _grant(grants, None, f"sys/policies/password/{policy.name}", CRUD)
    _deploy_auth(grants, spec)
    _deploy_identity(grants, spec)
    _deploy_engines(grants, spec)
    for quota in spec.quotas:
        _grant(grants, None, f"sys/quotas/{quota.type}/{quota.name}", CRUD)
    if spec.autopilot is not None:
        _grant(grants, None, AUTOPILOT_CONFIGURATION, ("read", "update"))
    return grants


def _deploy_auth(grants: Grants, spec: VaultSpec) -> None:
    for method in spec.auth_methods:
        ns, path = method.namespace, method.path
        _grant(grants, ns, f"sys/auth/{path}", (*CRUD, "sudo"))
        _grant(grants, ns, f"sys/mounts/auth/{path}", ("read",))
        _grant(grants, ns, f"sys/mounts/auth/{path}/tune", ("read", "update"))
        if method.type in ("jwt", "oidc", "ldap", "kubernetes"):
            _grant(grants, ns, f"auth/{path}/config", ("create", "read", "update"))
    kinds = {(m.namespace, m.path): m.type for m in spec.auth_methods}
    for role in spec.roles:
        kind = kinds.get((role.namespace, role.mount))
        folder = "certs" if kind == "cert" else "role"
        _grant(grants, role.namespace, f"auth/{role.mount}/{folder}/{role.name}", CRUD)
        if kind == "approle":  # the provider reads the role ID back after each write
            _grant(grants, role.namespace, f"auth/{role.mount}/role/{role.name}/role-id", ("read",))


def _deploy_identity(grants: Grants, spec: VaultSpec) -> None:
    for group in spec.groups:
        ns = group.namespace
        _grant(grants, ns, "identity/group", ("create", "update"))
        _grant(grants, ns, f"identity/group/name/{group.name}", ("read",))
        _grant(grants, ns, "identity/group/id/*", ("read", "update", "delete"))  # the server picks the id
        if group.aliases:
            _grant(grants, ns, "identity/group-alias", ("create", "update"))
            _grant(grants, ns, "identity/group-alias/id/*", ("read", "update", "delete"))


def _deploy_engines(grants: Grants, spec: VaultSpec) -> None:
    for engine in spec.secret_engines:
        ns, path = engine.namespace, engine.path
        _grant(grants, ns, f"sys/mounts/{path}", (*CRUD, "sudo"))
        _grant(grants, ns, f"sys/mounts/{path}/tune", ("read", "update"))
        if engine.type == "kv-v2":
            _grant(grants, ns, f"{path}/config", ("create", "read", "update"))
        elif engine.type == "database" and engine.database is not None:
            for connection in engine.database.connections:
                _grant(grants, ns, f"{path}/config/{connection.name}", CRUD)
            for role in engine.database.roles:
                _grant(grants, ns, f"{path}/roles/{role.name}", CRUD)
            for role in engine.database.static_roles:
                _grant(grants, ns, f"{path}/static-roles/{role.name}", CRUD)
        elif engine.type == "pki" and engine.pki is not None:
            _deploy_pki(grants, ns, path, engine.pki)
        elif engine.type == "transit" and engine.transit is not None:
            for key in engine.transit.keys:
                _grant(grants, ns, f"{path}/keys/{key.name}", CRUD)
                _grant(grants, ns, f"{path}/keys/{key.name}/config", ("create", "update"))
        elif engine.type == "aws" and engine.aws is not None:
            _grant(grants, ns, f"{path}/config/root", ("create", "read", "update"))
            for role in engine.aws.roles:
                _grant(grants, ns, f"{path}/roles/{role.name}", CRUD)


def _deploy_pki(grants: Grants, ns: Optional[str], path: str, pki) -> None:
    if pki.kind == "root":
        _grant(grants, ns, f"{path}/issuers/generate/root/internal", ("create", "update"))
        _grant(grants, ns, f"{path}/root/sign-intermediate", ("create", "update"))
    else:
        _grant(grants, ns, f"{path}/issuers/generate/intermediate/internal", ("create", "update"))
        _grant(grants, ns, f"{path}/intermediate/set-signed", ("create", "update"))
    _grant(grants, ns, f"{path}/issuer/+", ("read", "delete"))  # the server picks the issuer id
    for role in pki.roles:
        _grant(grants, ns, f"{path}/roles/{role.name}", CRUD)
    for config in ("urls", "crl", "auto-tidy"):
        _grant(grants, ns, f"{path}/config/{config}", ("create", "read", "update"))


def reader_grants(spec: VaultSpec) -> Grants:
    """Path -> capabilities of ``vault-platform-reader``."""
    grants: Grants = {}
    for path in ("sys/ha-status", "sys/storage/raft/configuration", "sys/storage/raft/autopilot/state"):
        _grant(grants, None, path, ("read",))  # vault-platform status
    _grant(grants, None, "sys/audit", ("read", "sudo"))  # listing audit devices needs sudo
    if spec.autopilot is not None:
        _grant(grants, None, AUTOPILOT_CONFIGURATION, ("read",))
    for path in ("sys/quotas/rate-limit", "sys/quotas/lease-count"):
        _grant(grants, None, path, ("list",))
        _grant(grants, None, f"{path}/+", ("read",))
    for namespace in [None, *(n.path for n in spec.namespaces)]:
        for path, capabilities in (("sys/auth", ("read",)), ("sys/mounts", ("read",)),
                                   ("sys/policies/acl", ("list",)), ("sys/policies/acl/*", ("read",)),
                                   ("sys/policies/password", ("list",)), ("sys/policies/password/+", ("read",)),
                                   ("auth/token/roles/", ("list",)), ("auth/token/roles/+", ("read",)),
                                   ("identity/group/id/", ("list",)), ("identity/group/id/+", ("read",)),
                                   ("identity/group/name/+", ("read",)), ("identity/group-alias/id/+", ("read",)),
                                   ("identity/entity/id/", ("list",)), ("identity/entity/id/+", ("read",)),
                                   ("sys/namespaces", ("list",)), ("sys/namespaces/+", ("read",))):
            _grant(grants, namespace, path, capabilities)
    for method in spec.auth_methods:
        ns, path = method.namespace, method.path
        _grant(grants, ns, f"sys/mounts/auth/{path}", ("read",))
        _grant(grants, ns, f"sys/mounts/auth/{path}/tune", ("read",))
        _grant(grants, ns, f"auth/{path}/config", ("read",))
        for folder in ROLE_LISTS.get(method.type, ()):
            _grant(grants, ns, f"auth/{path}/{folder}/", ("list",))
            _grant(grants, ns, f"auth/{path}/{folder}/+", ("read",))
    kinds = {(m.namespace, m.path): m.type for m in spec.auth_methods}
    for role in spec.roles:  # a refresh reads an AppRole's role ID: an identifier; a login needs a secret ID too
        if kinds.get((role.namespace, role.mount)) == "approle":
            _grant(grants, role.namespace, f"auth/{role.mount}/role/{role.name}/role-id", ("read",))
    for engine in spec.secret_engines:
        ns, path = engine.namespace, engine.path
        _grant(grants, ns, f"sys/mounts/{path}", ("read",))
        _grant(grants, ns, f"sys/mounts/{path}/tune", ("read",))
        for folder in ENGINE_CHILDREN.get(engine.type, ()):
            _grant(grants, ns, f"{path}/{folder}/", ("list",))
            _grant(grants, ns, f"{path}/{folder}/+", ("read",))
        configs = {"kv-v2": ("config",), "pki": ("config/urls", "config/crl", "config/auto-tidy", "issuer/+"),
                   "aws": ("config/root",)}.get(engine.type, ())
        for config in configs:
            _grant(grants, ns, f"{path}/{config}", ("read",))
    return grants


_ORDER = ("create", "read", "update", "patch", "delete", "list", "sudo")
RETIRING = "# retiring: no longer declared; kept to delete it, dropped by the next apply"
RETIRING_CAPABILITIES = {"read", "list", "delete", "sudo"}
_BLOCK = re.compile(r'^(?:(# retiring[^\n]*)\n)?path "([^"\n]+)" \{\n  capabilities = \[([^\]\n]*)\]\n\}', re.MULTILINE)


def _blocks(grants: Grants, marker: Optional[str] = None) -> list[str]:
    lines = []
    for path in sorted(grants):
        capabilities = ", ".join(f'"{c}"' for c in _ORDER if c in grants[path])
        lines += ["", *([marker] if marker else []), f'path "{path}" {{', f"  capabilities = [{capabilities}]", "}"]
    return lines


def render(grants: Grants, summary: str, retiring: Optional[Grants] = None) -> str:
    """The policy's HCL: a header saying what it is, one block per path (sorted), then the
    retiring blocks, each marked."""
    lines = [f"# {line}" if line else "#" for line in summary.splitlines()]
    lines.append("# Derived from the stack's configuration by vault-platform; do not edit by hand.")
    return "\n".join([*lines, *_blocks(grants), *_blocks(retiring or {}, RETIRING)]) + "\n"


def retiring_grants(previous: Optional[str], current: Grants) -> Grants:
    """What the previous deploy policy (its text as the server holds it; None: there is
    none) granted on paths ``current`` no longer names — its declared blocks only, never
    its retiring ones, so a removal is carried by one apply — cut to reading, listing and
    deleting."""
    retiring: Grants = {}
    for match in _BLOCK.finditer(previous or ""):
        marker, path, listed = match.groups()
        if marker is not None or path in current:
            continue
        kept = {c.strip().strip('"') for c in listed.split(",")} & RETIRING_CAPABILITIES
        if kept:
            retiring[path] = kept
    return retiring


def derived_policies(spec: VaultSpec, target: Target, policy_names: Iterable[str],
                     previous_deploy: Optional[str] = None) -> dict[str, str]:
    """Name -> HCL text of the two derived policies; ``previous_deploy``: the deploy policy
    the server holds now (for the retiring grants)."""
    names = list(policy_names)
    deploy = deploy_grants(spec, target, names)
    return {
        DEPLOY_POLICY: render(deploy,
                              "vault-platform-deploy: what the deploy identity (`pulumi up`) needs to create, read,\n"
                              "update and delete exactly what this stack declares, and nothing else. Privileged:\n"
                              "it writes the declared policies and login roles (root-equivalent to whoever can\n"
                              "change the stack); held only by roles marked administrative.",
                              retiring_grants(previous_deploy, deploy)),
        READER_POLICY: render(reader_grants(spec),
                              "vault-platform-reader: what a refresh, `vault-platform drift` and `status` read;\n"
                              "no secret data."),
    }


def stack_policies(spec: VaultSpec, target: Target, environment: str, stack: str,
                   folder: Path = policy_files.POLICY_DIR, previous_deploy: Optional[str] = None,
                   ) -> tuple[list[PolicyFile], list[PolicyProblem]]:
    """Every policy the stack writes: the ``policies/*.hcl`` it selects, then the two derived
    ones (parsed like the files: a derived policy that does not parse is a defect here, and
    raises). A file named like a derived policy is a problem: the name is reserved."""
    dialect = target.policy_dialect
    loaded, problems = policy_files.load(spec.policies.include, spec.policies.exclude, environment, stack,
                                         folder=folder, dialect=dialect)
    for file in [f for f in loaded if f.name in DERIVED_POLICIES]:
        problems.append(PolicyProblem(f"policies/{file.name}.hcl", None,
                                      f"`{file.name}` is derived from the stack by the plan; rename the file"))
        loaded.remove(file)
    names = [file.name for file in loaded]
    for name, text in derived_policies(spec, target, names, previous_deploy).items():
        loaded.append(PolicyFile(name, Path("vault/policies") / f"{name}.hcl", text,
                                 parse_policy(text, name, dialect=dialect), derived=True))
    return loaded, problems


def privileged_policies(policies: Mapping[str, Policy], spec: VaultSpec, target: Target) -> dict[str, str]:
    """Name -> why, for each of ``policies`` (name -> parsed policy) that is privileged
    (:mod:`vault_acl.privilege`), judged in the target's dialect with the stack's namespaces."""
    namespaces = [ns.path for ns in spec.namespaces]
    found: dict[str, str] = {}
    for name, policy in policies.items():
        reasons = privileges(policy, target.policy_dialect, namespaces)
        if reasons:
            found[name] = reasons[0].render() + (f"; and {len(reasons) - 1} more" if len(reasons) > 1 else "")
    return found
