"""Direct Gaussian-shift Monte Carlo of the surface-GKP memory circuit.

Every mode (data and ancilla) is a square GKP qubit; the state of a shot is the real-valued
displacement error (q, p) of every mode relative to the noiseless circuit, in units of √ħ
(vacuum variance ½, so a logical Pauli is a shift by √π). Convention: ``SUM`` (stim's ``CX``
c→t) maps q_t += q_c and p_c −= p_t; ``H`` (the Fourier gate) maps (q, p) → (p, −q).

The circuit (Noh & Chamberland, PRA 101, 012316 (2020); ``qec.gkp.schedule``): stim's rotated
surface-code memory experiment, with

* **GKP state preparation** (``R``/``RX``/``MR`` reset of any mode): a fresh Gaussian shift
  N(0, σ²) on q and on p (finite squeezing, σ² = 10^(−dB/10)/2), the only noise by default;
* **data GKP error correction** at the start of every round (Steane type, two fresh GKP
  ancillas per data mode): a |+⟩ ancilla takes the data's q through a SUM data→ancilla and
  is homodyned in q; a |0⟩ ancilla takes the data's p through a SUM ancilla→data and is
  homodyned in p; the data is displaced back by each measured deviation from the nearest
  multiple of √π (an odd multiple missed is a logical X or Z on that data mode). Back-action:
  the first ancilla's p noise enters the data's p (then corrected by the second), the second
  ancilla's q noise stays on the data's q;
* optional **loss** of 1 − η per round on every data mode, as the Gaussian random displacement
  of variance σ_loss² = 1 − η it is after amplification (``physics.gkp``), added before the
  data correction;
* **surface-code syndrome extraction** with GKP ancilla modes (the shifts of the data add up as
  reals on the ancilla before its homodyne reading is binned) and the **final data readout**
  (homodyne q or p of every data mode, binned).

A *binning* (``qec.gkp.schedule.Binning``) is any homodyne reading rounded to a multiple of √π:
its bit is the parity of the multiple; its analog value the deviation z − k√π ∈
[−√π/2, √π/2). The schedule runs in
three modes sharing one code path: ``sample`` (random shots), ``linear`` (exact coefficients of
every binned quantity over the independent Gaussian sources, i.e. its variance) and ``inject``
(one row per binning, that binning alone flipped: its detectors and observables).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from qec.gkp.schedule import GKPSurfaceCircuit

__all__ = [
    "SQRT_PI",
    "ShiftSamples",
    "binning_sigmas",
    "binning_symptoms",
    "sample_shifts",
]

SQRT_PI = math.sqrt(math.pi)
"""√π: the shift of a logical Pauli of the square GKP code (units of √ħ)."""

class _Engine:
    """Runs the schedule on arrays of shape (rows, n_qubits); the mode decides what a row is."""

    def __init__(self, circ: GKPSurfaceCircuit, mode: str, rows: int, *, sigma: float,
                 sigma_loss: float, rng: np.random.Generator | None,
                 atom_flip: float = 0.0) -> None:
        self.c, self.mode, self.rows = circ, mode, rows
        self.sigma, self.sigma_loss, self.rng = sigma, sigma_loss, rng
        self.atoms = set(circ.ancilla_qubits) if circ.ancilla == "atom" else set()
        self.atom_flip = atom_flip
        n_q = circ.circuit.num_qubits
        self.q = np.zeros((rows, n_q))
        self.p = np.zeros((rows, n_q))
        self.n_src = 0
        self.bin_i = 0
        n_b = len(circ.binnings)
        # sample: analog deviations; linear: coefficient rows (filled per binning)
        self.dev = np.zeros((rows, n_b)) if mode == "sample" else None
        self.coef: list[np.ndarray] = []
        self.flips = np.zeros((rows, circ.num_measurements), bool)

    def noise(self, k: int, sigma: float) -> np.ndarray:
        """Fresh N(0, σ²) sources, shape (rows, k)."""
        if self.mode == "sample":
            return self.rng.normal(0.0, sigma, (self.rows, k)) if sigma > 0 \
                else np.zeros((self.rows, k))
        if self.mode == "inject" or sigma == 0:
            return np.zeros((self.rows, k))
        out = np.zeros((self.rows, k))
        out[self.n_src + np.arange(k), np.arange(k)] = sigma
        self.n_src += k
        return out

    def binning(self, z: np.ndarray) -> np.ndarray:
        """Bins ``z`` (shape (rows, k): k consecutive binnings); the multiple of √π taken.

        sample: the nearest multiple (its deviation is recorded); linear: 0, so that only the
        continuous part (its coefficients recorded) goes on; inject: the nearest multiple plus
        √π on the row of each binning. Returns shape (rows, k).
        """
        k = z.shape[1]
        idx = self.bin_i + np.arange(k)
        self.bin_i += k
        if self.mode == "linear":
            self.coef.extend(z.T.copy())
            return np.zeros_like(z)
        mult = np.round(z / SQRT_PI) * SQRT_PI
        if self.mode == "sample":
            self.dev[:, idx] = z - mult
        else:
            mult[idx, np.arange(k)] += SQRT_PI
        return mult

    def prep(self, qs: list[int]) -> None:
        atoms = [q for q in qs if q in self.atoms]
        modes = [q for q in qs if q not in self.atoms]
        self.q[:, atoms] = 0.0  # an atom carries no shift: it only sums its data's
        self.p[:, atoms] = 0.0
        self.q[:, modes] = self.noise(len(modes), self.sigma)
        self.p[:, modes] = self.noise(len(modes), self.sigma)

    def correct(self, qs: list[int]) -> None:
        """Steane-type GKP correction of q then p of each data mode (binnings in pairs)."""
        n = len(qs)
        if self.sigma_loss > 0:
            self.q[:, qs] += self.noise(n, self.sigma_loss)
            self.p[:, qs] += self.noise(n, self.sigma_loss)
        ea, fa = self.noise(n, self.sigma), self.noise(n, self.sigma)
        eb, fb = self.noise(n, self.sigma), self.noise(n, self.sigma)
        z = np.empty((self.rows, 2 * n))
        z[:, 0::2] = self.q[:, qs] + ea  # SUM data→|+⟩ ancilla, homodyne q of the ancilla
        p_after = self.p[:, qs] - fa  # back-action of the first ancilla's p
        z[:, 1::2] = fb - p_after  # SUM |0⟩ ancilla→data, homodyne p of the ancilla
        mult = self.binning(z)
        # displaced back by the deviations: q = −e_a + k√π (+ e_b from the second SUM),
        # p = f_b − k√π
        self.q[:, qs] = -ea + mult[:, 0::2] + eb
        self.p[:, qs] = fb - mult[:, 1::2]

    def loss(self, qs: list[int]) -> None:
        """A round's loss on each data mode (before its correction)."""
        if self.sigma_loss > 0:
            n = len(qs)
            self.q[:, qs] += self.noise(n, self.sigma_loss)
            self.p[:, qs] += self.noise(n, self.sigma_loss)

    def correct_q(self, qs: list[int]) -> None:
        """The q half of the Steane-type correction alone (``"split"`` schedule)."""
        ea, fa = self.noise(len(qs), self.sigma), self.noise(len(qs), self.sigma)
        mult = self.binning(self.q[:, qs] + ea)  # SUM data→|+⟩ ancilla, homodyne q
        self.q[:, qs] = -ea + mult
        self.p[:, qs] -= fa  # back-action of the ancilla's p

    def correct_p(self, qs: list[int]) -> None:
        """The p half of the Steane-type correction alone (``"split"`` schedule)."""
        eb, fb = self.noise(len(qs), self.sigma), self.noise(len(qs), self.sigma)
        mult = self.binning(fb - self.p[:, qs])  # SUM |0⟩ ancilla→data, homodyne p
        self.q[:, qs] += eb  # back-action of the ancilla's q
        self.p[:, qs] = fb - mult

    def measure(self, qs: list[int], quad: str) -> None:
        start = self.bin_i
        meas_idx = [self.c.binnings[start + j].measurement for j in range(len(qs))]
        z = (self.q if quad == "q" else self.p)[:, qs]
        if self.c.binnings[start].kind == "atom":
            self.flips[:, meas_idx] = self.atom_reading(z)
            return
        mult = self.binning(z)
        self.flips[:, meas_idx] = np.round(mult / SQRT_PI).astype(np.int64) % 2 == 1

    def atom_reading(self, z: np.ndarray) -> np.ndarray:
        """Atom ancillas read the summed shifts ``z`` (rows, k) by phase kickback.

        A flip with probability sin²(√π z / 2), XOR the atom's own readout flip; no analog
        value (NaN).
        """
        k = z.shape[1]
        idx = self.bin_i + np.arange(k)
        self.bin_i += k
        if self.mode == "linear":
            self.coef.extend(z.T.copy())
            return np.zeros(z.shape, bool)
        flips = np.round(z / SQRT_PI).astype(np.int64) % 2 == 1
        if self.mode == "inject":
            flips[idx, np.arange(k)] ^= True
            return flips
        self.dev[:, idx] = np.nan
        flips = self.rng.random(z.shape) < np.sin(0.5 * SQRT_PI * z) ** 2
        if self.atom_flip > 0:
            flips ^= self.rng.random(z.shape) < self.atom_flip
        return flips

    def run(self) -> None:
        for inst in self.c.circuit:
            name = inst.name
            qs = [t.value for t in inst.targets_copy() if t.is_qubit_target]
            if name in ("R", "RX"):
                self.prep(qs)
            elif name == "DEPOLARIZE1":
                self.correct(qs)
            elif name == "X_ERROR":
                self.loss(qs)
                self.correct_q(qs)
            elif name == "Z_ERROR":
                self.correct_p(qs)
            elif name == "H":
                self.q[:, qs], self.p[:, qs] = self.p[:, qs].copy(), -self.q[:, qs]
            elif name == "CX":
                cs, ts = qs[::2], qs[1::2]
                if len(set(qs)) == len(qs):  # one layer: disjoint pairs, vectorised
                    self.q[:, ts] += self.q[:, cs]
                    self.p[:, cs] -= self.p[:, ts]
                else:
                    for c, t in zip(cs, ts, strict=True):
                        self.q[:, t] += self.q[:, c]
                        self.p[:, c] -= self.p[:, t]
            elif name in ("M", "MR"):
                self.measure(qs, "q")
                if name == "MR":
                    self.prep(qs)
            elif name in ("MX", "MRX"):
                self.measure(qs, "p")
                if name == "MRX":
                    self.prep(qs)
            elif name not in ("QUBIT_COORDS", "TICK", "DETECTOR", "OBSERVABLE_INCLUDE",
                              "SHIFT_COORDS"):
                raise ValueError(f"instruction {name!r}: not supported by the shift simulator")
            if self.mode == "sample" and name in ("DEPOLARIZE1", "X_ERROR", "Z_ERROR"):
                # 2√π is a stabiliser of every mode: keep the numbers small, once a round
                np.remainder(self.q + SQRT_PI, 2 * SQRT_PI, out=self.q)
                self.q -= SQRT_PI
                np.remainder(self.p + SQRT_PI, 2 * SQRT_PI, out=self.p)
                self.p -= SQRT_PI


