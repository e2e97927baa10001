"""Pulumi's unit-test mode, set up to record what a program would register.

:class:`PlanMocks` answers provider calls with realistic ids and outputs (no cloud is
contacted). :class:`RecordingMonitor` is the single place that reads Pulumi's mock
monitor internals: it records each registration's resource options (``protect``,
``retainOnDelete``, dependencies) and its inputs with secret values replaced by
``"[secret]"`` — what ``resources.json`` shows and what tests assert on.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks

SECRET = "[secret]"
UNKNOWN = "[unknown]"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

ACCOUNT_ID = "123456789012"
REGION = "eu-west-1"
BUCKET_SUFFIX = "20261124000000000000000001"
OFFLINE_ISSUED = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
"""When the offline plan pretends generated certificates were issued (their notAfter follows)."""
PLACEHOLDER_MARKS = (ACCOUNT_ID, "-----BEGIN ", BUCKET_SUFFIX)
"""What only an invented value holds: the mock account, a made-up PEM, a bucket's suffix."""


@dataclass
class Registration:
    """One resource as the program registered it."""

    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    protect: bool
    retain_on_delete: bool
    depends_on: list[str]
    provider: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "inputs": self.inputs,
            "protect": self.protect,
            "retainOnDelete": self.retain_on_delete,
            "dependsOn": self.depends_on,
        }


def _fake_pem(kind: str, seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).hexdigest()
    body = "\n".join(digest[i : i + 64] for i in range(0, len(digest), 64))
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n"


class PlanMocks(pulumi.runtime.Mocks):
    """Deterministic provider answers: same program, same ids and outputs.

    Ids and ARNs look like AWS's (account ``123456789012``, the region of the
    resource's explicit provider), so rendered policy documents read as they would
    in a real account.
    """

    def __init__(self) -> None:
        super().__init__()
        self._provider_regions: dict[str, str] = {}

    def _region(self, args: pulumi.runtime.MockResourceArgs) -> str:
        provider_id = (args.provider or "").rsplit("::", 1)[-1]
        return args.inputs.get("region") or self._provider_regions.get(provider_id, REGION)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        state = dict(args.inputs)
        typ = args.typ
        resource_id = f"{args.name}-id"
        # Generated material changes when its inputs change, as a re-issued one would.
        seed = f"{args.name}:{json.dumps(args.inputs, sort_keys=True, default=str)}"
        if typ == "pulumi:providers:aws":
            resource_id = f"{args.name}-provider"
            self._provider_regions[resource_id] = state.get("region", REGION)
        elif typ == "tls:index/privateKey:PrivateKey":
            state["privateKeyPem"] = _fake_pem("PRIVATE KEY", seed)
            state["publicKeyPem"] = _fake_pem("PUBLIC KEY", seed)
        elif typ in ("tls:index/selfSignedCert:SelfSignedCert", "tls:index/locallySignedCert:LocallySignedCert"):
            state["certPem"] = _fake_pem("CERTIFICATE", seed)
            hours = int(state.get("validityPeriodHours") or 0)
            state["validityEndTime"] = (OFFLINE_ISSUED + datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
        elif typ == "tls:index/certRequest:CertRequest":
            state["certRequestPem"] = _fake_pem("CERTIFICATE REQUEST", seed)
        elif typ == "vault:pkiSecret/secretBackendIntermediateCertRequest:SecretBackendIntermediateCertRequest":
            state["csr"] = _fake_pem("CERTIFICATE REQUEST", seed)
        elif typ in ("vault:pkiSecret/secretBackendRootSignIntermediate:SecretBackendRootSignIntermediate",
                     "vault:pkiSecret/secretBackendRootCert:SecretBackendRootCert"):
            state["certificate"] = _fake_pem("CERTIFICATE", seed)
            state["serialNumber"] = ":".join(hashlib.sha256(seed.encode()).hexdigest()[i:i + 2] for i in range(0, 32, 2))
        elif typ.startswith("kubernetes:"):
            metadata = dict(state.get("metadata") or {})
            metadata.setdefault("name", args.name)
            state["metadata"] = metadata
            namespace = metadata.get("namespace")
            resource_id = f"{namespace}/{metadata['name']}" if namespace else metadata["name"]
        elif typ == "aws:iam/role:Role":
            resource_id = state.get("name") or args.name
            state["arn"] = f"arn:aws:iam::{ACCOUNT_ID}:role/{resource_id}"
            state["uniqueId"] = "AROA" + hashlib.sha256(resource_id.encode()).hexdigest()[:17].upper()
        elif typ == "aws:kms/key:Key":
            resource_id = str(uuid.uuid5(uuid.NAMESPACE_URL, args.name))
            state["keyId"] = resource_id
            state["arn"] = f"arn:aws:kms:{self._region(args)}:{ACCOUNT_ID}:key/{resource_id}"
        elif typ == "aws:kms/alias:Alias":
            resource_id = state.get("name") or args.name
            state["arn"] = f"arn:aws:kms:{self._region(args)}:{ACCOUNT_ID}:{resource_id}"
        elif typ == "random:index/randomPassword:RandomPassword":
            length = int(state.get("length") or 32)
            state["result"] = (hashlib.sha256(seed.encode()).hexdigest() * 4)[:length]
        elif typ == "aws:s3/bucket:Bucket":
            resource_id = state.get("bucket") or f"{state.get('bucketPrefix', args.name)}{BUCKET_SUFFIX}"
            state["bucket"] = resource_id
            state["arn"] = f"arn:aws:s3:::{resource_id}"
        elif typ == "aws:secretsmanager/secret:Secret":
            # Secrets Manager appends six random characters to the name in the ARN.
            suffix = hashlib.sha256(seed.encode()).hexdigest()[:6]
            resource_id = f"arn:aws:secretsmanager:{self._region(args)}:{ACCOUNT_ID}:secret:{state.get('name')}-{suffix}"
            state["arn"] = resource_id
        elif typ == "aws:rds/instance:Instance":
            resource_id = args.name
            state["address"] = f"{args.name}.c9akciq32.{self._region(args)}.rds.amazonaws.com"
            state["port"] = 5432
            state["endpoint"] = f"{state['address']}:5432"
            state["arn"] = f"arn:aws:rds:{self._region(args)}:{ACCOUNT_ID}:db:{args.name}"
        elif typ.startswith("vault:") and typ.endswith("authBackend:AuthBackend"):
            resource_id = state.get("path") or args.name
            kind = state.get("type") or typ.split(":")[1].split("/")[0]
            state["accessor"] = f"auth_{kind}_{hashlib.sha256(seed.encode()).hexdigest()[:8]}"
        elif typ == "vault:identity/group:Group":
            resource_id = str(uuid.uuid5(uuid.NAMESPACE_URL, args.name))
        elif typ.startswith("aws:"):
            service = typ.split(":")[1].split("/")[0]
            kind = typ.rsplit(":", 1)[-1].lower()
            resource_id = state.get("name") or args.name
            state.setdefault("arn", f"arn:aws:{service}:{self._region(args)}:{ACCOUNT_ID}:{kind}/{resource_id}")
        return [resource_id, state]

    def call(self, args: pulumi.runtime.MockCallArgs):
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ACCOUNT_ID,
                "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/planner",
                "userId": "AIDAPLANNER",
                "id": ACCOUNT_ID,
            }
        if args.token == "aws:index/getRegion:getRegion":
            return {"name": REGION, "region": REGION, "id": REGION}
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        return {}


