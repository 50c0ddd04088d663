"""Per-code figures of a comparison: rows per logical qubit, Λ, projection, threshold.

``twin.studies.compare`` samples; this module turns its counts into what it reports: each
row's per-logical-qubit rate (``per_logical``), and per (code, decoder) the fitted Λ, the
projected distance and footprint for a target, and the noise-scale threshold, each with a
parametric-bootstrap interval (``qec.stats.resample_per_round``: every row's errors redrawn
binomially, the fits repeated).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from qec.codes import allowed_distances, memory_experiment
from qec.stats import (
    LogicalRate,
    fit_suppression,
    resample_per_round,
    threshold_crossing,
)

__all__ = ["CodeSummary", "CompareRow", "noise_scale_threshold", "per_logical", "summarize"]

_THRESHOLD_REPLICATES = 500


@functools.lru_cache(maxsize=64)
def _resources(code: str, distance: int, data_noise: Any) -> dict[str, int]:
    """A code's resources at a distance, built once per (code, d, data noise).

    A projected d of ~150 builds a 5·10⁴-qubit circuit in ~1 s; several decoders and both ends of
    a range ask for the same one. Read-only: the cached dict is shared.
    """
    if code == "gkp-surface":
        # the same qubits as the surface code, counted as GKP modes; building the stim model at
        # a projected d ~ 100 would compute every binning's variance on a dense (rows × qubits)
        # array (minutes, gigabytes) for figures that do not depend on the noise
        import dataclasses

        exp = memory_experiment("surface", distance=distance, rounds=1)
        return dataclasses.replace(exp, code=code, bosonic_ancillas=getattr(
            data_noise, "ancilla", "gkp") == "gkp").resources
    return memory_experiment(code, distance=distance, rounds=1, data_noise=data_noise).resources


def per_logical(eps_block: float, k: int) -> float:
    """Per-logical-qubit error of a block of k logical qubits: 1 − (1 − ε_block)^(1/k).

    Args:
        eps_block: probability that any of the block's k logical qubits fails (per round or per
            shot), in [0, 1].
        k: logical qubits in the block, >= 1.

    Returns:
        ε_L in [0, 1]; ε_block itself for k = 1.

    Example:
        >>> f"{per_logical(0.12, 12):.4f}"
        '0.0106'
    """
    if k == 1 or eps_block <= 0:
        return float(eps_block)
    return float(-math.expm1(math.log1p(-min(eps_block, 1.0)) / k)) if eps_block < 1 else 1.0


@dataclass(frozen=True)
class CompareRow:
    """One (code, distance, decoder, basis) point.

    Attributes:
        code: code name.
        distance: code distance.
        decoder: decoder name.
        basis: memory basis, "Z" or "X".
        rounds: rounds per shot.
        rate: counts, per-shot and per-round rates with intervals.
        qubits: physical qubits of the code block.
        modes: bosonic modes of the code block.
        seconds: decoding + sampling CPU seconds sinter spent on it.
        logical_qubits: logical qubits k the block encodes (1 but for ``"bb"``).
        remote_gates_per_round: photon-mediated two-qubit gates per round of the block.
    """

    code: str
    distance: int
    decoder: str
    basis: str
    rounds: int
    rate: LogicalRate
    qubits: int
    modes: int
    seconds: float
    logical_qubits: int = 1
    remote_gates_per_round: int = 0

    @property
    def per_logical(self) -> float:
        """Per-round logical error per logical qubit (``per_logical`` of the block's)."""
        return per_logical(self.rate.per_round, self.logical_qubits)

    @property
    def per_logical_ci(self) -> tuple[float, float]:
        """The 95 % interval of ``per_logical`` (the block's interval, mapped monotonically)."""
        lo, hi = self.rate.per_round_ci
        return per_logical(lo, self.logical_qubits), per_logical(hi, self.logical_qubits)

    def to_json(self) -> dict[str, Any]:
        """The row as JSON-ready data (keys of the ``results`` list of ``--json``)."""
        k = self.logical_qubits
        return {
            "code": self.code, "distance": self.distance, "decoder": self.decoder,
            "basis": self.basis, "rounds": self.rounds, "shots": self.rate.shots,
            "errors": self.rate.errors, "ler_per_shot": self.rate.per_shot,
            "ler_per_round": self.rate.per_round, "ler_ci": list(self.rate.per_round_ci),
            "qubits": self.qubits, "modes": self.modes, "seconds": self.seconds,
            "logical_qubits": k, "ler_per_round_per_logical": self.per_logical,
            "ler_per_logical_ci": list(self.per_logical_ci),
            "qubits_per_logical": self.qubits / k, "modes_per_logical": self.modes / k,
            "remote_gates_per_round": self.remote_gates_per_round,
            "remote_gates_per_round_per_logical": self.remote_gates_per_round / k,
        }


@dataclass(frozen=True)
class CodeSummary:
    """Per (code, decoder): suppression, projection for the target and threshold.

    Attributes:
        code: code name.
        decoder: decoder name.
        ler_by_distance: distance → per-round logical error of the block, summed over the
            bases run.
        lam: fitted Λ (suppression per distance step of 2), None if not fittable.
        prefactor: A of the fit ε_d = A / Λ^((d+1)/2) (per logical qubit), None if not
            fittable.
        target: target per-round logical error *per logical qubit*.
        projected_distance: smallest distance reaching ``target`` (odd for a family code; a
            known instance for a fixed-instance code), None if unreachable.
        projected_qubits: physical qubits of the block at ``projected_distance``.
        projected_modes: bosonic modes of the block at ``projected_distance``.
        threshold_scale: noise scale (× the device's noise) where the smallest and largest
            distance cross; None if no threshold sweep was asked or no crossing was found.
        lam_by_basis: Λ fitted per memory basis. The projection asks every basis to reach
            target / (number of bases); a basis whose error does not fall with d (Λ ≤ 1, e.g.
            the cat code's bit-flip and readout floor) makes the target unreachable (None).
        logical_qubits: logical qubits k per block.
        ler_per_logical_by_distance: distance → per-round error per logical qubit
            (``per_logical`` of ``ler_by_distance``).
        projected_remote_gates_per_round: photon-mediated gates per round of the block at
            ``projected_distance``.
        lam_interval: 95 % parametric-bootstrap interval of ``lam`` (the counts redrawn
            binomially, the fit repeated), None if not fittable.
        projected_distance_range: 95 % bootstrap range (low, high) of ``projected_distance``;
            high None: the target is unreachable in more than 2.5 % of the replicates.
        projected_qubits_range: block qubits at the two ends of ``projected_distance_range``.
        threshold_interval: 95 % bootstrap interval of ``threshold_scale``.
    """

    code: str
    decoder: str
    ler_by_distance: dict[int, float]
    lam: float | None
    prefactor: float | None
    target: float
    projected_distance: int | None
    projected_qubits: int | None
    projected_modes: int | None
    threshold_scale: float | None = None
    lam_by_basis: dict[str, float] = field(default_factory=dict)
    logical_qubits: int = 1
    ler_per_logical_by_distance: dict[int, float] = field(default_factory=dict)
    projected_remote_gates_per_round: int | None = None
    lam_interval: tuple[float, float] | None = None
    projected_distance_range: tuple[int | None, int | None] = (None, None)
    projected_qubits_range: tuple[int | None, int | None] = (None, None)
    threshold_interval: tuple[float, float] | None = None

    @property
    def projected_qubits_per_logical(self) -> float | None:
        """Physical qubits per logical qubit at the projected distance (the footprint)."""
        return None if self.projected_qubits is None else self.projected_qubits / \
            self.logical_qubits

    @property
    def projected_modes_per_logical(self) -> float | None:
        """Bosonic modes per logical qubit at the projected distance."""
        return None if self.projected_modes is None else self.projected_modes / \
            self.logical_qubits

    @property
    def projected_remote_gates_per_logical(self) -> float | None:
        """Photon-mediated gates per round per logical qubit at the projected distance."""
        g = self.projected_remote_gates_per_round
        return None if g is None else g / self.logical_qubits

    def to_json(self) -> dict[str, Any]:
        """The summary as JSON-ready data (one item of ``summary`` in ``--json``)."""
        out = asdict(self)
        out["ler_by_distance"] = {str(k): v for k, v in self.ler_by_distance.items()}
        out["ler_per_logical_by_distance"] = {
            str(k): v for k, v in self.ler_per_logical_by_distance.items()}
        out["projected_qubits_per_logical"] = self.projected_qubits_per_logical
        out["projected_modes_per_logical"] = self.projected_modes_per_logical
        out["projected_remote_gates_per_round_per_logical"] = \
            self.projected_remote_gates_per_logical
        return out


def _projection(code: str, fit, target: float) -> int | None:
    """Smallest distance (a known instance, for a fixed-instance code) the fit puts ≤ target."""
    allowed = allowed_distances(code)
    if allowed is None:
        return fit.distance_for(target)
    if not (fit.lam > 1 and target > 0):
        return None
    return next((d for d in sorted(allowed) if fit.predict(d) <= target), None)


def _project(code: str, by_basis: dict[str, dict[int, float]], target: float,
             ) -> tuple[int | None, dict[str, float]]:
    """Projected distance from per-basis, per-distance ε per logical qubit (and Λ per basis)."""
    lam_by_basis: dict[str, float] = {}
    d_star: int | None = None
    reachable = True
    fitted = False
    for basis, pts in by_basis.items():
        fb = fit_suppression(list(pts), list(pts.values()))
        if fb is None:  # no errors at ≥ 2 distances: this basis is below detection
            continue
        fitted = True
        lam_by_basis[basis] = fb.lam
        db = _projection(code, fb, target / len(by_basis))
        if db is None:
            reachable = False
        else:
            d_star = max(d_star or 0, db)
    return (d_star if reachable and fitted else None), lam_by_basis


def summarize(code: str, dec: str, rows: Sequence[CompareRow], bases: Sequence[str],
              target: float, data_noise, sweep_rows, d_lo: int, d_hi: int,
              rng: np.random.Generator, replicates: int) -> CodeSummary:
    """One (code, decoder)'s summary from the comparison's rows.

    Args:
        code: the code.
        dec: the decoder.
        rows: every row of the comparison (the others are ignored).
        bases: the memory bases run.
        target: per-round error per logical qubit to project to.
        data_noise: the code's data noise (for the resources at the projected distance).
        sweep_rows: ``(scale, row)`` of the noise-scale sweep (empty: no threshold).
        d_lo: smallest distance run (threshold sweep).
        d_hi: largest distance run.
        rng: the bootstrap's generator.
        replicates: bootstrap replicates.

    Returns:
        The summary, every derived figure with its 95 % interval.
    """
    mine = [r for r in rows if r.code == code and r.decoder == dec]
    k = mine[0].logical_qubits if mine else 1
    by_d: dict[int, float] = {}
    for r in mine:
        by_d[r.distance] = by_d.get(r.distance, 0.0) + r.rate.per_round
    by_d_logical = {d: per_logical(e, k) for d, e in by_d.items()}
    fit = fit_suppression(list(by_d_logical), list(by_d_logical.values()))

    def by_basis_of(eps: Sequence[float]) -> dict[str, dict[int, float]]:
        out: dict[str, dict[int, float]] = {b: {} for b in bases}
        for r, e in zip(mine, eps, strict=True):
            out[r.basis][r.distance] = per_logical(float(e), k)
        return out

    d_star, lam_by_basis = _project(code, by_basis_of([r.rate.per_round for r in mine]), target)
    if fit is None:
        d_star = None

    # parametric bootstrap: every row's errors redrawn, the fit and projection repeated
    lam_iv = None
    d_range: tuple[int | None, int | None] = (None, None)
    if mine and fit is not None:
        boot = resample_per_round([r.rate for r in mine], rng=rng, replicates=replicates)
        lams, dists = [], []
        for eps in boot:
            blk: dict[int, float] = {}
            for r, e in zip(mine, eps, strict=True):
                blk[r.distance] = blk.get(r.distance, 0.0) + float(e)
            f = fit_suppression(list(blk), [per_logical(e, k) for e in blk.values()])
            lams.append(f.lam if f else math.nan)
            dists.append(_project(code, by_basis_of(eps), target)[0] if f else None)
        ok = np.array([x for x in lams if math.isfinite(x)])
        if len(ok) >= replicates // 2:
            lo, hi = np.percentile(ok, [2.5, 97.5])
            lam_iv = (float(lo), float(hi))
        reach = sorted(d for d in dists if d is not None)
        n_out = len(dists) - len(reach)  # unreachable replicates count as infinite distance
        low = reach[int(0.025 * len(dists))] if int(0.025 * len(dists)) < len(reach) else None
        q_hi = int(math.ceil(0.975 * len(dists))) - 1
        high = None if q_hi >= len(reach) or n_out > 0.025 * len(dists) else reach[q_hi]
        d_range = (low, high)

    def resources_at(d: int | None) -> dict[str, int] | None:
        return None if d is None else _resources(code, d, data_noise)

    res = resources_at(d_star)
    q_star = m_star = g_star = None
    if res is not None:
        q_star, m_star, g_star = res["qubits"], res["modes"], res["remote_gates_per_round"]
    q_range = tuple(None if (x := resources_at(d)) is None else x["qubits"] for d in d_range)
    th, th_iv = (noise_scale_threshold(sweep_rows, code, dec, d_lo, d_hi, rng)
                 if sweep_rows else (None, None))
    return CodeSummary(code, dec, by_d, fit.lam if fit else None, fit.prefactor if fit else None,
                       target, d_star, q_star, m_star, th, lam_by_basis, k, by_d_logical, g_star,
                       lam_iv, d_range, q_range, th_iv)


def noise_scale_threshold(sweep_rows, code: str, dec: str, d_lo: int, d_hi: int,
                          rng: np.random.Generator
                          ) -> tuple[float | None, tuple[float, float] | None]:
    """Crossing of the smallest and largest distance (bases summed per scale), with interval.

    Returns:
        (the crossing noise scale or None, its 95 % bootstrap interval or None when fewer than
        half of the replicates cross).
    """
    if d_lo == d_hi:
        return None, None
    curves: dict[int, dict[float, list[LogicalRate]]] = {d_lo: {}, d_hi: {}}
    for scale, r in sweep_rows:
        if r.code == code and r.decoder == dec and r.distance in curves:
            curves[r.distance].setdefault(scale, []).append(r.rate)
    scales = sorted(set(curves[d_lo]) & set(curves[d_hi]))
    if len(scales) < 2:
        return None, None

    def curve(d: int) -> tuple[list[float], np.ndarray]:
        # the bases' per-round rates add; each basis redrawn on its own counts
        point = [sum(x.per_round for x in curves[d][sc]) for sc in scales]
        boot = np.zeros((_THRESHOLD_REPLICATES, len(scales)))
        for j, sc in enumerate(scales):
            boot[:, j] = resample_per_round(curves[d][sc], rng=rng,
                                            replicates=_THRESHOLD_REPLICATES).sum(axis=1)
        return point, boot

    (a, boot_a), (b, boot_b) = curve(d_lo), curve(d_hi)
    value = threshold_crossing(scales, a, b)
    found = [c for i in range(_THRESHOLD_REPLICATES)
             if (c := threshold_crossing(scales, boot_a[i], boot_b[i])) is not None]
    if len(found) < _THRESHOLD_REPLICATES // 2:
        return value, None
    lo, hi = np.percentile(found, [2.5, 97.5])
    return value, (float(lo), float(hi))
