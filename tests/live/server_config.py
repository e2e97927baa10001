"""The rendered ``vault/server.hcl`` of a plan, made to boot on loopback — every change in
this one place, named in two closed lists:

* :data:`LEAVING_KUBERNETES` — what running outside a pod forces: addresses, certificate
  files, data and audit paths, Raft's join through ``leader_api_addr`` instead of
  Kubernetes auto-join, no service registration; and the seal's key, endpoint and
  credentials at moto instead of AWS;
* :data:`VAULT_TO_OPENBAO` — where the OpenBao server of this tier differs from the Vault
  a Vault stack deploys. Empty for a stack that deploys OpenBao: it boots as rendered.

Per-pod values reach the server as the StatefulSet gives them: environment variables
(``VAULT_API_ADDR``, ``VAULT_CLUSTER_ADDR``, ``VAULT_RAFT_NODE_ID``,
``VAULT_PG_CONNECTION_URL``, or ``BAO_*``) — see :func:`pod_environment`. Every substitution must match
the rendered text it names: a renderer change that breaks one fails the tier loudly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional


@dataclass(frozen=True)
class Node:
    """What one node needs that a pod gets from Kubernetes."""

    name: str
    api_port: int
    cluster_port: int
    data_dir: Path
    cert: Path
    key: Path
    ca: Path
    peers: tuple[str, ...] = ()
    """API addresses of every node (Kubernetes auto-join discovers them all)."""
    kms_endpoint: Optional[str] = None
    kms_key_id: Optional[str] = None
    break_glass_port: int = 0
    """OpenBao's loopback break-glass listener (``cluster.unauthenticated_generate_root``)."""
    metrics_port: int = 0
    """The metrics listener (sys/metrics without a token)."""


@dataclass(frozen=True)
class Substitution:
    name: str
    """What is changed and why (quoted in the README)."""
    pattern: str
    replace: Callable[[re.Match, Node], str]


def _retry_joins(match: re.Match, node: Node) -> str:
    indent = match.group(1)
    blocks = []
    for peer in node.peers:
        blocks.append(f'{indent}retry_join {{\n{indent}  leader_api_addr = "{peer}"\n'
                      f'{match.group("rest")}{indent}}}\n')
    return "".join(blocks)


_ROOT = r"(?:/vault|/openbao)"
"""Where the rendered configuration names its mounts: Vault's or OpenBao's conventions."""

LEAVING_KUBERNETES: tuple[Substitution, ...] = (
    Substitution("listener: the node's loopback port instead of every interface",
                 r'^([ \t]*)address = "\[::\]:8200"$', lambda m, n: f'{m.group(1)}address = "127.0.0.1:{n.api_port}"'),
    Substitution("listener: the node's loopback cluster port",
                 r'^([ \t]*)cluster_address = "\[::\]:8201"$',
                 lambda m, n: f'{m.group(1)}cluster_address = "127.0.0.1:{n.cluster_port}"'),
    Substitution("metrics listener: a free loopback port instead of every interface's 8202",
                 r'^([ \t]*)address = "\[::\]:8202"$', lambda m, n: f'{m.group(1)}address = "127.0.0.1:{n.metrics_port}"'),
    Substitution("break-glass listener: a free loopback port instead of the pod's own 8210",
                 r'^([ \t]*)address = "127\.0\.0\.1:8210"$',
                 lambda m, n: f'{m.group(1)}address = "127.0.0.1:{n.break_glass_port}"'),
    Substitution("TLS: the test CA's certificate for this node instead of the mounted Secret",
                 rf'"{_ROOT}/tls/tls\.crt"', lambda m, n: f'"{n.cert}"'),
    Substitution("TLS: the key of that certificate", rf'"{_ROOT}/tls/tls\.key"', lambda m, n: f'"{n.key}"'),
    Substitution("TLS: the test CA instead of the Secret's ca.crt", rf'"{_ROOT}/tls/ca\.crt"', lambda m, n: f'"{n.ca}"'),
    Substitution("storage: the node's directory instead of the data volume",
                 rf'^([ \t]*)path = "{_ROOT}/data"$', lambda m, n: f'{m.group(1)}path = "{n.data_dir}"'),
    Substitution("audit: the node's audit directory instead of the audit volume",
                 rf'^([ \t]*)file_path = "{_ROOT}/audit/', lambda m, n: f'{m.group(1)}file_path = "{n.data_dir.parent}/'),
    Substitution("Raft join: one retry_join per node through leader_api_addr instead of Kubernetes auto-join "
                 "(the leader's TLS name and CA are kept)",
                 r'^([ \t]*)retry_join \{\n\s*auto_join = .*\n\s*auto_join_scheme = .*\n\s*auto_join_port = .*\n'
                 r'(?P<rest>(?:\s*(?:leader_tls_servername|leader_ca_cert_file) = .*\n)*)\s*\}\n',
                 _retry_joins),
    Substitution("service registration off: there is no Kubernetes API to label pods in",
                 r'^service_registration "kubernetes" \{\n\}\n\n?', lambda m, n: ""),
    Substitution("awskms seal: moto's key, endpoint and test credentials instead of the stack's key in AWS",
                 r'^([ \t]*)kms_key_id = ".*"$',
                 lambda m, n: (f'{m.group(1)}kms_key_id = "{n.kms_key_id}"\n{m.group(1)}endpoint = "{n.kms_endpoint}"\n'
                               f'{m.group(1)}access_key = "testing"\n{m.group(1)}secret_key = "testing"')),
)
"""What leaving Kubernetes (and AWS: the seal's key is moto's) forces, for every stack."""

