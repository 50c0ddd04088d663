"""Decoders a user could write, for the registry tests (a module, so workers can import them).

* ``mwpm_again``: a factory ``(dem, **options) -> CompiledDecoder`` that is pymatching again,
  so its counts on the same shots must equal the built-in ``mwpm``'s exactly;
* ``NoCorrection``: a ``sinter.Decoder`` that never predicts a flip, so its logical error is
  the raw observable-flip rate, far above any real decoder's.
"""

from __future__ import annotations

import numpy as np
import sinter

from qec.decoders.matching import MwpmDecoder


def mwpm_again(dem, **options):
    """Matching, as the built-in ``mwpm`` (options passed on)."""
    return MwpmDecoder.compile(dem, **options)


class _Zeros(sinter.CompiledDecoder):
    def __init__(self, num_observables: int) -> None:
        self.bytes = (num_observables + 7) // 8

    def decode_shots_bit_packed(self, *, bit_packed_detection_event_data: np.ndarray
                                ) -> np.ndarray:
        return np.zeros((bit_packed_detection_event_data.shape[0], self.bytes), np.uint8)


class NoCorrection(sinter.Decoder):
    """Predicts no observable flip, whatever the syndrome."""

    def compile_decoder_for_dem(self, *, dem) -> sinter.CompiledDecoder:
        return _Zeros(dem.num_observables)
