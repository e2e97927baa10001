"""Human-readable summaries printed by the command line."""

from __future__ import annotations

from pathlib import Path

from vault_platform.plan.artifacts import summary
from vault_platform.plan.program import Plan


def print_plan_summary(plan: Plan, out: Path) -> None:
    data = summary(plan)
    print(f"Plan for stack {plan.stack} ({plan.stack_file}, environment {data['environment']}): "
          f"{data['resourceCount']} resources")
    width = max((len(t) for t in data["resourcesByType"]), default=0)
    for type_, count in data["resourcesByType"].items():
        print(f"  {type_:<{width}}  {count}")
    print(f"Protected from deletion ({len(data['protected'])}):")
    for item in data["protected"]:
        print(f"  {item}")
    print("Outputs:")
    for name, value in data["outputs"].items():
        text = str(value).splitlines()[0] if value else str(value)
        shown = text if len(text) <= 70 and "\n" not in str(value).strip() else f"{text[:67]}..."
        print(f"  {name} = {shown}")
    for warning in data["warnings"]:
        print(f"warning: {warning}")
    try:
        out = out.resolve().relative_to(Path.cwd())
    except ValueError:
        pass
    print(f"Artifacts written to {out}/")
