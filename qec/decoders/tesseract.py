"""``tesseract``: the A*-search decoder (Beni et al., arXiv:2503.10988; tesseract-decoder).

Tesseract searches for the most likely set of DEM errors that explains a shot, with a beam
over the number of active detection events and several detector orders; it decodes any DEM
(hyperedges included: colour and BB codes too), is the most accurate of the decoders ranked in
issue 14's side-by-side (0.81 % against pymatching's 0.97 % on the d = 5, p = 0.5 % surface
memory), and the slowest. Its settings default to the upstream package's ``"tesseract"``
sinter decoder (``tesseract_decoder.make_tesseract_sinter_decoders_dict()``): beam 20, beam
climbing, no revisits, 21 detector orders by index, priority queue 10⁶.

Heralds (``qec.noise.herald_mask``) are ignored as in ``mwpm``: stripped from every error's
symptoms (the erased mechanisms keep their average probability) and cleared from every shot.

Example:
    >>> from qec.codes import memory_experiment
    >>> from qec.decoders.base import decoder_dem
    >>> from qec.noise import NoiseModel
    >>> circuit = NoiseModel.uniform_depolarizing(0.002).noisy_circuit(
    ...     memory_experiment("surface", distance=3, rounds=3).circuit)
    >>> decoder = TesseractDecoder.compile(decoder_dem(circuit), det_beam=10)
    >>> dets, obs = circuit.compile_detector_sampler(seed=2).sample(
    ...     500, separate_observables=True)
    >>> int((decoder.decode_batch(dets) != obs).any(axis=1).sum()) < 25
    True
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
import stim

from qec.decoders.base import (
    check_shots,
    herald_masks,
    pack_bits,
    strip_heralds,
)

__all__ = ["DET_ORDER_METHODS", "TesseractDecoder"]

DET_ORDER_METHODS: tuple[str, ...] = ("index", "bfs", "coordinate")
"""How tesseract orders detectors (``tesseract_decoder.utils.DetOrder``: DetIndex, DetBFS,
DetCoordinate)."""

_INT_OPTIONS = {"det_beam": 1, "num_det_orders": 1, "pqlimit": 1, "seed": 0}


def _import():
    try:
        import tesseract_decoder
    except ImportError as exc:  # pragma: no cover - it is a dependency
        raise ImportError("decoder 'tesseract' needs the tesseract-decoder package: "
                          "pip install tesseract-decoder") from exc
    return tesseract_decoder


@dataclass(frozen=True, eq=False)
class TesseractDecoder:
    """``tesseract`` compiled for one DEM.

    Attributes:
        decoder: the ``tesseract_decoder.tesseract.TesseractDecoder``.
        num_detectors: detectors per shot (heralds included).
        num_observables: observables per shot.
        heralds: herald detector indices, cleared before decoding, shape (n_heralds,).
    """

    decoder: Any
    num_detectors: int
    num_observables: int
    heralds: np.ndarray

    @classmethod
    def compile(cls, dem: stim.DetectorErrorModel, *, det_beam: int = 20,
                beam_climbing: bool = True, num_det_orders: int = 21,
                det_order_method: str = "index", pqlimit: int = 1_000_000,
                det_penalty: float = 0.0, no_revisit_dets: bool = True,
                seed: int = 2384753, **options: Any) -> TesseractDecoder:
        """Builds the decoder for ``dem``.

        Args:
            dem: a DEM (decomposed or not).
            det_beam: beam: the most detection events a search state may have, ≥ 1.
            beam_climbing: try beams up to ``det_beam`` and keep the cheapest answer.
            num_det_orders: detector orders searched, ≥ 1 (more: slower, more accurate).
            det_order_method: one of ``DET_ORDER_METHODS``.
            pqlimit: priority-queue size limit, ≥ 1.
            det_penalty: cost added per visited detector, ≥ 0.
            no_revisit_dets: never revisit a syndrome pattern.
            seed: seed of the detector orders (≥ 0): the decoder is deterministic.
            **options: none other is accepted.

        Raises:
            ValueError: an unknown option or a value out of range, naming it.
        """
        if options:
            raise ValueError(f"unknown tesseract option(s) {', '.join(sorted(options))}: "
                             "allowed are det_beam, beam_climbing, num_det_orders, "
                             "det_order_method, pqlimit, det_penalty, no_revisit_dets, seed")
        values = {"det_beam": det_beam, "num_det_orders": num_det_orders,
                  "pqlimit": pqlimit, "seed": seed}
        for name, low in _INT_OPTIONS.items():
            v = values[name]
            if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < low:
                raise ValueError(f"{name} = {v!r}: must be an integer >= {low}")
        if det_order_method not in DET_ORDER_METHODS:
            raise ValueError(f"det_order_method = {det_order_method!r}: must be one of "
                             f"{', '.join(DET_ORDER_METHODS)}")
        if isinstance(det_penalty, bool) or not isinstance(det_penalty, numbers.Real) \
                or not det_penalty >= 0:
            raise ValueError(f"det_penalty = {det_penalty!r}: must be a number >= 0")
        td = _import()
        heralds, _ = herald_masks(dem)
        clean = strip_heralds(dem, heralds).flattened()
        method = {"index": td.utils.DetOrder.DetIndex, "bfs": td.utils.DetOrder.DetBFS,
                  "coordinate": td.utils.DetOrder.DetCoordinate}[det_order_method]
        orders = td.utils.build_det_orders(clean, int(num_det_orders), method, int(seed))
        config = td.tesseract.TesseractConfig(
            clean, det_beam=int(det_beam), beam_climbing=bool(beam_climbing),
            no_revisit_dets=bool(no_revisit_dets), pqlimit=int(pqlimit), det_orders=orders,
            det_penalty=float(det_penalty))
        return cls(td.tesseract.TesseractDecoder(config), dem.num_detectors,
                   dem.num_observables, heralds)

    def decode_batch(self, detection_events: np.ndarray, *, bit_packed: bool = False) -> np.ndarray:
        """Predicts observable flips.

        Args:
            detection_events: bool (shots, num_detectors), or with ``bit_packed`` uint8
                (shots, ceil(num_detectors / 8)).
            bit_packed: packed input and output (little-endian, as stim).

        Returns:
            bool (shots, num_observables), or with ``bit_packed`` uint8
            (shots, ceil(num_observables / 8)).

        Raises:
            ValueError: wrong shape.
        """
        shots = np.array(check_shots(detection_events, self.num_detectors,
                                     bit_packed=bit_packed), dtype=np.bool_)
        if self.heralds.size:
            shots[:, self.heralds] = False
        pred = np.asarray(self.decoder.decode_batch(shots), dtype=bool)
        pred = pred.reshape(len(shots), self.num_observables)
        return pack_bits(pred) if bit_packed else pred
