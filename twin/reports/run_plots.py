"""The plots of a run report: drift, knobs, fractions, logical error, comparison.

Each takes runs read by ``twin.runs.read`` and writes one PNG (``twin.reports.plots``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from twin.reports.plots import new_figure, save_figure
from twin.runs.read import RunData
from twin.runs.summary import RunStats
from twin.runs.telemetry import KNOB, TRUE

__all__ = ["plot_comparison", "plot_drift", "plot_fractions", "plot_knobs", "plot_ler"]


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
    names = _union(runs, TRUE)
    if not names:
        return None
    return _panels(runs, names, Path(path), title="Hidden device drift (true values)",
                   titles=[n.removeprefix(TRUE) for n in names])


def plot_knobs(runs: Sequence[RunData], path: str | Path) -> Path | None:
    """Control knobs vs time, one panel each; ``None`` if the runs have no knobs."""
    names = _union(runs, KNOB)
    if not names:
        return None
    return _panels(runs, names, Path(path), title="Control knobs", steps=True,
                   titles=[n.removeprefix(KNOB) for n in names])


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
