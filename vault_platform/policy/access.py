"""The access matrix: for each identity (auth role or identity group, through its
policies), the capabilities on each declared secret path — and what changed between
two plans.

Paths are the rules of the stack's policies (a ``+`` or trailing ``*`` stands for any
value there) plus the stack's secret-engine mounts when it declares them; each cell
is what ``sys/capabilities-self`` would answer for a token of that identity on a path
the rule matches. Written by the plan as ``access/matrix.{json,md,csv,html}``.
"""

from __future__ import annotations

import bisect
import csv
import html
import io
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional, Sequence

from vault_acl import ACL, DEFAULT_DIALECT, DENY, Policy
from vault_platform.policy.lints import probe_path


@dataclass
class Matrix:
    stack: str
    identities: list[str]
    paths: list[str]
    cells: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """identity -> path -> granted capabilities; a path left out grants nothing."""
    policies: dict[str, list[str]] = field(default_factory=dict)
    """identity -> its policies."""
    escalating: dict[str, str] = field(default_factory=dict)
    """identity -> why it can grant itself anything (it holds a privileged policy)."""

    def cell(self, identity: str, path: str) -> list[str]:
        return self.cells.get(identity, {}).get(path, [])

    def to_json(self) -> dict[str, Any]:
        return {"stack": self.stack, "identities": self.identities, "paths": self.paths,
                "policies": self.policies, "cells": self.cells, "escalating": self.escalating}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Matrix":
        return cls(data["stack"], list(data["identities"]), list(data["paths"]),
                   {i: dict(c) for i, c in data["cells"].items()}, dict(data.get("policies", {})),
                   dict(data.get("escalating", {})))


def identities_of(vault_spec: Any) -> dict[str, list[str]]:
    """``role <mount>/<name>`` and ``group <name>`` -> policies, from the `vault` config."""
    return {**{role.label: list(role.token_policies) for role in vault_spec.roles},
            **{group.label: list(group.policies) for group in vault_spec.groups}}


def escalation(names: Sequence[str], privileged: Mapping[str, str]) -> Optional[str]:
    """Why an identity holding ``names`` can grant itself anything (``privileged``: policy ->
    why), or None."""
    return "; ".join(f"holds {name}: {privileged[name]}" for name in names if name in privileged) or None


def build(stack: str, policies: Mapping[str, Policy], identities: Mapping[str, Sequence[str]],
          extra_paths: Iterable[str] = (), dialect: str = DEFAULT_DIALECT,
          privileged: Optional[Mapping[str, str]] = None) -> Matrix:
    """Evaluate every identity on every path. A cell is the granted capabilities, ``["deny"]``
    when a rule denies the path, absent when nothing matches. Cells stay sparse: a path none
    of an identity's rules can match is not evaluated — an index of the probe paths finds,
    per rule, the paths it may match. ``privileged`` (policy -> why) marks the identities
    holding such a policy as able to reach everything."""
    paths = sorted({rule.path for p in policies.values() for rule in p.rules} | set(extra_paths))
    probes = sorted((probe_path(path), path) for path in paths)
    keys = [probe for probe, _ in probes]
    matrix = Matrix(stack, sorted(identities), paths, policies={i: list(n) for i, n in sorted(identities.items())})
    for identity, names in identities.items():
        reasons = escalation(names, privileged or {})
        if reasons:
            matrix.escalating[identity] = reasons
    for identity in matrix.identities:
        held = [policies[n] for n in identities[identity] if n in policies]
        acl = ACL(held, dialect=dialect)
        row: dict[str, list[str]] = {}
        for index in _candidates(held, keys):
            probe, path = probes[index]
            granted = acl.capabilities(probe)
            if granted != ["deny"]:
                row[path] = granted
            elif _denied(acl, probe):
                row[path] = ["deny"]
        matrix.cells[identity] = row
    return matrix


def _denied(acl: ACL, probe: str) -> bool:
    """A rule denies ``probe`` (rather than no rule matching it)."""
    rule = acl.rule_for("list", probe)
    return rule is not None and bool(rule.capabilities & DENY)


