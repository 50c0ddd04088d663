"""Schedule of the surface-GKP memory experiment: stim's circuit and its homodyne binnings.

Every qubit of the circuit is a GKP mode (Noh & Chamberland, PRA 101, 012316 (2020)): stim's
rotated surface-code memory (``surface_code:rotated_memory_z`` / ``_x``), its ``CX`` the SUM
gate, its ``R``/``MR`` a GKP state preparation and homodyne readout, and at the start of every
round (where stim would put ``before_round_data_depolarization``, a ``DEPOLARIZE1`` marker
here) a Steane-type GKP correction of every data mode; in the default ``"split"`` schedule the
correction of q (``X_ERROR`` marker) opens the round and that of p (``Z_ERROR`` marker) sits
between the Z checks' and the X checks' SUM gates. A *binning* is any homodyne reading
rounded to a multiple of √π: the two readings of each data correction and every measurement.
``qec.gkp.shifts`` runs this schedule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import stim

__all__ = [
    "ANCILLAS",
    "SCHEDULES",
    "Binning",
    "GKPSurfaceCircuit",
    "gkp_surface_circuit",
    "schedule_from_stim",
]

_MARKER = 0.000123  # probability stim is asked to put where each round's data correction goes


@dataclass(frozen=True)
class Binning:
    """One homodyne reading rounded to a multiple of √π.

    Attributes:
        kind: ``"ec_q"`` / ``"ec_p"`` (data GKP correction of q / p: a wrong rounding is a
            logical X / Z on the data mode), ``"meas"`` (a syndrome or final data readout: a
            wrong rounding flips that measurement) or ``"atom"`` (the readout of an atom
            ancilla: no rounding, it flips with probability sin²(√π z / 2) of the summed
            shift z it has picked up, and carries no analog value).
        qubit: stim index of the mode read (the data mode for ``ec_*``).
        round: 0-based round of the reading (the final readout has ``round == rounds``).
        measurement: index in stim's measurement record for ``"meas"`` and ``"atom"``,
            else −1.
    """

    kind: str
    qubit: int
    round: int
    measurement: int


@dataclass(frozen=True)
class GKPSurfaceCircuit:
    """The surface-GKP memory circuit: stim's schedule and its binnings.

    Attributes:
        distance: code distance d.
        rounds: syndrome rounds.
        basis: ``"Z"`` or ``"X"``.
        circuit: stim's noiseless rotated surface-code circuit, flattened; each round's data
            correction sits where its ``DEPOLARIZE1`` marker is.
        data_qubits: stim indices of the data modes.
        ancilla_qubits: stim indices of the syndrome ancillas.
        binnings: every binning in schedule order, shape (n_bins,).
        detectors: measurement indices of each detector, one tuple per detector.
        observables: measurement indices of each observable.
        ancilla: ``"gkp"`` (ancillas are GKP modes) or ``"atom"`` (ancillas are atom qubits).
    """

    distance: int
    rounds: int
    basis: str
    circuit: stim.Circuit
    data_qubits: tuple[int, ...]
    ancilla_qubits: tuple[int, ...]
    binnings: tuple[Binning, ...]
    detectors: tuple[tuple[int, ...], ...]
    observables: tuple[tuple[int, ...], ...]
    ancilla: str = "gkp"

    @property
    def num_measurements(self) -> int:
        """Number of measurements in the record."""
        return sum(1 for b in self.binnings if b.measurement >= 0)

    @property
    def modes(self) -> int:
        """GKP modes: data + syndrome ancillas (if GKP) + one correction ancilla per data mode.

        The q and then the p correction of a data mode reuse one mode, prepared afresh.
        """
        anc = len(self.ancilla_qubits) if self.ancilla == "gkp" else 0
        return 2 * len(self.data_qubits) + anc

    def measurement_matrix(self) -> tuple[np.ndarray, np.ndarray]:
        """Detector and observable parity matrices over the measurement record.

        Returns:
            ``(det, obs)``: uint8 arrays of shape (n_meas, n_det) and (n_meas, n_obs); the
            detection events of measurement flips ``m`` are ``m @ det % 2``.
        """
        n = self.num_measurements
        det = np.zeros((n, len(self.detectors)), np.uint8)
        for j, ms in enumerate(self.detectors):
            for m in ms:
                det[m, j] ^= 1
        obs = np.zeros((n, len(self.observables)), np.uint8)
        for j, ms in enumerate(self.observables):
            for m in ms:
                obs[m, j] ^= 1
        return det, obs


SCHEDULES: tuple[str, ...] = ("interleaved", "z_first", "x_first", "split")
"""CNOT schedules of a round: stim's four interleaved layers, or all Z checks' layers then all
X checks' (or the reverse), each type keeping stim's order (eight layers), with the data's
whole correction (q, then p) at the start of the round; or ``"split"``: the data's q
correction, the Z checks' layers, the data's p correction, the X checks' layers, so that every
check reads data whose quadrature it sums was corrected just before."""


ANCILLAS: tuple[str, ...] = ("gkp", "atom")
"""Kinds of syndrome ancilla: GKP modes (Noh & Chamberland) or atom qubits."""


def gkp_surface_circuit(distance: int, rounds: int, *, basis: str = "Z",
                        schedule: str = "split", ancilla: str = "gkp"
                        ) -> GKPSurfaceCircuit:
    """Schedule of the surface-GKP memory experiment (stim's rotated surface-code circuit).

    The schedule matters more for GKP than for qubits: a SUM gate copies an X-check ancilla's
    q shift onto its data modes, which a Z check that reads them later sums into its reading
    (and a Z-check ancilla's p shift into the X checks' readings). ``"z_first"`` keeps the Z
    checks' readings clean (better for a Z memory) at the X checks' expense. ``"split"``
    corrects each quadrature of the data just before the checks that read it (q before the Z
    checks, p before the X checks), which keeps both kinds of reading clean: the same
    threshold in both bases.

    Args:
        distance: odd code distance ≥ 3.
        rounds: syndrome rounds ≥ 1.
        basis: ``"Z"`` or ``"X"``, the logical basis prepared and read out.
        schedule: one of ``SCHEDULES`` (default ``"split"``: the lowest squeezing threshold,
            the same in both bases; see bench/README.md).
        ancilla: ``"gkp"``: the syndrome ancillas are GKP modes, homodyned and binned, their
            own preparation shifts propagated into the data; ``"atom"``: atom qubits that
            measure each check by qubit-controlled displacements of the data (phase
            kickback): an atom prepared without shift picks up the summed shift z of its
            data and reads the check wrongly with probability sin²(√π z / 2); no shift flows
            back into the data (the conditional displacements are the check's own
            stabiliser) and the reading is binary (no analog value). The back-action of
            that readout on the data's shifts is neglected.

    Returns:
        The circuit with its binnings, detectors and observables.

    Raises:
        ValueError: on a bad distance, rounds, basis, schedule or ancilla.
    """
    if isinstance(distance, bool) or not isinstance(distance, int) or distance < 3 \
            or distance % 2 == 0:
        raise ValueError(f"distance = {distance!r}: must be an odd integer >= 3")
    if isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 1:
        raise ValueError(f"rounds = {rounds!r}: must be an integer >= 1")
    if basis not in ("Z", "X"):
        raise ValueError(f"basis = {basis!r}: must be 'Z' or 'X'")
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule = {schedule!r}: must be one of "
                         f"{', '.join(map(repr, SCHEDULES))}")
    if ancilla not in ANCILLAS:
        raise ValueError(f"ancilla = {ancilla!r}: must be one of "
                         f"{', '.join(map(repr, ANCILLAS))}")
    circ = stim.Circuit.generated(f"surface_code:rotated_memory_{basis.lower()}",
                                  distance=distance, rounds=rounds,
                                  before_round_data_depolarization=_MARKER)
    coords = circ.get_final_qubit_coordinates()
    data = tuple(sorted(q for q, (x, y) in coords.items() if x % 2 == 1 and y % 2 == 1))
    if schedule != "interleaved":
        circ = _split_layers(circ.flattened(), set(data), z_first=schedule != "x_first",
                             split_correction=schedule == "split")
    return schedule_from_stim(circ, data_qubits=data, distance=distance, basis=basis,
                              ancilla=ancilla)


def _split_layers(circ: stim.Circuit, data: set[int], *, z_first: bool,
                  split_correction: bool = False) -> stim.Circuit:
    """Each round's CX layers split by check type, one type's layers after the other's.

    A Z check's CX has a data control, an X check's an ancilla control. With
    ``split_correction`` (Z checks first), the round's correction marker becomes a q-only
    marker (``X_ERROR``) where it was and a p-only marker (``Z_ERROR``) between the Z and the
    X checks' layers.
    """
    out = stim.Circuit()
    layers: list[list[int]] = []
    round_data: list[int] = []

    def flush() -> None:
        z_layers, x_layers = [], []
        for t in layers:
            pairs = list(zip(t[::2], t[1::2], strict=True))
            z_layers.append([q for p in pairs if p[0] in data for q in p])
            x_layers.append([q for p in pairs if p[0] not in data for q in p])
        first, second = (z_layers, x_layers) if z_first else (x_layers, z_layers)
        for group in (first, second):
            for layer in group:
                if layer:
                    out.append("CX", layer)
                    out.append("TICK")
            if split_correction and group is first and round_data:
                out.append("Z_ERROR", round_data, _MARKER)
                out.append("TICK")
        layers.clear()
        round_data.clear()

    for inst in circ:
        if split_correction and inst.name == "DEPOLARIZE1":
            round_data.extend(t.value for t in inst.targets_copy())
            out.append("X_ERROR", round_data, _MARKER)
            continue
        if inst.name == "CX":
            layers.append([t.value for t in inst.targets_copy()])
            continue
        if inst.name == "TICK" and layers:
            continue
        if layers:
            flush()
        out.append(inst)
    return out


def schedule_from_stim(circuit: stim.Circuit, *, data_qubits: tuple[int, ...],
                       distance: int = 0, basis: str = "Z", ancilla: str = "gkp"
                       ) -> GKPSurfaceCircuit:
    """The schedule of a noiseless stim circuit whose every qubit is a GKP mode.

    Instructions: ``R``/``RX``, ``H``, ``CX``, ``M``/``MR``/``MX``/``MRX``, ``DETECTOR`` and
    ``OBSERVABLE_INCLUDE``; each ``DEPOLARIZE1`` marks a round's GKP correction of its target
    (data) modes, q then p; an ``X_ERROR`` marks the q correction alone (it starts a round) and
    a ``Z_ERROR`` the p correction alone.

    Args:
        circuit: the circuit (``REPEAT`` blocks are flattened).
        data_qubits: stim indices of the data modes; every other qubit is an ancilla.
        distance: code distance to record (0 for a circuit that is not a code).
        basis: logical basis to record.
        ancilla: ``"gkp"`` or ``"atom"``: what every non-data qubit is.

    Returns:
        The schedule; ``rounds`` is the number of correction markers.
    """
    circ = circuit.flattened()
    data = tuple(sorted(data_qubits))
    n_q = circ.num_qubits
    anc = tuple(q for q in range(n_q) if q not in set(data)
                and any(q in [t.value for t in inst.targets_copy() if t.is_qubit_target]
                        for inst in circ if inst.name not in ("QUBIT_COORDS",)))
    rounds = sum(1 for inst in circ if inst.name in ("DEPOLARIZE1", "X_ERROR"))
    bins: list[Binning] = []
    dets: list[tuple[int, ...]] = []
    obs: dict[int, list[int]] = {}
    n_meas = 0
    rnd = -1
    for inst in circ:
        name = inst.name
        targets = [t.value for t in inst.targets_copy() if t.is_qubit_target]
        if name == "DEPOLARIZE1":
            rnd += 1
            bins += [Binning(k, q, rnd, -1) for q in targets for k in ("ec_q", "ec_p")]
        elif name == "X_ERROR":
            rnd += 1
            bins += [Binning("ec_q", q, rnd, -1) for q in targets]
        elif name == "Z_ERROR":
            bins += [Binning("ec_p", q, rnd, -1) for q in targets]
        elif name in ("M", "MR", "MX", "MRX"):
            final = name in ("M", "MX") and set(targets) <= set(data)
            kind = "atom" if ancilla == "atom" and not set(targets) & set(data) else "meas"
            for q in targets:
                bins.append(Binning(kind, q, rounds if final else max(rnd, 0), n_meas))
                n_meas += 1
        elif name == "DETECTOR":
            dets.append(tuple(n_meas + t.value for t in inst.targets_copy()))
        elif name == "OBSERVABLE_INCLUDE":
            idx = int(inst.gate_args_copy()[0])
            obs.setdefault(idx, []).extend(n_meas + t.value for t in inst.targets_copy())
    observables = tuple(tuple(obs[k]) for k in sorted(obs))
    return GKPSurfaceCircuit(distance, rounds, basis, circ, data, anc, tuple(bins),
                             tuple(dets), observables, ancilla)
