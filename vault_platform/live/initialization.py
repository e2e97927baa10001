"""``vault-platform init``: the first boot of a new cluster.

1. Vault must answer, be uninitialised, and report the stack's seal type.
2. Custody of the keys is prepared *before* Vault makes them: with Secrets Manager each
   share's secret must exist, hold no key yet, and accept a write (a pending marker is
   written and tagged, which proves the permission and the KMS key); with PGP the
   output files must not exist yet.
3. ``sys/init`` with the stack's shares and threshold (and the operators' PGP keys).
4. The shares are stored: share n in secret n (read by its custodian alone), or one
   file per operator holding the share Vault encrypted to that operator's key.
5. The bootstrap: the apply command (by default ``pulumi up`` with
   ``vault.configure=true``) runs with the root token in its environment only.
6. The root token is revoked whatever happened, and checked to be gone.

The root token and unencrypted shares are never printed, logged, written to a file or
put in an exception message. If storing the shares fails, the freshly initialised
cluster holds no data yet: wipe its storage and run ``init`` again (see README).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Optional, Protocol, Sequence

from components.aws import recovery_key_policies
from components.config.inputs import pgp_keys
from components.config import PROJECT_DIR, StackConfig
from vault_platform.live import aws_calls
from vault_platform.live.client import LiveError, PermissionDenied, VaultOperator
from vault_platform import outputs
from vault_platform.outputs import open_private

PENDING = "pending"
STORED = recovery_key_policies.STORED
STATUS_TAG = recovery_key_policies.STATUS_TAG


class InitError(RuntimeError):
    """Initialisation cannot go on; the message says why (and never holds a key or token)."""


class Custody(Protocol):
    def describe(self) -> str: ...

    def pgp_keys(self) -> Optional[list[str]]: ...

    def prepare(self) -> None: ...

    def store(self, shares: list[str], facts: dict[str, Any]) -> None: ...


class SecretsManagerCustody:
    """The stack's Secrets Manager secrets (``RecoveryKeyCustody``), one per share,
    written through the caller's credentials: the stack's ``initializer``, which may
    write every share and read none. So ``prepare`` cannot read a secret to see whether
    it holds a share; a tag says so instead (``pending`` until the share is ``stored``),
    and a secret with a value but no ``pending`` tag is never written again."""

    def __init__(self, client: Any, secret_ids: Sequence[str], attempts: int = 3):
        self.client = client
        self.secret_ids = list(secret_ids)
        self.attempts = attempts

    def describe(self) -> str:
        return f"{len(self.secret_ids)} AWS Secrets Manager secrets ({self.secret_ids[0]} ...), one per share"

    def pgp_keys(self) -> Optional[list[str]]:
        return None

    def _aws(self, what: str, secret_id: str, function: Callable[[], Any]) -> Any:
        return aws_calls.call(f"{what} {secret_id}", function, InitError, "are you the stack's initializer?")

    def prepare(self) -> None:
        for secret_id in self.secret_ids:
            found = self._aws("describing the secret", secret_id,
                              lambda: self.client.describe_secret(SecretId=secret_id))
            tags = {tag.get("Key"): tag.get("Value") for tag in found.get("Tags") or []}
            status = tags.get(STATUS_TAG)
            if found.get("VersionIdsToStages") and status != PENDING:
                raise InitError(f"{secret_id} already holds a value (status {status or 'unknown'!r}); refusing to "
                                "overwrite a recovery key")
        for secret_id in self.secret_ids:  # proves the permission and the KMS key before Vault makes the keys
            self._put(secret_id, {"status": PENDING, "written_at": _now()}, PENDING, "writing the pending marker to")

    def _put(self, secret_id: str, value: dict[str, Any], status: str, what: str) -> None:
        text = json.dumps(value, sort_keys=True)
        self._aws(what, secret_id, lambda: self.client.put_secret_value(SecretId=secret_id, SecretString=text))
        self._aws("tagging", secret_id, lambda: self.client.tag_resource(
            SecretId=secret_id, Tags=[{"Key": STATUS_TAG, "Value": status}]))

    def store(self, shares: list[str], facts: dict[str, Any]) -> None:
        if len(shares) != len(self.secret_ids):
            raise InitError(f"Vault made {len(shares)} shares for {len(self.secret_ids)} secrets")
        for number, (secret_id, share) in enumerate(zip(self.secret_ids, shares), start=1):
            value = {**facts, "status": STORED, "share": number, "key_base64": share}
            for attempt in range(1, self.attempts + 1):
                try:
                    self._put(secret_id, value, STORED, f"storing share {number} in")
                    break
                except InitError:
                    if attempt == self.attempts:
                        raise


class PgpCustody:
    """One file per operator with the share Vault encrypted to that operator's key."""

    def __init__(self, key_files: Sequence[str], out_dir: Path, project: Path = PROJECT_DIR):
        self.key_files = list(key_files)
        self.out_dir = out_dir
        self.project = project

    def describe(self) -> str:
        return f"{len(self.key_files)} PGP-encrypted files in {self.out_dir}"

    def _target(self, key_file: str) -> Path:
        return self.out_dir / f"{Path(key_file).stem}.recovery-key.asc.b64"

    def pgp_keys(self) -> Optional[list[str]]:
        return [pgp_keys.for_vault(self.project / name, inside=self.project) for name in self.key_files]

    def prepare(self) -> None:
        existing = [str(self._target(name)) for name in self.key_files if self._target(name).exists()]
        if existing:
            raise InitError(f"refusing to overwrite earlier key files: {', '.join(existing)}")
        try:
            self.out_dir = outputs.private_directory(self.out_dir, "init", "--out", self.project)
        except outputs.OutputDirError as error:
            raise InitError(str(error)) from None

    def store(self, shares: list[str], facts: dict[str, Any]) -> None:
        for name, share in zip(self.key_files, shares, strict=True):
            with open_private(self._target(name), exclusive=True) as handle:
                handle.write(share.encode("ascii") + b"\n")


