"""``NoiseModel``: per-operation Pauli channels plus heralded erasure, inserted into stim circuits.

A noiseless circuit (stim's generated memory circuits, or the builders in ``qec.codes``) gets:

* after every single-qubit gate (``H``, ``S``, ...): ``PAULI_CHANNEL_1(px, py, pz)`` on its
  targets (``gate_1q``);
* after every two-qubit gate (``CX``, ``CZ``, ``XCX``...): ``PAULI_CHANNEL_2`` with the 15
  probabilities of ``gate_2q`` on each target pair (a product of single-qubit channels, the
  depolarizing channel, or a bias-preserving channel); on the pairs named *local* by the
  caller (``noisy_circuit(circuit, local_pairs=...)``), ``gate_2q_local`` instead when it is
  set: on QuantaCore ``gate_2q`` is the photon-mediated remote gate, and a code whose circuit
  couples some qubits directly (same node or neighbouring atoms, e.g. the short-range checks of
  a bivariate-bicycle code) gives those gates the local channel;
* heralded erasure after the gates that can lose a photon, one herald per failed operation, each
  a ``DETECTOR`` whose coordinates start with ``HERALD_COORD`` (−1) and carry a running herald
  index k (from 0, in circuit order):

  - single-qubit gates (``gate_1q.erasure``, per qubit): ``HERALDED_ERASE(p) q`` and
    ``DETECTOR(-1, q, k) rec[-1]``;
  - two-qubit gates (``gate_2q.erasure``, or ``gate_2q_local.erasure`` on a local pair, per
    *pair*): a failed photon-mediated gate is one
    event that erases both qubits. stim has no two-qubit heralded erasure, so a flag qubit
    ``f`` (index ``circuit.num_qubits`` of the input circuit, measured and reset each time, so
    one serves every herald; it gets no other noise and is no physical qubit) is flipped
    together with each of the 16 two-qubit Paulis ``P`` on (a, b) by an
    ``E`` / ``ELSE_CORRELATED_ERROR`` chain, each with probability p/16 (the k-th term's
    conditional probability is (p/16)/(1 − k·p/16)), then ``MR f`` and
    ``DETECTOR(-1, a, k, b) rec[-1]``: with probability p exactly one herald fires and the pair
    is left in a uniformly random two-qubit Pauli frame;
* measurements: the result flips with probability ``measure.px`` (stim's own ``M(p)``,
  ``MX(p)``...: a classical flip of the recorded bit, whatever the basis), or, when
  ``measure_z`` is set, ``measure_z.px`` for the Z-basis ones (``M``, ``MZ``, ``MR``, ``MRZ``);
* resets: after ``R`` an ``X_ERROR(reset.px)``, after ``RX`` a ``Z_ERROR(reset.px)``, after ``RY``
  an ``X_ERROR``: the prepared state is flipped with probability ``reset.px``;
* idle: at every ``TICK``, ``PAULI_CHANNEL_1`` of ``idle`` on every qubit of the circuit that no
  operation touched since the previous ``TICK``.

Noise channels already in the circuit (e.g. code-specific data noise inserted by a builder) are
kept. The circuit is flattened (``REPEAT`` blocks unrolled) so that every inserted herald can be
given an absolute position; every later ``rec[-k]`` look-back is remapped.

Normalisation of the figures built on these circuits: a "shot" is one memory experiment of
``rounds`` rounds; the logical error per shot P_L is what sinter counts; the logical error *per
round* is ε = (1 − (1 − 2·P_L)^(1/rounds))/2, the per-round flip probability that compounds to
P_L (``qec.stats``).

Heralded circuits must have their DEM built with ``approximate_disjoint_errors=True``, and must
be *sampled from the circuit*, never from the DEM (the DEM's disjoint approximation of the herald
correlations is fine for decoding, not for sampling).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import stim

__all__ = [
    "HERALD_COORD",
    "PAULI2_ORDER",
    "PAULI2_WITH_IDENTITY",
    "NoiseModel",
    "OpNoise",
    "TwoQubitNoise",
    "herald_detectors",
    "herald_mask",
    "herald_pairs",
    "herald_qubits",
]

HERALD_COORD = -1.0
"""First coordinate of every herald ``DETECTOR``: ``DETECTOR(-1, qubit, k)`` (single-qubit
erasure) or ``DETECTOR(-1, a, k, b)`` (joint erasure of the pair (a, b) of a two-qubit gate)."""

PAULI2_ORDER: tuple[str, ...] = tuple(
    a + b for a in "IXYZ" for b in "IXYZ" if a + b != "II"
)
"""Order of the 15 two-qubit Pauli probabilities, as stim's ``PAULI_CHANNEL_2`` takes them."""

