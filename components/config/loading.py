"""Loading a stack's configuration: the stack file read, every value typed and checked,
*every* problem reported at once.

Every value a stack may set lives under the project's config namespace
(``vault-platform:<key>``) in ``Pulumi.<stack>.yaml``. :func:`load` turns the raw
key/value map into a frozen :class:`~components.config.stack.StackConfig` or raises
:class:`~components.config.problems.ConfigError` listing every problem; each names the
stack file, the key path, the bad value and what is allowed.

No Pulumi calls here: the program hands over the values Pulumi's runtime holds, the
offline planner the values read from the stack file. Both go through the same :func:`load`.
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from pathlib import Path
from typing import Any, Mapping, Optional

from pydantic import BaseModel, ValidationError

from components.config.base import AWS_REGION, DNS_LABEL, DNS_SUBDOMAIN, DURATION, MOUNT, NAME, QUANTITY, model_in, rules_apply
from components.config.inputs import locations
from components.config.inputs import files
from components.config.problems import NAMESPACE, ConfigError, Problem
from components.config.secrets import SecretPlaceholder
from components.config.rules import stack_problems, vault_problems
from components.config.stack import StackConfig
from components.config.base import TTL_PATTERN

STACK_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"
"""Pulumi's stack-name characters (letters, digits, ``-``, ``_``, ``.``, at most 100), starting
with a letter or digit: a stack name becomes part of file names (``build/<stack>/``), resource
names and IAM role names, so ``..`` or a shell metacharacter must never get that far."""


def check_stack_name(stack: str, source: str) -> None:
    """Raise :class:`ConfigError` unless ``stack`` is a safe Pulumi stack name."""
    if not re.fullmatch(STACK_NAME, stack):
        raise ConfigError(source, [Problem("", f"the stack name {stack!r} is not allowed: a stack name is 1 to 100 "
                                               "letters, digits, -, _ or . and starts with a letter or digit",
                                           has_value=False)])


def read_stack_file(path: Path) -> dict[str, Any]:
    """Read a ``Pulumi.<stack>.yaml`` file into the raw ``{key: value}`` config map.

    Values under ``secure:`` stay encrypted and become :class:`SecretPlaceholder`.
    Raises :class:`ConfigError` when the file is missing, unreadable or hostile (see
    :mod:`components.config.inputs.files`: size, file type, encoding, duplicate keys,
    aliases), or not a stack file.
    """
    source = str(path)
    try:
        text = files.read_text(path, files.STACK_FILE_LIMIT, shown=source)
        document = files.parse_yaml(text, source)
    except files.InputFileError as error:
        message = "stack file not found" if error.problem == files.NOT_FOUND else f"the stack file {error.problem}"
        raise ConfigError(source, [Problem("", message, has_value=False)]) from None
    if document is None:
        document = {}
    if not isinstance(document, dict) or not isinstance(document.get("config", {}), dict):
        raise ConfigError(
            source,
            [Problem("", "a stack file is a mapping with a `config:` mapping", has_value=False)],
        )
    return StackDocument({str(k): _unwrap_secure(v) for k, v in (document.get("config") or {}).items()},
                         locations.stack_file_lines(text))


class StackDocument(dict):
    """A stack file's raw config map, knowing the line of each key and list entry
    (:mod:`components.config.inputs.locations`), so problems can name their line."""

    def __init__(self, values: Mapping[str, Any], lines: dict):
        super().__init__(values)
        self.lines = lines


def _unwrap_secure(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"} and isinstance(value["secure"], str):
            return SecretPlaceholder(value["secure"])
        return {k: _unwrap_secure(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap_secure(v) for v in value]
    return value


def decode_runtime_value(text: str) -> Any:
    """Pulumi's runtime hands every config value over as text; objects come JSON-encoded."""
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def load(
    raw: Mapping[str, Any], source: str, stack: Optional[str] = None, policy_dir: Optional[Path] = None
) -> StackConfig:
    """Validate the raw config map of one stack and return the typed configuration.

    ``raw`` maps full keys (``vault-platform:cluster``) to values; keys of other
    namespaces (``aws:region``, ``kubernetes:context``) are left to their providers.
    ``source`` names the stack file in messages. ``stack`` must be a safe stack name
    (:data:`STACK_NAME`); when it is one of the environment names, ``environment`` must match it.
    """
    if stack is not None:
        check_stack_name(stack, source)
    ours: dict[str, Any] = {}
    for key, value in raw.items():
        namespace, _, name = key.partition(":")
        if namespace == NAMESPACE:
            ours[name] = value

    problems = _unknown_keys(StackConfig, ours, "")
    known = _strip_unknown(StackConfig, ours)
    config: Optional[StackConfig] = None
    try:
        config = StackConfig.model_validate(known)
    except ValidationError as exc:
        errors = exc.errors()
        problems += [_from_pydantic(error, known) for error in errors]
        # Check the cross-field rules too, with the bad values left at their defaults,
        # so that one run reports every problem.
        try:
            config = StackConfig.model_validate(_without(known, [error["loc"] for error in errors]))
        except ValidationError:
            config = None
    if config is not None:
        failed = {problem.path for problem in problems}
        problems += [
            problem
            for problem in stack_problems(config, ours, stack, failed)
            if problem.path not in failed
        ]
        if rules_apply(failed, "vault"):
            problems += vault_problems(config, stack or "", policy_dir)
    if problems:
        raise ConfigError(source, locations.locate(problems, ours, getattr(raw, "lines", None)))
    assert config is not None
    return config


