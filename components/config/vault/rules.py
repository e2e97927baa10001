"""The rules across the items of the ``vault`` configuration: a role naming a policy or
mount that does not exist, TTL ordering, duplicate paths, undeclared namespaces, dev-only
settings. One function per concern; :func:`cross_reference_problems` runs them all, and
the secret engines' rules (:mod:`components.config.vault.engine_rules`)."""

from __future__ import annotations

import difflib
import re
from typing import Callable, Mapping, Optional

from components.config.base import repeated, ttl_order
from components.config.problems import Problem
from components.config.targets import DEFAULT_TARGET, Target
from components.config.vault.engine_rules import engine_problems
from components.config.vault.spec import ALL_ROLE_FIELDS, ROLE_FIELDS, AuthMethodSpec, GroupSpec, RoleSpec, VaultSpec

Add = Callable[[Problem], None]
Mounts = dict[tuple[Optional[str], str], AuthMethodSpec]


def cross_reference_problems(vault: VaultSpec, environment: str, policy_names: set[str],
                             target: Target = DEFAULT_TARGET, privileged: Optional[Mapping[str, str]] = None,
                             broken: frozenset[str] = frozenset(), unavailable: Optional[Mapping[str, str]] = None,
                             ) -> list[Problem]:
    """Rules across items. ``policy_names``: the policies this stack writes; ``target``: the
    server the stack deploys (what it lacks is refused); ``privileged``: name -> why, for
    the privileged ones among them (:mod:`vault_acl.privilege`). ``broken``: selected policy
    files that failed to load (already reported: naming them is no second error);
    ``unavailable``: policies that exist but this stack does not load -> what to say about
    them: excluded here, or scoped to another stack."""
    issues: list[Problem] = []
    add = issues.append
    known_policies = policy_names | {"default"}
    unavailable = dict(unavailable or {})
    namespaces = {ns.path for ns in vault.namespaces}
    privileged = privileged or {}

    def check_namespace(path: str, namespace: Optional[str]) -> None:
        if namespace is not None and namespace not in namespaces:
            add(Problem(f"{path}.namespace", f"namespace `{namespace}` is not declared in vault.namespaces", namespace))

    def check_policies(where: str, names: tuple[str, ...], holder: str) -> None:
        for number, policy in enumerate(names):
            if policy == "root":
                add(Problem(f"{where}[{number}]", f"the root policy cannot be given to a {holder}", "root"))
            elif policy in unavailable:
                add(Problem(f"{where}[{number}]", unavailable[policy], policy))
            elif policy not in known_policies and policy not in broken:
                hint = difflib.get_close_matches(policy, sorted(known_policies | set(unavailable)), n=1, cutoff=0.6)
                add(Problem(f"{where}[{number}]",
                            "names a policy that does not exist (policies/<name>.hcl loaded by this stack, "
                            "a derived vault-platform-* policy, or default)"
                            + (f"; did you mean `{hint[0]}`?" if hint else ""), policy))

    for number, name in enumerate(vault.policies.unattached):
        if name not in policy_names:
            add(Problem(f"vault.policies.unattached[{number}]", "names a policy this stack does not load", name))
    issues += holding_problems(vault, privileged)

    _namespace_problems(add, vault, target)
    _target_problems(add, vault, target)
    _audit_problems(add, vault, environment, target)
    mounts = _auth_method_problems(add, vault, environment, check_namespace)
    for index, role in repeated(vault.roles, lambda r: (r.namespace, r.mount, r.name)):
        add(Problem(f"vault.roles[{index}].name", f"duplicate role on mount {role.mount}", role.name))
    for index, role in enumerate(vault.roles):
        _role_problems(add, f"vault.roles[{index}]", role, mounts, check_policies)
    _group_problems(add, vault, mounts, check_namespace, check_policies)
    issues += engine_problems(vault.secret_engines, vault.quotas, vault.password_policies, environment,
                              vault.edition == "enterprise" or not target.namespaces_need_enterprise, set(mounts),
                              check_namespace)
    _drift_problems(add, vault, check_namespace)
    engine_paths = {engine.path for engine in vault.secret_engines}
    for index, path in enumerate(vault.secret_mounts):
        if path.strip("/") in engine_paths:
            add(Problem(f"vault.secret_mounts[{index}]", "already declared in vault.secret_engines", path))
    return issues