PAULI2_WITH_IDENTITY: tuple[str, ...] = ("II", *PAULI2_ORDER)
"""The 16 two-qubit Paulis: ``II`` then ``PAULI2_ORDER`` (the first letter acts on the first
qubit of the pair)."""

_ONE_QUBIT_KINDS = ("gate_1q", "measure", "reset", "idle")


def _prob(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} = {value!r}: must be a probability in [0, 1]")
    if not (0.0 <= value <= 1.0):
        raise ValueError(f"{name} = {value}: must be in [0, 1]")
    return float(value)


@dataclass(frozen=True)
class OpNoise:
    """Single-qubit Pauli channel plus heralded erasure of one operation kind.

    Attributes:
        px: probability of X (for ``measure``: of a flipped result; for ``reset``: of a
            flipped prepared state), in [0, 1].
        py: probability of Y, in [0, 1].
        pz: probability of Z, in [0, 1].
        erasure: probability of a heralded erasure (photon loss flagged by the hardware), in
            [0, 1]; the erased qubit is left in a random Pauli frame (I, X, Y, Z with ¼ each).
    """

    px: float = 0.0
    py: float = 0.0
    pz: float = 0.0
    erasure: float = 0.0

    def __post_init__(self) -> None:
        for name in ("px", "py", "pz", "erasure"):
            object.__setattr__(self, name, _prob(name, getattr(self, name)))
        if self.px + self.py + self.pz > 1 + 1e-12:
            raise ValueError(f"px + py + pz = {self.px + self.py + self.pz}: must be <= 1")

    @classmethod
    def depolarizing(cls, p: float) -> OpNoise:
        """X, Y, Z each with probability p/3 (stim's ``DEPOLARIZE1(p)``)."""
        p = _prob("p", p)
        return cls(p / 3, p / 3, p / 3)

    @property
    def p_pauli(self) -> float:
        """Total Pauli probability px + py + pz."""
        return self.px + self.py + self.pz

    @property
    def is_zero(self) -> bool:
        """True when the channel does nothing."""
        return self.p_pauli == 0 and self.erasure == 0

    def erasure_as_pauli(self) -> OpNoise:
        """The same channel with the herald dropped: an erasure is a fully depolarised qubit.

        With probability ``erasure`` the qubit is replaced by the maximally mixed state, i.e.
        each of I, X, Y, Z with probability 1/4: px → (1 − e)·px + e/4 (likewise py, pz),
        erasure → 0 (what a decoder that never sees the herald faces).

        Example:
            >>> OpNoise(px=0.01, erasure=0.04).erasure_as_pauli()
            OpNoise(px=0.0196, py=0.01, pz=0.01, erasure=0.0)
        """
        e = self.erasure
        return OpNoise(*(round((1 - e) * p + e / 4, 15) for p in (self.px, self.py, self.pz)))

    def scaled(self, factor: float) -> OpNoise:
        """Every probability multiplied by ``factor`` (clipped to stay a valid channel)."""
        s = max(0.0, factor)
        total = self.p_pauli * s
        shrink = 1.0 if total <= 1 else 1.0 / total
        return OpNoise(self.px * s * shrink, self.py * s * shrink, self.pz * s * shrink,
                       min(1.0, self.erasure * s))


