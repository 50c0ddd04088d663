"""Logical operations on the device: each experiment's error per operation, cost and time.

``run_logical`` samples the fault-tolerant logical experiments of ``qec.logical`` (and a
surface-code memory as the baseline) under the device's extracted noise and reports, per
(experiment, distance, device point): the logical error per operation with its Wilson
interval, per round, and the cost on QuantaCore: qubits, remote (photon-mediated) and local
two-qubit gates, expected heralds per shot, and the wall-clock time (``TICK`` layers ×
``timing.layer_time``).

Architecture (``ARCHITECTURES``): a patch's own CNOTs are the *local* gate
(``node.local_gate_error``, ``physics.remote_gate.local_cnot_channel``); the transversal
CNOT's d² gates join patches over the photonic link: the *remote* gate with its correlated
Pauli channel and heralded failure (``twin.device.noise_map.modular_noise``). Lattice surgery
merges neighbouring patches for d rounds through a seam: with ``"shared"`` (default: the
patches of one surgery sit side by side in one module) every surgery gate is local, so
surgery pays d rounds of merged stabilisers and the transversal CNOT pays d² remote gates;
with ``"per-patch"`` (one module per patch, ``qec.logical``'s module map) the seam's CNOTs to
the other module are remote too. Which CNOT is cheaper at a target depends on the two
channels; a ``sweep`` over a device parameter (re-extracting the physics at every value) finds
where they cross (``twin.studies.logical_summary.crossover``).

Decoding: every experiment is decoded the same way, by correlated matching on the circuit's
DEM (across a transversal CNOT, ``qec.logical.joint_dem``: the patches in one graph). The
transversal decoders take Pauli noise only, so the heralds are not used by any experiment:
each heralded erasure is folded into its Pauli channel (``NoiseModel.erasure_as_pauli``, the
same error per operation, the herald's information dropped); ``heralds_per_shot`` still
counts what the hardware would flag. This is pessimistic for every experiment alike.

Sampling goes through ``twin.studies.collect``: seeded chunks, the same counts on every run,
appended to a sinter CSV and resumed from it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import stim

from qec.montecarlo import make_task
from qec.stats import Crossing, LogicalRate, logical_rate
from twin.executor import ExecutorSpec
from twin.studies.collect import DEFAULT_CHUNK_SHOTS, collect

__all__ = [
    "ARCHITECTURES",
    "EXPERIMENTS",
    "LogicalResult",
    "LogicalRow",
    "VARIANTS",
    "build_experiment",
    "run_logical",
]

EXPERIMENTS: dict[str, str] = {
    "memory": "one surface-code patch storing a state for d rounds (the baseline)",
    "stability": "Gidney's stability experiment: a (d+1)² patch, one boundary type, d rounds",
    "surgery-zz": "lattice-surgery Z_L⊗Z_L measurement between two patches (d merge rounds)",
    "surgery-xx": "lattice-surgery X_L⊗X_L measurement between two patches (d merge rounds)",
    "surgery-cnot": "CNOT by lattice surgery through an ancilla patch, making a Bell pair",
    "transversal-cnot": "transversal CNOT (d² remote gates) on |+⟩|0⟩, making a Bell pair",
    "ghz": "3-patch GHZ state by two transversal CNOTs",
}
"""Experiment names → what each is."""

ARCHITECTURES: tuple[str, ...] = ("shared", "per-patch")
"""Where lattice surgery's seam gates are local: ``"shared"`` (the patches of a surgery in one
module: all its gates local) or ``"per-patch"`` (one module per patch: the seam's CNOTs into
the other patch's module are remote)."""

VARIANTS: dict[str, tuple[str, ...]] = {
    "memory": ("Z", "X"), "stability": ("X", "Z"), "surgery-zz": ("ZZ",),
    "surgery-xx": ("XX",), "surgery-cnot": ("bell-Z", "bell-X"),
    "transversal-cnot": ("Z", "X"), "ghz": ("Z", "X"),
}
"""The runs of each experiment (one sinter task each): memory and stability bases; the
Bell pair's Z_LZ_L and X_LX_L (one readout basis per run); the GHZ state's Z-type correlators
and X_LX_LX_L. An operation's error sums its variants (``logical_summary.summaries``), as
``compare`` sums the Z and X memories: an upper bound on its logical infidelity."""


@dataclass(frozen=True)
class Built:
    """One experiment's noiseless circuit and what its cost is read from.

    Attributes:
        name: the experiment (``EXPERIMENTS``).
        distance: code distance d.
        circuit: noiseless circuit with detectors and observables.
        local_pairs: (a < b) qubit pairs whose two-qubit gates are local.
        rounds: syndrome rounds in all (the per-round figure divides by it).
        qubits: physical qubits.
        source: the ``qec.logical`` experiment object (None for the memory), for a decoder
            DEM of its own (``qec.logical.joint_dem`` across a transversal CNOT).
        variant: the run (``VARIANTS``).
    """

    @property
    def remote_gates(self) -> int:
        """Two-qubit gates of the whole circuit that are not on ``local_pairs``."""
        return sum(1 for p in _gate_pairs(self.circuit) if p not in self.local_pairs)

    @property
    def local_gates(self) -> int:
        """Two-qubit gates of the whole circuit on ``local_pairs``."""
        return sum(1 for p in _gate_pairs(self.circuit) if p in self.local_pairs)

    name: str
    distance: int
    circuit: stim.Circuit
    local_pairs: frozenset[tuple[int, int]]
    rounds: int
    qubits: int
    source: Any = None
    variant: str = ""


def _gate_pairs(circuit: stim.Circuit) -> list[tuple[int, int]]:
    """Every two-qubit gate application's (a < b) pair, in order (``REPEAT`` unrolled)."""
    out = []
    for inst in circuit.flattened():
        gd = stim.gate_data(inst.name)
        if gd.is_two_qubit_gate and gd.is_unitary:
            t = [x.value for x in inst.targets_copy()]
            out += [(min(a, b), max(a, b)) for a, b in zip(t[::2], t[1::2], strict=True)]
    return out


def build_experiment(name: str, distance: int, variant: str | None = None, *,
                     architecture: str = "shared") -> Built:
    """The noiseless circuit of one run of experiment ``name`` at distance ``distance``.

    Args:
        name: one of ``EXPERIMENTS``.
        distance: odd code distance ≥ 3 (the stability experiment uses the even diameter
            d + 1 and d rounds: its time-like distance is d).
        variant: one of ``VARIANTS[name]`` (None: the first).
        architecture: one of ``ARCHITECTURES``.

    Returns:
        The built experiment.

    Raises:
        ValueError: unknown experiment or variant, or a bad distance.

    Example:
        >>> b = build_experiment("surgery-zz", 3)
        >>> b.rounds, b.qubits, len(b.local_pairs) > 0
        (5, 41, True)
    """
    import qec.logical as lg
    from qec.codes import memory_experiment

    if name not in EXPERIMENTS:
        raise ValueError(f"experiment = {name!r}: must be one of {', '.join(EXPERIMENTS)}")
    variant = VARIANTS[name][0] if variant is None else variant
    if variant not in VARIANTS[name]:
        raise ValueError(f"variant = {variant!r}: {name} runs {', '.join(VARIANTS[name])}")
    if architecture not in ARCHITECTURES:
        raise ValueError(f"architecture = {architecture!r}: must be one of "
                         f"{', '.join(ARCHITECTURES)}")
    if isinstance(distance, bool) or not isinstance(distance, int | np.integer) \
            or distance < 3 or distance % 2 == 0:
        raise ValueError(f"distance = {distance!r}: must be an odd integer >= 3")
    d = int(distance)
    if name == "memory":  # one patch, one module: every gate local
        exp = memory_experiment("surface", distance=d, rounds=d, basis=variant)
        return Built(name, d, exp.circuit, frozenset(_gate_pairs(exp.circuit)), d,
                     len(exp.data_qubits) + len(exp.ancilla_qubits), None, variant)
    if name == "stability":
        exp = lg.stability_experiment(diameter=d + 1, rounds=d, basis=variant)
    elif name in ("surgery-zz", "surgery-xx"):
        exp = lg.surgery_experiment(distance=d, basis=variant)
    elif name == "surgery-cnot":
        exp = lg.surgery_cnot_experiment(distance=d, basis=variant)
    elif name == "transversal-cnot":
        exp = lg.transversal_cnot_experiment(distance=d, basis=variant, mode="bell")
    else:
        exp = lg.ghz_experiment(distance=d, basis=variant)
    if isinstance(exp, lg.TransversalExperiment):  # per-patch qubits and rounds
        qubits = sum(len(q) for q in (*exp.data_qubits, *exp.ancilla_qubits))
        return Built(name, d, exp.circuit, frozenset(exp.local_pairs), int(sum(exp.rounds)),
                     qubits, exp, variant)
    local = frozenset(_gate_pairs(exp.circuit)) if architecture == "shared" \
        else frozenset(exp.local_pairs)
    return Built(name, d, exp.circuit, local, int(exp.rounds),
                 len(exp.data_qubits) + len(exp.ancilla_qubits), exp, variant)


@dataclass(frozen=True)
class LogicalRow:
    """One run: (experiment, variant, distance, device point).

    Attributes:
        experiment: the experiment name.
        variant: the run (``VARIANTS``).
        distance: code distance d.
        decoder: the decoder used.
        point: the device point (``{"key": value}`` of the sweep; empty without a sweep).
        rate: error per operation (``per_shot``, any observable wrong) with its Wilson
            interval, and per round over the experiment's rounds.
        qubits: physical qubits.
        remote_gates: photon-mediated two-qubit gates per operation.
        local_gates: local two-qubit gates per operation.
        heralds_per_shot: expected heralded failures per operation (sum of every heralded
            channel's probability).
        duration_us: wall-clock time of the operation (µs): ``TICK`` layers × layer time.
        seconds: sampling and decoding time spent (s).
    """

    experiment: str
    variant: str
    distance: int
    decoder: str
    point: dict[str, float]
    rate: LogicalRate
    qubits: int
    remote_gates: int
    local_gates: int
    heralds_per_shot: float
    duration_us: float
    seconds: float

    def to_json(self) -> dict[str, Any]:
        """Plain dict (JSON-ready)."""
        r = self.rate
        return {"experiment": self.experiment, "variant": self.variant,
                "distance": self.distance,
                "decoder": self.decoder, "point": dict(self.point), "shots": r.shots,
                "errors": r.errors, "rounds": r.rounds, "per_operation": r.per_shot,
                "per_operation_ci": list(r.per_shot_ci), "per_round": r.per_round,
                "per_round_ci": list(r.per_round_ci), "qubits": self.qubits,
                "remote_gates": self.remote_gates, "local_gates": self.local_gates,
                "heralds_per_shot": self.heralds_per_shot, "duration_us": self.duration_us,
                "seconds": self.seconds}


@dataclass(frozen=True)
class LogicalResult:
    """Rows of ``run_logical`` and the crossovers between the two CNOTs.

    Attributes:
        rows: one per (point, experiment, distance), in that order.
        crossovers: ``{distance: Crossing}`` of surgery-cnot vs transversal-cnot over the
            sweep (only when both ran on a sweep of ≥ 2 points).
        sweep_key: the swept device parameter (None without a sweep).
        figures: the device's figures at the first point.
        projections: per (point, experiment) run at ≥ 2 distances, the distance and the cost
            of one operation at ``target`` (``logical_summary.projections``).
        target: the target error per operation of the projections.
    """

    rows: tuple[LogicalRow, ...]
    crossovers: dict[int, Crossing] = field(default_factory=dict)
    sweep_key: str | None = None
    figures: dict[str, float] = field(default_factory=dict)
    projections: tuple[dict[str, Any], ...] = ()
    target: float = 1e-9

    def to_json(self) -> dict[str, Any]:
        """Plain dict (JSON-ready)."""
        return {"rows": [r.to_json() for r in self.rows], "sweep_key": self.sweep_key,
                "crossovers": {str(d): {"value": c.value, "interval": list(c.interval),
                                        "crossed": c.crossed}
                               for d, c in self.crossovers.items()},
                "target": self.target, "projections": [dict(p) for p in self.projections],
                "figures": self.figures}


def _heralds_per_shot(circuit: stim.Circuit, model: Any,
                      local_pairs: frozenset[tuple[int, int]]) -> float:
    """Expected heralded erasures per shot: Σ over the gates of their erasure probability.

    Each two-qubit gate heralds with its channel's joint erasure (local or remote), each
    single-qubit gate target with ``gate_1q.erasure`` (idle and measurement channels carry no
    erasure in the device's model).
    """
    local = model.gate_2q_local.erasure if model.gate_2q_local is not None else \
        model.gate_2q.erasure
    total = 0.0
    for a, b in _gate_pairs(circuit):
        total += local if (a, b) in local_pairs else model.gate_2q.erasure
    for inst in circuit.flattened():
        gd = stim.gate_data(inst.name)
        if gd.is_single_qubit_gate and gd.is_unitary and inst.name != "I":
            total += model.gate_1q.erasure * len(inst.targets_copy())
    return total


def _ticks(circuit: stim.Circuit) -> int:
    return sum(1 for inst in circuit.flattened() if inst.name == "TICK")


def run_logical(device: Any, *, experiments: Sequence[str], distances: Sequence[int] = (3, 5),
                decoder: str | None = None, max_shots: int = 20_000, max_errors: int = 200,
                seed: int = 0, sweep: tuple[str, Sequence[float]] | None = None,
                save_resume: str | None = None, chunk_shots: int | None = None,
                executor: ExecutorSpec | None = None,
                progress: Callable[[str], None] | None = None,
                device_at: Callable[[str, float], Any] | None = None,
                architecture: str = "shared", target: float = 1e-9) -> LogicalResult:
    """Sample the logical experiments on ``device`` (and along a parameter sweep).

    Args:
        device: the device (``physics.Device``).
        experiments: names from ``EXPERIMENTS``.
        distances: odd distances ≥ 3.
        decoder: a registered decoder; None: ``mwpm-correlated`` (correlated matching: the
            transversal CNOT's hyperedges are decomposed by ``qec.logical.joint_dem``).
        max_shots: shots per task (≥ 1).
        max_errors: stop a task at this many logical errors (≥ 1).
        seed: sampling seed (≥ 0); the same arguments give the same counts.
        sweep: ``(key, values)``: also run at each value of device parameter ``key``
            (``section.field``), re-extracting the physics each time.
        save_resume: sinter CSV to append to and resume from (None: a temporary file).
        chunk_shots: shots per seeded chunk; None: max_shots/40 in [100, 2000].
        executor: where chunks run (default: this process).
        progress: called with one-line progress messages.
        device_at: ``(key, value) → device`` for the sweep (default: ``twin.device.load``'s
            ``load_device(overrides=[f"{key}={value}"], base=device)``).
        architecture: one of ``ARCHITECTURES`` (where surgery's seam gates are local).
        target: error per operation for the projected distance and cost, in (0, 0.5).

    Returns:
        The rows and, when both CNOTs ran over a sweep, their crossovers per distance.

    Raises:
        ValueError: unknown experiment, bad distance or decoder, bad budget.
    """
    from physics import extract_operations
    from qec.logical import TransversalExperiment, joint_dem
    from twin.device.noise_map import modular_noise

    experiments = list(experiments)
    if not 0 < target < 0.5:
        raise ValueError(f"target = {target!r}: must be in (0, 0.5)")
    for name in experiments:
        if name not in EXPERIMENTS:
            raise ValueError(f"experiment = {name!r}: must be one of {', '.join(EXPERIMENTS)}")
    say = progress or (lambda _msg: None)
    points: list[tuple[dict[str, float], Any]] = [({}, device)]
    if sweep is not None:
        key, values = sweep
        if device_at is None:
            from twin.device.load import load_device

            def device_at(k: str, v: float) -> Any:
                return load_device(overrides=[f"{k}={v}"], base=device)
        points = [({key: float(v)}, device_at(key, float(v))) for v in values]
    built = {(n, v, int(d)): build_experiment(n, int(d), v, architecture=architecture)
             for n in experiments
             for v in VARIANTS[n] for d in distances}
    tasks, meta, figures = [], {}, {}
    for pi, (point, dev) in enumerate(points):
        say(f"extracting the device's channels{f' at {point}' if point else ''}...")
        ext = extract_operations(dev)
        figures = figures or dict(ext.figures)
        heralded = modular_noise(ext)
        model = heralded.erasure_as_pauli()  # the transversal decoders take Pauli noise only
        dec = decoder or "mwpm-correlated"
        layer = float(dev.timing.layer_time)
        for (name, v, d), b in built.items():
            noisy = model.noisy_circuit(b.circuit, local_pairs=b.local_pairs)
            md = {"experiment": name, "variant": v, "distance": d, "point": pi,
                  "decoder": dec}
            dem = joint_dem(b.source, model) if isinstance(b.source, TransversalExperiment) \
                else None
            tasks.append(make_task(noisy, decoder=dec, json_metadata=md, dem=dem))
            heralds = _heralds_per_shot(b.circuit, heralded, b.local_pairs)
            meta[(name, v, d, pi)] = (point, dec, b, b.local_gates, b.remote_gates, heralds,
                                      _ticks(b.circuit) * layer)
    chunk = chunk_shots or max(100, min(DEFAULT_CHUNK_SHOTS, max_shots // 40))
    say(f"sampling and decoding {len(tasks)} tasks, seed {seed}...")
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(save_resume) if save_resume else Path(tmp) / "logical.csv"
        stats = collect(tasks, csv_path=csv_path, max_shots=max_shots, max_errors=max_errors,
                        seed=seed, chunk_shots=chunk, spec=executor, progress=progress)
    rows = []
    for st in stats:
        md = st.json_metadata
        point, dec, b, local, remote, heralds, dur = meta[(md["experiment"], md["variant"],
                                                           md["distance"], md["point"])]
        rate = logical_rate(shots=st.shots, errors=st.errors, rounds=b.rounds)
        rows.append(LogicalRow(b.name, b.variant, b.distance, dec, point, rate, b.qubits, remote,
                               local, heralds, dur, float(st.seconds)))
    rows.sort(key=lambda r: (tuple(r.point.values()), experiments.index(r.experiment),
                             r.distance, VARIANTS[r.experiment].index(r.variant)))
    from twin.studies.logical_summary import crossover, projections

    crossovers = {}
    if sweep is not None and len(points) >= 2:
        crossovers = crossover(rows, seed=seed)
    proj = projections(rows, target=target, seed=seed, architecture=architecture)
    return LogicalResult(tuple(rows), crossovers, sweep[0] if sweep else None, figures,
                         tuple(proj), target)
