"""Who may reach Vault and whom Vault may reach: the ``network`` section's types, what the
rest of the stack makes it derive, and the rules across them.

Derived, so that the declared clients and the network policy can never disagree:

* the namespaces allowed to call the API: Vault's own (the release namespace), every
  namespace a Kubernetes auth role of this cluster binds, and ``network.allowed_namespaces``
  (:func:`api_namespaces`);
* the addresses allowed to call the API from outside the cluster: ``network.external_clients``
  and every CIDR a role binds its logins or tokens to (:func:`api_cidrs`);
* the hosts Vault itself calls — OIDC discovery, LDAP directories, remote Kubernetes API
  servers, database connections, socket audit devices (:func:`called_hosts`) — each of which an egress
  destination must name, so that a restricted egress cannot silently break a login.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import urlsplit

from pydantic import Field, StrictBool, StrictInt, StrictStr

from components.config.base import DNS_LABEL, Model, Rules
from components.config.problems import Problem

StackConfig = Any
"""The functions below take the whole validated :class:`components.config.stack.StackConfig`
(which holds this module's types, hence not imported here)."""

POD_IDENTITY_AGENT = ("169.254.170.23/32", "fd00:ec2::23/128")
"""EKS Pod Identity's agent on every node (link-local, port 80; IPv4 and IPv6 clusters): where
pods get AWS credentials."""
KUBERNETES_API_PORTS = (443, 6443)
"""The API server's ports: 443 on EKS and most managed clusters; 6443 where the ``kubernetes``
Service forwards to kubeadm's port (network policies see the endpoint's port)."""
ANY_ADDRESS = ("0.0.0.0/0", "::/0")


class ExternalClient(Model):
    """Callers from outside the cluster (a load balancer, an ingress proxy's nodes, runners)."""

    cidr: StrictStr = Field(..., description="Source addresses as Vault's pods see them (CIDR).")
    description: StrictStr = Field(..., min_length=1, description="Who calls from there (shown beside the rule).")


class DnsEgress(Model):
    namespace: StrictStr = Field("kube-system", pattern=DNS_LABEL, description="Namespace of the cluster's DNS pods.")
    pod_labels: dict[StrictStr, StrictStr] = Field(
        {"k8s-app": "kube-dns"}, description="Labels of the DNS pods (CoreDNS keeps `k8s-app: kube-dns` on EKS, "
        "GKE, AKS and kubeadm)."
    )
    addresses: tuple[StrictStr, ...] = Field(
        (), description="DNS servers no pod selector reaches, by CIDR: NodeLocal DNSCache's `169.254.20.10/32`."
    )


class EgressDestination(Model):
    """Somewhere else Vault calls: the hosts it names, and the addresses and ports they answer on."""

    description: StrictStr = Field(..., min_length=1, description="What is there.")
    hosts: tuple[StrictStr, ...] = Field(
        (), description="The host names the stack makes Vault call there (OIDC issuers, directories, databases); "
        "every host Vault calls must be named by one destination."
    )
    cidrs: tuple[StrictStr, ...] = Field((), description="Addresses of those hosts (CIDRs).")
    namespaces: tuple[StrictStr, ...] = Field(
        (), description="Or, for a service inside the cluster, the namespaces of its pods."
    )
    ports: tuple[StrictInt, ...] = Field(..., min_length=1, description="TCP ports.")


class EgressConfig(Model):
    """Where Vault's pods (and the snapshot and schema Jobs) may connect."""

    restricted: StrictBool = Field(
        True, description="Deny every connection the entries below do not allow. Turning it off is a dev-only "
        "shortcut."
    )
    dns: DnsEgress = Field(DnsEgress(), description="The cluster's DNS (UDP and TCP 53): every name lookup.")
    kubernetes_api: tuple[StrictStr, ...] = Field(
        (), description="Addresses of the Kubernetes API server (CIDRs; `kubectl get endpointslices -n default -l "
        "kubernetes.io/service-name=kubernetes`), ports 443 and 6443: service registration, Raft auto-join and "
        "Kubernetes logins (TokenReview). Required outside dev; in dev, any address on those ports when omitted "
        "(local clusters move their API server)."
    )
    aws: tuple[StrictStr, ...] = Field(
        (), description="Addresses of the AWS endpoints the stack calls on 443 — KMS (the seal), STS (IRSA), S3 "
        "(snapshots), IAM (the aws engine): your VPC endpoints' subnets, or the region's published ranges. "
        "Required when any of those is used outside dev. EKS Pod Identity's agent (169.254.170.23:80) is added "
        "when the identity mode is `pod-identity`."
    )
    postgresql: tuple[StrictStr, ...] = Field(
        (), description="Addresses of the PostgreSQL storage database (CIDRs; the RDS subnets). Required with "
        "PostgreSQL storage."
    )
    postgresql_port: StrictInt = Field(5432, ge=1, le=65535, description="The database's port.")
    destinations: tuple[EgressDestination, ...] = Field(
        (), description="Everything else Vault calls (OIDC discovery, LDAP, secret-engine databases, remote "
        "clusters); `plan` lists the hosts the stack makes it call and refuses one no destination names."
    )


class NetworkConfig(Model):
    """Who may reach Vault, and whom Vault may reach."""

    network_policies: StrictBool = Field(
        True,
        description="Default-deny ingress and egress in Vault's namespace; the API port open to the derived and "
        "declared clients, the cluster port only between Vault pods, the metrics port to the scraper. Turning it "
        "off is a dev-only shortcut.",
    )
    allowed_namespaces: tuple[StrictStr, ...] = Field(
        (),
        description="More namespaces whose pods may call the API port (8200), e.g. an ingress controller's. "
        "Vault's own namespace and every namespace a Kubernetes auth role binds are added by the plan.",
    )
    external_clients: tuple[ExternalClient, ...] = Field(
        (), description="Callers from outside the cluster (load balancers, runners, engineers' networks), by "
        "CIDR. The CIDRs roles bind (`token_bound_cidrs`, `secret_id_bound_cidrs`) are added by the plan."
    )
    egress: EgressConfig = Field(EgressConfig(), description="Where Vault may connect.")


# -- derived -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalledHost:
    host: str
    port: int
    where: str
    """The key path that makes Vault call it."""


def _local_kubernetes_mounts(config: StackConfig) -> set[tuple[Optional[str], str]]:
    """Kubernetes auth mounts that log in workloads of this cluster (not a remote one)."""
    return {(m.namespace, m.path) for m in config.vault.auth_methods
            if m.type == "kubernetes" and (m.kubernetes is None or m.kubernetes.use_local_service_account)}


def role_namespaces(config: StackConfig) -> dict[str, list[str]]:
    """Namespace -> the roles (``vault.roles[i]``) binding it, for this cluster's Kubernetes logins."""
    local = _local_kubernetes_mounts(config)
    bound: dict[str, list[str]] = {}
    for index, role in enumerate(config.vault.roles):
        if (role.namespace, role.mount) in local:
            for namespace in role.bound_service_account_namespaces:
                bound.setdefault(namespace, []).append(f"vault.roles[{index}]")
    return bound


def api_namespaces(config: StackConfig) -> tuple[str, ...]:
    """Every namespace whose pods may call the API port."""
    names = {config.kubernetes.namespace, *config.network.allowed_namespaces}
    names |= {name for name in role_namespaces(config) if "*" not in name}
    return tuple(sorted(names))


def role_cidrs(config: StackConfig) -> list[tuple[str, str]]:
    """(key path, CIDR) of every address a role binds its logins or tokens to."""
    found = []
    for index, role in enumerate(config.vault.roles):
        for key in ("token_bound_cidrs", "secret_id_bound_cidrs"):
            found += [(f"vault.roles[{index}].{key}[{n}]", cidr) for n, cidr in enumerate(getattr(role, key))]
    return found


def _canonical(cidr: str) -> str:
    """A CIDR as a network policy takes it: a bare address becomes /32 (/128), host bits are cleared."""
    return str(ipaddress.ip_network(cidr, strict=False))


def api_cidrs(config: StackConfig) -> dict[str, str]:
    """CIDR -> who calls from there: the declared external clients and the roles' bound CIDRs."""
    cidrs = {_canonical(client.cidr): client.description for client in config.network.external_clients}
    for path, cidr in role_cidrs(config):
        cidrs.setdefault(_canonical(cidr), path)
    return cidrs


def _host_port(url: str, default_port: int) -> Optional[tuple[str, int]]:
    """Host and port of a URL, or of a database connection string with templated credentials
    (``postgresql://{{username}}:{{password}}@db:5432/x``, ``{{username}}@tcp(db:3306)/``)."""
    rest = url.split("://", 1)[-1].rsplit("@", 1)[-1]
    rest = rest.removeprefix("tcp(")
    match = re.match(r"\[?([A-Za-z0-9.:-]+?)\]?(?::([0-9]+))?(?:[/?)]|$)", rest)
    if not match:
        return None
    return match.group(1), int(match.group(2) or default_port)


def called_hosts(config: StackConfig) -> list[CalledHost]:
    """The hosts the stack makes Vault call, each with the key that does."""
    hosts: list[CalledHost] = []
    for index, method in enumerate(config.vault.auth_methods):
        where = f"vault.auth_methods[{index}]"
        if method.oidc is not None:
            split = urlsplit(method.oidc.oidc_discovery_url)
            hosts.append(CalledHost(split.hostname or "", split.port or 443, f"{where}.oidc.oidc_discovery_url"))
        if method.ldap is not None:
            for url in method.ldap.url.split(","):
                split = urlsplit(url.strip())
                port = split.port or (636 if split.scheme == "ldaps" else 389)
                hosts.append(CalledHost(split.hostname or "", port, f"{where}.ldap.url"))
        if method.kubernetes is not None and not method.kubernetes.use_local_service_account:
            split = urlsplit(method.kubernetes.kubernetes_host)
            hosts.append(CalledHost(split.hostname or "", split.port or 443, f"{where}.kubernetes.kubernetes_host"))
    for index, device in enumerate(config.vault.audit_devices):
        if device.type == "socket" and device.socket_type == "tcp" and device.address:
            found = _host_port(device.address, 0)
            if found:
                hosts.append(CalledHost(*found, f"vault.audit_devices[{index}].address"))
    for index, engine in enumerate(config.vault.secret_engines):
        if engine.database is None:
            continue
        for number, connection in enumerate(engine.database.connections):
            found = _host_port(connection.connection_url, 5432)
            if found:
                hosts.append(CalledHost(*found, f"vault.secret_engines[{index}].database.connections[{number}]"
                                                ".connection_url"))
    return hosts


def uses_aws(config: StackConfig) -> list[str]:
    """The keys that make the stack's pods call AWS (KMS, STS, S3, IAM)."""
    users = []
    if config.unseal.type == "awskms":
        users.append("unseal.type")
    if config.snapshots.enabled:
        users.append("snapshots.enabled")
    users += [f"vault.secret_engines[{i}]" for i, e in enumerate(config.vault.secret_engines) if e.type == "aws"]
    return users


def pod_identity(config: StackConfig) -> bool:
    kms = config.unseal.awskms
    return config.unseal.type == "awskms" and kms is not None and kms.identity.mode == "pod-identity"


def kubernetes_api_cidrs(config: StackConfig) -> tuple[str, ...]:
    """The API server's addresses: as declared, or any address in dev when none are."""
    return config.network.egress.kubernetes_api or (ANY_ADDRESS if config.is_dev else ())


# -- rules ------------------------------------------------------------------------------------


def _cidr_problem(path: str, cidr: str, any_allowed: bool, environment: str, strict: bool = True
                  ) -> Optional[Problem]:
    try:
        network = ipaddress.ip_network(cidr, strict=strict)
    except ValueError:
        wanted = "with its host bits zero, " if strict else "or an address, "
        return Problem(path, f"not a CIDR {wanted}e.g. 10.20.0.0/16 or 2001:db8::/48", cidr)
    if network.prefixlen == 0 and not any_allowed:
        return Problem(path, f"admits every address; allowed in {environment}: a narrower CIDR", cidr)
    return None


def network_rules(config: StackConfig, rules: Rules) -> None:
    """Namespaces and CIDRs well formed; roles a network policy can admit; egress declared for
    everything the stack makes its pods call."""
    network, dev, env = config.network, config.is_dev, config.environment
    check = rules.check
    for index, name in enumerate(network.allowed_namespaces):
        check(("network.allowed_namespaces",), not re.fullmatch(DNS_LABEL, name) or len(name) > 63,
              Problem(f"network.allowed_namespaces[{index}]", "not a namespace name (DNS label)", name))
    # Every address is refused outside dev for callers and for the endpoints the cluster owns;
    # a destination may need it (a public issuer without fixed addresses), named by its hosts.
    cidr_keys = [(f"network.external_clients[{i}].cidr", c.cidr, dev) for i, c in enumerate(network.external_clients)]
    egress = network.egress
    for key in ("kubernetes_api", "aws", "postgresql"):
        cidr_keys += [(f"network.egress.{key}[{i}]", cidr, dev) for i, cidr in enumerate(getattr(egress, key))]
    cidr_keys += [(f"network.egress.dns.addresses[{i}]", cidr, dev) for i, cidr in enumerate(egress.dns.addresses)]
    for index, destination in enumerate(egress.destinations):
        cidr_keys += [(f"network.egress.destinations[{index}].cidrs[{i}]", c, True)
                      for i, c in enumerate(destination.cidrs)]
        check(("network.egress.destinations",), not destination.cidrs and not destination.namespaces,
              Problem(f"network.egress.destinations[{index}]", "names no addresses; allowed: cidrs, or namespaces "
                      "for a service inside the cluster", has_value=False))
        for number, name in enumerate(destination.namespaces):
            check(("network.egress.destinations",), not re.fullmatch(DNS_LABEL, name),
                  Problem(f"network.egress.destinations[{index}].namespaces[{number}]", "not a namespace name "
                          "(DNS label)", name))
        for number, port in enumerate(destination.ports):
            check(("network.egress.destinations",), not 1 <= port <= 65535,
                  Problem(f"network.egress.destinations[{index}].ports[{number}]", "not a TCP port; allowed: 1 to "
                          "65535", port))
    for path, cidr, any_allowed in cidr_keys:
        problem = _cidr_problem(path, cidr, any_allowed, env)
        check((path.split("[")[0],), problem is not None, problem)  # type: ignore[arg-type]
    if not network.network_policies:
        return
    for path, cidr in role_cidrs(config):  # Vault takes a bare address or host bits; the policy needs a network
        problem = _cidr_problem(path, cidr, dev, env, strict=False)
        check(("vault.roles",), problem is not None, problem)  # type: ignore[arg-type]
    for namespace, roles in role_namespaces(config).items():
        check(("vault.roles",), "*" in namespace,
              Problem(f"{roles[0]}.bound_service_account_namespaces", "a network policy cannot admit a namespace "
                      "pattern, so its pods could not reach Vault; allowed: the namespaces by name (each is "
                      "admitted to the API port)", namespace))
    check(("network.egress.restricted", "environment"), not egress.restricted and not dev,
          Problem("network.egress.restricted", f"open egress is a dev-only shortcut (environment {env}); allowed: "
                  "true", False))
    if egress.restricted:
        _egress_rules(config, rules)


def _egress_rules(config: StackConfig, rules: Rules) -> None:
    egress, dev, env = config.network.egress, config.is_dev, config.environment
    check = rules.check
    check(("network.egress.kubernetes_api",), not egress.kubernetes_api and not dev,
          Problem("network.egress.kubernetes_api", f"required in {env}: the API server's addresses (service "
                  "registration, Raft auto-join and Kubernetes logins need it)", has_value=False))
    users = uses_aws(config)
    check(("network.egress.aws",), bool(users) and not egress.aws and not dev,
          Problem("network.egress.aws", f"required in {env}: the pods call AWS on 443 for {', '.join(users)}; "
                  "allowed: your VPC endpoints' subnets or the region's ranges (CIDRs)", has_value=False))
    check(("network.egress.postgresql", "storage.type"), config.storage.type == "postgresql" and not egress.postgresql,
          Problem("network.egress.postgresql", "required with PostgreSQL storage: the database's addresses",
                  has_value=False))
    ports: dict[str, set[int]] = {}
    for destination in egress.destinations:
        for host in destination.hosts:
            ports.setdefault(host.lower(), set()).update(destination.ports)
    for called in called_hosts(config):
        open_ports = ports.get(called.host.lower())
        check(("network.egress.destinations", called.where.split("[")[0]), open_ports is None,
              Problem("network.egress.destinations", f"no destination names {called.host}, which Vault calls on "
                      f"port {called.port} ({called.where}); allowed: a destination whose hosts include it, with "
                      "its addresses and port", has_value=False))
        check(("network.egress.destinations", called.where.split("[")[0]),
              open_ports is not None and called.port not in open_ports,
              Problem("network.egress.destinations", f"the destinations naming {called.host} open port(s) "
                      f"{', '.join(map(str, sorted(open_ports or ())))}, but Vault calls it on port {called.port} "
                      f"({called.where}); allowed: add {called.port} to that destination's ports", has_value=False))


def outside_callers(config: StackConfig) -> list[str]:
    """The auth methods whose callers usually come from outside the cluster (GitHub runners,
    engineers' browsers and CLIs), when no external client is declared to admit them."""
    if config.network.external_clients or not config.network.network_policies:
        return []
    return [f"{m.type} auth method {m.path}" for m in config.vault.auth_methods if m.type in ("jwt", "oidc")]


def open_destinations(config: StackConfig) -> list[str]:
    """The destinations that admit every address (a public service without fixed addresses)."""
    return [d.description for d in config.network.egress.destinations
            if any(ipaddress.ip_network(c, strict=False).prefixlen == 0 for c in d.cidrs)]
