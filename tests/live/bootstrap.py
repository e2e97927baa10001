"""The bootstrap ``vault-platform init`` runs with the root token in its environment, for the
live tier: it applies a plan as ``pulumi up`` would (tests/live/applier.py), and records the
token it was given in a file of the test's, so that the test can prove the token is revoked
afterwards (a real bootstrap never writes it anywhere).

    python -m tests.live.bootstrap RESOURCES_JSON SURROUNDINGS_JSON TOKEN_FILE
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from tests.live.applier import Applier, Surroundings
from tests.live.servers import Client


def main(resources: str, surroundings: str, token_file: str) -> int:
    token, address = os.environ["VAULT_TOKEN"], os.environ["VAULT_ADDR"]
    Path(token_file).write_text(token)
    settings = json.loads(Path(surroundings).read_text())
    settings["secrets"] = {tuple(key.split("|", 1)): value for key, value in settings.get("secrets", {}).items()}
    client = Client(address, Path(os.environ["VAULT_CACERT"]), token)
    Applier(client, Surroundings(**settings)).apply(json.loads(Path(resources).read_text()))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
