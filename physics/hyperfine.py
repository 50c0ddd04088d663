"""⁸⁷Rb D2-line data and the multi-level scheme of the double-STIRAP gate built from it.

Atomic data: D. A. Steck, "Rubidium 87 D Line Data" (revision 2.x): natural decay rate
Γ = 2π × 6.0666 MHz (population decay of 5P3/2), excited hyperfine splittings F'=1–0
72.2180 MHz, F'=2–1 156.9470 MHz, F'=3–2 266.6500 MHz, ground splitting 6834.682611 MHz;
nuclear spin I = 3/2, J = 1/2 → J' = 3/2.

Sublevel dipole matrix elements follow from the Wigner–Eckart theorem in Steck's convention
(his eqs. 35–36), in units of the reduced element ⟨J‖er‖J'⟩::

    ⟨F m|er_q|F' m'⟩ = ⟨F‖er‖F'⟩ ⟨F m|F' 1 m' q⟩,    m = m' + q
    ⟨F‖er‖F'⟩ = ⟨J‖er‖J'⟩ (−1)^(F'+J+1+I) √((2F'+1)(2J+1)) {J J' 1; F' F I}

with Clebsch–Gordan coefficients from ``qutip.clebsch`` and the 6j symbol by the Racah formula
(``wigner_6j``). The relative strengths S_FF' = (2F'+1)(2J+1){J J' 1; F' F I}² sum to 1 over
F' (Steck's table: F=2 → F'=3,2,1: 7/10, 1/4, 1/20; F=1 → F'=2,1,0: 5/12, 5/12, 1/6). An
excited sublevel decays into |F m⟩ at Γ·(2J'+1)/(2J+1)·|⟨F m|er_q|F' m'⟩|², which sums to Γ.

Gate scheme (``rb87_gate_system``), checked against the selection rules below:

* qubit |0⟩ = |F=1, m=−1⟩, |1⟩ = |F=1, m=+1⟩ (a Δm = 2 pair: its Zeeman splitting is
  first-order field sensitive, a dephasing counted in ``memory.t2``); auxiliary |a⟩ = |F=2, m=0⟩;
* the pump (σ+ and σ− with equal weight, relative sign set so that the F'=1 bright state is
  |b⟩ = (|0⟩ + |1⟩)/√2) drives F=1 → F' on resonance with F'=1: |0⟩, |1⟩ → |F'=1, 0⟩ (the
  gate's |e⟩); off resonance |0⟩, |1⟩ → |F'=0, 0⟩ (−72.2 MHz) and |F'=2, 0⟩ (+156.9 MHz), and
  |0⟩ → |F'=2, −2⟩, |1⟩ → |F'=2, +2⟩ by the "other" circular component (+156.9 MHz);
* the Stokes (π) drives |a⟩ → |F'=1, 0⟩ on resonance and |a⟩ → |F'=3, 0⟩ (+423.6 MHz) off
  resonance; |F=2, 0⟩ → |F'=2, 0⟩ by π vanishes (⟨2 0|2 1 0 0⟩ = 0).

The Clebsch–Gordan signs of F=1 → F'=1 are opposite for m = ∓1 and equal for F'=0 and F'=2,
so the F'=1-dark state |d⟩ = (|0⟩ − |1⟩)/√2 is exactly the combination that F'=0 and F'=2 see:
|d⟩ acquires a light shift and scatters, while |b⟩ is dark to F'=0, 2. That differential
shift between |b⟩ and |d⟩ is a rotation about the gate axis X; its value at calibration-time
intensity is absorbed into the second pair's phase χ (``physics.operations.calibrate``).

Omitted: the pump on F=2 and the Stokes on F=1, both 2π × 6.835 GHz off resonance. At the
reference Rabi frequency Ω ≈ 2π × 25 MHz they shift a ground level by ≈ Ω²/(4Δ) ≈ 2π × 23 kHz
(a phase of ≈ 0.1 rad over a 0.7 µs gate, deterministic, hence calibrated away like the others,
and ≈ 2 % of the modelled |d⟩ light shift from F'=0, 2) and scatter ≈ Γ Ω²/(4Δ²)·t ≈ 1e-5 per
gate; the model keeps the splittings but not these couplings.

Examples:
    >>> from fractions import Fraction
    >>> Fraction(transition_strength(2, 3)).limit_denominator(100)
    Fraction(7, 10)
    >>> round(sum(transition_strength(1, fp) for fp in (0, 1, 2)), 12)
    1.0
    >>> system = rb87_gate_system()
    >>> system.labels[:4]
    ('F=1,m=-1', 'F=1,m=+1', 'F=2,m=0', "F'=1,m=0")
"""