VAULT_TO_OPENBAO: tuple[Substitution, ...] = (
    Substitution("audit devices created through the API: OpenBao refuses them unless "
                 "unsafe_allow_api_audit_creation is set (Vault allows them)",
                 r"^(ui = .*)$", lambda m, n: f"{m.group(1)}\nunsafe_allow_api_audit_creation = true"),
    Substitution("file storage: OpenBao 2.7 has none; a single Raft node stands in (dev only)",
                 r'^storage "file" \{\n  path = ".*"\n\}$',
                 lambda m, n: f'storage "raft" {{\n  path = "{n.data_dir}"\n  performance_multiplier = 1\n}}'),
    Substitution("PostgreSQL storage: skip_create_table (the schema Job made the tables; OpenBao would try to "
                 "create them with Vault's least-privilege role, which may not)",
                 r'^([ \t]*)ha_enabled = "true"$', lambda m, n: f'{m.group(1)}ha_enabled = "true"\n'
                                                             f'{m.group(1)}skip_create_table = "true"'),
)
"""Where the OpenBao server of this tier differs from the Vault a Vault stack deploys:
applied to Vault stacks only — a stack that deploys OpenBao boots as rendered."""


def for_loopback(rendered: str, node: Node, openbao_stack: bool = False) -> tuple[str, list[str]]:
    """The node's configuration, and the names of the substitutions applied (in list order);
    ``openbao_stack``: the plan renders for OpenBao, so nothing of ``VAULT_TO_OPENBAO`` applies."""
    text, applied = rendered, []
    for substitution in (*LEAVING_KUBERNETES, *(() if openbao_stack else VAULT_TO_OPENBAO)):
        if substitution.name.startswith("awskms") and node.kms_key_id is None:
            continue
        text, count = re.subn(substitution.pattern, lambda m, s=substitution: s.replace(m, node), text,
                              flags=re.MULTILINE)
        if count:
            applied.append(substitution.name)
    for leftover in ("/vault/tls/", "/openbao/tls/", '"/vault/data"', '"/openbao/data"', "auto_join",
                     'service_registration "kubernetes"', "[::]", ":8210"):
        assert leftover not in text, f"a Kubernetes-only setting is left in the configuration: {leftover}"
    return text, applied


def pod_environment(node: Node, pg_connection_url: Optional[str] = None, prefix: str = "VAULT_") -> dict[str, str]:
    """What the StatefulSet sets for each pod (components/kubernetes/workload.py), for this
    node, under the server's prefix (``VAULT_`` or ``BAO_``)."""
    env = {
        f"{prefix}API_ADDR": f"https://127.0.0.1:{node.api_port}",
        f"{prefix}CLUSTER_ADDR": f"https://127.0.0.1:{node.cluster_port}",
        f"{prefix}RAFT_NODE_ID": node.name,
        f"{prefix}ADDR": f"https://127.0.0.1:{node.api_port}",
        f"{prefix}CACERT": str(node.ca),
    }
    if pg_connection_url is not None:
        env[f"{prefix}PG_CONNECTION_URL"] = pg_connection_url
    return env