@dataclass(frozen=True)
class TwoQubitNoise:
    """Two-qubit Pauli channel plus one joint heralded erasure of a two-qubit gate.

    Attributes:
        probs: the 15 probabilities of ``IX, IY, IZ, XI, ..., ZZ`` (``PAULI2_ORDER``; the first
            letter acts on the gate's first qubit), each in [0, 1], summing to ≤ 1.
        erasure: probability that the gate fails as one heralded event, in [0, 1]: both qubits
            are erased (left in a uniformly random two-qubit Pauli frame, each of the 16 Paulis
            with 1/16) and exactly one herald fires for the pair. The marginal erasure
            probability of each qubit is ``erasure`` too.

    Example:
        >>> noise = TwoQubitNoise.from_paulis({"ZI": 0.01, "ZZ": 0.002}, erasure=0.05)
        >>> round(noise.p_pauli, 6), noise.erasure
        (0.012, 0.05)
        >>> TwoQubitNoise.from_dict_of_paulis({"ZZ": 0.1}) == TwoQubitNoise.from_paulis({"ZZ": 0.1})
        True
    """

    probs: tuple[float, ...] = (0.0,) * 15
    erasure: float = 0.0

    def __post_init__(self) -> None:
        probs = tuple(self.probs)
        if len(probs) != 15:
            raise ValueError(f"probs has {len(probs)} entries: must have 15 "
                             f"({', '.join(PAULI2_ORDER)})")
        probs = tuple(_prob(f"probs[{PAULI2_ORDER[i]}]", p) for i, p in enumerate(probs))
        if sum(probs) > 1 + 1e-12:
            raise ValueError(f"sum(probs) = {sum(probs)}: must be <= 1")
        object.__setattr__(self, "probs", probs)
        object.__setattr__(self, "erasure", _prob("erasure", self.erasure))

    @classmethod
    def depolarizing(cls, p: float) -> TwoQubitNoise:
        """Each of the 15 non-identity Paulis with probability p/15 (stim's ``DEPOLARIZE2``)."""
        p = _prob("p", p)
        return cls((p / 15,) * 15)

    @classmethod
    def product(cls, a: OpNoise, b: OpNoise | None = None) -> TwoQubitNoise:
        """Independent single-qubit channels on the two qubits.

        The Pauli part is the exact product. The erasures cannot stay two independent per-qubit
        erasures (a two-qubit gate has one joint herald): the joint erasure is
        1 − (1 − a.erasure)(1 − b.erasure), the probability that either qubit is erased, and
        then *both* are. That is conservative: a qubit whose partner alone was erased is
        erased as well (its marginal erasure rises from a.erasure to the joint one).

        Args:
            a: channel of the first qubit.
            b: channel of the second qubit (default: ``a``).

        Returns:
            Their product with the joint erasure above.

        Example:
            >>> from qec.noise import OpNoise, TwoQubitNoise
            >>> round(TwoQubitNoise.product(OpNoise(erasure=0.1)).erasure, 6)
            0.19
        """
        b = a if b is None else b
        pa = {"I": 1 - a.p_pauli, "X": a.px, "Y": a.py, "Z": a.pz}
        pb = {"I": 1 - b.p_pauli, "X": b.px, "Y": b.py, "Z": b.pz}
        return cls(tuple(pa[k[0]] * pb[k[1]] for k in PAULI2_ORDER),
                   1 - (1 - a.erasure) * (1 - b.erasure))

    @classmethod
    def from_paulis(cls, probs: Mapping[str, float] | Sequence[float], *,
                    erasure: float = 0.0) -> TwoQubitNoise:
        """From the probabilities of the two-qubit Paulis, by label or as a full table.

        Args:
            probs: either ``{"ZI": p1, "ZZ": p2, ...}`` (labels of ``PAULI2_WITH_IDENTITY``;
                missing Paulis are 0; an ``"II"`` entry, if given, must make the total 1), or
                16 probabilities in ``PAULI2_WITH_IDENTITY`` order (``II`` first, summing to 1
                within 1e-9: a full two-qubit Pauli channel, e.g. a twirled process), or the
                15 non-identity ones in ``PAULI2_ORDER``.
            erasure: joint heralded-erasure probability of the pair, in [0, 1].

        Returns:
            The channel.

        Raises:
            ValueError: on an unknown label, a table of another length, or an ``II``
                probability that does not complete the total to 1.
        """
        if isinstance(probs, Mapping):
            bad = [k for k in probs if k not in PAULI2_WITH_IDENTITY]
            if bad:
                raise ValueError(f"unknown two-qubit Pauli {bad[0]!r}: must be one of "
                                 f"{', '.join(PAULI2_WITH_IDENTITY)}")
            table = [float(probs.get(k, 0.0)) for k in PAULI2_WITH_IDENTITY]
            if "II" not in probs:
                table[0] = 1.0 - sum(table[1:])
        else:
            table = [float(p) for p in probs]
            if len(table) == 15:
                table = [1.0 - sum(table), *table]
            elif len(table) != 16:
                raise ValueError(f"probs has {len(table)} entries: must have 16 "
                                 f"({', '.join(PAULI2_WITH_IDENTITY)}) or 15 (without II)")
        if abs(sum(table) - 1.0) > 1e-9:
            raise ValueError(f"probs[II] = {table[0]}: the 16 probabilities sum to {sum(table)}: "
                             "must sum to 1")
        return cls(tuple(table[1:]), erasure)

    @classmethod
    def from_dict_of_paulis(cls, probs: dict[str, float], *, erasure: float = 0.0) -> TwoQubitNoise:
        """From ``{"ZI": p1, "IZ": p2, "ZZ": p3}`` (missing Paulis are 0; see ``from_paulis``).

        Raises:
            ValueError: on a key that is not a two-qubit Pauli label.
        """
        return cls.from_paulis(probs, erasure=erasure)

    @property
    def p_pauli(self) -> float:
        """Total probability of a non-identity Pauli."""
        return float(sum(self.probs))

    @property
    def is_zero(self) -> bool:
        """True when the channel does nothing."""
        return self.p_pauli == 0 and self.erasure == 0

    def erasure_as_pauli(self) -> TwoQubitNoise:
        """The same channel with the herald dropped: an erased pair is fully depolarised.

        Each of the 16 two-qubit Paulis with probability 1/16 on an erasure:
        p_P → (1 − e)·p_P + e/16 for the 15 non-identity P, erasure → 0.
        """
        e = self.erasure
        return TwoQubitNoise(tuple(round((1 - e) * p + e / 16, 15) for p in self.probs))

    def scaled(self, factor: float) -> TwoQubitNoise:
        """Every probability multiplied by ``factor`` (clipped to stay a valid channel)."""
        s = max(0.0, factor)
        total = self.p_pauli * s
        shrink = 1.0 if total <= 1 else 1.0 / total
        return TwoQubitNoise(tuple(p * s * shrink for p in self.probs),
                             min(1.0, self.erasure * s))


