"""Output files named on the command line, checked before any work starts.

A sweep that runs for minutes and then fails on its output path (a folder where a file is
expected, a missing or read-only folder) wastes the work and leaves stray files; these checks
refuse such a path up front, as one ``UserError`` line naming the option and the value.
"""

from __future__ import annotations

import os
from pathlib import Path

from twin.errors import UserError

__all__ = ["output_file"]


def output_file(flag: str, value: str, *, suffix: str | None = None) -> Path:
    """The file ``value`` given to ``flag``, checked to be writable; nothing is created.

    Args:
        flag: the option, e.g. ``"--out"`` (named in the error).
        value: the path as given.
        suffix: for a figure, the suffix matplotlib appends to a name without one
            (``".png"``): the returned path is then the file really written.

    Raises:
        UserError: ``value`` is a folder, its folder does not exist or cannot be written, or
            it is an existing file that cannot be written.
    """
    path = Path(value)
    if suffix and not path.suffix and not path.is_dir():
        path = path.with_name(path.name + suffix)
    shown = f"{flag} {value!r}"
    if path.is_dir():
        example = path / f"out{suffix or ''}"
        raise UserError(f"{shown}: is a folder; give a file name, e.g. {str(example)!r}")
    folder = path.resolve().parent
    if not folder.is_dir():
        raise UserError(f"{shown}: folder {str(path.parent)!r} does not exist (a file in an "
                        "existing, writable folder)")
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists()
                                                    and not os.access(path, os.W_OK)):
        raise UserError(f"{shown}: cannot be written (permission denied); give a file in a "
                        "writable folder")
    return path
