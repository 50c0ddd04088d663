"""Code comparison on one device: logical error, Λ, threshold and resources per code.

Every code × distance × decoder → logical error per round, Λ, a threshold (noise-scale)
estimate and the distance and resources projected for a target.

The device goes through ``physics`` once (``extract_operations``); ``twin.device.noise_map``
turns it into each code's noise; ``qec`` builds, samples (sinter) and decodes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from physics.device import Device
from physics.operations import extract_operations
from qec.codes import CODES, allowed_distances, memory_experiment
from qec.decoders import decoder_names, decodes_code
from qec.montecarlo import collect, make_task
from qec.stats import LogicalRate, fit_suppression, logical_rate, threshold_crossing
from twin.device.noise_map import code_noise
from twin.validation import check_name

__all__ = ["CodeSummary", "CompareResult", "CompareRow", "default_codes", "run_compare",
           "validate_grid"]

BASES = ("Z", "X")


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
        qubits: physical qubits of the logical qubit.
        modes: bosonic modes of the logical qubit.
        seconds: decoding + sampling CPU seconds sinter spent on it.
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

    def to_json(self) -> dict[str, Any]:
        """The row as JSON-ready data (keys of the ``results`` list of ``--json``)."""
        return {
            "code": self.code, "distance": self.distance, "decoder": self.decoder,
            "basis": self.basis, "rounds": self.rounds, "shots": self.rate.shots,
            "errors": self.rate.errors, "ler_per_shot": self.rate.per_shot,
            "ler_per_round": self.rate.per_round, "ler_ci": list(self.rate.per_round_ci),
            "qubits": self.qubits, "modes": self.modes, "seconds": self.seconds,
        }


@dataclass(frozen=True)
class CodeSummary:
    """Per (code, decoder): suppression, projection for the target and threshold.

    Attributes:
        code: code name.
        decoder: decoder name.
        ler_by_distance: distance → per-round logical error summed over the bases run.
        lam: fitted Λ (suppression per distance step of 2), None if not fittable.
        prefactor: A of the fit ε_d = A / Λ^((d+1)/2), None if not fittable.
        target: target per-round logical error.
        projected_distance: smallest odd distance reaching ``target``, None if unreachable.
        projected_qubits: physical qubits at ``projected_distance``.
        projected_modes: bosonic modes at ``projected_distance``.
        threshold_scale: noise scale (× the device's noise) where the smallest and largest
            distance cross; None if no threshold sweep was asked or no crossing was found.
        lam_by_basis: Λ fitted per memory basis. The projection asks every basis to reach
            target / (number of bases); a basis whose error does not fall with d (Λ ≤ 1, e.g.
            the cat code's bit-flip and readout floor) makes the target unreachable (None).
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
            "summary": [
                {**asdict(s), "ler_by_distance": {str(k): v for k, v in
                                                  s.ler_by_distance.items()}}
                for s in self.summaries
            ],
            "threshold_sweep": [{"scale": s, **r.to_json()} for s, r in self.threshold_rows],
            "figures": self.figures,
        }


def validate_grid(*, codes: Sequence[str], distances: Sequence[int],
                  decoders: Sequence[str], bases: Sequence[str]) -> None:
    """Check names and distances before any work starts.

    Raises:
        ValueError: naming the bad value and the allowed ones, or a code that none of the
            decoders decodes (``qec.decoders.decodes_code``).
    """
    for code in codes:
        check_name("code", code, CODES)
    names = decoder_names()
    for dec in decoders:
        check_name("decoder", dec, names)
    for code in codes:
        if not any(decodes_code(dec, code) for dec in decoders):
            fits = [n for n in names if decodes_code(n, code)]
            raise ValueError(f"code = {code!r}: none of the decoders {', '.join(decoders)} "
                             f"decodes it; add one of {', '.join(fits)}")
    for d in distances:
        if isinstance(d, bool) or not isinstance(d, int) or d < 3 or d % 2 == 0:
            raise ValueError(f"distance = {d!r}: must be an odd integer >= 3")
    for b in bases:
        check_name("basis", b, BASES)


def default_codes(decoders: Sequence[str]) -> tuple[str, ...]:
    """Every code of ``qec.codes.CODES`` that one of ``decoders`` decodes, in ``CODES`` order.

    Codes that come in fixed instances (``qec.codes.allowed_distances`` not None: ``"bb"``)
    are left out: the distance grid here is odd distances; ask for them by name.
    """
    return tuple(c for c in CODES if allowed_distances(c) is None
                 and any(decodes_code(d, c) for d in decoders))


def _experiment(code: str, d: int, rounds: int, basis: str, data_noise):
    return memory_experiment(code, distance=d, rounds=rounds, basis=basis, data_noise=data_noise)


def run_compare(
    device: Device,
    *,
    codes: Sequence[str] | None = None,
    distances: Sequence[int] = (3, 5),
    decoders: Sequence[str] = ("mwpm",),
    bases: Sequence[str] = BASES,
    rounds: int | None = None,
    max_shots: int = 20_000,
    max_errors: int = 200,
    workers: int = 1,
    target: float = 1e-9,
    threshold_scales: Sequence[float] = (),
    save_resume: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> CompareResult:
    """Compare codes and decoders on ``device``.

    Args:
        device: the device (reference device with overrides).
        codes: code names (``qec.codes.CODES``); None: every code that one of ``decoders``
            decodes. A (code, decoder) pair where the decoder cannot decode the code
            (``qec.decoders.decodes_code``: ``chromobius`` decodes only ``"color"``, the
            matching decoders not ``"color"``) is skipped.
        distances: odd distances ≥ 3.
        decoders: registered decoder names (``qec.decoders.decoder_names()``).
        bases: memory bases to run; the per-round error of a (code, distance, decoder) is the
            sum over the bases run.
        rounds: rounds per shot; None uses ``distance`` rounds.
        max_shots: shot budget per task.
        max_errors: stop a task after this many logical errors.
        workers: sinter worker processes.
        target: target per-round logical error for the projection.
        threshold_scales: if given, also sweep the device's noise scaled by these factors at
            the smallest and largest distance and report where they cross.
        save_resume: sinter CSV to append to and resume from.
        progress: called with one-line progress messages.

    Returns:
        The rows, per-(code, decoder) summaries and the device's figures.
    """
    if codes is None:
        codes = default_codes(decoders)
    validate_grid(codes=codes, distances=distances, decoders=decoders, bases=bases)
    say = progress or (lambda _msg: None)
    say("extracting the device's channels (physics)...")
    ext = extract_operations(device)
    noise = {code: code_noise(ext, code) for code in codes}

    def tasks_for(scale: float, ds: Sequence[int]):
        out, meta = [], {}
        for code in codes:
            model, data_noise = noise[code]
            model = model.scaled(scale) if scale != 1 else model
            dn = data_noise.scaled(scale) if (data_noise is not None and scale != 1) else data_noise
            for d in ds:
                r = rounds or d
                for basis in bases:
                    exp = _experiment(code, d, r, basis, dn)
                    circuit = model.noisy_circuit(exp.circuit)
                    for dec in decoders:
                        if not decodes_code(dec, code):
                            continue
                        md = {"code": code, "distance": d, "rounds": r, "basis": basis,
                              "decoder": dec, "scale": scale}
                        out.append(make_task(circuit, decoder=dec, json_metadata=md))
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
                res["qubits"], res["modes"], float(st.seconds))))
        rows.sort(key=lambda sr: (sr[0], codes.index(sr[1].code), sr[1].decoder,
                                  sr[1].distance, sr[1].basis))
        return rows

    tasks, meta = tasks_for(1.0, distances)
    say(f"sampling and decoding {len(tasks)} tasks on {workers} worker(s)...")
    stats = collect(tasks, num_workers=workers, max_shots=max_shots, max_errors=max_errors,
                    save_resume_filepath=save_resume, print_progress=progress is not None)
    rows = [r for _, r in rows_from(stats, meta)]

    sweep_rows: list[tuple[float, CompareRow]] = []
    if threshold_scales:
        ends = sorted({min(distances), max(distances)})
        sweep_tasks, sweep_meta = [], {}
        for s in threshold_scales:
            t, m = tasks_for(float(s), ends)
            sweep_tasks += t
            sweep_meta.update(m)
        say(f"threshold sweep: {len(sweep_tasks)} tasks...")
        sweep_stats = collect(sweep_tasks, num_workers=workers, max_shots=max_shots,
                              max_errors=max_errors, save_resume_filepath=save_resume,
                              print_progress=progress is not None)
        sweep_rows = rows_from(sweep_stats, sweep_meta)

    summaries = []
    for code in codes:
        for dec in decoders:
            if not decodes_code(dec, code):
                continue
            by_d: dict[int, float] = {}
            for r in rows:
                if r.code == code and r.decoder == dec:
                    by_d[r.distance] = by_d.get(r.distance, 0.0) + r.rate.per_round
            fit = fit_suppression(list(by_d), list(by_d.values()))
            lam = fit.lam if fit else None
            lam_by_basis: dict[str, float] = {}
            d_star: int | None = None
            reachable = fit is not None
            for basis in bases:
                pts = [(r.distance, r.rate.per_round) for r in rows
                       if r.code == code and r.decoder == dec and r.basis == basis]
                fb = fit_suppression([d for d, _ in pts], [e for _, e in pts])
                if fb is None:  # no errors at ≥ 2 distances: this basis is below detection
                    continue
                lam_by_basis[basis] = fb.lam
                db = fb.distance_for(target / len(bases))
                if db is None:
                    reachable = False
                else:
                    d_star = max(d_star or 0, db)
            if not reachable:
                d_star = None
            q_star = m_star = None
            if d_star is not None:
                res = memory_experiment(code, distance=d_star, rounds=1,
                                        data_noise=noise[code][1]).resources
                q_star, m_star = res["qubits"], res["modes"]
            th = None
            if sweep_rows:
                th = _threshold(sweep_rows, code, dec, min(distances), max(distances))
            summaries.append(CodeSummary(code, dec, by_d, lam, fit.prefactor if fit else None,
                                         target, d_star, q_star, m_star, th, lam_by_basis))
    return CompareResult(tuple(rows), tuple(summaries), dict(ext.figures), tuple(sweep_rows))


def _threshold(sweep_rows, code: str, dec: str, d_lo: int, d_hi: int) -> float | None:
    if d_lo == d_hi:
        return None
    curves: dict[int, dict[float, float]] = {d_lo: {}, d_hi: {}}
    for scale, r in sweep_rows:
        if r.code == code and r.decoder == dec and r.distance in curves:
            curves[r.distance][scale] = curves[r.distance].get(scale, 0.0) + r.rate.per_round
    scales = sorted(set(curves[d_lo]) & set(curves[d_hi]))
    if len(scales) < 2:
        return None
    return threshold_crossing(scales, [curves[d_lo][s] for s in scales],
                              [curves[d_hi][s] for s in scales])
