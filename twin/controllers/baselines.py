"""Baseline controllers: ``none``, ``periodic`` and ``oracle``.

They are measured against, not deployed: ``periodic`` and ``oracle`` are *privileged* — the
twin gives them the hidden truth through ``Insight`` (``privileged = True``), which a real
controller (``control``) never sees.

* ``none``: never acts; the decoder keeps the nominal priors, the knobs stay where they are.
* ``periodic``: every ``every`` windows it halts QEC for ``calibration_windows`` windows
  (counted as lost) and comes back with the true optimum of the knobs and the true decoder
  priors at that moment.
* ``oracle``: knows the hidden state every window: optimal knobs and true priors, no halt.
  The upper bound any controller is measured against.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from control.protocol import Action, Calibrate, SetDecoderPriors, SetKnobs, SyndromeWindow
from qec.noise import NoiseModel

__all__ = ["Insight", "NoController", "OracleController", "PeriodicController"]


@dataclass(frozen=True)
class Insight:
    """The hidden truth, for privileged baselines only.

    Attributes:
        optimal_knobs: knob values restoring the calibrated physics now.
        true_model: the true noise model of the current window, given the knobs in force
            (call with the knobs to evaluate).
    """

    optimal_knobs: Callable[[], dict[str, float]]
    true_model: Callable[[dict[str, float]], NoiseModel]


class NoController:
    """Does nothing."""

    name = "none"
    privileged = False

    def observe(self, window: SyndromeWindow) -> None:
        """Ignore the window."""

    def act(self) -> list[Action]:
        """No action."""
        return []


class PeriodicController:
    """Halt and recalibrate every ``every`` windows.

    Args:
        every: windows from one calibration to the next, ≥ 1.
        calibration_windows: windows each calibration costs, ≥ 1.
    """

    name = "periodic"
    privileged = False  # its Calibrate action is served by the twin with the truth

    def __init__(self, *, every: int = 10, calibration_windows: int = 1) -> None:
        self.every = every
        self.calibration_windows = calibration_windows
        self._seen = 0

    def observe(self, window: SyndromeWindow) -> None:
        """Count QEC windows."""
        self._seen += 1

    def act(self) -> list[Action]:
        """``Calibrate`` after every ``every`` observed windows."""
        if self._seen and self._seen % self.every == 0:
            return [Calibrate(self.calibration_windows)]
        return []


class OracleController:
    """Optimal knobs and true priors every window, from the hidden truth.

    Args:
        lag: play the knobs that were optimal ``lag`` windows ago (the priors stay the true
            model of the window, for the knobs played). ``lag = 1`` is the bound of any causal
            controller: it knows everything about the previous window and nothing of the drift
            since.
    """

    name = "oracle"
    privileged = True

    def __init__(self, *, lag: int = 0) -> None:
        if isinstance(lag, bool) or not isinstance(lag, int) or lag < 0:
            raise ValueError(f"lag = {lag!r}: must be an integer >= 0")
        self.lag = lag
        self._optimal: list[dict[str, float]] = []

    def before_window(self, insight: Insight) -> list[Action]:
        """Actions applied to the window about to run (the twin calls this first)."""
        self._optimal = [*self._optimal[-self.lag:], insight.optimal_knobs()] if self.lag \
            else [insight.optimal_knobs()]
        knobs = self._optimal[0]
        return [SetKnobs(knobs), SetDecoderPriors(insight.true_model(knobs))]

    def observe(self, window: SyndromeWindow) -> None:
        """Nothing to learn."""

    def act(self) -> list[Action]:
        """Everything happens in ``before_window``."""
        return []