def _drift_problems(add: Add, vault: VaultSpec, check_namespace: Callable[[str, Optional[str]], None]) -> None:
    for index, rule in enumerate(vault.drift.ignore):
        where = f"vault.drift.ignore[{index}]"
        if not rule.reason.strip():
            add(Problem(f"{where}.reason", "say why the difference is deliberate (every report shows it)", rule.reason))
        if rule.path.strip("*/") == "":
            add(Problem(f"{where}.path", "would hide every finding; allowed: an object's path, `*` inside it",
                        rule.path))
        check_namespace(where, rule.namespace)
    for index, rule in repeated(vault.drift.ignore, lambda r: (r.namespace, r.path, r.attribute)):
        add(Problem(f"vault.drift.ignore[{index}]", "duplicate exception", rule.path))


def _target_problems(add: Add, vault: VaultSpec, target: Target) -> None:
    """What the stack asks of its server that the server does not ship."""
    for index, method in enumerate(vault.auth_methods):
        missing = target.missing_auth_method(method.type)
        if missing:
            add(Problem(f"vault.auth_methods[{index}].type", f"{missing}; {target.label} ships kubernetes, approle, "
                        "jwt, oidc, cert and userpass", method.type))
    for index, engine in enumerate(vault.secret_engines):
        missing = target.missing_secret_engine(engine.type)
        if missing:
            add(Problem(f"vault.secret_engines[{index}].type", f"{missing}; allowed on {target.label}: kv-v2, "
                        "database, pki, transit", engine.type))
        for number, connection in enumerate(engine.database.connections if engine.database else ()):
            missing = target.missing_database_plugin(connection.plugin)
            if missing:
                add(Problem(f"vault.secret_engines[{index}].database.connections[{number}].plugin",
                            f"{missing}; allowed on {target.label}: postgresql, mysql", connection.plugin))
    for index, quota in enumerate(vault.quotas):
        if quota.type == "lease-count" and not target.lease_count_quotas:
            add(Problem(f"vault.quotas[{index}].type", f"{target.label} has no lease-count quotas (a Vault "
                        "Enterprise feature); allowed: rate-limit", quota.type))


def _namespace_problems(add: Add, vault: VaultSpec, target: Target) -> None:
    namespaces = {ns.path for ns in vault.namespaces}
    if vault.namespaces and vault.edition == "community" and target.namespaces_need_enterprise:
        add(Problem("vault.namespaces", "namespaces need Vault Enterprise; vault.edition is community "
                    "(allowed: set vault.edition to enterprise, or remove the namespaces)", has_value=False))
    for index, ns in enumerate(vault.namespaces):
        parent = ns.path.rsplit("/", 1)[0] if "/" in ns.path else None
        if parent and parent not in namespaces:
            add(Problem(f"vault.namespaces[{index}].path", f"its parent namespace `{parent}` is not declared", ns.path))
    for index, ns in repeated(vault.namespaces, lambda n: n.path):
        add(Problem(f"vault.namespaces[{index}].path", "duplicate namespace", ns.path))


