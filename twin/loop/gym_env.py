"""``QECControlEnv``: the twin's window loop as a Gymnasium environment for external RL agents.

One episode is one run of a scenario's windows, driven through ``DigitalTwin.start`` and
``DigitalTwin.step`` (the agent's knob changes go in as ``step(actions=...)``), so the telemetry
of an episode is what ``quantacore run`` would write for the same knob settings. Each ``step``
applies knob corrections, runs one QEC window and returns what the hardware would show after
it.

Observation (``Box`` of float32, finite bounds; ``QECControlEnv.observation_names`` lists
them in order), with ``H = QECControlEnv.HISTORY`` (3):

====================  ========================  =================================================
component             bounds                    meaning
====================  ========================  =================================================
``detection``         [0, 1/DETECTION_SCALE]    last window's detection fraction (non-herald
                                                detectors that fired) / ``DETECTION_SCALE``
``herald``            [0, 1/HERALD_SCALE]       last window's herald fraction / ``HERALD_SCALE``
``detection_change``  ±1/DETECTION_SCALE each   the H most recent one-step changes of the scaled
``_1`` … ``_H``                                 detection fraction (newest first; 0 where there
                                                is no earlier window)
``forecast``          [0, 1/DETECTION_SCALE]    Holt (level + trend exponential smoothing)
                                                one-window-ahead forecast of the scaled detection
                                                fraction
``knob:<name>``       [-1, 1] each              the knobs in force for the next window,
                                                ``2 (v - low) / (high - low) - 1``
``progress``          [0, 1]                    windows run / windows in the episode
====================  ========================  =================================================

Before the first window (the observation ``reset`` returns) the detection entries are 0.

Action: ``Box([-1, 1]^n_knobs)`` in the order of ``twin.device.knobs.KNOBS``; entry ``i`` times
``max_correction[knob_i]`` (physical units) is added to the knob for the next window and the
result clipped to the knob's bounds. Actions outside [-1, 1] are clipped.

Reward: ``-(detection_fraction / DETECTION_SCALE) - lam * errors / shots`` for the window just
run. ``DETECTION_SCALE`` (0.05) is about the detection fraction of the calibrated d = 5
surface code, so the first term is O(1) (≈ -0.8 calibrated, ≈ -1.2 with a 0.05 rad/µs Raman
drift); the second is the fraction of shots the decoder got wrong, in [0, 1] (a few 1e-2 at
most for the built-in scenarios, so ``lam`` of 10–100 weighs failures comparably).

``info`` carries the window's scoring and the hidden truth (true drifting parameter values,
drift offsets, the optimal knobs) for analysis; the observation never does.

Importing ``twin`` does not import gymnasium; this module does, and without it raises an
``ImportError`` naming the extra to install.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

try:
    import gymnasium as gym
    from gymnasium import spaces
except ImportError as exc:  # pragma: no cover - exercised by a test that hides gymnasium
    raise ImportError("twin.loop.gym_env needs gymnasium: pip install -e '.[gym]' in the "
                      "twin's checkout") from exc

from control.protocol import KnobSpec, SetKnobs
from twin.controllers import NoController
from twin.device.knobs import KNOBS
from twin.loop.digital_twin import DigitalTwin
from twin.runs.folder import RunFolder
from twin.scenario import Scenario, load_scenario

__all__ = ["QECControlEnv"]


class QECControlEnv(gym.Env):
    """The twin loop as a Gymnasium environment: knobs in, detection statistics out.

    Args:
        scenario: a built-in scenario name, a scenario file path, or a ``Scenario``. Its
            controller is ignored (the agent is the controller; the twin's own controller is
            ``none``).
        shots: shots per window (None: the scenario's).
        windows: windows per episode (None: the scenario's).
        lam: weight of the logical-failure fraction in the reward, ≥ 0.
        max_correction: knob name → largest change per step in physical units (≥ 0); knobs
            not given get 10 % of their range.
        out_dir: folder for the episodes' telemetry (``episode-0000``, ``episode-0001``...);
            None writes each episode to a temporary folder removed at the next ``reset`` or
            ``close``.

    Raises:
        ValueError: a negative or non-finite ``lam``, an unknown knob or a negative or
            non-finite value in ``max_correction``.
        UserError: an unknown scenario or invalid ``shots`` / ``windows``.
    """

    metadata = {"render_modes": []}

    DETECTION_SCALE = 0.05
    """Detection fraction that maps to 1 in the observation and reward."""
    HERALD_SCALE = 0.005
    """Herald fraction that maps to 1 in the observation."""
    HISTORY = 3
    """One-step changes of the detection fraction in the observation."""
    FORECAST_ALPHA = 0.5
    """Level smoothing of the Holt forecast."""
    FORECAST_BETA = 0.3
    """Trend smoothing of the Holt forecast."""

    def __init__(self, scenario: str | Scenario = "laser-drift", *, shots: int | None = None,
                 windows: int | None = None, lam: float = 1.0,
                 max_correction: dict[str, float] | None = None,
                 out_dir: str | None = None) -> None:
        super().__init__()
        scen = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        changes: dict[str, Any] = {"controller": "none"}
        if shots is not None:
            changes["shots"] = shots
        if windows is not None:
            changes["windows"] = windows
        self.scenario: Scenario = scen.replace(**changes)
        if not (math.isfinite(lam) and lam >= 0):
            raise ValueError(f"lam = {lam}: must be a finite number >= 0")
        self.lam = float(lam)
        self.knob_specs: tuple[KnobSpec, ...] = KNOBS  # what DigitalTwin exposes
        names = [k.name for k in self.knob_specs]
        corrections = {k.name: 0.1 * (k.high - k.low) for k in self.knob_specs}
        for name, value in (max_correction or {}).items():
            if name not in corrections:
                raise ValueError(f"max_correction: unknown knob {name!r}; knobs are "
                                 f"{', '.join(names)}")
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"max_correction[{name!r}] = {value}: must be a finite "
                                 "number >= 0")
            corrections[name] = float(value)
        self.max_correction: dict[str, float] = corrections
        self.out_dir: Path | None = None
        """The current episode's folder (telemetry.csv, timing.csv, scenario.toml)."""
        self._root = Path(out_dir) if out_dir is not None else None

        n_knobs = len(self.knob_specs)
        det_max = 1.0 / self.DETECTION_SCALE
        low = [0.0, 0.0, *([-det_max] * self.HISTORY), 0.0, *([-1.0] * n_knobs), 0.0]
        high = [det_max, 1.0 / self.HERALD_SCALE, *([det_max] * self.HISTORY), det_max,
                *([1.0] * n_knobs), 1.0]
        self.observation_space = spaces.Box(np.array(low, dtype=np.float32),
                                            np.array(high, dtype=np.float32), dtype=np.float32)
        self.action_space = spaces.Box(-1.0, 1.0, shape=(n_knobs,), dtype=np.float32)
        self.observation_names: tuple[str, ...] = (
            "detection", "herald",
            *(f"detection_change_{i + 1}" for i in range(self.HISTORY)), "forecast",
            *(f"knob:{n}" for n in names), "progress")
        """Name of each observation entry, in order."""

        self._base: DigitalTwin | None = None  # keeps the shared caches
        self._twin: DigitalTwin | None = None
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._episodes = 0
        self._seeded = False
        self._reset_stats()

    # --- gymnasium API -------------------------------------------------------------------
    def reset(self, *, seed: int | None = None,
              options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        """Start a fresh run of the scenario (no window run yet).

        Args:
            seed: the episode's scenario seed (also seeds ``np_random``). None: the scenario's
                seed on the first reset, then a seed drawn from ``np_random``.
            options: unused.

        Returns:
            ``(observation, info)``; info holds ``seed``, ``window`` (-1), the ``knobs``
            (physical units) and the hidden truth at t = 0 (``truth``, ``drift``,
            ``optimal_knobs``).
        """
        if seed is not None:
            super().reset(seed=seed)
            episode_seed = int(seed)
        elif not self._seeded:
            super().reset(seed=self.scenario.seed)
            episode_seed = self.scenario.seed
        else:
            episode_seed = int(self.np_random.integers(2**31 - 1))
        self._seeded = True
        self._cleanup()
        scen = self.scenario.replace(seed=episode_seed)
        self.out_dir = self._episode_folder()
        base = self._base  # the device model and compiled circuits do not depend on the seed
        twin = DigitalTwin(scen, folder=RunFolder(self.out_dir), controller=NoController(),
                           model=base.model if base else None,
                           circuits=base.circuits if base else None)
        self._base = self._base or twin
        self._twin = twin
        twin.start()
        self._reset_stats()
        info = {"seed": episode_seed, "window": -1, "knobs": dict(twin.state.knobs),
                **self._truth()}
        return self._observation(), info

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Apply knob corrections for the next window and run it.

        Args:
            action: ``n_knobs`` numbers in [-1, 1] (clipped), scaled by ``max_correction``.

        Returns:
            ``(observation, reward, terminated, truncated, info)``: ``terminated`` after the
            episode's last window, ``truncated`` always False; ``info`` holds ``window``,
            ``time_s``, ``logical_errors``, ``shots``, ``ler_per_round``,
            ``detection_fraction``, ``herald_fraction`` (raw), ``knobs`` in force during the
            window (physical units) and the hidden truth of the window (``truth``: true
            values of the drifting parameters; ``drift``: their offsets from nominal;
            ``optimal_knobs``: the knobs that cancel them).

        Raises:
            RuntimeError: before ``reset`` or after the episode ended.
            ValueError: an action of the wrong size or with non-finite entries.
        """
        twin = self._twin
        if twin is None:
            raise RuntimeError("call reset() before step()")
        if twin.done:
            raise RuntimeError("the episode has ended: call reset()")
        a = np.asarray(action, dtype=np.float64).reshape(-1)
        if a.shape != self.action_space.shape:
            raise ValueError(f"action has {a.size} entries; expected {self.action_space.shape[0]}"
                             f" (knobs {', '.join(k.name for k in self.knob_specs)})")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"action {a.tolist()}: entries must be finite")
        a = np.clip(a, -1.0, 1.0)
        changed = {}
        for spec, x in zip(self.knob_specs, a, strict=True):
            old = twin.state.knobs[spec.name]
            new = spec.clip(old + float(x) * self.max_correction[spec.name])
            if new != old:
                changed[spec.name] = new
        result = twin.step(actions=[SetKnobs(changed)] if changed else [])
        window = result.window

        det = window.detection_fraction / self.DETECTION_SCALE
        self._record(det, window.herald_fraction / self.HERALD_SCALE)
        failures = window.logical_errors / window.shots
        reward = float(-det - self.lam * failures)
        terminated = twin.done
        if terminated:
            twin.finish()
        info = {"window": result.index, "time_s": float(result.row["time_s"]),
                "logical_errors": int(window.logical_errors), "shots": int(window.shots),
                "ler_per_round": float(result.row["ler_per_round"]),
                "detection_fraction": float(window.detection_fraction),
                "herald_fraction": float(window.herald_fraction),
                "knobs": dict(window.knobs), **self._truth()}
        return self._observation(), reward, terminated, False, info

    def close(self) -> None:
        """Release the episode's folder; remove it if it is a temporary one."""
        self._cleanup()
        self._twin = None
        super().close()

    # --- helpers ---------------------------------------------------------------------------
    def _truth(self) -> dict[str, Any]:
        truth = self._twin.hidden_truth()
        return {"truth": truth.values, "drift": truth.offsets,
                "optimal_knobs": truth.optimal_knobs}

    def _episode_folder(self) -> Path:
        if self._root is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="quantacore-gym-")
            return Path(self._tmp.name)
        while True:
            folder = self._root / f"episode-{self._episodes:04d}"
            self._episodes += 1
            if not folder.exists():
                return folder

    def _cleanup(self) -> None:
        if self._twin is not None:
            self._twin.close()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def _reset_stats(self) -> None:
        self._det: list[float] = []  # scaled detection fractions, oldest first
        self._herald = 0.0
        self._level = 0.0
        self._trend = 0.0

    def _record(self, det: float, herald: float) -> None:
        if not self._det:
            self._level, self._trend = det, 0.0
        else:
            a, b = self.FORECAST_ALPHA, self.FORECAST_BETA
            level = a * det + (1 - a) * (self._level + self._trend)
            self._trend = b * (level - self._level) + (1 - b) * self._trend
            self._level = level
        self._det.append(det)
        del self._det[:-(self.HISTORY + 1)]
        self._herald = herald

    def _observation(self) -> np.ndarray:
        det = self._det[-1] if self._det else 0.0
        recent = self._det[::-1]  # newest first
        changes = [recent[i] - recent[i + 1] if i + 1 < len(recent) else 0.0
                   for i in range(self.HISTORY)]
        forecast = self._level + self._trend if self._det else 0.0
        state = self._twin.state
        knobs = [2.0 * (state.knobs[k.name] - k.low) / (k.high - k.low) - 1.0
                 for k in self.knob_specs]
        progress = state.next_window / self._twin.scenario.windows
        obs = np.array([det, self._herald, *changes, forecast, *knobs, progress],
                       dtype=np.float32)
        return np.clip(obs, self.observation_space.low, self.observation_space.high)