def load_stack_file(path: Path, stack: Optional[str] = None, policy_dir: Optional[Path] = None) -> StackConfig:
    """Read and validate a stack file; the stack name defaults to the file's, the policies
    are the project's ``policies/`` unless ``policy_dir`` names another folder."""
    if stack is None:
        stack = stack_name_of(path)
    check_stack_name(stack, str(path))
    return load(read_stack_file(path), str(path), stack, policy_dir)


def stack_name_of(path: Path) -> str:
    match = re.fullmatch(r"Pulumi\.(.+)\.yaml", path.name)
    return match.group(1) if match else path.stem



def _unknown_keys(model: type[BaseModel], data: Any, prefix: str) -> list[Problem]:
    if not isinstance(data, dict):
        return []
    problems = []
    fields = model.model_fields
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if key not in fields:
            hint = difflib.get_close_matches(str(key), list(fields), n=1, cutoff=0.6)
            did_you_mean = f"did you mean `{hint[0]}`? " if hint else ""
            problems.append(
                Problem(
                    path,
                    f"unknown key; {did_you_mean}allowed keys: {', '.join(sorted(fields))}",
                    has_value=False,
                )
            )
            continue
        inner = model_in(fields[key].annotation)
        if inner is None:
            continue
        if isinstance(value, dict):
            problems += _unknown_keys(inner, value, path)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                problems += _unknown_keys(inner, item, f"{path}[{index}]")
    return problems


def _strip_unknown(model: type[BaseModel], data: Any) -> Any:
    """Drop unknown keys (already reported) so the typed pass reports only real type errors."""
    if not isinstance(data, dict):
        return data
    kept = {}
    for key, value in data.items():
        if key not in model.model_fields:
            continue
        inner = model_in(model.model_fields[key].annotation)
        if inner is not None and isinstance(value, dict):
            value = _strip_unknown(inner, value)
        elif inner is not None and isinstance(value, list):
            value = [_strip_unknown(inner, item) for item in value]
        kept[key] = value
    return kept


def _without(data: dict[str, Any], locations: list[tuple]) -> dict[str, Any]:
    """A copy of ``data`` without the values at ``locations`` (a list loses the whole list)."""
    data = copy.deepcopy(data)
    for location in locations:
        node: Any = data
        parts = [part for part in location]
        cut = next((i for i, part in enumerate(parts) if isinstance(part, int)), len(parts))
        parts = parts[: max(cut, 1)]
        for part in parts[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(parts[-1], None)
    return data


PATTERN_WORDS = {
    TTL_PATTERN: "not a duration: a whole number of seconds (`3600`), or numbers each followed by a unit "
                 "s, m, h or d, largest first (`90s`, `15m`, `1h30m`, `30d`)",
    DURATION: "not a duration: numbers each followed by a unit ns, us, ms, s, m or h, largest first "
              "(`500ms`, `10s`, `1h30m`; no days: write `720h` for 30 days)",
    QUANTITY: "not a Kubernetes quantity: a number with an optional suffix (`500m`, `2`, `512Mi`, `10Gi`)",
    NAME: "not a name: letters, digits, `_`, `.` and `-`, starting with a letter or digit",
    MOUNT: "not a mount path: names (letters, digits, `_`, `.`, `-`) separated by `/`, without a leading "
           "or trailing `/` (`kubernetes`, `jwt-github`, `team-a/kv`)",
    DNS_LABEL: "not a DNS label: lowercase letters, digits and `-`, starting and ending with a letter or digit",
    DNS_SUBDOMAIN: "not a DNS name: lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit",
    AWS_REGION: "not an AWS region (`eu-west-1`, `us-east-2`)",
}
"""Patterns explained in words (with examples) instead of as a regular expression."""


def _from_pydantic(error: Mapping[str, Any], data: Any) -> Problem:
    path = ""
    for part in error["loc"]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    if error["type"] == "missing":
        return Problem(path, "required key is missing", has_value=False)
    value = error.get("input")
    if isinstance(value, SecretPlaceholder):
        return Problem(path, "this key cannot be a secret (`secure:`) value", has_value=False)
    message = error["msg"].removeprefix("Value error, ")
    if "must be a Pulumi secret" in message:  # never echo a value that should have been secret
        return Problem(path, message, has_value=False)
    context = error.get("ctx") or {}
    if error["type"] in ("model_type", "dict_type", "model_attributes_type"):
        message = "must be a mapping of keys (see the configuration reference)"
    if error["type"] == "string_pattern_mismatch":
        pattern = context.get("pattern")
        message = PATTERN_WORDS.get(pattern) or f"does not match the allowed form {pattern}"
    if error["type"] == "literal_error":
        allowed = re.findall(r"'([^']*)'", str(context.get("expected", "")))
        hint = difflib.get_close_matches(str(value), allowed, n=1, cutoff=0.5) if isinstance(value, str) else []
        if hint:
            message = f"{message}; did you mean '{hint[0]}'?"
    return Problem(path, message[0].lower() + message[1:], value)

