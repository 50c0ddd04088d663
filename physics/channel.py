"""``Channel``: the effective single-qubit Pauli + loss channel of one operation.

Semantics (one application): with probability ``p_loss`` the qubit is lost from its qubit space
(photon loss, leakage, scattering out of the Λ system); if ``heralded`` the loss is flagged
(a missing click), so a decoder may treat it as an erasure. Otherwise X, Y or Z happens with the
*unconditional* probabilities ``px``, ``py``, ``pz`` and nothing with ``p_identity``; hence
``px + py + pz + p_loss ≤ 1``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

__all__ = ["Channel"]

_TOL = 1e-12
# Pauli product table on labels 0=I, 1=X, 2=Y, 3=Z (phases dropped): _MUL[a, b] = label(a·b).
_MUL = np.array([[0, 1, 2, 3], [1, 0, 3, 2], [2, 3, 0, 1], [3, 2, 1, 0]])


@dataclass(frozen=True)
class Channel:
    """Pauli-twirled single-qubit channel with (optionally heralded) loss.

    Attributes:
        px: probability of an X error, in [0, 1].
        py: probability of a Y error, in [0, 1].
        pz: probability of a Z error, in [0, 1].
        p_loss: probability that the qubit is lost (erasure if heralded), in [0, 1].
        heralded: whether a loss is flagged to the decoder (erasure) or silent.
    """

    px: float
    py: float
    pz: float
    p_loss: float = 0.0
    heralded: bool = False

    def __post_init__(self) -> None:
        for name in ("px", "py", "pz", "p_loss"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value)):
                raise ValueError(f"{name} = {value!r}: must be a finite number in [0, 1]")
            if not (-_TOL <= value <= 1 + _TOL):
                raise ValueError(f"{name} = {value}: must be in [0, 1]")
            # clip round-off so downstream code sees exact bounds
            object.__setattr__(self, name, float(min(max(value, 0.0), 1.0)))
        total = self.px + self.py + self.pz + self.p_loss
        if total > 1 + 1e-9:
            raise ValueError(f"px + py + pz + p_loss = {total}: must be <= 1")

    @classmethod
    def identity(cls) -> Channel:
        """The noiseless channel."""
        return cls(0.0, 0.0, 0.0)

    @classmethod
    def depolarizing(cls, p: float) -> Channel:
        """Depolarizing channel: X, Y, Z each with probability p/3 (p ∈ [0, 1])."""
        return cls(p / 3, p / 3, p / 3)

    @property
    def p_pauli(self) -> float:
        """Total Pauli error probability px + py + pz."""
        return self.px + self.py + self.pz

    @property
    def p_identity(self) -> float:
        """Probability that nothing happens: 1 − px − py − pz − p_loss."""
        return max(0.0, 1.0 - self.p_pauli - self.p_loss)

    @property
    def p_error(self) -> float:
        """Probability of any error, loss included: 1 − p_identity."""
        return 1.0 - self.p_identity

    def pauli_vector(self) -> np.ndarray:
        """Conditional Pauli distribution given survival, shape (4,) over (I, X, Y, Z)."""
        keep = 1.0 - self.p_loss
        if keep <= 0:
            return np.array([1.0, 0.0, 0.0, 0.0])
        return np.array([self.p_identity, self.px, self.py, self.pz]) / keep

    def then(self, other: Channel) -> Channel:
        """This channel followed by ``other`` (Pauli convolution; losses compound).

        Raises:
            ValueError: if both channels lose the qubit but only one heralds it.
        """
        if self.p_loss > 0 and other.p_loss > 0 and self.heralded != other.heralded:
            raise ValueError("cannot compose a heralded loss with an unheralded one")
        a, b = self.pauli_vector(), other.pauli_vector()
        q = np.zeros(4)
        for i in range(4):
            for j in range(4):
                q[_MUL[i, j]] += a[i] * b[j]
        keep = (1.0 - self.p_loss) * (1.0 - other.p_loss)
        heralded = self.heralded if self.p_loss > 0 else other.heralded
        return Channel(q[1] * keep, q[2] * keep, q[3] * keep, 1.0 - keep, heralded)

    def with_loss_as_depolarizing(self) -> Channel:
        """Unheralded loss replaced by the maximally mixed state.

        A leaked qubit is repumped into the qubit space at random: each of I, X, Y, Z gains
        ``p_loss/4``. Heralded loss is kept as it is (an erasure the decoder knows about).
        """
        if self.heralded or self.p_loss == 0:
            return self
        q = self.p_loss / 4
        return Channel(self.px + q, self.py + q, self.pz + q, 0.0, False)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict with keys px, py, pz, p_loss, heralded."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Channel:
        """Inverse of ``to_dict``."""
        return cls(**data)
