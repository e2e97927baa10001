"""Stack-level policy reports: lints over a stack's policies and identities, and the
access matrix of a plan."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Optional

from vault_platform.policy import access, lints
from vault_acl import Policy, parse_policy


def lint_files(project: Path, dialect: str) -> list[lints.Lint]:
    """Every ``policies/*.hcl`` on its own (stack variables filled with placeholders), in
    ``dialect``."""
    from components.config.inputs import policy_files

    loaded, problems = policy_files.load(("*",), (), "environment", "stack", folder=project / "policies",
                                         dialect=dialect)
    found = [lints.Lint("VP000", "error", p.file, p.file, p.line, p.message) for p in problems]
    for file in loaded:
        found += lints.lint_policy(file.policy, f"policies/{file.name}.hcl", dialect)
    return found


def lint_stack(project: Path, stack: str) -> list[lints.Lint]:
    """The stack's policies (its files and the derived ones), conflicts within each role and
    group (VP005), and policies loaded for nothing (VP010). Who may hold a privileged or an
    unattached policy is a rule of the configuration itself: loading the stack refuses it."""
    from components import config as schema
    from components.config.vault.rules import unheld_policies
    from components.config.vault.stack_policies import stack_policies
    from vault_platform.project import stack_file

    path = stack_file(project, stack)
    config = schema.load_stack_file(path, policy_dir=project / "policies")
    spec, target = config.vault, config.cluster.target
    dialect = target.policy_dialect
    loaded, _ = stack_policies(spec, target, config.environment, schema.stack_name_of(path),
                               folder=project / "policies")
    shown = {f.name: str(f.path) if f.derived else f"policies/{f.name}.hcl" for f in loaded}
    namespaces = [ns.path for ns in spec.namespaces]
    found = []
    for file in loaded:
        found += lints.lint_policy(file.policy, shown[file.name], dialect, namespaces)
    found += lints.lint_identities({f.name: f.policy for f in loaded}, shown, access.identities_of(spec), dialect)
    for name in unheld_policies(spec, set(shown), {f.name for f in loaded if f.derived}):
        found.append(lints.Lint("VP010", "warning", name, shown[name], None,
                                f"held by no role or group in stack {stack}: attach it, scope it to the stacks "
                                "that use it (policies/stacks/<stack>/ or vault.policies.exclude), or declare it in "
                                "vault.policies.unattached (break-glass)"))
    return sorted(set(found), key=lambda l: (l.file, l.line or 0, l.id))


def matrix_of_plan(plan) -> Optional[access.Matrix]:
    """The access matrix of what a plan registers (None when Vault is not configured)."""
    if not plan.config.vault.configure:
        return None
    dialect = plan.config.cluster.target.policy_dialect
    policies = policies_of_plan(plan)
    mounts = [f"{r.inputs['path']}/" for r in plan.resources()
              if r.type in ("vault:index/mount:Mount", "vault:kv/secretBackendV2:SecretBackendV2") and "path" in r.inputs]
    return access.build(plan.stack, policies, access.identities_of(plan.config.vault), mounts, dialect,
                        privileged_of_plan(plan, policies))


def policies_of_plan(plan) -> dict[str, Policy]:
    """Name -> parsed policy, for the policies a plan registers (the stack's dialect)."""
    dialect = plan.config.cluster.target.policy_dialect
    return {r.inputs["name"]: parse_policy(r.inputs["policy"], r.inputs["name"], dialect=dialect)
            for r in plan.of_type("vault:index/policy:Policy")}


def privileged_of_plan(plan, policies: Mapping[str, Policy]) -> dict[str, str]:
    """Policy -> why it is privileged, for the policies a plan registers."""
    from components.config.vault.stack_policies import privileged_policies

    return privileged_policies(policies, plan.config.vault, plan.config.cluster.target)
