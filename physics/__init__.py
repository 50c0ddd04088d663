"""Physics layer: STIRAP, cavity QED, photonic links, bosonic qubits -> per-operation channels.

Imports numpy, scipy, qutip, numba and scqubits only; never stim, ``qec``, ``control`` or
``twin`` (see DESIGN.md, layering). Units: µs and rad/µs throughout.

Modules, one concern each:

* ``pulses``: envelopes and the STIRAP pump/Stokes pair;
* ``levels``: Λ and ladder three-level systems (Hamiltonian and Lindblad conventions);
* ``stirap`` / ``stirap_fast``: STIRAP with qutip (reference) and numba (batched sweeps);
* ``transmon``: a transmon ladder from scqubits feeding ladder STIRAP;
* ``gates``: the double pulse pair single-qubit X gate (STIRAP or Raman π pulses);
* ``hyperfine`` / ``multilevel`` / ``multilevel_fast``: ⁸⁷Rb D2 data and sublevel schemes, an
  N-level atom (qutip reference, numba solver);
* ``raman``: far-detuned driving with the excited manifold eliminated (the reference gate);
* ``cavity``: V-STIRAP photon emission from an atom in a cavity;
* ``links``: photonic links and heralded photon-mediated operations;
* ``remote_gate``: the photon-mediated two-qubit gate attempt by attempt, per node
  architecture (single atom, or communication + memory qubit);
* ``cavity_design``: κ from finesse and length, g from the mode volume, balanced out-coupling;
* ``cat`` / ``gkp``: bosonic qubits;
* ``channel`` / ``extraction``: the ``Channel`` type, Pauli twirl and frame calibration;
* ``pauli2``: the two-qubit Pauli channel (16 probabilities, joint loss) and its twirl;
* ``device`` / ``operations``: the reference device and every operation's channel.

Example:
    >>> import math
    >>> cavity = CavityQED(g=4.0, kappa=1.0, gamma=2.0)  # rad/µs
    >>> cavity.cooperativity, adiabatic_efficiency(cavity.cooperativity)  # C, 2C/(2C+1)
    (4.0, 0.8888888888888888)
    >>> z = twirl_unitary(rz(0.2))  # a Z rotation by θ twirls to pz = sin²(θ/2)
    >>> math.isclose(z.pz, math.sin(0.1) ** 2, rel_tol=1e-12), z.px
    (True, 0.0)
"""

from physics.cat import CatQubit, CatRates, cat_channel, cat_rates, flip_probability
from physics.cavity import (
    CavityQED,
    EmissionResult,
    adiabatic_efficiency,
    default_pump,
    emit_photon,
)
from physics.channel import Channel
from physics.device import (
    REFERENCE_DEVICE,
    Device,
    device_from_dict,
    device_to_dict,
    parameter_paths,
    with_overrides,
)
from physics.extraction import (
    ExtractedChannel,
    FrameCorrection,
    amplitude_damping,
    calibrate_frame,
    chi_matrix,
    error_process,
    extract_channel,
    kraus_superop,
    pauli_transfer_matrix,
    pauli_twirl,
    phase_damping,
    restrict_to_qubit,
    rx,
    ry,
    rz,
    twirl_unitary,
    unitary_superop,
)
from physics.gates import X_GATE, StirapGate, stirap_gate_process
from physics.gkp import GKPQubit, gkp_channel, gkp_error_probability, gkp_sigma
from physics.levels import ThreeLevelSystem
from physics.links import SCHEMES, LinkResult, PhotonicLink, link_channel
from physics.operations import (
    OPERATIONS,
    Calibration,
    Extraction,
    OperationChannel,
    calibrate,
    extract_operations,
)
from physics.pauli2 import PAULI2_LABELS, TwoQubitChannel, twirl_two_qubit
from physics.pulses import SHAPES, Pulse, StirapPulses
from physics.remote_gate import ARCHITECTURES, Reflection, RemoteGateResult, remote_gate
from physics.stirap import (
    StirapResult,
    simulate_stirap,
    stirap_efficiency_batch,
    stirap_process,
)
from physics.transmon import TransmonLadder

__all__ = [
    "ARCHITECTURES",
    "OPERATIONS",
    "PAULI2_LABELS",
    "REFERENCE_DEVICE",
    "SCHEMES",
    "SHAPES",
    "X_GATE",
    "Calibration",
    "CatQubit",
    "CatRates",
    "CavityQED",
    "Channel",
    "Device",
    "EmissionResult",
    "ExtractedChannel",
    "Extraction",
    "FrameCorrection",
    "GKPQubit",
    "LinkResult",
    "OperationChannel",
    "PhotonicLink",
    "Reflection",
    "RemoteGateResult",
    "Pulse",
    "StirapGate",
    "StirapPulses",
    "StirapResult",
    "ThreeLevelSystem",
    "TransmonLadder",
    "TwoQubitChannel",
    "adiabatic_efficiency",
    "amplitude_damping",
    "calibrate",
    "calibrate_frame",
    "cat_channel",
    "cat_rates",
    "chi_matrix",
    "default_pump",
    "device_from_dict",
    "device_to_dict",
    "emit_photon",
    "error_process",
    "extract_channel",
    "extract_operations",
    "flip_probability",
    "gkp_channel",
    "gkp_error_probability",
    "gkp_sigma",
    "kraus_superop",
    "link_channel",
    "parameter_paths",
    "pauli_transfer_matrix",
    "pauli_twirl",
    "phase_damping",
    "restrict_to_qubit",
    "rx",
    "ry",
    "remote_gate",
    "rz",
    "simulate_stirap",
    "stirap_efficiency_batch",
    "stirap_gate_process",
    "stirap_process",
    "twirl_two_qubit",
    "twirl_unitary",
    "unitary_superop",
    "with_overrides",
]
