"""Progress lines on stderr, shared by the commands (stdout carries data only)."""

from __future__ import annotations

import sys
from collections.abc import Callable

__all__ = ["stderr_progress"]


def stderr_progress(command: str, *, quiet: bool = False) -> Callable[[str], None] | None:
    """A callable printing ``quantacore COMMAND: message`` on stderr, or None when ``quiet``.

    Example:
        >>> stderr_progress("run", quiet=True) is None
        True
    """
    if quiet:
        return None

    def say(message: str) -> None:
        print(f"quantacore {command}: {message}", file=sys.stderr, flush=True)

    return say