@dataclass
class InitOutcome:
    initialized: bool
    """False when Vault was already initialised (nothing was done)."""
    bootstrap_exit: Optional[int] = None
    """The bootstrap command's exit status; None when there was none."""
    root_revoked: bool = False


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def default_bootstrap(stack: str) -> list[str]:
    """``pulumi up`` with the configuration switched on (saved to the stack file)."""
    return ["pulumi", "up", "--stack", stack, "--yes", "--config-path",
            "--config", "vault-platform:vault.configure=true"]


def initialise(config: StackConfig, stack: str, vault: VaultOperator, custody: Custody,
               bootstrap: Optional[Sequence[str]], say: Callable[[str], None] = print,
               unseal_timeout: float = 3600) -> InitOutcome:
    """Initialise Vault for ``stack`` (whose ``initialization`` section the caller checked).
    With a Shamir seal Vault is still sealed after ``sys/init``: the operators unseal it with
    their shares while this waits (up to ``unseal_timeout`` seconds); only an unsealed Vault
    can run the bootstrap and revoke the root token."""
    init = config.initialization
    assert init is not None
    status = vault.get("sys/seal-status") or {}
    if status.get("initialized"):
        say(f"Vault at {vault.connection.address} is already initialised: nothing done")
        return InitOutcome(initialized=False)
    seal = status.get("type")
    if seal != config.unseal.type:
        raise InitError(f"Vault reports seal type {seal!r} but the stack declares {config.unseal.type!r}: "
                        "are the pods running this stack's configuration?")

    custody.prepare()
    recovery = seal != "shamir"
    prefix = "recovery_" if recovery else "secret_"
    body: dict[str, Any] = {f"{prefix}shares": init.recovery_shares, f"{prefix}threshold": init.recovery_threshold}
    encrypt_to = custody.pgp_keys()
    if encrypt_to is not None:
        body["recovery_pgp_keys" if recovery else "pgp_keys"] = encrypt_to
    answer = vault.put("sys/init", body) or {}
    root = answer.get("root_token") or ""
    outcome = InitOutcome(initialized=True)
    connection = vault.connection
    root_vault = VaultOperator(type(connection)(connection.address, root, connection.ca_cert))
    try:
        shares = answer.get("recovery_keys_base64" if recovery else "keys_base64") or []
        if len(shares) != init.recovery_shares or not root:
            raise InitError("Vault's answer to sys/init lacks the expected shares or root token")
        say(f"initialised: {len(shares)} {'recovery' if recovery else 'unseal'} key shares, threshold "
            f"{init.recovery_threshold}")
        custody.store(shares, {"stack": stack, "seal": seal, "shares": init.recovery_shares,
                               "threshold": init.recovery_threshold, "initialized_at": _now()})
        say(f"key shares stored: {custody.describe()}")
        if not recovery and not wait_unsealed(vault, init.recovery_threshold, unseal_timeout, say):
            return outcome
        if bootstrap:
            say(f"bootstrap: running {' '.join(bootstrap)} (the root token is in its environment only)")
            environment = {**os.environ, "VAULT_TOKEN": root, "VAULT_ADDR": connection.address}
            if connection.ca_cert:
                environment["VAULT_CACERT"] = connection.ca_cert
            try:
                outcome.bootstrap_exit = subprocess.run(list(bootstrap), env=environment, check=False).returncode
            except OSError as error:
                say(f"bootstrap could not start: {error.strerror}")
                outcome.bootstrap_exit = 127
    finally:
        outcome.root_revoked = bool(root) and _revoke(root_vault, vault, say)
    return outcome


