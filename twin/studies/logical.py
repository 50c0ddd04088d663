"""Logical operations on the device: each experiment's error per operation, cost and time.

``run_logical`` samples the fault-tolerant logical experiments of ``qec.logical`` (and a
surface-code memory as the baseline) under the device's extracted noise and reports, per
(experiment, distance, device point): the logical error per operation with its Wilson
interval, per round, and the cost on QuantaCore: qubits, remote (photon-mediated) and local
two-qubit gates, expected heralds per shot, and the wall-clock time (``TICK`` layers ×
``timing.layer_time``).

Architecture (``qec.logical``): a patch is one hardware module, so its own CNOTs are the
*local* gate (``node.local_gate_error``, ``physics.remote_gate.local_cnot_channel``), and only
gates between modules are the photon-mediated *remote* gate with its correlated Pauli channel
and heralded failure (``twin.device.noise_map.modular_noise``). A transversal CNOT is one layer
of d² remote gates; lattice surgery merges patches for d rounds through a seam whose CNOTs to
the other module are remote. Which is cheaper at a target depends on the two channels; a
``sweep`` over a device parameter (re-extracting the physics at every value) finds where the
two CNOTs cross (``crossover``).

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
from qec.stats import Crossing, LogicalRate, crossing_with_interval, logical_rate
from twin.executor import ExecutorSpec
from twin.studies.collect import DEFAULT_CHUNK_SHOTS, collect

__all__ = [
    "EXPERIMENTS",
    "LogicalResult",
    "LogicalRow",
    "build_experiment",
    "crossover",
    "run_logical",
]

EXPERIMENTS: dict[str, str] = {
    "memory": "one surface-code patch storing |0_L⟩ for d rounds (the baseline)",
    "stability": "Gidney's stability experiment: a (d+1)² patch, one boundary type, d rounds",
    "surgery-zz": "lattice-surgery Z_L⊗Z_L measurement between two patches (d merge rounds)",
    "surgery-xx": "lattice-surgery X_L⊗X_L measurement between two patches (d merge rounds)",
    "surgery-cnot": "CNOT by lattice surgery through an ancilla patch (ZZ then XX merges)",
    "transversal-cnot": "transversal CNOT: one layer of d² remote gates, decoded jointly",
    "bell": "Bell pair |+⟩|0⟩ → transversal CNOT; X_LX_L and Z_LZ_L",
    "ghz": "3-patch GHZ state by two transversal CNOTs; its stabilisers",
}
"""Experiment names → what each is."""


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
    """

    name: str
    distance: int
    circuit: stim.Circuit
    local_pairs: frozenset[tuple[int, int]]
    rounds: int
    qubits: int


def _gate_pairs(circuit: stim.Circuit) -> list[tuple[int, int]]:
    """Every two-qubit gate application's (a < b) pair, in order (``REPEAT`` unrolled)."""
    out = []
    for inst in circuit.flattened():
        gd = stim.gate_data(inst.name)
        if gd.is_two_qubit_gate and gd.is_unitary:
            t = [x.value for x in inst.targets_copy()]
            out += [(min(a, b), max(a, b)) for a, b in zip(t[::2], t[1::2], strict=True)]
    return out


def build_experiment(name: str, distance: int) -> Built:
    """The noiseless circuit of experiment ``name`` at distance ``distance``.

    Args:
        name: one of ``EXPERIMENTS``.
        distance: odd code distance ≥ 3 (the stability experiment uses the even diameter
            d + 1 and d rounds: its time-like distance is d).

    Returns:
        The built experiment.

    Raises:
        ValueError: unknown experiment or bad distance.

    Example:
        >>> b = build_experiment("surgery-zz", 3)
        >>> b.rounds, b.qubits, len(b.local_pairs) > 0
        (5, 41, True)
    """
    import qec.logical as lg
    from qec.codes import memory_experiment

    if name not in EXPERIMENTS:
        raise ValueError(f"experiment = {name!r}: must be one of {', '.join(EXPERIMENTS)}")
    if isinstance(distance, bool) or not isinstance(distance, int | np.integer) \
            or distance < 3 or distance % 2 == 0:
        raise ValueError(f"distance = {distance!r}: must be an odd integer >= 3")
    d = int(distance)
    if name == "memory":
        exp = memory_experiment("surface", distance=d, rounds=d, basis="Z")
        return Built(name, d, exp.circuit, frozenset(_gate_pairs(exp.circuit)), d,
                     len(exp.data_qubits) + len(exp.ancilla_qubits))
    if name == "stability":
        exp = lg.stability_experiment(diameter=d + 1, rounds=d)
    elif name in ("surgery-zz", "surgery-xx"):
        exp = lg.surgery_experiment(distance=d, basis=name[-2:].upper())
    elif name == "surgery-cnot":
        exp = lg.surgery_cnot_experiment(distance=d, basis="bell")
    elif name == "transversal-cnot":
        exp = lg.transversal_cnot_experiment(distance=d, basis="Z")
    elif name == "bell":
        exp = lg.transversal_cnot_experiment(distance=d, basis="bell")
    else:
        exp = lg.ghz_experiment(distance=d)
    return Built(name, d, exp.circuit, frozenset(exp.local_pairs), int(exp.rounds),
                 len(exp.data_qubits) + len(exp.ancilla_qubits))