from __future__ import annotations

import functools
import math

import numpy as np
import qutip as qt

from physics.multilevel import MultiLevelSystem
from physics.raman import RamanSystem, second_order

__all__ = [
    "EXCITED_ENERGY",
    "GAMMA_D2",
    "GROUND_SPLITTING",
    "I_NUC",
    "J_EXC",
    "J_GND",
    "branching",
    "differential_light_shift",
    "dipole_element",
    "raman_rabi_per_amplitude",
    "rb87_gate_system",
    "rb87_raman_system",
    "transition_strength",
    "wigner_6j",
]

TWO_PI = 2 * math.pi
I_NUC = 1.5
"""Nuclear spin of ⁸⁷Rb."""
J_GND = 0.5
"""5S1/2."""
J_EXC = 1.5
"""5P3/2."""
GAMMA_D2 = TWO_PI * 6.0666
"""Population decay rate of 5P3/2 (rad/µs), Steck rev. 2.x."""
GROUND_SPLITTING = TWO_PI * 6834.682611
"""5S1/2 F=1–2 hyperfine splitting (rad/µs)."""
EXCITED_ENERGY: dict[int, float] = {
    0: TWO_PI * -72.2180,
    1: 0.0,
    2: TWO_PI * 156.9470,
    3: TWO_PI * (156.9470 + 266.6500),
}
"""Energy of each 5P3/2 F' level relative to F'=1 (rad/µs), Steck rev. 2.x."""


def _tri(a: float, b: float, c: float) -> float:
    """Triangle coefficient Δ(abc) of the Racah formula (0 if the triangle fails)."""
    terms = (a + b - c, a - b + c, -a + b + c, a + b + c + 1)
    if any(t < 0 or abs(t - round(t)) > 1e-9 for t in terms):
        return 0.0
    n = [round(t) for t in terms]
    return math.factorial(n[0]) * math.factorial(n[1]) * math.factorial(n[2]) / math.factorial(n[3])


def wigner_6j(j1: float, j2: float, j3: float, j4: float, j5: float, j6: float) -> float:
    """The Wigner 6j symbol {j1 j2 j3; j4 j5 j6} by the Racah formula.

    Args:
        j1: angular momentum (integer or half-integer), top row.
        j2: top row.
        j3: top row.
        j4: bottom row.
        j5: bottom row.
        j6: bottom row.

    Returns:
        The symbol (0 when a triangle condition fails).

    Examples:
        >>> round(wigner_6j(1, 1, 1, 1, 1, 1), 12)  # 1/6
        0.166666666667
    """
    triads = ((j1, j2, j3), (j1, j5, j6), (j4, j2, j6), (j4, j5, j3))
    pref = 1.0
    for a, b, c in triads:
        t = _tri(a, b, c)
        if t == 0.0:
            return 0.0
        pref *= t
    sums = [sum(tr) for tr in triads]
    tops = (j1 + j2 + j4 + j5, j2 + j3 + j5 + j6, j3 + j1 + j6 + j4)
    lo = round(max(sums))
    hi = round(min(tops))
    total = 0.0
    for t in range(lo, hi + 1):
        den = math.prod(math.factorial(round(t - s)) for s in sums)
        den *= math.prod(math.factorial(round(u - t)) for u in tops)
        total += (-1) ** t * math.factorial(t + 1) / den
    return math.sqrt(pref) * total


