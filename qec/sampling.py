"""The project's sample-and-decode path, bit-packed end to end.

One circuit, one compiled sampler and decoder, many batches of shots.

This is what the twin loop runs every window and what ``bench/bench_qec.py`` measures against
bare ``stim`` sampling + ``pymatching.decode_batch`` on the same circuit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import stim

from qec.decoding import compile_decoder, decoder_dem

__all__ = ["BatchOutcome", "SampleDecoder"]


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
    """Compile a circuit's sampler and a decoder once, then sample-and-decode batches.

    Args:
        circuit: the noisy circuit (sampled directly, never its DEM).
        decoder: decoder name (``qec.decoding.DECODERS``).
        **options: decoder options.
    """

    def __init__(self, circuit: stim.Circuit, *, decoder: str = "mwpm", **options) -> None:
        self.circuit = circuit
        self.decoder_name = decoder
        self.dem = decoder_dem(circuit)
        self.decoder = compile_decoder(decoder, self.dem, **options)
        self.num_detectors = circuit.num_detectors
        coords = self.dem.get_detector_coordinates()
        herald = np.zeros(self.num_detectors, dtype=bool)
        for k, c in coords.items():
            if c and c[0] == -1.0:
                herald[k] = True
        self._has_heralds = bool(herald.any())
        self._herald_mask = np.packbits(herald, bitorder="little")
        self._detector_mask = np.packbits(~herald, bitorder="little")

    def run(self, shots: int, *, seed: int | None = None, keep: bool = False) -> BatchOutcome:
        """Sample ``shots`` shots and decode them.

        Args:
            shots: number of shots, ≥ 1.
            seed: sampler seed (the same seed gives the same shots).
            keep: also return the bit-packed detection events and observable flips.
        """
        sampler = self.circuit.compile_detector_sampler(seed=seed)
        dets, obs = sampler.sample(shots, separate_observables=True, bit_packed=True)
        pred = self.decoder.decode_batch(dets, bit_packed=True)
        errors = int(np.any(pred != obs, axis=1).sum())
        if self._has_heralds:
            n_det = int(np.bitwise_count(dets & self._detector_mask).sum())
            n_her = int(np.bitwise_count(dets & self._herald_mask).sum())
        else:
            n_det, n_her = int(np.bitwise_count(dets).sum()), 0
        return BatchOutcome(shots, errors, n_det, n_her, dets if keep else None,
                            obs if keep else None)
