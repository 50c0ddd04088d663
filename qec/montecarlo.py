"""Monte-Carlo estimation through sinter: the one module of the package that imports sinter.

Every registered decoder (``qec.decoders.decoder_names()``) is wrapped as a ``sinter.Decoder``
(picklable, so sinter's spawned worker processes rebuild it; a user decoder travels with it),
and ``collect`` runs ``sinter.collect`` with them.
sinter samples the *circuit* (never the DEM, which matters for heralded circuits) and gives each
worker the task's DEM, built by ``make_task`` with ``approximate_disjoint_errors=True``.

sinter starts its workers with ``multiprocessing``'s *spawn* method: a script calling
``collect`` must guard its entry point with ``if __name__ == "__main__":``.

``sample_chunk`` is the deterministic alternative used by ``quantacore sweep``: one chunk of a
task's shots from a given sampler seed, decoded by our decoder (compiled once per process and
task), so the same (task, shots, seed) gives the same counts in whichever process runs it.
``stats_csv_line`` and ``CSV_HEADER`` write those counts in sinter's CSV format.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sinter
import stim

from qec.decoders import (
    CompiledDecoder,
    check_decoder,
    compile_decoder,
    decoder_dem,
    decoder_entry,
    decoder_names,
    install_decoders,
    portable_user_decoders,
)

__all__ = [
    "CSV_HEADER",
    "ChunkCounts",
    "SinterCompiledDecoder",
    "SinterDecoder",
    "collect",
    "make_task",
    "sample_chunk",
    "sinter_decoders",
    "stats_csv_line",
    "task_id",
    "task_stats",
]

CSV_HEADER: str = sinter.CSV_HEADER
"""The header line of sinter's CSV format (``shots, errors, discards, seconds, decoder,
strong_id, json_metadata, custom_counts``, right-aligned as sinter writes it)."""

_BATCH = 65_536  # shots sampled and decoded at a time inside a chunk (bounds memory)
_CACHE_SIZE = 64  # compiled decoders kept per process: chunks visit the tasks round-robin,
# so a smaller cache than the number of tasks recompiles every chunk (a compare of 16 tasks did)
_compiled: OrderedDict[str, CompiledDecoder] = OrderedDict()


class SinterCompiledDecoder(sinter.CompiledDecoder):
    """A ``CompiledDecoder`` of ours seen as a ``sinter.CompiledDecoder`` (bit-packed in/out)."""

    def __init__(self, decoder: CompiledDecoder) -> None:
        self.decoder = decoder

    def decode_shots_bit_packed(self, *, bit_packed_detection_event_data: np.ndarray
                                ) -> np.ndarray:
        """Decodes bit-packed shots.

        Args:
            bit_packed_detection_event_data: uint8, shape (shots, ceil(num_detectors / 8)).

        Returns:
            uint8, shape (shots, ceil(num_observables / 8)), little-endian bit-packed.
        """
        return self.decoder.decode_batch(bit_packed_detection_event_data, bit_packed=True)


@dataclass(frozen=True)
class SinterDecoder(sinter.Decoder):
    """The sinter adapter of one of our decoders.

    Attributes:
        name: a registered decoder name (``qec.decoders.decoder_names()``).
        options: keyword options passed to ``compile_decoder``, as sorted (key, value) pairs.
        entry: for a user decoder, its registry entry, carried to sinter's worker processes
            (which do not share this process's registrations); None for a built-in.
    """

    name: str
    options: tuple[tuple[str, Any], ...] = ()
    entry: Any = None

    def __post_init__(self) -> None:
        check_decoder(self.name)

    def compile_decoder_for_dem(self, *, dem: stim.DetectorErrorModel) -> SinterCompiledDecoder:
        """Compiles our decoder for the task's DEM (errors propagate to ``sinter.collect``)."""
        if self.entry is not None:
            install_decoders({self.name: self.entry})
        return SinterCompiledDecoder(compile_decoder(self.name, dem, **dict(self.options)))


def sinter_decoders(**options: dict[str, Any]) -> dict[str, sinter.Decoder]:
    """Every registered decoder by name, for ``sinter.collect(custom_decoders=...)``.

    Args:
        **options: per-decoder keyword options keyed by the decoder name with ``-`` replaced by
            ``_``, e.g. ``bposd={"osd_order": 4}``.

    Returns:
        ``{name: SinterDecoder}`` for every name of ``qec.decoders.decoder_names()``.

    Raises:
        ValueError: options given for an unknown decoder.
    """
    names = decoder_names()
    keys = {name.replace("-", "_"): name for name in names}
    unknown = sorted(set(options) - set(keys))
    if unknown:
        raise ValueError(f"options for unknown decoder {unknown[0]!r}: must be one of "
                         f"{', '.join(keys)}")
    by_name = {keys[k]: tuple(sorted(v.items())) for k, v in options.items()}
    out = {}
    for name in names:
        entry = decoder_entry(name)
        out[name] = SinterDecoder(name, by_name.get(name, ()),
                                  None if entry.builtin else entry)
    return out


def make_task(circuit: stim.Circuit, *, decoder: str, json_metadata: dict[str, Any],
              decompose: bool = True,
              dem: stim.DetectorErrorModel | None = None) -> sinter.Task:
    """A sinter task decoding ``circuit`` with one of our decoders.

    Args:
        circuit: the noisy circuit, which sinter samples.
        decoder: a registered decoder name (``qec.decoders.decoder_names()``).
        json_metadata: JSON-serialisable description (code, distance, noise, ...).
        decompose: build the DEM decomposed (the matching decoders need it). Pass False for
            a hypergraph decoder on a code whose hyperedges stim cannot split into edges (the
            ``"bb"`` code with ``bposd``): its hyperedges then stay whole, and the DEM is
            built at once instead of after a failed decomposition.
        dem: the decoder's DEM, when the caller builds it (e.g. a transversal CNOT's
            ``qec.logical.joint_dem``, decomposed where stim's decomposition fails); it must
            describe ``circuit``'s detectors and observables. None: built here.

    Returns:
        The task, its DEM built by ``decoder_dem`` (``approximate_disjoint_errors=True``,
        decomposed unless ``decompose`` is False).

    Raises:
        ValueError: unknown decoder.
    """
    check_decoder(decoder)
    if dem is None:
        dem = decoder_dem(circuit, decompose=decompose)
    elif (dem.num_detectors, dem.num_observables) != (circuit.num_detectors,
                                                      circuit.num_observables):
        raise ValueError(f"dem: {dem.num_detectors} detectors and {dem.num_observables} "
                         f"observables; the circuit has {circuit.num_detectors} and "
                         f"{circuit.num_observables}")
    return sinter.Task(circuit=circuit, decoder=decoder, detector_error_model=dem,
                       json_metadata=json_metadata)


def collect(tasks: Sequence[sinter.Task] | Iterable[sinter.Task], *, num_workers: int = 1,
            max_shots: int, max_errors: int | None = None,
            save_resume_filepath: str | None = None, print_progress: bool = False,
            decoder_options: dict[str, dict[str, Any]] | None = None) -> list[sinter.TaskStats]:
    """Samples and decodes tasks with sinter and our decoders.

    Args:
        tasks: tasks whose ``decoder`` is a registered name (see ``make_task``).
        num_workers: worker processes, ≥ 1.
        max_shots: shots per task at most (including those already in the resume file).
        max_errors: stop a task after this many logical errors (None: no limit).
        save_resume_filepath: append-only CSV; a rerun with the same file resumes, repeating
            no shot already recorded.
        print_progress: sinter's progress messages (on stderr).
        decoder_options: per-decoder options, as for ``sinter_decoders`` (keys ``"bposd"``,
            ``"belief_matching"``, ...).

    Returns:
        One ``sinter.TaskStats`` per task (resumed shots included).

    Raises:
        ValueError: a task without one of our decoder names; bad counts.
        Exception: whatever a decoder raises, as sinter passes it on.
    """
    tasks = list(tasks)
    for task in tasks:
        check_decoder(task.decoder)
    portable_user_decoders(sorted({task.decoder for task in tasks}))  # sinter's workers
    if num_workers < 1:
        raise ValueError(f"num_workers = {num_workers}: must be >= 1")
    if max_shots < 0:
        raise ValueError(f"max_shots = {max_shots}: must be >= 0")
    return sinter.collect(num_workers=num_workers, tasks=tasks, max_shots=max_shots,
                          max_errors=max_errors, save_resume_filepath=save_resume_filepath,
                          print_progress=print_progress,
                          custom_decoders=sinter_decoders(**(decoder_options or {})))


@dataclass(frozen=True)
class ChunkCounts:
    """What one chunk of a task gave.

    Attributes:
        shots: shots sampled.
        errors: kept shots whose decoded prediction missed the true observable flips.
        discards: shots discarded by post-selection (always 0: the tasks here have none).
        seconds: wall time spent sampling and decoding (s); the one non-deterministic field.
    """

    shots: int
    errors: int
    discards: int
    seconds: float


def task_id(task: sinter.Task) -> str:
    """The task's sinter ``strong_id`` (hex SHA-256 of circuit, decoder, DEM and metadata)."""
    return task.strong_id()


def _decoder_for(task: sinter.Task, key: str) -> CompiledDecoder:
    decoder = _compiled.get(key)
    if decoder is None:
        check_decoder(task.decoder)
        decoder = compile_decoder(task.decoder, task.detector_error_model)
        _compiled[key] = decoder
        while len(_compiled) > _CACHE_SIZE:
            _compiled.popitem(last=False)
    else:
        _compiled.move_to_end(key)
    return decoder


def sample_chunk(task: sinter.Task, *, shots: int, seed: int, key: str | None = None
                 ) -> ChunkCounts:
    """Samples ``shots`` shots of the task's circuit from ``seed`` and decodes them.

    A pure function of (task, shots, seed): the counts do not depend on the process or machine
    running it, given the same stim version and CPU instruction set (stim's sampling is
    seeded per SIMD width). The task's decoder is compiled once per process and ``key``.

    Args:
        task: a task of ``make_task`` (its DEM is what the decoder is compiled for; the circuit
            is what is sampled).
        shots: shots to sample, ≥ 0.
        seed: stim sampler seed, 0 ≤ seed < 2**64.
        key: the task's ``strong_id`` if the caller has it (saves recomputing it).

    Returns:
        The chunk's counts.

    Raises:
        ValueError: unknown decoder, a task with post-selection (unsupported), bad shots.
    """
    if shots < 0:
        raise ValueError(f"shots = {shots}: must be >= 0")
    if task.postselection_mask is not None or task.postselected_observables_mask is not None:
        raise ValueError("tasks with post-selection are not supported by sample_chunk")
    start = time.perf_counter()
    decoder = _decoder_for(task, key or task.strong_id())
    sampler = task.circuit.compile_detector_sampler(seed=seed)
    errors = 0
    left = shots
    while left > 0:
        n = min(left, _BATCH)
        dets, obs = sampler.sample(n, separate_observables=True, bit_packed=True)
        pred = decoder.decode_batch(dets, bit_packed=True)
        errors += int(np.any(pred != obs, axis=1).sum())
        left -= n
    return ChunkCounts(shots, errors, 0, time.perf_counter() - start)


def task_stats(task: sinter.Task, key: str, *, shots: int, errors: int, discards: int,
               seconds: float) -> sinter.TaskStats:
    """Counts of a task as ``sinter.TaskStats`` (as ``collect`` returns them)."""
    return sinter.TaskStats(strong_id=key, decoder=task.decoder, json_metadata=task.json_metadata,
                            shots=shots, errors=errors, discards=discards, seconds=seconds)


def stats_csv_line(task: sinter.Task, key: str, counts: ChunkCounts) -> str:
    """One line of sinter's CSV for a chunk's counts (no newline), as ``sinter`` writes it."""
    return task_stats(task, key, shots=counts.shots, errors=counts.errors,
                      discards=counts.discards, seconds=counts.seconds).to_csv_line()
