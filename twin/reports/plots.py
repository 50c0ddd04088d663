"""Matplotlib figures of QEC results (object API, no pyplot state; PNG files)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["Curve", "new_figure", "plot_curves", "save_figure"]


class Curve:
    """One labelled curve with asymmetric error bars.

    Args:
        label: legend text.
        x: x values, shape (n,).
        y: y values, shape (n,).
        low: lower ends of the intervals, shape (n,).
        high: upper ends of the intervals, shape (n,).
    """

    def __init__(self, label: str, x: Sequence[float], y: Sequence[float],
                 low: Sequence[float], high: Sequence[float]) -> None:
        self.label, self.x, self.y, self.low, self.high = label, list(x), list(y), list(low), \
            list(high)


def plot_curves(curves: Iterable[Curve], path: str | Path, *, title: str, xlabel: str,
                ylabel: str, logx: bool = False, target: float | None = None,
                fits: Sequence[tuple[str, Sequence[float], Sequence[float]]] = (),
                integer_x: bool = False) -> Path:
    """Write a log-y plot of ``curves`` with their intervals to ``path`` (PNG).

    Args:
        curves: measured curves with intervals.
        path: output PNG.
        title: plot title.
        xlabel: x-axis label.
        ylabel: y-axis label.
        logx: logarithmic x axis.
        target: a horizontal dashed line (e.g. the target logical error).
        fits: (label, x, y) model lines drawn dotted (e.g. a Λ fit extrapolated), coloured
            like the curve whose label precedes " fit" in theirs.
        integer_x: integer ticks on the x axis (code distances).

    Returns:
        The written path.
    """
    fig = Figure(figsize=(6.4, 4.4), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    colors: dict[str, str] = {}
    for c in curves:
        pts = [(x, y, lo, hi) for x, y, lo, hi in zip(c.x, c.y, c.low, c.high, strict=True)
               if y == y]
        if not pts:
            continue
        xs, ys, los, his = zip(*pts, strict=True)
        floor = [max(v, 1e-15) for v in ys]
        yerr = [[max(f - lo, 0) for f, lo in zip(floor, los, strict=True)],
                [max(hi - f, 0) for f, hi in zip(floor, his, strict=True)]]
        bars = ax.errorbar(xs, floor, yerr=yerr, marker="o", capsize=3, label=c.label)
        colors[c.label] = bars.lines[0].get_color()
    for label, xs, ys in fits:  # "<curve label> fit ..." shares that curve's colour
        color = colors.get(label.split(" fit")[0])
        ax.plot(list(xs), list(ys), linestyle=":", linewidth=1.2, label=label, color=color)
    if integer_x:
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if target is not None:
        ax.axhline(target, color="grey", linestyle="--", linewidth=1, label=f"target {target:g}")
    ax.set_yscale("log")
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    return path


def new_figure(nrows: int = 1, ncols: int = 1, *, width: float = 6.4,
               row_height: float = 2.6, sharex: bool = False) -> tuple[Figure, list]:
    """A figure with its Agg canvas attached and a flat list of its axes (no pyplot state).

    Args:
        nrows: rows of panels (at least 1).
        ncols: columns of panels (at least 1).
        width: figure width in inches.
        row_height: height of one row of panels in inches.
        sharex: share the x axis between panels.

    Returns:
        The figure and its axes, row by row.
    """
    nrows, ncols = max(int(nrows), 1), max(int(ncols), 1)
    fig = Figure(figsize=(width, max(row_height * nrows, 2.4) + 0.6), dpi=110)
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, sharex=sharex, squeeze=False)
    return fig, [ax for row in axes for ax in row]


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Lay out ``fig`` tightly, write it to ``path`` (PNG) and return the path."""
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    return path
