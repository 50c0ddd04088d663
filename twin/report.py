"""Reports of twin runs: PNG plots and one self-contained HTML page for the runs in a folder.

A run folder ``<controller>-seed<seed>/`` holds ``telemetry.csv`` (one row per QEC window),
``summary.json`` (written when the run finishes), ``scenario.toml`` and ``timing.csv``. A run
that was interrupted has no ``summary.json`` (or a shorter telemetry than it says): the report
shows what is there and says so.

``telemetry.csv`` columns, in this order: :data:`FIXED_COLUMNS`, then one ``true:<dotted.path>``
column per drifting device parameter (its hidden true value), then one ``knob:<name>`` column per
control knob, then ``actions`` (text, empty when the controller did nothing). ``lost = 1`` marks a
window spent calibrating (``shots = 0``, empty rates). ``ler_*`` are logical errors per QEC round;
``noise_*`` the true per-operation error probabilities; ``time_s`` is in seconds.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np

from twin.errors import UserError

__all__ = [
    "ACTIONS_SHOWN",
    "FIXED_COLUMNS",
    "RunData",
    "RunStats",
    "find_runs",
    "plot_comparison",
    "plot_drift",
    "plot_fractions",
    "plot_knobs",
    "plot_ler",
    "read_run",
    "run_stats",
    "write_report",
]

FIXED_COLUMNS: tuple[str, ...] = (
    "window", "time_s", "lost", "code", "distance", "decoder", "shots", "errors",
    "ler_per_round", "ler_ci_low", "ler_ci_high", "detection_fraction", "herald_fraction",
    "noise_gate_1q", "noise_gate_2q", "noise_erasure_2q", "noise_measure", "noise_idle",
)
"""The leading columns of ``telemetry.csv``, in order."""

_TEXT_COLUMNS = frozenset({"code", "decoder", "actions"})
_TRUE, _KNOB = "true:", "knob:"
_RUN_NAME = re.compile(r"^(?P<controller>.+)-seed(?P<seed>-?\d+)$")

ACTIONS_SHOWN = 200
"""At most this many action rows per run in the HTML page."""

_PNG = {
    "drift": "report_drift.png",
    "knobs": "report_knobs.png",
    "fractions": "report_fractions.png",
    "ler": "report_ler.png",
    "compare": "report_compare.png",
}


@dataclass(frozen=True)
class RunData:
    """One run's telemetry, as read from its folder.

    Attributes:
        folder: the run folder.
        name: the folder's name, e.g. ``ai-seed1``.
        controller: from ``summary.json``, else the folder name before ``-seed<n>``.
        seed: from ``summary.json``, else the folder name's ``-seed<n>``; ``None`` if neither.
        columns: telemetry column names, in file order.
        arrays: one numpy array per column (float64 with NaN for empty cells; text columns
            ``code``, ``decoder``, ``actions`` as ``str`` object arrays).
        summary: ``summary.json`` as a dict, ``None`` if the run did not write one.
        complete: the run finished (``summary.json`` present and its window count matches).
        notes: what the reader noticed (missing summary, truncated last line, ...).
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

    @property
    def n_windows(self) -> int:
        """Number of telemetry rows (windows) read."""
        return len(self.arrays["window"])

    @property
    def drift_names(self) -> tuple[str, ...]:
        """The ``true:*`` columns (hidden drifting parameters)."""
        return tuple(c for c in self.columns if c.startswith(_TRUE))

    @property
    def knob_names(self) -> tuple[str, ...]:
        """The ``knob:*`` columns (control knobs)."""
        return tuple(c for c in self.columns if c.startswith(_KNOB))

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


