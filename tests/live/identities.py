"""The identity providers the live tier's logins need, on loopback over HTTPS (certificates
from the test CA):

* :class:`OidcIssuer` — discovery, JWKS, a token endpoint for the authorization-code flow,
  and signed tokens for the jwt auth method (the GitHub Actions roles);
* :class:`KubernetesApi` — the TokenReview endpoint Kubernetes auth calls: it reviews only
  the service-account tokens it issued itself (signed by its own key), as a real API
  server would;
* :class:`LdapDirectory` — OpenLDAP's ``slapd`` (Debian package) over LDAPS, with people,
  groups and a read-only search account for the ldap auth method.
"""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.live.servers import free_port, stop_process, wait_until
from tests.live.tls import ServerCertificate


class _Server:
    """A small HTTPS server whose routes are ``(method, path) -> handler(body) -> (status, json)``."""

    def __init__(self, certificate: ServerCertificate):
        routes = self.routes = {}

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                route = routes.get((method, self.path.split("?", 1)[0]))
                status, answer = route(body, dict(self.headers)) if route else (404, {"error": "not found"})
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                self._answer("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._answer("POST")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(certificate.cert), str(certificate.key))
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def route(self, method: str, path: str, handler: Callable[[bytes, dict], tuple[int, Any]]) -> None:
        self.routes[(method, path)] = handler

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class OidcIssuer(_Server):
    """An OpenID Connect provider: its tokens are RS256-signed (OIDC's default algorithm) and
    name it as ``iss``."""

    def __init__(self, certificate: ServerCertificate, client_secret: str = "oidc-client-secret-for-tests"):
        super().__init__(certificate)
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "live-tier"
        self.client_secret = client_secret
        self.codes: dict[str, dict] = {}
        """Authorization code -> the claims of the ID token it is exchanged for."""
        self.route("GET", "/.well-known/openid-configuration", lambda body, headers: (200, {
            "issuer": self.url, "jwks_uri": f"{self.url}/jwks", "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token", "response_types_supported": ["code"],
            "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"]}))
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        self.route("GET", "/jwks", lambda body, headers: (200, {"keys": [{**public, "kid": self.kid, "use": "sig",
                                                                          "alg": "RS256"}]}))
        self.route("POST", "/token", self._token_endpoint)

    def token(self, claims: dict[str, Any], lifetime: int = 300) -> str:
        now = int(time.time())
        return jwt.encode({"iss": self.url, "iat": now, "nbf": now - 5, "exp": now + lifetime, **claims}, self.key,
                          algorithm="RS256", headers={"kid": self.kid})

    def authorize(self, claims: dict[str, Any], nonce: str, client_id: str) -> str:
        """What a user's successful sign-in at the provider yields: an authorization code."""
        code = uuid.uuid4().hex
        self.codes[code] = {**claims, "nonce": nonce, "aud": client_id}
        return code

    def _token_endpoint(self, body: bytes, headers: dict) -> tuple[int, Any]:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        claims = self.codes.pop(form.get("code", ""), None)
        secret_ok = form.get("client_secret") == self.client_secret or self.client_secret in _basic(headers)
        if claims is None or not secret_ok:
            return 400, {"error": "invalid_grant"}
        return 200, {"access_token": uuid.uuid4().hex, "token_type": "Bearer", "expires_in": 300,
                     "id_token": self.token(claims)}


def _basic(headers: dict) -> str:
    import base64

    value = headers.get("Authorization", "")
    return base64.b64decode(value[6:]).decode(errors="replace") if value.startswith("Basic ") else ""


class KubernetesApi(_Server):
    """The one Kubernetes API endpoint Vault's Kubernetes auth calls: TokenReview."""

    ISSUER = "https://kubernetes.default.svc.cluster.local"

    def __init__(self, certificate: ServerCertificate):
        super().__init__(certificate)
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.reviews: list[dict] = []
        self.route("POST", "/apis/authentication.k8s.io/v1/tokenreviews", self._review)

    def service_account_token(self, namespace: str, name: str, audience: str = "https://kubernetes.default.svc",
                              lifetime: int = 600) -> str:
        """A projected service-account token, as the kubelet mounts one."""
        now = int(time.time())
        return jwt.encode({"iss": self.ISSUER, "sub": f"system:serviceaccount:{namespace}:{name}", "aud": [audience],
                           "iat": now, "nbf": now, "exp": now + lifetime,
                           "kubernetes.io": {"namespace": namespace, "serviceaccount": {"name": name,
                                                                                        "uid": str(uuid.uuid4())}}},
                          self.key, algorithm="ES256")

    def _review(self, body: bytes, headers: dict) -> tuple[int, Any]:
        review = json.loads(body)
        token = review["spec"]["token"]
        audiences: Optional[list[str]] = review["spec"].get("audiences") or None
        self.reviews.append(review)
        try:
            claims = jwt.decode(token, self.key.public_key(), algorithms=["ES256"], audience=audiences,
                                options={"verify_aud": audiences is not None})
        except jwt.PyJWTError as error:
            return 201, {**review, "status": {"authenticated": False, "error": str(error)}}
        account = claims["kubernetes.io"]
        return 201, {**review, "status": {
            "authenticated": True, "audiences": claims["aud"],
            "user": {"username": claims["sub"], "uid": account["serviceaccount"]["uid"],
                     "groups": ["system:serviceaccounts", f"system:serviceaccounts:{account['namespace']}"]}}}


