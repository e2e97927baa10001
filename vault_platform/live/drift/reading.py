"""The live side of drift: one bounded pass over the server, in the root namespace and in
every declared namespace (recursively), reading configuration only — never a secret's
value, a credential or key material.

The pass has three rounds, each read concurrently by a small pool (``concurrency``):
the listings of each namespace (auth methods, secret engines, policies, token roles,
groups, entities, child namespaces; audit devices and quotas in the root namespace,
the only one that has them), then what lives under each mount (roles, users, database
connections, PKI roles, transit keys), then every object that is declared or must be
examined (an entity counts only if it carries policies). Each path is read once.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from vault_platform.live.client import LiveError, PermissionDenied, RateLimited, VaultReader

Key = tuple[Optional[str], str]
"""(namespace, path)."""

BUILT_INS: dict[str, dict[str, set[str]]] = {
    "vault": {"auth": {"token"}, "mounts": {"sys", "cubbyhole", "identity", "agent-registry"},
              "policies": {"default", "root", "response-wrapping", "control-group", "default-ceiling"}},
    "openbao": {"auth": {"token"}, "mounts": {"sys", "cubbyhole", "identity"}, "policies": {"default", "root"}},
}
"""What each server creates by itself (Vault 2.0 adds the ``default-ceiling`` policy and the
``agent-registry/`` mount): never reported as unmanaged."""

CHILDREN: dict[str, tuple[tuple[str, str], ...]] = {
    "kubernetes": (("auth role", "auth/{m}/role"),), "approle": (("auth role", "auth/{m}/role"),),
    "jwt": (("auth role", "auth/{m}/role"),), "oidc": (("auth role", "auth/{m}/role"),),
    "cert": (("auth role", "auth/{m}/certs"),), "userpass": (("auth user", "auth/{m}/users"),),
    "ldap": (("ldap group", "auth/{m}/groups"), ("auth user", "auth/{m}/users")),
    "database": (("database connection", "{m}/config"), ("database role", "{m}/roles"),
                 ("database static role", "{m}/static-roles")),
    "pki": (("pki role", "{m}/roles"),), "transit": (("transit key", "{m}/keys"),), "aws": (("aws role", "{m}/roles"),),
}
"""Per mount type, the objects beneath it: (what, where they are listed)."""

RATE_LIMIT_PATIENCE = 45.0
"""Seconds a read is retried while a rate-limit quota refuses it (429), backing off; long
enough for a quota's block interval of 30 s."""

READ_UNMANAGED = {"auth role", "auth user", "ldap group", "token role", "identity group", "identity entity"}
"""Unmanaged objects read to show what they grant (their policies)."""


@dataclass(frozen=True)
class Target:
    name: str
    """``vault``, ``openbao``, or ``unknown`` (then the built-ins of both are ignored)."""
    version: str = ""

    @property
    def built_ins(self) -> dict[str, set[str]]:
        if self.name in BUILT_INS:
            return BUILT_INS[self.name]
        return {kind: BUILT_INS["vault"][kind] | BUILT_INS["openbao"][kind] for kind in BUILT_INS["vault"]}


def identify(seal_status: Any) -> Target:
    """Vault answers ``sys/seal-status`` with a ``build_date``, OpenBao with a ``commit_date``."""
    status = seal_status if isinstance(seal_status, dict) else {}
    version = str(status.get("version") or "")
    if "commit_date" in status:
        return Target("openbao", version)
    if "build_date" in status:
        return Target("vault", version)
    return Target("unknown", version)


@dataclass
class LiveState:
    target: Target
    found: dict[Key, str] = field(default_factory=dict)
    """Every object the listings show: (namespace, path) -> what it is."""
    values: dict[Key, dict[str, Any]] = field(default_factory=dict)
    """What the server answers for each object read (``None`` answers are absent)."""
    namespaces: list[Optional[str]] = field(default_factory=list)
    """The namespaces examined (None: root)."""
    unavailable: list[str] = field(default_factory=list)
    """Listings this server does not offer (lease-count quotas without Vault Enterprise)."""
    reads: int = 0


