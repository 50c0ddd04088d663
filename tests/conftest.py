"""Shared fixtures: the tiny drifting scenario and the small device the twin tests run on.

``tiny_scenario_file(windows=..., controller=..., shots=..., **changes)`` writes the scenario
below (a d = 3 surface code whose Raman detuning drifts as an OU process, seed 7) with
replacements and returns its path; ``tiny_scenario`` is it loaded. ``device_file`` writes a
device file overriding two parameters of the reference device. ``three_level`` is the
idealised Λ atom of ``devices/three-level.toml``, for the checks written before the reference
got the far-detuned ⁸⁷Rb gate.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

THREE_LEVEL_FILE = Path(__file__).resolve().parents[1] / "devices" / "three-level.toml"


@dataclass(frozen=True)
class ThreeLevel:
    """The Λ-atom device file, as a device and as scenario parts.

    Attributes:
        sections: the file's tables.
        device: the reference device with them.
        overrides: the tables without the control knobs (a scenario's ``device_overrides``).
        knobs: the knobs the file sets (a scenario's ``knobs``).
    """

    sections: dict[str, Any]
    device: Any
    overrides: dict[str, Any]
    knobs: dict[str, float]


@pytest.fixture(scope="session")
def three_level() -> ThreeLevel:
    """``devices/three-level.toml``: the idealised Λ atom (STIRAP gate, no hyperfine levels)."""
    from physics.device import device_from_dict
    from twin.device.knobs import KNOB_BY_NAME

    with open(THREE_LEVEL_FILE, "rb") as fh:
        sections = tomllib.load(fh)
    overrides = {s: {k: v for k, v in t.items() if f"{s}.{k}" not in KNOB_BY_NAME}
                 for s, t in sections.items()}
    knobs = {f"{s}.{k}": v for s, t in sections.items() for k, v in t.items()
             if f"{s}.{k}" in KNOB_BY_NAME}
    return ThreeLevel(sections, device_from_dict(sections), overrides, knobs)

TINY_SCENARIO = """\
name = "{name}"
description = "a tiny drifting run for tests"
seed = {seed}
windows = {windows}
shots = {shots}
distance = 3
decoder = "{decoder}"
window_seconds = 10.0
[controller]
name = "{controller}"
[[drift]]
parameter = "laser.detuning_2ph"
process = "ou"
tau = 40.0
sigma = {sigma}
grid_step = 0.02
"""
"""The tiny scenario's file, with ``str.format`` fields (see ``tiny_scenario_file``)."""

TINY_DEFAULTS = {"name": "tiny", "seed": 7, "windows": 6, "shots": 1500, "decoder": "mwpm",
                 "controller": "none", "sigma": 0.06}

DEVICE = """\
[cavity]
g = 150.0       # rad/µs
[link]
length_km = 0.5
"""


@pytest.fixture
def tiny_scenario_file(tmp_path: Path):
    """A function writing the tiny scenario (fields of ``TINY_DEFAULTS`` replaceable)."""

    def write(file: str = "tiny.toml", **changes) -> Path:
        unknown = set(changes) - set(TINY_DEFAULTS)
        assert not unknown, f"tiny scenario has no field {sorted(unknown)}"
        path = tmp_path / file
        path.write_text(TINY_SCENARIO.format(**{**TINY_DEFAULTS, **changes}), encoding="utf-8")
        return path

    return write


@pytest.fixture
def tiny_scenario(tiny_scenario_file):
    """The tiny scenario, loaded (6 windows of 1500 shots, controller ``none``)."""
    from twin.scenario import load_scenario

    return load_scenario(str(tiny_scenario_file()))


@pytest.fixture
def device_file(tmp_path: Path) -> Path:
    """A device file: the reference device with a stronger coupling and a longer link."""
    path = tmp_path / "device.toml"
    path.write_text(DEVICE, encoding="utf-8")
    return path
