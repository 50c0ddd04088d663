"""The report of twin runs: PNG plots and one self-contained HTML page for a folder of runs.

A run folder (``twin.runs.folder``) holds ``telemetry.csv``, ``scenario.toml``, ``run.json``,
``timing.csv`` and, once the run has finished, ``summary.json``. A run that was interrupted has
no ``summary.json`` (or a shorter telemetry than it says): the report shows what is there and
says so. An output root holding runs of different scenarios is not drawn as one comparison:
``write_report`` names the scenarios and reports one of them (``scenario=``).
"""

from __future__ import annotations

import html as _html
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from twin.errors import UserError
from twin.reports.html import html_image, html_link, html_page, html_table
from twin.reports.run_plots import (
    plot_comparison,
    plot_drift,
    plot_fractions,
    plot_knobs,
    plot_ler,
)
from twin.runs.read import RunData, ScenarioGroup, find_runs, scenario_groups, scenario_key
from twin.runs.summary import RunStats, run_stats
from twin.runs.telemetry import total_wall_seconds
from twin.scenario import Scenario
from twin.validation import finite_or_none

__all__ = ["ACTIONS_SHOWN", "select_runs", "write_report"]

ACTIONS_SHOWN = 200
"""At most this many action rows per run in the HTML page."""

_PNG = {
    "drift": "report_drift.png",
    "knobs": "report_knobs.png",
    "fractions": "report_fractions.png",
    "ler": "report_ler.png",
    "compare": "report_compare.png",
}


def _fmt(x: float | None, spec: str = ".3g") -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def _summary_rows(runs: Sequence[RunData], stats: Sequence[RunStats]) -> list[list[object]]:
    rows = []
    for run, st in zip(runs, stats, strict=True):
        worst = "-" if st.worst_window is None else f"{st.worst_window} ({_fmt(st.worst)})"
        rows.append([
            run.name, run.controller, "-" if run.seed is None else run.seed, st.windows,
            f"{_fmt(st.mean)} [{_fmt(st.ci[0], '.2g')}, {_fmt(st.ci[1], '.2g')}]", worst,
            _fmt(st.above_target, "d"), st.lost, _fmt(st.target, "g"),
            _fmt(total_wall_seconds(run.run_folder.timing), ".1f"), "yes" if run.complete else "no",
        ])
    return rows


def _notes_html(folder: Path, runs: Sequence[RunData], stats: Sequence[RunStats]) -> str:
    items = []
    for run, st in zip(runs, stats, strict=True):
        files = [html_link(_rel(folder, f), f.name) for f in run.run_folder.listed_files]
        notes = list(run.notes)
        if not st.from_summary:
            notes.append("figures computed from the telemetry read so far")
        text = f" — {_html.escape('; '.join(notes))}" if notes else ""
        items.append(f"<li><b>{_html.escape(run.name)}</b>: {', '.join(files)}{text}</li>")
    return f"<ul>{''.join(items)}</ul>"