class _Pool:
    """Reads ``(namespace, method, path)`` concurrently, each once, one reader per thread
    and namespace; a 403 stops the pass (the drift identity lacks a capability)."""

    def __init__(self, connect: Callable[[Optional[str]], VaultReader], concurrency: int):
        self.connect, self.concurrency = connect, max(1, concurrency)
        self.local = threading.local()
        self.cache: dict[tuple[Optional[str], str, str], Any] = {}

    def _reader(self, namespace: Optional[str]) -> VaultReader:
        readers = self.local.__dict__.setdefault("readers", {})
        if namespace not in readers:
            readers[namespace] = self.connect(namespace)
        return readers[namespace]

    def _one(self, request: tuple[Optional[str], str, str]) -> Any:
        namespace, method, path = request
        reader = self._reader(namespace)
        deadline, pause = time.monotonic() + RATE_LIMIT_PATIENCE, 0.25
        while True:
            try:
                return reader.list_info(path) if method == "LIST" else reader.get(path)
            except RateLimited:
                if time.monotonic() + pause > deadline:
                    raise RateLimited(f"a rate-limit quota kept refusing {path} for {RATE_LIMIT_PATIENCE:.0f} s "
                                      "(lower --concurrency, or exempt the drift identity's paths)") from None
                time.sleep(pause)
                pause = min(pause * 2, 4.0)
            except PermissionDenied:
                where = f" in namespace {namespace}" if namespace else ""
                raise PermissionDenied(f"the token cannot {method} {path}{where} (403): drift reads every compared "
                                       "object; the stack's drift identity is allowed to") from None

    def read(self, requests: list[tuple[Optional[str], str, str]]) -> None:
        todo = sorted({r for r in requests if r not in self.cache}, key=lambda r: (r[0] or "", r[2], r[1]))
        with ThreadPoolExecutor(self.concurrency) as pool:
            for request, answer in zip(todo, pool.map(self._one, todo)):
                self.cache[request] = answer

    def optional(self, request: tuple[Optional[str], str, str]) -> Any:
        """A listing some servers do not offer: None when the server refuses it."""
        try:
            self.read([request])
        except PermissionDenied:
            raise
        except LiveError:
            return None
        return self.cache[request]


def _data(answer: Any) -> dict[str, Any]:
    """A GET answer's ``data`` (listings of mounts: also the older top-level form)."""
    if not isinstance(answer, dict):
        return {}
    data = answer.get("data")
    return data if isinstance(data, dict) else {k: v for k, v in answer.items() if k.endswith("/")}


def mount_type(info: dict[str, Any]) -> str:
    kind = str(info.get("type"))
    version = str((info.get("options") or {}).get("version") or "1")
    return "kv-v2" if kind == "kv" and version == "2" else kind


def _flat_mount(info: dict[str, Any]) -> dict[str, Any]:
    return {**info, **(info.get("config") or {}), "type": mount_type(info)}


def _flat_audit(info: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in info.items() if k != "options"}
    values.update({f"options.{k}": v for k, v in (info.get("options") or {}).items()})
    return values


def _flat_group(data: dict[str, Any], group_names: dict[str, str]) -> dict[str, Any]:
    alias = data.get("alias") or {}
    mount = str(alias.get("mount_path") or "").removeprefix("auth/").strip("/")
    return {**data, "member_groups": sorted(group_names.get(i, i) for i in data.get("member_group_ids") or []),
            "alias": f"{mount}:{alias['name']}" if alias.get("name") else ""}


def _flatten(what: str, data: dict[str, Any], group_names: dict[str, str]) -> dict[str, Any]:
    if what in ("policy", "password policy"):
        return {"policy": data.get("policy") or data.get("rules") or ""}
    if what == "database connection":
        return {**data, **(data.get("connection_details") or {})}
    if what == "identity group":
        return _flat_group(data, group_names)
    return data


def _depth(namespace: Optional[str]) -> int:
    return 0 if namespace is None else namespace.count("/") + 1


def read_live(connect: Callable[[Optional[str]], VaultReader], declared: dict[Key, str],
              namespaces: list[str], concurrency: int = 8) -> LiveState:
    """The server as drift sees it. ``declared``: (namespace, path) -> what, for every
    declared object; ``namespaces``: the declared namespaces (full paths)."""
    pool = _Pool(connect, concurrency)
    state = LiveState(identify(connect(None).get("sys/seal-status")))
    state.namespaces = [None, *_existing(pool, namespaces)]
    group_names = _listings(pool, state)
    _children(pool, state, declared)
    reads = [(ns, "GET", path) for (ns, path), what in declared.items()
             if not path.startswith(("sys/auth/", "sys/mounts/", "sys/audit/", "sys/namespaces/"))]
    reads += [(ns, "GET", path) for (ns, path), what in state.found.items()
              if what in READ_UNMANAGED and (ns, path) not in declared]
    pool.read(reads)
    for namespace, _, path in reads:
        answer = pool.cache[(namespace, "GET", path)]
        if answer is not None:
            what = declared.get((namespace, path)) or state.found[(namespace, path)]
            state.values[(namespace, path)] = _flatten(what, _data(answer), group_names.get(namespace, {}))
    state.reads = len(pool.cache) + 1
    return state


