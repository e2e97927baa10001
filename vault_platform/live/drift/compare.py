"""The comparison: each declared object against what the server holds (missing, or each
attribute changed), then every object the server holds that nothing declares
(unmanaged), then the stack's deliberate exceptions."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from vault_platform.live.drift import catalog as c
from vault_platform.live.drift.declared import Declared, audit_option
from vault_platform.live.drift.reading import Key, LiveState
from vault_platform.live.drift.report import Finding, Ignored, Report

SEVERITY_ORDER = {"privilege": 0, "setting": 1}
KIND_ORDER = {"unmanaged": 0, "changed": 1, "missing": 2}


@dataclass(frozen=True)
class IgnoreRule:
    """A deliberate difference the stack accepts (``vault.drift.ignore``)."""

    path: str
    """The object's path, ``*`` matching any characters."""
    reason: str
    namespace: Optional[str] = None
    attribute: Optional[str] = None

    def matches(self, finding: Finding) -> bool:
        return (fnmatch.fnmatchcase(finding.path, self.path) and self.namespace == finding.namespace
                and self.attribute in (None, finding.attribute))

    def __str__(self) -> str:
        where = f"{self.namespace}/ {self.path}" if self.namespace else self.path
        return where + (f" ({self.attribute})" if self.attribute else "")


def _summary(what: str, values: dict[str, Any]) -> Any:
    """What an unmanaged object grants or is, for the report."""
    for key in ("token_policies", "policies", "allowed_policies"):
        if values.get(key):
            return {key: sorted(values[key])}
    return {"type": values["type"]} if what in ("auth method", "secret engine", "audit device") else None


def _changes(declared: Declared, values: dict[str, Any]) -> Iterable[tuple[str, Any, Any, str]]:
    expected = dict(declared.expected)
    if declared.open_prefix:
        kind = str(expected.get("type", ("", None))[0])
        for name in values:
            if name.startswith(declared.open_prefix) and name not in expected:
                attribute = audit_option(kind, name.removeprefix(declared.open_prefix))
                expected[name] = (attribute.normalise(None), attribute)
    for name, (want, attribute) in sorted(expected.items()):
        if attribute.secret:
            continue
        live = attribute.normalise(values.get(name))
        if live != want:
            yield name, live, want, attribute.severity


def compare(declared: list[Declared], state: LiveState, exceptions: list[IgnoreRule], stack: str,
            address: Optional[str] = None) -> Report:
    report = Report(stack, address, state.target.name, namespaces=list(state.namespaces), reads=state.reads,
                    unavailable=list(state.unavailable))
    found: list[Finding] = []
    examined = set(state.namespaces)
    by_key: dict[Key, Declared] = {}
    for item in declared:
        by_key[(item.namespace, item.path)] = item
        if item.namespace not in examined:
            continue  # its namespace is missing: that is the finding
        key = (item.namespace, item.path)
        if key not in state.found and key not in state.values:
            found.append(Finding("missing", item.object, item.path, item.namespace,
                                 c.OBJECT_SEVERITY[item.object]))
            continue
        values = state.values.get(key, {})
        for name, live, want, severity in _changes(item, values):
            found.append(Finding("changed", item.object, item.path, item.namespace, severity, name, live, want))
        report.not_compared += [(item.namespace, item.path, name) for name in item.secrets]
    found += _unmanaged(state, by_key)
    _apply(report, found, exceptions)
    return report


def _unmanaged(state: LiveState, declared: dict[Key, Declared]) -> list[Finding]:
    findings = []
    for key, what in sorted(state.found.items(), key=lambda item: (item[0][0] or "", item[0][1])):
        if key in declared:
            continue
        values = state.values.get(key, {})
        severity = c.OBJECT_SEVERITY[what]
        if what == "identity entity":
            if not values.get("policies"):
                continue  # every login makes an entity: only one that carries policies grants anything
        elif what == "identity group" and not values.get("policies"):
            severity = c.SETTING
        findings.append(Finding("unmanaged", what, key[1], key[0], severity, live=_summary(what, values)))
    return findings


def _apply(report: Report, findings: list[Finding], exceptions: list[IgnoreRule]) -> None:
    used: set[int] = set()
    for finding in sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], KIND_ORDER[f.kind],
                                                   f.namespace or "", f.path, f.attribute or "")):
        match = next((i for i, rule in enumerate(exceptions) if rule.matches(finding)), None)
        if match is None:
            report.findings.append(finding)
        else:
            used.add(match)
            report.ignored.append(Ignored(finding, exceptions[match].reason))
    report.unused_exceptions = [str(rule) for i, rule in enumerate(exceptions) if i not in used]
