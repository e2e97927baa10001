"""AWS calls made by the operational commands, with every failure turned into the
command's own error type and a one-line reason (never a traceback)."""

from __future__ import annotations

from typing import Callable, TypeVar

T = TypeVar("T")


def error_code(error: Exception) -> str:
    """The AWS error code of a botocore ``ClientError`` (empty for anything else)."""
    return getattr(error, "response", {}).get("Error", {}).get("Code", "")


def call(what: str, function: Callable[[], T], error_type: type[Exception], denied_hint: str = "") -> T:
    """``function()``; a botocore failure becomes ``error_type("<what> failed: <code>")``,
    with ``denied_hint`` added when AWS refused the permission."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return function()
    except ClientError as error:
        code = error_code(error) or "error"
        hint = f" ({denied_hint})" if denied_hint and code in ("AccessDenied", "AccessDeniedException", "403") else ""
        raise error_type(f"{what} failed: {code}{hint}") from None
    except BotoCoreError as error:
        raise error_type(f"{what} failed: {type(error).__name__}") from None
