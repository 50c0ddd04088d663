"""Two-qubit Pauli channels: the 16 probabilities, one joint loss, twirling and composition.

A photon-mediated two-qubit gate fails *as one event*: a lost or mis-heralded photon acts on
both atoms at once (which-path information on one or both, a phase flip on the pair), and a
timeout erases both qubits together. Its effective noise is therefore a *two-qubit* Pauli
channel, not a product of two one-qubit channels:

    E(ρ) = Σ_{P ∈ {I,X,Y,Z}⊗²} p_P · P ρ P    (with probability ``p_loss``: both qubits lost)

Labels are two letters, the first for qubit A (the control of a CX), the second for qubit B, in
the order ``PAULI2_LABELS`` = ``II, IX, IY, IZ, XI, ..., ZZ`` (stim's ``PAULI_CHANNEL_2`` order
after dropping ``II``). Probabilities are *unconditional*: Σ p_P + p_loss = 1.

Twirling: for a two-qubit process S (16 × 16, column-stacked vec(ρ), as qutip) its Pauli
twirl keeps the diagonal of the χ matrix in the Pauli basis, χ_PP = (1/16²) Σ... computed here
as χ_PP = Tr[(P̄ ⊗ P)† S]/16 (the superoperators P̄ ⊗ P are orthogonal with norm² 16). A
trace-decreasing process (a heralded failure taken out) twirls to p_loss = 1 − Σ χ_PP.

Example:
    >>> import numpy as np
    >>> from physics.extraction import unitary_superop
    >>> zz = np.diag([1, -1, -1, 1]).astype(complex)  # Z⊗Z
    >>> theta = 0.3
    >>> u = np.cos(theta / 2) * np.eye(4) - 1j * np.sin(theta / 2) * zz  # exp(−iθ ZZ/2)
    >>> ch = twirl_two_qubit(unitary_superop(u))
    >>> bool(abs(ch.prob("ZZ") - np.sin(theta / 2) ** 2) < 1e-12), round(ch.prob("II"), 6)
    (True, 0.977668)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from physics.channel import Channel

__all__ = ["PAULI2_LABELS", "TwoQubitChannel", "pauli2_matrix", "twirl_two_qubit"]

PAULI2_LABELS: tuple[str, ...] = tuple(a + b for a in "IXYZ" for b in "IXYZ")
"""The 16 two-qubit Pauli labels, first letter = qubit A (``II`` first, then stim's order)."""

_TOL = 1e-9
_P1 = {
    "I": np.eye(2, dtype=complex),
    "X": np.array([[0, 1], [1, 0]], dtype=complex),
    "Y": np.array([[0, -1j], [1j, 0]], dtype=complex),
    "Z": np.array([[1, 0], [0, -1]], dtype=complex),
}
_INDEX = {"I": 0, "X": 1, "Y": 2, "Z": 3}
# one-qubit Pauli product table (phases dropped), labels 0=I 1=X 2=Y 3=Z
_MUL = np.array([[0, 1, 2, 3], [1, 0, 3, 2], [2, 3, 0, 1], [3, 2, 1, 0]])


def pauli2_matrix(label: str) -> np.ndarray:
    """The 4 × 4 matrix of a two-qubit Pauli label, qubit A the most significant (``A ⊗ B``).

    Raises:
        ValueError: on a label that is not two of I, X, Y, Z.
    """
    if not (isinstance(label, str) and len(label) == 2 and set(label) <= set("IXYZ")):
        raise ValueError(f"label = {label!r}: must be two letters of I, X, Y, Z, e.g. 'ZZ'")
    return np.kron(_P1[label[0]], _P1[label[1]])


_SUPER_BASIS = np.array([np.kron(pauli2_matrix(p).conj(), pauli2_matrix(p))
                         for p in PAULI2_LABELS])  # (16, 16, 16): P̄ ⊗ P


@dataclass(frozen=True)
class TwoQubitChannel:
    """A two-qubit Pauli channel plus a joint (optionally heralded) loss of both qubits.

    Attributes:
        probs: the 16 unconditional probabilities in ``PAULI2_LABELS`` order (``II`` first),
            each in [0, 1].
        p_loss: probability that both qubits are lost together (one event), in [0, 1];
            ``sum(probs) + p_loss = 1``.
        heralded: whether that loss is flagged (a joint erasure the decoder sees as one herald).
    """

    probs: tuple[float, ...]
    p_loss: float = 0.0
    heralded: bool = False

    def __post_init__(self) -> None:
        probs = tuple(self.probs)
        if len(probs) != 16:
            raise ValueError(f"probs has {len(probs)} entries: must have 16 "
                             f"({', '.join(PAULI2_LABELS)})")
        clean = []
        for label, p in zip(PAULI2_LABELS, probs, strict=True):
            if not (isinstance(p, int | float | np.floating) and math.isfinite(p)
                    and -_TOL <= p <= 1 + _TOL):
                raise ValueError(f"probs[{label}] = {p!r}: must be in [0, 1]")
            clean.append(float(min(max(p, 0.0), 1.0)))
        loss = self.p_loss
        if not (isinstance(loss, int | float | np.floating) and math.isfinite(loss)
                and -_TOL <= loss <= 1 + _TOL):
            raise ValueError(f"p_loss = {loss!r}: must be in [0, 1]")
        loss = float(min(max(loss, 0.0), 1.0))
        total = sum(clean) + loss
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"sum(probs) + p_loss = {total}: must be 1")
        object.__setattr__(self, "probs", tuple(clean))
        object.__setattr__(self, "p_loss", loss)
        object.__setattr__(self, "heralded", bool(self.heralded))

    # --- construction ----------------------------------------------------------------------
    @classmethod
    def identity(cls) -> TwoQubitChannel:
        """The noiseless channel."""
        return cls((1.0,) + (0.0,) * 15)

    @classmethod
    def from_paulis(cls, probs: dict[str, float], *, p_loss: float = 0.0,
                    heralded: bool = False) -> TwoQubitChannel:
        """From ``{"ZZ": p, "ZI": q}``; ``II`` takes the rest.

        Raises:
            ValueError: on an unknown label or probabilities that sum above 1.
        """
        bad = [k for k in probs if k not in PAULI2_LABELS or k == "II"]
        if bad:
            raise ValueError(f"unknown two-qubit Pauli {bad[0]!r}: must be one of "
                             f"{', '.join(PAULI2_LABELS[1:])}")
        rest = 1.0 - p_loss - sum(probs.values())
        return cls(tuple(rest if k == "II" else float(probs.get(k, 0.0))
                         for k in PAULI2_LABELS), p_loss, heralded)

    @classmethod
    def product(cls, a: Channel, b: Channel) -> TwoQubitChannel:
        """Independent one-qubit channels on A and B.

        Their losses, if any, must be unheralded; they are folded into depolarisation first.
        """
        a, b = a.with_loss_as_depolarizing(), b.with_loss_as_depolarizing()
        if a.p_loss or b.p_loss:
            raise ValueError("product: heralded one-qubit losses have no joint-loss form; "
                             "compose a heralded loss as a TwoQubitChannel instead")
        va = np.array([a.p_identity, a.px, a.py, a.pz])
        vb = np.array([b.p_identity, b.px, b.py, b.pz])
        return cls(tuple(np.outer(va, vb).ravel()))

    # --- figures ---------------------------------------------------------------------------
    def prob(self, label: str) -> float:
        """Unconditional probability of one Pauli label, e.g. ``ch.prob("ZZ")``."""
        if label not in PAULI2_LABELS:
            raise ValueError(f"label = {label!r}: must be one of {', '.join(PAULI2_LABELS)}")
        return self.probs[PAULI2_LABELS.index(label)]

    @property
    def p_pauli(self) -> float:
        """Probability of a non-identity Pauli (loss excluded)."""
        return float(sum(self.probs[1:]))

    @property
    def p_error(self) -> float:
        """Probability of any error, loss included: 1 − p_II."""
        return 1.0 - self.probs[0]

    def marginal(self, qubit: int) -> Channel:
        """The one-qubit channel seen by qubit 0 (A) or 1 (B), the joint loss kept as loss."""
        if qubit not in (0, 1):
            raise ValueError(f"qubit = {qubit!r}: must be 0 (A) or 1 (B)")
        m = np.zeros(4)
        for label, p in zip(PAULI2_LABELS, self.probs, strict=True):
            m[_INDEX[label[qubit]]] += p
        return Channel(m[1], m[2], m[3], self.p_loss, self.heralded)

    @property
    def correlation(self) -> float:
        """Correlated part: p(error on both) − p_A·p_B given survival (0 for a product)."""
        keep = 1.0 - self.p_loss
        if keep <= 0:
            return 0.0
        both = sum(p for k, p in zip(PAULI2_LABELS, self.probs, strict=True)
                   if k[0] != "I" and k[1] != "I") / keep
        pa = self.marginal(0).p_pauli / keep
        pb = self.marginal(1).p_pauli / keep
        return both - pa * pb

    # --- composition -----------------------------------------------------------------------
    def then(self, other: TwoQubitChannel) -> TwoQubitChannel:
        """This channel followed by ``other`` (Pauli convolution; joint losses compound).

        Raises:
            ValueError: if both lose the pair but only one heralds it.
        """
        if self.p_loss > 0 and other.p_loss > 0 and self.heralded != other.heralded:
            raise ValueError("cannot compose a heralded joint loss with an unheralded one")
        keep_a, keep_b = 1.0 - self.p_loss, 1.0 - other.p_loss
        a = np.array(self.probs) / keep_a if keep_a > 0 else np.eye(16)[0]
        b = np.array(other.probs) / keep_b if keep_b > 0 else np.eye(16)[0]
        out = np.zeros(16)
        for i in range(16):
            if a[i] == 0:
                continue
            for j in range(16):
                if b[j] == 0:
                    continue
                k = 4 * _MUL[i // 4, j // 4] + _MUL[i % 4, j % 4]
                out[k] += a[i] * b[j]
        keep = keep_a * keep_b
        heralded = self.heralded if self.p_loss > 0 else other.heralded
        return TwoQubitChannel(tuple(out * keep), 1.0 - keep, heralded)

    def then_local(self, a: Channel, b: Channel | None = None) -> TwoQubitChannel:
        """Followed by independent one-qubit channels ``a`` on A and ``b`` (default ``a``) on B."""
        return self.then(TwoQubitChannel.product(a, a if b is None else b))

    def conjugated_by_hadamard_on_b(self) -> TwoQubitChannel:
        """The same errors seen through H on qubit B (X ↔ Z on B).

        Turns a channel after CZ into the channel after CX = (I⊗H)·CZ·(I⊗H).
        """
        swap = {"I": "I", "X": "Z", "Y": "Y", "Z": "X"}
        new = {a + swap[b]: p for (a, b), p in zip(PAULI2_LABELS, self.probs, strict=True)}
        return TwoQubitChannel(tuple(new[k] for k in PAULI2_LABELS), self.p_loss, self.heralded)

    def to_dict(self) -> dict[str, object]:
        """``{"probs": {label: p}, "p_loss": ..., "heralded": ...}`` (JSON-ready)."""
        return {"probs": dict(zip(PAULI2_LABELS, self.probs, strict=True)),
                "p_loss": self.p_loss, "heralded": self.heralded}


def twirl_two_qubit(process: np.ndarray, *, heralded: bool = False) -> TwoQubitChannel:
    """Pauli twirl of a (possibly trace-decreasing) two-qubit process.

    Pass the *error* process (ideal† ∘ actual) to get an error channel.

    Args:
        process: (16, 16) complex superoperator on two qubits (column stacking, qubit A the
            most significant factor of the 4-dim space).
        heralded: whether the trace lost (1 − Σ χ_PP) is a flagged joint loss.

    Returns:
        The ``TwoQubitChannel``: probs = diag χ, p_loss = 1 − Σ diag χ.

    Raises:
        ValueError: on a bad shape, non-finite entries, a non-CP (χ_PP < −1e-6) or
            trace-increasing process.
    """
    S = np.asarray(process, dtype=complex)
    if S.shape != (16, 16) or not np.all(np.isfinite(S)):
        raise ValueError(f"process: got shape {S.shape}, expected a finite (16, 16) array")
    diag = np.real(np.einsum("kij,ij->k", _SUPER_BASIS.conj(), S)) / 16.0
    if np.any(diag < -1e-6):
        raise ValueError(f"process: not completely positive, χ diagonal min {diag.min():.3g}")
    survive = float(diag.sum())
    if survive > 1 + 1e-6:
        raise ValueError(f"process: trace-increasing, Σ χ_PP = {survive}")
    diag = np.clip(diag, 0.0, None)
    survive = min(float(diag.sum()), 1.0)
    diag = diag * (survive / diag.sum()) if diag.sum() > 0 else diag
    return TwoQubitChannel(tuple(diag), 1.0 - survive, heralded)
