"""The digital-twin loop: a drifting device, QEC windows, a controller, telemetry.

``DigitalTwin`` follows qutip 5's solver pattern: ``start(resume=False)`` opens the run (its
folder, lock and checkpoint), ``step()`` runs one window and returns a ``WindowResult``,
``run()`` is ``start`` then ``step`` until the last window, then ``finish``. One window:

1. the hidden clock advances by ``window_seconds``; every drift process steps exactly;
2. device = nominal + drift offsets, with the knobs in force → true noise (``PhysicsCache``:
   exact physics on a grid, interpolated) → the noisy circuit of the current code/distance;
3. the circuit is sampled (seed derived from the scenario seed and the window index) and
   decoded with the current decoder built from the decoder's *priors* (the controller's belief,
   nominal by default), never from the truth (``qec.sampling.sample_and_decode``);
4. one telemetry row is appended and flushed (``telemetry.csv``; wall times in ``timing.csv``);
5. the controller observes a ``SyndromeWindow`` and returns actions, applied from the next
   window; ``Calibrate`` halts QEC (lost windows) and then sets the knobs to their optimum and
   the priors to the truth (what a calibration measures).

After every window a checkpoint (``state.pkl``: the ``LoopState`` and the controller, written
atomically) records what the next window needs; ``start(resume=True)`` cuts the CSVs back to
the checkpoint and continues, so an interrupted run ends with the same ``telemetry.csv``, byte
for byte, as an uninterrupted one. While a twin is started it holds its folder's lock.

Example:
    >>> import tempfile
    >>> from twin.scenario import load_scenario
    >>> scenario = load_scenario("default").replace(windows=2, shots=200)
    >>> with DigitalTwin(scenario, out=tempfile.mkdtemp()) as twin:
    ...     first = twin.step()
    ...     summary = twin.run()
    >>> first.index, summary.windows, twin.folder.path.name
    (0, 2, 'none-seed0')
"""

from __future__ import annotations

import math
import pickle
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from control.protocol import Action, KnobSpec, SetDecoderPriors, SyndromeWindow, describe
from physics.device import Device
from qec.noise import NoiseModel, OpNoise, TwoQubitNoise
from qec.sampling import sample_and_decode
from qec.stats import logical_rate
from twin.controllers import Insight, make_controller
from twin.device.knobs import KNOBS
from twin.device.model import DeviceModel
from twin.errors import UserError
from twin.loop.circuits import CircuitCache
from twin.loop.state import Checkpoint, LoopState, apply_actions
from twin.runs.folder import CHECKPOINT_FORMAT, RunFolder, RunLock
from twin.runs.summary import RunSummary, summarize
from twin.runs.telemetry import (
    KNOB,
    NOISE_COLUMNS,
    TIMING_COLUMNS,
    TRUE,
    CsvLog,
    telemetry_columns,
)
from twin.scenario import Scenario, scenario_to_toml

__all__ = ["DigitalTwin", "HiddenTruth", "WindowResult"]

_TINY = 1e-12  # erasure floor so that the decoder's circuit keeps the truth's herald detectors


@dataclass(frozen=True)
class WindowResult:
    """One window as it ran.

    Attributes:
        index: the window's index.
        row: its telemetry row, as written (column → value).
        window: what the controller saw (None: the window was lost to a calibration).
        actions: what the controller returned after it (applied from the next window).
        wall_seconds: wall time of the window's simulation (as in ``timing.csv``).
    """

    index: int
    row: Mapping[str, Any]
    window: SyndromeWindow | None
    actions: tuple[Action, ...]
    wall_seconds: float


