"""Summaries of ``twin.studies.logical``: operations over their runs, crossovers in a sweep.

An operation's error is the sum of its runs' per-shot rates (``summaries``); ``crossover``
finds where two operations' errors cross along a device-parameter sweep.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from qec.stats import Crossing, threshold_crossing

if TYPE_CHECKING:
    from twin.studies.logical import LogicalRow

__all__ = ["crossover", "projections", "summaries"]


def _summed(rows: Sequence[LogicalRow]) -> tuple[float, float, float]:
    """Σ per-shot rates of an operation's runs, with the sums of their Wilson ends."""
    return (sum(r.rate.per_shot for r in rows), sum(r.rate.per_shot_ci[0] for r in rows),
            sum(r.rate.per_shot_ci[1] for r in rows))


def summaries(rows: Sequence[LogicalRow]) -> list[dict[str, Any]]:
    """Per (point, experiment, distance): the operation's error summed over its runs.

    Returns:
        Dicts with ``point``, ``experiment``, ``distance``, ``per_operation`` (Σ of the runs'
        per-shot rates: an upper bound on the logical infidelity), ``interval`` (the sums of
        the runs' 95 % Wilson ends, a conservative interval), ``fidelity`` ((1 − Σ, 1 − max):
        for a state preparation, the logical fidelity lies between, from the decoded
        stabilisers), ``variants`` and the cost of one run (``duration_us``,
        ``remote_gates``, ``qubits``).
    """
    groups: dict[tuple, list[LogicalRow]] = {}
    for r in rows:
        groups.setdefault((tuple(r.point.items()), r.experiment, r.distance), []).append(r)
    out = []
    for (point, exp, d), rs in groups.items():
        total, lo, hi = _summed(rs)
        out.append({"point": dict(point), "experiment": exp, "distance": d,
                    "per_operation": min(total, 1.0), "interval": (min(lo, 1.0), min(hi, 1.0)),
                    "fidelity": (max(0.0, 1.0 - total),
                                 1.0 - max(r.rate.per_shot for r in rs)),
                    "variants": [r.variant for r in rs], "duration_us": rs[0].duration_us,
                    "remote_gates": rs[0].remote_gates, "qubits": rs[0].qubits})
    return out


def _cross(x: Sequence[float], ea: Sequence[float], eb: Sequence[float]) -> float | None:
    c = threshold_crossing(x, ea, eb)
    return c if c is not None else threshold_crossing(x, eb, ea)


def _draw(groups: Sequence[Sequence[LogicalRow]], rng: np.random.Generator,
          replicates: int) -> np.ndarray:
    """Bootstrap curves, shape (replicates, points): each run's rate redrawn, summed."""
    out = np.zeros((replicates, len(groups)))
    for j, rs in enumerate(groups):
        for r in rs:
            out[:, j] += rng.binomial(r.rate.shots, r.rate.per_shot, replicates) / r.rate.shots
    return out


def crossover(rows: Sequence[LogicalRow], *, first: str = "surgery-cnot",
              second: str = "transversal-cnot", seed: int = 0,
              replicates: int = 2000) -> dict[int, Crossing]:
    """Where two operations' errors cross along the sweep, per distance.

    Each operation's error at a swept value x is the sum of its runs' per-shot rates
    (``summaries``); the curves are crossed on log(ε_second/ε_first), interpolated in log x
    (``qec.stats.threshold_crossing``, in whichever direction they cross), with a
    parametric-bootstrap interval (every run's errors redrawn from Binomial(shots, rate)).

    Args:
        rows: rows of one sweep (``LogicalResult.rows``).
        first: one operation.
        second: the other.
        seed: bootstrap seed.
        replicates: bootstrap replicates (≥ 100).

    Returns:
        ``{distance: Crossing}`` for every distance where both ran at ≥ 2 points.
    """
    if replicates < 100:
        raise ValueError(f"replicates = {replicates}: must be >= 100")
    rng = np.random.default_rng(seed)
    out = {}
    for d in sorted({r.distance for r in rows}):
        def runs(name: str, d: int = d) -> dict[tuple, list[LogicalRow]]:
            acc: dict[tuple, list[LogicalRow]] = {}
            for r in rows:
                if r.experiment == name and r.distance == d and r.point:
                    acc.setdefault(tuple(r.point.values()), []).append(r)
            return acc

        a, b = runs(first), runs(second)
        xs = sorted(set(a) & set(b))
        if len(xs) < 2:
            continue
        x = [k[0] for k in xs]
        value = _cross(x, [_summed(a[k])[0] for k in xs], [_summed(b[k])[0] for k in xs])
        da = _draw([a[k] for k in xs], rng, replicates)
        db = _draw([b[k] for k in xs], rng, replicates)
        found = [c for i in range(replicates) if (c := _cross(x, da[i], db[i])) is not None]
        crossed = len(found) / replicates
        interval = (math.nan, math.nan)
        if crossed >= 0.5:
            lo, hi = np.percentile(found, [2.5, 97.5])
            interval = (float(lo), float(hi))
        out[d] = Crossing(value, interval, crossed)
    return out