@dataclass(frozen=True)
class RunStats:
    """A run's headline figures, from ``summary.json`` or, if it has none, from its telemetry.

    Attributes:
        windows: windows run.
        mean: mean logical error per round (NaN if no window was decoded).
        ci: its interval (low, high).
        worst_window: the window with the highest logical error per round (``None`` if none).
        worst: that window's logical error per round.
        above_target: windows above the target (``None`` when the target is unknown).
        lost: windows lost to calibration.
        target: the target logical error per round, ``None`` if unknown.
        from_summary: True when the figures come from ``summary.json``.
    """

    windows: int
    mean: float
    ci: tuple[float, float]
    worst_window: int | None
    worst: float
    above_target: int | None
    lost: int
    target: float | None
    from_summary: bool


# --------------------------------------------------------------------------- reading


def _natural_key(text: str) -> list[object]:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)]


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read: {exc}") from None


def _check_header(path: Path, header: Sequence[str]) -> None:
    """Raise :class:`UserError` naming ``path`` if ``header`` is not a telemetry header."""
    expected = ", ".join(FIXED_COLUMNS) + ", true:<path>..., knob:<name>..., actions"
    if len(header) < len(FIXED_COLUMNS) + 1:
        raise UserError(f"{path}: header has {len(header)} columns, expected at least "
                        f"{len(FIXED_COLUMNS) + 1}: {expected}")
    for i, (got, want) in enumerate(zip(header, FIXED_COLUMNS, strict=False), start=1):
        if got != want:
            raise UserError(f"{path}: header column {i} is {got!r}, expected {want!r} "
                            f"(columns: {expected})")
    if header[-1] != "actions":
        raise UserError(f"{path}: last header column is {header[-1]!r}, expected 'actions'")
    seen_knob = False
    for i, name in enumerate(header[len(FIXED_COLUMNS):-1], start=len(FIXED_COLUMNS) + 1):
        if name.startswith(_KNOB) and len(name) > len(_KNOB):
            seen_knob = True
        elif not name.startswith(_TRUE) or len(name) == len(_TRUE):
            raise UserError(f"{path}: header column {i} is {name!r}, expected 'true:<path>' "
                            "or 'knob:<name>' between the fixed columns and 'actions'")
        elif seen_knob:
            raise UserError(f"{path}: header column {i} {name!r} comes after a knob column; "
                            "'true:*' columns come before 'knob:*' columns")
    dup = sorted({h for h in header if list(header).count(h) > 1})
    if dup:
        raise UserError(f"{path}: duplicate header columns: {', '.join(dup)}")


def _parse_rows(path: Path, text: str) -> tuple[list[str], list[list[str]], list[str]]:
    """Header, data rows and notes of a telemetry file (a cut-off last line is dropped)."""
    if not text.strip():
        return list(FIXED_COLUMNS) + ["actions"], [], ["telemetry.csv is empty"]
    rows = list(csv.reader(io.StringIO(text)))
    header, data = rows[0], [r for r in rows[1:] if r]
    _check_header(path, header)
    notes = []
    if data and len(data[-1]) != len(header) and not text.endswith("\n"):
        data.pop()
        notes.append("the last telemetry line was cut off and is ignored")
    for lineno, row in enumerate(data, start=2):
        if len(row) != len(header):
            raise UserError(f"{path}: line {lineno} has {len(row)} fields, expected "
                            f"{len(header)} (as in the header)")
    return header, data, notes


def _column(path: Path, name: str, values: list[str], first_line: int) -> np.ndarray:
    if name in _TEXT_COLUMNS:
        return np.array(values, dtype=object)
    out = np.empty(len(values), dtype=float)
    for i, v in enumerate(values):
        try:
            out[i] = float(v) if v.strip() else math.nan
        except ValueError:
            raise UserError(f"{path}: line {first_line + i}, column {name!r}: {v!r} is not a "
                            "number") from None
    return out


