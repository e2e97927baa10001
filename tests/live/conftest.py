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

from tests.live.identities import KubernetesApi, OidcIssuer
from tests.live.servers import MotoServer, TcpCollector, bao_binary


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