_MEASURE = {"M", "MX", "MY", "MR", "MRX", "MRY", "MZ", "MRZ"}
_MEASURE_Z = {"M", "MZ", "MR", "MRZ"}
_RESET_FLIP = {"R": "X_ERROR", "RZ": "X_ERROR", "RX": "Z_ERROR", "RY": "X_ERROR"}
_ANNOTATIONS = {"DETECTOR", "OBSERVABLE_INCLUDE", "QUBIT_COORDS", "SHIFT_COORDS", "TICK",
                "MPAD"}


@dataclass(frozen=True)
class NoiseModel:
    """Noise of each operation kind of a circuit.

    Attributes:
        gate_1q: after single-qubit gates.
        gate_2q: after two-qubit gates (``TwoQubitNoise``).
        measure: ``px`` = measurement flip probability (``py``, ``pz``, ``erasure`` must be 0).
        reset: ``px`` = probability that the prepared state is flipped (others must be 0).
        idle: per ``TICK`` layer on every qubit not acted on in that layer.
        hot: ``((qubit, factor), ...)``: qubits whose every error probability (gates touching
            them, measurement, reset, idle, erasure) is multiplied by ``factor`` (a hot node).
        measure_z: when given, the flip (``px``) of Z-basis measurements (``M``, ``MZ``, ``MR``,
            ``MRZ``), ``measure`` then covering the others; None (default): ``measure`` for all.
            Cat qubits read Z (homodyne) and X (parity) with different errors.
        gate_2q_local: when given, the channel (and joint herald) of the two-qubit gates on
            the pairs that ``noisy_circuit`` is told are local (``local_pairs``); None
            (default): ``gate_2q`` on every pair, so a model without it inserts exactly what
            it did before the local channel existed.
    """

    gate_1q: OpNoise = field(default_factory=OpNoise)
    gate_2q: TwoQubitNoise = field(default_factory=TwoQubitNoise)
    measure: OpNoise = field(default_factory=OpNoise)
    reset: OpNoise = field(default_factory=OpNoise)
    idle: OpNoise = field(default_factory=OpNoise)
    hot: tuple[tuple[int, float], ...] = ()
    measure_z: OpNoise | None = None
    gate_2q_local: TwoQubitNoise | None = None

    def __post_init__(self) -> None:
        hot = tuple((int(q), float(f)) for q, f in self.hot)
        for q, f in hot:
            if q < 0 or not (math.isfinite(f) and f >= 0):
                raise ValueError(f"hot = ({q}, {f}): the qubit must be >= 0 and the factor a "
                                 "finite number >= 0")
        object.__setattr__(self, "hot", hot)
        for kind in ("measure", "reset", "measure_z"):
            op = getattr(self, kind)
            if op is None:
                continue
            if op.py or op.pz or op.erasure:
                raise ValueError(f"{kind}: only px (a flip probability) is meaningful; got "
                                 f"py = {op.py}, pz = {op.pz}, erasure = {op.erasure}")
        if self.idle.erasure:
            raise ValueError(f"idle.erasure = {self.idle.erasure}: idle qubits emit no photon, "
                             "must be 0")

    @classmethod
    def uniform_depolarizing(cls, p: float) -> NoiseModel:
        """The uniform model of stim's generated circuits.

        Equals ``after_clifford_depolarization = before_measure_flip_probability =
        after_reset_flip_probability = p`` (no idle noise).
        """
        return cls(gate_1q=OpNoise.depolarizing(p), gate_2q=TwoQubitNoise.depolarizing(p),
                   measure=OpNoise(px=p), reset=OpNoise(px=p))

    @property
    def has_erasure(self) -> bool:
        """True when any operation can be heralded-erased."""
        local = self.gate_2q_local is not None and self.gate_2q_local.erasure > 0
        return self.gate_1q.erasure > 0 or self.gate_2q.erasure > 0 or local

    def erasure_as_pauli(self) -> NoiseModel:
        """Every heralded erasure folded into its Pauli channel (no herald left).

        For decoders that cannot use heralds: an erased qubit (pair) is fully depolarised
        (``OpNoise.erasure_as_pauli``, ``TwoQubitNoise.erasure_as_pauli``). The error per
        operation is unchanged; only the information that the herald carried is lost.
        """
        local = None if self.gate_2q_local is None else self.gate_2q_local.erasure_as_pauli()
        return NoiseModel(self.gate_1q.erasure_as_pauli(), self.gate_2q.erasure_as_pauli(),
                          self.measure, self.reset, self.idle.erasure_as_pauli(), hot=self.hot,
                          measure_z=self.measure_z, gate_2q_local=local)

    def scaled(self, factor: float) -> NoiseModel:
        """Every probability multiplied by ``factor`` (a noise-scale sweep)."""
        mz = None if self.measure_z is None else self.measure_z.scaled(factor)
        local = None if self.gate_2q_local is None else self.gate_2q_local.scaled(factor)
        return NoiseModel(*(getattr(self, k).scaled(factor) for k in
                            ("gate_1q", "gate_2q", "measure", "reset", "idle")), hot=self.hot,
                          measure_z=mz, gate_2q_local=local)

    # --- serialisation -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict (JSON-ready); ``gate_2q.probs`` is a list of 15 floats."""
        out = {k: asdict(getattr(self, k)) for k in _ONE_QUBIT_KINDS}
        out["gate_2q"] = {"probs": list(self.gate_2q.probs), "erasure": self.gate_2q.erasure}
        if self.hot:
            out["hot"] = [[q, f] for q, f in self.hot]
        if self.measure_z is not None:
            out["measure_z"] = asdict(self.measure_z)
        if self.gate_2q_local is not None:
            out["gate_2q_local"] = {"probs": list(self.gate_2q_local.probs),
                                    "erasure": self.gate_2q_local.erasure}
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NoiseModel:
        """Inverse of ``to_dict``; missing kinds are noiseless.

        Raises:
            ValueError: on unknown kinds or keys, or invalid probabilities.
        """
        known = {"gate_1q", "gate_2q", "measure", "reset", "idle", "hot", "measure_z",
                 "gate_2q_local"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown noise kind {unknown[0]!r}: must be one of "
                             f"{', '.join(sorted(known))}")
        kwargs: dict[str, Any] = {}
        for kind, values in data.items():
            if kind == "hot":
                kwargs["hot"] = tuple((q, f) for q, f in values)
                continue
            two = kind in ("gate_2q", "gate_2q_local")
            keys = {"probs", "erasure"} if two else {"px", "py", "pz", "erasure"}
            bad = sorted(set(values) - keys)
            if bad:
                raise ValueError(f"unknown key '{kind}.{bad[0]}': must be one of "
                                 f"{', '.join(sorted(keys))}")
            if two:
                kwargs[kind] = TwoQubitNoise(tuple(values.get("probs", (0.0,) * 15)),
                                             values.get("erasure", 0.0))
            else:
                kwargs[kind] = OpNoise(**values)
        return cls(**kwargs)

    def to_json(self) -> str:
        """JSON text of ``to_dict``."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> NoiseModel:
        """Inverse of ``to_json``."""
        return cls.from_dict(json.loads(text))

    # --- insertion -----------------------------------------------------------------------
    def noisy_circuit(self, circuit: stim.Circuit, *,
                      local_pairs: frozenset[tuple[int, int]] | Sequence[tuple[int, int]] = (),
                      ) -> stim.Circuit:
        """A copy of ``circuit`` with this model's noise inserted (see the module docstring).

        Args:
            circuit: a (typically noiseless) circuit; existing noise is kept.
            local_pairs: qubit pairs (either order) whose two-qubit gates are local (e.g.
                ``MemoryExperiment.local_pairs``): they get ``gate_2q_local`` when it is set,
                ``gate_2q`` otherwise. Default: none (every two-qubit gate gets ``gate_2q``).

        Returns:
            A flattened circuit (no ``REPEAT``) with the same detectors and observables, plus
            one herald detector per possible erasure: per qubit of a single-qubit gate, per
            target *pair* of a two-qubit gate. When ``gate_2q.erasure`` > 0 it has one extra
            qubit, the herald flag ``circuit.num_qubits`` (no physical qubit: count qubits on
            the input circuit).

        Example:
            >>> import stim
            >>> model = NoiseModel(gate_2q=TwoQubitNoise(erasure=0.05))
            >>> noisy = model.noisy_circuit(stim.Circuit("CX 0 1 2 3"))
            >>> noisy.num_detectors, noisy.num_qubits  # one herald per pair; flag qubit 4
            (2, 5)
            >>> herald_pairs(noisy).tolist()
            [[0, 1], [2, 3]]
        """
        out = _CircuitText()
        hot = dict(self.hot)
        local: tuple[TwoQubitNoise, frozenset[tuple[int, int]]] | None = None
        if self.gate_2q_local is not None and local_pairs:
            local = (self.gate_2q_local,
                     frozenset((min(a, b), max(a, b)) for a, b in local_pairs))
        flag = circuit.num_qubits  # the two-qubit herald flag: measured and reset each time
        all_qubits = list(range(circuit.num_qubits))
        touched: set[int] = set()
        old_to_new: list[int] = []  # absolute measurement index map
        n_new = 0
        n_heralds = 0
        for inst in circuit.flattened():
            name = inst.name
            targets = inst.targets_copy()
            args = inst.gate_args_copy()
            if name in ("DETECTOR", "OBSERVABLE_INCLUDE"):
                new_targets = []
                for t in targets:
                    if t.is_measurement_record_target:
                        absolute = len(old_to_new) + t.value
                        new_targets.append(stim.target_rec(old_to_new[absolute] - n_new))
                    else:
                        new_targets.append(t)
                out.append(name, new_targets, args)
                continue
            if name == "TICK":
                if not self.idle.is_zero:
                    idle = [q for q in all_qubits if q not in touched]
                    for f, group in _by_factor(idle, hot):
                        _append_1q(out, group, self.idle.scaled(f))
                touched.clear()
                out.append("TICK")
                continue
            if name in _ANNOTATIONS:
                out.append(inst)
                continue
            data = stim.gate_data(name)
            qubits = [t.value for t in targets if t.is_qubit_target]
            touched.update(qubits)
            if name in _MEASURE:
                # consecutive runs of equally hot targets keep the record order
                meas = (self.measure_z if self.measure_z is not None and name in _MEASURE_Z
                        else self.measure)
                for f, run in _runs_by_factor(targets, hot):
                    flip = meas.scaled(f).px
                    run_args = args
                    if flip and not args:
                        run_args = [flip]
                    elif flip:
                        run_args = [1 - (1 - args[0]) * (1 - flip) - args[0] * flip]
                    out.append(name, run, run_args)
                old_to_new.extend(range(n_new, n_new + len(qubits)))
                n_new += len(qubits)
                if name.startswith("MR") and self.reset.px:
                    flip_gate = "Z_ERROR" if name == "MRX" else "X_ERROR"
                    for f, group in _by_factor(qubits, hot):
                        out.append(flip_gate, group, [self.reset.scaled(f).px])
                continue
            if data.produces_measurements:
                # MPP, HERALDED_*, ...: pass through, keep the record aligned
                out.append(inst)
                k = stim.Circuit(str(inst)).num_measurements
                old_to_new.extend(range(n_new, n_new + k))
                n_new += k
                continue
            out.append(inst)
            if name in _RESET_FLIP:
                if self.reset.px:
                    for f, group in _by_factor(qubits, hot):
                        out.append(_RESET_FLIP[name], group, [self.reset.scaled(f).px])
                continue
            if data.is_noisy_gate or not data.is_unitary:
                continue
            if data.is_two_qubit_gate:
                all_pairs = [targets[i:i + 2] for i in range(0, len(targets), 2)]
                for channel, pairs in _split_local(all_pairs, self.gate_2q, local):
                    if channel.p_pauli:
                        groups: dict[float, list] = {}
                        for pair in pairs:
                            f = max(hot.get(t.value, 1.0) for t in pair)
                            groups.setdefault(f, []).extend(pair)
                        for f, group in groups.items():
                            _append_2q(out, group, channel.scaled(f))
                    if not channel.erasure:
                        continue
                    for ta, tb in pairs:
                        if not (ta.is_qubit_target and tb.is_qubit_target):
                            continue  # classically controlled: no photon-mediated gate
                        a, b = ta.value, tb.value
                        f = max(hot.get(a, 1.0), hot.get(b, 1.0))
                        _append_joint_erasure(out, a, b, min(1.0, channel.erasure * f),
                                              flag=flag)
                        out.append("DETECTOR", [stim.target_rec(-1)],
                                   [HERALD_COORD, a, n_heralds, b])
                        n_heralds += 1
                        n_new += 1
            elif data.is_single_qubit_gate:
                g = self.gate_1q
                if g.p_pauli:
                    for f, group in _by_factor(targets, hot):
                        _append_1q(out, group, g.scaled(f))
                if g.erasure:
                    for q in qubits:
                        out.append("HERALDED_ERASE", [q], [min(1.0, g.erasure * hot.get(q, 1.0))])
                        out.append("DETECTOR", [stim.target_rec(-1)],
                                   [HERALD_COORD, q, n_heralds])
                        n_heralds += 1
                        n_new += 1
        return out.circuit()

    def with_(self, **changes: Any) -> NoiseModel:
        """A copy with some kinds replaced, e.g. ``model.with_(idle=OpNoise(pz=1e-3))``."""
        return replace(self, **changes)


def _split_local(pairs: list, remote: TwoQubitNoise,
                 local: tuple[TwoQubitNoise, frozenset[tuple[int, int]]] | None,
                 ) -> list[tuple[TwoQubitNoise, list]]:
    """The target pairs of one two-qubit instruction grouped by channel, order kept in a group.

    Without a local channel (or local pairs) every pair gets ``remote``: the circuit is then
    exactly what it was before local gates existed.
    """
    if local is None:
        return [(remote, pairs)]
    channel, keys = local
    near, far = [], []
    for pair in pairs:
        a, b = pair[0].value, pair[1].value
        (near if (min(a, b), max(a, b)) in keys else far).append(pair)
    return [(c, g) for c, g in ((remote, far), (channel, near)) if g]


def _value(t: Any) -> int:
    return t if isinstance(t, int) else t.value


def _by_factor(targets: list, hot: dict[int, float]) -> list[tuple[float, list]]:
    """Targets grouped by their hot factor (1.0 for ordinary qubits), order kept in a group."""
    if not hot:
        return [(1.0, list(targets))] if targets else []
    groups: dict[float, list] = {}
    for t in targets:
        groups.setdefault(hot.get(_value(t), 1.0), []).append(t)
    return list(groups.items())


def _runs_by_factor(targets: list, hot: dict[int, float]) -> list[tuple[float, list]]:
    """Consecutive runs of targets with equal hot factor (keeps measurement-record order)."""
    runs: list[tuple[float, list]] = []
    for t in targets:
        f = hot.get(_value(t), 1.0)
        if runs and runs[-1][0] == f:
            runs[-1][1].append(t)
        else:
            runs.append((f, [t]))
    return runs


class _CircuitText:
    """Collects instructions as text and parses them once.

    ``stim.Circuit.append`` costs ~25 µs per call from Python and a d = 5 memory circuit has
    thousands of instructions; one parse of the whole text is ~30× faster.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []

    def append(self, name: Any, targets: list | None = None, args: list | None = None) -> None:
        if isinstance(name, stim.CircuitInstruction):
            self.lines.append(str(name))
            return
        head = f"{name}({', '.join(repr(float(a)) for a in args)})" if args else name
        if targets:
            self.lines.append(head + " " + " ".join(_target_text(t) for t in targets))
        else:
            self.lines.append(head)

    def circuit(self) -> stim.Circuit:
        return stim.Circuit("\n".join(self.lines))


