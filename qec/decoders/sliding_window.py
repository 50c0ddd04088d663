"""``mwpm-window``: streaming (sliding-window) matching that decodes as the rounds arrive.

A memory's detectors are ordered in time (their time coordinate: the third one, or the second
for one-dimensional layouts such as the repetition code). The decoder cuts time into windows of
``commit + buffer`` rounds that start every ``commit`` rounds (Dennis et al., J. Math. Phys. 43,
4452 (2002), "overlapping recovery"; Skoric et al., Nat. Commun. 14, 7040 (2023)):

* window k holds the detectors with time in [k·commit, k·commit + commit + buffer); its
  matching graph is the full graph's restriction to them, an edge into the future (beyond the
  window) becoming a boundary edge and an edge into the past (already committed) dropped;
* it is matched (pymatching) on the shot's detection events, as corrected by earlier commits;
* the edges of the solution whose earlier endpoint lies in the *commit* region (the first
  ``commit`` rounds) are committed: their observables flip the prediction, and an endpoint left
  in the buffer has its detection event flipped for the next window (the correction's
  "artificial defect"); the rest of the solution is discarded and re-decoded with more data;
* the last window commits everything.

So a window can be decoded once its ``commit + buffer`` rounds have arrived: the decoder keeps up
with the device when decoding one window takes less than ``commit`` rounds of device time
(``decode_timed`` measures it). With ``buffer`` ≥ d the error rate is within a few per cent of
whole-block matching (``tests/qec/test_sliding_window.py``, ``bench/bench_streaming.py``).
Heralds are ignored as in ``mwpm`` (stripped, cleared from every shot).

Example:
    >>> from qec.codes import memory_experiment
    >>> from qec.decoders.base import decoder_dem
    >>> from qec.noise import NoiseModel
    >>> circuit = NoiseModel.uniform_depolarizing(0.003).noisy_circuit(
    ...     memory_experiment("surface", distance=3, rounds=12).circuit)
    >>> decoder = SlidingWindowDecoder.compile(decoder_dem(circuit), commit=3, buffer=3)
    >>> len(decoder.windows)
    4
    >>> dets, obs = circuit.compile_detector_sampler(seed=1).sample(
    ...     500, separate_observables=True)
    >>> int((decoder.decode_batch(dets) != obs).any(axis=1).sum()) < 60
    True
"""

from __future__ import annotations

import contextlib
import math
import numbers
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pymatching
import stim

from qec.decoders.base import check_shots, herald_masks, pack_bits
from qec.decoders.matching import matching_graph_dem

__all__ = ["SlidingWindowDecoder", "StreamingLoad", "Window", "detector_times"]


def detector_times(dem: stim.DetectorErrorModel, *, time_coordinate: int | None = None,
                   skip: np.ndarray | None = None) -> np.ndarray:
    """Each detector's round, from its coordinates.

    Args:
        dem: the DEM.
        time_coordinate: which coordinate is time; None: the third when a detector has three or
            more, else the second.
        skip: detector indices without a time (heralds): their time is −1.

    Returns:
        int64 array, shape (num_detectors,).

    Raises:
        ValueError: a detector (not skipped) without that coordinate.
    """
    coords = dem.get_detector_coordinates()
    skipped = set() if skip is None else set(np.asarray(skip).tolist())
    out = np.full(dem.num_detectors, -1, dtype=np.int64)
    for k in range(dem.num_detectors):
        if k in skipped:
            continue
        c = coords.get(k, [])
        i = time_coordinate if time_coordinate is not None else (2 if len(c) >= 3 else 1)
        if len(c) <= i:
            raise ValueError(f"detector D{k} has coordinates {list(c)}: decoder 'mwpm-window' "
                             f"needs its time as coordinate {i}")
        out[k] = int(math.floor(c[i] + 1e-9))
    return out


@dataclass(frozen=True, eq=False)
class Window:
    """One window's matching problem.

    Attributes:
        start: first round (time) of the window.
        commit_end: first round not committed by this window (its end, for the last one).
        nodes: global detector indices of the window, shape (n,); local index = position.
        matching: its pymatching graph over the local indices.
        observables: (local u, local v) with u < v, or (local u, −1) for a boundary edge →
            the edge's observable flips as an integer bit mask (bit j: observable j).
    """

    start: int
    commit_end: int
    nodes: np.ndarray
    matching: Any
    observables: dict[tuple[int, int], int]