@dataclass(frozen=True)
class ShiftSamples:
    """Shots of the Gaussian-shift Monte Carlo.

    Attributes:
        detectors: detection events, bool, shape (shots, n_det).
        observables: logical observable flips, bool, shape (shots, n_obs).
        deviations: analog value of every binning, z − k√π ∈ [−√π/2, √π/2] (√ħ), float,
            shape (shots, n_bins), in the order of ``GKPSurfaceCircuit.binnings``.
    """

    detectors: np.ndarray
    observables: np.ndarray
    deviations: np.ndarray


def _check_sigma(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} = {value!r}: must be finite and >= 0 (√ħ)")
    return float(value)


def sample_shifts(circ: GKPSurfaceCircuit, *, sigma: float, shots: int,
                  rng: np.random.Generator, sigma_loss: float = 0.0,
                  atom_flip: float = 0.0) -> ShiftSamples:
    """Samples the surface-GKP memory experiment shift by shift.

    Args:
        circ: the schedule (``gkp_surface_circuit``).
        sigma: σ of every GKP state preparation per quadrature (√ħ), ≥ 0.
        shots: number of shots ≥ 1.
        rng: the random generator (the same seed gives the same shots).
        sigma_loss: σ_loss = √(1 − η) of the loss per round on each data mode (√ħ), ≥ 0.
        atom_flip: readout flip probability of an atom ancilla (its measurement and reset
            errors), in [0, ½]; only for ``circ.ancilla == "atom"``.

    Returns:
        The shots; an atom's readings have NaN deviations.

    Raises:
        ValueError: on a negative σ or a bad shot count.
    """
    sigma, sigma_loss = _check_sigma("sigma", sigma), _check_sigma("sigma_loss", sigma_loss)
    if isinstance(shots, bool) or not isinstance(shots, int) or shots < 1:
        raise ValueError(f"shots = {shots!r}: must be an integer >= 1")
    if not (isinstance(atom_flip, int | float) and 0.0 <= atom_flip <= 0.5):
        raise ValueError(f"atom_flip = {atom_flip!r}: must be in [0, 0.5] (probability)")
    eng = _Engine(circ, "sample", shots, sigma=sigma, sigma_loss=sigma_loss, rng=rng,
                  atom_flip=float(atom_flip))
    eng.run()
    det_m, obs_m = circ.measurement_matrix()
    flips = eng.flips.astype(np.uint8)
    return ShiftSamples((flips @ det_m) % 2 == 1, (flips @ obs_m) % 2 == 1, eng.dev)


