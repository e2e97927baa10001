"""The stack schema: every section typed, validated once, each problem named with its
file, key path, value and what is allowed — before any resource is registered. No Pulumi
calls here (``components/runtime_config.py`` reads Pulumi's config store).

Each section's types have their module (``cluster``, ``storage``, ``aws``, ``vault/``);
``stack`` ties them together; ``rules`` (and ``vault/rules``, ``vault/engine_rules``) look
across them; ``loading`` reads and validates a stack file.
"""

from components.config.base import PROJECT_DIR
from components.config.loading import (
    check_stack_name,
    decode_runtime_value,
    load,
    load_stack_file,
    read_stack_file,
    stack_name_of,
)
from components.config.problems import NAMESPACE, ConfigError, Problem
from components.config.secrets import SecretPlaceholder
from components.config.stack import ENVIRONMENTS, StackConfig

__all__ = [
    "ENVIRONMENTS", "NAMESPACE", "PROJECT_DIR", "ConfigError", "Problem", "SecretPlaceholder", "StackConfig",
    "check_stack_name", "decode_runtime_value", "load", "load_stack_file", "read_stack_file", "stack_name_of",
]
