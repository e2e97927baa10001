"""Human-readable summaries printed by the command line."""

from __future__ import annotations

from pathlib import Path

from vault_platform.plan.artifacts import summary
from vault_platform.plan.program import Plan


def print_plan_summary(plan: Plan, out: Path) -> None:
    data = summary(plan)
    print(f"Plan for stack {plan.stack} ({plan.stack_file}, environment {data['environment']}): "
          f"{data['resourceCount']} resources")
    cluster = data["cluster"]
    print(f"  {cluster['server']}, {cluster['replicas']} replicas, {cluster['storage']} storage")
    for kind in ("auth method", "role", "policy", "group", "secret engine", "audit device", "StatefulSet"):
        names = data["objects"].get(kind, [])
        if names:
            print(f"  {kind} ({len(names)}): {', '.join(names)}")
    width = max((len(t) for t in data["resourcesByType"]), default=0)
    print("By Pulumi type:")
    for type_, count in data["resourcesByType"].items():
        print(f"  {type_:<{width}}  {count}")
    print(f"Protected from deletion ({len(data['protected'])}):")
    for item in data["protected"]:
        print(f"  {item}")
    print("Outputs (placeholder: invented offline, real after `pulumi up`):")
    for name, value in data["outputs"].items():
        text = str(value).splitlines()[0] if value else str(value)
        shown = text if len(text) <= 70 and "\n" not in str(value).strip() else f"{text[:67]}..."
        marker = "  [placeholder]" if name in data["placeholders"] else ""
        print(f"  {name} = {shown}{marker}")
    for warning in data["warnings"]:
        print(f"warning: {warning}")
    try:
        out = out.resolve().relative_to(Path.cwd())
    except ValueError:
        pass
    print(f"Artifacts written to {out}/")