@dataclass(frozen=True)
class LogicalRow:
    """One (experiment, distance, device point) result.

    Attributes:
        experiment: the experiment name.
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
        return {"experiment": self.experiment, "distance": self.distance,
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
    """

    rows: tuple[LogicalRow, ...]
    crossovers: dict[int, Crossing] = field(default_factory=dict)
    sweep_key: str | None = None
    figures: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Plain dict (JSON-ready)."""
        return {"rows": [r.to_json() for r in self.rows], "sweep_key": self.sweep_key,
                "crossovers": {str(d): {"value": c.value, "interval": list(c.interval),
                                        "crossed": c.crossed}
                               for d, c in self.crossovers.items()},
                "figures": self.figures}


def _heralds_per_shot(noisy: stim.Circuit) -> float:
    total = 0.0
    for inst in noisy.flattened():
        if inst.name in ("HERALDED_ERASE", "HERALDED_PAULI_CHANNEL_1"):
            total += inst.gate_args_copy()[0] * len(inst.targets_copy())
    return total


def _ticks(circuit: stim.Circuit) -> int:
    return sum(1 for inst in circuit.flattened() if inst.name == "TICK")


def run_logical(device: Any, *, experiments: Sequence[str], distances: Sequence[int] = (3, 5),
                decoder: str | None = None, max_shots: int = 20_000, max_errors: int = 200,
                seed: int = 0, sweep: tuple[str, Sequence[float]] | None = None,
                save_resume: str | None = None, chunk_shots: int | None = None,
                executor: ExecutorSpec | None = None,
                progress: Callable[[str], None] | None = None,
                device_at: Callable[[str, float], Any] | None = None) -> LogicalResult:
    """Sample the logical experiments on ``device`` (and along a parameter sweep).

    Args:
        device: the device (``physics.Device``).
        experiments: names from ``EXPERIMENTS``.
        distances: odd distances ≥ 3.
        decoder: a registered decoder; None: ``mwpm-erasure`` when the device heralds,
            else ``mwpm``.
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

    Returns:
        The rows and, when both CNOTs ran over a sweep, their crossovers per distance.

    Raises:
        ValueError: unknown experiment, bad distance or decoder, bad budget.
    """
    from physics import extract_operations
    from twin.device.noise_map import modular_noise

    experiments = list(experiments)
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
    built = {(n, int(d)): build_experiment(n, int(d)) for n in experiments for d in distances}
    tasks, meta, figures = [], {}, {}
    for pi, (point, dev) in enumerate(points):
        say(f"extracting the device's channels{f' at {point}' if point else ''}...")
        ext = extract_operations(dev)
        figures = figures or dict(ext.figures)
        model = modular_noise(ext)
        dec = decoder or ("mwpm-erasure" if model.has_erasure else "mwpm")
        layer = float(dev.timing.layer_time)
        for (name, d), b in built.items():
            noisy = model.noisy_circuit(b.circuit, local_pairs=b.local_pairs)
            pairs = _gate_pairs(b.circuit)
            local = sum(1 for p in pairs if p in b.local_pairs)
            md = {"experiment": name, "distance": d, "point": pi, "decoder": dec}
            tasks.append(make_task(noisy, decoder=dec, json_metadata=md))
            meta[(name, d, pi)] = (point, dec, b, local, len(pairs) - local,
                                   _heralds_per_shot(noisy), _ticks(b.circuit) * layer)
    chunk = chunk_shots or max(100, min(DEFAULT_CHUNK_SHOTS, max_shots // 40))
    say(f"sampling and decoding {len(tasks)} tasks, seed {seed}...")
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(save_resume) if save_resume else Path(tmp) / "logical.csv"
        stats = collect(tasks, csv_path=csv_path, max_shots=max_shots, max_errors=max_errors,
                        seed=seed, chunk_shots=chunk, spec=executor, progress=progress)
    rows = []
    for st in stats:
        md = st.json_metadata
        point, dec, b, local, remote, heralds, dur = meta[(md["experiment"], md["distance"],
                                                           md["point"])]
        rate = logical_rate(shots=st.shots, errors=st.errors, rounds=b.rounds)
        rows.append(LogicalRow(b.name, b.distance, dec, point, rate, b.qubits, remote, local,
                               heralds, dur, float(st.seconds)))
    rows.sort(key=lambda r: (tuple(r.point.values()), experiments.index(r.experiment),
                             r.distance))
    crossovers = {}
    if sweep is not None and len(points) >= 2:
        crossovers = crossover(rows, seed=seed)
    return LogicalResult(tuple(rows), crossovers, sweep[0] if sweep else None, figures)


def crossover(rows: Sequence[LogicalRow], *, first: str = "surgery-cnot",
              second: str = "transversal-cnot", seed: int = 0,
              replicates: int = 2000) -> dict[int, Crossing]:
    """Where two experiments' errors per operation cross along the sweep, per distance.

    The curves are ε_first(x) and ε_second(x) over the swept values x (increasing), crossed
    on log(ε_second/ε_first) as a threshold is (``qec.stats.crossing_with_interval``), with a
    parametric-bootstrap interval.

    Args:
        rows: rows of one sweep (``LogicalResult.rows``).
        first: the experiment whose rate is the reference curve.
        second: the other experiment.
        seed: bootstrap seed.
        replicates: bootstrap replicates (≥ 100).

    Returns:
        ``{distance: Crossing}`` for every distance where both ran at ≥ 2 points.
    """
    out = {}
    for d in sorted({r.distance for r in rows}):
        a = {tuple(r.point.values()): r for r in rows
             if r.experiment == first and r.distance == d and r.point}
        b = {tuple(r.point.values()): r for r in rows
             if r.experiment == second and r.distance == d and r.point}
        xs = sorted(set(a) & set(b))
        if len(xs) < 2:
            continue

        def per_op(r: LogicalRow) -> LogicalRate:
            return logical_rate(shots=r.rate.shots, errors=r.rate.errors, rounds=1)

        out[d] = crossing_with_interval([x[0] for x in xs], [per_op(a[x]) for x in xs],
                                        [per_op(b[x]) for x in xs], seed=seed,
                                        replicates=replicates)
    return out