def _reduced(f: int, fp: int) -> float:
    """⟨F‖er‖F'⟩ / ⟨J‖er‖J'⟩ for F (5S1/2) and F' (5P3/2)."""
    sign = (-1) ** round(fp + J_GND + 1 + I_NUC)
    return sign * math.sqrt((2 * fp + 1) * (2 * J_GND + 1)) * wigner_6j(
        J_GND, J_EXC, 1, fp, f, I_NUC)


def transition_strength(f: int, fp: int) -> float:
    """Relative hyperfine transition strength S_FF' = (2F'+1)(2J+1){J J' 1; F' F I}².

    Examples:
        >>> round(transition_strength(1, 0), 12)  # 1/6
        0.166666666667
    """
    return _reduced(f, fp) ** 2


def dipole_element(f: int, m: int, fp: int, mp: int) -> float:
    """⟨F m|er_q|F' m'⟩ / ⟨J‖er‖J'⟩ with q = m − m' (0 unless |q| ≤ 1), signs included.

    Examples:
        >>> round(dipole_element(2, 2, 3, 3) ** 2, 12)  # the cycling transition: 1/2
        0.5
    """
    q = m - mp
    if abs(q) > 1 or abs(m) > f or abs(mp) > fp or not abs(fp - 1) <= f <= fp + 1:
        return 0.0
    return _reduced(f, fp) * float(np.real(qt.clebsch(fp, 1, f, mp, q, m)))


def branching(fp: int, mp: int, f: int, m: int) -> float:
    """Fraction of the decays of |F' m'⟩ that land in |F m⟩: (2J'+1)/(2J+1)·|⟨F m|er|F' m'⟩|².

    Examples:
        >>> round(sum(branching(1, 0, f, m) for f in (1, 2) for m in range(-f, f + 1)), 12)
        1.0
    """
    return (2 * J_EXC + 1) / (2 * J_GND + 1) * dipole_element(f, m, fp, mp) ** 2


_GROUND = ((1, -1), (1, 1), (2, 0))  # |0⟩, |1⟩, |a⟩
_EXCITED = ((1, 0), (0, 0), (2, 0), (3, 0), (2, -2), (2, 2))


def _label(f: int, m: int, *, excited: bool) -> str:
    return f"F{chr(39) if excited else ''}={f},m={m:+d}" if m else \
        f"F{chr(39) if excited else ''}={f},m=0"


