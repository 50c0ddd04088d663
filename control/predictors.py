"""Dynamic error prediction: forecasters for slowly drifting scalars and a burst detector.

The controller watches a few scalar series, one value per window: a noisy per-window estimate
of an optimal knob value (e.g. the Raman detuning offset that cancels the drift, rad/µs), the
global error scale fitted to the syndromes, detection and herald rates. This module forecasts
them one or a few windows ahead and flags abrupt changes:

* ``KalmanTrend``: local-linear-trend Kalman filter (level + slope), the default forecaster;
  exact for linear drifts, optimal for a random-walk level with a random-walk slope, and it
  says how sure it is (``variance``, ``forecast_variance``). Optional jump gate for bursts.
* ``MLPredictor``: gradient-boosted trees on lagged features (the learned "ML option"),
  refitted periodically on everything seen so far.
* ``Persistence``: the baseline every forecaster is judged against (next = last).
* ``Cusum``: two-sided CUSUM on a standardised stream, for bursts (loss events, switches).
* ``one_step_rmse``: the score used to compare them.

One step is one window throughout; the forecasters know nothing about physical units: a
series' units are whatever the caller feeds in. Everything is deterministic (no global random
state); ``KalmanTrend`` and ``Cusum`` expose plain-data ``state()`` / ``from_state()`` so a
controller holding them can be checkpointed as JSON.

Imports numpy and scikit-learn only (layering: ``control`` never imports ``twin`` or
``physics``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

__all__ = [
    "Cusum",
    "Forecaster",
    "KalmanTrend",
    "MLPredictor",
    "Persistence",
    "one_step_rmse",
]

# Relative size of the "diffuse" prior variance used for unknown initial states: this many
# times the squared largest noise scale of the filter (large enough that the first two
# measurements determine level and slope to ~1e-6 relative, small enough for double precision).
_DIFFUSE = 1e6


class Forecaster(Protocol):
    """Anything ``one_step_rmse`` can score: fed one value per window, predicts the next."""

    def update(self, y: float) -> None:
        """Take the value of the window just finished."""
        ...

    def predict(self) -> float:
        """Forecast of the next window's value."""
        ...


def _nonneg(name: str, value: Any) -> float:
    x = float(value)
    if not (x >= 0 and math.isfinite(x)):
        raise ValueError(f"{name} = {value!r}: must be finite and >= 0")
    return x


# ---------------------------------------------------------------- Kalman local linear trend


