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
    >>> twin = DigitalTwin(scenario, out=tempfile.mkdtemp())
    >>> state = twin.start()          # the folder is locked until the run ends or close()
    >>> first = twin.step()           # one window: its telemetry row, what the controller saw
    >>> summary = twin.run()          # the windows left, then summary.json
    >>> first.index, first.row["shots"], summary.windows, twin.folder.path.name
    (0, 200, 2, 'none-seed1')
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

from control.protocol import Action, KnobSpec, SyndromeWindow, describe
from physics.device import Device
from twin.controllers import make_controller
from twin.device.knobs import KNOBS
from twin.device.model import DeviceModel
from twin.errors import UserError
from twin.loop.circuits import CircuitCache
from twin.loop.state import Checkpoint, LoopState, apply_actions
from twin.loop.window import WindowSimulator
from twin.runs.folder import CHECKPOINT_FORMAT, RunFolder, RunLock
from twin.runs.summary import RunSummary, summarize
from twin.runs.telemetry import (
    TIMING_COLUMNS,
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
        UserError: an invalid controller setting or a device the physics cannot realise.
        TypeError: neither or both of ``out`` and ``folder``.
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
            raise TypeError("DigitalTwin: give exactly one of an output root (out=...) and a "
                            "run folder (folder=...)")
        self.folder = (RunFolder.under(out, controller=self.controller_name, seed=scenario.seed)
                       if folder is None else folder if isinstance(folder, RunFolder)
                       else RunFolder(folder))
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
        self.simulator = WindowSimulator(scenario, self.model, self.circuits, self.knob_specs)
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
            there = folder.read_scenario()
            if there is not None and there.name != s.name:
                raise UserError(f"{folder.path} already holds a run of scenario {there.name!r}:"
                                f" choose another --out for {s.name!r}")
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
        if not isinstance(checkpoint, Checkpoint) or checkpoint.format != CHECKPOINT_FORMAT:
            raise UserError(f"cannot resume {folder.path}: its checkpoint was written by "
                            "another version of quantacore-twin; start a new run")
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
        if state is None:
            raise RuntimeError("call start() before step()")
        w = state.next_window
        if w >= self.scenario.windows:
            raise RuntimeError(f"all {self.scenario.windows} windows have run")
        if self._lock is None:
            raise RuntimeError("the run was closed: start(resume=True) to continue it")
        if actions:
            state = apply_actions(state, actions, knob_specs=self.knob_specs)
            described = ";".join(describe(a) for a in actions)
            state = replace(state, last_actions=";".join(
                a for a in (state.last_actions, described) if a))
        t0 = time.perf_counter()
        state, row, window = self.simulator.simulate(w, state, self.controller)
        wall = round(time.perf_counter() - t0, 6)
        self.telemetry.append(row)
        timing = self.simulator.last_timing if window is not None else {}
        self.timing.append({"window": w, "wall_s": wall, **timing})
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

