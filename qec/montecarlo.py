"""Monte-Carlo estimation through sinter: the one module of the package that imports sinter.

Every decoder of ``qec.decoding.DECODERS`` is wrapped as a ``sinter.Decoder`` (picklable, so
sinter's spawned worker processes rebuild it), and ``collect`` runs ``sinter.collect`` with them.
sinter samples the *circuit* (never the DEM, which matters for heralded circuits) and gives each
worker the task's DEM, built by ``make_task`` with ``approximate_disjoint_errors=True``.

sinter starts its workers with ``multiprocessing``'s *spawn* method: a script calling
``collect`` must guard its entry point with ``if __name__ == "__main__":``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sinter
import stim

from qec.decoding import DECODERS, CompiledDecoder, compile_decoder, decoder_dem

__all__ = ["SinterCompiledDecoder", "SinterDecoder", "collect", "make_task", "sinter_decoders"]


def _check_name(decoder: str) -> None:
    if decoder not in DECODERS:
        raise ValueError(f"decoder = {decoder!r}: must be one of {', '.join(DECODERS)}")


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
        name: one of ``DECODERS``.
        options: keyword options passed to ``compile_decoder``, as sorted (key, value) pairs.
    """

    name: str
    options: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        _check_name(self.name)

    def compile_decoder_for_dem(self, *, dem: stim.DetectorErrorModel) -> SinterCompiledDecoder:
        """Compiles our decoder for the task's DEM (errors propagate to ``sinter.collect``)."""
        return SinterCompiledDecoder(compile_decoder(self.name, dem, **dict(self.options)))


def sinter_decoders(**options: dict[str, Any]) -> dict[str, sinter.Decoder]:
    """Our decoders by name, for ``sinter.collect(custom_decoders=...)``.

    Args:
        **options: per-decoder keyword options keyed by the decoder name with ``-`` replaced by
            ``_``, e.g. ``bposd={"osd_order": 4}``.

    Returns:
        ``{name: SinterDecoder}`` for every name of ``DECODERS``.

    Raises:
        ValueError: options given for an unknown decoder.
    """
    keys = {name.replace("-", "_"): name for name in DECODERS}
    unknown = sorted(set(options) - set(keys))
    if unknown:
        raise ValueError(f"options for unknown decoder {unknown[0]!r}: must be one of "
                         f"{', '.join(keys)}")
    by_name = {keys[k]: tuple(sorted(v.items())) for k, v in options.items()}
    return {name: SinterDecoder(name, by_name.get(name, ())) for name in DECODERS}


def make_task(circuit: stim.Circuit, *, decoder: str, json_metadata: dict[str, Any]
              ) -> sinter.Task:
    """A sinter task decoding ``circuit`` with one of our decoders.

    Args:
        circuit: the noisy circuit, which sinter samples.
        decoder: one of ``DECODERS``.
        json_metadata: JSON-serialisable description (code, distance, noise, ...).

    Returns:
        The task, its DEM built by ``decoder_dem`` (``approximate_disjoint_errors=True``,
        decomposed).

    Raises:
        ValueError: unknown decoder.
    """
    _check_name(decoder)
    return sinter.Task(circuit=circuit, decoder=decoder,
                       detector_error_model=decoder_dem(circuit, decompose=True),
                       json_metadata=json_metadata)


def collect(tasks: Sequence[sinter.Task] | Iterable[sinter.Task], *, num_workers: int = 1,
            max_shots: int, max_errors: int | None = None,
            save_resume_filepath: str | None = None, print_progress: bool = False,
            decoder_options: dict[str, dict[str, Any]] | None = None) -> list[sinter.TaskStats]:
    """Samples and decodes tasks with sinter and our decoders.

    Args:
        tasks: tasks whose ``decoder`` is one of ``DECODERS`` (see ``make_task``).
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
        _check_name(task.decoder)
    if num_workers < 1:
        raise ValueError(f"num_workers = {num_workers}: must be >= 1")
    if max_shots < 0:
        raise ValueError(f"max_shots = {max_shots}: must be >= 0")
    return sinter.collect(num_workers=num_workers, tasks=tasks, max_shots=max_shots,
                          max_errors=max_errors, save_resume_filepath=save_resume_filepath,
                          print_progress=print_progress,
                          custom_decoders=sinter_decoders(**(decoder_options or {})))