def rb87_gate_system(
    *,
    decay_rate: float = GAMMA_D2,
    dephasing: float = 0.0,
    detuning_1ph: float = 0.0,
    detuning_2ph: float = 0.0,
) -> MultiLevelSystem:
    """The 9-level ⁸⁷Rb scheme of the double-STIRAP gate (see the module docstring).

    Levels: 0 |F=1,m=−1⟩ (qubit |0⟩), 1 |F=1,m=+1⟩ (qubit |1⟩), 2 |F=2,m=0⟩ (|a⟩), then the
    excited |F'=1,0⟩ (|e⟩), |F'=0,0⟩, |F'=2,0⟩, |F'=3,0⟩, |F'=2,−2⟩, |F'=2,+2⟩. The pump
    coupling is normalised so that its Rabi frequency on |b⟩ ↔ |e⟩ is 1 per unit pump
    amplitude; the Stokes so that |a⟩ ↔ |e⟩ is 1 per unit Stokes amplitude. Every excited
    sublevel decays at ``decay_rate``; the decays into levels 0–2 are kept (one collapse
    operator per polarisation, so coherences between excited sublevels feed coherences), the
    rest leave to the sink.

    Args:
        decay_rate: population decay rate Γ of 5P3/2 (rad/µs), > 0.
        dephasing: dephasing rate γ_φ of |a⟩ against the qubit levels (rad/µs), ≥ 0.
        detuning_1ph: pump detuning Δ from F=1 → F'=1 (rad/µs); the Stokes shares it.
        detuning_2ph: Raman (two-photon) detuning δ of |a⟩ (rad/µs).

    Returns:
        The ``MultiLevelSystem`` (qubit levels (0, 1), auxiliary level 2).

    Raises:
        ValueError: on a rate or detuning out of range (from ``MultiLevelSystem``).
    """
    n = len(_GROUND) + len(_EXCITED)
    labels = tuple(_label(f, m, excited=False) for f, m in _GROUND) + tuple(
        _label(f, m, excited=True) for f, m in _EXCITED)
    energies = np.zeros(n)
    energies[2] = detuning_2ph
    for k, (fp, _) in enumerate(_EXCITED):
        energies[3 + k] = detuning_1ph + EXCITED_ENERGY[fp]
    # pump polarisation: σ+ (Δm = +1) and σ− components with ε−/ε+ = d0/d1 on F'=1, so that
    # both qubit levels couple to |F'=1, 0⟩ with the same amplitude and sign
    d0 = dipole_element(1, -1, 1, 0)
    d1 = dipole_element(1, 1, 1, 0)
    eps = {1: 1.0 / math.sqrt(2), -1: (d0 / d1) / math.sqrt(2)}
    pump = np.zeros((n, n), complex)
    stokes = np.zeros((n, n), complex)
    for g, (f, m) in enumerate(_GROUND):
        for k, (fp, mp) in enumerate(_EXCITED):
            e = 3 + k
            d = dipole_element(f, m, fp, mp)
            if d == 0.0:
                continue
            if f == 1 and abs(mp - m) == 1:
                pump[g, e] = eps[mp - m] * d
            elif f == 2 and mp == m:
                stokes[g, e] = d
    pump /= math.hypot(abs(pump[0, 3]), abs(pump[1, 3]))
    stokes /= abs(stokes[2, 3])
    jumps = []
    for q in (-1, 0, 1):
        op = np.zeros((n, n), complex)
        for g, (f, m) in enumerate(_GROUND):
            for k, (fp, mp) in enumerate(_EXCITED):
                if m - mp == q:
                    amp = math.sqrt((2 * J_EXC + 1) / (2 * J_GND + 1)) * dipole_element(
                        f, m, fp, mp)
                    op[g, 3 + k] = math.sqrt(decay_rate) * amp
        if np.any(op):
            jumps.append(op)
    decay = np.zeros(n)
    decay[3:] = decay_rate
    if dephasing > 0:
        jumps.append(math.sqrt(dephasing / 2) * np.diag([1.0, 1.0, -1.0] + [0.0] * (n - 3))
                     .astype(complex))
        decay[:3] += dephasing / 2
    return MultiLevelSystem(labels=labels, energies=energies, pump=pump, stokes=stokes,
                            jumps=np.array(jumps), decay=decay)


_KEPT = ((1, -1), (1, 1), (2, 0))  # |0⟩, |1⟩, |a⟩ of the far-detuned scheme
_ALL_EXCITED = tuple((fp, mp) for fp in range(4) for mp in range(-fp, fp + 1))


@functools.cache
def _far_couplings() -> tuple[np.ndarray, np.ndarray, tuple[tuple[int, int, np.ndarray], ...]]:
    """Pump and Stokes couplings of the kept levels to all 16 excited sublevels, and decays.

    Returns:
        (pump (3, 16), stokes (3, 16), [(final F, q, (3, 16) decay amplitudes onto the kept
        levels per √Γ)]), normalised as in ``rb87_gate_system``.
    """
    d0 = dipole_element(1, -1, 1, 0)
    d1 = dipole_element(1, 1, 1, 0)
    eps = {1: 1.0 / math.sqrt(2), -1: (d0 / d1) / math.sqrt(2)}
    n_e = len(_ALL_EXCITED)
    pump = np.zeros((3, n_e), complex)
    stokes = np.zeros((3, n_e), complex)
    for g, (f, m) in enumerate(_KEPT):
        for e, (fp, mp) in enumerate(_ALL_EXCITED):
            d = dipole_element(f, m, fp, mp)
            if d == 0.0:
                continue
            if abs(mp - m) == 1:
                pump[g, e] = eps[mp - m] * d  # the pump's σ± reach both hyperfine levels
            elif mp == m:
                stokes[g, e] = d  # the Stokes (π) too
    e10 = _ALL_EXCITED.index((1, 0))
    pump /= math.hypot(abs(pump[0, e10]), abs(pump[1, e10]))
    stokes /= abs(stokes[2, e10])
    decays = []
    scale = math.sqrt((2 * J_EXC + 1) / (2 * J_GND + 1))
    for f_final in (1, 2):
        for q in (-1, 0, 1):
            op = np.zeros((3, n_e), complex)
            for g, (f, m) in enumerate(_KEPT):
                if f != f_final:
                    continue
                for e, (fp, mp) in enumerate(_ALL_EXCITED):
                    if m - mp == q:
                        op[g, e] = scale * dipole_element(f, m, fp, mp)
            if np.any(op):
                decays.append((f_final, q, op))
    for arr in (pump, stokes, *(op for _, _, op in decays)):
        arr.flags.writeable = False  # cached: shared by every call
    return pump, stokes, tuple(decays)


