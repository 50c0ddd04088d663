"""What the loop compiles once and reuses across windows: circuits, decoders, herald layouts.

A window's noise changes every window, but its circuit's *structure* (code, distance, which
operations can erase) and the decoder for a given prior rarely do; ``CircuitCache`` keeps them,
bounded. One cache can serve several runs of one scenario (the Gymnasium environment's
episodes share one).

Example:
    >>> cache = CircuitCache(code="surface", rounds=3, basis="Z")
    >>> cache.experiment(3, None).circuit.num_detectors
    24
"""

from __future__ import annotations

from typing import Any

import numpy as np
import stim

from qec.codes import MemoryExperiment, memory_experiment
from qec.decoders import CompiledDecoder, compile_decoder, decoder_dem
from qec.noise import NoiseModel, OpNoise, herald_mask, herald_pairs

__all__ = ["CircuitCache"]

_MAX_EXPERIMENTS = 64
_MAX_DECODERS = 16


class CircuitCache:
    """Memory experiments, decoders and herald layouts of one code, cached.

    Args:
        code: the code (``qec.codes.CODES``).
        rounds: QEC rounds per shot.
        basis: memory basis, ``"Z"`` or ``"X"``.
    """

    def __init__(self, *, code: str, rounds: int, basis: str) -> None:
        self.code, self.rounds, self.basis = code, rounds, basis
        self.experiments: dict[tuple, MemoryExperiment] = {}
        self.decoders: dict[tuple, Any] = {}
        self.heralds: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}

    def experiment(self, distance: int, data_noise: OpNoise | None) -> MemoryExperiment:
        """The noiseless memory experiment at ``distance`` (with its per-round data noise)."""
        key = (distance, data_noise)
        exp = self.experiments.get(key)
        if exp is None:
            exp = memory_experiment(self.code, distance=distance, rounds=self.rounds,
                                    basis=self.basis, data_noise=data_noise)
            if len(self.experiments) > _MAX_EXPERIMENTS:
                self.experiments.clear()
            self.experiments[key] = exp
        return exp

    def decoder(self, name: str, distance: int, prior: NoiseModel,
                prior_data: OpNoise | None) -> CompiledDecoder:
        """The decoder ``name`` compiled for the circuit under the noise ``prior``."""
        key = (name, distance, prior, prior_data)
        dec = self.decoders.get(key)
        if dec is None:
            circuit = prior.noisy_circuit(self.experiment(distance, prior_data).circuit)
            dec = compile_decoder(name, decoder_dem(circuit))
            if len(self.decoders) > _MAX_DECODERS:
                self.decoders.clear()
            self.decoders[key] = dec
        return dec

    def dem_decoder(self, name: str, dem: stim.DetectorErrorModel) -> CompiledDecoder:
        """The decoder ``name`` compiled for a DEM given directly (a controller's re-weighting).

        Cached by the DEM object's identity: a controller sends a new object when it changes.
        """
        key = (name, "dem", id(dem))
        entry = self.decoders.get(key)
        if entry is None or entry[0] is not dem:
            entry = (dem, compile_decoder(name, dem))
            if len(self.decoders) > _MAX_DECODERS:
                self.decoders.clear()
            self.decoders[key] = entry
        return entry[1]

    def herald_layout(self, circuit: stim.Circuit, key: tuple) -> tuple[np.ndarray, np.ndarray]:
        """``(herald_mask, herald_pairs)`` of ``circuit`` (``qec.noise``), cached by ``key``.

        The layout depends only on the structure (distance and which operations can erase),
        not on the probabilities, so ``key`` names that structure.

        Returns:
            The bool mask, shape (num_detectors,), and the qubits each herald flags, int64
            (n_heralds, 2): a two-qubit gate's joint herald flags both of its qubits, a
            single-qubit herald has −1 as its second qubit.
        """
        info = self.heralds.get(key)
        if info is None:
            info = (herald_mask(circuit), herald_pairs(circuit))
            self.heralds[key] = info
        return info
