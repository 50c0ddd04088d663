"""``chromobius``: the Möbius colour-code decoder (Gidney & Jones, arXiv:2312.08813).

chromobius (Google Quantum AI, ``pip install chromobius``) turns a colour-code DEM into a
matching problem on a doubled ("Möbius") graph and solves it with pymatching. It needs every
detector that appears in an error to carry a fourth coordinate giving its basis and colour
(0, 1, 2 = red, green, blue X; 3, 4, 5 = red, green, blue Z; −1 = ignore): of this package's
codes only ``"color"`` (``qec.codes``) has it. A DEM without it is refused here with a
``ValueError`` naming the first unannotated detector (chromobius's own message would only say
that one error is malformed).

Heralds (``qec.noise.herald_mask``) are ignored as in ``mwpm``: removed from every error's
symptoms (the erased mechanisms keep their average probability), declared with the
"ignore" colour −1, and their bits cleared from every shot before decoding. The DEM's
decomposition, if any, is irrelevant: chromobius XORs the components back together. Its
result does depend on the *order* of the detectors (the same superdense DEM with its detectors
permuted decoded ~12 % better at d = 5, p = 10⁻³): ``"color"`` lists them as Gidney & Jones do.

Example:
    >>> from qec.codes import memory_experiment
    >>> from qec.decoders.base import decoder_dem
    >>> from qec.noise import NoiseModel
    >>> circuit = NoiseModel.uniform_depolarizing(0.001).noisy_circuit(
    ...     memory_experiment("color", distance=3, rounds=3).circuit)
    >>> decoder = ChromobiusDecoder.compile(decoder_dem(circuit))
    >>> dets, obs = circuit.compile_detector_sampler(seed=2).sample(
    ...     1000, separate_observables=True)
    >>> int((decoder.decode_batch(dets) != obs).any(axis=1).sum()) < 50
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import chromobius
import numpy as np
import stim

from qec.decoders.base import (
    check_shots,
    herald_detectors,
    herald_masks,
    no_options,
    pack_bits,
    strip_heralds,
    unpack_bits,
)

__all__ = ["COLOR_BASIS_CODES", "ChromobiusDecoder", "chromobius_dem"]

COLOR_BASIS_CODES: tuple[int, ...] = (-1, 0, 1, 2, 3, 4, 5)
"""Values of a detector's fourth coordinate that chromobius understands."""


def chromobius_dem(dem: stim.DetectorErrorModel) -> stim.DetectorErrorModel:
    """The DEM handed to chromobius: heralds stripped and marked "ignore" (−1).

    Args:
        dem: a DEM of a colour-code circuit (decomposed or not, with or without heralds).

    Returns:
        A flattened DEM with the same detectors and observables, each non-herald detector
        declared with its original coordinates, each herald with (−1, −1, −1, −1).

    Raises:
        ValueError: a non-herald detector without a fourth coordinate in ``COLOR_BASIS_CODES``
            (the circuit is not a colour code annotated for chromobius).
    """
    heralds = herald_detectors(dem)
    herald_set = set(heralds.tolist())
    coords = dem.get_detector_coordinates()
    for k in range(dem.num_detectors):
        if k in herald_set:
            continue
        c = coords.get(k, [])
        if len(c) < 4 or c[3] not in COLOR_BASIS_CODES:
            raise ValueError(
                f"decoder 'chromobius' needs every detector annotated with a 4th coordinate "
                f"(basis and colour: 0-2 red/green/blue X, 3-5 red/green/blue Z, -1 ignore); "
                f"detector D{k} has coordinates {list(c)}: only the 'color' code's circuits "
                "carry them (use a matching or BP decoder for other codes)")
    stripped = strip_heralds(dem, heralds)
    out = stim.DetectorErrorModel()
    for inst in stripped:
        if inst.type == "error":
            out.append(inst)
    for k in range(dem.num_detectors):
        args = [-1.0] * 4 if k in herald_set else list(coords.get(k, []))
        out.append("detector", args, [stim.target_relative_detector_id(k)])
    if dem.num_observables:
        out.append("logical_observable", [],
                   [stim.target_logical_observable_id(dem.num_observables - 1)])
    return out


@dataclass(frozen=True, eq=False)
class ChromobiusDecoder:
    """``chromobius`` compiled for one DEM.

    Attributes:
        decoder: the ``chromobius.CompiledDecoder``.
        num_detectors: detectors per shot (heralds included).
        num_observables: observables per shot.
        heralds: herald detector indices, cleared before decoding, shape (n_heralds,).
        herald_byte_mask: packed mask (ceil(num_detectors / 8),) with the herald bits cleared,
            or None when the DEM has no herald.
    """

    decoder: Any
    num_detectors: int
    num_observables: int
    heralds: np.ndarray
    herald_byte_mask: np.ndarray | None

    @classmethod
    def compile(cls, dem: stim.DetectorErrorModel, **options: Any) -> ChromobiusDecoder:
        """Builds the decoder for ``dem`` (no options).

        Raises:
            ValueError: an option; a detector without chromobius's basis-and-colour coordinate
                (``chromobius_dem``); a DEM chromobius cannot decompose into its basic errors
                (its message, first line, is kept).
        """
        no_options("chromobius", options)
        coloured = chromobius_dem(dem)
        try:
            decoder = chromobius.compile_decoder_for_dem(coloured)
        except ValueError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            raise ValueError(f"chromobius cannot decode this DEM ({first}); it needs a colour "
                             "code whose errors decompose into rainbow triplets per basis, "
                             "such as the 'color' code of qec.codes") from exc
        heralds, mask = herald_masks(dem)
        return cls(decoder, dem.num_detectors, dem.num_observables, heralds, mask)

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
            ValueError: wrong shape; chromobius failing to explain a shot (its message).
        """
        if bit_packed:
            packed = np.asarray(detection_events, dtype=np.uint8)
            if packed.ndim != 2 or packed.shape[1] != (self.num_detectors + 7) // 8:
                raise ValueError(f"bit-packed detection events have shape {packed.shape}: "
                                 f"must be (shots, {(self.num_detectors + 7) // 8})")
        else:
            packed = pack_bits(check_shots(detection_events, self.num_detectors,
                                           bit_packed=False))
        if self.herald_byte_mask is not None:
            packed = np.bitwise_and(packed, self.herald_byte_mask)
        out = self.decoder.predict_obs_flips_from_dets_bit_packed(
            np.ascontiguousarray(packed, dtype=np.uint8))
        return out if bit_packed else unpack_bits(out, self.num_observables)
