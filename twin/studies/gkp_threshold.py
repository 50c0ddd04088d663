"""Squeezing threshold of the circuit-level surface-GKP code (GKP-only noise by default).

For each distance d and squeezing (dB): the Gaussian-shift Monte Carlo of ``qec.gkp`` over
d rounds, decoded both with prior weights (``hard``) and with Noh & Chamberland's
renormalised analog weights (``analog``) on the same shots; the logical error per round with
its Wilson interval; the squeezing where consecutive distances cross, with a parametric
bootstrap interval. σ comes from ``physics.gkp`` (σ² = 10^(−dB/10)/2 + (1 − η)).

Results are appended, one CSV row per (d, dB, loss, decoder, seed) point (``CSV_HEADER``; this
module is the file's one owner), and a rerun skips the points already there: resumable.
"""

from __future__ import annotations

import csv
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from physics.gkp import GKPQubit, gkp_sigma
from qec.gkp import decode_analog, decode_hard, gkp_surface_circuit, matching_graph, sample_shifts
from qec.stats import logical_rate

__all__ = [
    "CSV_HEADER",
    "Crossing",
    "GKPPoint",
    "crossing",
    "plot_points",
    "pooled",
    "read_points",
    "run_gkp_sweep",
]

CSV_HEADER = ("distance", "rounds", "basis", "schedule", "ancilla", "atom_flip", "squeezing_db",
              "loss", "sigma", "decoder", "seed", "shots", "errors", "seconds")
"""Columns of the results CSV."""

DECODERS = ("hard", "analog")


@dataclass(frozen=True)
class GKPPoint:
    """One sweep point.

    Attributes:
        distance: code distance d.
        rounds: rounds per shot.
        basis: memory basis, ``"Z"`` or ``"X"``.
        schedule: CNOT schedule (``qec.gkp.SCHEDULES``).
        ancilla: ``"gkp"`` or ``"atom"`` (``qec.gkp.ANCILLAS``).
        atom_flip: readout flip probability of an atom ancilla.
        squeezing_db: GKP squeezing (dB).
        loss: photon loss 1 − η per round.
        sigma: σ of a GKP preparation per quadrature (√ħ).
        decoder: ``"hard"`` or ``"analog"``.
        seed: seed of the shots.
        shots: shots.
        errors: shots with a logical error.
        seconds: wall time of sampling plus this decoder (s).
    """

    distance: int
    rounds: int
    basis: str
    schedule: str
    ancilla: str
    atom_flip: float
    squeezing_db: float
    loss: float
    sigma: float
    decoder: str
    seed: int
    shots: int
    errors: int
    seconds: float

    @property
    def rate(self):
        """``qec.stats.LogicalRate``: per shot and per round, with Wilson intervals."""
        return logical_rate(shots=self.shots, errors=self.errors, rounds=self.rounds)


def pooled(points: Sequence[GKPPoint]) -> list[GKPPoint]:
    """Points of the same configuration merged over seeds.

    Same (d, rounds, basis, schedule, ancilla, atom flip, dB, loss, decoder). Shots, errors
    and seconds are summed; the merged point's seed is −1.
    """
    acc: dict[tuple, GKPPoint] = {}
    for p in points:
        key = (p.distance, p.rounds, p.basis, p.schedule, p.ancilla, p.atom_flip,
               p.squeezing_db, p.loss, p.decoder)
        q = acc.get(key)
        acc[key] = p if q is None else replace(p, seed=-1, shots=q.shots + p.shots,
                                               errors=q.errors + p.errors,
                                               seconds=q.seconds + p.seconds)
    return list(acc.values())


def read_points(path: str | Path) -> list[GKPPoint]:
    """Points of a results CSV (missing file → empty list)."""
    path = Path(path)
    if not path.exists():
        return []
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    return [GKPPoint(int(r["distance"]), int(r["rounds"]), r["basis"], r["schedule"],
                     r["ancilla"], float(r["atom_flip"]), float(r["squeezing_db"]),
                     float(r["loss"]), float(r["sigma"]),
                     r["decoder"], int(r["seed"]), int(r["shots"]), int(r["errors"]),
                     float(r["seconds"])) for r in rows]


