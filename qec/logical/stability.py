"""Surface-code stability experiment, and the plaquette-schedule circuit builder it shares.

The stability experiment (C. Gidney, "Stability Experiments: The Overlooked Dual of Memory
Experiments", Quantum 6, 786 (2022), arXiv:2204.13834) is the dual of a memory experiment. A
memory experiment checks that a logical observable survives through *time*; a stability
experiment checks that the code can *move* an observable through *space*, i.e. determine the
product of a large region of stabilisers. Its patch (paper's Fig. 1: a 4x4 X-type patch) is an
n x n rotated surface-code patch whose four boundaries are all of one type (X for
``basis="X"``), so it encodes no logical qubit: the product of all its X stabilisers is the
identity. The data start in |0⟩, so each X stabiliser's first outcome is random but their
product is +1; the stabilisers are measured for ``rounds`` rounds and the data read out in Z.
The observable is the product of all X-stabiliser outcomes of the first round (the product of
the last round's differs from it by a product of detectors, so the two are equivalent for a
decoder). Measurement errors chained through all rounds on one stabiliser flip it undetected,
so its distance is time-like: ``rounds``. A bigger patch adds more places for such chains
(entropy) but no shorter logical, so the logical error per shot falls exponentially with
``rounds`` and *grows* with the patch: the dual of a memory, whose error falls with d and
grows with the rounds. Measured (MWPM, ``NoiseModel.uniform_depolarizing(p)``, basis X):

=====  ========  ======  ==========================
p      diameter  rounds  P_L per shot [Wilson 95 %]
=====  ========  ======  ==========================
0.5 %  6         2       3.83e-1 [3.76e-1, 3.90e-1]
0.5 %  6         4       6.99e-2 [6.65e-2, 7.35e-2]
0.5 %  6         6       1.47e-2 [1.31e-2, 1.64e-2]
0.3 %  4         2       1.57e-1 [1.55e-1, 1.59e-1]
0.3 %  4         4       9.82e-3 [9.23e-3, 1.05e-2]
0.3 %  4         6       1.04e-3 [8.59e-4, 1.26e-3]
0.3 %  8         2       3.71e-1 [3.68e-1, 3.74e-1]
0.3 %  8         4       4.52e-2 [4.39e-2, 4.65e-2]
0.3 %  8         6       6.73e-3 [6.24e-3, 7.26e-3]
=====  ========  ======  ==========================

(2·10^4 shots at 0.5 %, 10^5 at 0.3 %; odd rounds gain little over the even round below them,
as even distances do in a memory.) This is the shape of the paper's surface-code stability
results: the logical error falls exponentially with the rounds (the time-like distance) below
threshold. The paper's Fig. 1 is the 4x4 X-type circuit built here
(``stability_experiment(diameter=4, rounds=r)``: 16 data qubits, twelve X stabilisers); we
could not check the numbering of its results figure offline. (The stability experiment is
Gidney's single-author paper above, not the planar honeycomb benchmark of Gidney, Newman and
McEwen, arXiv:2202.11845.)

Circuits follow stim's ``surface_code:rotated_memory_*`` conventions: data qubits at odd (x, y),
measure qubits at even (x, y), the plaquette at (2a, 2b) of type Z when a + b is even (X
otherwise; ``basis="Z"`` swaps the types), qubit index x + (x_max + 1)·(y // 2), stim's CX
order (data offsets from the measure qubit per CX layer: X (+1, +1), (−1, +1), (+1, −1),
(−1, −1); Z (+1, +1), (+1, −1), (−1, +1), (−1, −1)), ``H`` on the X ancillas and ``MR`` at
the end of each round; detector coordinates (x, y, round), rounds counted from 1. The
circuit is noiseless; add noise with ``qec.noise.NoiseModel.noisy_circuit``.
``plaquette_circuit`` builds any schedule of resets, rounds (each with its own plaquette set)
and data measurements, with every deterministic detector; ``qec.logical.surgery`` uses it
for lattice surgery. It, the other schedule names and ``LogicalExperiment`` (with its module map:
``modules``, ``local_pairs``; the stability patch is one module, so ``resources["remote_gates"]``
is 0) live in ``qec.logical._plaquettes`` and are re-exported here.
"""