def _warm(m: pymatching.Matching) -> None:
    """Decode once, so that pymatching builds its search graph now.

    Not in the first shot's timed window: the first decode of a graph costs ~100× a later one.
    """
    if m.num_nodes == 0:
        return
    syn = np.zeros(m.num_nodes, dtype=np.uint8)
    syn[0] = 1
    with contextlib.suppress(ValueError):  # odd syndrome, no boundary: the graph is built anyway
        m.decode_to_edges_array(syn)


def _windows(graph: pymatching.Matching, times: np.ndarray, commit: int,
             buffer: int) -> tuple[Window, ...]:
    timed = times[times >= 0]
    t_max = int(timed.max()) if timed.size else 0
    edges = graph.edges()
    windows = []
    start = int(timed.min()) if timed.size else 0
    while True:
        end = start + commit + buffer
        last = end > t_max
        commit_end = t_max + 1 if last else start + commit
        nodes = np.flatnonzero((times >= start) & (times < (t_max + 1 if last else end)))
        local = {int(g): i for i, g in enumerate(nodes)}
        m = pymatching.Matching()
        obs: dict[tuple[int, int], int] = {}
        boundary: dict[int, tuple[float, int]] = {}  # local node → (weight, mask) kept
        for u, v, attrs in edges:
            lu = local.get(u)
            lv = local.get(v) if v is not None else None
            if lu is None and lv is None:
                continue
            if lu is None:  # keep the in-window end first
                u, v, lu, lv = v, u, lv, lu
            w = float(attrs["weight"])
            p = float(attrs["error_probability"])
            faults = set(attrs["fault_ids"])
            mask = 0
            for f in faults:
                mask ^= 1 << int(f)
            if v is None or (lv is None and times[v] >= end):
                # a real boundary, or an edge into the future: a boundary edge of this window
                m.add_boundary_edge(lu, fault_ids=faults, weight=w, error_probability=p,
                                    merge_strategy="smallest-weight")
                if lu not in boundary or w < boundary[lu][0]:
                    boundary[lu] = (w, mask)
            elif lv is not None:
                m.add_edge(lu, lv, fault_ids=faults, weight=w, error_probability=p,
                           merge_strategy="smallest-weight")
                obs[(min(lu, lv), max(lu, lv))] = mask
            # else: an edge into the committed past, already accounted for
        for lu, (_, mask) in boundary.items():
            obs[(lu, -1)] = mask
        _warm(m)
        windows.append(Window(start, commit_end, nodes, m, obs))
        if last:
            return tuple(windows)
        start += commit


@dataclass(frozen=True)
class StreamingLoad:
    """How a streaming decoder keeps up with the device over a run of shots.

    Attributes:
        us_per_round: mean decode time per committed round (µs).
        us_per_round_p99: 99th percentile over windows of the decode time per committed
            round (µs).
        round_time_us: the device's round time (µs).
        max_backlog_rounds: the largest lag, in rounds, between a window's last round
            arriving and its decode finishing, with shots run back to back at the device's pace
            and decoded in order on one core (0: never behind).
        keeps_up: ``us_per_round`` < ``round_time_us`` (the backlog stays bounded).
    """

    us_per_round: float
    us_per_round_p99: float
    round_time_us: float
    max_backlog_rounds: float
    keeps_up: bool


