"""The one exception type for user mistakes, printed as one line with exit code 2."""

from __future__ import annotations

__all__ = ["UserError"]


class UserError(ValueError):
    """A mistake in the user's input (file, key, value); the CLI prints it without a traceback.

    The message names what was wrong and what is allowed, e.g.
    ``device.toml: cavity.kappa = -1.0: must be > 0 (rad/µs)``.
    """
