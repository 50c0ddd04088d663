"""Ensembles of twin runs: one scenario over many seeds and controllers, on any executor.

Each (controller, seed) is one work item of ``twin.executor.run_all``: ``run_member`` runs the
scenario with that seed and controller into its run folder under ``OUT``
(``twin.runs.folder.RunFolder.under``), exactly as
``quantacore run --seed S --controller C --out OUT`` would, so a run's files do not depend on
the executor. A run already finished there (``summary.json`` written for the same resolved
scenario) is not run again; an interrupted one resumes from its checkpoint.

Results are appended to ``OUT/ensemble.csv`` as they arrive (one row per run, flushed) and
summarised per controller in ``OUT/ensemble.json``: the mean over seeds of each run's pooled
ε/round with a 95 % Student-t interval (the spread between seeds, drifts included), and the
pooled shots and errors of all its runs with their Wilson interval.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twin.controllers import CONTROLLERS
from twin.errors import UserError
from twin.executor import ExecutorSpec, run_all
from twin.runs.folder import RunFolder
from twin.scenario import Scenario

__all__ = [
    "CSV_COLUMNS",
    "ControllerAggregate",
    "EnsembleResult",
    "Member",
    "aggregate",
    "parse_controllers",
    "parse_seeds",
    "run_ensemble",
    "run_member",
]

CSV_COLUMNS: tuple[str, ...] = (
    "controller", "seed", "windows", "qec_windows", "lost_windows", "shots", "errors",
    "mean_ler_per_round", "ler_ci_low", "ler_ci_high", "worst_window", "worst_ler_per_round",
    "windows_above_target", "target", "run_dir",
)
"""Columns of ``ensemble.csv`` (one row per run, in the order the runs finished)."""

_SEEDS_FORM = ("must be START:STOP with 0 <= START < STOP (e.g. 0:32 = seeds 0 to 31) or a "
               "comma list of distinct integers >= 0 (e.g. 3,5,7)")
_RANGE = re.compile(r"^\s*(\d+)\s*:\s*(\d+)\s*$")
_LIST = re.compile(r"^\s*\d+\s*(,\s*\d+\s*)*$")


def parse_seeds(text: str) -> tuple[int, ...]:
    """The seeds of ``--seeds``: ``START:STOP`` (STOP excluded) or ``3,5,7``.

    Raises:
        UserError: naming the flag, the value and the allowed forms.
    """
    m = _RANGE.match(text)
    if m:
        start, stop = int(m.group(1)), int(m.group(2))
        if start < stop:
            return tuple(range(start, stop))
    elif _LIST.match(text):
        seeds = tuple(int(s) for s in text.split(","))
        if len(set(seeds)) == len(seeds):
            return seeds
    raise UserError(f"--seeds = {text!r}: {_SEEDS_FORM}")


def parse_controllers(text: str) -> tuple[str, ...]:
    """The controllers of ``--controller none,ai`` (one or more distinct names).

    Raises:
        UserError: an unknown or repeated name (naming the flag and the allowed names).
    """
    names = tuple(n.strip() for n in text.split(","))
    for n in names:
        if n not in CONTROLLERS:
            raise UserError(f"--controller = {text!r}: {n!r} is not a controller; give one or "
                            f"more of {', '.join(CONTROLLERS)}, separated by commas")
    if len(set(names)) != len(names):
        raise UserError(f"--controller = {text!r}: a controller is named twice")
    return names


@dataclass(frozen=True)
class Member:
    """One run of an ensemble (a work item).

    Attributes:
        scenario: the scenario with this member's seed and controller.
        root: the ensemble's output root; the run goes to its ``RunFolder.under(root, ...)``.
    """

    scenario: Scenario
    root: str

    @property
    def folder(self) -> RunFolder:
        """The member's run folder."""
        s = self.scenario
        return RunFolder.under(self.root, controller=s.controller.name, seed=s.seed)


def run_member(member: Member) -> dict[str, Any]:
    """Run (or resume, or reuse) one member; the function the workers run.

    Returns:
        Its ``RunSummary.to_json()`` plus ``run_dir``.

    Raises:
        UserError: the folder holds a different scenario, is being written by another
            process, is unwritable, or a drift leaves the device's range (as ``quantacore
            run`` would say).
    """
    from twin.loop import DigitalTwin

    folder = member.folder
    summary = folder.finished(member.scenario)
    if summary is None:
        # the checkpoint is written before the CSVs: a folder without one holds no run yet
        resume = folder.checkpoint.exists()
        twin = DigitalTwin(member.scenario, folder=folder, controller=None, progress=None)
        try:
            summary = twin.run(resume=resume).to_json()
        except OSError as exc:
            raise UserError(f"cannot write to {folder.path}: {exc.strerror or exc}") from None
    return {**summary, "run_dir": str(folder.path)}