def _candidates(held: Sequence[Policy], keys: list[str]) -> set[int]:
    """Indexes of the probe paths some rule of ``held`` may match (a superset)."""
    found: set[int] = set()
    for policy in held:
        for rule in policy.rules:
            path = rule.path
            if rule.kind == "exact":
                for probe in {path, path + "/", path.rstrip("/")}:
                    index = bisect.bisect_left(keys, probe)
                    if index < len(keys) and keys[index] == probe:
                        found.add(index)
                continue
            literal = path.split("+", 1)[0] if rule.kind == "segment" else path[:-1]
            start = bisect.bisect_left(keys, literal)
            end = bisect.bisect_left(keys, literal + "\U0010ffff")
            found.update(range(start, end))
    return found


# --------------------------------------------------------------------------- diff


@dataclass(frozen=True)
class Change:
    identity: str
    path: str
    before: Optional[list[str]]
    """None: the identity or path did not exist."""
    after: Optional[list[str]]

    @property
    def gained(self) -> list[str]:
        return sorted(set(self.after or []) - set(self.before or []))

    @property
    def lost(self) -> list[str]:
        return sorted(set(self.before or []) - set(self.after or []))


def diff(base: Matrix, head: Matrix) -> list[Change]:
    changes = []
    for identity in sorted(set(base.identities) | set(head.identities)):
        for path in sorted(set(base.paths) | set(head.paths)):
            before = base.cells.get(identity, {}).get(path)
            after = head.cells.get(identity, {}).get(path)
            if (before or []) != (after or []):
                changes.append(Change(identity, path, before, after))
    return changes


# --------------------------------------------------------------------------- renderings


def _caps(value: Optional[list[str]]) -> str:
    return ", ".join(value) if value else "—"


def _cell_markdown(value: list[str]) -> str:
    return "**deny**" if value == ["deny"] else _caps(value)


def to_markdown(matrix: Matrix) -> str:
    lines = [f"# Access matrix: stack {matrix.stack}", "",
             "Capabilities each identity has on a path each policy rule matches "
             "(`+` and a trailing `*` stand for any value). — means nothing matches; **deny** means a rule "
             "denies it.", ""]
    lines.append("| path | " + " | ".join(matrix.identities) + " |")
    lines.append("|---|" + "---|" * len(matrix.identities))
    for path in matrix.paths:
        cells = [_cell_markdown(matrix.cell(i, path)) for i in matrix.identities]
        lines.append(f"| `{path}` | " + " | ".join(cells) + " |")
    lines += ["", "| identity | policies | can escalate |", "|---|---|---|"]
    lines += [f"| {i} | {', '.join(matrix.policies.get(i, [])) or '—'} | "
              f"{'**yes**: reaches everything (' + matrix.escalating[i] + ')' if i in matrix.escalating else 'no'} |"
              for i in matrix.identities]
    return "\n".join(lines) + "\n"


def to_csv(matrix: Matrix) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["identity", "path", "capabilities"])
    for identity in matrix.identities:
        for path in matrix.paths:
            writer.writerow([identity, path, " ".join(matrix.cell(identity, path))])
    return out.getvalue()


def diff_markdown(changes: list[Change], base: str, head: str) -> str:
    if not changes:
        return f"No access changes between {base} and {head}.\n"
    lines = [f"### Access changes ({len(changes)})", "", "| identity | path | before | after | change |",
             "|---|---|---|---|---|"]
    for change in changes:
        parts = []
        if change.gained:
            parts.append("gains " + ", ".join(change.gained))
        if change.lost:
            parts.append("loses " + ", ".join(change.lost))
        lines.append(f"| {change.identity} | `{change.path}` | {_caps(change.before)} | {_caps(change.after)} | "
                     f"{'; '.join(parts)} |")
    return "\n".join(lines) + "\n"


_STYLE = """
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.3em} .filters{margin:.8em 0} .filters input{margin-right:1em;padding:.3em;width:16em}
table{border-collapse:collapse} th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3;position:sticky;top:0} td.path{font-family:monospace}
td.grant{background:#e3f6e3} td.none{background:#f7f7f7;color:#999} td.changed{background:#fff3c4;font-weight:600}
td.deny{background:#f9dcdc;color:#8a1f1f;font-weight:600} th.escalates{background:#f9dcdc}
.legend span{display:inline-block;padding:.1em .5em;margin-right:.5em;border:1px solid #ccc}
[hidden]{display:none}
"""