def _target_text(t: Any) -> str:
    if isinstance(t, str):  # already text (a Pauli target such as "X3")
        return t
    if isinstance(t, int | np.integer):
        return str(int(t))
    if t.is_measurement_record_target:
        return f"rec[{t.value}]"
    if t.is_qubit_target:
        return ("!" if t.is_inverted_result_target else "") + str(t.value)
    raise ValueError(f"noise insertion does not handle the target {t!r} here")


def _append_1q(out: Any, targets: list, op: OpNoise) -> None:
    """The cheapest exact stim instruction for a single-qubit Pauli channel.

    DEPOLARIZE1 and X/Y/Z_ERROR are analysed exactly by stim; PAULI_CHANNEL_1 needs
    ``approximate_disjoint_errors=True`` when a DEM is built.
    """
    px, py, pz = op.px, op.py, op.pz
    if px == py == pz:
        out.append("DEPOLARIZE1", targets, [min(3 * px, 0.75)])
        return
    nonzero = [(name, p) for name, p in (("X_ERROR", px), ("Y_ERROR", py), ("Z_ERROR", pz)) if p]
    if len(nonzero) == 1:
        out.append(nonzero[0][0], targets, [nonzero[0][1]])
    else:
        out.append("PAULI_CHANNEL_1", targets, [px, py, pz])


