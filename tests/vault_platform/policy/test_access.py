"""The access matrix: built from a plan, its renderings, the diff a reviewer reads, and
the HTML page as headless Chromium shows it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from vault_platform.plan import artifacts
from vault_platform.policy import access
from vault_acl import parse_policy
from vault_platform.policy.report import matrix_of_plan

INGEST = "role kubernetes/ingest"


def test_matrix_of_production(stack_plan):
    matrix = matrix_of_plan(stack_plan("production"))
    assert "role kubernetes/ingest" in matrix.identities and "group developers" in matrix.identities
    assert matrix.cells[INGEST]["secret/data/production/analytics/ingest/*"] == ["read"]
    assert matrix.cell(INGEST, "secret/data/production/analytics/reporting-api/*") == []
    assert matrix.cells["group developers"]["secret/data/production/analytics/ingest/*"] == ["read"]
    assert matrix.cell("group platform-admins", "secret/data/*") == ["deny"]  # denied, not merely not granted
    assert matrix.cell("group platform-admins", "secret/data/production/analytics/ingest/*") == ["deny"]
    assert matrix.cell(INGEST, "sys/policies/acl/*") == []  # nothing matches: no cell
    assert set(matrix.escalating) == {"role jwt-github/pulumi-deploy"}
    assert "write auth roles" in matrix.escalating["role jwt-github/pulumi-deploy"]
    assert matrix.cells["role jwt-github/deploy"]["secret/data/production/analytics/+/app"] == [
        "create", "read", "update"]
    assert matrix.policies[INGEST] == ["analytics-ingest"]


def test_sparse_build_agrees_with_evaluating_every_cell(stack_plan):
    """The candidate index only skips cells that are deny anyway. The oracle tells a rule's
    deny from "nothing matches" its own way: with a catch-all `path "*"` granting read added,
    only a matching deny rule still answers deny."""
    from vault_acl import ACL
    from vault_platform.policy.lints import probe_path

    plan = stack_plan("production")
    matrix = matrix_of_plan(plan)
    policies = {r.inputs["name"]: parse_policy(r.inputs["policy"], r.inputs["name"])
                for r in plan.of_type("vault:index/policy:Policy")}
    catch_all = parse_policy('path "*" {\n  capabilities = ["read"]\n}\n', "catch-all")
    denials = 0
    for identity in matrix.identities:
        held = [policies[n] for n in matrix.policies[identity] if n in policies]
        acl, widened = ACL(held), ACL([*held, catch_all])
        for path in matrix.paths:
            full = acl.capabilities(probe_path(path))
            denied = full == ["deny"] and widened.capabilities(probe_path(path)) == ["deny"]
            denials += denied
            expected = (["deny"] if denied else []) if full == ["deny"] else full
            assert matrix.cell(identity, path) == expected, (identity, path)
    assert denials  # production denies something explicitly (platform-admins), so both kinds are compared


def test_plan_writes_every_format(stack_plan, tmp_path):
    written = artifacts.write(stack_plan("staging"), tmp_path)
    assert {"access/matrix.json", "access/matrix.md", "access/matrix.csv", "access/matrix.html"} <= set(written)
    matrix = access.Matrix.from_json(json.loads((tmp_path / "access" / "matrix.json").read_text()))
    rows = (tmp_path / "access" / "matrix.csv").read_text().splitlines()
    assert rows[0] == "identity,path,capabilities"
    assert len(rows) == 1 + len(matrix.identities) * len(matrix.paths)
    markdown = (tmp_path / "access" / "matrix.md").read_text()
    assert markdown.count("\n| `") == len(matrix.paths)


def _matrix(policy_text: str) -> access.Matrix:
    return access.build("s", {"app": parse_policy(policy_text, "app")}, {"role k/app": ["app"]})


def test_diff_names_gains_and_losses():
    base = _matrix('path "secret/data/app/*" { capabilities = ["read"] }\npath "secret/data/old" { capabilities = ["read"] }')
    head = _matrix('path "secret/data/app/*" { capabilities = ["read", "update"] }')
    changes = access.diff(base, head)
    assert [(c.path, c.gained, c.lost) for c in changes] == [
        ("secret/data/app/*", ["update"], []), ("secret/data/old", [], ["read"])]
    text = access.diff_markdown(changes, "base", "head")
    assert "| role k/app | `secret/data/app/*` | read | read, update | gains update |" in text
    assert "loses read" in text
    assert access.diff_markdown([], "base", "head") == "No access changes between base and head.\n"


def test_access_command_diffs_against_a_base_plan(project, tmp_path, capsys):
    from vault_platform.cli import main

    assert main(["plan", "--stack", "production", "--out", str(tmp_path / "base")]) == 0
    base_json = tmp_path / "base" / "access" / "matrix.json"
    data = json.loads(base_json.read_text())
    data["cells"][INGEST]["secret/data/production/analytics/ingest/*"] = ["list", "read"]
    base_json.write_text(json.dumps(data))
    capsys.readouterr()
    assert main(["access", "--stack", "production", "--out", str(tmp_path / "head"), "--diff",
                 str(tmp_path / "base")]) == 0
    out = capsys.readouterr().out
    assert "| role kubernetes/ingest | `secret/data/production/analytics/ingest/*` | list, read | read | loses list |" in out
    assert main(["access", "--stack", "production", "--out", str(tmp_path / "head2"), "--diff",
                 str(tmp_path / "nowhere")]) == 2
    assert "--diff takes the directory of an earlier plan" in capsys.readouterr().err


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("Debian's chromium is not installed: run `./tasks setup` (the test command installs it)")
    return found


def rendered_dom(page: Path, fragment: str) -> str:
    """The page's DOM after its script ran, as headless Chromium renders it (no network)."""
    done = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={page.parent / 'profile'}", "--virtual-time-budget=2000", "--dump-dom",
         page.as_uri() + fragment],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_html_page_shows_grants_changes_and_filters_in_chromium(stack_plan, tmp_path):
    matrix = matrix_of_plan(stack_plan("production"))
    base = access.Matrix.from_json(json.loads(json.dumps(matrix.to_json())))
    del base.cells[INGEST]["secret/data/production/analytics/ingest/*"]
    page = tmp_path / "matrix.html"
    page.write_text(access.to_html(matrix, access.diff(base, matrix)))
    assert "http://" not in page.read_text() and "https://" not in page.read_text()  # self-contained

    dom = rendered_dom(page, "#identity=ingest&path=production/analytics/ingest/")
    headers = re.findall(r'<th data-identity="([^"]+)"[^>]*?( hidden="")?>', dom)
    visible = [name for name, hidden in headers if not hidden]
    assert visible == [INGEST] and len(headers) == len(matrix.identities)
    rows = re.findall(r'<tr data-path="([^"]+)"( hidden="")?>', dom)
    shown = [path for path, hidden in rows if not hidden]
    # text inside a rule, or a path a rule governs (`*` governs every path)
    assert shown == ["*", "secret/data/production/analytics/ingest/*", "secret/metadata/production/analytics/ingest/*"]
    assert shown == sorted(p for p in matrix.paths if "production/analytics/ingest/" in p
                           or _governs(p, "production/analytics/ingest/"))
    assert re.search(r'<td class="changed" data-identity="role kubernetes/ingest">— → read</td>', dom)
    assert "3 paths shown" in dom and "1 changes since the base plan" in dom
    assert re.search(r'<td class="deny" data-identity="group platform-admins"[^>]*>deny</td>', dom)
    assert re.search(r'<th data-identity="role jwt-github/pulumi-deploy" class="escalates"', dom)

    unfiltered = rendered_dom(page, "")
    assert not re.search(r'<tr data-path="[^"]+" hidden', unfiltered)
    assert f"{len(matrix.paths)} paths shown" in unfiltered