def binning_sigmas(circ: GKPSurfaceCircuit, *, sigma: float,
                   sigma_loss: float = 0.0) -> np.ndarray:
    """Exact standard deviation of the continuous shift read at every binning.

    Every binned quantity is a linear combination of independent Gaussian sources (the
    preparations, and the loss); its variance is the sum of the squared coefficients.

    Args:
        circ: the schedule.
        sigma: σ of every GKP state preparation (√ħ), ≥ 0.
        sigma_loss: σ of the loss per round on each data mode (√ħ), ≥ 0.

    Returns:
        σ_b per binning (√ħ), shape (n_bins,).
    """
    sigma, sigma_loss = _check_sigma("sigma", sigma), _check_sigma("sigma_loss", sigma_loss)
    n_q = len(circ.data_qubits) + len(circ.ancilla_qubits)
    # sources: 2 per preparation and 4 (+2 loss) per data correction; an upper bound
    rows = 2 * n_q * (circ.rounds + 2) + 6 * len(circ.data_qubits) * (circ.rounds + 1)
    eng = _Engine(circ, "linear", rows, sigma=sigma, sigma_loss=sigma_loss, rng=None)
    eng.run()
    return np.sqrt(np.sum(np.square(np.array(eng.coef)), axis=1))


def binning_symptoms(circ: GKPSurfaceCircuit) -> tuple[np.ndarray, np.ndarray]:
    """Detectors and observables that a wrong rounding of each binning, alone, flips.

    Returns:
        ``(det, obs)``: bool arrays of shape (n_bins, n_det) and (n_bins, n_obs).
    """
    n_b = len(circ.binnings)
    eng = _Engine(circ, "inject", n_b, sigma=0.0, sigma_loss=0.0, rng=None)
    eng.run()
    det_m, obs_m = circ.measurement_matrix()
    flips = eng.flips.astype(np.uint8)
    return (flips @ det_m) % 2 == 1, (flips @ obs_m) % 2 == 1
