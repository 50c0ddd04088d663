"""Reading run folders back: one run's telemetry and figures, every run under a root.

``read_run`` reads one folder (``twin.runs.folder.RunFolder``) into numpy columns with its
summary, identity and scenario; ``find_runs`` reads every run under an output root;
``scenario_groups`` tells which scenarios the runs belong to (runs of different scenarios are
not one comparison).

Example:
    >>> import tempfile
    >>> from twin.loop import DigitalTwin
    >>> from twin.scenario import load_scenario
    >>> root = tempfile.mkdtemp()
    >>> _ = DigitalTwin(load_scenario("default").replace(windows=2, shots=100), out=root).run()
    >>> [(r.name, r.controller, r.seed, r.complete) for r in find_runs(root)]
    [('none-seed1', 'none', 1, True)]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from twin.errors import UserError
from twin.runs.folder import RunFolder
from twin.runs.telemetry import KNOB, TRUE, read_telemetry
from twin.scenario import Scenario, differences, scenario_to_dict

__all__ = ["RunData", "ScenarioGroup", "find_runs", "read_run", "scenario_groups", "scenario_key"]


@dataclass(frozen=True)
class RunData:
    """One run's telemetry, as read from its folder.

    Attributes:
        folder: the run folder.
        name: the folder's name, e.g. ``ai-seed1``.
        controller: from ``summary.json``, else ``run.json``, else the scenario's controller.
        seed: from ``summary.json``, else ``run.json``, else the scenario's seed; ``None`` if
            none of them says.
        columns: telemetry column names, in file order.
        arrays: one numpy array per column (float64 with NaN for empty cells; text columns
            ``code``, ``decoder``, ``actions`` as ``str`` object arrays).
        summary: ``summary.json`` as a dict, ``None`` if the run did not write one.
        complete: the run finished (``summary.json`` present and its window count matches).
        notes: what the reader noticed (missing summary, truncated last line, ...).
        scenario: the run's resolved scenario as data (its ``scenario.toml``), None if absent.
    """

    folder: Path
    name: str
    controller: str
    seed: int | None
    columns: tuple[str, ...]
    arrays: Mapping[str, np.ndarray] = field(compare=False, repr=False)
    summary: dict | None = field(compare=False, repr=False)
    complete: bool
    notes: tuple[str, ...] = ()
    scenario: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def run_folder(self) -> RunFolder:
        """The run's ``RunFolder``."""
        return RunFolder(self.folder)

    @property
    def n_windows(self) -> int:
        """Number of telemetry rows (windows) read."""
        return len(self.arrays["window"])

    @property
    def drift_names(self) -> tuple[str, ...]:
        """The ``true:*`` columns (hidden drifting parameters)."""
        return tuple(c for c in self.columns if c.startswith(TRUE))

    @property
    def knob_names(self) -> tuple[str, ...]:
        """The ``knob:*`` columns (control knobs)."""
        return tuple(c for c in self.columns if c.startswith(KNOB))

    @property
    def time(self) -> np.ndarray:
        """Window times (s)."""
        return self.arrays["time_s"]

    @property
    def lost(self) -> np.ndarray:
        """Boolean mask of windows lost to calibration."""
        return self.arrays["lost"] == 1

    @property
    def acted(self) -> np.ndarray:
        """Boolean mask of windows whose ``actions`` cell is not empty."""
        return np.array([bool(a.strip()) for a in self.arrays["actions"]], dtype=bool)