def _governs(rule_path: str, concrete: str) -> bool:
    """The evaluator's answer: would a policy with just this rule decide ``concrete``?"""
    from vault_acl import ACL

    policy = parse_policy(f'path "{rule_path}" {{ capabilities = ["read"] }}', "probe")
    return ACL([policy]).rule_for("read", concrete) is not None


@pytest.mark.parametrize("concrete", ["secret/data/production/analytics/ingest/kafka",
                                      "secret/data/production/analytics/reporting-api/app",
                                      "auth/kubernetes/role/ingest", "sys/policies/acl/ci-deployer"])
def test_the_html_path_filter_matches_a_concrete_path_as_the_server_does(stack_plan, tmp_path, concrete):
    matrix = matrix_of_plan(stack_plan("production"))
    page = tmp_path / "matrix.html"
    page.write_text(access.to_html(matrix))
    rows = re.findall(r'<tr data-path="([^"]+)"( hidden="")?>', rendered_dom(page, f"#path={concrete}"))
    shown = {path for path, hidden in rows if not hidden}
    expected = {path for path in matrix.paths if _governs(path, concrete) or concrete in path}
    assert shown == expected and expected, concrete


def test_who_can_names_the_policy_and_rule_the_denials_and_who_can_escalate(stack_plan):
    from vault_platform.policy import who_can
    from vault_platform.policy.report import policies_of_plan, privileged_of_plan

    plan = stack_plan("production")
    policies = policies_of_plan(plan)
    identities = access.identities_of(plan.config.vault)
    found = {a.identity: a for a in who_can.who_can("secret/data/production/analytics/ingest/kafka", policies,
                                                     identities, privileged_of_plan(plan, policies),
                                                     capability="read")}
    ingest = found[INGEST]
    assert ingest.capabilities == ["read"] and ingest.granted_by == {"read": ["analytics-ingest"]}
    assert ingest.rule == "secret/data/production/analytics/ingest/*"
    assert found["group developers"].granted_by == {"read": ["developer-readonly"]}
    assert found["group platform-admins"].denied_by == ["platform-admin"] and not found["group platform-admins"].capabilities
    assert found["role jwt-github/pulumi-deploy"].escalates.startswith("holds vault-platform-deploy:")
    assert "role kubernetes/reporting-api" not in found  # nothing on this path
    assert not who_can.who_can("secret/data/production/analytics/ingest/kafka", policies, identities, {},
                               capability="delete")[0].capabilities  # nobody deletes it: only denials remain