@dataclass(frozen=True)
class ControllerAggregate:
    """One controller over the seeds of an ensemble.

    Attributes:
        controller: its name.
        runs: runs (seeds) summarised.
        mean_ler_per_round: mean over runs of each run's pooled ε/round.
        std_ler_per_round: their sample standard deviation (NaN for one run).
        mean_ci: 95 % Student-t interval of the mean (NaN for one run).
        shots, errors: pooled over runs.
        pooled_ler_per_round: ε/round of all shots pooled.
        pooled_ci: its 95 % Wilson interval.
    """

    controller: str
    runs: int
    mean_ler_per_round: float
    std_ler_per_round: float
    mean_ci: tuple[float, float]
    shots: int
    errors: int
    pooled_ler_per_round: float
    pooled_ci: tuple[float, float]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict (NaN as null, intervals as lists)."""
        return _json_safe(dict(self.__dict__))


def aggregate(rows: Sequence[dict[str, Any]], *, rounds: int) -> list[ControllerAggregate]:
    """Per-controller aggregates of run summaries (sorted by controller name).

    Args:
        rows: run summaries (``run_member`` results).
        rounds: QEC rounds per shot (for the pooled ε/round).
    """
    import numpy as np
    from scipy import stats

    from qec.stats import logical_rate

    out = []
    for name in sorted({r["controller"] for r in rows}):
        rs = [r for r in rows if r["controller"] == name]
        x = np.array([r["mean_ler_per_round"] for r in rs], dtype=float)
        x = x[np.isfinite(x)]
        n = len(x)
        mean = float(x.mean()) if n else math.nan
        std = float(x.std(ddof=1)) if n > 1 else math.nan
        if n > 1:
            half = float(stats.t.ppf(0.975, n - 1)) * std / math.sqrt(n)
            ci = (max(mean - half, 0.0), mean + half)  # a rate is never negative
        else:
            ci = (math.nan, math.nan)
        shots = sum(int(r["shots"]) for r in rs)
        errors = sum(int(r["errors"]) for r in rs)
        pooled = logical_rate(shots=shots, errors=errors, rounds=rounds)
        out.append(ControllerAggregate(name, len(rs), mean, std, ci, shots, errors,
                                       pooled.per_round, pooled.per_round_ci))
    return out


@dataclass(frozen=True)
class EnsembleResult:
    """What ``run_ensemble`` produced.

    Attributes:
        runs: run summaries sorted by (controller, seed), each with ``run_dir``.
        aggregates: per controller.
        csv_path, json_path: ``OUT/ensemble.csv`` and ``OUT/ensemble.json``.
    """

    runs: tuple[dict[str, Any], ...]
    aggregates: tuple[ControllerAggregate, ...]
    csv_path: Path
    json_path: Path


def _csv_value(v: Any) -> Any:
    if isinstance(v, float):
        return repr(v)
    return "" if v is None else v


def run_ensemble(scenario: Scenario, *, seeds: Sequence[int], controllers: Sequence[str],
                 out: str | Path, spec: ExecutorSpec | None = None,
                 progress: Callable[[str], None] | None = None) -> EnsembleResult:
    """Run ``scenario`` for every (controller, seed) and aggregate per controller.

    Args:
        scenario: the base scenario (its seed and, unless listed, controller are replaced;
            a listed controller equal to the scenario's keeps its parameters).
        seeds: the seeds.
        controllers: controller names.
        out: the output root (created); each run goes to its ``RunFolder.under(out, ...)``.
        spec: where to run (default: in this process).
        progress: called with one line per finished run.

    Returns:
        The runs and aggregates, also written to ``OUT/ensemble.csv`` and ``.json``.

    Raises:
        UserError: an invalid controller or seed, an unwritable folder, a folder holding a
            different scenario.
    """
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot write to {out}: {exc.strerror or exc}") from None
    members = []
    for name in controllers:
        for seed in seeds:
            changes: dict[str, Any] = {"seed": seed}
            if name != scenario.controller.name:
                changes["controller"] = name
            s = scenario.replace(**changes)
            members.append(Member(s, str(out)))
    results: dict[int, dict[str, Any]] = {}
    csv_path = out / "ensemble.csv"
    with open(csv_path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        fh.flush()

        def on_result(i: int, summary: dict[str, Any]) -> None:
            results[i] = summary
            row = {**summary, "ler_ci_low": summary["ler_ci"][0],
                   "ler_ci_high": summary["ler_ci"][1]}
            writer.writerow([_csv_value(row.get(c)) for c in CSV_COLUMNS])
            fh.flush()
            if progress is not None:
                progress(f"run {len(results)}/{len(members)} done: "
                         f"{Path(summary['run_dir']).name} ε/round="
                         f"{summary['mean_ler_per_round']:.3e}")

        run_all(spec or ExecutorSpec(), run_member, members, on_result=on_result)
    runs = tuple(sorted(results.values(), key=lambda r: (r["controller"], r["seed"])))
    aggs = tuple(aggregate(runs, rounds=scenario.rounds_per_shot))
    json_path = out / "ensemble.json"
    data = {"scenario": scenario.name, "seeds": list(seeds), "controllers": list(controllers),
            "rounds_per_shot": scenario.rounds_per_shot,
            "aggregates": [a.to_json() for a in aggs], "runs": list(runs)}
    json_path.write_text(json.dumps(_json_safe(data), indent=2) + "\n", encoding="utf-8")
    return EnsembleResult(runs, aggs, csv_path, json_path)


def _json_safe(v: Any) -> Any:
    """``v`` with NaN and infinities as None (strict JSON), tuples as lists."""
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: _json_safe(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_json_safe(x) for x in v]
    return v