def _append_joint_erasure(out: Any, a: int, b: int, p: float, *, flag: int) -> None:
    """Erase the pair (a, b) with probability p, flipping the herald flag qubit; then ``MR``.

    Each of the 16 two-qubit Paulis (``PAULI2_WITH_IDENTITY``) happens together with X on the
    flag with probability p/16, as disjoint outcomes: an ``E`` / ``ELSE_CORRELATED_ERROR``
    chain whose k-th term has the conditional probability (p/16)/(1 − k·p/16) (given that no
    earlier term fired). ``MR flag`` then records the herald and leaves the flag in |0⟩.
    """
    q = p / 16
    for k, pauli in enumerate(PAULI2_WITH_IDENTITY):
        cond = min(1.0, q / (1 - k * q)) if q else 0.0
        targets = [f"X{flag}"] + [f"{letter}{qubit}" for letter, qubit in zip(pauli, (a, b),
                                                                             strict=True)
                                  if letter != "I"]
        out.append("E" if k == 0 else "ELSE_CORRELATED_ERROR", targets, [cond])
    out.append("MR", [flag])


def _append_2q(out: Any, targets: list, op: TwoQubitNoise) -> None:
    """DEPOLARIZE2 when all 15 probabilities are equal, else PAULI_CHANNEL_2."""
    if max(op.probs) == min(op.probs):
        # a fully mixing channel is 15/16; round-off above it is refused by stim's analysis
        out.append("DEPOLARIZE2", targets, [min(15 * op.probs[0], 15 / 16)])
    else:
        out.append("PAULI_CHANNEL_2", targets, list(op.probs))


