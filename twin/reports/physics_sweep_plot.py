"""Figures of a physics sweep (``twin.studies.physics_sweep`` datasets): PNG files, no pyplot state.

* 1-D grid: one panel per operation, its channel components and total error against the swept
  parameter (log y);
* 2-D grid: a heat map of one operation's total error over the two parameters (log colours).

A STIRAP sweep (``quantity = "stirap"``) shows 1 − efficiency and the loss instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from twin.errors import UserError
from twin.reports.plots import new_figure, save_figure

__all__ = ["plot_physics_sweep"]


def _axis(ds, dim: str) -> tuple[np.ndarray, list[str] | None, bool, str]:
    """Positions, tick labels (categorical axes), log scale and label of a grid dimension."""
    values = ds[dim].values
    unit = ds[dim].attrs.get("units", "")
    label = f"{dim} ({unit})" if unit not in ("", "1") else dim
    if values.dtype.kind in "OUS":
        return np.arange(len(values), dtype=float), [str(v) for v in values], False, label
    x = values.astype(float)
    log = bool(len(x) > 2 and np.all(x > 0) and x.max() / x.min() >= 20)
    return x, None, log, label


def _panels(ds, operations: Sequence[str]) -> list[tuple[str, list[tuple[str, np.ndarray]]]]:
    """(y label, [(curve label, y values)]) per panel; the last curve is drawn dashed black."""
    if ds.attrs.get("quantity") == "stirap":
        return [("STIRAP transfer", [("loss", ds["stirap_loss"].values),
                                     ("1 − efficiency", 1.0 - ds["stirap_efficiency"].values)])]
    panels = []
    for op in operations:
        channel = ds["channel"].sel(operation=op)
        curves = [(str(c), channel.sel(component=c).values) for c in ds["component"].values]
        panels.append((op, [*curves, ("total", ds["total_error"].sel(operation=op).values)]))
    return panels


def _plot_1d(ds, path: Path, operations: Sequence[str]) -> Path:
    dim = ds.attrs["parameters"]
    x, ticks, logx, xlabel = _axis(ds, dim)
    panels = _panels(ds, operations)
    fig, axes = new_figure(len(panels), 1, width=6.4, row_height=2.0 if len(panels) > 1 else 4.0,
                           sharex=True)
    for ax, (ylabel, curves) in zip(axes, panels, strict=True):
        for k, (label, y) in enumerate(curves):
            last = k == len(curves) - 1
            if not last and np.nanmax(y, initial=0.0) <= 0:
                continue  # nothing to show on a log axis
            style = {"color": "black", "linestyle": "--", "linewidth": 1} if last else \
                {"marker": "o", "markersize": 3}
            ax.plot(x, np.where(y > 0, y, np.nan), label=label, **style)
        if np.nanmax(curves[-1][1], initial=0.0) > 0:
            ax.set_yscale("log")
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, ncol=3, loc="best")
    if logx:
        axes[-1].set_xscale("log")
    if ticks is not None:
        axes[-1].set_xticks(x, ticks)
    axes[-1].set_xlabel(xlabel)
    axes[0].set_title(f"{_what(ds)} vs {dim}")
    return save_figure(fig, path)


def _edges(x: np.ndarray, log: bool) -> np.ndarray:
    if len(x) == 1:
        return np.array([x[0] * 0.9, x[0] * 1.1]) if log else np.array([x[0] - 0.5, x[0] + 0.5])
    v = np.log(x) if log else x
    mid = (v[1:] + v[:-1]) / 2
    edges = np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])
    return np.exp(edges) if log else edges


def _what(ds) -> str:
    if ds.attrs.get("quantity") == "stirap":
        return "STIRAP transfer"
    return f"Error per application ({ds.attrs['calibration']} calibration)"


def _plot_2d(ds, path: Path, op: str) -> Path:
    from matplotlib.colors import LogNorm

    dx, dy = (d.strip() for d in ds.attrs["parameters"].split(","))
    x, xticks, logx, xlabel = _axis(ds, dx)
    y, yticks, logy, ylabel = _axis(ds, dy)
    if ds.attrs.get("quantity") == "stirap":
        z = 1.0 - ds["stirap_efficiency"].transpose(dy, dx).values
        label, title = "1 − STIRAP transfer efficiency", "STIRAP transfer: 1 − efficiency"
    else:
        z = ds["total_error"].sel(operation=op).transpose(dy, dx).values
        label = f"{op} total error per application"
        title = f"{op}: total error ({ds.attrs['calibration']} calibration)"
    positive = z[np.isfinite(z) & (z > 0)]
    norm = LogNorm(positive.min(), positive.max()) if positive.size and \
        positive.max() > positive.min() else None
    fig, (ax,) = new_figure(1, 1, width=6.4, row_height=4.4)
    mesh = ax.pcolormesh(_edges(x, logx), _edges(y, logy), np.where(z > 0, z, np.nan),
                         norm=norm, cmap="viridis")
    fig.colorbar(mesh, ax=ax, label=label)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    if xticks is not None:
        ax.set_xticks(x, xticks)
    if yticks is not None:
        ax.set_yticks(y, yticks)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return save_figure(fig, path)


def plot_physics_sweep(ds, path: str | Path, *, op: str | None = None) -> Path:
    """Write the figure of a physics-sweep dataset to ``path`` (PNG).

    Args:
        ds: a dataset from ``twin.studies.physics_sweep.run_physics_sweep`` (or read back
            from NetCDF).
        path: output PNG.
        op: the operation to show: for a 1-D grid only this one (default: all); for a 2-D grid
            the one whose total error is mapped (default ``gate_1q``). Not for STIRAP sweeps.

    Returns:
        The written path.

    Raises:
        UserError: a grid of more than two parameters, or an unknown operation.
    """
    dims = [d.strip() for d in ds.attrs["parameters"].split(",")]
    operations = [str(o) for o in ds["operation"].values] if "operation" in ds.coords else []
    if op is not None and not operations:
        raise UserError(f"--op {op}: a STIRAP sweep has no operations to choose from")
    if op is not None and op not in operations:
        raise UserError(f"--op = {op!r}: must be one of {', '.join(operations)}")
    if len(dims) == 1:
        return _plot_1d(ds, Path(path), [op] if op else operations)
    if len(dims) == 2:
        return _plot_2d(ds, Path(path), op or "gate_1q")
    raise UserError(f"--plot: draws grids of one or two parameters; this one has {len(dims)} "
                    f"({', '.join(dims)})")