def projections(rows: Sequence[LogicalRow], *, target: float = 1e-9, seed: int = 0,
                replicates: int = 400, max_distance: int = 101,
                architecture: str = "shared") -> list[dict[str, Any]]:
    """Per (point, experiment): the distance that reaches ``target`` error per operation.

    The operation's error per distance (its runs summed) is fitted as ε_d = A/Λ^((d+1)/2)
    (``qec.stats.fit_suppression``); the smallest odd d with ε_d ≤ ``target`` is projected,
    and a parametric bootstrap (every run's errors redrawn, the fit repeated) gives its 95 %
    range (None at the top: unreachable, Λ ≤ 1, in more than 2.5 % of the replicates).

    Args:
        rows: the runs (``LogicalResult.rows``), ≥ 2 distances per experiment to fit.
        target: error per operation to reach, in (0, 0.5).
        seed: bootstrap seed.
        replicates: bootstrap replicates (≥ 100).
        max_distance: the largest distance considered.
        architecture: the architecture the rows ran with (``twin.studies.logical``).

    Returns:
        Dicts with ``point``, ``experiment``, ``lam``, ``distance`` (None: unreachable),
        ``distance_range`` ((low, high), high None when unreachable in the tail), and the
        cost of one operation at the projected distance: ``duration_us``, ``qubits``,
        ``remote_gates`` (None when unreachable).
    """
    from qec.stats import fit_suppression

    if not 0 < target < 0.5:
        raise ValueError(f"target = {target!r}: must be in (0, 0.5)")
    if replicates < 100:
        raise ValueError(f"replicates = {replicates}: must be >= 100")
    rng = np.random.default_rng(seed)
    groups: dict[tuple, dict[int, list[LogicalRow]]] = {}
    for r in rows:
        groups.setdefault((tuple(r.point.items()), r.experiment), {}).setdefault(
            r.distance, []).append(r)
    out = []
    for (point, exp), by_d in groups.items():
        ds = sorted(by_d)
        if len(ds) < 2:
            continue
        fit = fit_suppression(ds, [_summed(by_d[d])[0] for d in ds])
        if fit is None:
            continue
        d_star = fit.distance_for(target, max_distance=max_distance)
        boot = _draw([by_d[d] for d in ds], rng, replicates)
        found = []
        for i in range(replicates):
            f = fit_suppression(ds, list(boot[i]))
            found.append(None if f is None else f.distance_for(target,
                                                               max_distance=max_distance))
        reach = sorted(x for x in found if x is not None)
        lost = 1 - len(reach) / replicates
        lo = int(np.percentile(reach, 2.5)) if reach else None
        hi = None if lost > 0.025 or not reach else int(np.percentile(reach, 97.5))
        item: dict[str, Any] = {"point": dict(point), "experiment": exp, "lam": fit.lam,
                                "distance": d_star, "distance_range": (lo, hi),
                                "duration_us": None, "qubits": None, "remote_gates": None}
        if d_star is not None:
            item.update(_cost_at(exp, by_d[ds[0]][0], d_star, architecture))
        out.append(item)
    return out


def _cost_at(exp: str, row: LogicalRow, d: int, architecture: str) -> dict[str, float]:
    """One operation's time, qubits and remote gates at distance ``d``.

    From its circuits at d = 3, 5, 7: TICK layers grow linearly with d (rounds ∝ d), qubits
    and remote gates as d² (exact polynomials for these layouts), so a fit through three
    builds is exact (and a d = 45 circuit is never built).
    """
    from twin.studies.logical import build_experiment

    small = [build_experiment(exp, k, row.variant, architecture=architecture)
             for k in (3, 5, 7)]
    ticks = [sum(1 for i in b.circuit.flattened() if i.name == "TICK") for b in small]
    layer = row.duration_us / ticks[[3, 5, 7].index(row.distance)] \
        if row.distance in (3, 5, 7) else float("nan")
    ks = np.array([3.0, 5.0, 7.0])

    def at(values: list[float], deg: int) -> float:
        return float(np.polyval(np.polyfit(ks, values, deg), d))

    return {"duration_us": at(ticks, 1) * layer, "qubits": round(at([b.qubits for b in small], 2)),
            "remote_gates": round(at([b.remote_gates for b in small], 2))}
