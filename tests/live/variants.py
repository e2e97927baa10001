"""Variants of a shipped stack for live tests of what no shipped stack declares: the stack
file with its ``vault`` section edited, validated and planned exactly as ``plan`` does."""

from __future__ import annotations

import copy
from typing import Callable

from components import config as schema
from tests.conftest import PROJECT, stack_raw
from vault_platform.plan.program import Plan, run_program


def variant(edit: Callable[[dict], None], stack: str = "dev") -> Plan:
    """``stack`` with ``edit(vault_section)`` applied: validated, then planned."""
    raw = stack_raw(stack)
    vault = copy.deepcopy(raw[f"{schema.NAMESPACE}:vault"])
    edit(vault)
    raw[f"{schema.NAMESPACE}:vault"] = vault
    config = schema.load(raw, f"Pulumi.{stack}.yaml (variant)", stack)
    monitor, outputs, warnings = run_program(PROJECT, stack, raw)
    return Plan(stack, f"Pulumi.{stack}.yaml", config, list(monitor.registrations), outputs, warnings)


def stack_variant(stack: str, edit: Callable[[dict], None]) -> Plan:
    """``stack`` with ``edit(raw_stack_config)`` applied to its whole configuration."""
    raw = copy.deepcopy(stack_raw(stack))
    edit(raw)
    config = schema.load(raw, f"Pulumi.{stack}.yaml (variant)", stack)
    monitor, outputs, warnings = run_program(PROJECT, stack, raw)
    return Plan(stack, f"Pulumi.{stack}.yaml", config, list(monitor.registrations), outputs, warnings)