def _read_summary(path: Path) -> dict | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: not valid JSON: {exc.msg} (line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a JSON object, got {type(data).__name__}")
    return data


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
    folder = Path(folder)
    path = folder / "telemetry.csv"
    if not path.is_file():
        raise UserError(f"{folder}: not a run folder (no telemetry.csv)")
    header, data, notes = _parse_rows(path, _read_text(path))
    by_col = list(zip(*data, strict=True)) if data else [() for _ in header]
    arrays = {name: _column(path, name, list(vals), 2) for name, vals in zip(header, by_col,
                                                                               strict=True)}
    summary = _read_summary(folder / "summary.json")
    m = _RUN_NAME.match(folder.name)
    controller = str((summary or {}).get("controller") or (m["controller"] if m else folder.name))
    seed_raw = (summary or {}).get("seed", m["seed"] if m else None)
    try:
        seed = None if seed_raw is None else int(seed_raw)
    except (TypeError, ValueError):
        raise UserError(f"{folder / 'summary.json'}: seed = {seed_raw!r}: must be an "
                        "integer") from None
    complete = summary is not None
    if summary is None:
        notes.append("incomplete: no summary.json (interrupted?)")
    elif isinstance(summary.get("windows"), int) and summary["windows"] != len(data):
        complete = False
        notes.append(f"incomplete: summary.json says {summary['windows']} windows, "
                     f"telemetry.csv has {len(data)}")
    return RunData(folder=folder, name=folder.name, controller=controller, seed=seed,
                   columns=tuple(header), arrays=MappingProxyType(arrays), summary=summary,
                   complete=complete, notes=tuple(notes))


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
    if (folder / "telemetry.csv").is_file():
        return [read_run(folder)]
    subs = sorted((p for p in folder.iterdir() if (p / "telemetry.csv").is_file()),
                  key=lambda p: _natural_key(p.name))
    return [read_run(p) for p in subs]


# --------------------------------------------------------------------------- figures


def _float(value: object) -> float | None:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _scenario_target(folder: Path) -> float | None:
    """The first numeric ``target`` key found in the run's ``scenario.toml``, if any."""
    path = folder / "scenario.toml"
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(_read_text(path))
    except tomllib.TOMLDecodeError:
        return None
    stack: list[object] = [data]
    while stack:
        item = stack.pop(0)
        if isinstance(item, dict):
            if _float(item.get("target")) is not None:
                return _float(item["target"])
            stack.extend(v for v in item.values() if isinstance(v, dict))
    return None


def run_stats(run: RunData, target: float | None = None) -> RunStats:
    """Headline figures of ``run``: its ``summary.json`` where it has one, else its telemetry.

    Without a summary the mean is the mean of the decoded windows' logical error per round and
    its interval the mean of their interval ends (a conservative interval for the mean).

    Args:
        run: the run.
        target: target logical error per round to use when the run names none (its summary, then
            a ``target`` key in its ``scenario.toml``).

    Returns:
        The run's figures.
    """
    s = run.summary or {}
    target = _float(s.get("target")) or _scenario_target(run.folder) or target
    ler, lo, hi = (run.arrays[k] for k in ("ler_per_round", "ler_ci_low", "ler_ci_high"))
    ok = ~run.lost & np.isfinite(ler)
    lost = int(run.lost.sum())
    ci = s.get("ler_ci")
    if run.complete and _float(s.get("mean_ler_per_round")) is not None and \
            isinstance(ci, list | tuple) and len(ci) == 2:
        worst_window = s.get("worst_window")
        above = s.get("windows_above_target")
        return RunStats(
            windows=int(s.get("windows", run.n_windows)), mean=float(s["mean_ler_per_round"]),
            ci=(float(ci[0]), float(ci[1])),
            worst_window=None if worst_window is None else int(worst_window),
            worst=_float(s.get("worst_ler_per_round")) or math.nan,
            above_target=None if above is None else int(above),
            lost=int(s.get("lost_windows", lost)), target=target, from_summary=True)
    if not ok.any():
        return RunStats(run.n_windows, math.nan, (math.nan, math.nan), None, math.nan,
                        0 if target is not None else None, lost, target, False)
    i = int(np.argmax(np.where(ok, ler, -np.inf)))
    above = int(np.sum(ler[ok] > target)) if target is not None else None
    return RunStats(
        windows=run.n_windows, mean=float(np.mean(ler[ok])),
        ci=(float(np.nanmean(lo[ok])), float(np.nanmean(hi[ok]))),
        worst_window=int(run.arrays["window"][i]), worst=float(ler[i]), above_target=above,
        lost=lost, target=target, from_summary=False)


def _color(i: int) -> str:
    return f"C{i % 10}"


def _union(runs: Sequence[RunData], prefix: str) -> list[str]:
    names: list[str] = []
    for run in runs:
        names.extend(c for c in run.columns if c.startswith(prefix) and c not in names)
    return names


def _panels(runs: Sequence[RunData], columns: Sequence[str], path: Path, *, title: str,
            steps: bool = False, titles: Sequence[str] | None = None) -> Path:
    """One panel per column, each run drawn in its colour, time on the shared x axis."""
    from twin.plots import new_figure, save_figure

    fig, axes = new_figure(len(columns), sharex=True, row_height=2.1)
    for k, (ax, col) in enumerate(zip(axes, columns, strict=True)):
        for i, run in enumerate(runs):
            if col not in run.arrays or run.n_windows == 0:
                continue
            ax.plot(run.time, run.arrays[col], color=_color(i), label=run.name, linewidth=1.2,
                    marker="." if run.n_windows <= 60 else None, markersize=4,
                    drawstyle="steps-post" if steps else "default")
        ax.set_title(titles[k] if titles else col, fontsize=9)
        ax.grid(True, alpha=0.3)
        ax.tick_params(labelsize=8)
    axes[-1].set_xlabel("time (s)")
    if len(runs) > 1:
        axes[0].legend(fontsize=7, loc="best")
    fig.suptitle(title, fontsize=11)
    return save_figure(fig, path)


def plot_drift(runs: Sequence[RunData], path: str | Path) -> Path | None:
    """Hidden drift: each ``true:*`` parameter vs time, one panel each; ``None`` if none."""
    names = _union(runs, _TRUE)
    if not names:
        return None
    return _panels(runs, names, Path(path), title="Hidden device drift (true values)",
                   titles=[n.removeprefix(_TRUE) for n in names])


def plot_knobs(runs: Sequence[RunData], path: str | Path) -> Path | None:
    """Control knobs vs time, one panel each; ``None`` if the runs have no knobs."""
    names = _union(runs, _KNOB)
    if not names:
        return None
    return _panels(runs, names, Path(path), title="Control knobs", steps=True,
                   titles=[n.removeprefix(_KNOB) for n in names])


def plot_fractions(runs: Sequence[RunData], path: str | Path) -> Path:
    """Detection fraction and herald fraction vs time (gaps at lost windows)."""
    return _panels(runs, ["detection_fraction", "herald_fraction"], Path(path),
                   title="What the controller sees",
                   titles=["detection fraction (detectors fired / detectors × shots)",
                           "herald fraction (erasure heralds fired)"])


def _spans(t: np.ndarray, mask: np.ndarray) -> list[tuple[float, float]]:
    """(start, end) times of the windows in ``mask``, each centred on its time."""
    finite = t[np.isfinite(t)]
    dt = float(np.median(np.diff(finite))) if len(finite) > 1 else 1.0
    dt = dt if dt > 0 else 1.0
    return [(float(x) - dt / 2, float(x) + dt / 2) for x in t[mask] if math.isfinite(x)]


def _draw_ler_run(ax, run: RunData, i: int, labels: set[str]) -> list[float]:
    """Draw one run on the logical-error axes; return the positive y values it drew."""
    color, t = _color(i), run.time
    ler, lo, hi = (run.arrays[k] for k in ("ler_per_round", "ler_ci_low", "ler_ci_high"))
    pos = np.isfinite(ler) & (ler > 0) & ~run.lost
    y = np.where(pos, ler, np.nan)  # NaN: the line breaks at lost and error-free windows
    yerr = [np.where(pos, np.clip(y - np.nan_to_num(lo, nan=0.0), 0, None), 0.0),
            np.where(pos, np.clip(np.nan_to_num(hi, nan=0.0) - y, 0, None), 0.0)]
    ax.errorbar(t, y, yerr=yerr, color=color, marker="o", markersize=3, linewidth=0.9,
                capsize=2, label=run.name)
    zero = np.isfinite(ler) & (ler == 0) & np.isfinite(hi) & (hi > 0) & ~run.lost
    if zero.any():
        label = "0 errors (upper bound)" if "zero" not in labels else None
        labels.add("zero")
        ax.scatter(t[zero], hi[zero], marker="v", facecolors="none", edgecolors=color, s=22,
                   label=label)
    for a, b in _spans(t, run.lost):
        label = "lost (calibrating)" if "lost" not in labels else None
        labels.add("lost")
        ax.axvspan(a, b, color=color, alpha=0.15, linewidth=0, label=label)
    acted = run.acted
    if acted.any():
        label = "actions" if "act" not in labels else None
        labels.add("act")
        ax.plot(t[acted], np.full(int(acted.sum()), 0.03 + 0.04 * (i % 10)), linestyle="none",
                marker="|", markersize=9, markeredgewidth=1.5, color=color, label=label,
                transform=ax.get_xaxis_transform())
    return [*ler[pos], *hi[zero]]


def plot_ler(runs: Sequence[RunData], path: str | Path,
             targets: Sequence[float] = ()) -> Path:
    """Logical error per round per window with its interval (log y).

    Lost windows are shaded in the run's colour, windows where the run acted are ticked at the
    bottom (one row of ticks per run), windows with no logical error show their upper bound.

    Args:
        runs: the runs, overlaid.
        path: output PNG.
        targets: target logical errors per round, drawn dashed.

    Returns:
        The written path.
    """
    from twin.plots import new_figure, save_figure

    fig, (ax,) = new_figure(1, width=8.0, row_height=4.2)
    labels: set[str] = set()
    ys: list[float] = []
    for i, run in enumerate(runs):
        ys += _draw_ler_run(ax, run, i, labels)
    for target in sorted(set(targets)):
        ax.axhline(target, color="grey", linestyle="--", linewidth=1, label=f"target {target:g}")
        ys.append(target)
    ax.set_yscale("log")
    if not ys:
        ax.set_ylim(1e-6, 1.0)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("logical error per round")
    ax.set_title("Logical error per round per window (95 % interval)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return save_figure(fig, path)


def plot_comparison(runs: Sequence[RunData], stats: Sequence[RunStats],
                    path: str | Path) -> Path:
    """Controller comparison: mean logical error per round with its interval, lost windows.

    Args:
        runs: the runs.
        stats: their figures (:func:`run_stats`), in the same order.
        path: output PNG.

    Returns:
        The written path.
    """
    from twin.plots import new_figure, save_figure

    fig, (ax, bx) = new_figure(1, 2, width=10.0, row_height=3.8)
    x = np.arange(len(runs))
    names = [r.name + ("" if r.complete else " (incomplete)") for r in runs]
    ys = []
    for i, st in enumerate(stats):
        lo, hi = st.ci
        if st.mean > 0:
            ax.errorbar([i], [st.mean], yerr=[[max(st.mean - lo, 0)], [max(hi - st.mean, 0)]],
                        marker="o" if runs[i].complete else "s", capsize=4, color=_color(i),
                        markerfacecolor=_color(i) if runs[i].complete else "none")
            ys.append(st.mean)
        elif hi > 0:
            ax.scatter([i], [hi], marker="v", facecolors="none", edgecolors=_color(i))
            ys.append(hi)
    for target in sorted({s.target for s in stats if s.target is not None}):
        ax.axhline(target, color="grey", linestyle="--", linewidth=1, label=f"target {target:g}")
        ax.legend(fontsize=7)
    ax.set_yscale("log")
    if not ys:
        ax.set_ylim(1e-6, 1.0)
    ax.set_title("Mean logical error per round (interval)", fontsize=10)
    bx.bar(x - 0.2, [s.lost for s in stats], width=0.4, color="0.55", label="lost windows")
    bx.bar(x + 0.2, [s.above_target or 0 for s in stats], width=0.4, color="C3",
           label="windows above target")
    bx.set_title("Lost windows and windows above target", fontsize=10)
    bx.legend(fontsize=7)
    for a in (ax, bx):
        a.set_xlim(-0.6, len(runs) - 0.4)
        a.set_xticks(x, names, rotation=30, ha="right", fontsize=8)
        a.grid(True, axis="y", which="both", alpha=0.3)
    return save_figure(fig, path)


# --------------------------------------------------------------------------- HTML


def _fmt(x: float | None, spec: str = ".3g") -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def _wall_time(run: RunData) -> float | None:
    """Total wall time from the run's ``timing.csv`` (s), ``None`` if absent or unreadable."""
    path = run.folder / "timing.csv"
    if not path.is_file():
        return None
    try:
        rows = list(csv.DictReader(io.StringIO(_read_text(path))))
        return sum(float(r["wall_s"]) for r in rows if r.get("wall_s"))
    except (KeyError, ValueError, TypeError):
        return None


def _summary_rows(runs: Sequence[RunData], stats: Sequence[RunStats]) -> list[list[object]]:
    rows = []
    for run, st in zip(runs, stats, strict=True):
        worst = "-" if st.worst_window is None else f"{st.worst_window} ({_fmt(st.worst)})"
        rows.append([
            run.name, run.controller, "-" if run.seed is None else run.seed, st.windows,
            f"{_fmt(st.mean)} [{_fmt(st.ci[0], '.2g')}, {_fmt(st.ci[1], '.2g')}]", worst,
            _fmt(st.above_target, "d"), st.lost, _fmt(st.target, "g"),
            _fmt(_wall_time(run), ".1f"), "yes" if run.complete else "no",
        ])
    return rows


def _notes_html(folder: Path, runs: Sequence[RunData], stats: Sequence[RunStats]) -> str:
    import html as _html

    from twin.html import html_link

    items = []
    for run, st in zip(runs, stats, strict=True):
        files = [html_link(_rel(folder, run.folder / f), f) for f in
                 ("telemetry.csv", "summary.json", "scenario.toml", "timing.csv")
                 if (run.folder / f).is_file()]
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
    from twin.html import html_table

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


def write_report(folder: str | Path) -> Path:
    """Write PNG plots and ``report.html`` for the runs in ``folder``.

    Args:
        folder: a run folder, or a folder of run folders (``<controller>-seed<seed>/``).

    Returns:
        The path of the HTML page (``folder/report.html``).

    Raises:
        UserError: no such folder, no runs in it, or a malformed run file.
    """
    from twin.html import html_image, html_page, html_table

    folder = Path(folder)
    runs = find_runs(folder)
    if not runs:
        raise UserError(f"{folder}: no runs found (a run folder holds telemetry.csv)")
    known = {s for r in runs if (s := _float((r.summary or {}).get("target"))) is not None}
    fallback = known.pop() if len(known) == 1 else None
    stats = [run_stats(r, fallback) for r in runs]
    images = _write_plots(folder, runs, stats)
    header = ["run", "controller", "seed", "windows", "mean ε/round [CI]", "worst window (ε)",
              "windows > target", "lost windows", "target", "wall s", "complete"]
    sections = [("Runs", html_table(header, _summary_rows(runs, stats))
                 + _notes_html(folder, runs, stats))]
    sections += [(_CAPTIONS[k][0], f"<p>{_CAPTIONS[k][1]}</p>{html_image(p)}")
                 for k, p in images.items()]
    sections += [(f"Actions — {r.name}", _actions_section(r)) for r in runs]
    title = f"QuantaCore Twin report — {folder.resolve().name}"
    out = folder / "report.html"
    out.write_text(html_page(title, sections), encoding="utf-8")
    return out
