"""What every decoder shares: the decoder contract, the DEM it decodes, bit packing, shot checks.

This module is the base of ``qec.decoders``: each decoder module (``matching``, ``bposd``,
``belief_matching``) imports from here and from nowhere else in the package, and the registry
(``qec.decoders.registry``) imports the decoder modules lazily, so there is no import circle.

* ``CompiledDecoder``: the contract (``decode_batch(detection_events, *, bit_packed)``);
* ``decoder_dem``: the DEM every decoder is compiled for (decomposed,
  ``approximate_disjoint_errors=True``);
* ``pack_bits`` / ``unpack_bits`` / ``check_shots``: the shot formats;
* ``strip_heralds``, ``dem_hypergraph`` / ``DemHypergraph``: herald-aware DEM → matrices for
  the matching and BP-based decoders; ``decode_hypergraph_batch``: their per-shot loop.

Herald detectors are the detectors whose first coordinate is ``HERALD_COORD`` (``qec.noise``):
one per erasure event, a failed two-qubit gate's herald flagging the mechanisms of both of its
qubits (each DEM mechanism is flagged by at most one herald).
Errors inside a decoder are raised, never papered over by a fallback to another decoder.

Example:
    >>> import stim
    >>> from qec.codes import memory_experiment
    >>> from qec.noise import NoiseModel
    >>> exp = memory_experiment("surface", distance=3, rounds=3)
    >>> dem = decoder_dem(NoiseModel.uniform_depolarizing(0.001).noisy_circuit(exp.circuit))
    >>> hyper = dem_hypergraph(dem)
    >>> hyper.check.shape[0] == dem.num_detectors
    True
    >>> unpack_bits(pack_bits([[True, False, True]]), 3).tolist()
    [[True, False, True]]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
import scipy.sparse as sp
import stim

from qec.noise import herald_detectors

__all__ = [
    "CompiledDecoder",
    "DemHypergraph",
    "PerShotDecoder",
    "check_shots",
    "clip_probabilities",
    "decode_hypergraph_batch",
    "decoder_dem",
    "dem_hypergraph",
    "herald_detectors",
    "herald_masks",
    "no_options",
    "pack_bits",
    "strip_heralds",
    "unpack_bits",
]

@runtime_checkable
class CompiledDecoder(Protocol):
    """A decoder configured for one DEM.

    Attributes:
        num_detectors: detectors per shot (columns of the detection events), herald ones included.
        num_observables: observables predicted per shot.
    """

    num_detectors: int
    num_observables: int

    def decode_batch(self, detection_events: np.ndarray, *, bit_packed: bool = False) -> np.ndarray:
        """Predicts the observable flips of a batch of shots.

        Args:
            detection_events: bool array, shape (shots, num_detectors); with ``bit_packed``,
                uint8 rows bit-packed little-endian as stim writes them, shape
                (shots, ceil(num_detectors / 8)).
            bit_packed: whether input and output are bit-packed.

        Returns:
            bool array, shape (shots, num_observables); with ``bit_packed``, uint8 array of shape
            (shots, ceil(num_observables / 8)).
        """
        ...


def decoder_dem(circuit: stim.Circuit, *, decompose: bool = True) -> stim.DetectorErrorModel:
    """The DEM every decoder of this package is compiled for.

    Always built with ``approximate_disjoint_errors=True`` (``PAULI_CHANNEL_*`` and
    ``HERALDED_ERASE`` need it). Use it to *decode* only: heralded circuits must be sampled from
    the circuit, never from this DEM.

    Args:
        circuit: the noisy circuit (e.g. ``NoiseModel.noisy_circuit(...)``).
        decompose: decompose hyperedges into graphlike components (needed by the matching
            decoders; harmless for the others). Where stim cannot decompose some hyperedge
            (a colour code beyond d = 3), the DEM is rebuilt keeping those hyperedges whole
            (``ignore_decomposition_failures``): the matching decoders then refuse it with a
            ``ValueError`` naming the hyperedge; ``chromobius`` and ``bposd`` use it.

    Returns:
        The detector error model.
    """
    try:
        return circuit.detector_error_model(decompose_errors=decompose,
                                            approximate_disjoint_errors=True)
    except ValueError as exc:
        if not decompose or "Failed to decompose errors" not in str(exc):
            raise
    return circuit.detector_error_model(decompose_errors=True, approximate_disjoint_errors=True,
                                        ignore_decomposition_failures=True)


# --- bit packing ----------------------------------------------------------------------------
def unpack_bits(packed: np.ndarray, num_bits: int) -> np.ndarray:
    """Little-endian bit-packed rows → bool rows.

    Args:
        packed: uint8, shape (shots, ceil(num_bits / 8)).
        num_bits: bits per row.

    Returns:
        bool, shape (shots, num_bits).
    """
    packed = np.asarray(packed, dtype=np.uint8)
    if packed.ndim != 2 or packed.shape[1] != (num_bits + 7) // 8:
        raise ValueError(f"bit-packed detection events have shape {packed.shape}: must be "
                         f"(shots, {(num_bits + 7) // 8}) for {num_bits} bits")
    return np.unpackbits(packed, axis=1, count=num_bits, bitorder="little").view(np.bool_)


def pack_bits(bits: np.ndarray) -> np.ndarray:
    """Bool rows → little-endian bit-packed uint8 rows, shape (shots, ceil(n / 8))."""
    return np.packbits(np.asarray(bits, dtype=np.bool_), axis=1, bitorder="little")


def herald_masks(dem: stim.DetectorErrorModel) -> tuple[np.ndarray, np.ndarray | None]:
    """The heralds a decoder clears before decoding, as indices and as a packed byte mask.

    Returns:
        (herald detector indices (n,), packed mask (ceil(num_detectors / 8),) uint8 with the
        herald bits cleared, or None when the DEM has no herald).
    """
    heralds = herald_detectors(dem)
    if heralds.size == 0:
        return heralds, None
    keep = np.ones((1, dem.num_detectors), dtype=np.bool_)
    keep[0, heralds] = False
    return heralds, pack_bits(keep)[0]


def check_shots(detection_events: np.ndarray, num_detectors: int, *,
                bit_packed: bool) -> np.ndarray:
    """Validates a batch and returns it unpacked: bool, shape (shots, num_detectors).

    Raises:
        ValueError: wrong number of dimensions or columns.
    """
    if bit_packed:
        return unpack_bits(detection_events, num_detectors)
    arr = np.asarray(detection_events)
    if arr.ndim != 2 or arr.shape[1] != num_detectors:
        raise ValueError(f"detection events have shape {arr.shape}: must be "
                         f"(shots, {num_detectors})")
    return arr.astype(np.bool_, copy=False)


# --- DEM helpers ------------------------------------------------------------------------------
def _error_components(
    inst: stim.DemInstruction,
) -> tuple[float, list[tuple[int, ...]], list[int]]:
    """(probability, components as sorted detector tuples, observable bitmask of each)."""
    comps: list[list[int]] = [[]]
    masks = [0]
    for t in inst.targets_copy():
        if t.is_separator():
            comps.append([])
            masks.append(0)
        elif t.is_relative_detector_id():
            comps[-1].append(t.val)
        elif t.is_logical_observable_id():
            masks[-1] ^= 1 << t.val
    return inst.args_copy()[0], [tuple(sorted(c)) for c in comps], masks


def _errors(dem: stim.DetectorErrorModel):
    for inst in dem.flattened():
        if inst.type == "error":
            yield _error_components(inst)


def strip_heralds(dem: stim.DetectorErrorModel, heralds: np.ndarray | None = None, *,
                  drop_flagged: bool = False) -> stim.DetectorErrorModel:
    """The DEM with herald detectors removed from every error's symptoms.

    Errors left with no detector and no observable are dropped; components left empty are
    dropped from the decomposition. Detector declarations (and so ``num_detectors``) are kept,
    the herald ones becoming isolated detectors that must not fire in what is decoded.

    Args:
        dem: a DEM (decomposed or not).
        heralds: herald detector indices (default: ``herald_detectors(dem)``).
        drop_flagged: drop the errors flagged by a herald altogether (the model *given that no
            herald fired*) instead of keeping them with the herald removed (the model averaged
            over heralds).

    Returns:
        The stripped DEM (flattened).
    """
    heralds = herald_detectors(dem) if heralds is None else heralds
    herald_set = set(int(h) for h in heralds)
    out = stim.DetectorErrorModel()
    for inst in dem.flattened():
        if inst.type != "error":
            out.append(inst)
            continue
        kept: list[list[stim.DemTarget]] = [[]]
        flagged = False
        for t in inst.targets_copy():
            if t.is_separator():
                kept.append([])
            elif t.is_relative_detector_id() and t.val in herald_set:
                flagged = True
            else:
                kept[-1].append(t)
        kept = [c for c in kept if c]
        if flagged and drop_flagged:
            continue
        if not kept:
            continue
        targets: list[stim.DemTarget] = []
        for i, comp in enumerate(kept):
            if i:
                targets.append(stim.target_separator())
            targets.extend(comp)
        out.append("error", inst.args_copy(), targets)
    if dem.num_detectors and out.num_detectors < dem.num_detectors:
        out.append("detector", [], [stim.target_relative_detector_id(dem.num_detectors - 1)])
    if out.num_observables < dem.num_observables:
        out.append("logical_observable", [],
                   [stim.target_logical_observable_id(dem.num_observables - 1)])
    return out


@dataclass(frozen=True)
class DemHypergraph:
    """The DEM as matrices: one column per error mechanism (decomposition XORed back together).

    Attributes:
        check: detectors × mechanisms, uint8 CSC, shape (num_detectors, n_mech); herald rows kept.
        observables: observables × mechanisms, uint8 CSC, shape (num_observables, n_mech).
        priors: probability of each mechanism, shape (n_mech,).
        heralds: herald detector indices, shape (n_heralds,).
        herald_posteriors: probability of each mechanism conditional on its herald having
            fired (p_mech / P(herald)), 0 for mechanisms without a herald, shape (n_mech,).
        herald_columns: heralds × mechanisms, bool CSR, shape (n_heralds, n_mech): which
            mechanisms each herald flags.
        components: per mechanism, its graphlike components (sorted detector tuples, heralds
            removed), as in the DEM's decomposition.
        component_observables: per mechanism, per component, its observable bitmask.
    """

    check: sp.csc_matrix
    observables: sp.csc_matrix
    priors: np.ndarray
    heralds: np.ndarray
    herald_posteriors: np.ndarray
    herald_columns: sp.csr_matrix
    components: tuple[tuple[tuple[int, ...], ...], ...]
    component_observables: tuple[tuple[int, ...], ...]

    @property
    def num_mechanisms(self) -> int:
        """Number of error mechanisms (columns)."""
        return int(self.priors.shape[0])

    def erasure_priors(self, fired_heralds: np.ndarray) -> np.ndarray:
        """Priors updated for one shot's fired heralds.

        Args:
            fired_heralds: positions (into ``heralds``) of the heralds that fired, shape (k,).

        Returns:
            Priors, shape (n_mech,): the mechanisms flagged by a fired herald take their
            conditional probability (e.g. ¼ for each Pauli of an erased qubit, 1/16 for each
            two-qubit Pauli of a two-qubit gate's erased pair).
        """
        priors = self.priors.copy()
        if fired_heralds.size:
            cols = self.herald_columns[fired_heralds].indices
            priors[cols] = np.maximum(priors[cols], self.herald_posteriors[cols])
        return priors


def dem_hypergraph(dem: stim.DetectorErrorModel, *,
                   merge_duplicates: bool = False) -> DemHypergraph:
    r"""Matrices of a DEM for BP-based decoders.

    Args:
        dem: any DEM; a decomposed one has its components XORed back into one column.
        merge_duplicates: merge the mechanisms with the same symptoms (detectors, heralds
            included) and the same observables into one column, of probability
            p = p1(1 − p2) + p2(1 − p1) (either, not both, happens), as the BB paper's decoder
            does. stim merges only identical DEM instructions; a decomposed DEM, or two faults
            with equal effect through different paths (a hyperedge and its decomposition, a
            CNOT fault and an idle fault), leave duplicate columns, which split one mechanism's
            probability in two and weaken BP and OSD. The merged column keeps the components
            of its first mechanism. Default False: one column per DEM error.

    Returns:
        The ``DemHypergraph``.

    Raises:
        ValueError: an error mechanism flags two heralds (not produced by ``NoiseModel``).

    Example:
        >>> dem = stim.DetectorErrorModel("error(0.1) D0 D1\nerror(0.2) D0 ^ D1\nerror(0.1) D1")
        >>> dem_hypergraph(dem).num_mechanisms, dem_hypergraph(dem, merge_duplicates=True).priors
        (3, array([0.26, 0.1 ]))
    """
    heralds = herald_detectors(dem)
    herald_pos = {int(h): i for i, h in enumerate(heralds)}
    errors = list(_errors(dem))
    if merge_duplicates:
        errors = _merged(errors)
    rows: list[int] = []
    cols: list[int] = []
    obs_rows: list[int] = []
    obs_cols: list[int] = []
    priors: list[float] = []
    mech_herald: list[int] = []
    components: list[tuple[tuple[int, ...], ...]] = []
    comp_obs: list[tuple[int, ...]] = []
    for p, comps, masks in errors:
        j = len(priors)
        obs = 0
        for m in masks:
            obs ^= m
        symptoms: set[int] = set()
        for c in comps:
            symptoms.symmetric_difference_update(c)
        flagged = [herald_pos[d] for d in symptoms if d in herald_pos]
        if len(flagged) > 1:
            raise ValueError(f"error mechanism {j} flags {len(flagged)} heralds: at most one "
                             "herald per mechanism is supported")
        mech_herald.append(flagged[0] if flagged else -1)
        rows.extend(sorted(symptoms))
        cols.extend([j] * len(symptoms))
        priors.append(p)
        kept = []
        kept_obs = []
        for c, o in zip(comps, masks, strict=True):
            c2 = tuple(d for d in c if d not in herald_pos)
            if c2:
                kept.append(c2)
                kept_obs.append(o)
        components.append(tuple(kept))
        comp_obs.append(tuple(kept_obs))
        for k in range(dem.num_observables):
            if (obs >> k) & 1:
                obs_rows.append(k)
                obs_cols.append(j)
    n = len(priors)
    check = sp.csc_matrix((np.ones(len(rows), np.uint8), (rows, cols)),
                          shape=(dem.num_detectors, n))
    observables = sp.csc_matrix((np.ones(len(obs_rows), np.uint8), (obs_rows, obs_cols)),
                                shape=(dem.num_observables, n))
    prior_arr = np.array(priors, dtype=np.float64)
    mh = np.array(mech_herald, dtype=np.int64)
    flagged_cols = np.flatnonzero(mh >= 0)
    herald_columns = sp.csr_matrix(
        (np.ones(flagged_cols.size, np.bool_), (mh[flagged_cols], flagged_cols)),
        shape=(heralds.size, n))
    p_herald = np.bincount(mh[flagged_cols], weights=prior_arr[flagged_cols],
                           minlength=heralds.size)
    post = np.zeros(n)
    post[flagged_cols] = prior_arr[flagged_cols] / p_herald[mh[flagged_cols]]
    return DemHypergraph(check, observables, prior_arr, heralds, np.minimum(post, 1.0),
                         herald_columns, tuple(components), tuple(comp_obs))


def _merged(errors: list[tuple[float, list[tuple[int, ...]], list[int]]]
            ) -> list[tuple[float, list[tuple[int, ...]], list[int]]]:
    """Errors with equal (symptoms, observables) merged, first occurrence's order and parts."""
    index: dict[tuple[frozenset[int], int], int] = {}
    out: list[tuple[float, list[tuple[int, ...]], list[int]]] = []
    for p, comps, masks in errors:
        symptoms: set[int] = set()
        obs = 0
        for c, m in zip(comps, masks, strict=True):
            symptoms.symmetric_difference_update(c)
            obs ^= m
        key = (frozenset(symptoms), obs)
        j = index.get(key)
        if j is None:
            index[key] = len(out)
            out.append((p, comps, masks))
        else:
            q, c0, m0 = out[j]
            out[j] = (q * (1 - p) + p * (1 - q), c0, m0)
    return out


def decode_hypergraph_batch(decode_one, hyper: DemHypergraph, dets: np.ndarray) -> np.ndarray:
    """Runs a per-shot hypergraph decoder over a batch, skipping the empty syndromes.

    Args:
        decode_one: ``(syndrome uint8 (num_detectors,), fired herald positions (k,)) →
            predicted observables uint8 (num_observables,)``.
        hyper: the DEM hypergraph.
        dets: bool detection events, shape (shots, num_detectors).

    Returns:
        bool predictions, shape (shots, num_observables).
    """
    out = np.zeros((dets.shape[0], hyper.observables.shape[0]), dtype=np.bool_)
    herald_bits = dets[:, hyper.heralds] if hyper.heralds.size else None
    syndromes = dets.view(np.uint8)
    for s in np.flatnonzero(dets.any(axis=1)):
        fired = (np.flatnonzero(herald_bits[s]) if herald_bits is not None
                 else np.empty(0, np.int64))
        out[s] = decode_one(np.ascontiguousarray(syndromes[s]), fired)
    return out


def clip_probabilities(p: np.ndarray) -> np.ndarray:
    """Probabilities kept inside (0, ½] for finite log-likelihood ratios (BP priors)."""
    return np.clip(p, 1e-15, 0.5)


def no_options(name: str, options: dict[str, Any]) -> None:
    """Raise if a decoder that takes no options was given some.

    Raises:
        ValueError: naming the decoder and the options.
    """
    if options:
        raise ValueError(f"decoder {name!r} takes no options; got {', '.join(sorted(options))}")


class PerShotDecoder:
    """``decode_batch`` for decoders that decode one syndrome at a time (BP+OSD, belief-matching).

    A subclass has ``hyper`` (its ``DemHypergraph``), ``num_detectors`` and
    ``decode_shot(syndrome, fired_heralds) -> predicted observables``; empty syndromes are
    predicted as no flip without calling it.
    """

    hyper: DemHypergraph
    num_detectors: int

    def decode_shot(self, syndrome: np.ndarray, fired: np.ndarray) -> np.ndarray:
        """Predicted observables of one syndrome.

        Args:
            syndrome: uint8, shape (num_detectors,).
            fired: positions (into ``hyper.heralds``) of the heralds that fired, shape (k,).

        Returns:
            uint8, shape (num_observables,).
        """
        raise NotImplementedError

    def decode_batch(self, detection_events: np.ndarray, *, bit_packed: bool = False) -> np.ndarray:
        """Predicts observable flips, one ``decode_shot`` per non-empty shot.

        Args:
            detection_events: bool (shots, num_detectors), or with ``bit_packed`` uint8
                (shots, ceil(num_detectors / 8)).
            bit_packed: packed input and output (little-endian, as stim).

        Returns:
            bool (shots, num_observables), or with ``bit_packed`` uint8
            (shots, ceil(num_observables / 8)).
        """
        dets = check_shots(detection_events, self.num_detectors, bit_packed=bit_packed)
        out = decode_hypergraph_batch(self.decode_shot, self.hyper, dets)
        return pack_bits(out) if bit_packed else out