def herald_mask(model: stim.Circuit | stim.DetectorErrorModel) -> np.ndarray:
    r"""Which detectors are heralds (coordinates starting with ``HERALD_COORD``).

    The one definition of a herald detector: the loop, the decoders, the estimators and the
    sampling path all read the layout through this function (or ``herald_detectors`` /
    ``herald_pairs`` / ``herald_qubits``, built on it). There is one herald per erasure event:
    one per qubit of a single-qubit gate, one per failed two-qubit gate (flagging both qubits).

    Args:
        model: a noisy circuit or its detector error model (both carry the coordinates).

    Returns:
        bool array, shape (num_detectors,).

    Example:
        >>> import stim
        >>> c = NoiseModel(gate_2q=TwoQubitNoise((0.0,) * 15, 0.01)).noisy_circuit(
        ...     stim.Circuit("CX 0 1\nM 0 1\nDETECTOR rec[-1]"))
        >>> herald_mask(c).tolist()  # one joint herald for the pair (0, 1)
        [True, False]
    """
    mask = np.zeros(model.num_detectors, dtype=bool)
    for k, c in model.get_detector_coordinates().items():
        if c and c[0] == HERALD_COORD:
            mask[k] = True
    return mask


def herald_detectors(model: stim.Circuit | stim.DetectorErrorModel) -> np.ndarray:
    """Indices of the herald detectors (see ``herald_mask``).

    Returns:
        Sorted int64 array of detector indices, shape (n_heralds,).
    """
    return np.flatnonzero(herald_mask(model)).astype(np.int64)


