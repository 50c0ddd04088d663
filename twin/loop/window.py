"""One window of the twin, simulated: drift → true noise → circuit → sample → decode → row.

``WindowSimulator.simulate`` is the window step of ``twin.loop.DigitalTwin`` without the run's
bookkeeping (files, checkpoint, controller's turn): the hidden clock advances, a privileged
baseline sees the truth, the true noise of the window (or of its probe's two halves) goes into
the circuit, which is sampled and decoded with the decoder's priors (never the truth), and the
telemetry row and the ``SyndromeWindow`` come out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import Any

import numpy as np

from control.protocol import Action, KnobSpec, SetDecoderPriors, SyndromeWindow, describe
from qec.gkp import GKPNoise
from qec.noise import NoiseModel, OpNoise, TwoQubitNoise
from qec.sampling import sample_and_decode
from qec.stats import logical_rate
from twin.controllers import Insight
from twin.device.model import DeviceModel
from twin.errors import UserError
from twin.loop.circuits import CircuitCache
from twin.loop.state import LoopState, apply_actions
from twin.runs.telemetry import KNOB, NOISE_COLUMNS, TRUE
from twin.scenario import Scenario

__all__ = ["WindowSimulator"]

_TINY = 1e-12  # erasure floor so that the decoder's circuit keeps the truth's herald detectors


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


def _align_data(prior: OpNoise | GKPNoise | None, truth: OpNoise | GKPNoise | None
                ) -> OpNoise | GKPNoise | None:
    if truth is None:
        return None
    if isinstance(truth, GKPNoise):  # the circuit-level GKP model: its σ, no herald
        return prior if isinstance(prior, GKPNoise) else truth
    prior = prior if isinstance(prior, OpNoise) else OpNoise()
    if truth.erasure and not prior.erasure:
        prior = replace(prior, erasure=_TINY)
    return prior


class WindowSimulator:
    """The simulation of one window of a scenario.

    Args:
        scenario: the scenario.
        model: its device model (drifts, knobs, physics cache).
        circuits: its compiled circuits and decoders.
        knob_specs: the knobs.
    """

    def __init__(self, scenario: Scenario, model: DeviceModel, circuits: CircuitCache,
                 knob_specs: Sequence[KnobSpec]) -> None:
        self.scenario, self.model, self.circuits = scenario, model, circuits
        self.knob_specs = tuple(knob_specs)
        self.last_timing: dict[str, float | None] = {}
        """The last window's decoder timing (``timing.csv``'s decode columns): wall times,
        not deterministic, so never in the telemetry."""

    def simulate(self, w: int, state: LoopState, controller: Any
                 ) -> tuple[LoopState, dict[str, Any], SyndromeWindow | None]:
        """Run window ``w`` from ``state``.

        Args:
            w: the window's index (``state.next_window``).
            state: the loop state before it (actions already applied).
            controller: the controller in the loop (a privileged baseline acts on the truth
                here, before the window).

        Returns:
            ``(state after the window, its telemetry row, what the controller sees)``; the
            window is None when it was lost to a calibration.

        Raises:
            UserError: a drift takes the device out of its valid range.
        """
        state, offsets = self._advance_drift(state, w)
        state, pre_actions = self._privileged(state, offsets, controller)
        row = self._row(w, state, offsets, pre_actions)
        if state.lost_pending > 0:
            return self._calibrate(state, offsets, row), row, None
        return state, row, self._qec(w, state, offsets, row)

    def truth(self, offsets: dict[str, float], knobs: Mapping[str, float],
              distance: int) -> tuple[NoiseModel, OpNoise | None]:
        """The true ``(noise model, data noise)`` at drift ``offsets`` with ``knobs``.

        Raises:
            UserError: the device is out of its valid range.
        """
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

    def _privileged(self, state: LoopState, offsets: dict[str, float], ctl: Any
                    ) -> tuple[LoopState, list[Action]]:
        """A privileged baseline's actions on the window about to run (from the truth)."""
        if not getattr(ctl, "privileged", False):
            return state, []
        distance = state.distance
        insight = Insight(
            optimal_knobs=lambda: self.model.optimal_knobs(offsets),
            true_model=lambda knobs: self.truth(offsets, knobs, distance)[0])
        pre = list(ctl.before_window(insight))
        state = apply_actions(state, pre, knob_specs=self.knob_specs)
        if any(isinstance(a, SetDecoderPriors) for a in pre):  # the true data noise too
            state = replace(state, prior_data=self.truth(offsets, state.knobs,
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
        return [self.truth(offsets, {k: specs[k].clip(v + sign * probe.get(k, 0.0))
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
            priors, prior_data = self.truth(offsets, knobs, state.distance)
            state = replace(state, knobs=knobs, priors=priors, prior_data=prior_data)
        return state

    def _decode_timing(self, sampled: Any, decoder: Any, exp: Any) -> dict[str, float | None]:
        """The decoder's wall time, and a streaming decoder's load at the device's round time.

        The round time is ``timing.layer_time`` × the circuit's layers (TICKs) per round.
        """
        rounds = self.scenario.rounds_per_shot
        out: dict[str, float | None] = {
            "decode_s": sampled.decode_seconds,
            "decode_us_per_round": 1e6 * sampled.decode_seconds / max(1, sampled.shots) / rounds,
            "round_time_us": None, "backlog_rounds": None}
        if sampled.window_seconds is not None and callable(getattr(decoder, "load", None)):
            ticks = sum(1 for i in exp.circuit.flattened() if i.name == "TICK")
            round_us = self.model.nominal.timing.layer_time * ticks / max(1, rounds)
            load = decoder.load(sampled.window_seconds, round_time_us=round_us)
            out.update({"decode_us_per_round": load.us_per_round,
                        "round_time_us": round_us, "backlog_rounds": load.max_backlog_rounds})
        return out

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
        self.last_timing = self._decode_timing(sampled, decoder, exp)
        rate = logical_rate(shots=s.shots, errors=sampled.errors, rounds=s.rounds_per_shot)
        mask, pairs = circuits.herald_layout(true_circuit, (
            distance, truth.gate_1q.erasure > 0, truth.gate_2q.erasure > 0,
            getattr(data, "erasure", 0.0) > 0, true_circuit.num_detectors))
        window = SyndromeWindow(
            index=w, time=row["time_s"], shots=s.shots, rounds=s.rounds_per_shot, code=s.code,
            distance=distance, decoder=state.decoder,
            # the decoder's own circuit (its assumed data noise), never the true one: a code
            # whose data noise lives in the circuit (xzzx-cat, gkp-surface) must not show the
            # drifted truth to the controller
            circuit=circuits.experiment(distance, prior_data).circuit,
            packed_detections=sampled.detections, herald_mask=mask,
            herald_qubits=pairs[:, 0], herald_pairs=pairs,
            packed_observables=sampled.observables,
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
