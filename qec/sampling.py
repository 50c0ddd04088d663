"""The project's sample-and-decode path, bit-packed end to end.

``sample_and_decode`` samples one or more circuits (each with its own shots and seed, e.g. the
two halves of an in-window probe) and decodes all shots in one call of the decoder. The twin's
window loop runs it every window; ``SampleDecoder`` (one circuit, its decoder compiled once,
many batches) is the same function behind a compile-once object, and it is what
``bench/bench_qec.py`` measures against bare ``stim`` sampling + ``pymatching.decode_batch`` on
the same circuit.

Example:
    >>> from qec.codes import memory_experiment
    >>> from qec.noise import NoiseModel
    >>> circuit = NoiseModel.uniform_depolarizing(0.001).noisy_circuit(
    ...     memory_experiment("surface", distance=3, rounds=3).circuit)
    >>> out = SampleDecoder(circuit, decoder="mwpm").run(2000, seed=5)
    >>> out.shots, out.errors < 20
    (2000, True)
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import stim

from qec.decoders import CompiledDecoder, compile_decoder, decoder_dem
from qec.noise import herald_mask

__all__ = ["BatchOutcome", "SampleDecoder", "Sampled", "sample_and_decode"]


@dataclass(frozen=True)
class Sampled:
    """Shots of one or more circuits and how the decoder did on them.

    Attributes:
        detections: every detector, heralds included, uint8 little-endian bit-packed, shape
            (shots, ceil(num_detectors / 8)); the parts' shots one after the other.
        observables: true observable flips, bit-packed, shape (shots, ceil(n_obs / 8)).
        errors: shots whose decoded prediction missed the true observable flips.
        decode_seconds: wall time of the decoder's call (s).
        window_seconds: for a streaming decoder (one with ``decode_timed``, e.g.
            ``mwpm-window``), each window's decode time per shot, shape (shots, windows) (s);
            None otherwise.
    """

    detections: np.ndarray
    observables: np.ndarray
    errors: int
    decode_seconds: float = 0.0
    window_seconds: np.ndarray | None = None

    @property
    def shots(self) -> int:
        """Number of shots."""
        return int(self.detections.shape[0])


def sample_and_decode(parts: Sequence[tuple[stim.Circuit, int, int]],
                      decoder: CompiledDecoder) -> Sampled:
    """Samples each ``(circuit, shots, seed)`` part in order and decodes all shots at once.

    The parts must share a detector layout (e.g. one circuit under two noise settings); each
    is sampled from its own circuit (never from a DEM: heralded circuits need the circuit).

    Args:
        parts: ``(noisy circuit, shots ≥ 1, stim sampler seed)`` per part.
        decoder: compiled for the parts' detector layout.

    Returns:
        The concatenated shots and the decoder's error count.
    """
    dets, obs = [], []
    for circuit, shots, seed in parts:
        d, o = circuit.compile_detector_sampler(seed=seed).sample(
            shots, separate_observables=True, bit_packed=True)
        dets.append(d)
        obs.append(o)
    if len(parts) > 1:
        detections, observables = np.concatenate(dets), np.concatenate(obs)
    else:
        detections, observables = dets[0], obs[0]
    t0 = time.perf_counter()
    timed = getattr(decoder, "decode_timed", None)
    if callable(timed):
        pred, window_seconds = timed(detections, bit_packed=True)
    else:
        pred, window_seconds = decoder.decode_batch(detections, bit_packed=True), None
    seconds = time.perf_counter() - t0
    errors = int(np.any(pred != observables, axis=1).sum())
    return Sampled(detections, observables, errors, seconds, window_seconds)


@dataclass(frozen=True)
class BatchOutcome:
    """Counts of one batch.

    Attributes:
        shots: shots sampled.
        errors: shots whose decoded prediction missed the true observable flips.
        detection_events: total fired detectors over the batch (heralds excluded).
        heralds: total fired heralds over the batch.
        detections: the bit-packed detection events, shape (shots, ceil(n_det/8)), uint8
            (only when asked with ``keep=True``; else None).
        observables: bit-packed observable flips, shape (shots, ceil(n_obs/8)) (or None).
    """

    shots: int
    errors: int
    detection_events: int
    heralds: int
    detections: np.ndarray | None = None
    observables: np.ndarray | None = None


class SampleDecoder:
    """Compile a circuit's decoder once, then sample-and-decode batches.

    Args:
        circuit: the noisy circuit (sampled directly, never its DEM).
        decoder: a registered decoder name (``qec.decoders.decoder_names()``).
        decompose: decompose the DEM (False for ``bposd`` on the ``"bb"`` code: see
            ``qec.montecarlo.make_task``).
        **options: decoder options.
    """

    def __init__(self, circuit: stim.Circuit, *, decoder: str = "mwpm", decompose: bool = True,
                 **options) -> None:
        self.circuit = circuit
        self.decoder_name = decoder
        self.dem = decoder_dem(circuit, decompose=decompose)
        self.decoder = compile_decoder(decoder, self.dem, **options)
        self.num_detectors = circuit.num_detectors
        herald = herald_mask(self.dem)
        self.has_heralds = bool(herald.any())
        self.herald_bytes = np.packbits(herald, bitorder="little")
        self.detector_bytes = np.packbits(~herald, bitorder="little")

    def run(self, shots: int, *, seed: int | None = None, keep: bool = False) -> BatchOutcome:
        """Sample ``shots`` shots and decode them.

        Args:
            shots: number of shots, ≥ 1.
            seed: sampler seed (the same seed gives the same shots).
            keep: also return the bit-packed detection events and observable flips.
        """
        out = sample_and_decode([(self.circuit, shots, seed)], self.decoder)
        dets = out.detections
        if self.has_heralds:
            n_det = int(np.bitwise_count(dets & self.detector_bytes).sum())
            n_her = int(np.bitwise_count(dets & self.herald_bytes).sum())
        else:
            n_det, n_her = int(np.bitwise_count(dets).sum()), 0
        return BatchOutcome(shots, out.errors, n_det, n_her, dets if keep else None,
                            out.observables if keep else None)