def _rel(base: Path, path: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _actions_section(run: RunData) -> str:
    idx = np.flatnonzero(run.acted)
    if len(idx) == 0:
        return "<p>No actions.</p>"
    shown = idx[:ACTIONS_SHOWN]
    rows = [[int(run.arrays["window"][k]), _fmt(float(run.time[k]), ".6g"),
             "lost" if run.lost[k] else "", run.arrays["actions"][k]] for k in shown]
    more = len(idx) - len(shown)
    tail = f"<p>… and {more} more windows with actions (see telemetry.csv).</p>" if more else ""
    return (f"<p>{len(idx)} of {run.n_windows} windows with actions.</p>"
            + html_table(["window", "time (s)", "lost", "actions"], rows) + tail)


_CAPTIONS: dict[str, tuple[str, str]] = {
    "drift": ("Hidden drift", "The device parameters' true values (the controller never sees "
              "them)."),
    "knobs": ("Control knobs", "The knobs in force in each window."),
    "fractions": ("Detection and herald fractions", "What the controller sees, per window "
                  "(gaps: lost windows)."),
    "ler": ("Logical error per round", "Per window, with its 95 % interval; shaded: windows "
            "lost to calibration; ticks at the bottom: windows where the run acted (one row "
            "per run); hollow triangles: windows with no logical error (upper bound)."),
    "compare": ("Controller comparison", "Mean logical error per round with its interval "
                "(hollow squares: incomplete runs), lost windows and windows above the target."),
}


def _write_plots(folder: Path, runs: Sequence[RunData],
                 stats: Sequence[RunStats]) -> dict[str, Path]:
    """Write the report's PNGs into ``folder``; stale report PNGs from earlier reports go."""
    targets = [s.target for s in stats if s.target is not None]
    made: dict[str, Path | None] = {
        "drift": plot_drift(runs, folder / _PNG["drift"]),
        "knobs": plot_knobs(runs, folder / _PNG["knobs"]),
        "fractions": plot_fractions(runs, folder / _PNG["fractions"]),
        "ler": plot_ler(runs, folder / _PNG["ler"], targets),
        "compare": (plot_comparison(runs, stats, folder / _PNG["compare"])
                    if len(runs) > 1 else None),
    }
    for key, path in made.items():
        if path is None and (folder / _PNG[key]).is_file():
            (folder / _PNG[key]).unlink()
    return {k: p for k, p in made.items() if p is not None}


def select_runs(folder: str | Path, *, scenario: Scenario | str | None = None
                ) -> tuple[ScenarioGroup, list[ScenarioGroup]]:
    """The runs under ``folder`` to report together: those of one scenario.

    Args:
        folder: a run folder, or an output root of run folders.
        scenario: which scenario's runs, when the folder holds several: a ``Scenario`` (its
            runs: equal in everything but seed and controller) or a scenario name.

    Returns:
        ``(chosen group, the other groups)``.

    Raises:
        UserError: no runs; runs of several scenarios and no (or no matching) ``scenario``,
            naming the scenarios the folder holds.
    """
    folder = Path(folder)
    runs = find_runs(folder)
    if not runs:
        raise UserError(f"{folder}: no runs found (a run folder holds telemetry.csv)")
    groups = scenario_groups(runs)
    if isinstance(scenario, Scenario):
        key = scenario_key(scenario)
        picked = [g for g in groups if g.key == key]
    elif isinstance(scenario, str):
        picked = [g for g in groups if g.name == scenario]
    else:
        picked = groups if len(groups) == 1 else []
    if len(picked) != 1:
        held = "; ".join(f"{g.label}: {', '.join(r.name for r in g.runs)}" for g in groups)
        if scenario is None:
            why = f"holds runs of {len(groups)} different scenarios"
        elif len(picked) > 1:
            why = f"holds {len(picked)} different scenarios named {scenario!r}"
        else:
            name = scenario.name if isinstance(scenario, Scenario) else scenario
            why = f"holds no run of scenario {name!r}"
        raise UserError(f"{folder} {why} ({held}); report one scenario (quantacore report "
                        f"{folder} --scenario NAME) or one run folder")
    return picked[0], [g for g in groups if g is not picked[0]]


def write_report(folder: str | Path, *, scenario: Scenario | str | None = None) -> Path:
    """Write PNG plots and ``report.html`` for the runs of one scenario in ``folder``.

    Args:
        folder: a run folder, or an output root of run folders.
        scenario: which scenario's runs when the root holds several (see ``select_runs``).

    Returns:
        The path of the HTML page (``folder/report.html``).

    Raises:
        UserError: no such folder, no runs in it, runs of several scenarios without a choice,
            or a malformed run file.
    """
    folder = Path(folder)
    group, others = select_runs(folder, scenario=scenario)
    runs = list(group.runs)
    known = {s for r in runs if (s := finite_or_none((r.summary or {}).get("target"))) is not None}
    fallback = known.pop() if len(known) == 1 else None
    stats = [run_stats(r, fallback) for r in runs]
    images = _write_plots(folder, runs, stats)
    header = ["run", "controller", "seed", "windows", "mean ε/round [CI]", "worst window (ε)",
              "windows > target", "lost windows", "target", "wall s", "complete"]
    held = f"<p>Runs of scenario <b>{_html.escape(group.label)}</b> (each run's resolved " \
           "scenario is its scenario.toml; the runs differ only in seed and controller)."
    if others:
        held += " Not drawn here: " + "; ".join(
            f"{_html.escape(g.label)} ({', '.join(_html.escape(r.name) for r in g.runs)})"
            for g in others) + "."
    sections = [("Runs", held + "</p>" + html_table(header, _summary_rows(runs, stats))
                 + _notes_html(folder, runs, stats))]
    sections += [(_CAPTIONS[k][0], f"<p>{_CAPTIONS[k][1]}</p>{html_image(p)}")
                 for k, p in images.items()]
    sections += [(f"Actions — {r.name}", _actions_section(r)) for r in runs]
    title = f"QuantaCore Twin report — {folder.resolve().name}"
    out = folder / "report.html"
    out.write_text(html_page(title, sections), encoding="utf-8")
    return out
