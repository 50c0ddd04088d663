"""The ``ai`` controller: syndromes and heralds in, priors / decoder / distance out.

Every window it

1. tracks each controlled knob's optimum (``control.recalibration.KnobTracker``: a
   Rao-Blackwellised particle filter on D = A + c·(u − u*)², a small in-window ± probe, half
   the shots each side, and the tracked trend as feed-forward) and plays the next value, from
   the first window (``track="always"``, the default) or only once the detection fraction has
   risen above its level of the first windows (``track="alarm"``: a calm device pays no
   probe, but a device that starts off its optimum is never corrected). D is measured where
   the knob acts and nothing else does: per detector group (the components of the decoding
   graph, X and Z checks: ``detector_groups``), with each shot's detectors next to a fired
   herald left out (``control.conditioning``: erasures make half the detection events and
   move with κ, not with a knob); the tracker follows the group that responds. It holds the
   knobs while the herald rate is up (a loss event raises detections the knobs cannot fix);
2. accumulates bit-packed pair statistics of the detection events (``control.estimators``),
   and when the estimated edge probabilities have moved enough from the decoder's current
   priors, rebuilds the decoder from the re-weighted DEM (with shrinkage toward the nominal
   priors, so small windows cannot make it worse);
3. watches the detection and herald fractions with two-sided CUSUMs (bursts), and the
   Kalman-predicted error scale;
4. chooses the decoder: erasure-aware matching whenever heralds fire; correlated matching when
   the predicted error scale exceeds ``scale_budget`` and the latency budget allows;
5. chooses the distance: one step up on a burst alarm (if ``max_distance`` allows), back down
   after ``quiet_windows`` quiet windows.

It never reads ``SyndromeWindow.observable_flips`` or ``logical_errors`` (hardware cannot).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from control.conditioning import GroupCounter, HeraldNeighbours
from control.estimators import EdgeModel, PairCounter, estimate, reweighted_dem
from control.predictors import Cusum, KalmanTrend
from control.protocol import (
    Action,
    SetDecoder,
    SetDecoderPriors,
    SetDistance,
    SetKnobs,
    SyndromeWindow,
)
from control.recalibration import KnobTracker, TrackerSettings
from qec.decoders import decoder_dem

__all__ = ["AIController", "LATENCY_US_PER_SHOT", "detector_groups"]

LATENCY_US_PER_SHOT = {"mwpm": 2.0, "mwpm-erasure": 2.0, "mwpm-correlated": 5.5,
                       "belief-matching": 930.0, "bposd": 4400.0}
"""Measured decoding cost per d = 5 shot (``bench/bench_qec.py``), for the latency budget."""

_MAX_ALARMS = 1000
"""Alarm windows kept (the first and the latest halves) once a long run has raised many."""


class AIController:
    """The shipped controller (see the module docstring).

    Args:
        knobs: names of the knobs to recalibrate (the others stay where they are).
        track: ``"always"`` (track the knobs from the first window), ``"alarm"`` (start once
            the detection fraction has risen above its level of the first windows) or
            ``"never"``.
        priors_threshold: relative change of the estimated edge probabilities (95th
            percentile over edges) that triggers a decoder rebuild.
        pseudo_count: shots' worth of belief in the nominal priors (shrinkage).
        forgetting: weight of the past per new window in the pair statistics, in (0, 1].
        cusum_k: CUSUM slack (standard deviations).
        cusum_h: CUSUM threshold (standard deviations).
        scale_budget: predicted error scale above which a stronger decoder is wanted.
        latency_budget_us: decoding time per shot allowed (µs).
        max_distance: largest distance the controller may move to (None: never change it).
        quiet_windows: windows without alarm before stepping the distance back down.
        dither: knob dither half-width (fraction of the knob's range).
        probe: in-window probe half-width (fraction of the knob's range; 0: the alternating
            dither instead): half of each window's shots at the knob + probe, half at − probe
            (``SetKnobs.probe``), so each window measures the response's slope at the value
            in force, free of the drift between windows (laser-drift, 6 seeds: 1.4× the
            oracle's logical error, against 1.9× with the dither).
        lost_factor: a detection fraction above ``lost_factor`` × the calibrated level means
            the knob lost lock: it goes back to the best recent value and re-explores.
    """

    name = "ai"
    privileged = False

    def __init__(self, *, knobs: tuple[str, ...] = ("laser.frequency_offset",),
                 track: str = "always", priors_threshold: float = 0.5, pseudo_count: float = 2e4,
                 forgetting: float = 0.7, cusum_k: float = 0.5, cusum_h: float = 6.0,
                 scale_budget: float = 2.0, latency_budget_us: float = 10.0,
                 max_distance: int | None = None, quiet_windows: int = 4,
                 dither: float = 0.002, probe: float = 0.001, lost_factor: float = 1.5) -> None:
        if track not in ("alarm", "always", "never"):
            raise ValueError(f"track = {track!r}: must be one of alarm, always, never")
        self.knob_names = tuple(knobs)
        self.track = track
        self.tracking = track == "always"
        self.settings = TrackerSettings(dither=dither, probe=probe)
        self.trackers: dict[str, KnobTracker] = {}
        self._calm: dict[int, list[float]] = {}  # detection level per distance
        self._held = False
        self._calm_heralds: list[float] = []
        self._high = 0
        self._history: dict[str, list[tuple[float, float]]] = {}
        self.lost_factor = lost_factor
        self.relocks = 0
        self.priors_threshold = priors_threshold
        self.pseudo_count = pseudo_count
        self.forgetting = forgetting
        self.scale_budget = scale_budget
        self.latency_budget_us = latency_budget_us
        self.max_distance = max_distance
        self.quiet_windows = quiet_windows
        self.cusum_det = Cusum(k=cusum_k, h=cusum_h)
        self.cusum_her = Cusum(k=cusum_k, h=cusum_h)
        self.scale = KalmanTrend(level_noise=0.05, slope_noise=0.01, obs_noise=0.1,
                                 initial=1.0)
        self._structure: tuple | None = None
        self._counts: GroupCounter | None = None  # detector groups, herald-conditioned
        self._edges: EdgeModel | None = None
        self._dem = None
        self._counter: PairCounter | None = None
        self._current: np.ndarray | None = None
        self._base_distance: int | None = None
        self._quiet = 0
        self._pending: list[Action] = []
        self.alarms: list[int] = []

    # --- observe ---------------------------------------------------------------------------
    def observe(self, window: SyndromeWindow) -> None:
        """Take in one window: knobs, statistics, alarms; queue the actions for ``act``."""
        actions: list[Action] = []
        self._refresh_structure(window)
        if self._base_distance is None:
            self._base_distance = window.distance
        det = window.detection_fraction
        burst = self._alarms(window, det)
        lossy = self._heralds_up(window)
        calm = self._calm.setdefault(window.distance, [])
        if len(calm) < 3 and not lossy:
            calm.append(det)
        if self.track == "alarm" and not self.tracking and not lossy:
            self.tracking = self._drifted(window, det)
        if self.tracking and self.track != "never":
            if lossy:  # the detection rise is the erasures', not the knob's: hold the knobs
                self._held = True
            else:
                if self._held:  # the floor moved while held: let the trackers re-learn it
                    for tracker in self.trackers.values():
                        tracker.floor_moved()
                    self._held = False
                actions += self._knobs(window, det)
        actions += self._priors(window, hold=lossy)
        actions += self._decoder_choice(window)
        actions += self._distance_choice(window, burst, lossy)
        self._pending = actions

    def _calm_level(self, distance: int) -> float | None:
        """Mean detection fraction of the first three calm windows at ``distance``."""
        calm = self._calm.get(distance, [])
        return float(np.mean(calm)) if len(calm) == 3 else None

    def _heralds_up(self, window: SyndromeWindow) -> bool:
        """True while the herald fraction is well above its level of the first windows."""
        n_her = int(window.herald_mask.sum())
        if n_her == 0:
            return False
        h = window.herald_fraction
        if len(self._calm_heralds) < 3:
            self._calm_heralds.append(h)
            return False
        base = float(np.mean(self._calm_heralds))
        noise = np.sqrt(max(base * (1 - base), 1e-12) / max(window.shots * n_her, 1))
        return h > base + 5 * noise + 0.2 * base

    def _drifted(self, window: SyndromeWindow, det: float) -> bool:
        """True once the detection fraction stays above its calibrated level.

        The level is the mean of the first three windows; "above" is by five standard errors,
        two windows in a row.
        """
        n_det = int((~window.herald_mask).sum())
        noise = math.sqrt(max(det * (1 - det), 1e-12) / max(window.shots * n_det, 1))
        level = self._calm_level(window.distance)
        if level is None:
            return False
        high = det > level + 5 * noise
        self._high = self._high + 1 if high else 0
        return self._high >= 2

    def _knobs(self, window: SyndromeWindow, det: float) -> list[Action]:
        values, probes = {}, {}
        counter = self._counts or GroupCounter.build(
            [np.packbits(~window.herald_mask, bitorder="little")])  # no DEM: all detectors
        counted: dict[int | None, tuple[np.ndarray, np.ndarray]] = {}  # split -> fractions

        def fractions(split: int | None) -> tuple[np.ndarray, np.ndarray]:
            if split not in counted:  # once per window, however many knobs
                counted[split] = counter.fractions(window.packed_detections, split=split)
            return counted[split]

        for spec in window.knob_specs:
            if spec.name not in self.knob_names:
                continue
            knob = float(window.knobs[spec.name])
            history = self._history.setdefault(spec.name, [])
            history[:] = [*history[-5:], (det, knob)]
            tracker = self.trackers.get(spec.name)
            level = self._calm_level(window.distance)
            lost = level is not None and det > self.lost_factor * level
            if tracker is None or tracker.distance != window.distance or lost or \
                    (tracker.probe and tracker.probe[0][1].size != counter.sizes.size):
                if lost:  # lock lost: restart from the best recent knob value
                    self.relocks += 1
                    values[spec.name] = min(history)[1]
                    self.trackers.pop(spec.name, None)
                    continue
                tracker = self.trackers[spec.name] = KnobTracker(spec, self.settings)
                tracker.distance = window.distance
            offset = window.probe.get(spec.name, 0.0)
            if offset and window.split is not None and offset == tracker.probe_offset:
                (plus, minus), (noise, _) = fractions(window.split)
                tracker.observe_pair(knob, plus, minus, noise=noise)
            else:
                (whole,), (noise,) = fractions(None)
                tracker.observe(knob, whole, noise=noise)
            values[spec.name] = tracker.next_value()
            if tracker.probe_offset:
                probes[spec.name] = tracker.probe_offset
        return [SetKnobs(values, probe=probes)] if values else []

    def _refresh_structure(self, window: SyndromeWindow) -> None:
        """On a new circuit shape: its DEM, edges, detector groups; statistics start anew."""
        structure = (window.distance, window.code, int(window.packed_detections.shape[1]),
                     int(window.herald_mask.sum()))
        if structure == self._structure:
            if self._dem is None and self._counter is not None:  # resumed: rebuild, keep stats
                self._dem = decoder_dem(window.decoder_model.noisy_circuit(window.circuit))
            return
        self._structure = structure
        circuit = window.decoder_model.noisy_circuit(window.circuit)
        self._dem = decoder_dem(circuit)
        self._counts = None
        if self._dem.num_detectors != window.herald_mask.size:
            self._edges = self._counter = None
            return
        self._edges = EdgeModel.from_dem(self._dem)
        neighbours = (HeraldNeighbours.from_dem(self._dem) if window.herald_mask.any()
                      else None)
        self._counts = GroupCounter.build(detector_groups(self._edges), neighbours=neighbours)
        self._counter = PairCounter(self._edges, forgetting=self.forgetting,
                                    count_heralds=False)  # it reads window.heralds
        self._current = self._edges.prior_pairs.copy()

    def _priors(self, window: SyndromeWindow, *, hold: bool = False) -> list[Action]:
        if self._counter is None:
            return []
        self._counter.update(window.packed_detections)
        est = estimate(self._counter, pseudo_count=self.pseudo_count)
        self.scale.update(est.scale)
        if hold:  # a transient (loss burst): keep counting, do not chase it with the decoder
            return []
        ref = np.maximum(self._current, 1e-6)
        # a few edges moving a lot (a hot node) matter as much as all moving a little
        change = float(np.percentile(np.abs(est.p_pairs - self._current) / ref, 95))
        if change < self.priors_threshold:
            return []
        self._current = est.p_pairs.copy()
        return [SetDecoderPriors(dem=reweighted_dem(self._dem, self._edges, est))]

    def _alarms(self, window: SyndromeWindow, det: float) -> bool:
        burst = bool(self.cusum_det.update(det) and self.cusum_det.alarm_up)
        if window.herald_mask.any():
            burst |= bool(self.cusum_her.update(window.herald_fraction)
                          and self.cusum_her.alarm_up)
        if burst:
            self.alarms.append(window.index)
            if len(self.alarms) > 2 * _MAX_ALARMS:  # bounded memory and checkpoints
                del self.alarms[_MAX_ALARMS // 2:-_MAX_ALARMS // 2]
        return burst

    def _decoder_choice(self, window: SyndromeWindow) -> list[Action]:
        heralds = window.herald_mask.any() and window.herald_fraction > 0
        want = "mwpm-erasure" if heralds else "mwpm"
        if self.scale.predict(1) > self.scale_budget and not heralds and \
                LATENCY_US_PER_SHOT["mwpm-correlated"] <= self.latency_budget_us:
            want = "mwpm-correlated"
        return [SetDecoder(want)] if want != window.decoder else []

    def _distance_choice(self, window: SyndromeWindow, burst: bool, lossy: bool
                         ) -> list[Action]:
        if self.max_distance is None:
            return []
        base = self._base_distance or window.distance
        if burst and window.distance + 2 <= self.max_distance:
            return self._move(window.distance + 2)
        # quiet: no alarm and the herald rate back near its calm level
        self._quiet = 0 if burst or lossy else self._quiet + 1
        if window.distance > base and self._quiet >= self.quiet_windows:
            return self._move(base)
        return []

    def _move(self, distance: int) -> list[Action]:
        """Change the distance; the burst detectors re-learn their baseline at the new one."""
        self._quiet = 0
        self.cusum_det.reset_baseline()
        self.cusum_her.reset_baseline()
        return [SetDistance(distance)]

    def __getstate__(self) -> dict[str, Any]:
        """Checkpoint state without the DEM (most of its bytes; rebuilt from the next window)."""
        state = dict(self.__dict__)
        state["_dem"] = None
        return state

    # --- act -------------------------------------------------------------------------------
    def act(self) -> list[Action]:
        """The actions decided in ``observe``, for the next window."""
        out, self._pending = self._pending, []
        return out

    def describe_state(self) -> dict[str, Any]:
        """Current beliefs, for logs and tests."""
        return {"knob_estimates": {k: t.estimate for k, t in self.trackers.items()},
                "tracking": self.tracking, "relocks": self.relocks, "scale": self.scale.level,
                "alarms": list(self.alarms)}


def detector_groups(edges: EdgeModel) -> list[np.ndarray]:
    """The non-herald detectors split into the connected components of the decoding graph.

    For a CSS code under Pauli noise these are the X-check and the Z-check detectors: a knob
    that makes one Pauli type of error moves one group only.

    Args:
        edges: the edge model of the decoder's DEM.

    Returns:
        One little-endian bit-packed mask per group, shape (ceil(num_detectors / 8),) each,
        largest group first.
    """
    n = edges.num_detectors
    graph = coo_matrix((np.ones(edges.num_pairs), (edges.pairs[:, 0], edges.pairs[:, 1])),
                       shape=(n, n))
    _, label = connected_components(graph, directed=False)
    masks = [(label == k) & edges.detector_mask for k in np.unique(label)]
    masks = sorted((m for m in masks if m.any()), key=lambda m: -int(m.sum()))
    return [np.packbits(m, bitorder="little") for m in masks]
