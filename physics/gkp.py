"""Square GKP qubit: finite squeezing plus photon loss → Gaussian shift σ → Pauli error probability.

Conventions (ħ = 1): quadratures q = (a + a†)/√2, p = (a − a†)/(√2 i), so the vacuum variance is
½. The square GKP code has stabilisers displacing by 2√π in q and in p; the logical X (Z) shifts
q (p) by √π. Ideal-decoder model: a shift u of one quadrature is corrected to the nearest multiple
of √π, which is a logical error when that multiple is odd, i.e. when
u ∈ [(2k + ½)√π, (2k + 3/2)√π] for some integer k.

Noise model, per quadrature, as a Gaussian random displacement of variance σ²:

* **finite squeezing** of ``squeezing_db`` dB: Δ² = 10^(−dB/10) is the peak variance *relative to
  the vacuum*, so in vacuum-variance-½ units σ_sq² = Δ²/2 (0 dB ↔ vacuum, σ² = ½; 10 dB ↔
  σ² = 0.05);
* **photon loss** 1 − η over one cycle: loss preceded by quantum-limited amplification of gain
  1/η is exactly a Gaussian random displacement channel of variance σ_loss² = 1 − η (Noh, Albert &
  Jiang, IEEE Trans. Inf. Theory 65, 2563 (2019)); the amplification is absorbed in the decoding.

σ² = σ_sq² + σ_loss². The q and p shifts are independent, so an X (from q) and a Z (from p) occur
independently with the same probability p, and the coincidence is a Y.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from physics.channel import Channel

__all__ = ["GKPQubit", "gkp_channel", "gkp_error_probability", "gkp_sigma"]

_SQRT_PI = math.sqrt(math.pi)


@dataclass(frozen=True)
class GKPQubit:
    """A square GKP qubit with finite squeezing and photon loss per cycle.

    Attributes:
        squeezing_db: effective GKP squeezing (dB), > 0: peak quadrature variance
            Δ²/2 with Δ² = 10^(−dB/10) (vacuum variance ½).
        loss: photon loss probability 1 − η over one cycle, in [0, 1).
    """

    squeezing_db: float
    loss: float = 0.0

    def __post_init__(self) -> None:
        if not (isinstance(self.squeezing_db, int | float) and math.isfinite(self.squeezing_db)
                and self.squeezing_db > 0):
            raise ValueError(f"squeezing_db = {self.squeezing_db!r}: must be finite and > 0 (dB)")
        if not (isinstance(self.loss, int | float) and 0.0 <= self.loss < 1.0):
            raise ValueError(f"loss = {self.loss!r}: must be in [0, 1) (probability 1 − η)")

    @property
    def delta_sq(self) -> float:
        """Δ² = 10^(−dB/10): squeezed variance relative to the vacuum (dimensionless)."""
        return 10.0 ** (-self.squeezing_db / 10.0)


def gkp_sigma(gkp: GKPQubit) -> float:
    """Standard deviation σ of the Gaussian shift per quadrature (units of √ħ).

    σ² = Δ²/2 + (1 − η): finite-squeezing variance (vacuum variance ½) plus the Gaussian random
    displacement equivalent to the loss (amplification 1/η then loss η).

    Args:
        gkp: the GKP qubit.

    Returns:
        σ (√ħ), > 0.
    """
    return math.sqrt(0.5 * gkp.delta_sq + gkp.loss)


def _auto_wraps(sigma: float) -> int:
    """Number of wraps k = 0..K−1 needed for the direct sum to reach the 1e-17 tail."""
    # the k-th interval starts at (2k + ½)√π; stop once it is > 12 σ away (erfc(12/√2) ~ 2e-33)
    return int(math.ceil((12.0 * sigma / _SQRT_PI - 0.5) / 2.0)) + 1


def gkp_error_probability(sigma: float, *, n_wraps: int | None = None) -> float:
    """Logical error probability of one quadrature of a square GKP qubit under a shift u ~ N(0, σ²).

    P = Σ_{k ∈ Z} P(u ∈ [(2k + ½)√π, (2k + 3/2)√π]) = 2 Σ_{k ≥ 0} (same), each term from erfc.

    Args:
        sigma: standard deviation of the shift (√ħ), ≥ 0.
        n_wraps: number of terms k = 0 … n_wraps − 1 of the (symmetrised) direct sum; 1 keeps only
            the nearest odd bins (single-wrap approximation). None → exact: the direct sum to
            convergence for σ ≤ 1, otherwise its Poisson-resummed (Fourier) form
            P = ½ − (2/π) Σ_{j ≥ 0} (−1)^j/(2j+1) · exp(−π (2j+1)² σ²/2), which converges fast
            for large σ.

    Returns:
        P in [0, ½].

    Raises:
        ValueError: if sigma is negative / not finite or n_wraps < 1.
    """
    if not (isinstance(sigma, int | float) and math.isfinite(sigma) and sigma >= 0):
        raise ValueError(f"sigma = {sigma!r}: must be finite and >= 0 (√ħ)")
    if n_wraps is not None and (isinstance(n_wraps, bool) or not isinstance(n_wraps, int)
                                or n_wraps < 1):
        raise ValueError(f"n_wraps = {n_wraps!r}: must be an integer >= 1 or None (automatic)")
    if sigma == 0:
        return 0.0
    if n_wraps is None and sigma > 1.0:
        total = 0.0
        j = 0
        while True:
            term = math.exp(-math.pi * (2 * j + 1) ** 2 * sigma**2 / 2.0) / (2 * j + 1)
            total += (-1) ** j * term
            if term < 1e-18:
                break
            j += 1
        return float(min(0.5, max(0.0, 0.5 - 2.0 / math.pi * total)))
    k_max = _auto_wraps(sigma) if n_wraps is None else n_wraps
    s = math.sqrt(2.0) * sigma
    total = 0.0
    for k in range(k_max):
        lo = (2 * k + 0.5) * _SQRT_PI / s
        hi = (2 * k + 1.5) * _SQRT_PI / s
        total += math.erfc(lo) - math.erfc(hi)  # 2 · P(u ∈ [lo, hi]) in σ√2 units, both signs
    return float(min(0.5, max(0.0, total)))


def gkp_channel(gkp: GKPQubit) -> Channel:
    """Pauli channel of one GKP error-correction cycle (ideal decoder, independent q and p).

    With p = ``gkp_error_probability(gkp_sigma(gkp))`` for each quadrature:
    px = pz = p (1 − p), py = p². No loss (loss is already converted into a shift).

    Args:
        gkp: the GKP qubit.

    Returns:
        The ``Channel``.
    """
    p = gkp_error_probability(gkp_sigma(gkp))
    return Channel(px=p * (1.0 - p), py=p * p, pz=p * (1.0 - p))
