"""Matching decoders (pymatching): ``mwpm``, ``mwpm-correlated``, ``mwpm-erasure``.

All three decode the decomposed DEM with the herald detectors stripped from every error (see
``strip_heralds``): the herald-flagged mechanisms keep their average probability in the edge
priors, and the herald bits of a shot are cleared before matching, so a fired herald can never
leave an unmatchable detection event.

``mwpm-erasure`` adds, per shot, what a fired herald tells: conditional on herald h, each edge
that the erased qubits' Pauli frame can flip has probability q_e(h) (≈ ½, so weight ≈ 0). A
two-qubit gate's joint herald flags the 16 two-qubit Paulis of its pair (1/16 each): an edge
of either qubit sums the 8 of them that flip it, ½ again. Re-weighting edges per shot would
rebuild pymatching's graph for every shot; instead
each (herald, edge) pair gets a static *gadget* that the herald switches on from inside the
syndrome. For an edge (u, v) with conditional weight w, two extra nodes g1, g2 with edges
u–g1 (weight a, the edge's observables), g1–g2 (weight c), g2–v (weight a), a = (c + w) / 2:

* herald fired → g1 and g2 are detection events: either they pair up (cost c) or u–g1 and g2–v
  are used (cost 2a = c + w), i.e. the edge (u, v) is flipped at the extra cost w: exactly a
  parallel edge of weight w;
* herald not fired → the gadget is an even-degree path u–g1–g2–v of weight 2c + w, which is
  never shorter than the edge (u, v) itself since c > max edge weight (an edge that only
  erasures produce is added at weight c): it changes nothing.

The base graph is the DEM *without* the herald-flagged errors (``strip_heralds(...,
drop_flagged=True)``): given that a herald did not fire, its errors did not happen; where it
fired, its gadgets carry them. (``mwpm`` instead folds them into every edge's prior.)

So one ``decode_batch`` call (C++ throughout) decodes every shot with its own erasure weights;
the syndrome is only widened by the gadget columns, copies of the herald bits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pymatching
import stim

from qec.decoders.base import (
    check_shots,
    dem_hypergraph,
    herald_masks,
    no_options,
    strip_heralds,
)

__all__ = ["CorrelatedMwpmDecoder", "ErasureMwpmDecoder", "MwpmDecoder", "matching_graph_dem"]


def matching_graph_dem(dem: stim.DetectorErrorModel, *,
                       drop_flagged: bool = False) -> stim.DetectorErrorModel:
    """The DEM matched by the ``mwpm*`` decoders: heralds stripped, graphlike checked.

    Args:
        dem: a decomposed DEM (``decoder_dem(circuit, decompose=True)``).
        drop_flagged: drop the herald-flagged errors (see ``strip_heralds``).

    Returns:
        The stripped DEM (``strip_heralds``).

    Raises:
        ValueError: a component with more than two (non-herald) detectors: the DEM was not
            decomposed.
    """
    stripped = strip_heralds(dem, drop_flagged=drop_flagged)
    for inst in stripped.flattened():
        if inst.type != "error":
            continue
        n = 0
        for t in inst.targets_copy():
            if t.is_separator():
                n = 0
            elif t.is_relative_detector_id():
                n += 1
                if n > 2:
                    raise ValueError(
                        f"DEM error {inst} has a component with more than 2 detectors: matching "
                        "needs a decomposed DEM (decoder_dem(circuit, decompose=True)); a colour "
                        "code's DEM does not decompose: use 'chromobius' or 'bposd'")
    return stripped


def _check_graphlike(dem: stim.DetectorErrorModel) -> None:
    """Raise if an error component has more than two detectors (pymatching would not say).

    Scans the DEM's text (~30 ms at d = 11) rather than its Python objects (~300 ms).
    """
    for line in str(dem).splitlines():
        line = line.lstrip()
        if not line.startswith("error"):
            continue
        for component in line.split(") ", 1)[1].split("^"):
            if component.count("D") > 2:
                raise ValueError(
                    f"DEM error {line!r} has a component with more than 2 detectors: matching "
                    "needs a decomposed DEM (decoder_dem(circuit, decompose=True)); a colour "
                    "code's DEM does not decompose: use 'chromobius' or 'bposd'")


@dataclass(frozen=True)
class MwpmDecoder:
    """``mwpm``: pymatching on the decomposed DEM, heralds ignored.

    Attributes:
        matching: the pymatching graph of ``matching_graph_dem(dem)``.
        num_detectors: detectors per shot (heralds included).
        num_observables: observables per shot.
        heralds: herald detector indices, cleared before matching, shape (n_heralds,).
        herald_byte_mask: packed mask (ceil(num_detectors / 8),) with the herald bits cleared,
            or None when the DEM has no herald.
        enable_correlations: pymatching's correlated matching (``mwpm-correlated``).
    """

    matching: pymatching.Matching
    num_detectors: int
    num_observables: int
    heralds: np.ndarray
    herald_byte_mask: np.ndarray | None
    enable_correlations: bool = False

    @classmethod
    def compile(cls, dem: stim.DetectorErrorModel, **options: Any) -> MwpmDecoder:
        """Builds the decoder for ``dem`` (no options)."""
        no_options("mwpm", options)
        return cls._build(dem, enable_correlations=False)

    @classmethod
    def _build(cls, dem: stim.DetectorErrorModel, *, enable_correlations: bool) -> MwpmDecoder:
        heralds, mask = herald_masks(dem)
        if heralds.size:
            graph_dem = matching_graph_dem(dem)
        else:  # nothing to strip: a fast text scan, then the DEM straight to pymatching
            _check_graphlike(dem)
            graph_dem = dem
        try:
            matching = pymatching.Matching.from_detector_error_model(
                graph_dem, enable_correlations=enable_correlations)
        except ValueError as exc:
            raise ValueError(f"pymatching cannot match this DEM ({exc}); matching needs a "
                             "decomposed DEM (decoder_dem(circuit, decompose=True))") from exc
        return cls(matching, dem.num_detectors, dem.num_observables, heralds, mask,
                   enable_correlations)

    def decode_batch(self, detection_events: np.ndarray, *, bit_packed: bool = False) -> np.ndarray:
        """Predicts observable flips.

        Args:
            detection_events: bool (shots, num_detectors), or with ``bit_packed`` uint8
                (shots, ceil(num_detectors / 8)).
            bit_packed: packed input and output (little-endian, as stim).

        Returns:
            bool (shots, num_observables), or with ``bit_packed`` uint8
            (shots, ceil(num_observables / 8)).
        """
        shots = detection_events
        if self.herald_byte_mask is not None:
            if bit_packed:
                shots = np.bitwise_and(shots, self.herald_byte_mask)
            else:
                shots = np.array(shots, dtype=np.bool_, copy=True)
                shots[:, self.heralds] = False
        predictions = self.matching.decode_batch(
            shots, bit_packed_shots=bit_packed, bit_packed_predictions=bit_packed,
            enable_correlations=self.enable_correlations)
        return predictions if bit_packed else predictions.astype(np.bool_, copy=False)


class CorrelatedMwpmDecoder(MwpmDecoder):
    """``mwpm-correlated``: pymatching 2.4 correlated matching (two-pass, hyperedge-aware).

    Uses the decomposition of every hyperedge (``enable_correlations=True``); heralds ignored.
    """

    @classmethod
    def compile(cls, dem: stim.DetectorErrorModel, **options: Any) -> CorrelatedMwpmDecoder:
        """Builds the decoder for ``dem`` (no options)."""
        no_options("mwpm-correlated", options)
        return cls._build(dem, enable_correlations=True)


def _weight(p: float) -> float:
    return math.log((1 - p) / p)


@dataclass(frozen=True)
class ErasureMwpmDecoder:
    """``mwpm-erasure``: matching with herald-switched gadgets (see the module docstring).

    Attributes:
        matching: the graph of the stripped DEM plus two nodes per (herald, edge) gadget.
        num_detectors: detectors per shot (heralds included).
        num_observables: observables per shot.
        heralds: herald detector indices, shape (n_heralds,).
        gadget_heralds: for each gadget node (num_detectors + i), the detector index of the
            herald that switches it on, shape (2 · n_gadgets,).
    """

    matching: pymatching.Matching
    num_detectors: int
    num_observables: int
    heralds: np.ndarray
    gadget_heralds: np.ndarray

    @classmethod
    def compile(cls, dem: stim.DetectorErrorModel, *, max_conditional_probability: float = 0.5,
                **options: Any) -> ErasureMwpmDecoder:
        """Builds the decoder for ``dem``.

        Args:
            dem: decomposed DEM.
            max_conditional_probability: cap on an erased edge's conditional flip probability
                (½: weight 0), in (0, 0.5].
            **options: none other is accepted (an unknown one is an error).

        Raises:
            ValueError: unknown option, out-of-range cap, non-decomposed DEM.
        """
        no_options("mwpm-erasure", options)
        if not 0 < max_conditional_probability <= 0.5:
            raise ValueError(f"max_conditional_probability = {max_conditional_probability}: "
                             "must be in (0, 0.5]")
        graph_dem = matching_graph_dem(dem, drop_flagged=True)
        hyper = dem_hypergraph(dem)
        n = dem.num_detectors
        # conditional flip probability of each edge given each herald (disjoint outcomes: sum)
        cond: dict[tuple[int, tuple[int, ...], int], float] = {}
        herald_rows = hyper.herald_columns.tocsr()
        for h_pos, h in enumerate(hyper.heralds):
            lo, hi = herald_rows.indptr[h_pos], herald_rows.indptr[h_pos + 1]
            for j in herald_rows.indices[lo:hi]:
                for comp, obs in zip(hyper.components[j], hyper.component_observables[j],
                                     strict=True):
                    key = (int(h), comp, obs)
                    cond[key] = cond.get(key, 0.0) + float(hyper.herald_posteriors[j])
        base = pymatching.Matching.from_detector_error_model(graph_dem)
        max_w = max((abs(d.get("weight", 0.0)) for _, _, d in base.edges()), default=1.0)
        cap = max_conditional_probability
        weights = {k: _weight(min(max(q, 1e-300), cap)) for k, q in cond.items()}
        c = 2.0 * max(max_w, max(weights.values(), default=0.0)) + 2.0
        p_c = 1 / (1 + math.exp(c))
        gadgets = stim.DetectorErrorModel()
        missing: set[tuple[int, ...]] = set()
        gadget_heralds: list[int] = []
        g = n
        for (h, comp, obs), w in weights.items():
            obs_targets = [stim.target_logical_observable_id(k)
                           for k in range(dem.num_observables) if (obs >> k) & 1]
            exists = (base.has_edge(*comp) if len(comp) == 2
                      else base.has_boundary_edge(comp[0]))
            if not exists and comp not in missing:
                # an edge only erasures produce: present at weight c, so that the unfired
                # gadget (weight 2c + w) is never a shortcut
                missing.add(comp)
                gadgets.append("error", [p_c], [*map(stim.target_relative_detector_id, comp),
                                                *obs_targets])
            p_a = 1 / (1 + math.exp((c + w) / 2))
            gadgets.append("error", [p_a], [stim.target_relative_detector_id(comp[0]),
                                           stim.target_relative_detector_id(g), *obs_targets])
            gadgets.append("error", [p_c], [stim.target_relative_detector_id(g),
                                            stim.target_relative_detector_id(g + 1)])
            last = [stim.target_relative_detector_id(g + 1)]
            if len(comp) == 2:
                last.append(stim.target_relative_detector_id(comp[1]))
            gadgets.append("error", [p_a], last)
            gadget_heralds.extend([h, h])
            g += 2
        matching = pymatching.Matching.from_detector_error_model(graph_dem + gadgets)
        return cls(matching, n, dem.num_observables, hyper.heralds,
                   np.array(gadget_heralds, dtype=np.int64))

    @property
    def num_gadgets(self) -> int:
        """Number of (herald, edge) gadgets."""
        return self.gadget_heralds.size // 2

    def decode_batch(self, detection_events: np.ndarray, *, bit_packed: bool = False) -> np.ndarray:
        """Predicts observable flips, each shot with the weights its heralds imply.

        Args:
            detection_events: bool (shots, num_detectors), or with ``bit_packed`` uint8
                (shots, ceil(num_detectors / 8)).
            bit_packed: packed input and output (little-endian, as stim).

        Returns:
            bool (shots, num_observables), or with ``bit_packed`` uint8
            (shots, ceil(num_observables / 8)).
        """
        dets = check_shots(detection_events, self.num_detectors, bit_packed=bit_packed)
        n = self.num_detectors
        wide = np.empty((dets.shape[0], n + self.gadget_heralds.size), dtype=np.uint8)
        wide[:, :n] = dets
        wide[:, n:] = dets[:, self.gadget_heralds]
        wide[:, self.heralds] = 0
        predictions = self.matching.decode_batch(wide, bit_packed_predictions=bit_packed)
        return predictions if bit_packed else predictions.astype(np.bool_, copy=False)
