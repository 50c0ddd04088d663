"""Cat qubits in a 2D code: bias-preserving stabiliser circuits and their noise (``"xzzx-cat"``).

A cat qubit's bias survives only gates that never turn its dominant Z error into an X: CX and
CZ between cats (Guillaud & Mirrahimi, PRX 9, 041053 (2019); Puri et al., Sci. Adv. 6, eaay5901
(2020)), resets and readouts in either basis, but no Hadamard. The surface-code circuit measures
its X-type checks with ``H`` on the ancilla; ``bias_preserving_ancillas`` rewrites every check
into the form Darmawan et al. use for the XZZX code on cats (PRX Quantum 2, 030345 (2021)): the
ancilla is prepared in |+⟩, couples to each data qubit by CX (an X term of the check) or CZ (a Z
term), always as the control, and is read out in X. The measured parities, the measurement
order and so every detector and observable are unchanged.

In this form a Z on an ancilla commutes with every gate it controls: it only flips the ancilla's
readout, so under the cats' dominant phase flips there are no hook errors. An X (bit flip) on an
ancilla spreads as the circuit's usual hook, X onto later CX targets and Z onto later CZ
targets, with the surface code's gate order (which keeps hooks perpendicular to the logical).
"""

from __future__ import annotations

import numbers

import stim

from qec.noise import NoiseModel, OpNoise, TwoQubitNoise

__all__ = ["bias_preserving_ancillas", "cat_surface_noise_model"]


def bias_preserving_ancillas(circuit: stim.Circuit, ancillas: set[int]) -> stim.Circuit:
    """``circuit`` with every ancilla in |+⟩, read in X, and coupled only as a CX/CZ control.

    Rules on instructions that touch an ancilla ``a`` (``q`` a data qubit): ``R a`` → ``RX a``;
    ``H a`` → dropped (a layer left empty is dropped with its ``TICK``); ``MR a`` → ``MRX a``,
    ``M a`` → ``MX a``; ``CX q a`` (a Z-type check) → ``CZ a q``; ``CX a q`` (an X-type check,
    whose ancilla was prepared by ``R`` + ``H``) → ``CX a q``. ``REPEAT`` blocks are kept.

    Args:
        circuit: a surface-code memory circuit in stim's generated form (ancillas reset in Z,
            X-type ancillas between two ``H`` layers).
        ancillas: stim indices of the measure qubits.

    Returns:
        The rewritten circuit; same measurements in the same order, same detectors.

    Raises:
        ValueError: on an instruction touching an ancilla that has no rule here.
    """
    out = stim.Circuit()
    layer = stim.Circuit()  # instructions since the last TICK: an emptied layer is dropped

    def flush(tick: bool) -> None:
        nonlocal layer, out
        if len(layer) or not tick:
            out += layer
            if tick:
                out.append("TICK")
        layer = stim.Circuit()

    for inst in circuit:
        if isinstance(inst, stim.CircuitRepeatBlock):
            flush(False)
            out.append(stim.CircuitRepeatBlock(
                inst.repeat_count, bias_preserving_ancillas(inst.body_copy(), ancillas)))
            continue
        name = stim.gate_data(inst.name).name
        if name == "TICK":
            flush(True)
            continue
        targets, args = inst.targets_copy(), inst.gate_args_copy()
        qubits = [t.value for t in targets if t.is_qubit_target]
        if not ancillas.intersection(qubits) or name == "QUBIT_COORDS":
            layer.append(inst)
            continue
        if name in ("R", "H", "M", "MR"):
            keep = [t for t in targets if t.value not in ancillas]
            anc = [t for t in targets if t.value in ancillas]
            if name != "H":
                layer.append({"R": "RX", "M": "MX", "MR": "MRX"}[name], anc, args)
            if keep:
                if name in ("M", "MR"):
                    raise ValueError(f"{name} mixes ancillas and data: the measurement order "
                                     "would change")
                layer.append(name, keep, args)
        elif name == "CX":
            for c, t in zip(targets[::2], targets[1::2], strict=True):
                if c.value in ancillas:
                    layer.append("CX", [c, t], args)
                elif t.value in ancillas:
                    layer.append("CZ", [t, c], args)
                else:
                    layer.append("CX", [c, t], args)
        else:
            raise ValueError(f"cannot make instruction {name!r} bias-preserving")
    flush(False)
    return out


def cat_surface_noise_model(*, bit_flip: float, measure: float,
                            measure_z: float | None = None) -> NoiseModel:
    """Gate and readout noise of a 2D cat code (``"xzzx-cat"``), beside its per-round data noise.

    The data cats' per-cycle error (phase and bit flip over one cycle, which covers the cycle's
    gates) is the code's *data noise*, applied once per round (``memory_experiment``'s
    ``data_noise``), so it is counted once, as in the repetition code. What is left:

    * each CX/CZ: an X on its control, the ancilla, with ``bit_flip``/4 (an ancilla's bit flip
      over a cycle of four gates, placed where it spreads as a hook; Z on the ancilla only flips
      its readout and is in ``measure``). The gates add no phase flip beyond the cycle (bias-
      preserving, counted once).
    * readout: ``measure`` for the X-basis readouts (ancillas' ``MRX``, data ``MX``), and
      ``measure_z`` for the data's Z-basis ``M`` (which coherent state), as in
      ``cat_noise_model``.

    Args:
        bit_flip: X probability of a cat per cycle, in [0, 1].
        measure: flip probability of the X-basis (parity) readouts, in [0, 1].
        measure_z: flip probability of the Z-basis readout; None: ``measure``.

    Returns:
        The noise model (no idle, no single-qubit gate noise, no erasure).

    Raises:
        ValueError: on a value outside [0, 1].
    """
    for name, value in (("bit_flip", bit_flip), ("measure", measure), ("measure_z", measure_z)):
        if value is None and name == "measure_z":
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
            raise ValueError(f"{name} = {value!r}: must be a probability in [0, 1]")
    gate_2q = TwoQubitNoise.from_dict_of_paulis({"XI": bit_flip / 4})
    mz = None if measure_z is None else OpNoise(px=measure_z)
    return NoiseModel(gate_2q=gate_2q, measure=OpNoise(px=measure), measure_z=mz)