def _audit_problems(add: Add, vault: VaultSpec, environment: str, target: Target) -> None:
    dev = environment == "dev"
    off_volume = [d for d in vault.audit_devices if d.type == "socket" or d.file_path == "stdout"]
    if vault.configure and not dev and (len(vault.audit_devices) < 2 or not off_volume):
        add(Problem("vault.audit_devices", f"{environment} must declare at least two audit devices, one of them off "
                    "the audit volume (a file device on stdout, read by the node's log collector, or a socket): "
                    "Vault refuses every request when no audit device can write, and a full audit volume would "
                    f"stop the only one (declared: {len(vault.audit_devices)}, off the volume: {len(off_volume)})",
                    has_value=False))
    for index, device in repeated(vault.audit_devices, lambda d: d.path):
        add(Problem(f"vault.audit_devices[{index}].path", "duplicate audit device path", device.path))
    for index, device in enumerate(vault.audit_devices):
        where = f"vault.audit_devices[{index}]"
        if device.type == "file":
            if device.file_path is None:
                add(Problem(f"{where}.file_path", "required for a file audit device", has_value=False))
            elif device.file_path != "stdout" and not re.fullmatch(
                    rf"{re.escape(target.root)}/audit/[A-Za-z0-9_.-]+", device.file_path):
                add(Problem(f"{where}.file_path", f"must be a file on the audit volume ({target.root}/audit/<name>) "
                            "or stdout", device.file_path))
        if device.type == "syslog":
            add(Problem(f"{where}.type", "the Vault pod has no syslog socket (/dev/log): Vault refuses the device, and "
                        "as everything waits for the audit devices nothing would be configured; allowed: file (a file "
                        "on the audit volume, or stdout for the node's log collector) or socket", "syslog"))
        if device.type == "socket" and not device.address:
            add(Problem(f"{where}.address", "required for a socket audit device", has_value=False))
        if device.log_raw and not dev:
            add(Problem(f"{where}.log_raw", f"logging secrets in plain text is dev-only (environment {environment})",
                        True))
        if not device.hmac_accessor and not dev:
            add(Problem(f"{where}.hmac_accessor", f"token accessors must be HMAC'd in {environment}", False))


def _auth_method_problems(add: Add, vault: VaultSpec, environment: str,
                          check_namespace: Callable[[str, Optional[str]], None]) -> Mounts:
    """Problems of the auth methods; returns the declared ``(namespace, path)`` -> method."""
    mounts: Mounts = {}
    for index, method in repeated(vault.auth_methods, lambda m: (m.namespace, m.path)):
        add(Problem(f"vault.auth_methods[{index}].path", "duplicate auth mount path"
                    + (f" in namespace {method.namespace}" if method.namespace else ""), method.path))
    for index, method in enumerate(vault.auth_methods):
        where = f"vault.auth_methods[{index}]"
        check_namespace(where, method.namespace)
        mounts.setdefault((method.namespace, method.path), method)
        _auth_method_blocks(add, where, method, environment)
        ttl_order(add, f"{where}.tune", "default_lease_ttl", method.tune.default_lease_ttl,
                  "the mount's max_lease_ttl", method.tune.max_lease_ttl)
    return mounts


def _auth_method_blocks(add: Add, where: str, method: AuthMethodSpec, environment: str) -> None:
    """The method's type-specific block (kubernetes, oidc, ldap): present when needed, safe."""
    expected = {"kubernetes": "kubernetes", "jwt": "oidc", "oidc": "oidc", "ldap": "ldap"}.get(method.type)
    for block in ("kubernetes", "oidc", "ldap"):
        present = getattr(method, block) is not None
        if present and block != expected:
            add(Problem(f"{where}.{block}", f"only valid for a {block if block != 'oidc' else 'jwt/oidc'} auth method, "
                        f"not {method.type}", has_value=False))
    if expected in ("oidc", "ldap") and getattr(method, expected) is None:
        add(Problem(f"{where}.{expected}", f"required for a {method.type} auth method", has_value=False))
    if method.type == "userpass" and environment != "dev":
        add(Problem(f"{where}.type", f"userpass is dev-only (environment {environment}); use oidc or ldap", "userpass"))
    if method.type == "oidc" and method.oidc is not None:
        if not method.oidc.oidc_client_id or method.oidc.oidc_client_secret is None:
            add(Problem(f"{where}.oidc", "an oidc auth method needs oidc_client_id and oidc_client_secret",
                        has_value=False))
    if method.ldap is not None:
        if method.ldap.insecure_tls:
            add(Problem(f"{where}.ldap.insecure_tls", "skipping certificate checks is not allowed", True))
        if method.ldap.url.startswith("ldap://") and not method.ldap.starttls:
            add(Problem(f"{where}.ldap.url", "ldap:// needs starttls: true (TLS is required); or use ldaps://",
                        method.ldap.url))
        if method.ldap.binddn and method.ldap.bindpass is None:
            add(Problem(f"{where}.ldap.bindpass", "required with binddn", has_value=False))


