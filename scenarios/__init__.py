"""Built-in scenario files (TOML) and a tiny loader that lists them.

This package holds data only: each ``*.toml`` file beside this module is one scenario, read by
``twin`` into its frozen dataclasses.

Example:
    >>> "laser-drift" in list_scenarios() and scenario_path("steady").suffix
    '.toml'
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

__all__ = ["describe_scenarios", "list_scenarios", "scenario_path"]


def list_scenarios() -> list[str]:
    """Names of the built-in scenarios (file stems), sorted."""
    root = resources.files(__name__)
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml"))


def scenario_path(name: str) -> Path:
    """Path of the built-in scenario ``name``.

    Raises:
        KeyError: if no built-in scenario has that name.
    """
    path = Path(str(resources.files(__name__).joinpath(f"{name}.toml")))
    if not path.is_file():
        raise KeyError(name)
    return path


def describe_scenarios() -> list[tuple[str, str]]:
    """``(name, description)`` of every built-in scenario, sorted by name.

    Only the ``description`` key is read (standard library only, so ``quantacore scenarios``
    lists without importing the physics), and one broken file does not hide the others (it
    reads as ``"(unreadable: ...)"``).
    """
    out = []
    for name in list_scenarios():
        try:
            with open(scenario_path(name), "rb") as fh:
                description = str(tomllib.load(fh).get("description", ""))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            description = f"(unreadable: {exc})"
        out.append((name, description))
    return out