def rb87_raman_system(
    *,
    detuning_1ph: float,
    decay_rate: float = GAMMA_D2,
    dephasing: float = 0.0,
    detuning_2ph: float = 0.0,
) -> RamanSystem:
    """The double-STIRAP gate's levels far detuned on the ⁸⁷Rb D2 line, excited manifold eliminated.

    Same qubit |F=1, m=∓1⟩, auxiliary |F=2, 0⟩ and laser polarisations as ``rb87_gate_system``
    (pump σ±, normalised to unit Rabi frequency on |b⟩ ↔ |F'=1, 0⟩; Stokes π, unit on
    |a⟩ ↔ |F'=1, 0⟩), but every laser reaches all 16 5P3/2 sublevels from *both* ground
    hyperfine levels (``physics.raman``). Three virtual levels:

    * the Raman-resonant one, pump on F=1 and Stokes on F=2, excited energies
      Δ + E_F' (``EXCITED_ENERGY``): the Raman coupling, their light shifts, and scattering
      that interferes between the two lasers (the dark state stays dark);
    * the pump on F=2 (|a⟩), excited energies Δ + E_F' − ω_hf, and
    * the Stokes on F=1 (the qubit), Δ + E_F' + ω_hf: light shifts and scattering only.

    Scattered photons of the three virtual levels, and onto F=1 vs F=2, differ in frequency
    by ω_hf, so each (virtual level, final F, polarisation) is its own jump. Scattering into
    the five ground sublevels outside the kept three is leakage (sink). Coherent couplings
    from the kept levels to those sublevels (the σ+σ− tensor light shift |2,0⟩ ↔ |2,±2⟩,
    σ−π Raman |1,∓1⟩ ↔ |2,∓2⟩) are omitted: a bias field of a few gauss detunes them by
    ≥ 2π × several MHz from two-photon resonance, against couplings of order the tensor
    light shift (Δ_HFS'/Δ ≈ 1 % of the scalar one, ≲ 2π × 50 kHz at the reference pulses),
    a residual transfer ≲ 1e-4. The D1 line (7.1 THz away) is omitted: at Δ = 2π × 50 GHz it
    adds ≈ Δ/Δ_FS ≈ 0.7 % to the light shifts (calibrated like the rest) and less to the
    scattering.

    Args:
        detuning_1ph: Δ, the excited F'=1 energy above the pump photon from F=1 (rad/µs);
            positive = red of the F=1 → F'=1 line. Must be far from every line (see
            ``physics.raman.check_far_detuned``).
        decay_rate: population decay rate Γ of 5P3/2 (rad/µs), > 0.
        dephasing: dephasing rate γ_φ of |a⟩ against the qubit levels (rad/µs), ≥ 0.
        detuning_2ph: Raman (two-photon) detuning δ of |a⟩ (rad/µs).

    Returns:
        The ``RamanSystem`` (qubit levels (0, 1), auxiliary level 2).

    Examples:
        >>> from physics.raman import far_detuned_shift
        >>> s = rb87_raman_system(detuning_1ph=TWO_PI * 5e4)
        >>> shift, rate = far_detuned_shift(s, "pump", 0, rabi=TWO_PI * 500)
        >>> round(shift / TWO_PI, 3)  # MHz: −Ω²/(4Δ) = −1.25 on F'=1; F'=0, 2 add the rest
        -1.998
    """
    pump, stokes, decays = _far_couplings()
    energy = np.array([EXCITED_ENERGY[fp] for fp, _ in _ALL_EXCITED]) + detuning_1ph
    widths = np.full(len(_ALL_EXCITED), decay_rate)
    f1 = np.array([1.0, 1.0, 0.0])[:, None]  # rows of the kept levels in F=1
    f2 = 1.0 - f1
    zero = np.zeros_like(pump)
    groups = (  # (pump rows, stokes rows, excited energies)
        (pump * f1, stokes * f2, energy),
        (pump * f2, zero, energy - GROUND_SPLITTING),
        (zero, stokes * f1, energy + GROUND_SPLITTING),
    )
    lights, scats, dets = [], [], []
    for p, s, en in groups:
        jumps = [math.sqrt(decay_rate) * op for _, _, op in decays]
        light, scat = second_order([p, s], en, widths, jumps)
        lights.append(light)
        scats.append(scat)
        used = np.any(p != 0, axis=0) | np.any(s != 0, axis=0)
        dets.append(np.min(np.abs(en[used] - 0.5j * widths[used])))
    static, decay = [], np.zeros(3)
    if dephasing > 0:
        static.append(math.sqrt(dephasing / 2) * np.diag([1.0, 1.0, -1.0]).astype(complex))
        decay += dephasing / 2
    return RamanSystem(labels=tuple(_label(f, m, excited=False) for f, m in _KEPT),
                       energies=np.array([0.0, 0.0, detuning_2ph]), decay=decay,
                       static_jumps=np.array(static, complex).reshape(-1, 3, 3),
                       light=sum(lights), scatter=np.concatenate(scats),
                       min_detuning=float(min(dets)))