def wait_unsealed(vault: VaultOperator, threshold: int, timeout: float, say: Callable[[str], None],
                  poll: float = 1.0) -> bool:
    """Wait until the operators have unsealed Vault (Shamir); False after ``timeout`` seconds."""
    say(f"Vault is sealed: waiting for the operators to unseal it — {threshold} of them each decrypt their share "
        f"and run `vault operator unseal` (waiting up to {timeout / 60:.0f} minutes)")
    deadline = time.monotonic() + timeout
    progress = -1
    while True:
        status = vault.get("sys/seal-status") or {}
        if status.get("sealed") is False:
            say("Vault is unsealed")
            return True
        if status.get("progress", 0) != progress:
            progress = status.get("progress", 0)
            say(f"unseal progress: {progress} of {threshold}")
        if time.monotonic() >= deadline:
            say(f"Vault is still sealed after {timeout / 60:.0f} minutes: the bootstrap did not run")
            return False
        time.sleep(poll)


def _revoke(root_vault: VaultOperator, vault: VaultOperator, say: Callable[[str], None]) -> bool:
    """Revoke the root token and check that Vault no longer accepts it. On failure the
    token's accessor (which cannot authenticate) is printed for revocation by accessor.
    ``vault`` (no token) asks whether Vault is sealed."""
    try:
        status = vault.get("sys/seal-status") or {}
    except LiveError:
        status = {}
    if status.get("sealed"):
        say("the root token cannot be revoked while Vault is sealed (it is useless until Vault is unsealed). Once "
            "unsealed, revoke it: a break-glass root token finds it with `vault list auth/token/accessors` and "
            "`vault token lookup -accessor <accessor>` (policies [root], created at initialisation), then "
            "`vault token revoke -accessor <accessor>`")
        return False
    accessor = None
    try:
        accessor = ((root_vault.get("auth/token/lookup-self") or {}).get("data") or {}).get("accessor")
        root_vault.post("auth/token/revoke-self")
    except LiveError as error:
        how = f"`vault token revoke -accessor {accessor}`" if accessor else \
            "its accessor (find it with `vault list auth/token/accessors`)"
        say(f"could not revoke the root token ({error}): revoke it with {how} using the break-glass procedure")
        return False
    try:
        root_vault.get("auth/token/lookup-self")
    except PermissionDenied:
        say("root token revoked")
        return True
    except LiveError as error:
        say(f"could not check the revocation ({error}): revoke it with `vault token revoke -accessor {accessor}`")
        return False
    say(f"the root token still answers after revocation: revoke it with `vault token revoke -accessor {accessor}`")
    return False