def _role_problems(add: Add, where: str, role: RoleSpec, mounts: Mounts,
                   check_policies: Callable[[str, tuple[str, ...], str], None]) -> None:
    method = mounts.get((role.namespace, role.mount))
    if method is None:
        add(Problem(f"{where}.mount", "names an auth mount that is not declared in vault.auth_methods "
                    f"(declared: {', '.join(sorted(p for _, p in mounts)) or 'none'})", role.mount))
        return
    if method.type in ("ldap", "userpass"):
        add(Problem(f"{where}.mount", f"{method.type} auth has no roles; map its groups with vault.groups "
                    "aliases (ldap) or manage users by hand (userpass)", role.mount))
        return
    check_policies(f"{where}.token_policies", role.token_policies, "role")
    extra = role.model_fields_set & ALL_ROLE_FIELDS
    for name in sorted(extra - ROLE_FIELDS[method.type]):
        add(Problem(f"{where}.{name}", f"not a field of a {method.type} role", has_value=False))
    _role_bindings(add, where, role, method)
    ttl_order(add, where, "token_ttl", role.token_ttl, "token_max_ttl", role.token_max_ttl)
    # The longest the role's tokens live: checked once against the mount's ceiling.
    longest = "token_max_ttl" if role.token_max_ttl is not None else "token_ttl"
    ttl_order(add, where, longest, getattr(role, longest), f"the max_lease_ttl of mount {role.mount}",
              method.tune.max_lease_ttl)


def _role_bindings(add: Add, where: str, role: RoleSpec, method: AuthMethodSpec) -> None:
    """What a role must bind, by the type of its auth method."""
    if method.type == "kubernetes" and not (role.bound_service_account_names and role.bound_service_account_namespaces):
        add(Problem(where, "a kubernetes role needs bound_service_account_names and bound_service_account_namespaces",
                    has_value=False))
    if method.type == "kubernetes" and ("*" in role.bound_service_account_names
                                        and "*" in role.bound_service_account_namespaces):
        add(Problem(f"{where}.bound_service_account_names", "any service account in any namespace is not allowed",
                    "*"))
    if method.type in ("jwt", "oidc"):
        role_type = role.role_type or method.type
        if role_type == "jwt" and not (role.bound_audiences or role.bound_claims or role.bound_subject
                                       or role.token_bound_cidrs):
            add(Problem(where, "a jwt role must bind the token (bound_audiences, bound_claims, bound_subject "
                        "or token_bound_cidrs)", has_value=False))
        if role_type == "jwt" and method.oidc is not None and GITHUB_ACTIONS_ISSUER in (
                method.oidc.bound_issuer, method.oidc.oidc_discovery_url.rstrip("/")):
            _github_actions_bindings(add, where, role)
        if role_type == "oidc" and not role.allowed_redirect_uris:
            add(Problem(f"{where}.allowed_redirect_uris", "required for an oidc role", has_value=False))
    if method.type == "cert" and not role.certificate:
        add(Problem(f"{where}.certificate", "required for a cert role (trusted CA PEM)", has_value=False))


GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com"
GITHUB_REPOSITORY_ID_HELP = "the repository's numeric id (`gh api repos/OWNER/REPO --jq .id`)"


def _github_actions_bindings(add: Add, where: str, role: RoleSpec) -> None:
    """A GitHub Actions token names the repository, the ref and the environment of the job
    that asked for it: a role binds the repository by id (a name can be deleted and taken
    again) and the workflow's place, so another branch or a pull request of the same
    repository cannot log in."""
    claims = role.bound_claims
    repository_id = claims.get("repository_id")
    if repository_id is None:
        add(Problem(f"{where}.bound_claims", f"a role on the GitHub Actions issuer must bind repository_id "
                    f"({GITHUB_REPOSITORY_ID_HELP}); a repository name can be deleted and registered again",
                    dict(claims)))
    else:
        values = [repository_id] if isinstance(repository_id, str) else list(repository_id)
        for value in values:
            if not str(value).isdigit():
                add(Problem(f"{where}.bound_claims.repository_id", f"not {GITHUB_REPOSITORY_ID_HELP}", value))
    if not ({"ref", "environment"} <= set(claims) or "job_workflow_ref" in claims):
        add(Problem(f"{where}.bound_claims", "a role on the GitHub Actions issuer must bind ref and environment, "
                    "or job_workflow_ref: otherwise any branch or pull request of the repository logs in",
                    dict(claims)))
    if role.bound_claims_type == "glob":
        for claim in ("repository_id", "repository", "environment"):
            value = claims.get(claim)
            if any("*" in str(v) for v in ([value] if isinstance(value, str) else list(value or []))):
                add(Problem(f"{where}.bound_claims.{claim}", "no wildcard here: it would admit other "
                            "repositories or environments (a glob belongs in ref or job_workflow_ref)", value))


