"""The digital-twin loop: a drifting device, QEC windows, a controller, telemetry.

For each window of ``shots`` shots of ``rounds`` QEC rounds:

1. the hidden clock advances by ``window_seconds``; every drift process steps exactly;
2. device = nominal + drift offsets, with the knobs in force → true noise (``PhysicsCache``:
   exact physics on a grid, interpolated) → the noisy circuit of the current code/distance;
3. the circuit is sampled (seed derived from the scenario seed and the window index) and
   decoded with the current decoder built from the decoder's *priors* (the controller's belief,
   nominal by default), never from the truth;
4. one telemetry row is appended and flushed (``telemetry.csv``; wall times in ``timing.csv``);
5. the controller observes a ``SyndromeWindow`` and returns actions, applied from the next
   window; ``Calibrate`` halts QEC (lost windows) and then sets the knobs to their optimum and
   the priors to the truth (what a calibration measures).

After every window a checkpoint (``state.pkl``, written atomically) records what the next
window needs; ``run(resume=True)`` cuts the CSVs back to the checkpoint and continues, so an
interrupted run ends with the same ``telemetry.csv``, byte for byte, as an uninterrupted one.
"""

from __future__ import annotations

import functools
import json
import math
import os
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from control.protocol import (
    Calibrate,
    KnobSpec,
    SetDecoder,
    SetDecoderPriors,
    SetDistance,
    SetKnobs,
    SyndromeWindow,
    describe,
)
from physics.device import Device
from qec.codes import memory_experiment
from qec.decoding import DECODERS, compile_decoder, decoder_dem
from qec.noise import HERALD_COORD, NoiseModel, OpNoise, TwoQubitNoise
from qec.stats import logical_rate
from twin.baselines import Insight, make_baseline
from twin.device_model import DeviceModel
from twin.errors import UserError
from twin.scenario import KNOBS, Scenario, scenario_to_toml
from twin.telemetry import BASE_COLUMNS, CsvLog

__all__ = ["DigitalTwin", "RunSummary", "summarize"]

_TINY = 1e-12  # erasure floor so that the decoder's circuit keeps the truth's herald detectors

_NOISE_COLUMNS: dict[str, Callable[[NoiseModel], float]] = {
    "noise_gate_1q": lambda t: t.gate_1q.p_pauli,
    "noise_gate_2q": lambda t: t.gate_2q.p_pauli,
    "noise_erasure_2q": lambda t: t.gate_2q.erasure,
    "noise_measure": lambda t: t.measure.px,
    "noise_idle": lambda t: t.idle.p_pauli,
}
"""Telemetry's per-window noise columns, read from the true noise model."""


