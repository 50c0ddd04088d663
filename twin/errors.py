"""The one exception type for user mistakes, printed as one line with exit code 2."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["UserError", "user_errors"]

T = TypeVar("T")


class UserError(ValueError):
    """A mistake in the user's input (file, key, value); the CLI prints it without a traceback.

    The message names what was wrong and what is allowed, e.g.
    ``device.toml: cavity.kappa = -1.0: must be > 0 (rad/µs)``.
    """


def user_errors(source: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)``, its ``ValueError`` re-raised as ``UserError`` naming ``source``.

    Example:
        >>> user_errors("run.toml", int, "x")
        Traceback (most recent call last):
        ...
        twin.errors.UserError: run.toml: invalid literal for int() with base 10: 'x'
    """
    try:
        return fn(*args, **kwargs)
    except UserError:
        raise
    except ValueError as exc:
        raise UserError(f"{source}: {exc}") from None