from __future__ import annotations

import stim

from qec.logical._plaquettes import (
    LogicalExperiment,
    Plaquette,
    Step,
    check_int,
    plaquette_circuit,
    rectangle_plaquettes,
    two_qubit_gates,
)

__all__ = [
    "LogicalExperiment",
    "Plaquette",
    "Step",
    "plaquette_circuit",
    "rectangle_plaquettes",
    "stability_experiment",
]

def stability_experiment(*, diameter: int, rounds: int, basis: str = "X") -> LogicalExperiment:
    """Surface-code stability experiment (Gidney, Quantum 6, 786 (2022), its Fig. 1 circuit).

    A ``diameter`` x ``diameter`` rotated patch with ``basis``-type boundaries on all four
    sides (no logical qubit), data prepared in the other basis, ``rounds`` rounds, data read
    out in the other basis. Observable 0: the product of all ``basis``-type stabiliser
    outcomes of the first round (+1 without noise). Its graphlike distance is ``rounds``
    (time-like: one stabiliser's measurement errors in every round) at every diameter we
    checked (2 to 8), also when ``rounds`` exceeds the diameter: the patch has no space-like
    logical, so it never caps the distance. The logical error per shot falls exponentially
    with ``rounds`` below threshold (the module docstring has the figures).

    Args:
        diameter: data qubits per side, an even integer >= 2 (odd sizes leave a corner data
            qubit outside any stabiliser of one type, i.e. a logical qubit).
        rounds: stabiliser rounds, integer >= 2 (one round has no time-like protection).
        basis: ``"X"`` (the paper's X-type patch, data in |0⟩) or ``"Z"`` (types swapped).

    Returns:
        ``LogicalExperiment`` named ``"stability-X"``/``"stability-Z"``; ``distance`` =
        ``rounds``; ``resources``: qubits, data, ancillas, rounds, stabilisers of each type,
        two_qubit_gates_per_round, remote_gates (0: the patch is one module, ``modules``).

    Raises:
        ValueError: bad ``diameter``, ``rounds`` or ``basis``.

    Example:
        >>> exp = stability_experiment(diameter=4, rounds=3)
        >>> exp.resources["stabilisers_of_basis"], len(exp.data_qubits)  # the paper's 12, 16
        (12, 16)
        >>> exp.circuit.num_observables
        1
    """
    n = check_int("diameter", diameter, 2, even=True)
    r = check_int("rounds", rounds, 2)
    if basis not in ("X", "Z"):
        raise ValueError(f"basis = {basis!r}: must be 'X' or 'Z'")
    other = "Z" if basis == "X" else "X"
    plaq = rectangle_plaquettes(0, 0, n, n, sides=basis, ends=basis, z_even=basis == "X")
    data = tuple(sorted((2 * i + 1, 2 * j + 1) for i in range(n) for j in range(n)))
    steps = [Step("reset", other, data)] + [Step("round", plaquettes=plaq)] * r + [
        Step("measure", other, data)]
    circuit, records, qubit = plaquette_circuit(steps)
    total = circuit.num_measurements
    obs = [stim.target_rec(records[("p", 1, p.center)] - total)
           for p in plaq if p.basis == basis]
    circuit.append("OBSERVABLE_INCLUDE", obs, [0])
    n_basis = sum(p.basis == basis for p in plaq)
    data_q = tuple(sorted(qubit[d] for d in data))
    anc_q = tuple(sorted(qubit[p.center] for p in plaq))
    resources = {"qubits": len(data) + len(plaq), "data": len(data), "ancillas": len(plaq),
                 "rounds": r, "stabilisers_of_basis": n_basis,
                 "stabilisers_other": len(plaq) - n_basis,
                 "two_qubit_gates_per_round": two_qubit_gates(circuit) // r, "remote_gates": 0}
    return LogicalExperiment(f"stability-{basis}", circuit, data_q, anc_q, r, r, resources,
                             modules=(tuple(sorted(data_q + anc_q)),))
