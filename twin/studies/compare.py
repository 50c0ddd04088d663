"""Code comparison on one device: logical error, Λ, threshold and resources per code.

Every code × distance × decoder → logical error per round, Λ, a threshold (noise-scale)
estimate and the distance and resources projected for a target.

Codes compare *per logical qubit*: a block that encodes k logical qubits (the ``"bb"`` codes, k =
12 or 8) fails per round with ε_block (any of its k observables flipped), and its per-logical
figure is ε_L = 1 − (1 − ε_block)^(1/k) (the per-qubit rate that, independent over k qubits,
gives ε_block; ≈ ε_block/k), beside qubits, bosonic modes and remote (photon-mediated) gates per
round divided by k. The target is per logical qubit per round, so 12 surface patches and one
gross-code block are held to the same standard.

Distances: a family code (surface, XZZX, repetition, colour, GKP) runs the odd distances asked
for; a code that comes in fixed instances (``qec.codes.allowed_distances``: ``"bb"`` at 6, 10,
12) runs the asked distances it has, or else ``FIXED_INSTANCE_DEFAULTS``. Its projection picks
the smallest *known* instance that reaches the target (None beyond the largest).

The device goes through ``physics`` once (``extract_operations``); ``twin.device.noise_map``
turns it into each code's noise; ``qec`` builds, samples (sinter) and decodes.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from physics.device import Device
from physics.operations import extract_operations
from qec.codes import CODES, allowed_distances, memory_experiment
from qec.decoders import check_decoder, decoder_names, decodes_code, parse_decoder
from qec.decoders.bposd import BRAVYI_DECODER
from qec.montecarlo import make_task
from qec.stats import (
    LogicalRate,
    fit_suppression,
    logical_rate,
    resample_per_round,
    threshold_crossing,
)
from twin.device.noise_map import code_noise
from twin.executor import ExecutorSpec
from twin.studies.collect import DEFAULT_CHUNK_SHOTS, collect
from twin.validation import check_name

__all__ = ["DEFAULT_DECODERS", "FIXED_INSTANCE_DEFAULTS", "CodeSummary", "CompareResult",
           "CompareRow", "code_decoders", "code_distances", "default_codes", "per_logical",
           "run_compare", "validate_grid"]

BASES = ("Z", "X")

DEFAULT_DECODERS: dict[str, tuple[str, ...]] = {
    "color": ("chromobius",),
    "bb": (BRAVYI_DECODER,),
}
"""Decoders a code runs with when none are named (every other code: ``("mwpm",
"mwpm-erasure")``): the colour code's Möbius decoder; for the BB codes' hyperedges BP+OSD with
Bravyi et al.'s settings (``qec.decoders.bposd.BRAVYI_DECODER``)."""

_FAMILY_DECODERS = ("mwpm", "mwpm-erasure")

_THRESHOLD_REPLICATES = 500

FIXED_INSTANCE_DEFAULTS: dict[str, tuple[int, ...]] = {"bb": (6, 12)}
"""Instances a fixed-instance code runs when none of the asked distances is one of its own:
[[72,12,6]] and the gross code [[144,12,12]]."""


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


def code_distances(code: str, distances: Sequence[int]) -> tuple[int, ...]:
    """The distances ``run_compare`` runs for ``code`` out of the asked ``distances``.

    Args:
        code: a code name.
        distances: the asked distances.

    Returns:
        The odd ones >= 3 for a family code; for a fixed-instance code the asked ones it has,
        or else its ``FIXED_INSTANCE_DEFAULTS``.
    """
    allowed = allowed_distances(code)
    if allowed is None:
        return tuple(d for d in distances if d >= 3 and d % 2 == 1)
    own = tuple(d for d in distances if d in allowed)
    return own or FIXED_INSTANCE_DEFAULTS.get(code, allowed[:1])


