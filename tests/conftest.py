"""Shared fixtures: the project root, stack files, and plans run under Pulumi's mocks.

Plans of the real stack files are cached per session: each runs the real
``__main__.py`` once and every test reads the same recorded registrations.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable

import pytest

from vault_platform.plan.program import Plan, run_plan, run_program
from vault_platform.project import use_project

PROJECT = use_project(Path(__file__).resolve().parent.parent)
STACKS = ("dev", "staging", "production")
EXAMPLE_STACKS = ("postgresql", "openbao")

from components import config as schema  # noqa: E402  (needs the project on sys.path)


@pytest.fixture(scope="session")
def project() -> Path:
    return PROJECT


_PLANS: dict[str, Plan] = {}


@pytest.fixture(scope="session")
def stack_plan() -> Callable[[str], Plan]:
    """``stack_plan("production")``: the plan of a real stack file (cached)."""

    def get(stack: str) -> Plan:
        if stack not in _PLANS:
            _PLANS[stack] = run_plan(stack, PROJECT)
        return _PLANS[stack]

    return get


def stack_raw(stack: str) -> dict[str, Any]:
    """The raw config map of a real stack file, examples included (a fresh copy to modify)."""
    from vault_platform.project import stack_file

    return copy.deepcopy(schema.read_stack_file(stack_file(PROJECT, stack)))


def with_values(raw: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """Set ``key.path=value`` inside a raw config map: ``with_values(raw, **{"cluster.replicas": 2})``."""
    raw = copy.deepcopy(raw)
    for path, value in changes.items():
        top, *rest = path.split(".")
        key = f"{schema.NAMESPACE}:{top}"
        if not rest:
            raw[key] = value
            continue
        node = raw.setdefault(key, {})
        for part in rest[:-1]:
            node = node.setdefault(part, {})
        node[rest[-1]] = value
    return raw


def plan_with(stack: str, raw: dict[str, Any]):
    """Run the real program under mocks with ``raw`` config; returns the monitor."""
    schema.load(raw, f"Pulumi.{stack}.yaml", stack)  # as the planner does: validate first
    monitor, outputs, warnings = run_program(PROJECT, stack, raw)
    return monitor


@pytest.fixture(autouse=True)
def no_operator_environment(monkeypatch):
    """Nothing from the machine running the tests reaches the commands: no Vault token,
    address or CA, no snapshot bucket, no project override, no AWS profile."""
    import os

    for name in list(os.environ):
        if name.startswith(("VAULT_", "AWS_")) or name == "VAULT_PLATFORM_PROJECT_DIR":
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory):
    """The session's certificate authority (tests/live/tls.py)."""
    from tests.live.tls import TestCA

    return TestCA(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="session")
def postgres(test_ca):
    """The session's PostgreSQL server, with TLS from the session's CA (tests/databases.py)."""
    from tests.databases import PostgresServer

    server = PostgresServer(test_ca)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server(postgres) -> dict:
    """``dict(superuser, host, port)`` of :func:`postgres`."""
    return postgres.as_dict()


REGION = "eu-west-1"


def denied(call, action: str | None = None) -> bool:
    """True when AWS (moto) refused ``call`` for lack of permission (to ``action``, when
    given: moto's JSON APIs name it; S3 answers a bare AccessDenied)."""
    from botocore.exceptions import ClientError

    try:
        call()
    except ClientError as error:
        refused = (error.response["Error"].get("Code") in ("AccessDenied", "AccessDeniedException")
                   or error.response["ResponseMetadata"].get("HTTPStatusCode") == 403)
        return refused and (action is None or f"not authorized to perform: {action}" in str(error))
    return False


@pytest.fixture
def kms_actions_target_the_key(monkeypatch):
    """moto checks KMS calls against "*"; AWS checks them against the key they name.
    Supply the key's ARN (resolved by moto's own key store) and leave the evaluation to moto."""
    import json

    from moto.kms.responses import KmsResponse

    def target(self) -> str:
        key_ref = json.loads(self.body or "{}").get("KeyId")
        if not key_ref:
            return "*"
        backend = self.kms_backend
        return backend.keys[backend.any_id_to_key_id(key_ref)].arn

    monkeypatch.setattr(KmsResponse, "_determine_resource", target, raising=False)


@pytest.fixture
def secrets_target_the_secret(monkeypatch):
    """The same for Secrets Manager: a call is checked against the ARN of the secret it names."""
    import json

    from moto.secretsmanager.responses import SecretsManagerResponse

    def target(self) -> str:
        secret_id = json.loads(self.body or "{}").get("SecretId")
        if secret_id and secret_id in self.backend.secrets:
            return self.backend.secrets[secret_id].arn
        return "*"

    monkeypatch.setattr(SecretsManagerResponse, "_determine_resource", target, raising=False)


@pytest.fixture
def aws_credentials(monkeypatch):
    """Fake credentials and region, so that boto3 under moto never looks for real ones."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