def test_a_later_deny_names_the_policy_that_denies():
    from vault_acl import ACL

    grant = parse_policy('path "secret/*" { capabilities = ["read"] }', "grant")
    deny = parse_policy('path "secret/*" { capabilities = ["deny"] }', "deny")
    for order in ([grant, deny], [deny, grant]):
        rule = ACL(order).rule_for("read", "secret/x")
        assert rule.granting_policies == ["deny"] and rule.granted_by == {1: ["deny"]}


def test_the_who_can_command(project, tmp_path, capsys):
    from vault_platform.cli import main

    assert main(["access", "who-can", "secret/data/production/analytics/ingest/kafka", "--capability", "read",
                 "--stack", "production", "--out", str(tmp_path / "p")]) == 0
    out = capsys.readouterr().out
    assert ('role kubernetes/ingest: read (rule "secret/data/production/analytics/ingest/*"; read from '
            'analytics-ingest)') in out
    assert 'group platform-admins: deny (rule "secret/data/*" in platform-admin)' in out
    assert "Can grant themselves anything" in out and "role jwt-github/pulumi-deploy" in out
    assert main(["access", "who-can", "secret/data/x", "--stack", "production", "--format", "json",
                 "--out", str(tmp_path / "p")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["path"] == "secret/data/x" and {i["identity"] for i in data["identities"]} >= {
        "group platform-admins", "role jwt-github/pulumi-deploy"}
