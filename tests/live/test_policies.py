"""Every case of ``policies/tests/*.yaml`` asked of a real server as well as of the offline
evaluator: ``sys/capabilities`` of the identity's token for each path, and the real request for cases that
name an operation (with their parameters and wrapping TTL). The two must agree — or the
case names the known difference between servers (``server_difference``), and then they
must disagree exactly there.

Each environment's policies (stack variables filled in) are written to the server; each
identity gets a token of exactly its policies (no ``default``: the evaluator's ACL is
built from the same list).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from components.config.inputs import files
from tests.conftest import PROJECT
from vault_acl import ACL, parse_policy
from vault_platform.policy.policy_tests import ENVIRONMENTS, load_environment

SERVER_DIALECT = "openbao-2.7"
TESTS = sorted((PROJECT / "policies" / "tests").glob("*.yaml"))
METHODS = {"read": "GET", "list": "LIST", "create": "POST", "update": "PUT", "delete": "DELETE", "patch": "PATCH"}


@pytest.fixture(scope="module")
def environments():
    return {environment: load_environment(PROJECT, environment) for environment in ENVIRONMENTS}


def _token(server, policies: list[str]) -> str:
    answer = server.client().post("auth/token/create", {"policies": policies or ["default"],
                                                         "no_default_policy": bool(policies), "ttl": "10m"})
    return answer.expect(200).body["auth"]["client_token"]


def _identity(spec: dict, env) -> list[str]:
    if "role" in spec:
        return env.roles[spec["role"]]
    if "group" in spec:
        return env.groups[spec["group"]]
    return list(spec["policies"])


def _server_allows(client, case: dict, path: str) -> bool:
    method = METHODS.get(case["operation"], "PUT")
    headers = {"X-Vault-Wrap-TTL": str(case["wrapping_ttl"])} if "wrapping_ttl" in case else {}
    answer = client.request(method, path, case.get("data") if method not in ("GET", "LIST", "DELETE") else None,
                            headers=headers)
    return answer.status != 403


@pytest.mark.parametrize("test_file", TESTS, ids=[t.stem for t in TESTS])
def test_the_server_and_the_evaluator_agree_on_every_case(test_file: Path, dev_server, environments):
    spec = files.load_yaml(test_file, files.SMALL_FILE_LIMIT)
    disagreements, declared, checked = [], [], 0
    for environment in spec.get("environments") or ENVIRONMENTS:
        env = environments[environment]
        root = dev_server.client()
        for name, policy in env.policies.items():
            root.put(f"sys/policies/acl/{name}", {"policy": policy.text}).expect(204)
        names = [n for n in _identity(spec, env) if n != "default"]
        # the server here is OpenBao: the evaluator speaks its dialect
        acl = ACL((parse_policy(env.policies[n].text, n, dialect=SERVER_DIALECT) for n in names),
                  dialect=SERVER_DIALECT)
        token = _token(dev_server, names)
        client = dev_server.client(token)
        for case in spec["cases"]:
            path = str(case["path"]).replace("[[environment]]", environment)
            asked = root.post("sys/capabilities", {"token": token, "paths": [path]}).expect(200).body[path]
            live = set(asked) - {"deny"}
            offline = set(acl.capabilities(path)) - {"deny"}
            results = [("capabilities", live == offline, f"server {sorted(live)}, evaluator {sorted(offline)}")]
            if "operation" in case and "data" in case:
                server_says = _server_allows(client, case, path)
                evaluator_says = acl.allowed(case["operation"], path, case.get("data"), case.get("wrapping_ttl")).allowed
                results.append((case["operation"], server_says == evaluator_says,
                                f"server {'allows' if server_says else 'denies'}, evaluator "
                                f"{'allows' if evaluator_says else 'denies'}"))
            checked += len(results)
            for check, agree, detail in results:
                where = f"{test_file.name} [{environment}] {path} ({check}): {detail}"
                if case.get("server_difference"):
                    declared.append((agree, where, case["server_difference"]))
                elif not agree:
                    disagreements.append(where)
    assert checked >= len(spec["cases"]), "every case was asked of the server"
    assert not disagreements, "\n".join(disagreements)
    stale = [f"{where} — declared: {why}" for agree, where, why in declared if agree]
    assert not stale, "cases declare a server difference that no longer shows:\n" + "\n".join(stale)
