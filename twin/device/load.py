"""Reading a device: a TOML file and ``--set section.key=value`` overrides → ``Device``.

Every mistake becomes a one-line ``UserError`` that names the file (or ``--set``), the dotted
key, the value and what is allowed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from physics.device import REFERENCE_DEVICE, Device, device_from_dict, with_overrides
from twin.errors import UserError
from twin.toml_file import read_toml

__all__ = ["load_device", "parse_assignments"]


def parse_assignments(items: Sequence[str], *, option: str = "--set") -> dict[str, Any]:
    """Parse ``["cavity.g=150", "laser.shape=sin2"]`` into ``{path: value}``.

    A value is read as a TOML value (numbers, booleans, quoted strings); anything else is kept
    as a bare string.

    Raises:
        UserError: on an item without ``=`` or with an empty key.
    """
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UserError(f"{option} {item!r}: expected section.key=value, "
                            "e.g. cavity.g=150")
        raw = raw.strip()
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw
        out[key] = value
    return out


def load_device(
    path: str | Path | None = None,
    *,
    overrides: Sequence[str] = (),
    base: Device = REFERENCE_DEVICE,
) -> Device:
    """Device from an optional TOML file (sections as tables) plus ``--set`` overrides.

    Args:
        path: TOML file whose tables (``[cavity]``, ``[laser]``...) override ``base``; None
            for none.
        overrides: ``section.key=value`` strings applied after the file.
        base: starting device (the reference device by default).

    Raises:
        UserError: unreadable or invalid file, unknown key, wrong type or out-of-range value.
    """
    device = base
    if path is not None:
        source = str(path)
        data = read_toml(path, kind="device")
        try:
            device = device_from_dict(data, base=device)
        except ValueError as exc:
            raise UserError(f"{source}: {exc}") from None
    if overrides:
        try:
            device = with_overrides(device, parse_assignments(overrides))
        except ValueError as exc:
            raise UserError(f"--set: {exc}") from None
    return device
