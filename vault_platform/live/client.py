"""Reading a live Vault (hvac): the one place that talks to Vault's HTTP API.

The address, token and CA come from the environment as Vault's own CLI reads them
(``VAULT_ADDR``, ``VAULT_TOKEN``, ``VAULT_CACERT``), or from the caller. Every failure
— unreachable, TLS, forbidden, sealed — becomes :class:`LiveError` with a clear message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from vault_platform.outputs import open_private


class LiveError(RuntimeError):
    """Vault could not be read; the message says why."""


class PermissionDenied(LiveError):
    """Vault answered 403: the token lacks a capability (or is not a valid token)."""


class RateLimited(LiveError):
    """Vault answered 429: a rate-limit quota holds the caller back for now."""


@dataclass
class Connection:
    address: str
    token: Optional[str]
    ca_cert: Optional[str] = None
    timeout: float = 10.0
    namespace: Optional[str] = None
    """The namespace every call is made in (``X-Vault-Namespace``); None: the root namespace."""

    @classmethod
    def from_environment(cls, address: Optional[str] = None, fallback: Optional[str] = None) -> "Connection":
        """``address``, else ``VAULT_ADDR``, else ``fallback`` (the stack's vault.address)."""
        resolved = address or os.environ.get("VAULT_ADDR") or fallback
        if not resolved:
            raise LiveError("no Vault address: set VAULT_ADDR or pass --address")
        return cls(resolved, os.environ.get("VAULT_TOKEN"), os.environ.get("VAULT_CACERT"))


class VaultReader:
    """Read-only calls to Vault's API, answered as parsed JSON."""

    def __init__(self, connection: Connection):
        import hvac

        self.connection = connection
        # Redirects are answers, not followed: a standby that cannot forward to the active
        # node redirects to the active node's last known address, which may be dead.
        self.client = hvac.Client(
            url=connection.address,
            token=connection.token,
            verify=connection.ca_cert or True,
            timeout=connection.timeout,
            allow_redirects=False,
            namespace=connection.namespace,
        )
        # hvac falls back to VAULT_TOKEN and ~/.vault-token when given none: send
        # exactly the connection's token, or nothing (``init`` must send nothing).
        self.client.token = connection.token

    def _call(self, method: str, path: str, *, raw: bool = False, **kwargs: Any) -> Any:
        """``method`` on ``/v1/<path>``: parsed JSON, the raw response for a non-JSON
        answer, None for 404; every failure a :class:`LiveError` that never echoes the
        request (which may carry key shares or a token). ``raw``: the unparsed response
        (for streaming)."""
        import hvac.adapters
        import hvac.exceptions
        import requests

        adapter = hvac.adapters.RawAdapter.from_adapter(self.client.adapter) if raw else self.client.adapter
        try:
            response = getattr(adapter, method)(f"/v1/{path}", **kwargs)
        except hvac.exceptions.Forbidden:
            raise PermissionDenied(f"Vault refused {path} (403 permission denied): the token lacks a capability") from None
        except hvac.exceptions.InvalidPath:
            return None
        except hvac.exceptions.RateLimitExceeded:
            raise RateLimited(f"Vault refused {path} for now (429: a rate-limit quota)") from None
        except hvac.exceptions.VaultDown:
            raise LiveError(f"Vault at {self.connection.address} is sealed or down (503)") from None
        except hvac.exceptions.VaultError as error:
            raise LiveError(f"Vault answered {path} with an error: {error}") from None
        except requests.exceptions.SSLError as error:
            raise LiveError(f"TLS to {self.connection.address} failed (set VAULT_CACERT?): {error}") from None
        except requests.exceptions.RequestException as error:
            raise LiveError(f"cannot reach Vault at {self.connection.address}: {type(error).__name__}") from None
        if getattr(response, "status_code", 200) in (301, 302, 307, 308):
            raise LiveError(f"{self.connection.address} redirected {path} to {response.headers.get('Location')} "
                            "(it cannot forward to the active node)")
        if isinstance(response, dict) or raw:
            return response
        if hasattr(response, "json"):
            if not response.content:
                return None
            try:
                return response.json()
            except ValueError:
                return response
        return response

    def get(self, path: str, **params: Any) -> Any:
        return self._call("get", path, params=params or None)

    def list(self, path: str) -> list[str]:
        return list(self.list_info(path))

    def list_info(self, path: str) -> dict[str, dict[str, Any]]:
        """A LIST answer's keys, each with what ``key_info`` says of it (or nothing)."""
        data = ((self._call("list", path) or {}).get("data") or {})
        info = data.get("key_info") or {}
        return {key: info.get(key) or {} for key in data.get("keys") or []}


def unauthenticated(address: str, path: str, ca_cert: Optional[str], timeout: float = 5.0) -> tuple[int, Any]:
    """GET an unauthenticated endpoint (``sys/health``) of one node: (status, JSON or None)."""
    import requests

    try:
        response = requests.get(f"{address.rstrip('/')}/v1/{path}", verify=ca_cert or True, timeout=timeout)
    except requests.exceptions.RequestException as error:
        raise LiveError(f"cannot reach {address}: {type(error).__name__}") from None
    try:
        body = response.json()
    except ValueError:
        body = None
    return response.status_code, body


class VaultOperator(VaultReader):
    """The calls that change Vault: initialisation, token revocation, snapshot restore.
    Used only by ``init`` and ``snapshot restore``; everything else reads."""

    def put(self, path: str, body: dict[str, Any]) -> Any:
        return self._call("put", path, json=body)

    def post(self, path: str, body: Optional[dict[str, Any]] = None, *, data: Any = None) -> Any:
        """POST JSON ``body``, or ``data`` (bytes or a binary file, streamed) as it is."""
        if data is not None:
            return self._call("post", path, data=data)
        return self._call("post", path, json=body or {})

    def download(self, path: str, target: Path) -> int:
        """Stream ``GET /v1/<path>`` into ``target`` (mode 0600); the bytes written."""
        answer = self._call("get", path, raw=True, stream=True)
        if answer is None:
            raise LiveError(f"Vault answered {path} without a body")
        size = 0
        with open_private(target) as handle:
            for chunk in answer.iter_content(chunk_size=1 << 20):
                handle.write(chunk)
                size += len(chunk)
        return size