def herald_pairs(model: stim.Circuit | stim.DetectorErrorModel) -> np.ndarray:
    r"""The qubits each herald detector flags, in detector order.

    A herald ``DETECTOR(-1, a, k, b)`` (joint erasure of a two-qubit gate) flags ``(a, b)``; a
    herald ``DETECTOR(-1, q, k)`` (single-qubit erasure) flags ``(q, -1)``.

    Args:
        model: a noisy circuit or its detector error model.

    Returns:
        int64 array, shape (n_heralds, 2): first qubit, second qubit or −1.

    Example:
        >>> import stim
        >>> model = NoiseModel(gate_1q=OpNoise(erasure=0.01), gate_2q=TwoQubitNoise(erasure=0.01))
        >>> herald_pairs(model.noisy_circuit(stim.Circuit("H 2\nCX 0 1"))).tolist()
        [[2, -1], [0, 1]]
    """
    coords = model.get_detector_coordinates()
    rows = [(int(c[1]), int(c[3]) if len(c) > 3 else -1) for _, c in sorted(coords.items())
            if c and c[0] == HERALD_COORD]
    return np.array(rows, dtype=np.int64).reshape(len(rows), 2)


def herald_qubits(model: stim.Circuit | stim.DetectorErrorModel) -> np.ndarray:
    """The (first) qubit each herald detector flags, in detector order (its second coordinate).

    Kept for callers that need one qubit per herald; ``herald_pairs`` gives both qubits of a
    two-qubit gate's joint herald.

    Returns:
        int64 array, shape (n_heralds,): ``herald_pairs(model)[:, 0]``.
    """
    return herald_pairs(model)[:, 0].copy()