@dataclass(frozen=True, eq=False)
class SlidingWindowDecoder:
    """``mwpm-window`` compiled for one DEM.

    Attributes:
        windows: the windows in time order.
        times: each detector's round, shape (num_detectors,) (−1 for heralds).
        num_detectors: detectors per shot (heralds included).
        num_observables: observables per shot.
        commit: rounds committed per window.
        buffer: rounds of look-ahead per window.
        heralds: herald detector indices, cleared before decoding.
    """

    windows: tuple[Window, ...]
    times: np.ndarray
    num_detectors: int
    num_observables: int
    commit: int
    buffer: int
    heralds: np.ndarray

    @classmethod
    def compile(cls, dem: stim.DetectorErrorModel, *, commit: int = 5, buffer: int = 5,
                time_coordinate: int | None = None, **options: Any) -> SlidingWindowDecoder:
        """Builds the windows for ``dem``.

        Args:
            dem: a decomposed DEM whose detectors carry a time coordinate.
            commit: rounds committed per window, >= 1.
            buffer: rounds of look-ahead, >= 1 (about d keeps whole-block accuracy).
            time_coordinate: which detector coordinate is time (see ``detector_times``).
            **options: none other is accepted.

        Raises:
            ValueError: an unknown option, a value out of range, a detector without time, a
                DEM that is not graphlike.
        """
        if options:
            raise ValueError(f"unknown mwpm-window option(s) {', '.join(sorted(options))}: "
                             "allowed are commit, buffer, time_coordinate")
        for name, v in (("commit", commit), ("buffer", buffer)):
            if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
                raise ValueError(f"{name} = {v!r}: must be an integer >= 1 (rounds)")
        heralds, _ = herald_masks(dem)
        stripped = matching_graph_dem(dem)
        times = detector_times(dem, time_coordinate=time_coordinate, skip=heralds)
        graph = pymatching.Matching.from_detector_error_model(stripped)
        windows = _windows(graph, times, int(commit), int(buffer))
        return cls(windows, times, dem.num_detectors, dem.num_observables, int(commit),
                   int(buffer), heralds)

    def decode_timed(self, detection_events: np.ndarray, *, bit_packed: bool = False
                     ) -> tuple[np.ndarray, np.ndarray]:
        """Decodes shot by shot, window by window, timing each window.

        Args:
            detection_events: bool (shots, num_detectors), or with ``bit_packed`` uint8
                (shots, ceil(num_detectors / 8)).
            bit_packed: packed input and output (little-endian, as stim).

        Returns:
            (predictions: bool (shots, num_observables), or packed with ``bit_packed``;
            seconds: wall time of each window's decode and commit, shape (shots, windows)).
        """
        shots = np.array(check_shots(detection_events, self.num_detectors,
                                     bit_packed=bit_packed), dtype=np.bool_)
        if self.heralds.size:
            shots[:, self.heralds] = False
        n_obs = self.num_observables
        pred = np.zeros((len(shots), n_obs), dtype=np.bool_)
        seconds = np.zeros((len(shots), len(self.windows)))
        for s in range(len(shots)):
            dets = shots[s]
            flips = 0
            for k, w in enumerate(self.windows):
                t0 = time.perf_counter()
                syn = dets[w.nodes][:w.matching.num_nodes]  # trailing nodes without edges
                if syn.any():
                    for a, b in w.matching.decode_to_edges_array(syn):
                        a, b = int(a), int(b)
                        ga = int(w.nodes[a])
                        gb = int(w.nodes[b]) if b >= 0 else -1
                        t_low = self.times[ga] if gb < 0 else min(self.times[ga], self.times[gb])
                        if t_low >= w.commit_end:
                            continue  # in the buffer: decided by a later window
                        key = (a, -1) if b < 0 else (min(a, b), max(a, b))
                        flips ^= w.observables.get(key, 0)
                        for g in (ga, gb):
                            if g >= 0 and self.times[g] >= w.commit_end:
                                dets[g] = not dets[g]  # the correction's artificial defect
                seconds[s, k] = time.perf_counter() - t0
            if flips:
                pred[s] = [(flips >> j) & 1 for j in range(n_obs)]
        return (pack_bits(pred) if bit_packed else pred), seconds

    def decode_batch(self, detection_events: np.ndarray, *, bit_packed: bool = False) -> np.ndarray:
        """Predicts observable flips (``decode_timed`` without the timings)."""
        return self.decode_timed(detection_events, bit_packed=bit_packed)[0]

    def load(self, seconds: np.ndarray, *, round_time_us: float) -> StreamingLoad:
        """Latency and backlog of ``decode_timed``'s timings at the device's round time.

        Shots run back to back (shot s's round r arrives at (s·R + r + 1)·T, R rounds per shot
        including the final readout, T the round time); window k can start once its last
        round has arrived and the previous window is done.

        Args:
            seconds: ``decode_timed``'s window times, shape (shots, windows) (s).
            round_time_us: the device's time per round (µs), > 0.

        Returns:
            The load figures.
        """
        if not round_time_us > 0:
            raise ValueError(f"round_time_us = {round_time_us!r}: must be > 0")
        t_round = round_time_us * 1e-6
        rounds = self.windows[-1].commit_end - self.windows[0].start
        end = self.windows[-1].commit_end
        ready = np.array([min(w.start + self.commit + self.buffer, end)
                          for w in self.windows]) - self.windows[0].start
        committed = np.array([w.commit_end - w.start for w in self.windows], dtype=float)
        per_round = np.asarray(seconds) / committed[None, :]
        free, worst = 0.0, 0.0
        for s, row in enumerate(np.asarray(seconds)):
            for k, sec in enumerate(row):
                arrive = (s * rounds + ready[k]) * t_round
                free = max(free, arrive) + sec
                worst = max(worst, free - arrive)
        mean = float(per_round.mean() * 1e6) if per_round.size else 0.0
        p99 = float(np.percentile(per_round, 99) * 1e6) if per_round.size else 0.0
        return StreamingLoad(mean, p99, float(round_time_us), float(worst / t_round),
                             mean < round_time_us)