def placeholder_outputs(outputs: dict[str, Any]) -> list[str]:
    """Outputs whose value the offline plan invented (an account id, an ARN, a bucket or a
    certificate these mocks made up): real only after `pulumi up`."""
    return sorted(name for name, value in outputs.items()
                  if any(mark in json.dumps(value, default=str) for mark in PLACEHOLDER_MARKS))


def mask(value: Any) -> Any:
    """A secret value with its shape kept: every leaf becomes ``"[secret]"``, so that a
    Secret's ``stringData`` still shows which keys it holds, never what they hold."""
    if isinstance(value, dict):
        if value.get(_SIG_KEY) == _SECRET_SIG:
            return mask(value.get("value"))
        return {key: mask(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        return [mask(item) for item in value]
    return SECRET


def clean(value: Any) -> Any:
    """Protobuf-JSON values to plain JSON: secrets and unknowns become markers,
    whole floats become ints (protobuf stores every number as a double)."""
    if isinstance(value, dict):
        signature = value.get(_SIG_KEY)
        if signature == _SECRET_SIG:
            return mask(value.get("value"))
        if signature == _RESOURCE_SIG:
            return {"urn": value.get("urn", "")}
        return {key: clean(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        return [clean(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value == _UNKNOWN_VALUE:
        return UNKNOWN
    return value


class RecordingMonitor(mocks.MockMonitor):
    """The mock monitor, recording every registration with its options and inputs."""

    def __init__(self, mock: Optional[pulumi.runtime.Mocks] = None):
        super().__init__(mock or PlanMocks())
        self.registrations: list[Registration] = []

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.registrations.append(
                Registration(
                    urn=response.urn,
                    type=request.type,
                    name=request.name,
                    parent=request.parent,
                    custom=bool(request.custom),
                    inputs=clean(json_format.MessageToDict(request.object)),
                    protect=bool(request.protect),
                    retain_on_delete=bool(request.retainOnDelete),
                    depends_on=sorted(set(request.dependencies)),
                    provider=request.provider,
                )
            )
        return response

    def by_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def one(self, type_: str, name: Optional[str] = None) -> Registration:
        """The single registration of ``type_`` (named ``name``); raises if not exactly one."""
        found = [r for r in self.by_type(type_) if name is None or r.name == name]
        if len(found) != 1:
            raise LookupError(f"expected one {type_} {name or ''}, found {len(found)}")
        return found[0]
