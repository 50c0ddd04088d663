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

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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
    logical_rate,
)
from twin.device.noise_map import code_noise
from twin.executor import ExecutorSpec
from twin.studies.collect import DEFAULT_CHUNK_SHOTS, collect
from twin.studies.compare_summary import CodeSummary, CompareRow, per_logical, summarize
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

FIXED_INSTANCE_DEFAULTS: dict[str, tuple[int, ...]] = {"bb": (6,)}
"""Instances a fixed-instance code runs when none of the asked distances is one of its own:
[[72,12,6]] (~0.1 s per shot at the reference device's noise). The gross code [[144,12,12]] is
asked for by distance (12): at that noise BP rarely converges and each shot's OSD elimination
on its ~2·10⁴-column check matrix takes seconds."""


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
        chunk_shots: shots per seeded chunk (≥ 1); None: ``max_shots``/40, between 100 and
            ``twin.studies.collect.DEFAULT_CHUNK_SHOTS`` (a task stops at the first chunk that
            reaches ``max_errors``, so smaller chunks stop closer to it: a slow, failing BB
            shot costs ~0.1 s, and 2000-shot chunks overshot 200 errors fivefold).
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
        max(100, min(DEFAULT_CHUNK_SHOTS, max_shots // 40))
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
            summaries.append(summarize(code, dec, rows, bases, target, noise[code][1],
                                      sweep_rows, min(ds), max(ds), rng, replicates))
    return CompareResult(tuple(rows), tuple(summaries), dict(ext.figures), tuple(sweep_rows))


