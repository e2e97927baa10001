"""The live tier's session: real servers on loopback, each started by its fixture and always
stopped by it — moto_server (KMS, S3, Secrets Manager), the OIDC issuer and the Kubernetes
TokenReview endpoint, PostgreSQL (tests/databases.py) — and the stacks' plans.

Every live test carries the ``live`` mark and a per-test timeout; the tier's time is kept
with ``--durations`` (see README, How it is proven). Nothing here ever skips: a missing
binary or server is a failure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.live.applier import Applier
from tests.live.deploy import boot, surroundings
from tests.live.identities import KubernetesApi, OidcIssuer
from tests.live.servers import MotoServer, TcpCollector, bao_binary
from vault_platform.plan.program import Plan


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/live/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.live)
            if not item.get_closest_marker("timeout"):
                item.add_marker(pytest.mark.timeout(180))


@pytest.fixture(scope="session")
def bao() -> Path:
    """OpenBao 2.7 (current): the live tier's server."""
    return bao_binary("2.7")


@pytest.fixture(scope="session")
def bao_awskms() -> Path:
    """OpenBao 2.6.2: the last release with the awskms seal built in."""
    return bao_binary("2.6")


@pytest.fixture(scope="session")
def moto(tmp_path_factory):
    server = MotoServer(tmp_path_factory.mktemp("moto"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def log_collector():
    collector = TcpCollector()
    yield collector
    collector.stop()


@pytest.fixture(scope="session")
def oidc(test_ca):
    issuer = OidcIssuer(test_ca.issue("oidc-issuer"))
    yield issuer
    issuer.stop()


@pytest.fixture(scope="session")
def kubernetes_api(test_ca):
    api = KubernetesApi(test_ca.issue("kubernetes-api"))
    yield api
    api.stop()


@pytest.fixture(scope="module")
def dev_binary(bao) -> Path:
    """The OpenBao binary of ``dev_server``: 2.7, unless a module overrides this fixture."""
    return bao


@pytest.fixture(scope="module")
def dev_server(stack_plan, tmp_path_factory, dev_binary, test_ca):
    """One server booted from dev's rendered configuration, shared by a module's tests."""
    cluster = boot(stack_plan("dev"), tmp_path_factory.mktemp("dev-server"), dev_binary, test_ca)
    yield cluster
    cluster.stop()


@pytest.fixture
def applied(dev_server, tmp_path, test_ca, kubernetes_api):
    """``applied(plan, only_types, **surroundings)`` applies a plan's Vault resources to
    ``dev_server`` (with the TokenReview endpoint, and what else ``surroundings`` names); all
    of them, protected ones included, are destroyed after the test (the server is shared)."""
    appliers = []

    def apply(plan: Plan, only: tuple[str, ...] = (), **extra) -> Applier:
        resources = [r.as_json() for r in plan.resources() if not only or r.type in only]
        applier = Applier(dev_server.client(), surroundings(plan, tmp_path, test_ca, kubernetes_api=kubernetes_api,
                                                            **extra))
        appliers.append(applier)
        applier.apply(resources)
        return applier

    yield apply
    for applier in reversed(appliers):
        for entry in reversed(applier.report.applied):
            entry.registration["protect"] = False
        applier.destroy()
