"""Reads the stack configuration from Pulumi's runtime (the real CLI or the offline planner).

The one place that touches Pulumi's config store; everything else receives the typed
:class:`components.config.StackConfig`.
"""

from __future__ import annotations

import pulumi
from pulumi.runtime import config as runtime_config

from components import config as schema
from components.config.secrets import mark_runtime_secrets


def raw_values() -> dict[str, object]:
    """Every config key of the stack with its value decoded (objects arrive as JSON);
    values of secret keys are marked so that the schema knows they came in as secrets."""
    values = dict(runtime_config.get_config_env())
    values.update(runtime_config.CONFIG.get())
    secret_keys = set(runtime_config.get_config_secret_keys_env()) | set(runtime_config._SECRET_KEYS.get())
    decoded = {}
    for key, value in values.items():
        value = schema.decode_runtime_value(value)
        decoded[key] = mark_runtime_secrets(value) if key in secret_keys else value
    return decoded


def load_stack_config() -> schema.StackConfig:
    """Validate the running stack's config; a bad config stops the program with the
    full list of problems (no traceback) before any resource is registered."""
    stack = pulumi.get_stack()
    try:
        return schema.load(raw_values(), source=f"Pulumi.{stack}.yaml", stack=stack)
    except schema.ConfigError as error:
        raise pulumi.RunError(str(error)) from None
