"""Reading a user's TOML file (scenario, device, sweep, grid) with one-line errors."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from twin.errors import UserError

__all__ = ["read_toml"]


def read_toml(path: str | Path, *, kind: str, source: str | None = None) -> dict[str, Any]:
    """The parsed file.

    Args:
        path: the file.
        kind: what it is, for the message (``"scenario"``, ``"device"``, ...).
        source: how messages about its content name it (default: the path).

    Raises:
        UserError: unreadable file, invalid TOML or not UTF-8 text (one line naming the file).
    """
    source = str(path) if source is None else source
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise UserError(f"cannot read {kind} file {str(path)!r}: {exc.strerror or exc}"
                        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{source}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"{source}: not UTF-8 text: {exc.reason} at byte {exc.start}") from None