_B = np.array([1.0, 1.0, 0.0]) / math.sqrt(2)
_A = np.array([0.0, 0.0, 1.0])


def raman_rabi_per_amplitude(system: RamanSystem) -> float:
    """Raman Rabi frequency on |b⟩ ↔ |a⟩ per unit Ω_P·Ω_S (1/(rad/µs)): Ω_R = this·Ω_PΩ_S.

    Only F'=1 carries the Raman coupling (F'=0 does not reach F=2, F'=3 not F=1, and the π
    Stokes vanishes on |F=2, 0⟩ ↔ |F'=2, 0⟩), so with the couplings normalised on F'=1 this is
    1/(2|Δ|) up to the excited splitting: Ω_R = Ω_PΩ_S/(2Δ).

    Examples:
        >>> s = rb87_raman_system(detuning_1ph=TWO_PI * 1e5)
        >>> round(raman_rabi_per_amplitude(s) * 2 * TWO_PI * 1e5, 9)
        1.0
    """
    return float(2.0 * abs(_B @ system.light[0, 1] @ _A))


def differential_light_shift(system: RamanSystem) -> tuple[float, float]:
    """Light shift of |b⟩ minus that of |a⟩ per unit Ω_P² and per unit Ω_S² (1/(rad/µs)).

    Far detuned, each laser shifts both hyperfine levels almost equally (the scalar shift);
    what remains, of relative size ~ω_hf/Δ, detunes the Raman transition in proportion to the
    intensity. Both have the same sign for either sign of Δ on ⁸⁷Rb, so no ratio of the two
    lasers cancels it: the calibration offsets the Raman detuning instead
    (``physics.operations.calibrate``).

    Returns:
        (per Ω_P², per Ω_S²).
    """
    shift = [float((_B @ system.light[j, j] @ _B).real - (_A @ system.light[j, j] @ _A).real)
             for j in range(2)]
    return shift[0], shift[1]
