"""What drift found, and how it is shown: a table for a terminal, JSON for machines,
Markdown for an issue or pull-request comment. Exit codes stay as they were: 0 no drift,
3 drift, 2 when the server could not be read."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Optional


@dataclass(frozen=True)
class Finding:
    kind: str
    """``unmanaged`` (on the server, not declared), ``missing`` (declared, not on the
    server) or ``changed`` (an attribute differs)."""
    object: str
    """What it is: ``auth role``, ``audit device``, ``identity group``..."""
    path: str
    """Where the server keeps it (``auth/kubernetes/role/ingest``)."""
    namespace: Optional[str]
    severity: str
    """``privilege``: it changes who can do what, for how long, or what is audited."""
    attribute: Optional[str] = None
    live: Any = None
    declared: Any = None

    @property
    def where(self) -> str:
        return f"{self.namespace}/ {self.path}" if self.namespace else self.path


@dataclass(frozen=True)
class Ignored:
    finding: Finding
    reason: str


@dataclass
class Report:
    stack: str
    address: Optional[str]
    target: str
    findings: list[Finding] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    not_compared: list[tuple[Optional[str], str, str]] = field(default_factory=list)
    """(namespace, path, attribute) of secrets: written, never read back."""
    unused_exceptions: list[str] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)
    namespaces: list[Optional[str]] = field(default_factory=list)
    reads: int = 0

    @property
    def drift(self) -> bool:
        return bool(self.findings)

    def counts(self) -> dict[str, int]:
        return {severity: sum(f.severity == severity for f in self.findings) for severity in ("privilege", "setting")}


def _value(value: Any) -> str:
    if value is None or value == "":
        return "(none)"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= 120 else text[:117] + "..."


def _line(f: Finding) -> str:
    change = f"{f.attribute}: {_value(f.live)} (declared {_value(f.declared)})" if f.kind == "changed" else (
        _value(f.live) if f.live not in (None, "", {}) else "")
    return f"{f.kind:<9}  {f.severity:<9}  {f.object:<20}  {f.where}  {change}".rstrip()


def _footer(report: Report) -> list[str]:
    lines = []
    if report.ignored:
        lines.append(f"{len(report.ignored)} finding(s) ignored by vault.drift.ignore (with their reasons in JSON)")
    if report.unused_exceptions:
        lines.append("exceptions that matched nothing: " + "; ".join(report.unused_exceptions))
    if report.not_compared:
        lines.append(f"not compared (secrets, never read back): {len(report.not_compared)} attribute(s)")
    lines += [f"not examined: {what}" for what in report.unavailable]
    return lines


def render_table(report: Report) -> str:
    examined = f"{len(report.namespaces)} namespace(s), {report.reads} reads, server {report.target}"
    if not report.findings:
        head = [f"no drift: Vault matches the declared configuration of stack {report.stack} ({examined})"]
    else:
        counts = report.counts()
        head = [f"drift in stack {report.stack}: {len(report.findings)} finding(s), {counts['privilege']} of them "
                f"privilege ({examined})"] + [f"  {_line(f)}" for f in report.findings]
    return "\n".join(head + [f"  {line}" for line in _footer(report)]) + "\n"


def render_json(report: Report) -> str:
    return json.dumps({
        "stack": report.stack, "address": report.address, "target": report.target, "drift": report.drift,
        "counts": report.counts(), "findings": [asdict(f) for f in report.findings],
        "ignored": [{**asdict(i.finding), "reason": i.reason} for i in report.ignored],
        "not_compared": [{"namespace": ns, "path": path, "attribute": attribute, "why": "secret: never read back"}
                         for ns, path, attribute in report.not_compared],
        "unused_exceptions": report.unused_exceptions, "not_examined": report.unavailable,
        "namespaces": report.namespaces, "reads": report.reads,
    }, indent=2, sort_keys=True) + "\n"


def _cell(value: Any) -> str:
    return _value(value).replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report) -> str:
    """Fits an issue or pull-request comment: privilege findings first, one table."""
    if not report.findings:
        lines = [f"### Drift: none in `{report.stack}`", "",
                 f"Vault matches the declared configuration ({len(report.namespaces)} namespace(s), "
                 f"server {report.target})."]
    else:
        counts = report.counts()
        lines = [f"### Drift in `{report.stack}`: {len(report.findings)} finding(s), "
                 f"**{counts['privilege']} privilege**", "",
                 "| severity | kind | object | path | attribute | live | declared |", "|---|---|---|---|---|---|---|"]
        for f in report.findings:
            lines.append(f"| {f.severity} | {f.kind} | {f.object} | `{f.where}` | {f.attribute or ''} | "
                         f"{_cell(f.live)} | {_cell(f.declared)} |")
    footer = _footer(report)
    return "\n".join(lines + ([""] + [f"- {line}" for line in footer] if footer else [])) + "\n"
