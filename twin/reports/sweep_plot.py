"""The plot of a QEC sweep: logical error per round against the swept parameter."""

from __future__ import annotations

from pathlib import Path

from twin.reports.plots import Curve, plot_curves

__all__ = ["plot_sweep"]


def plot_sweep(rows: list[dict], path: str | Path, swept: str) -> Path:
    """Logical error per round vs the swept parameter, one curve per code/decoder/basis/d.

    Args:
        rows: ``twin.studies.sweep.sweep_rows`` of a sweep.
        path: the PNG to write.
        swept: the swept parameter's name (x axis).

    Returns:
        The written path.
    """
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["code"], r["decoder"], r["basis"], r["distance"]), []).append(r)
    curves = []
    for (code, dec, basis, d), rs in sorted(groups.items()):
        rs = sorted(rs, key=lambda r: r["value"])
        curves.append(Curve(f"{code} {dec} {basis} d={d}", [r["value"] for r in rs],
                            [r["ler_per_round"] for r in rs], [r["ler_ci"][0] for r in rs],
                            [r["ler_ci"][1] for r in rs]))
    numeric = all(isinstance(r["value"], int | float) and r["value"] > 0 for r in rows)
    return plot_curves(curves, path, title=f"Logical error vs {swept}", xlabel=swept,
                       ylabel="logical error per round", logx=numeric)
