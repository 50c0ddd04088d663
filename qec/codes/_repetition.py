"""Cat-qubit phase-flip repetition code and the biased cat noise model (see ``qec.codes``)."""

from __future__ import annotations

import numbers

import stim

from qec.codes._transform import MARKER
from qec.noise import NoiseModel, OpNoise, TwoQubitNoise


def cat_noise_model(*, phase_flip: float, bit_flip: float, measure: float = 0.0,
                    reset: float = 0.0, cx_phase_flip: float = 0.0, cx_bit_flip: float = 0.0,
                    measure_z: float | None = None) -> NoiseModel:
    """Biased noise of dissipative cat qubits, for the ``"repetition"`` circuits.

    The CX between cats is bias-preserving (Guillaud & Mirrahimi, PRX 9, 041053 (2019)): it
    mostly dephases. With single-photon loss dominating, their gate gives Z on the control
    with p = κ₁|α|²T and Z on the target and Z⊗Z with p/2 each, so ``cx_phase_flip`` is split
    ZI : IZ : ZZ = 2 : 1 : 1 (the control is the first qubit, the ancilla in these circuits);
    ``cx_bit_flip`` is split evenly over XI and IX.

    Counted once: every data cat idles once per round and ``idle`` is its whole per-cycle error
    (the cycle time covers its CXs), so ``cx_phase_flip`` and ``cx_bit_flip`` default to 0 and
    carry only what a gate adds *beyond* the cycle's own dephasing (e.g. non-adiabatic phase
    flips of a short gate). An ancilla's Z during the round commutes with the CXs it controls and
    only flips its ``MRX``: its dephasing over the cycle belongs in ``measure``.

    Args:
        phase_flip: Z probability per cycle of each data cat (the ``idle`` channel, which the
            repetition circuits apply once per round; see the module docstring).
        bit_flip: X probability per cycle of each data cat (``idle``).
        measure: readout flip probability of the X-basis (parity) readouts ``MRX``/``MX``, and of
            every readout when ``measure_z`` is None.
        reset: preparation flip probability.
        cx_phase_flip: total Z-type probability a CX adds beyond the cycle (default 0).
        cx_bit_flip: total X-type probability a CX adds beyond the cycle (default 0).
        measure_z: readout flip probability of the Z-basis (which coherent state) readout ``M``
            of the data cats; None: ``measure``.

    Returns:
        The noise model (no single-qubit gate noise, no erasure).
    """
    zp, xp = cx_phase_flip, cx_bit_flip
    checks = [("cx_phase_flip", zp), ("cx_bit_flip", xp)]
    if measure_z is not None:
        checks.append(("measure_z", measure_z))
    for name, value in checks:
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
            raise ValueError(f"{name} = {value!r}: must be a probability in [0, 1]")
    gate_2q = TwoQubitNoise.from_dict_of_paulis(
        {"ZI": zp / 2, "IZ": zp / 4, "ZZ": zp / 4, "XI": xp / 2, "IX": xp / 2})
    mz = None if measure_z is None else OpNoise(px=measure_z)
    return NoiseModel(gate_2q=gate_2q, measure=OpNoise(px=measure), reset=OpNoise(px=reset),
                      idle=OpNoise(px=bit_flip, pz=phase_flip), measure_z=mz)



def repetition_circuit(d: int, rounds: int, basis: str) -> tuple[stim.Circuit, tuple, tuple]:
    """Cat-qubit repetition code: data 0, 2, ..., ancillas 1, 3, ... at x = index."""
    data = tuple(range(0, 2 * d - 1, 2))
    anc = tuple(range(1, 2 * d - 2, 2))
    m = len(anc)
    c = stim.Circuit()
    for q in range(2 * d - 1):
        c.append("QUBIT_COORDS", [q], [q, 0])
    c.append("R" if basis == "Z" else "RX", data)
    c.append("RX", anc)
    c.append("TICK")

    def one_round(first: bool) -> stim.Circuit:
        b = stim.Circuit()
        b.append("DEPOLARIZE1", data, [MARKER])
        b.append("CX", [q for i, a in enumerate(anc) for q in (a, data[i])])
        b.append("I", [data[-1]])
        b.append("TICK")
        b.append("CX", [q for i, a in enumerate(anc) for q in (a, data[i + 1])])
        b.append("I", [data[0]])
        b.append("TICK")
        b.append("MRX", anc)
        if not first:
            b.append("SHIFT_COORDS", [], [0, 1])
        for i, a in enumerate(anc):
            if first and basis == "X":
                b.append("DETECTOR", [stim.target_rec(i - m)], [a, 0])
            elif not first:
                b.append("DETECTOR", [stim.target_rec(i - m), stim.target_rec(i - 2 * m)],
                         [a, 0])
        b.append("TICK")
        return b

    c += one_round(True)
    if rounds > 1:
        c.append(stim.CircuitRepeatBlock(rounds - 1, one_round(False)))
    if basis == "X":
        c.append("MX", data)
        for i, a in enumerate(anc):
            recs = [stim.target_rec(i - d), stim.target_rec(i + 1 - d),
                    stim.target_rec(i - d - m)]
            c.append("DETECTOR", recs, [a, 1])
        c.append("OBSERVABLE_INCLUDE", [stim.target_rec(-d)], [0])
    else:
        c.append("M", data)
        c.append("OBSERVABLE_INCLUDE", [stim.target_rec(k - d) for k in range(d)], [0])
    return c, data, anc