def run_gkp_sweep(path: str | Path, *, distances: Sequence[int], squeezing_db: Sequence[float],
                  shots: int, seed: int = 0, loss: float = 0.0, basis: str = "Z",
                  schedule: str = "split", ancilla: str = "gkp",
                  atom_flip: float = 0.0, chunk: int = 2000,
                  progress: bool = True) -> list[GKPPoint]:
    """Sweeps squeezing × distance, appending to ``path``; points already there are skipped.

    Args:
        path: results CSV (created with ``CSV_HEADER`` if absent).
        distances: odd distances ≥ 3; rounds = d.
        squeezing_db: GKP squeezing values (dB), > 0.
        shots: shots per point ≥ 1.
        seed: base seed; a point's seed is derived from it, d and dB (same seed → same file).
        loss: photon loss 1 − η per round, in [0, 1).
        basis: memory basis, ``"Z"`` or ``"X"``.
        schedule: CNOT schedule (``qec.gkp.SCHEDULES``).
        ancilla: ``"gkp"`` or ``"atom"``.
        atom_flip: readout flip probability of an atom ancilla, in [0, ½].
        chunk: shots sampled at once (memory: ~8·chunk·n_binnings bytes).
        progress: one line per point on stderr.

    Returns:
        All points of the file after the sweep.

    Raises:
        ValueError: on a bad squeezing, loss, distance or shot count.
    """
    if isinstance(shots, bool) or not isinstance(shots, int) or shots < 1:
        raise ValueError(f"shots = {shots!r}: must be an integer >= 1")
    path = Path(path)
    done = {(p.distance, p.basis, p.schedule, p.ancilla, p.atom_flip, p.squeezing_db, p.loss,
             p.decoder, p.seed) for p in read_points(path)}
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(",".join(CSV_HEADER) + "\n")
    for d in distances:
        circ = gkp_surface_circuit(int(d), int(d), basis=basis, schedule=schedule,
                                   ancilla=ancilla)
        for db in squeezing_db:
            gkp = GKPQubit(squeezing_db=float(db), loss=0.0)
            sigma = gkp_sigma(gkp)
            sigma_loss = math.sqrt(GKPQubit(squeezing_db=float(db), loss=loss).loss)
            point_seed = int(seed) * 1_000_003 + int(d) * 1009 + int(round(float(db) * 100))
            todo = [k for k in DECODERS if (int(d), basis, schedule, ancilla, float(atom_flip),
                                            float(db), float(loss), k, point_seed) not in done]
            if not todo:
                continue
            graph = matching_graph(circ, sigma=sigma, sigma_loss=sigma_loss,
                                   atom_flip=atom_flip)
            rng = np.random.default_rng(point_seed)
            errors = dict.fromkeys(todo, 0)
            secs = dict.fromkeys(todo, 0.0)
            left = shots
            while left:
                n = min(chunk, left)
                left -= n
                t0 = time.perf_counter()
                s = sample_shifts(circ, sigma=sigma, sigma_loss=sigma_loss, shots=n, rng=rng,
                                  atom_flip=atom_flip)
                t_sample = time.perf_counter() - t0
                for k in todo:
                    t1 = time.perf_counter()
                    pred = decode_hard(graph, s.detectors) if k == "hard" \
                        else decode_analog(graph, s.detectors, s.deviations)
                    errors[k] += int((pred != s.observables).any(axis=1).sum())
                    secs[k] += t_sample + time.perf_counter() - t1
            with path.open("a", newline="") as f:
                w = csv.writer(f)
                for k in todo:
                    w.writerow([int(d), int(d), basis, schedule, ancilla, float(atom_flip),
                                float(db), float(loss),
                                repr(sigma), k, point_seed, shots, errors[k], f"{secs[k]:.3f}"])
            if progress:
                print(f"gkp sweep: {basis} {schedule} {ancilla} d={d} {db} dB: " + ", ".join(
                    f"{k} {errors[k]}/{shots}" for k in todo), file=sys.stderr, flush=True)
    return read_points(path)


@dataclass(frozen=True)
class Crossing:
    """Squeezing where two distances' per-round logical errors cross.

    Attributes:
        low_d: the smaller distance.
        high_d: the larger distance.
        decoder: decoder of the points.
        squeezing_db: the crossing (dB), None when the curves do not cross in range.
        interval: 2.5 % and 97.5 % quantiles (dB) of the crossings of the parametric
            bootstrap resamples that cross in range (None, None when none does).
        resamples: bootstrap resamples.
        no_crossing: fraction of the resamples that do not cross in range (the interval is
            then wider than stated: widen the range or add shots when it is > 5 %).
    """

    low_d: int
    high_d: int
    decoder: str
    squeezing_db: float | None
    interval: tuple[float | None, float | None]
    resamples: int
    no_crossing: float