class LdapDirectory:
    """OpenLDAP on an LDAPS loopback port: ``dc=example,dc=org`` with ``ou=people`` (each
    person's password is ``<uid>-password``), ``ou=groups`` (``groupOfNames``) and the
    account Vault searches with (:attr:`binddn`, :attr:`bind_password`), which may read
    entries but no password."""

    SUFFIX = "dc=example,dc=org"
    SCHEMAS = ("core", "cosine", "inetorgperson", "nis")

    def __init__(self, certificate: ServerCertificate, workdir: Path, groups: dict[str, tuple[str, ...]]):
        slapd = shutil.which("slapd") or "/usr/sbin/slapd"
        if not Path(slapd).exists():
            raise AssertionError("slapd is not installed (Debian package slapd): run `./tasks test`, which installs it")
        self.port = free_port()
        self.url = f"ldaps://127.0.0.1:{self.port}"
        self.binddn, self.bind_password = f"cn=vault-search,{self.SUFFIX}", "vault-search-password"
        self.userdn, self.groupdn = f"ou=people,{self.SUFFIX}", f"ou=groups,{self.SUFFIX}"
        (workdir / "data").mkdir(parents=True, exist_ok=True)
        config = workdir / "slapd.conf"
        config.write_text(self._config(certificate, workdir), encoding="utf-8")
        ldif = workdir / "directory.ldif"
        ldif.write_text(self._entries(groups), encoding="utf-8")
        subprocess.run([slapd.replace("slapd", "slapadd"), "-f", str(config), "-l", str(ldif)], check=True,
                       capture_output=True)
        self.log = (workdir / "slapd.log").open("ab")
        self.process = subprocess.Popen([slapd, "-f", str(config), "-h", f"{self.url}/", "-d", "0"],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        context = ssl.create_default_context(cafile=str(certificate.ca))
        wait_until(lambda: self._answers(context), 30, "slapd answering on LDAPS")

    def _answers(self, context: ssl.SSLContext) -> bool:
        assert self.process.poll() is None, f"slapd exited with {self.process.returncode}"
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1"):
                return True

    def _config(self, certificate: ServerCertificate, workdir: Path) -> str:
        lines = [f"include /etc/ldap/schema/{schema}.schema" for schema in self.SCHEMAS]
        lines += [
            "modulepath /usr/lib/ldap", "moduleload back_mdb",
            f"pidfile {workdir}/slapd.pid", f"argsfile {workdir}/slapd.args",
            f"TLSCACertificateFile {certificate.ca}", f"TLSCertificateFile {certificate.cert}",
            f"TLSCertificateKeyFile {certificate.key}",
            "database mdb", "maxsize 10485760", f'suffix "{self.SUFFIX}"', f"directory {workdir}/data",
            "access to attrs=userPassword by anonymous auth by * none",
            "access to * by users read by * none",
        ]
        return "\n".join(lines) + "\n"

    def _entries(self, groups: dict[str, tuple[str, ...]]) -> str:
        people = sorted({uid for members in groups.values() for uid in members})
        entries = [
            {"dn": self.SUFFIX, "objectClass": ["top", "dcObject", "organization"], "o": ["example"], "dc": ["example"]},
            {"dn": self.userdn, "objectClass": ["organizationalUnit"], "ou": ["people"]},
            {"dn": self.groupdn, "objectClass": ["organizationalUnit"], "ou": ["groups"]},
            {"dn": self.binddn, "objectClass": ["person"], "cn": ["vault-search"], "sn": ["search"],
             "userPassword": [self.bind_password]},
        ]
        for uid in people:
            entries.append({"dn": f"uid={uid},{self.userdn}", "objectClass": ["inetOrgPerson"], "uid": [uid],
                            "cn": [uid], "sn": [uid], "userPassword": [self.password(uid)]})
        for name, members in groups.items():
            entries.append({"dn": f"cn={name},{self.groupdn}", "objectClass": ["groupOfNames"], "cn": [name],
                            "member": [f"uid={uid},{self.userdn}" for uid in members]})
        return "\n".join("".join(f"{key}: {value}\n" for key, values in entry.items()
                                 for value in ([values] if isinstance(values, str) else values))
                         for entry in entries)

    @staticmethod
    def password(uid: str) -> str:
        return f"{uid}-password"

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()