_SCRIPT = """
(function(){
  var id=document.getElementById('identity-filter'), pf=document.getElementById('path-filter');
  var params=new URLSearchParams(location.hash.slice(1));
  // A rule matches a concrete path as the server matches it: `+` is one whole segment, a
  // trailing `*` any rest of the path (from inside a segment too).
  function governs(rule, path){
    if(!path) return true;
    var prefix=rule.slice(-1)==='*', rs=(prefix?rule.slice(0,-1):rule).split('/'), ps=path.split('/');
    for(var i=0;i<rs.length;i++){
      var r=rs[i], p=ps[i];
      if(p===undefined) return false;
      if(prefix && i===rs.length-1) return r==='+' || p.indexOf(r)===0;
      if(r!=='+' && r!==p) return false;
    }
    return ps.length===rs.length;
  }
  if(params.get('identity')) id.value=params.get('identity');
  if(params.get('path')) pf.value=params.get('path');
  function apply(){
    var iv=id.value.toLowerCase(), pv=pf.value.toLowerCase();
    var heads=document.querySelectorAll('th[data-identity]');
    heads.forEach(function(th){
      var show=th.dataset.identity.toLowerCase().indexOf(iv)>=0;
      th.hidden=!show;
      document.querySelectorAll('td[data-identity="'+CSS.escape(th.dataset.identity)+'"]').forEach(function(td){td.hidden=!show;});
    });
    document.querySelectorAll('tr[data-path]').forEach(function(tr){
      var rule=tr.dataset.path;
      tr.hidden=!(rule.toLowerCase().indexOf(pv)>=0 || governs(rule, pf.value.trim().replace(/^[/]+/,'')));
    });
    var shown=document.querySelectorAll('tr[data-path]:not([hidden])').length;
    document.getElementById('count').textContent=shown+' paths shown';
  }
  id.addEventListener('input',apply); pf.addEventListener('input',apply); apply();
})();
"""


def to_html(matrix: Matrix, changes: Optional[list[Change]] = None) -> str:
    """One self-contained page (no network at view time): grants green, denials red, nothing
    grey, changes since the base plan yellow with before → after, identities that can
    escalate marked ⚠; filters for identity and path (also settable in the URL:
    ``#identity=ingest&path=secret``). The path filter keeps a rule when it contains the
    text or, for a concrete path, when the rule matches that path as the server would."""
    changed = {(c.identity, c.path): c for c in changes or []}
    e = html.escape
    head = "".join(
        f'<th data-identity="{e(i)}" class="escalates" title="can escalate: {e(matrix.escalating[i])}">{e(i)} ⚠</th>'
        if i in matrix.escalating else
        f'<th data-identity="{e(i)}" title="{e(", ".join(matrix.policies.get(i, [])))}">{e(i)}</th>'
        for i in matrix.identities)
    rows = []
    for path in matrix.paths:
        cells = []
        for identity in matrix.identities:
            caps = matrix.cell(identity, path)
            change = changed.get((identity, path))
            if change is not None:
                css, text = "changed", f"{_caps(change.before)} → {_caps(change.after)}"
            else:
                css, text = ("deny" if caps == ["deny"] else "grant" if caps else "none"), _caps(caps)
            cells.append(f'<td class="{css}" data-identity="{e(identity)}">{e(text)}</td>')
        rows.append(f'<tr data-path="{e(path)}"><td class="path">{e(path)}</td>{"".join(cells)}</tr>')
    summary = f"{len(changed)} changes since the base plan" if changes is not None else "no base plan compared"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Access matrix: {e(matrix.stack)}</title>
<style>{_STYLE}</style></head><body>
<h1>Access matrix: stack {e(matrix.stack)}</h1>
<p class="legend"><span class="grant" style="background:#e3f6e3">granted</span><span style="background:#f9dcdc">denied by a rule</span><span style="background:#f7f7f7">nothing matches</span><span style="background:#fff3c4">changed</span> ⚠ can grant itself anything — {e(summary)}; <span id="count"></span></p>
<div class="filters"><label>Identity <input id="identity-filter" placeholder="e.g. ingest"></label>
<label>Path <input id="path-filter" placeholder="e.g. secret/data/billing/stripe"></label></div>
<table id="matrix"><thead><tr><th>path</th>{head}</tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<script>{_SCRIPT}</script></body></html>
"""


def render_all(matrix: Matrix, changes: Optional[list[Change]] = None) -> dict[str, str]:
    return {
        "matrix.json": json.dumps(matrix.to_json(), indent=2, sort_keys=True) + "\n",
        "matrix.md": to_markdown(matrix),
        "matrix.csv": to_csv(matrix),
        "matrix.html": to_html(matrix, changes),
    }