class KalmanTrend:
    """Local-linear-trend Kalman filter on a scalar series; one step is one window.

    Model (all noises Gaussian, independent; standard deviations in the series' units)::

        level[t+1] = level[t] + slope[t] + w_l,   w_l ~ N(0, level_noise²)
        slope[t+1] = slope[t]            + w_s,   w_s ~ N(0, slope_noise²)
        y[t]       = level[t]            + v,     v   ~ N(0, obs_noise²)

    ``update(y)`` advances the state one window and folds in ``y`` (NaN: no measurement,
    advance only); ``predict(steps)`` extrapolates ``level + steps·slope``.

    The unknown initial state is handled with a diffuse prior: without ``initial`` the first
    measurement sets the level and the second the slope (the filter then equals least squares
    on a line when both process noises are 0). With ``initial`` the level starts there with
    variance ``initial_variance`` (default ``obs_noise²``) and the slope is still unknown.

    Tuning (what the controller uses; the ratio of the noises is what matters):

    * ``obs_noise``: the per-window estimate's standard error (the estimator usually knows it;
      pass it per update when it varies).
    * ``level_noise``: the unpredictable per-window change of the truth. For an
      Ornstein–Uhlenbeck jitter of std σ and correlation time τ windows this is
      ``σ·sqrt(2/τ)`` (≈ 0.025 rad/µs for the built-in detuning jitter, σ = 0.04, τ = 5-6).
    * ``slope_noise``: how fast the trend itself may change, per window; small, about a tenth
      of ``level_noise`` (a too-large slope noise extrapolates jitter as if it were trend).
      For the global error scale (relative units, 1 = nominal) ``level_noise`` ≈ 0.05,
      ``slope_noise`` ≈ 0.005.
    * ``slope_prior``: standard deviation of the slope before any data (series units per
      window); None (default) is diffuse, so the first two measurements fix the slope. A
      finite prior (e.g. the largest plausible drift per window, 0.003 rad/µs for the
      built-in detuning ramp) keeps a mean-reverting jitter from being extrapolated early.
    * ``jump_gate``: optional. An innovation beyond ``jump_gate`` standard deviations is taken
      as a level jump (a burst or a switch): the level's prior variance is re-opened so the
      filter follows at once instead of lagging for several windows. ``None`` (default) turns
      this off; 4 is a sensible value when bursts are expected.

    Args:
        level_noise: process noise of the level per window (series units, >= 0).
        slope_noise: process noise of the slope per window (series units per window, >= 0).
        obs_noise: default measurement noise (series units, >= 0).
        initial: known initial level (series units), or None for a diffuse start.
        initial_variance: variance of ``initial`` (series units²); default ``obs_noise²``.
        slope_prior: prior standard deviation of the slope (series units per window), or None.
        jump_gate: innovation threshold (standard deviations, > 0) for a level jump, or None.

    Raises:
        ValueError: a noise or variance is negative or non-finite, or ``jump_gate <= 0``.
    """

    def __init__(self, *, level_noise: float, slope_noise: float, obs_noise: float,
                 initial: float | None = None, initial_variance: float | None = None,
                 slope_prior: float | None = None, jump_gate: float | None = None) -> None:
        self.level_noise = _nonneg("level_noise", level_noise)
        self.slope_noise = _nonneg("slope_noise", slope_noise)
        self.obs_noise = _nonneg("obs_noise", obs_noise)
        if jump_gate is not None and not (float(jump_gate) > 0 and math.isfinite(jump_gate)):
            raise ValueError(f"jump_gate = {jump_gate!r}: must be > 0 (standard deviations) "
                             "or None")
        self.jump_gate = None if jump_gate is None else float(jump_gate)
        scale = max(self.level_noise, self.slope_noise, self.obs_noise)
        self._diffuse = _DIFFUSE * (scale * scale if scale > 0 else 1.0)
        self.slope_prior = None if slope_prior is None else _nonneg("slope_prior", slope_prior)
        self._slope_var0 = self._diffuse if slope_prior is None else self.slope_prior ** 2
        self._x = np.zeros(2)
        self._P = np.diag([self._diffuse, self._slope_var0])
        self._initialized = False
        self.n_updates = 0  # windows advanced (measurements and gaps)
        self.n_jumps = 0  # jumps taken by the gate
        if initial is not None:
            y0 = float(initial)
            if not math.isfinite(y0):
                raise ValueError(f"initial = {initial!r}: must be finite (series units)")
            var0 = (self.obs_noise ** 2 if initial_variance is None
                    else _nonneg("initial_variance", initial_variance))
            self._x[0] = y0
            self._P[0, 0] = var0
            self._initialized = True

    # -- read-outs

    @property
    def level(self) -> float:
        """The filtered level at the last window (series units); NaN before any measurement."""
        return float(self._x[0]) if self._initialized else math.nan

    @property
    def slope(self) -> float:
        """The filtered slope (series units per window); 0 until it is known."""
        return float(self._x[1])

    @property
    def variance(self) -> float:
        """Posterior variance of the level (series units²); inf before any measurement."""
        return float(self._P[0, 0]) if self._initialized else math.inf

    @property
    def covariance(self) -> np.ndarray:
        """Posterior covariance of ``(level, slope)`` (a copy)."""
        return self._P.copy()

    def predict(self, steps: int = 1) -> float:
        """Forecast ``steps`` windows ahead: ``level + steps·slope``.

        Args:
            steps: windows ahead (>= 0; 0 gives the filtered level).

        Returns:
            The forecast (series units); NaN before any measurement or ``initial``.
        """
        steps = self._check_steps(steps)
        if not self._initialized:
            return math.nan
        return float(self._x[0] + steps * self._x[1])

    def forecast_variance(self, steps: int = 1, *, include_obs: bool = False) -> float:
        """Variance of the ``steps``-ahead forecast of the level (series units²).

        Args:
            steps: windows ahead (>= 0).
            include_obs: add the default measurement noise (variance of the next *measured*
                value rather than of the true level).

        Returns:
            ``[1, h] P [1, h]ᵀ`` plus the process noise accumulated over ``h`` steps; inf
            before any measurement.
        """
        h = self._check_steps(steps)
        if not self._initialized:
            return math.inf
        v = np.array([1.0, float(h)])
        var = float(v @ self._P @ v)
        ql, qs = self.level_noise ** 2, self.slope_noise ** 2
        # Σ_{j=1..h} (ql + qs·(h - j)²)  (slope noise entering at step j moves the level h-j).
        var += h * ql + qs * (h - 1) * h * (2 * h - 1) / 6.0
        if include_obs:
            var += self.obs_noise ** 2
        return var

    @staticmethod
    def _check_steps(steps: int) -> int:
        if isinstance(steps, bool) or int(steps) != steps or steps < 0:
            raise ValueError(f"steps = {steps!r}: must be an integer >= 0 (windows)")
        return int(steps)

    # -- filtering

    def update(self, y: float, *, obs_noise: float | None = None) -> None:
        """Advance one window and fold in its measurement.

        Args:
            y: this window's value (series units); NaN means no measurement (the state is
                only propagated, and its variance grows).
            obs_noise: this measurement's standard error (series units, >= 0); default the
                constructor's ``obs_noise``.

        Raises:
            ValueError: ``obs_noise`` negative or non-finite, or ``y`` infinite.
        """
        r = self.obs_noise if obs_noise is None else _nonneg("obs_noise", obs_noise)
        y = float(y)
        if math.isinf(y):
            raise ValueError(f"y = {y!r}: must be finite or NaN (missing)")
        missing = math.isnan(y)
        if not self._initialized:
            if missing:
                return  # nothing known yet: nothing to propagate
            self._x[:] = (y, 0.0)
            self._P = np.diag([r * r, self._slope_var0])
            self._initialized = True
            self.n_updates += 1
            return
        self.n_updates += 1
        # time update: F = [[1, 1], [0, 1]], Q = diag(ql, qs)
        x = np.array([self._x[0] + self._x[1], self._x[1]])
        P = self._P
        p00 = P[0, 0] + 2.0 * P[0, 1] + P[1, 1] + self.level_noise ** 2
        p01 = P[0, 1] + P[1, 1]
        p11 = P[1, 1] + self.slope_noise ** 2
        Pp = np.array([[p00, p01], [p01, p11]])
        if missing:
            self._x, self._P = x, Pp
            return
        innov = y - x[0]
        s = Pp[0, 0] + r * r
        if self.jump_gate is not None and s > 0 and innov * innov > self.jump_gate ** 2 * s:
            # a level jump: forget the level (keep the slope's knowledge)
            Pp[0, 0] += self._diffuse
            s = Pp[0, 0] + r * r
            self.n_jumps += 1
        if s <= 0.0:
            self._x, self._P = x, Pp  # both the state and the measurement are exact
            return
        k = Pp[:, 0] / s
        self._x = x + k * innov
        # Joseph form keeps P symmetric positive semi-definite
        a = np.eye(2) - np.outer(k, [1.0, 0.0])
        P_new = a @ Pp @ a.T + (r * r) * np.outer(k, k)
        self._P = 0.5 * (P_new + P_new.T)

    # -- checkpointing

    def state(self) -> dict[str, Any]:
        """Plain-data state (floats, lists, bools): JSON- and pickle-friendly."""
        return {
            "level_noise": self.level_noise,
            "slope_noise": self.slope_noise,
            "obs_noise": self.obs_noise,
            "jump_gate": self.jump_gate,
            "slope_prior": self.slope_prior,
            "x": [float(v) for v in self._x],
            "P": [[float(v) for v in row] for row in self._P],
            "initialized": self._initialized,
            "n_updates": self.n_updates,
            "n_jumps": self.n_jumps,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> KalmanTrend:
        """Rebuild a filter from ``state()``; it continues exactly where the original was."""
        kt = cls(level_noise=state["level_noise"], slope_noise=state["slope_noise"],
                 obs_noise=state["obs_noise"], jump_gate=state.get("jump_gate"),
                 slope_prior=state.get("slope_prior"))
        kt._x = np.array(state["x"], dtype=float)
        kt._P = np.array(state["P"], dtype=float)
        if kt._x.shape != (2,) or kt._P.shape != (2, 2):
            raise ValueError("state: 'x' must have 2 entries and 'P' must be 2 × 2")
        kt._initialized = bool(state["initialized"])
        kt.n_updates = int(state.get("n_updates", 0))
        kt.n_jumps = int(state.get("n_jumps", 0))
        return kt


# ---------------------------------------------------------------- baselines and ML


class Persistence:
    """The baseline forecast: the next window's value is this window's (NaN gaps skipped)."""

    def __init__(self) -> None:
        self._last = math.nan

    def update(self, y: float) -> None:
        """Take this window's value (NaN: keep the previous one)."""
        y = float(y)
        if not math.isnan(y):
            self._last = y

    def predict(self) -> float:
        """The last value seen; NaN before any."""
        return self._last


class MLPredictor:
    """Gradient-boosted trees on lagged features, refitted on the history seen so far.

    The model learns the next *change* ``y[t+1] − b[t]`` from translation-invariant features
    of the last ``lags`` values: their differences ``y[t−j] − y[t−j−1]`` (j < lags − 1) and
    their offsets from the reference ``y[t−j] − b[t]`` (j = 1..lags − 1). The reference ``b``
    is the last value (``baseline_alpha = 1``, the default) or an exponential moving average
    ``b[t] = α·y[t] + (1 − α)·b[t−1]`` (a smoother reference helps on noisy, slowly
    mean-reverting series and hurts on jumps). Learning changes
    rather than levels lets trees, which cannot extrapolate, follow a ramp past the range seen
    in training (a constant change is easy to learn) and keeps a series that wanders into new
    territory inside the training distribution.

    The regressor is sklearn's ``GradientBoostingRegressor`` with shallow trees, leaves of at
    least ``min_samples_leaf`` samples and strong shrinkage (40 stages × 0.03): training sets
    here are tens of windows, and less regularised settings (60 × 0.05, leaves of 4) lost to
    persistence by 5-10 % on the built-in scenarios. Even so, the learned model needs on the
    order of 100 windows of history to beat persistence on the built-in drifts (measured in
    ``tests/control/test_predictors.py``); on a 40-50-window run it is about level with it.
    ``KalmanTrend`` is the default for that reason.
    Until ``min_history`` values have been seen it predicts persistence; it refits every
    ``refit_every`` windows on all the (feature, change) pairs so far. Deterministic
    (``random_state``, no subsampling).

    Args:
        lags: values per feature vector (>= 2).
        min_history: values needed before the first fit (>= lags + 2).
        refit_every: windows between refits (>= 1).
        random_state: seed of the regressor.
        n_estimators: boosting stages.
        learning_rate: shrinkage per stage.
        max_depth: depth of each tree.
        min_samples_leaf: smallest leaf (samples).
        max_history: fit on at most this many most recent samples (None: all).
        baseline_alpha: smoothing of the reference ``b`` (0 < α <= 1; 1 = last value).

    Raises:
        ValueError: inconsistent sizes.
    """

    def __init__(self, *, lags: int = 6, min_history: int = 20, refit_every: int = 10,
                 random_state: int = 0, n_estimators: int = 40, learning_rate: float = 0.03,
                 max_depth: int = 2, min_samples_leaf: int = 8,
                 max_history: int | None = 500, baseline_alpha: float = 1.0) -> None:
        if int(lags) < 2:
            raise ValueError(f"lags = {lags!r}: must be >= 2")
        if int(min_history) < int(lags) + 2:
            raise ValueError(f"min_history = {min_history!r}: must be >= lags + 2 = "
                             f"{int(lags) + 2}")
        if int(refit_every) < 1:
            raise ValueError(f"refit_every = {refit_every!r}: must be >= 1")
        if max_history is not None and int(max_history) < int(min_history):
            raise ValueError(f"max_history = {max_history!r}: must be >= min_history or None")
        self.lags = int(lags)
        self.min_history = int(min_history)
        self.refit_every = int(refit_every)
        self.random_state = int(random_state)
        self.n_estimators = int(n_estimators)
        self.learning_rate = float(learning_rate)
        self.max_depth = int(max_depth)
        self.min_samples_leaf = int(min_samples_leaf)
        self.max_history = None if max_history is None else int(max_history)
        if not 0.0 < float(baseline_alpha) <= 1.0:
            raise ValueError(f"baseline_alpha = {baseline_alpha!r}: must be in (0, 1]")
        self.baseline_alpha = float(baseline_alpha)
        self._history: list[float] = []
        self._base: list[float] = []
        self._model: Any = None
        self._since_fit = 0
        self.n_fits = 0

    def _features(self, window: np.ndarray) -> np.ndarray:
        """Features of a window of ``lags`` values (oldest first) ending at the current one."""
        diffs = np.diff(window)[::-1]  # most recent change first
        offsets = (window[:-1] - window[-1])[::-1]  # y[t-1]-y[t], y[t-2]-y[t], ...
        return np.concatenate([diffs, offsets[1:]])

    def _fit(self) -> None:
        from sklearn.ensemble import GradientBoostingRegressor

        y = np.asarray(self._history, dtype=float)
        if self.max_history is not None:
            y = y[-self.max_history:]
        L = self.lags
        n = len(y) - L  # windows y[i:i+L] with a next value y[i+L]
        b = np.asarray(self._base, dtype=float)[-len(y):]
        X = np.stack([self._features(y[i:i + L] - b[i + L - 1]) for i in range(n)])
        target = y[L:] - b[L - 1:-1]
        model = GradientBoostingRegressor(
            n_estimators=self.n_estimators, learning_rate=self.learning_rate,
            max_depth=self.max_depth, min_samples_leaf=self.min_samples_leaf,
            subsample=1.0, random_state=self.random_state)
        model.fit(X, target)
        self._model = model
        self._since_fit = 0
        self.n_fits += 1

    def update(self, y: float) -> None:
        """Take this window's value (NaN: repeat the last value, so lags stay aligned).

        Raises:
            ValueError: ``y`` infinite.
        """
        y = float(y)
        if math.isinf(y):
            raise ValueError(f"y = {y!r}: must be finite or NaN (missing)")
        if math.isnan(y):
            if not self._history:
                return
            y = self._history[-1]
        self._history.append(y)
        a = self.baseline_alpha
        self._base.append(y if len(self._base) == 0 else a * y + (1 - a) * self._base[-1])
        if self.max_history is not None and len(self._history) > 2 * self.max_history:
            del self._history[:-self.max_history]  # bounded memory on long runs
            del self._base[:-self.max_history]
        self._since_fit += 1
        if len(self._history) >= self.min_history and (
                self._model is None or self._since_fit >= self.refit_every):
            self._fit()

    def predict(self) -> float:
        """One-step-ahead forecast; persistence until the first fit, NaN before any value."""
        if not self._history:
            return math.nan
        last = self._history[-1]
        if self._model is None:
            return last
        window = np.asarray(self._history[-self.lags:], dtype=float) - self._base[-1]
        change = float(self._model.predict(self._features(window)[None, :])[0])
        return self._base[-1] + change


# ---------------------------------------------------------------- CUSUM


class Cusum:
    """Two-sided CUSUM burst detector on a standardised stream.

    Each value is standardised, ``z = (x − mean)/std``, and accumulated::

        S⁺ = max(0, S⁺ + z − k)     S⁻ = max(0, S⁻ − z − k)

    An alarm fires when either exceeds ``h``; both statistics then reset to 0 (the baseline is
    kept). ``k`` (half the shift to detect) and ``h`` are in standard deviations. With the
    defaults (k = 0.5, h = 5) a +3σ step is flagged after 2-3 samples on average, and in-control
    alarms come about once per ~500 samples (two-sided ARL₀ of a well-estimated baseline).

    The baseline (mean, std) is either given or estimated from the first ``warmup`` values
    (no alarms during the warm-up), then refined from later in-control values (|z| < 3 while
    both statistics are below ``k``) until it rests on ``learn`` values: a 5-value warm-up
    alone underestimates σ by 2× one time in ten, and gave false alarms in more than half of
    50-sample quiet stretches. ``reset_baseline()`` re-learns it from the next ``warmup``
    values, e.g. after the controller has reacted to a change and the stream has a new normal.
    A std below ``min_std`` is raised to it (counts that happen to be constant in the warm-up
    would otherwise make every fluctuation infinitely significant).

    Args:
        k: reference value (drift allowance), in standard deviations (>= 0).
        h: decision threshold, in standard deviations (> 0).
        warmup: values used to estimate the baseline (>= 2) when it is not given.
        mean: known in-control mean (series units), or None to estimate it.
        std: known in-control standard deviation (series units, > 0), or None to estimate it.
        min_std: floor on the standard deviation (series units, >= 0).
        learn: values the estimated baseline keeps learning from (>= 0; at most ``warmup``
            values, i.e. frozen after the warm-up, when ``learn <= warmup``).

    Raises:
        ValueError: out-of-range option.
    """

    def __init__(self, *, k: float = 0.5, h: float = 5.0, warmup: int = 5,
                 mean: float | None = None, std: float | None = None,
                 min_std: float = 0.0, learn: int = 50) -> None:
        self.k = _nonneg("k", k)
        if not (float(h) > 0 and math.isfinite(h)):
            raise ValueError(f"h = {h!r}: must be > 0 (standard deviations)")
        self.h = float(h)
        if int(warmup) < 2:
            raise ValueError(f"warmup = {warmup!r}: must be >= 2 samples")
        self.warmup = int(warmup)
        if std is not None and not (float(std) > 0 and math.isfinite(std)):
            raise ValueError(f"std = {std!r}: must be > 0 (series units) or None")
        if mean is not None and not math.isfinite(float(mean)):
            raise ValueError(f"mean = {mean!r}: must be finite (series units) or None")
        self.min_std = _nonneg("min_std", min_std)
        if int(learn) < 0:
            raise ValueError(f"learn = {learn!r}: must be >= 0 samples")
        self.learn = int(learn)
        self._given_mean = None if mean is None else float(mean)
        self._given_std = None if std is None else float(std)
        self.s_up = 0.0
        self.s_down = 0.0
        self.alarm_up = False
        self.alarm_down = False
        self.n_alarms = 0
        self._warm: list[float] = []
        self.mean: float = math.nan
        self.std: float = math.nan
        self._set_baseline()

    def _set_baseline(self) -> None:
        self._warm = []
        self._n = 0
        self._m2 = 0.0
        if self._given_mean is not None and self._given_std is not None:
            self.mean, self.std = self._given_mean, max(self._given_std, self.min_std)
        else:
            self.mean, self.std = math.nan, math.nan

    @property
    def ready(self) -> bool:
        """Whether the baseline is known (warm-up over or baseline given)."""
        return math.isfinite(self.mean) and math.isfinite(self.std)

    def update(self, x: float) -> bool:
        """Take one value; return True when an alarm fires on it.

        ``alarm_up`` / ``alarm_down`` tell which side fired (both False otherwise). NaN values
        are ignored (no alarm, statistics unchanged).
        """
        self.alarm_up = self.alarm_down = False
        x = float(x)
        if math.isnan(x):
            return False
        if not self.ready:
            self._warm.append(x)
            if len(self._warm) >= self.warmup:
                w = np.asarray(self._warm)
                self.mean = (self._given_mean if self._given_mean is not None
                             else float(w.mean()))
                sd = self._given_std if self._given_std is not None else float(w.std(ddof=1))
                floor = self.min_std if self.min_std > 0 else 1e-12 * max(1.0, abs(self.mean))
                self.std = max(sd, floor)
                self._n = len(w)
                self._m2 = float(np.sum((w - w.mean()) ** 2))
                self._warm = []
            return False
        z = (x - self.mean) / self.std
        if self._n and self._n < self.learn and abs(z) < 3.0:
            # an in-control sample: refine the warm-up's (noisy) baseline estimate (Welford)
            self._n += 1
            delta = x - self.mean
            if self._given_mean is None:
                self.mean += delta / self._n
            self._m2 += delta * (x - self.mean)
            if self._given_std is None:
                floor = self.min_std if self.min_std > 0 else 1e-12 * max(1.0, abs(self.mean))
                self.std = max(math.sqrt(self._m2 / (self._n - 1)), floor)
            z = (x - self.mean) / self.std
        self.s_up = max(0.0, self.s_up + z - self.k)
        self.s_down = max(0.0, self.s_down - z - self.k)
        self.alarm_up = self.s_up > self.h
        self.alarm_down = self.s_down > self.h
        if self.alarm_up or self.alarm_down:
            self.n_alarms += 1
            self.s_up = self.s_down = 0.0
            return True
        return False

    def reset_baseline(self) -> None:
        """Zero the statistics and re-learn the baseline from the next ``warmup`` values.

        A baseline given at construction is kept (only the statistics are zeroed).
        """
        self.s_up = self.s_down = 0.0
        self.alarm_up = self.alarm_down = False
        self._set_baseline()

    def state(self) -> dict[str, Any]:
        """Plain-data state (floats, lists): JSON- and pickle-friendly."""
        return {"k": self.k, "h": self.h, "warmup": self.warmup, "min_std": self.min_std,
                "given_mean": self._given_mean, "given_std": self._given_std,
                "mean": self.mean, "std": self.std, "s_up": self.s_up, "s_down": self.s_down,
                "warm": list(self._warm), "n_alarms": self.n_alarms, "learn": self.learn,
                "n": self._n, "m2": self._m2}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Cusum:
        """Rebuild a detector from ``state()``."""
        c = cls(k=state["k"], h=state["h"], warmup=state["warmup"],
                mean=state["given_mean"], std=state["given_std"], min_std=state["min_std"],
                learn=state["learn"])
        c.mean, c.std = float(state["mean"]), float(state["std"])
        c.s_up, c.s_down = float(state["s_up"]), float(state["s_down"])
        c._warm = [float(v) for v in state["warm"]]
        c.n_alarms = int(state["n_alarms"])
        c._n, c._m2 = int(state["n"]), float(state["m2"])
        return c


# ---------------------------------------------------------------- scoring


def one_step_rmse(predictor_factory: Callable[[], Forecaster], series: Sequence[float], *,
                  burn_in: int = 5) -> float:
    """Root-mean-square one-step-ahead forecast error of a fresh predictor on ``series``.

    The predictor sees ``series[0..t]`` and forecasts ``series[t+1]``; errors are collected for
    targets ``t + 1 >= burn_in`` (NaN targets and NaN forecasts skipped).

    Args:
        predictor_factory: builds a fresh predictor (``update(y)``, ``predict()``), e.g.
            ``Persistence`` or ``lambda: KalmanTrend(...)``.
        series: the values, one per window.
        burn_in: the first target index scored (>= 1).

    Returns:
        The RMSE (series units).

    Raises:
        ValueError: ``burn_in < 1`` or nothing left to score.
    """
    if int(burn_in) < 1:
        raise ValueError(f"burn_in = {burn_in!r}: must be >= 1")
    ys = np.asarray(series, dtype=float)
    pred = predictor_factory()
    sq: list[float] = []
    for t in range(len(ys) - 1):
        pred.update(float(ys[t]))
        if t + 1 < burn_in:
            continue
        f = pred.predict()
        target = ys[t + 1]
        if math.isnan(f) or math.isnan(target):
            continue
        sq.append((f - target) ** 2)
    if not sq:
        raise ValueError(f"one_step_rmse: nothing to score ({len(ys)} values, "
                         f"burn_in = {burn_in})")
    return float(math.sqrt(np.mean(sq)))
