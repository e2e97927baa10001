"""How far the offline parser and evaluator agree with a real server, on the corpus of public
policies (tests/vault_acl/corpus): each policy written to the server (accepted or refused)
and parsed in a dialect; for each policy both accept, a token holding only it, and
``sys/capabilities`` asked for probe paths drawn from its rules — the same paths asked of
the evaluator. Used by the live test (tests/live/test_policy_corpus.py) and the benchmark
that prints the figures (benchmarks/policy_agreement.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from vault_acl import ACL, PolicyParseError, parse_policy

CORPUS = Path(__file__).resolve().parents[1] / "vault_acl" / "corpus"


def corpus() -> list[tuple[str, str]]:
    """``(name, text)`` of every corpus policy, in order."""
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    return [(f"corpus-{entry['file'][:3]}", (CORPUS / "policies" / entry["file"]).read_bytes().decode("utf-8"))
            for entry in manifest]


def probes(paths: list[str]) -> list[str]:
    """Paths to ask about for rules at ``paths``: each rule's path with its globs filled in,
    its parent, a sibling, with and without a trailing slash (LIST), a path below it."""
    found: list[str] = []
    for rule in paths:
        rule = rule.lstrip("/")
        base = rule.rstrip("*").replace("+", "x")
        stem = base.rstrip("/")
        for probe in (base, stem, f"{stem}/", f"{stem}/a", f"{stem}/a/b", f"{stem}/a/", stem.rsplit("/", 1)[0],
                      stem.rsplit("/", 1)[0] + "/", f"{stem}zz", f"{stem}/x/y/"):
            if probe and "{{" not in probe and probe not in found:
                found.append(probe)
    return found[:80]


@dataclass
class Agreement:
    dialect: str
    policies: int = 0
    parse_agree: int = 0
    probes: int = 0
    capability_agree: int = 0
    disagreements: list[str] = field(default_factory=list)


def measure(root, dialects: list[str], limit: int = 0) -> dict[str, Agreement]:
    """``root``: a client of the live server holding a root token."""
    results = {name: Agreement(name) for name in dialects}
    for name, text in corpus()[: limit or None]:
        accepted = root.put(f"sys/policies/acl/{name}", {"policy": text}).status in (200, 204)
        parsed = {}
        for dialect in dialects:
            try:
                parsed[dialect] = parse_policy(text, name, dialect=dialect)
            except PolicyParseError as error:
                parsed[dialect] = None
                results[dialect].disagreements += [] if not accepted else [f"{name}: refused offline: {error}"]
            agreement = results[dialect]
            agreement.policies += 1
            if (parsed[dialect] is not None) == accepted:
                agreement.parse_agree += 1
            elif parsed[dialect] is not None:
                agreement.disagreements.append(f"{name}: the server refuses it, the {dialect} parser accepts it")
        if not accepted:
            continue
        paths = probes(sorted({rule.path for p in parsed.values() if p for rule in p.rules}))
        token = root.post("auth/token/create", {"policies": [name], "no_default_policy": True, "ttl": "5m"}
                          ).expect(200).body["auth"]["client_token"]
        live = root.post("sys/capabilities", {"token": token, "paths": paths}).expect(200).data
        root.post("auth/token/revoke", {"token": token}).expect(204)
        for dialect, policy in parsed.items():
            if policy is None:
                continue
            acl, agreement = ACL([policy], dialect=dialect), results[dialect]
            for path in paths:
                agreement.probes += 1
                server, offline = sorted(live.get(path, [])), acl.capabilities(path)
                if server == offline:
                    agreement.capability_agree += 1
                else:
                    agreement.disagreements.append(f"{name} {path}: server {server}, {dialect} {offline}")
        root.delete(f"sys/policies/acl/{name}")
    return results