def code_decoders(code: str, decoders: Sequence[str] | None) -> tuple[str, ...]:
    """The decoders ``run_compare`` runs ``code`` with.

    Args:
        code: a code name.
        decoders: the named decoders, or None for the code's defaults (``DEFAULT_DECODERS``,
            else mwpm and mwpm-erasure).

    Returns:
        Those of them that decode ``code`` (``qec.decoders.decodes_code``).
    """
    if decoders is None:
        decoders = DEFAULT_DECODERS.get(code, _FAMILY_DECODERS)
    return tuple(d for d in decoders if decodes_code(d, code))


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


@dataclass(frozen=True)
class CompareResult:
    """Everything ``quantacore compare`` reports.

    Attributes:
        rows: one per (code, distance, decoder, basis).
        summaries: one per (code, decoder).
        figures: the device's extracted figures.
        threshold_rows: rows of the noise-scale sweep (if asked), with ``scale`` in metadata.
    """

    rows: tuple[CompareRow, ...]
    summaries: tuple[CodeSummary, ...]
    figures: dict[str, float] = field(default_factory=dict)
    threshold_rows: tuple[tuple[float, CompareRow], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """One JSON object: ``results`` (rows), ``summary``, ``threshold_sweep``, ``figures``."""
        return {
            "results": [r.to_json() for r in self.rows],
            "summary": [s.to_json() for s in self.summaries],
            "threshold_sweep": [{"scale": s, **r.to_json()} for s, r in self.threshold_rows],
            "figures": self.figures,
        }


def validate_grid(*, codes: Sequence[str], distances: Sequence[int],
                  decoders: Sequence[str] | None, bases: Sequence[str]) -> None:
    """Check names and distances before any work starts.

    Args:
        codes: code names.
        distances: asked distances: odd integers >= 3 for the family codes, and any of the
            fixed-instance codes' own (``qec.codes.allowed_distances``).
        decoders: decoder names, or None for each code's defaults.
        bases: memory bases.

    Raises:
        ValueError: naming the bad value and the allowed ones, a code that none of the
            decoders decodes (``qec.decoders.decodes_code``), or a family code left with no
            odd distance.
    """
    for code in codes:
        check_name("code", code, CODES)
    names = decoder_names()
    for dec in decoders or ():
        check_name("decoder", parse_decoder(dec)[0], names)
        check_decoder(dec)
    for code in codes:
        if not code_decoders(code, decoders):
            fits = [n for n in names if decodes_code(n, code)]
            raise ValueError(f"code = {code!r}: none of the decoders {', '.join(decoders or ())} "
                             f"decodes it; add one of {', '.join(fits)}")
    fixed = {d for c in codes for d in (allowed_distances(c) or ())}
    for d in distances:
        if isinstance(d, bool) or not isinstance(d, int) or d < 3 or (d % 2 == 0
                                                                      and d not in fixed):
            extra = f" (or one of {', '.join(map(str, sorted(fixed)))} for the BB codes)" \
                if fixed else ""
            raise ValueError(f"distance = {d!r}: must be an odd integer >= 3{extra}")
    for code in codes:
        if not code_distances(code, distances):
            raise ValueError(f"code = {code!r}: none of the distances "
                             f"{', '.join(map(str, distances))} is odd: add an odd distance >= 3")
    for b in bases:
        check_name("basis", b, BASES)


def default_codes(decoders: Sequence[str] | None) -> tuple[str, ...]:
    """The codes ``compare`` runs when none are named, in ``CODES`` order.

    Args:
        decoders: named decoders, or None (each code with its defaults: every code).

    Returns:
        Every code that one of ``decoders`` decodes (every code when ``decoders`` is None).
    """
    if decoders is None:
        return CODES
    return tuple(c for c in CODES if any(decodes_code(d, c) for d in decoders))


def _experiment(code: str, d: int, rounds: int, basis: str, data_noise):
    return memory_experiment(code, distance=d, rounds=rounds, basis=basis, data_noise=data_noise)


def _projection(code: str, fit, target: float) -> int | None:
    """Smallest distance (a known instance, for a fixed-instance code) the fit puts ≤ target."""
    allowed = allowed_distances(code)
    if allowed is None:
        return fit.distance_for(target)
    if not (fit.lam > 1 and target > 0):
        return None
    return next((d for d in sorted(allowed) if fit.predict(d) <= target), None)


def run_compare(
    device: Device,
    *,
    codes: Sequence[str] | None = None,
    distances: Sequence[int] = (3, 5),
    decoders: Sequence[str] | None = None,
    bases: Sequence[str] = BASES,
    rounds: int | None = None,
    max_shots: int = 20_000,
    max_errors: int = 200,
    workers: int = 1,
    target: float = 1e-9,
    threshold_scales: Sequence[float] = (),
    save_resume: str | None = None,
    progress: Callable[[str], None] | None = None,
    seed: int = 0,
    chunk_shots: int | None = None,
    executor: ExecutorSpec | None = None,
    replicates: int = 1000,
) -> CompareResult:
    """Compare codes and decoders on ``device``.

    Sampling is deterministic: every task runs in seeded chunks (``twin.studies.collect``), so
    the same arguments give the same counts, in any process or on any executor, and a run
    killed and resumed from ``save_resume`` ends with the same totals.

    Args:
        device: the device (reference device with overrides).
        codes: code names (``qec.codes.CODES``); None: every code that one of ``decoders``
            decodes (every code when ``decoders`` is None). A (code, decoder) pair where the
            decoder cannot decode the code (``qec.decoders.decodes_code``: ``chromobius``
            decodes only ``"color"``, the matching decoders neither ``"color"`` nor ``"bb"``)
            is skipped.
        distances: odd distances ≥ 3 for the family codes; a fixed-instance code (``"bb"``)
            runs the ones it has (6, 10, 12), or else ``FIXED_INSTANCE_DEFAULTS``.
        decoders: registered decoder names (``qec.decoders.decoder_names()``); None: each
            code's own (``DEFAULT_DECODERS``; mwpm and mwpm-erasure for the others).
        bases: memory bases to run; the per-round error of a (code, distance, decoder) is the
            sum over the bases run.
        rounds: rounds per shot; None uses ``distance`` rounds.
        max_shots: shot budget per task.
        max_errors: stop a task after this many logical errors (the relative half-width of a
            rate's 95 % interval is then about 1.96/√max_errors).
        workers: worker processes (used when ``executor`` is None).
        target: target per-round logical error per logical qubit for the projection.
        threshold_scales: if given, also sweep the device's noise scaled by these factors at
            the smallest and largest distance and report where they cross.
        save_resume: sinter-format CSV to append to and resume from (None: a temporary file).
        progress: called with one-line progress messages (at most one a second).
        seed: the sampling seed (≥ 0), which also seeds the bootstrap of the intervals.
        chunk_shots: shots per seeded chunk (≥ 1); None: a tenth of ``max_shots``, between
            100 and ``twin.studies.collect.DEFAULT_CHUNK_SHOTS`` (a task stops at the first
            chunk that reaches ``max_errors``, so smaller chunks stop closer to it).
        executor: where chunks run (default: ``workers`` local processes).
        replicates: bootstrap replicates for the intervals of Λ, the projection and the
            threshold (≥ 100).

    Returns:
        The rows, per-(code, decoder) summaries and the device's figures.
    """
    if codes is None:
        codes = default_codes(decoders)
    validate_grid(codes=codes, distances=distances, decoders=decoders, bases=bases)
    if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 100:
        raise ValueError(f"replicates = {replicates!r}: must be an integer >= 100")
    spec = executor or ExecutorSpec(workers=workers)
    chunk = chunk_shots if chunk_shots is not None else \
        max(100, min(DEFAULT_CHUNK_SHOTS, max_shots // 10))
    say = progress or (lambda _msg: None)
    say("extracting the device's channels (physics)...")
    ext = extract_operations(device)
    noise = {code: code_noise(ext, code) for code in codes}

    def tasks_for(scale: float, ends: bool):
        out, meta = [], {}
        for code in codes:
            model, data_noise = noise[code]
            model = model.scaled(scale) if scale != 1 else model
            dn = data_noise.scaled(scale) if (data_noise is not None and scale != 1) else data_noise
            ds = code_distances(code, distances)
            for d in sorted({min(ds), max(ds)}) if ends else ds:
                r = rounds or d
                for basis in bases:
                    exp = _experiment(code, d, r, basis, dn)
                    circuit = model.noisy_circuit(exp.circuit, local_pairs=exp.local_pairs)
                    for dec in code_decoders(code, decoders):
                        md = {"code": code, "distance": d, "rounds": r, "basis": basis,
                              "decoder": dec, "scale": scale}
                        out.append(make_task(circuit, decoder=dec, json_metadata=md,
                                             decompose=allowed_distances(code) is None))
                        meta[(code, d, basis, dec, scale)] = exp.resources
        return out, meta

    def rows_from(stats, meta) -> list[tuple[float, CompareRow]]:
        rows = []
        for st in stats:
            md = st.json_metadata
            res = meta[(md["code"], md["distance"], md["basis"], md["decoder"], md["scale"])]
            rate = logical_rate(shots=st.shots, errors=st.errors, rounds=md["rounds"])
            rows.append((md["scale"], CompareRow(
                md["code"], md["distance"], md["decoder"], md["basis"], md["rounds"], rate,
                res["qubits"], res["modes"], float(st.seconds), res["logical_qubits"],
                res["remote_gates_per_round"])))
        rows.sort(key=lambda sr: (sr[0], codes.index(sr[1].code), sr[1].decoder,
                                  sr[1].distance, sr[1].basis))
        return rows

    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(save_resume) if save_resume else Path(tmp) / "compare.csv"

        def run(tasks):
            return collect(tasks, csv_path=csv_path, max_shots=max_shots,
                           max_errors=max_errors, seed=seed,
                           chunk_shots=chunk, spec=spec,
                           progress=progress)

        tasks, meta = tasks_for(1.0, False)
        say(f"sampling and decoding {len(tasks)} tasks, {spec.describe()}, seed {seed}...")
        rows = [r for _, r in rows_from(run(tasks), meta)]

        sweep_rows: list[tuple[float, CompareRow]] = []
        if threshold_scales:
            sweep_tasks, sweep_meta = [], {}
            for sc in threshold_scales:
                t, m = tasks_for(float(sc), True)
                sweep_tasks += t
                sweep_meta.update(m)
            say(f"threshold sweep: {len(sweep_tasks)} tasks...")
            sweep_rows = rows_from(run(sweep_tasks), sweep_meta)

    rng = np.random.default_rng([seed, 0x51A7])
    summaries = []
    for code in codes:
        ds = code_distances(code, distances)
        for dec in code_decoders(code, decoders):
            summaries.append(_summary(code, dec, rows, bases, target, noise[code][1],
                                      sweep_rows, min(ds), max(ds), rng, replicates))
    return CompareResult(tuple(rows), tuple(summaries), dict(ext.figures), tuple(sweep_rows))


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


def _summary(code: str, dec: str, rows: Sequence[CompareRow], bases: Sequence[str],
             target: float, data_noise, sweep_rows, d_lo: int, d_hi: int,
             rng: np.random.Generator, replicates: int) -> CodeSummary:
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
        if d is None:
            return None
        return memory_experiment(code, distance=d, rounds=1, data_noise=data_noise).resources

    res = resources_at(d_star)
    q_star = m_star = g_star = None
    if res is not None:
        q_star, m_star, g_star = res["qubits"], res["modes"], res["remote_gates_per_round"]
    q_range = tuple(None if (x := resources_at(d)) is None else x["qubits"] for d in d_range)
    th, th_iv = _threshold(sweep_rows, code, dec, d_lo, d_hi, rng) if sweep_rows else (None, None)
    return CodeSummary(code, dec, by_d, fit.lam if fit else None, fit.prefactor if fit else None,
                       target, d_star, q_star, m_star, th, lam_by_basis, k, by_d_logical, g_star,
                       lam_iv, d_range, q_range, th_iv)


def _threshold(sweep_rows, code: str, dec: str, d_lo: int, d_hi: int,
               rng: np.random.Generator) -> tuple[float | None, tuple[float, float] | None]:
    """Crossing of the smallest and largest distance (bases summed per scale), with interval."""
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
