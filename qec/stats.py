"""Logical-error statistics: rates with binomial intervals, Λ, thresholds, projections.

Per-shot and per-round rates with Wilson intervals, the suppression factor Λ, threshold
crossings and the distance projected for a target logical error.

Normalisation (used by every figure of the project):

* per shot: P_L = errors / shots, one shot = one memory experiment of ``rounds`` rounds;
* per round: ε = (1 − (1 − 2·P_L)^(1/rounds)) / 2, the per-round logical flip probability
  which, compounded over ``rounds`` independent rounds, gives P_L (as
  ``sinter.shot_error_rate_to_piece_error_rate``);
* confidence intervals: Wilson score intervals on P_L (``scipy.stats.binomtest``), mapped
  through the same monotone per-round transform;
* threshold: where the per-round curves of two distances cross (``threshold_crossing``),
  with a parametric-bootstrap interval from the counts (``crossing_with_interval``);
* any-failure per round (codes with several logical qubits, as Bravyi et al. count them for
  the BB codes): a shot fails when any logical operator does, and the per-round rate is
  p_L = 1 − (1 − P_L)^(1/rounds) (``per_round_any``; it equals ε to first order in P_L);
  the Z and X memories of one code combine as P_L = 1 − (1 − P_Z)(1 − P_X)
  (``any_failure_per_round``), their Wilson bounds combined the same way (a conservative
  interval: each bound is reached only when both bases' bounds are);
* Λ: ε_d ≈ A / Λ^((d+1)/2), so Λ = ε_d / ε_{d+2} (the suppression per distance step of 2),
  fitted by least squares on log ε over all distances given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as _st

__all__ = [
    "Crossing",
    "LogicalRate",
    "Suppression",
    "any_failure_per_round",
    "crossing_with_interval",
    "fit_suppression",
    "logical_rate",
    "per_round",
    "per_round_any",
    "resample_per_round",
    "threshold_crossing",
]


def per_round(p_shot: float, rounds: int) -> float:
    """Per-round logical error ε from the per-shot rate over ``rounds`` rounds.

    Args:
        p_shot: logical error per shot, in [0, 1]; values ≥ ½ map to ½ (fully randomised).
        rounds: rounds per shot, ≥ 1.
    """
    if rounds < 1:
        raise ValueError(f"rounds = {rounds}: must be >= 1")
    if p_shot >= 0.5:
        return 0.5
    return 0.5 * (1.0 - (1.0 - 2.0 * max(p_shot, 0.0)) ** (1.0 / rounds))


def per_round_any(p_shot: float, rounds: int) -> float:
    """Per-round failure probability p_L = 1 − (1 − P_L)^(1/rounds) of any logical operator.

    Args:
        p_shot: probability that a shot of ``rounds`` rounds fails, in [0, 1].
        rounds: rounds per shot, ≥ 1.

    Example:
        >>> f"{per_round_any(212 / 50000, 12):.3e}"  # the gross code at p = 0.003
        '3.540e-04'
    """
    if rounds < 1:
        raise ValueError(f"rounds = {rounds}: must be >= 1")
    return 1.0 - (1.0 - min(max(p_shot, 0.0), 1.0)) ** (1.0 / rounds)


def any_failure_per_round(rates: Sequence[LogicalRate]) -> tuple[float, tuple[float, float]]:
    """Per-round rate that any logical operator of any basis fails (see the module docstring).

    Args:
        rates: one ``LogicalRate`` per memory basis of one code, all with the same rounds.

    Returns:
        (p_L, (low, high)): p_L = 1 − (1 − P)^(1/rounds), P = 1 − Π(1 − P_b), the bounds from
        the bases' Wilson bounds combined alike.

    Raises:
        ValueError: no rates, or rates with different rounds.
    """
    if not rates or len({r.rounds for r in rates}) != 1:
        raise ValueError("rates: must be one or more LogicalRate with equal rounds")
    rounds = rates[0].rounds

    def combine(ps: Sequence[float]) -> float:
        return per_round_any(1.0 - float(np.prod([1.0 - q for q in ps])), rounds)

    return (combine([r.per_shot for r in rates]),
            (combine([r.per_shot_ci[0] for r in rates]),
             combine([r.per_shot_ci[1] for r in rates])))


@dataclass(frozen=True)
class LogicalRate:
    """Logical error of one (code, distance, decoder, noise) point.

    Attributes:
        shots: shots taken.
        errors: shots with a logical error.
        rounds: rounds per shot.
        per_shot: errors / shots.
        per_shot_ci: (low, high) Wilson interval on ``per_shot``.
        per_round: per-round logical error ε.
        per_round_ci: (low, high) interval on ``per_round``.
    """

    shots: int
    errors: int
    rounds: int
    per_shot: float
    per_shot_ci: tuple[float, float]
    per_round: float
    per_round_ci: tuple[float, float]


def logical_rate(*, shots: int, errors: int, rounds: int,
                 confidence: float = 0.95) -> LogicalRate:
    """Rates and intervals from counts.

    Args:
        shots: number of shots, ≥ 0 (0 gives NaN rates and a (0, 1) interval).
        errors: logical errors, 0 ≤ errors ≤ shots.
        rounds: rounds per shot, ≥ 1.
        confidence: confidence level of the Wilson interval, in (0, 1).
    """
    if not 0 <= errors <= shots:
        raise ValueError(f"errors = {errors}: must be in [0, shots = {shots}]")
    if shots == 0:
        return LogicalRate(0, 0, rounds, math.nan, (0.0, 1.0), math.nan, (0.0, 0.5))
    ci = _st.binomtest(errors, shots).proportion_ci(confidence_level=confidence,
                                                     method="wilson")
    lo, hi = float(ci.low), float(ci.high)
    p = errors / shots
    return LogicalRate(shots, errors, rounds, p, (lo, hi), per_round(p, rounds),
                       (per_round(lo, rounds), per_round(hi, rounds)))


@dataclass(frozen=True)
class Suppression:
    """Fit ε_d = A / Λ^((d+1)/2) over distances.

    Attributes:
        lam: Λ, the suppression factor per distance step of 2 (> 1 below threshold).
        prefactor: A.
        distances: the distances used.
    """

    lam: float
    prefactor: float
    distances: tuple[int, ...]

    def predict(self, distance: int) -> float:
        """Predicted per-round logical error at ``distance``."""
        return self.prefactor / self.lam ** ((distance + 1) / 2)

    def distance_for(self, target: float, *, max_distance: int = 201) -> int | None:
        """Smallest odd distance whose predicted ε ≤ ``target``; None if Λ ≤ 1 or too large."""
        if not (self.lam > 1 and target > 0):
            return None
        for d in range(3, max_distance + 1, 2):
            if self.predict(d) <= target:
                return d
        return None


def fit_suppression(distances: Sequence[int], eps: Sequence[float]) -> Suppression | None:
    """Least-squares fit of log ε = log A − ((d+1)/2)·log Λ.

    Args:
        distances: code distances, shape (n,), n ≥ 2 distinct.
        eps: per-round logical errors, shape (n,); points with ε ≤ 0 or NaN are skipped.

    Returns:
        The fit, or None when fewer than two usable points remain.
    """
    pts = [(d, e) for d, e in zip(distances, eps, strict=True) if e > 0 and math.isfinite(e)]
    if len({d for d, _ in pts}) < 2:
        return None
    x = np.array([(d + 1) / 2 for d, _ in pts])
    y = np.log([e for _, e in pts])
    slope, intercept = np.polyfit(x, y, 1)
    return Suppression(float(np.exp(-slope)), float(np.exp(intercept)),
                       tuple(sorted({d for d, _ in pts})))


def threshold_crossing(ps: Sequence[float], low_d: Sequence[float],
                       high_d: Sequence[float]) -> float | None:
    """Where the curves of a small and a large distance cross.

    Args:
        ps: physical error rates (or noise scales), increasing, shape (n,).
        low_d: logical error of the smaller distance at each p, shape (n,).
        high_d: logical error of the larger distance at each p, shape (n,).

    Returns:
        The crossing p, interpolated linearly in (log p, log ε_high − log ε_low); None when the
        curves do not cross inside the range.
    """
    ps = np.asarray(ps, float)
    a, b = np.asarray(low_d, float), np.asarray(high_d, float)
    ok = (a > 0) & (b > 0)
    ps, diff = ps[ok], np.log(b[ok]) - np.log(a[ok])
    for i in range(len(ps) - 1):
        if diff[i] <= 0 <= diff[i + 1]:
            if diff[i + 1] == diff[i]:
                return float(ps[i])
            t = -diff[i] / (diff[i + 1] - diff[i])
            return float(np.exp(np.log(ps[i]) + t * (np.log(ps[i + 1]) - np.log(ps[i]))))
    return None


def resample_per_round(rates: Sequence[LogicalRate], *, rng: np.random.Generator,
                       replicates: int) -> np.ndarray:
    """Parametric-bootstrap replicates of per-round rates.

    Each replicate redraws every point's errors from Binomial(shots, errors/shots) and converts
    them to a per-round rate (``per_round``). A point with 0 errors stays 0 in every replicate:
    the bootstrap cannot say more than the counts.

    Args:
        rates: the measured points, shape (n,); each needs shots >= 1.
        rng: the generator.
        replicates: number of replicates, >= 1.

    Returns:
        Per-round rates, shape (replicates, n).
    """
    out = np.empty((replicates, len(rates)))
    for j, r in enumerate(rates):
        k = rng.binomial(r.shots, r.errors / r.shots, size=replicates)
        p_shot = np.minimum(k / r.shots, 0.5)
        out[:, j] = 0.5 * (1.0 - (1.0 - 2.0 * p_shot) ** (1.0 / r.rounds))
    return out


@dataclass(frozen=True)
class Crossing:
    """A threshold crossing with its bootstrap interval.

    Attributes:
        value: the crossing of the measured curves (``threshold_crossing``), None if they do
            not cross inside the range.
        interval: (low, high) percentile interval over the bootstrap replicates that cross;
            (nan, nan) when fewer than half of them cross.
        crossed: fraction of the bootstrap replicates that cross inside the range, in [0, 1].
    """

    value: float | None
    interval: tuple[float, float]
    crossed: float


def crossing_with_interval(ps: Sequence[float], low_d: Sequence[LogicalRate],
                           high_d: Sequence[LogicalRate], *, seed: int | np.random.Generator = 0,
                           replicates: int = 2000, confidence: float = 0.95) -> Crossing:
    """Threshold crossing of two distances' per-round curves, with a bootstrap interval.

    Each replicate redraws every point's errors from Binomial(shots, errors/shots), converts
    them to per-round rates and crosses the curves as ``threshold_crossing`` does.

    Args:
        ps: physical error rates (or noise scales), increasing, shape (n,).
        low_d: the smaller distance's counts at each p, shape (n,).
        high_d: the larger distance's counts at each p, shape (n,).
        seed: integer seed or generator of the bootstrap.
        replicates: bootstrap replicates, >= 100.
        confidence: level of the percentile interval, in (0, 1).

    Returns:
        The crossing, its interval and the fraction of replicates that cross.

    Raises:
        ValueError: on mismatched lengths or too few replicates.

    Example:
        >>> lo = [logical_rate(shots=4000, errors=e, rounds=3) for e in (100, 400, 900)]
        >>> hi = [logical_rate(shots=4000, errors=e, rounds=5) for e in (40, 400, 1400)]
        >>> c = crossing_with_interval([0.002, 0.004, 0.008], lo, hi, seed=1)
        >>> c.interval[0] < c.value < c.interval[1]
        True
    """
    if not (len(ps) == len(low_d) == len(high_d)):
        raise ValueError(f"ps, low_d, high_d: lengths {len(ps)}, {len(low_d)}, {len(high_d)} "
                         "must agree")
    if replicates < 100:
        raise ValueError(f"replicates = {replicates}: must be >= 100")
    rng = np.random.default_rng(seed)
    value = threshold_crossing(ps, [r.per_round for r in low_d], [r.per_round for r in high_d])

    a = resample_per_round(low_d, rng=rng, replicates=replicates)
    b = resample_per_round(high_d, rng=rng, replicates=replicates)
    found = [c for i in range(replicates)
             if (c := threshold_crossing(ps, a[i], b[i])) is not None]
    crossed = len(found) / replicates
    if crossed < 0.5:
        return Crossing(value, (math.nan, math.nan), crossed)
    tail = 50.0 * (1.0 - confidence)
    lo, hi = np.percentile(found, [tail, 100.0 - tail])
    return Crossing(value, (float(lo), float(hi)), crossed)
