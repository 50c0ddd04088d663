"""Circuit transforms: Hadamard conjugation of data qubits (XZZX) and data-noise insertion."""

from __future__ import annotations

import stim

from qec.noise import HERALD_COORD, OpNoise

MARKER = 0.0123456789
"""``DEPOLARIZE1`` probability marking where data noise goes (replaced or dropped)."""

_CONJ_1Q = {"R": "RX", "RX": "R", "M": "MX", "MX": "M", "MR": "MRX", "MRX": "MR",
            "H": "H", "I": "I", "X": "Z", "Z": "X", "Y": "Y", "DEPOLARIZE1": "DEPOLARIZE1",
            "X_ERROR": "Z_ERROR", "Z_ERROR": "X_ERROR", "Y_ERROR": "Y_ERROR"}
_CONTROLLED = {"CX": "ZX", "CY": "ZY", "CZ": "ZZ", "XCX": "XX", "XCY": "XY", "XCZ": "XZ",
               "YCX": "YX", "YCY": "YY", "YCZ": "YZ"}
_CONTROLLED_NAME = {v: k for k, v in _CONTROLLED.items()}
_SWAP_XZ = {"X": "Z", "Z": "X", "Y": "Y"}



def hadamard_conjugate(circuit: stim.Circuit, flip: set[int]) -> stim.Circuit:
    """``circuit`` conjugated by H on the qubits ``flip`` (REPEAT blocks kept).

    Raises:
        ValueError: on an instruction touching ``flip`` that has no rule here.
    """
    out = stim.Circuit()
    for inst in circuit:
        if isinstance(inst, stim.CircuitRepeatBlock):
            out.append(stim.CircuitRepeatBlock(inst.repeat_count,
                                               hadamard_conjugate(inst.body_copy(), flip)))
            continue
        name = stim.gate_data(inst.name).name
        targets, args = inst.targets_copy(), inst.gate_args_copy()
        qubits = [t.value for t in targets if t.is_qubit_target]
        if not flip.intersection(qubits) or name in ("QUBIT_COORDS", "TICK"):
            out.append(inst)
        elif name in _CONJ_1Q:
            for t in targets:
                out.append(_CONJ_1Q[name] if t.value in flip else name, [t], args)
        elif name in _CONTROLLED:
            for a, b in zip(targets[::2], targets[1::2], strict=True):
                pa, pb = _CONTROLLED[name]
                pa = _SWAP_XZ[pa] if a.value in flip else pa
                pb = _SWAP_XZ[pb] if b.value in flip else pb
                out.append(_CONTROLLED_NAME[pa + pb], [a, b], args)
        else:
            raise ValueError(f"cannot Hadamard-conjugate instruction {name!r}")
    return out


# --- data noise ------------------------------------------------------------------------------
def _is_marker(inst: stim.CircuitInstruction) -> bool:
    return inst.name == "DEPOLARIZE1" and inst.gate_args_copy() == [MARKER]


def _append_channel(out: stim.Circuit, targets: list, op: OpNoise) -> None:
    """The cheapest exact stim instruction for a Pauli channel (none when it is zero)."""
    if op.p_pauli == 0:
        return
    if op.px == op.py == op.pz:
        out.append("DEPOLARIZE1", targets, [3 * op.px])
        return
    nonzero = [(n, p) for n, p in (("X_ERROR", op.px), ("Y_ERROR", op.py), ("Z_ERROR", op.pz))
               if p]
    if len(nonzero) == 1:
        out.append(nonzero[0][0], targets, [nonzero[0][1]])
    else:
        out.append("PAULI_CHANNEL_1", targets, [op.px, op.py, op.pz])


def with_data_noise(circuit: stim.Circuit, noise: OpNoise | None) -> stim.Circuit:
    """Replace the data-noise markers by ``noise`` (or drop them)."""
    if noise is None or not noise.erasure:
        out = stim.Circuit()
        for inst in circuit:
            if isinstance(inst, stim.CircuitRepeatBlock):
                out.append(stim.CircuitRepeatBlock(inst.repeat_count,
                                                   with_data_noise(inst.body_copy(), noise)))
            elif _is_marker(inst):
                if noise is not None:
                    _append_channel(out, inst.targets_copy(), noise)
            else:
                out.append(inst)
        return out
    out = stim.Circuit()
    old_to_new: list[int] = []
    n_new = 0
    k = 0
    for inst in circuit.flattened():  # flattened: no REPEAT, no SHIFT_COORDS

        name = inst.name
        if name in ("DETECTOR", "OBSERVABLE_INCLUDE"):
            recs = [stim.target_rec(old_to_new[len(old_to_new) + t.value] - n_new)
                    for t in inst.targets_copy()]
            out.append(name, recs, inst.gate_args_copy())
        elif _is_marker(inst):
            targets = inst.targets_copy()
            _append_channel(out, targets, noise)
            for t in targets:
                out.append("HERALDED_ERASE", [t], [noise.erasure])
                out.append("DETECTOR", [stim.target_rec(-1)], [HERALD_COORD, t.value, k])
                k += 1
                n_new += 1
        else:
            out.append(inst)
            if stim.gate_data(name).produces_measurements:
                single = stim.Circuit()
                single.append(inst)
                n = single.num_measurements
                old_to_new.extend(range(n_new, n_new + n))
                n_new += n
    return out