@dataclass(frozen=True)
class HiddenTruth:
    """The device's hidden state at the last window run (for analysis and scoring only).

    Attributes:
        values: true value of every drifting parameter (parameter units).
        offsets: their drift offsets from nominal (parameter units).
        optimal_knobs: the knob values that would cancel the drift.
    """

    values: dict[str, float]
    offsets: dict[str, float]
    optimal_knobs: dict[str, float]


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
    """One scenario, one controller, one run folder.

    Args:
        scenario: the validated scenario.
        out: the output root; the run goes to ``out/<controller>-seed<seed>/``
            (``RunFolder.under``). Give this or ``folder``.
        folder: the run folder itself (e.g. a Gymnasium episode's).
        controller: a controller object (``control.protocol.Controller``); None builds the
            scenario's (``twin.controllers.make_controller``).
        progress: called by ``run`` with a throttled one-line status (None: silent).
        model: a ``DeviceModel`` of this scenario to reuse (its physics cache), or None.
        circuits: a ``CircuitCache`` of this scenario to reuse, or None.

    Raises:
        UserError: an invalid controller setting, a device the physics cannot realise, or
            neither / both of ``out`` and ``folder``.
    """

    def __init__(self, scenario: Scenario, *, out: str | Path | None = None,
                 folder: RunFolder | str | Path | None = None, controller: Any = None,
                 progress: Callable[[str], None] | None = None,
                 model: DeviceModel | None = None, circuits: CircuitCache | None = None) -> None:
        self.scenario = scenario
        spec = scenario.controller
        try:
            self.controller = controller if controller is not None else make_controller(
                spec.name, dict(spec.params))
        except ValueError as exc:
            raise UserError(f"{scenario.source}: {exc}") from None
        self.controller_name = spec.name if controller is None else str(
            getattr(controller, "name", "custom"))
        if (out is None) == (folder is None):
            raise UserError("DigitalTwin: give an output root (out=...) or a run folder "
                            "(folder=...), not both")
        self.folder = (RunFolder.under(out, controller=self.controller_name, seed=scenario.seed)
                       if folder is None else RunFolder(Path(getattr(folder, "path", folder))))
        self.progress = progress
        self.knob_specs: tuple[KnobSpec, ...] = KNOBS
        self.nominal: Device = scenario.device()
        try:
            self.model = model if model is not None else DeviceModel(
                self.nominal, code=scenario.code, drifts=scenario.drifts,
                knob_specs=self.knob_specs, hot_node=scenario.hot_node, basis=scenario.basis)
        except ValueError as exc:
            raise UserError(f"{scenario.source}: {exc}") from None
        self.circuits = circuits if circuits is not None else CircuitCache(
            code=scenario.code, rounds=scenario.rounds_per_shot, basis=scenario.basis)
        self.columns = telemetry_columns(self.model.drift_paths,
                                         [k.name for k in self.knob_specs])
        self.telemetry = CsvLog(self.folder.telemetry, self.columns)
        self.timing = CsvLog(self.folder.timing, TIMING_COLUMNS)
        self._state: LoopState | None = None
        self._lock: RunLock | None = None

    # --- the run's life --------------------------------------------------------------------
    @property
    def state(self) -> LoopState | None:
        """The loop state after the last window (None before ``start``)."""
        return self._state

    @property
    def done(self) -> bool:
        """Whether every window of the scenario has run."""
        return self._state is not None and self._state.next_window >= self.scenario.windows

    def start(self, *, resume: bool = False) -> LoopState:
        """Open the run: take the folder's lock, then start it or continue it.

        Args:
            resume: continue the run in the folder from its checkpoint (the same scenario;
                more windows are allowed).

        Returns:
            The loop state before the next window.

        Raises:
            UserError: another process writes the folder; the folder holds a run and
                ``resume`` is False; ``resume`` with nothing there, with a different scenario
                or an unreadable checkpoint; an unwritable folder.
        """
        if self._lock is not None:
            raise RuntimeError("this twin is already started")
        if resume and not self.folder.checkpoint.exists():
            raise UserError(f"cannot resume {self.folder.path}: no run there to continue "
                            "(run without --resume to start one)")
        self._lock = self.folder.lock().acquire()
        try:
            self._state = self._resume() if resume else self._begin()
        except BaseException:
            self.close()
            raise
        return self._state

    def _begin(self) -> LoopState:
        folder, s = self.folder, self.scenario
        if folder.holds_run():
            raise UserError(f"{folder.path} already holds a run: use --resume to continue it "
                            "or choose another --out")
        try:
            folder.write_scenario(s, scenario_to_toml(s))
            folder.write_identity(scenario=s.name, controller=self.controller_name, seed=s.seed)
            state = self._initial_state()
            # the checkpoint first: a folder holding telemetry always holds a checkpoint too,
            # so a run stopped here (full disk, kill) can always be resumed
            self._state = state
            self._checkpoint()
            self.telemetry.start()
            self.timing.start()
        except OSError as exc:
            raise UserError(f"cannot write to {folder.path}: {exc.strerror or exc}") from None
        return state

    def _resume(self) -> LoopState:
        folder = self.folder
        folder.check_same_scenario(self.scenario)
        checkpoint = folder.read_checkpoint()
        if not isinstance(checkpoint, Checkpoint):
            raise UserError(f"cannot resume {folder.path}: its checkpoint was written by an "
                            "older version of quantacore-twin; start a new run")
        if checkpoint.controller is None:
            raise UserError(f"cannot resume {folder.path}: its controller could not be saved "
                            "(not picklable), so the run cannot continue where it stopped; "
                            "start a new run")
        self.controller = checkpoint.controller
        state = checkpoint.state
        try:
            for log in (self.telemetry, self.timing):
                if state.next_window == 0 and not log.path.exists():
                    log.start()  # stopped between the first checkpoint and the CSVs
                else:
                    log.truncate(state.next_window)
        except ValueError as exc:
            raise UserError(f"cannot resume {folder.path}: {exc}") from None
        folder.write_scenario(self.scenario, scenario_to_toml(self.scenario))  # more windows
        return state

    def _initial_state(self) -> LoopState:
        s = self.scenario
        try:
            priors, prior_data = self.model.cache.noise(self.nominal)
        except ValueError as exc:
            raise UserError(f"{s.source}: the scenario's device: {exc}") from None
        return LoopState(next_window=0, drift_states=tuple(self.model.initial_states(s.seed)),
                         knobs=dict(s.knobs), priors=priors, prior_data=prior_data,
                         decoder=s.decoder, distance=s.distance)

    def _checkpoint(self) -> None:
        try:
            self.folder.write_checkpoint(Checkpoint(self._state, self.controller,
                                                    CHECKPOINT_FORMAT))
        except (pickle.PicklingError, TypeError, AttributeError):
            # a controller that cannot be pickled: keep everything else, resume will refuse
            self.folder.write_checkpoint(Checkpoint(self._state, None, CHECKPOINT_FORMAT))

    def finish(self) -> RunSummary:
        """Summarise the telemetry, write ``summary.json`` and release the folder.

        Raises:
            RuntimeError: windows are left to run.
        """
        if not self.done:
            raise RuntimeError("the run has windows left: step() until done first")
        summary = summarize(self.folder.telemetry, scenario=self.scenario,
                            controller=getattr(self.controller, "name", "custom"))
        self.folder.write_summary(summary.to_json())
        self.close()
        return summary

    def close(self) -> None:
        """Release the folder's lock (the run stays resumable)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> DigitalTwin:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, *, resume: bool = False) -> RunSummary:
        """Run (or continue) every window left; returns the summary (``summary.json``).

        Starts the run if ``start`` was not called. Raises as ``start`` and ``step`` do.
        """
        if self._lock is None:
            self.start(resume=resume)
        try:
            start = time.monotonic()
            first = self._state.next_window
            last_print = -math.inf
            while not self.done:
                result = self.step()
                now = time.monotonic()
                if self.progress and (now - last_print >= 1.0 or self.done):
                    last_print = now
                    w, n = result.index, self.scenario.windows
                    eta = (now - start) / (w + 1 - first) * (n - w - 1)
                    ler = result.row["ler_per_round"]
                    shown = "lost (calibrating)" if ler is None else f"ε/round={ler:.2e}"
                    self.progress(f"window {w + 1}/{n}  t={result.row['time_s']:.0f} s  "
                                  f"{shown}  ETA {eta:.0f} s")
            return self.finish()
        finally:
            self.close()

    # --- one window ------------------------------------------------------------------------
    def step(self, *, actions: Sequence[Action] = ()) -> WindowResult:
        """Run the next window.

        Args:
            actions: applied before the window, as if the controller had returned them after
                the previous one (an external agent's, e.g. the Gymnasium environment's);
                described in the window's ``actions`` cell after the controller's.

        Returns:
            The window's telemetry row, what the controller saw and what it did.

        Raises:
            RuntimeError: before ``start``, or after the last window.
            UserError: a drift takes the device out of its valid range.
            ValueError: an action names an unknown knob, decoder or an invalid distance.
        """
        state = self._state
        if state is None or self._lock is None:
            raise RuntimeError("call start() before step()")
        w = state.next_window
        if w >= self.scenario.windows:
            raise RuntimeError(f"all {self.scenario.windows} windows have run")
        if actions:
            state = apply_actions(state, actions, knob_specs=self.knob_specs)
            described = ";".join(describe(a) for a in actions)
            state = replace(state, last_actions=";".join(
                a for a in (state.last_actions, described) if a))
        t0 = time.perf_counter()
        state, offsets = self._advance_drift(state, w)
        state, pre_actions = self._privileged(state, offsets)
        row = self._row(w, state, offsets, pre_actions)
        if state.lost_pending > 0:
            state, window = self._calibrate(state, offsets, row), None
        else:
            window = self._qec(w, state, offsets, row)
        wall = round(time.perf_counter() - t0, 6)
        self.telemetry.append(row)
        self.timing.append({"window": w, "wall_s": wall})
        returned: tuple[Action, ...] = ()
        if window is not None:
            self.controller.observe(window)
            returned = tuple(self.controller.act())
            state = apply_actions(state, returned, knob_specs=self.knob_specs)
        self._state = replace(state, next_window=w + 1,
                              last_actions=";".join(describe(a) for a in returned))
        self._checkpoint()
        return WindowResult(w, MappingProxyType(row), window, returned, wall)

    def hidden_truth(self) -> HiddenTruth:
        """The hidden state at the last window run (at t = 0 before the first).

        Raises:
            RuntimeError: before ``start``.
        """
        if self._state is None:
            raise RuntimeError("call start() first")
        offsets = self.model.offsets(self._state.drift_states)
        return HiddenTruth(self.model.true_values(offsets),
                           {p: float(offsets.get(p, 0.0)) for p in self.model.drift_paths},
                           self.model.optimal_knobs(offsets))

    def _truth(self, offsets: dict[str, float], knobs: Mapping[str, float],
               distance: int) -> tuple[NoiseModel, OpNoise | None]:
        try:
            return self.model.noise(offsets, dict(knobs), distance=distance)
        except ValueError as exc:
            raise UserError(f"{self.scenario.source}: a drift took the device out of range: "
                            f"{exc}") from None

    def _advance_drift(self, state: LoopState, w: int) -> tuple[LoopState, dict[str, float]]:
        s = self.scenario
        if w > 0:
            state = replace(state, drift_states=tuple(self.model.step(
                state.drift_states, (w - 1) * s.window_seconds, w * s.window_seconds,
                seed=s.seed, window=w)))
        return state, self.model.offsets(state.drift_states)

    def _privileged(self, state: LoopState, offsets: dict[str, float]
                    ) -> tuple[LoopState, list[Action]]:
        """A privileged baseline's actions on the window about to run (from the truth)."""
        ctl = self.controller
        if not getattr(ctl, "privileged", False):
            return state, []
        distance = state.distance
        insight = Insight(
            optimal_knobs=lambda: self.model.optimal_knobs(offsets),
            true_model=lambda knobs: self._truth(offsets, knobs, distance)[0])
        pre = list(ctl.before_window(insight))
        state = apply_actions(state, pre, knob_specs=self.knob_specs)
        if any(isinstance(a, SetDecoderPriors) for a in pre):  # the true data noise too
            state = replace(state, prior_data=self._truth(offsets, state.knobs,
                                                          state.distance)[1])
        return state, pre

    def _row(self, w: int, state: LoopState, offsets: dict[str, float],
             pre_actions: list[Action]) -> dict[str, Any]:
        """The row's leading cells: time, code, the hidden truth, the knobs, the actions."""
        row: dict[str, Any] = {"window": w, "time_s": float(w * self.scenario.window_seconds),
                               "code": self.scenario.code, "distance": state.distance,
                               "decoder": state.decoder}
        row.update({TRUE + p: float(v) for p, v in self.model.true_values(offsets).items()})
        row.update({KNOB + k: float(v) for k, v in state.knobs.items()})
        actions = [state.last_actions, *(describe(a) for a in pre_actions)]
        row["actions"] = ";".join(a for a in actions if a)
        return row

    def _parts(self, state: LoopState, offsets: dict[str, float]
               ) -> list[tuple[NoiseModel, OpNoise | None]]:
        """True noise of each part of the window: one, or an in-window probe's two halves.

        A probe runs half the shots at knobs + δ and half at knobs − δ.
        """
        probe = state.probe if state.lost_pending == 0 else {}
        specs = {k.name: k for k in self.knob_specs}
        return [self._truth(offsets, {k: specs[k].clip(v + sign * probe.get(k, 0.0))
                                      for k, v in state.knobs.items()}, state.distance)
                for sign in ((1.0, -1.0) if probe else (0.0,))]

    def _calibrate(self, state: LoopState, offsets: dict[str, float],
                   row: dict[str, Any]) -> LoopState:
        """A window lost to calibration; the last one sets the optimum and the true priors."""
        self._noise_cells(row, self._parts(state, offsets))
        row.update({"lost": 1, "shots": 0, "errors": 0})
        state = replace(state, lost_pending=state.lost_pending - 1)
        if state.lost_pending == 0:  # the calibration result
            knobs = self.model.optimal_knobs(offsets)
            priors, prior_data = self._truth(offsets, knobs, state.distance)
            state = replace(state, knobs=knobs, priors=priors, prior_data=prior_data)
        return state

    @staticmethod
    def _noise_cells(row: dict[str, Any], parts: list) -> None:
        row.update({column: float(np.mean([of(t) for t, _ in parts]))  # mean of the halves
                    for column, of in NOISE_COLUMNS.items()})

    def _qec(self, w: int, state: LoopState, offsets: dict[str, float],
             row: dict[str, Any]) -> SyndromeWindow:
        """Sample and decode the window; complete its row; what the controller sees."""
        s, distance, circuits = self.scenario, state.distance, self.circuits
        parts = self._parts(state, offsets)
        self._noise_cells(row, parts)
        truth, data = parts[0]
        exp = circuits.experiment(distance, data)
        true_circuit = truth.noisy_circuit(exp.circuit)
        prior = _align(state.priors, truth)
        prior_data = _align_data(state.prior_data, data)
        prior_dem = state.prior_dem
        if prior_dem is not None and prior_dem[0] == distance and \
                prior_dem[1].num_detectors == true_circuit.num_detectors:
            decoder = circuits.dem_decoder(state.decoder, prior_dem[1])
        else:
            decoder = circuits.decoder(state.decoder, distance, prior, prior_data)
        seed = int(_rng(s.seed, 3, w).integers(2**63))
        split = None
        if len(parts) == 2:
            split = s.shots // 2
            minus = parts[1][0].noisy_circuit(circuits.experiment(distance, parts[1][1]).circuit)
            runs = [(true_circuit, split, seed),
                    (minus, s.shots - split, int(_rng(s.seed, 4, w).integers(2**63)))]
        else:
            runs = [(true_circuit, s.shots, seed)]
        sampled = sample_and_decode(runs, decoder)
        rate = logical_rate(shots=s.shots, errors=sampled.errors, rounds=s.rounds_per_shot)
        mask, herald_qubits = circuits.herald_layout(true_circuit, (
            distance, truth.gate_1q.erasure > 0, truth.gate_2q.erasure > 0,
            data is not None and data.erasure > 0, true_circuit.num_detectors))
        window = SyndromeWindow(
            index=w, time=row["time_s"], shots=s.shots, rounds=s.rounds_per_shot, code=s.code,
            distance=distance, decoder=state.decoder, circuit=exp.circuit,
            packed_detections=sampled.detections, herald_mask=mask,
            herald_qubits=herald_qubits, packed_observables=sampled.observables,
            num_observables=true_circuit.num_observables, logical_errors=sampled.errors,
            decoder_model=prior, knobs=MappingProxyType(dict(state.knobs)),
            knob_specs=self.knob_specs, probe=MappingProxyType(dict(state.probe)), split=split)
        row.update({
            "lost": 0, "shots": s.shots, "errors": sampled.errors,
            "ler_per_round": rate.per_round, "ler_ci_low": rate.per_round_ci[0],
            "ler_ci_high": rate.per_round_ci[1],
            "detection_fraction": window.detection_fraction,
            "herald_fraction": window.herald_fraction,
        })
        return window