def _existing(pool: _Pool, namespaces: list[str]) -> list[str]:
    """The declared namespaces the server has (a missing one is a finding, not a place to read)."""
    existing: list[str] = []
    for namespace in sorted(namespaces, key=lambda ns: (_depth(ns), ns)):
        parent, _, leaf = namespace.rpartition("/")
        if parent and parent not in existing:
            continue
        children = pool.optional((parent or None, "LIST", "sys/namespaces")) or {}
        if f"{leaf}/" in children or leaf in children:
            existing.append(namespace)
    return existing


def _listings(pool: _Pool, state: LiveState) -> dict[Optional[str], dict[str, str]]:
    """Round one: what each namespace holds. Returns each namespace's group id -> name."""
    built_ins = state.target.built_ins
    per_namespace = ("GET sys/auth", "GET sys/mounts", "LIST sys/policies/acl", "LIST auth/token/roles",
                     "LIST identity/group/id", "LIST identity/entity/id")
    requests = [(ns, *entry.split(" ", 1)) for ns in state.namespaces for entry in per_namespace]
    pool.read([*requests, (None, "GET", "sys/audit"), (None, "LIST", "sys/quotas/rate-limit")])
    group_names: dict[Optional[str], dict[str, str]] = {}
    for ns in state.namespaces:
        for what, listing, prefix, skip in (("auth method", "sys/auth", "sys/auth/", built_ins["auth"]),
                                            ("secret engine", "sys/mounts", "sys/mounts/", built_ins["mounts"])):
            for path, info in _data(pool.cache[(ns, "GET", listing)]).items():
                if path.rstrip("/") not in skip:
                    state.found[(ns, prefix + path.rstrip("/"))] = what
                    state.values[(ns, prefix + path.rstrip("/"))] = _flat_mount(info)
        _found(state, ns, "policy", "sys/policies/acl/", set(pool.cache[(ns, "LIST", "sys/policies/acl")])
               - built_ins["policies"])
        _found(state, ns, "token role", "auth/token/roles/", pool.cache[(ns, "LIST", "auth/token/roles")])
        groups = pool.cache[(ns, "LIST", "identity/group/id")]
        group_names[ns] = {gid: str(info.get("name") or gid) for gid, info in groups.items()}
        _found(state, ns, "identity group", "identity/group/name/", group_names[ns].values())
        _found(state, ns, "identity entity", "identity/entity/id/", pool.cache[(ns, "LIST", "identity/entity/id")])
        for what, listing, prefix in (("password policy", "sys/policies/password", "sys/policies/password/"),
                                      ("namespace", "sys/namespaces", "sys/namespaces/")):
            answer = pool.optional((ns, "LIST", listing))
            _found(state, ns, what, prefix, [key.rstrip("/") for key in (answer or {})])
    for path, info in _data(pool.cache[(None, "GET", "sys/audit")]).items():
        state.found[(None, f"sys/audit/{path.rstrip('/')}")] = "audit device"
        state.values[(None, f"sys/audit/{path.rstrip('/')}")] = _flat_audit(info)
    _found(state, None, "quota", "sys/quotas/rate-limit/", pool.cache[(None, "LIST", "sys/quotas/rate-limit")])
    lease_count = pool.optional((None, "LIST", "sys/quotas/lease-count"))
    if lease_count is None:
        state.unavailable.append("lease-count quotas (sys/quotas/lease-count): not offered by this server")
    _found(state, None, "quota", "sys/quotas/lease-count/", lease_count or ())
    return group_names


def _found(state: LiveState, namespace: Optional[str], what: str, prefix: str, names: Any) -> None:
    for name in names:
        state.found[(namespace, prefix + str(name).rstrip("/"))] = what


def _children(pool: _Pool, state: LiveState, declared: dict[Key, str]) -> None:
    """Round two: what lives under each declared mount."""
    requests = []
    for (ns, path), what in list(state.found.items()):
        if what not in ("auth method", "secret engine") or (ns, path) not in declared:
            continue
        mount = path.split("/", 2)[2]
        for child, template in CHILDREN.get(str(state.values[(ns, path)].get("type")), ()):
            requests.append((ns, "LIST", template.format(m=mount), child))
    pool.read([(ns, method, listing) for ns, method, listing, _ in requests])
    for ns, method, listing, child in requests:
        _found(state, ns, child, f"{listing}/", pool.cache[(ns, method, listing)])