def _group_problems(add: Add, vault: VaultSpec, mounts: Mounts,
                    check_namespace: Callable[[str, Optional[str]], None],
                    check_policies: Callable[[str, tuple[str, ...], str], None]) -> None:
    groups = {g.name: g for g in vault.groups}
    for index, group in repeated(vault.groups, lambda g: g.name):
        add(Problem(f"vault.groups[{index}].name", "duplicate group name", group.name))
    for index, group in enumerate(vault.groups):
        if _in_cycle(group.name, groups):
            add(Problem(f"vault.groups[{index}].member_groups", "group membership forms a cycle",
                        list(group.member_groups)))
    for index, group in enumerate(vault.groups):
        where = f"vault.groups[{index}]"
        check_namespace(where, group.namespace)
        check_policies(f"{where}.policies", group.policies, "group")
        if group.type == "internal" and group.aliases:
            add(Problem(f"{where}.aliases", "only external groups have aliases", has_value=False))
        if group.type == "external" and group.member_groups:
            add(Problem(f"{where}.member_groups", "external groups take members from their aliases", has_value=False))
        for number, member in enumerate(group.member_groups):
            if member not in groups:
                add(Problem(f"{where}.member_groups[{number}]", "names a group that is not declared", member))
        for number, alias in enumerate(group.aliases):
            method = mounts.get((group.namespace, alias.mount))
            if method is None:
                add(Problem(f"{where}.aliases[{number}].mount",
                            "names an auth mount that is not declared in vault.auth_methods", alias.mount))
            elif method.type not in ("oidc", "jwt", "ldap"):
                add(Problem(f"{where}.aliases[{number}].mount",
                            f"group aliases need an oidc, jwt or ldap mount, not {method.type}", alias.mount))


def _in_cycle(name: str, groups: dict[str, GroupSpec]) -> bool:
    """Whether ``name`` reaches itself through member groups (undeclared members ignored)."""
    stack, seen = list(groups[name].member_groups), set()
    while stack:
        member = stack.pop()
        if member == name:
            return True
        if member in seen or member not in groups:
            continue
        seen.add(member)
        stack.extend(groups[member].member_groups)
    return False


def holding_problems(vault: VaultSpec, privileged: Mapping[str, str]) -> list[Problem]:
    """Who may hold what: a privileged policy (``privileged``: name -> why) only by a role or
    group marked ``administrative``; a policy declared unattached by none."""
    problems: list[Problem] = []
    unattached = set(vault.policies.unattached)
    holders = [(f"vault.roles[{i}].token_policies", r.token_policies, "role", r.administrative)
               for i, r in enumerate(vault.roles)]
    holders += [(f"vault.groups[{i}].policies", g.policies, "group", g.administrative)
                for i, g in enumerate(vault.groups)]
    for where, names, holder, administrative in holders:
        for number, policy in enumerate(names):
            if policy in unattached:
                problems.append(Problem(f"{where}[{number}]", "is declared in vault.policies.unattached: no role "
                                        "or group may hold it", policy))
            elif policy in privileged and not administrative:
                problems.append(Problem(f"{where}[{number}]", f"`{policy}` is privileged ({privileged[policy]}); "
                                        f"only a {holder} marked `administrative: true` may hold it", policy))
    return problems


def unheld_policies(vault: VaultSpec, policy_names: set[str], derived: set[str]) -> list[str]:
    """The loaded policies no role or group holds, other than those declared unattached and
    the ``derived`` ones (written whether or not a stack's roles hold them): a policy
    loaded for nothing is usually a forgotten attachment."""
    held = {name for role in vault.roles for name in role.token_policies}
    held |= {name for group in vault.groups for name in group.policies}
    return sorted(policy_names - held - set(vault.policies.unattached) - derived)