@dataclass(frozen=True)
class RunSummary:
    """What a run reports at the end (also ``summary.json``).

    Attributes:
        scenario: scenario name.
        controller: controller name.
        seed: scenario seed.
        windows: windows run.
        qec_windows: windows that ran QEC (not lost to calibration).
        lost_windows: windows spent calibrating.
        shots: total QEC shots.
        errors: total logical errors.
        mean_ler_per_round: per-round logical error of all shots pooled.
        ler_ci: its 95 % Wilson interval.
        worst_window: index of the window with the highest per-round logical error.
        worst_ler_per_round: that window's value.
        windows_above_target: QEC windows whose per-round logical error exceeded ``target``.
        target: the scenario's target.
        mean_distance: code distance averaged over QEC shots (the distance policy's cost).
        max_distance: largest distance used.
        qubit_rounds: physical qubits × QEC rounds spent over all QEC shots (resource use).
    """

    scenario: str
    controller: str
    seed: int
    windows: int
    qec_windows: int
    lost_windows: int
    shots: int
    errors: int
    mean_ler_per_round: float
    ler_ci: tuple[float, float]
    worst_window: int
    worst_ler_per_round: float
    windows_above_target: int
    target: float
    mean_distance: float = math.nan
    max_distance: int = 0
    qubit_rounds: int = 0

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict (``ler_ci`` as a list)."""
        d = dict(self.__dict__)
        d["ler_ci"] = list(self.ler_ci)
        return d


def summarize(telemetry: Path, *, scenario: Scenario, controller: str) -> RunSummary:
    """Summary of a telemetry file (pooled shots; worst and above-target windows).

    Raises:
        ValueError: if the file has no rows.
    """
    import csv

    rounds = scenario.rounds_per_shot
    windows = qec_windows = shots = errors = above = qubit_rounds = distance_shots = 0
    max_distance, worst_window, worst = 0, -1, -math.inf
    with open(telemetry, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):  # row by row: memory stays flat on long runs
            windows += 1
            if r["lost"] != "0":
                continue
            qec_windows += 1
            n, d, ler = int(r["shots"]), int(r["distance"]), float(r["ler_per_round"])
            shots += n
            errors += int(r["errors"])
            above += ler > scenario.target
            qubit_rounds += _qubits(scenario.code, d, scenario.basis) * n * rounds
            distance_shots += d * n
            max_distance = max(max_distance, d)
            if ler > worst:
                worst_window, worst = int(r["window"]), ler
    if not windows:
        raise ValueError(f"{telemetry}: no windows")
    pooled = logical_rate(shots=shots, errors=errors, rounds=rounds)
    return RunSummary(
        scenario=scenario.name, controller=controller, seed=scenario.seed, windows=windows,
        qec_windows=qec_windows, lost_windows=windows - qec_windows, shots=shots,
        errors=errors, mean_ler_per_round=pooled.per_round, ler_ci=pooled.per_round_ci,
        worst_window=worst_window,
        worst_ler_per_round=worst if qec_windows else math.nan,
        windows_above_target=above, target=scenario.target,
        mean_distance=distance_shots / shots if shots else math.nan,
        max_distance=max_distance, qubit_rounds=qubit_rounds,
    )


@functools.cache
def _qubits(code: str, distance: int, basis: str) -> int:
    """Physical qubits (data and ancillas) of one patch of ``code`` at ``distance``."""
    circuit = memory_experiment(code, distance=distance, rounds=1, basis=basis).circuit
    used = {t.qubit_value for inst in circuit.flattened() for t in inst.targets_copy()}
    return len(used - {None})  # stim's num_qubits is the largest index + 1, not a count


def _rng(seed: int, *stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, *stream])


def _align(prior: NoiseModel, truth: NoiseModel) -> NoiseModel:
    """Give the priors every herald the truth has (hardware knows which ops herald)."""
    g1, g2 = prior.gate_1q, prior.gate_2q
    if truth.gate_1q.erasure and not g1.erasure:
        g1 = replace(g1, erasure=_TINY)
    if truth.gate_2q.erasure and not g2.erasure:
        g2 = TwoQubitNoise(g2.probs, _TINY)
    return prior.with_(gate_1q=g1, gate_2q=g2, hot=())


def _align_data(prior: OpNoise | None, truth: OpNoise | None) -> OpNoise | None:
    if truth is None:
        return None
    prior = prior if prior is not None else OpNoise()
    if truth.erasure and not prior.erasure:
        prior = replace(prior, erasure=_TINY)
    return prior


class DigitalTwin:
    """One scenario, one controller, one output folder.

    Args:
        scenario: the validated scenario.
        out_dir: the run's folder (created); telemetry, timing, resolved scenario, checkpoint
            and summary go there.
        controller: a controller object (``control.protocol.Controller``); None builds the
            scenario's baseline (``none``, ``periodic``, ``oracle``).
        progress: called with a throttled one-line status (None: silent).
    """

    def __init__(self, scenario: Scenario, *, out_dir: str | Path, controller: Any = None,
                 progress: Callable[[str], None] | None = None) -> None:
        self.scenario = scenario
        self.out_dir = Path(out_dir)
        spec = scenario.controller
        try:
            self.controller = controller if controller is not None else make_baseline(
                spec.name, dict(spec.params))
        except ValueError as exc:
            raise UserError(f"{scenario.source}: {exc}") from None
        self.progress = progress
        self.knob_specs: tuple[KnobSpec, ...] = KNOBS
        self.nominal: Device = scenario.device()
        try:
            self.model = DeviceModel(self.nominal, code=scenario.code, drifts=scenario.drifts,
                                     knob_specs=self.knob_specs, hot_node=scenario.hot_node,
                                     basis=scenario.basis)
        except ValueError as exc:
            raise UserError(f"{scenario.source}: {exc}") from None
        self.cache = self.model.cache
        self.drift_paths = self.model.drift_paths
        self._experiments: dict[tuple, Any] = {}
        self._decoders: dict[tuple, Any] = {}
        self._heralds: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self.columns = (*BASE_COLUMNS, *(f"true:{p}" for p in self.drift_paths),
                        *(f"knob:{k.name}" for k in self.knob_specs), "actions")
        self.telemetry = CsvLog(self.out_dir / "telemetry.csv", self.columns)
        self.timing = CsvLog(self.out_dir / "timing.csv", ("window", "wall_s"))

    # --- the device at a time ------------------------------------------------------------
    def _truth(self, offsets, knobs, distance) -> tuple[NoiseModel, OpNoise | None]:
        try:
            return self.model.noise(offsets, knobs, distance=distance)
        except ValueError as exc:
            raise UserError(f"{self.scenario.source}: a drift took the device out of range: "
                            f"{exc}") from None

    def _experiment(self, distance: int, data_noise: OpNoise | None):
        key = (distance, data_noise)
        exp = self._experiments.get(key)
        if exp is None:
            s = self.scenario
            exp = memory_experiment(s.code, distance=distance, rounds=s.rounds_per_shot,
                                    basis=s.basis, data_noise=data_noise)
            if len(self._experiments) > 64:
                self._experiments.clear()
            self._experiments[key] = exp
        return exp

    def _decoder(self, name: str, distance: int, prior: NoiseModel, prior_data: OpNoise | None):
        key = (name, distance, prior, prior_data)
        dec = self._decoders.get(key)
        if dec is None:
            circuit = prior.noisy_circuit(self._experiment(distance, prior_data).circuit)
            dec = compile_decoder(name, decoder_dem(circuit))
            if len(self._decoders) > 16:
                self._decoders.clear()
            self._decoders[key] = dec
        return dec

    # --- state ---------------------------------------------------------------------------
    def _initial_state(self) -> dict[str, Any]:
        s = self.scenario
        states = self.model.initial_states(s.seed)
        try:
            nominal_model, nominal_data = self.cache.noise(self.nominal)
        except ValueError as exc:
            raise UserError(f"{s.source}: the scenario's device: {exc}") from None
        return {
            "next_window": 0, "drift_states": states, "knobs": dict(s.knobs),
            "priors": nominal_model, "prior_data": nominal_data, "decoder": s.decoder,
            "distance": s.distance, "lost_pending": 0, "controller": self.controller,
        }

    def _checkpoint(self, state: dict[str, Any]) -> None:
        try:
            blob = pickle.dumps(state)
        except (pickle.PicklingError, TypeError, AttributeError):
            # a controller that cannot be pickled: keep everything else, resume will refuse
            blob = pickle.dumps({**state, "controller": None})
        tmp = self.out_dir / "state.pkl.tmp"
        with open(tmp, "wb") as fh:
            fh.write(blob)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.out_dir / "state.pkl")

    def _prepare(self, resume: bool) -> dict[str, Any]:
        resolved = scenario_to_toml(self.scenario)
        scen_file = self.out_dir / "scenario.toml"
        if resume:
            if not (self.out_dir / "state.pkl").exists() or not scen_file.exists():
                raise UserError(f"cannot resume {self.out_dir}: no run there to continue "
                                "(run without --resume to start one)")
            _check_same_scenario(scen_file.read_text(encoding="utf-8"), resolved, self.out_dir)
            with open(self.out_dir / "state.pkl", "rb") as fh:
                state = pickle.load(fh)
            if state["controller"] is None:
                raise UserError(f"cannot resume {self.out_dir}: its controller could not be "
                                "saved (not picklable), so the run cannot continue where it "
                                "stopped; start a new run")
            self.controller = state["controller"]
            try:
                for log in (self.telemetry, self.timing):
                    if state["next_window"] == 0 and not log.path.exists():
                        log.start()  # stopped between the first checkpoint and the CSVs
                    else:
                        log.truncate(state["next_window"])
            except ValueError as exc:
                raise UserError(f"cannot resume {self.out_dir}: {exc}") from None
            if resolved != scen_file.read_text(encoding="utf-8"):
                scen_file.write_text(resolved, encoding="utf-8")  # e.g. more windows
            return state
        if (self.out_dir / "telemetry.csv").exists():
            raise UserError(f"{self.out_dir} already holds a run: use --resume to continue it "
                            "or choose another --out")
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            scen_file.write_text(resolved, encoding="utf-8")
            state = self._initial_state()
            # the checkpoint first: a folder holding telemetry always holds a checkpoint too,
            # so a run stopped here (full disk, kill) can always be resumed
            self._checkpoint(state)
            self.telemetry.start()
            self.timing.start()
        except OSError as exc:
            raise UserError(f"cannot write to {self.out_dir}: {exc.strerror or exc}") from None
        return state

    # --- the loop ------------------------------------------------------------------------
    def run(self, *, resume: bool = False) -> RunSummary:
        """Run (or continue) the scenario; returns the summary and writes ``summary.json``.

        Raises:
            UserError: an existing run without ``resume``, a resume of a different scenario,
                an unwritable folder, or a drift that leaves the device's valid range.
        """
        s = self.scenario
        state = self._prepare(resume)
        start = time.monotonic()
        last_print = -math.inf
        first = state["next_window"]
        for w in range(first, s.windows):
            t0 = time.perf_counter()
            row, window = self._window(w, state)
            self.telemetry.append(row)
            self.timing.append({"window": w, "wall_s": round(time.perf_counter() - t0, 6)})
            if window is not None:
                ctl = state["controller"]
                ctl.observe(window)
                actions = list(ctl.act())
                self._apply(actions, state)
                state["last_actions"] = ";".join(describe(a) for a in actions)
            else:
                state["last_actions"] = ""
            state["next_window"] = w + 1
            self._checkpoint(state)
            now = time.monotonic()
            if self.progress and (now - last_print >= 1.0 or w + 1 == s.windows):
                last_print = now
                done = w + 1 - first
                eta = (now - start) / done * (s.windows - w - 1)
                ler = row["ler_per_round"]
                shown = "lost (calibrating)" if ler is None else f"ε/round={ler:.2e}"
                self.progress(f"window {w + 1}/{s.windows}  t={row['time_s']:.0f} s  {shown}  "
                              f"ETA {eta:.0f} s")
        summary = summarize(self.out_dir / "telemetry.csv", scenario=s,
                            controller=getattr(state["controller"], "name", "custom"))
        (self.out_dir / "summary.json").write_text(json.dumps(summary.to_json(), indent=2),
                                                   encoding="utf-8")
        return summary

    def _offsets(self, w: int, state: dict[str, Any]) -> dict[str, float]:
        s = self.scenario
        if w > 0:
            state["drift_states"] = self.model.step(
                state["drift_states"], (w - 1) * s.window_seconds, w * s.window_seconds,
                seed=s.seed, window=w)
        return self.model.offsets(state["drift_states"])

    def _window(self, w: int, state: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        s = self.scenario
        offsets = self._offsets(w, state)
        ctl = state["controller"]
        pre_actions = []
        if getattr(ctl, "privileged", False):
            insight = Insight(
                optimal_knobs=lambda: self.model.optimal_knobs(offsets),
                true_model=lambda knobs: self._truth(offsets, knobs, state["distance"])[0])
            pre_actions = list(ctl.before_window(insight))
            self._apply(pre_actions, state)
            for a in pre_actions:  # the oracle's priors include the true data noise too
                if isinstance(a, SetDecoderPriors):
                    state["prior_data"] = self._truth(offsets, state["knobs"],
                                                      state["distance"])[1]
        knobs = dict(state["knobs"])
        distance = state["distance"]
        device_values = self.model.true_values(offsets)
        row: dict[str, Any] = {"window": w, "time_s": float(w * s.window_seconds),
                               "code": s.code, "distance": distance,
                               "decoder": state["decoder"]}
        row.update({f"true:{p}": float(v) for p, v in device_values.items()})
        row.update({f"knob:{k}": float(v) for k, v in knobs.items()})
        actions = [state.get("last_actions", "")] + [describe(a) for a in pre_actions]
        row["actions"] = ";".join(a for a in actions if a)
        # an in-window probe runs half the shots at knobs + probe, half at knobs − probe
        probe = (state.get("probe") or {}) if state["lost_pending"] == 0 else {}
        specs = {k.name: k for k in self.knob_specs}
        parts = [self._truth(offsets, {k: specs[k].clip(v + sign * probe.get(k, 0.0))
                                       for k, v in knobs.items()}, distance)
                 for sign in ((1.0, -1.0) if probe else (0.0,))]
        row.update({column: float(np.mean([of(t) for t, _ in parts]))  # mean of the halves
                    for column, of in _NOISE_COLUMNS.items()})
        truth, data = parts[0]
        if state["lost_pending"] > 0:  # halted for calibration
            state["lost_pending"] -= 1
            row.update({"lost": 1, "shots": 0, "errors": 0})
            if state["lost_pending"] == 0:  # the calibration result
                state["knobs"] = self.model.optimal_knobs(offsets)
                state["priors"], state["prior_data"] = self._truth(offsets, state["knobs"],
                                                                   distance)
            return row, None
        exp = self._experiment(distance, data)
        true_circuit = truth.noisy_circuit(exp.circuit)
        prior = _align(state["priors"], truth)
        prior_data = _align_data(state["prior_data"], data)
        prior_dem = state.get("prior_dem")
        if prior_dem is not None and prior_dem[0] == distance and \
                prior_dem[1].num_detectors == true_circuit.num_detectors:
            decoder = self._dem_decoder(state["decoder"], prior_dem[1])
        else:
            decoder = self._decoder(state["decoder"], distance, prior, prior_data)
        sampler = true_circuit.compile_detector_sampler(
            seed=int(_rng(s.seed, 3, w).integers(2**63)))
        split = None
        if probe:
            split = s.shots // 2
            dets, obs = sampler.sample(split, separate_observables=True, bit_packed=True)
            minus = parts[1][0].noisy_circuit(self._experiment(distance, parts[1][1]).circuit)
            d2, o2 = minus.compile_detector_sampler(
                seed=int(_rng(s.seed, 4, w).integers(2**63))).sample(
                    s.shots - split, separate_observables=True, bit_packed=True)
            dets, obs = np.concatenate([dets, d2]), np.concatenate([obs, o2])
        else:
            dets, obs = sampler.sample(s.shots, separate_observables=True, bit_packed=True)
        pred = decoder.decode_batch(dets, bit_packed=True)
        errors = int(np.any(pred != obs, axis=1).sum())
        rate = logical_rate(shots=s.shots, errors=errors, rounds=s.rounds_per_shot)
        mask, herald_qubits = self._herald_info(true_circuit, (
            distance, truth.gate_1q.erasure > 0, truth.gate_2q.erasure > 0,
            data is not None and data.erasure > 0, true_circuit.num_detectors))
        window = SyndromeWindow(
            index=w, time=row["time_s"], shots=s.shots, rounds=s.rounds_per_shot, code=s.code,
            distance=distance, decoder=state["decoder"], circuit=exp.circuit,
            packed_detections=dets, herald_mask=mask, herald_qubits=herald_qubits,
            packed_observables=obs,
            num_observables=true_circuit.num_observables, logical_errors=errors,
            decoder_model=prior, knobs=MappingProxyType(knobs), knob_specs=self.knob_specs,
            probe=MappingProxyType(dict(probe)), split=split)
        row.update({
            "lost": 0, "shots": s.shots, "errors": errors, "ler_per_round": rate.per_round,
            "ler_ci_low": rate.per_round_ci[0], "ler_ci_high": rate.per_round_ci[1],
            "detection_fraction": window.detection_fraction,
            "herald_fraction": window.herald_fraction,
        })
        return row, window

    def _dem_decoder(self, name: str, dem):
        key = (name, "dem", id(dem))
        entry = self._decoders.get(key)
        if entry is None or entry[0] is not dem:
            entry = (dem, compile_decoder(name, dem))
            if len(self._decoders) > 16:
                self._decoders.clear()
            self._decoders[key] = entry
        return entry[1]

    def _herald_info(self, circuit, key: tuple) -> tuple[np.ndarray, np.ndarray]:
        """Herald mask and qubits of ``circuit``, cached by ``key``.

        The layout depends only on the structure (distance and which operations can erase),
        not on the probabilities.
        """
        info = self._heralds.get(key)
        if info is None:
            info = (_herald_mask_of(circuit), _herald_qubits_of(circuit))
            self._heralds[key] = info
        return info

    def _apply(self, actions: list[Any], state: dict[str, Any]) -> None:
        specs = {k.name: k for k in self.knob_specs}
        for a in actions:
            if isinstance(a, SetKnobs):
                for name in (*a.values, *a.probe):
                    if name not in specs:
                        raise ValueError(f"controller set unknown knob {name!r}; knobs are "
                                         f"{', '.join(specs)}")
                for name, value in a.values.items():
                    state["knobs"][name] = specs[name].clip(float(value))
                state["probe"] = {k: abs(float(v)) for k, v in a.probe.items() if v}
            elif isinstance(a, SetDecoderPriors):
                if a.dem is not None:
                    state["prior_dem"] = (state["distance"], a.dem)
                else:
                    state["priors"] = a.model
                    state.pop("prior_dem", None)
            elif isinstance(a, SetDecoder):
                if a.name not in DECODERS:
                    raise ValueError(f"controller chose decoder {a.name!r}: must be one of "
                                     f"{', '.join(DECODERS)}")
                state["decoder"] = a.name
            elif isinstance(a, SetDistance):
                if a.distance < 3 or a.distance % 2 == 0:
                    raise ValueError(f"controller chose distance {a.distance}: must be odd >= 3")
                state["distance"] = a.distance
            elif isinstance(a, Calibrate):
                state["lost_pending"] = max(1, int(a.windows))
            else:
                raise ValueError(f"unknown action {a!r}")


def _herald_mask_of(circuit) -> np.ndarray:
    coords = circuit.get_detector_coordinates()
    mask = np.zeros(circuit.num_detectors, dtype=bool)
    for k, c in coords.items():
        if c and c[0] == HERALD_COORD:
            mask[k] = True
    return mask


def _herald_qubits_of(circuit) -> np.ndarray:
    coords = circuit.get_detector_coordinates()
    return np.array([int(c[1]) for k, c in sorted(coords.items())
                     if c and c[0] == HERALD_COORD], dtype=np.int64)


def _check_same_scenario(old: str, new: str, folder: Path) -> None:
    """Refuse to resume a different scenario (only ``windows`` may grow)."""
    def keyed(text: str) -> dict[str, str]:
        return {ln.split("=")[0].strip(): ln for ln in text.splitlines()
                if "=" in ln and not ln.startswith("windows")}

    a, b = keyed(old), keyed(new)
    if old.count("[[drift]]") != new.count("[[drift]]"):
        raise UserError(f"cannot resume {folder}: it holds a different scenario (number of "
                        "drifts differs)")
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            raise UserError(f"cannot resume {folder}: it holds a different scenario "
                            f"({a.get(key, key + ' missing')!r} there, "
                            f"{b.get(key, key + ' missing')!r} now)")
    if [ln for ln in old.splitlines() if not ln.startswith("windows")] != \
            [ln for ln in new.splitlines() if not ln.startswith("windows")]:
        raise UserError(f"cannot resume {folder}: it holds a different scenario")