def read_run(folder: Path) -> RunData:
    """Read one run folder (its ``telemetry.csv`` and, if present, ``summary.json``).

    Args:
        folder: a folder holding ``telemetry.csv``.

    Returns:
        The run's telemetry as numpy columns, its summary and whether it is complete.

    Raises:
        UserError: the folder has no telemetry, or a file in it is malformed (the message names
            the file and what is wrong).
    """
    run = RunFolder(Path(folder))
    if not run.telemetry.is_file():
        raise UserError(f"{run.path}: not a run folder (no telemetry.csv)")
    telemetry = read_telemetry(run.telemetry)
    notes = list(telemetry.notes)
    summary = run.summary()
    scenario = run.scenario_data()
    identity = run.identity()
    written = scenario or {}
    controller = str((summary or {}).get("controller") or identity.get("controller")
                     or (written.get("controller") or {}).get("name") or run.path.name)
    seed_raw = (summary or {}).get("seed", identity.get("seed", written.get("seed")))
    try:
        seed = None if seed_raw is None else int(seed_raw)
    except (TypeError, ValueError):
        raise UserError(f"{run.summary_file}: seed = {seed_raw!r}: must be an "
                        "integer") from None
    complete = summary is not None
    if summary is None:
        notes.append("incomplete: no summary.json (interrupted?)")
    elif isinstance(summary.get("windows"), int) and summary["windows"] != telemetry.rows:
        complete = False
        notes.append(f"incomplete: summary.json says {summary['windows']} windows, "
                     f"telemetry.csv has {telemetry.rows}")
    return RunData(folder=run.path, name=run.path.name, controller=controller, seed=seed,
                   columns=telemetry.columns, arrays=MappingProxyType(dict(telemetry.arrays)),
                   summary=summary, complete=complete, notes=tuple(notes), scenario=scenario)


def find_runs(folder: Path) -> list[RunData]:
    """Every run under ``folder``: itself if it holds ``telemetry.csv``, else its subfolders.

    Args:
        folder: a run folder, or a folder of run folders.

    Returns:
        The runs, sorted by folder name (``seed2`` before ``seed10``); empty if there are none.

    Raises:
        UserError: ``folder`` does not exist or is not a folder, or a run in it is malformed.
    """
    folder = Path(folder)
    if not folder.exists():
        raise UserError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise UserError(f"{folder}: not a folder")
    if RunFolder(folder).telemetry.is_file():
        return [read_run(folder)]
    subs = sorted((p for p in folder.iterdir() if RunFolder(p).telemetry.is_file()),
                  key=lambda p: _natural_key(p.name))
    return [read_run(p) for p in subs]


def _natural_key(text: str) -> list[object]:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)]


_PER_RUN = ("seed", "controller")  # keys in which the runs of one comparison may differ


def scenario_key(scenario: Scenario | Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What runs of one comparison share: the resolved scenario without seed and controller.

    Args:
        scenario: a ``Scenario``, or one as data (``RunData.scenario``), or None.
    """
    if scenario is None:
        return None
    data = dict(scenario_to_dict(scenario) if isinstance(scenario, Scenario) else scenario)
    for key in _PER_RUN:
        data.pop(key, None)
    return data


@dataclass(frozen=True)
class ScenarioGroup:
    """Runs of one scenario (equal in everything but seed and controller).

    Attributes:
        name: the scenario's name (``"unknown"`` for runs without a readable scenario.toml).
        runs: the runs, in ``find_runs`` order.
        differs: for a group that shares its name with another, the first key where they
            differ (``"shots = 500"``); empty otherwise.
        key: the scenario they share (``scenario_key``); None: no readable scenario.toml.
    """

    name: str
    runs: tuple[RunData, ...]
    differs: str = ""
    key: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def label(self) -> str:
        """The name, with what sets it apart from a namesake."""
        return f"{self.name} ({self.differs})" if self.differs else self.name


def scenario_groups(runs: Sequence[RunData]) -> list[ScenarioGroup]:
    """The runs grouped by scenario (everything but seed and controller must be equal).

    Returns:
        One group per distinct scenario, in order of first appearance.
    """
    keys: list[dict[str, Any] | None] = []
    members: list[list[RunData]] = []
    for run in runs:
        key = scenario_key(run.scenario)
        for i, k in enumerate(keys):
            if k == key:
                members[i].append(run)
                break
        else:
            keys.append(key)
            members.append([run])
    out = []
    for i, (key, rs) in enumerate(zip(keys, members, strict=True)):
        name = str((rs[0].scenario or {}).get("name", "unknown"))
        differs = ""
        for j, other in enumerate(keys):
            if j != i and key is not None and other is not None and \
                    other.get("name") == key.get("name"):
                diff = differences(other, key)
                if diff:
                    differs = f"{diff[0][0]} = {diff[0][2]!r}"
                    break
        out.append(ScenarioGroup(name, tuple(rs), differs, key))
    return out