def _cross(db: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float | None:
    """First dB (increasing) where log ε_high − log ε_low goes from ≥ 0 to < 0."""
    ok = (lo > 0) & (hi > 0)
    if ok.sum() < 2:
        return None
    x, diff = db[ok], np.log(hi[ok]) - np.log(lo[ok])
    for i in range(len(x) - 1):
        if diff[i] >= 0 > diff[i + 1]:
            t = diff[i] / (diff[i] - diff[i + 1])
            return float(x[i] + t * (x[i + 1] - x[i]))
    return None


def crossing(points: Sequence[GKPPoint], *, low_d: int, high_d: int, decoder: str = "analog",
             loss: float = 0.0, basis: str = "Z", schedule: str = "split",
             ancilla: str = "gkp", resamples: int = 1000, seed: int = 0) -> Crossing:
    """Threshold squeezing from two distances, with a bootstrap interval.

    Per-round logical errors ε(dB) of both distances, on their common squeezing values; the
    crossing is interpolated linearly in dB on log(ε_high/ε_low). The interval resamples every
    point's errors as Binomial(shots, errors/shots).

    Args:
        points: sweep points (``read_points``).
        low_d: smaller distance.
        high_d: larger distance.
        decoder: ``"hard"`` or ``"analog"``.
        loss: the loss of the points used.
        basis: the memory basis of the points used.
        schedule: the schedule of the points used.
        ancilla: the ancilla kind of the points used.
        resamples: bootstrap resamples ≥ 1.
        seed: bootstrap seed.

    Returns:
        The crossing.
    """
    from qec.stats import per_round

    def pick(d: int) -> dict[float, GKPPoint]:
        return {p.squeezing_db: p for p in pooled(points)
                if p.distance == d and p.decoder == decoder and p.loss == loss
                and p.basis == basis and p.schedule == schedule and p.ancilla == ancilla}

    a, b = pick(low_d), pick(high_d)
    dbs = np.array(sorted(set(a) & set(b)))
    pa = [a[x] for x in dbs]
    pb = [b[x] for x in dbs]

    def eps(pts: list[GKPPoint], errs: np.ndarray) -> np.ndarray:
        return np.array([per_round(e / p.shots, p.rounds) for p, e in zip(pts, errs,
                                                                          strict=True)])

    best = _cross(dbs, eps(pa, np.array([p.errors for p in pa])),
                  eps(pb, np.array([p.errors for p in pb])))
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(resamples):
        ea = rng.binomial([p.shots for p in pa], [p.errors / p.shots for p in pa])
        eb = rng.binomial([p.shots for p in pb], [p.errors / p.shots for p in pb])
        boots.append(_cross(dbs, eps(pa, ea), eps(pb, eb)))
    vals = np.array([x for x in boots if x is not None])
    missing = 1.0 - len(vals) / resamples
    lo = hi = None
    if len(vals):
        lo, hi = (float(v) for v in np.quantile(vals, [0.025, 0.975]))
    return Crossing(low_d, high_d, decoder, best, (lo, hi), resamples, float(missing))


def plot_points(points: Sequence[GKPPoint], path: str | Path, *,
                crossings: Sequence[Crossing] = ()) -> Path:
    """Logical error per round vs squeezing, one curve per distance and decoder, Wilson bars.

    Args:
        points: sweep points.
        path: PNG to write.
        crossings: threshold estimates drawn as vertical bands.

    Returns:
        The PNG's path.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.4))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    points = pooled(points)
    for dec, style in (("analog", "-o"), ("hard", "--s")):
        for d in sorted({p.distance for p in points if p.decoder == dec}):
            pts = sorted((p for p in points if p.decoder == dec and p.distance == d),
                         key=lambda p: p.squeezing_db)
            if not pts:
                continue
            x = [p.squeezing_db for p in pts]
            y = np.array([p.rate.per_round for p in pts])
            lo = np.array([p.rate.per_round_ci[0] for p in pts])
            hi = np.array([p.rate.per_round_ci[1] for p in pts])
            ax.errorbar(x, y, yerr=[y - lo, hi - y], fmt=style, ms=3, capsize=2,
                        label=f"d={d} {dec}")
    for c in crossings:
        if c.squeezing_db is not None:
            ax.axvline(c.squeezing_db, color="grey", lw=0.8)
            if None not in c.interval:
                ax.axvspan(*c.interval, color="grey", alpha=0.15)
    ax.axvline(11.2, color="red", lw=0.8, ls=":", label="Noh & Chamberland 11.2 dB")
    ax.set_yscale("log")
    ax.set_xlabel("GKP squeezing (dB)")
    ax.set_ylabel("logical error per round")
    combos = sorted({f"{p.basis} memory, {p.schedule}, {p.ancilla} ancillas" for p in points})
    ax.set_title("surface-GKP, GKP-only noise, rounds = d: " + "; ".join(combos), fontsize=9)
    ax.legend(fontsize=7)
    path = Path(path)
    fig.savefig(path, dpi=120)
    return path
