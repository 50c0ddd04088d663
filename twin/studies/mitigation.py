"""Zero-noise extrapolation of a logical observable with mitiq's factories.

Two noise knobs: the physical noise stretched through the device's physics, or the code distance.

Observable: a stabiliser of the logical GHZ state of ``qec.logical.ghz_experiment`` (exact,
noiseless value +1): ``"XXX"`` (X_aX_bX_c, the X readout) or the Z correlators ``"ZZI"`` /
``"IZZ"`` (the Z readout). Per shot the decoded observable is wrong or right
(``decode_jointly``, default decoder ``mwpm-correlated``; heralded erasure folded into Pauli
noise by ``NoiseModel.erasure_as_pauli``), so ⟨P⟩ = 1 − 2·P(flip).

**Physical stretch** (``method="stretch"``). ``scaled_device(device, factor)`` does what a lab
does to raise the noise: it stretches durations and re-extracts every channel
(``physics.extract_operations``), so each operation's error follows the physics:

* the Raman gate's pulses (``laser.width``, ``laser.rise`` × f, Rabi frequencies / √f so the
  pulse area stays π): its error is off-resonant scattering, Γ·π/(2Δ) per pulse, independent
  of the duration, so the 1q gate barely moves (only ``atom.raman_dephasing`` and memory
  decoherence act over the longer pulse);
* the emission pump (``cavity.pump_duration``), the photon attempt (``gate2q.attempt_time``)
  and the circuit layer (``timing.layer_time``) × f: memory dephasing during the remote gate
  and at idle grows ∝ f, while the stretched V-STIRAP pump is *more* adiabatic, so emission
  efficiency rises and the joint erasure falls;
* the detection window is the pump's length, so ``readout.dark_count_probability`` × f (dark
  rate × window), while the misses fall with the better emission;
* the node's local CNOT (``node.local_gate_error``) × f: the twin has no physics beneath this
  figure; a stretched neutral-atom gate is limited by decay during it (∝ duration).

Kept: atomic constants (``atom.decay_rate``), the memory's T1/T2 and ``node.crosstalk_dephasing``
(the stray light's dose per attempt, ∫Ω² dt, is unchanged by a slower, weaker pulse).

Measured on ``REFERENCE_DEVICE`` (``operation_errors``; Pauli error per operation, the remote
gate's conditioned on success, its erasure apart)::

    factor  gate_1q   gate_2q   erasure   measure   idle      local_cnot
    1.0     9.30e-4   1.69e-2   2.60e-3   5.74e-4   2.77e-4   5.0e-3
    1.5     9.39e-4   2.32e-2   2.22e-3   8.21e-4   4.15e-4   7.5e-3
    2.0     9.48e-4   2.95e-2   2.13e-3   1.08e-3   5.53e-4   1.0e-2
    3.0     9.65e-4   4.21e-2   2.07e-3   1.60e-3   8.30e-4   1.5e-2

So the factor is not the noise scale. The scale given to mitiq is measured: λ = the expected
number of faults per shot of the noisy circuit (``expected_faults``: every channel's total
probability summed over the circuit) relative to factor 1 (d = 3 GHZ: 1, 1.47, 1.93, 2.87 at
f = 1, 1.5, 2, 3). A distance-d code fails first at order t = (d + 1)/2 in the physical faults,
so ⟨P⟩(λ) = 1 − O(λ^t) near λ = 0 and the extrapolation runs in μ = λ^t (``order``, default
t; ``order=1`` extrapolates in λ itself). Measured (d = 3, reference device, 40 000 shots per
point): ⟨P⟩ = 0.870, 0.751, 0.623 at λ = 1, 1.47, 1.93; every factory in λ overshoots to
1.10–1.25 (a bias as large as the one it removes), linear in λ² lands at 0.974.

**Distance scaling** (``method="distance"``, Wahl et al., arXiv:2304.14985): ⟨P⟩ is measured at
several odd distances and λ_d = ε_L(d)/ε_L(d_min), ε_L the logical error per distance of a
calibration circuit (its shots count in the budget): ``calibration="bell"`` (default), the
transversal-CNOT Bell pair read in the observable's basis (same error types, same transversal
gate); ``"readout"``, the GHZ's other readout (blind to the errors that flip XXX under
dephasing). Scaling by the observable's own error would be circular (⟨P⟩ = 1 − 2ε exactly
linear in it). It needs a device below threshold: on the reference device the GHZ fails about
as often at d = 5 and 7 as at d = 3 (figures in ``bench/README.md``).

Shots: unmitigated and mitigated use the same ``total_shots``: all at f = 1 (or at
``distance``) for the unmitigated, split evenly over the scales (and calibrations) for the
mitigated. Errors: binomial for the unmitigated; a parametric bootstrap for the mitigated (each
scale's flips redrawn Binomial(n, p̂), re-extrapolated), its 95 % interval the 2.5/97.5 %
percentiles.
"""

from __future__ import annotations

import importlib.util
import math
import numbers
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import stim

__all__ = ["FACTORIES", "OBSERVABLES", "Estimate", "ScalePoint", "ZNEResult", "expected_faults",
           "operation_errors", "scaled_device", "zne_estimate"]

FACTORIES: tuple[str, ...] = ("linear", "richardson", "exp")
"""mitiq factories by name: ``LinearFactory``, ``RichardsonFactory``, ``ExpFactory``
(asymptote 0: the parity of a fully mixed state)."""

OBSERVABLES: dict[str, tuple[str, int]] = {"XXX": ("X", 0), "ZZI": ("Z", 0), "IZZ": ("Z", 1)}
"""Observable → (GHZ readout basis, observable index in that experiment)."""

_NOISE_1 = ("PAULI_CHANNEL_1", "X_ERROR", "Y_ERROR", "Z_ERROR", "DEPOLARIZE1")
_NOISE_2 = ("PAULI_CHANNEL_2", "DEPOLARIZE2")


def _positive(name: str, value: Any, low: float = 0.0, *, allowed: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not math.isfinite(value) or value <= low:
        raise ValueError(f"{name} = {value!r}: must be {allowed}")
    return float(value)


def scaled_device(device: Any, factor: float) -> Any:
    """``device`` with its pulses, attempts and layers stretched by ``factor`` (module docstring).

    Args:
        device: a ``physics.Device``.
        factor: stretch factor f ≥ 1 (durations × f; Rabi frequencies / √f; dark counts and
            local CNOT error × f, capped at 1).

    Returns:
        The stretched device (re-extract it with ``physics.extract_operations``).

    Raises:
        ValueError: factor not a finite number ≥ 1.

    Example:
        >>> from physics import REFERENCE_DEVICE
        >>> dev = scaled_device(REFERENCE_DEVICE, 2.0)
        >>> dev.laser.width, dev.timing.layer_time, dev.node.local_gate_error
        (1.0, 54.0, 0.01)
    """
    from physics.device import with_overrides

    if isinstance(factor, bool) or not isinstance(factor, numbers.Real) \
            or not math.isfinite(factor) or factor < 1:
        raise ValueError(f"factor = {factor!r}: must be a finite number >= 1")
    f = float(factor)
    las, cav, g2, ro, node = device.laser, device.cavity, device.gate2q, device.readout, device.node
    return with_overrides(device, {
        "laser.width": las.width * f, "laser.rise": las.rise * f,
        "laser.pump_amplitude": las.pump_amplitude / math.sqrt(f),
        "laser.stokes_amplitude": las.stokes_amplitude / math.sqrt(f),
        "cavity.pump_duration": cav.pump_duration * f,
        "gate2q.attempt_time": g2.attempt_time * f,
        "timing.layer_time": device.timing.layer_time * f,
        "readout.dark_count_probability": min(1.0, ro.dark_count_probability * f),
        "node.local_gate_error": min(1.0, node.local_gate_error * f),
    })


def operation_errors(device: Any, factors: Sequence[float] = (1.0, 1.5, 2.0, 3.0)
                     ) -> dict[float, dict[str, float]]:
    """Each operation's extracted error on the stretched device, per factor.

    Args:
        device: a ``physics.Device``.
        factors: stretch factors (each ≥ 1).

    Returns:
        ``{factor: {"gate_1q", "gate_2q" (Pauli error given success), "erasure" (the remote
        gate's), "measure", "idle", "local_cnot"}}``, probabilities per operation.

    Example:
        >>> from physics import REFERENCE_DEVICE
        >>> t = operation_errors(REFERENCE_DEVICE, (1.0, 2.0))
        >>> t[2.0]["gate_2q"] > t[1.0]["gate_2q"], t[2.0]["erasure"] < t[1.0]["erasure"]
        (True, True)
    """
    from physics import extract_operations

    out = {}
    for f in factors:
        ext = extract_operations(scaled_device(device, f))
        ops, fig = ext.operations, ext.figures
        arch = device.node.architecture.replace("-", "_")
        one, idle = ops["gate_1q"].channel, ops["idle"].channel
        out[float(f)] = {"gate_1q": one.px + one.py + one.pz,
                         "gate_2q": fig[f"gate_2q_error_{arch}"],
                         "erasure": fig[f"gate_2q_erasure_{arch}"],
                         "measure": ops["measure"].channel.px,
                         "idle": idle.px + idle.py + idle.pz,
                         "local_cnot": fig["local_gate_error"]}
    return out


def expected_faults(circuit: stim.Circuit) -> float:
    """Expected number of faults per shot: every noise channel's total probability, summed.

    Args:
        circuit: a noisy stim circuit (Pauli channels and noisy measurements).

    Returns:
        Σ over channel applications of their error probability (faults per shot).

    Example:
        >>> text = "X_ERROR(0.1) 0 1; DEPOLARIZE2(0.03) 0 1; M(0.2) 0".replace("; ", chr(10))
        >>> expected_faults(stim.Circuit(text))
        0.43
    """
    total = 0.0
    for inst in circuit.flattened():
        args, n = inst.gate_args_copy(), len(inst.targets_copy())
        if inst.name in _NOISE_1:
            total += sum(args) * n
        elif inst.name in _NOISE_2:
            total += sum(args) * n / 2
        elif args and stim.gate_data(inst.name).produces_measurements:
            total += args[0] * n
    return round(total, 12)


@dataclass(frozen=True)
class Estimate:
    """An estimate of ⟨P⟩ with its error.

    Attributes:
        value: the estimate.
        std_error: its standard error.
        interval: 95 % interval (low, high).
        bias: value − exact.
    """

    value: float
    std_error: float
    interval: tuple[float, float]
    bias: float


@dataclass(frozen=True)
class ScalePoint:
    """One noise scale's data.

    Attributes:
        label: the stretch factor (stretch) or the code distance (distance).
        scale: the noise scale λ (stretch: faults per shot relative to f = 1; distance:
            ε_L(d)/ε_L(d_min)).
        fit_scale: the abscissa given to mitiq (λ^order for stretch, λ for distance).
        shots: shots of the observable at this scale.
        flips: shots whose decoded observable was wrong.
        value: ⟨P⟩ = 1 − 2·flips/shots.
        calibration: (shots, failures) of the calibration circuit (distance method), else None.
    """

    label: float
    scale: float
    fit_scale: float
    shots: int
    flips: int
    value: float
    calibration: tuple[int, int] | None = None


@dataclass(frozen=True)
class ZNEResult:
    """Unmitigated vs mitigated ⟨P⟩ at one total shot budget.

    Attributes:
        method: ``"stretch"`` or ``"distance"``.
        observable: ``OBSERVABLES`` key.
        factory: the mitiq factory used (``FACTORIES``).
        order: the power of λ extrapolated in (stretch), 1 for distance.
        exact: the noiseless value (+1).
        unmitigated: all shots at f = 1 / at ``distance``.
        mitigated: the extrapolation with its bootstrap error.
        points: the per-scale data.
        total_shots: the budget of each estimate.
    """

    method: str
    observable: str
    factory: str
    order: float
    exact: float
    unmitigated: Estimate
    mitigated: Estimate
    points: tuple[ScalePoint, ...]
    total_shots: int


def _flips(device: Any, *, distance: int, basis: str, index: int, shots: int, seed: int,
           decoder: str, kind: str = "ghz") -> tuple[int, float]:
    """(wrong shots of observable ``index``, −1: any; expected faults per shot) on ``device``.

    ``kind``: ``"ghz"`` the GHZ experiment, ``"bell"`` the transversal-CNOT Bell pair.
    """
    import qec.logical as lg
    from physics import extract_operations
    from twin.device.noise_map import modular_noise

    exp = lg.ghz_experiment(distance=distance, basis=basis) if kind == "ghz" else \
        lg.transversal_cnot_experiment(distance=distance, basis=basis, mode="bell")
    noise = modular_noise(extract_operations(device)).erasure_as_pauli()
    m = lg.sample_measurements(exp, noise, shots=shots, seed=seed)
    wrong = lg.decode_jointly(exp, noise, m, decoder=decoder) != lg.observable_flips(exp, noise, m)
    wrong = wrong[:, index] if index >= 0 else np.any(wrong, axis=1)
    faults = expected_faults(noise.noisy_circuit(exp.circuit, local_pairs=exp.local_pairs))
    return int(wrong.sum()), faults


def _check_distance(distance: Any, name: str = "distance") -> None:
    if isinstance(distance, bool) or not isinstance(distance, numbers.Integral) \
            or distance < 3 or distance % 2 == 0:
        raise ValueError(f"{name} = {distance!r}: must be an odd integer >= 3")


MITIQ_MISSING = "zero-noise extrapolation needs mitiq: pip install -e '.[mitigation]'"


def _extrapolate(factory: str, xs: Sequence[float], ys: Sequence[float]) -> float:
    try:
        from mitiq.zne.inference import ExpFactory, LinearFactory, RichardsonFactory
    except ImportError:  # pragma: no cover
        raise ImportError(MITIQ_MISSING) from None
    with warnings.catch_warnings():  # ill-conditioned fits show in the bootstrap's spread
        warnings.simplefilter("ignore")
        if factory == "linear":
            return float(LinearFactory.extrapolate(list(xs), list(ys)))
        if factory == "richardson":
            return float(RichardsonFactory.extrapolate(list(xs), list(ys)))
        return float(ExpFactory.extrapolate(list(xs), list(ys), asymptote=0.0))


def zne_estimate(device: Any, *, method: str = "stretch", scales: Sequence[float] = (1.0, 1.5, 2.0),
                 distances: Sequence[int] = (3, 5, 7), total_shots: int = 40_000, seed: int = 0,
                 factory: str = "richardson", distance: int = 3, observable: str = "XXX",
                 order: float | None = None, calibration: str = "bell",
                 decoder: str = "mwpm-correlated", replicates: int = 2000) -> ZNEResult:
    """Unmitigated and zero-noise-extrapolated ⟨P⟩ of a logical GHZ stabiliser on ``device``.

    Args:
        device: a ``physics.Device``.
        method: ``"stretch"`` (physical noise through ``scaled_device``) or ``"distance"``.
        scales: stretch factors (stretch), ≥ 2 distinct values ≥ 1, including 1.
        distances: odd distances ≥ 3 (distance), ≥ 2 distinct; the smallest is λ = 1.
        total_shots: shots of each estimate, integer ≥ 2·(number of runs).
        seed: seed (≥ 0); the same arguments give the same result.
        factory: one of ``FACTORIES``.
        distance: code distance of the unmitigated run and of every stretch run (odd ≥ 3);
            distance method: the unmitigated run's distance (one of ``distances``).
        observable: one of ``OBSERVABLES``.
        order: stretch: extrapolate in μ = λ^order (> 0); None: (distance + 1)/2, the order at
            which a distance-d code first fails.
        calibration: distance method's λ_d: ``"bell"`` (the Bell pair's logical error in the
            observable's basis) or ``"readout"`` (the GHZ's other readout); module docstring.
        decoder: registered decoder of ``decode_jointly``.
        replicates: bootstrap replicates (≥ 100).

    Returns:
        The ``ZNEResult``.

    Raises:
        ValueError: on any bad argument (named, with its value and allowed range).
        ImportError: mitiq is not installed.

    Example:
        >>> from physics import REFERENCE_DEVICE
        >>> r = zne_estimate(REFERENCE_DEVICE, total_shots=2000, seed=1, replicates=200)
        >>> r.exact, r.mitigated.interval[0] < r.mitigated.value < r.mitigated.interval[1]
        (1.0, True)
    """
    if importlib.util.find_spec("mitiq") is None:  # before any sampling
        raise ImportError(MITIQ_MISSING)
    if method not in ("stretch", "distance"):
        raise ValueError(f"method = {method!r}: must be 'stretch' or 'distance'")
    if factory not in FACTORIES:
        raise ValueError(f"factory = {factory!r}: must be one of {', '.join(FACTORIES)}")
    if observable not in OBSERVABLES:
        raise ValueError(f"observable = {observable!r}: must be one of {', '.join(OBSERVABLES)}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed = {seed!r}: must be an integer >= 0")
    if isinstance(replicates, bool) or not isinstance(replicates, numbers.Integral) \
            or replicates < 100:
        raise ValueError(f"replicates = {replicates!r}: must be an integer >= 100")
    if calibration not in ("bell", "readout"):
        raise ValueError(f"calibration = {calibration!r}: must be 'bell' or 'readout'")
    _check_distance(distance)
    basis, index = OBSERVABLES[observable]
    if method == "stretch":
        labels = [_positive("scales", s, allowed="a finite number >= 1") for s in scales]
        if min(labels) < 1:
            raise ValueError(f"scales = {min(labels)!r}: must be a finite number >= 1")
        if len(set(labels)) < 2 or min(labels) != 1.0:
            raise ValueError(f"scales = {tuple(scales)!r}: must hold >= 2 distinct factors "
                             ">= 1, one of them 1")
        if order is None:
            order = (distance + 1) / 2
        order = _positive("order", order, allowed="a finite number > 0")
        runs = len(labels)
    else:
        for d in distances:
            _check_distance(d, "distances")
        labels = sorted({int(d) for d in distances})
        if len(labels) < 2 or distance not in labels:
            raise ValueError(f"distances = {tuple(distances)!r}: must hold >= 2 distinct odd "
                             f"distances >= 3, including distance = {distance}")
        order, runs = 1.0, 2 * len(labels)
    if isinstance(total_shots, bool) or not isinstance(total_shots, numbers.Integral) \
            or total_shots < 2 * runs:
        raise ValueError(f"total_shots = {total_shots!r}: must be an integer >= {2 * runs} "
                         f"(2 per run, {runs} runs)")
    seeds = iter(np.random.SeedSequence(seed).generate_state(2 * runs + 2, dtype=np.uint32))
    run = dict(distance=distance, basis=basis, index=index, decoder=decoder)
    per = [total_shots // runs + (k < total_shots % runs) for k in range(runs)]
    points = []
    if method == "stretch":
        for f, n in zip(labels, per, strict=True):
            flips, faults = _flips(scaled_device(device, f), shots=n, seed=int(next(seeds)),
                                   **run)
            points.append((f, faults, n, flips, None))
        base = next(p[1] for p in points if p[0] == 1.0)
        points = [(f, fl / base, n, k, None) for f, fl, n, k, _ in points]
    else:
        cal = {"bell": dict(basis=basis, index=0, kind="bell"),
               "readout": dict(basis="Z", index=-1) if basis == "X" else dict(basis="X", index=0)}
        for k, d in enumerate(labels):
            flips, _ = _flips(device, **{**run, "distance": d}, shots=per[2 * k],
                              seed=int(next(seeds)))
            fails, _ = _flips(device, distance=d, shots=per[2 * k + 1], seed=int(next(seeds)),
                              decoder=decoder, **cal[calibration])
            points.append((d, None, per[2 * k], flips, (per[2 * k + 1], fails)))
    u_flips, _ = _flips(device, shots=int(total_shots), seed=int(next(seeds)), **run)
    return _result(method, observable, factory, order, points, u_flips, int(total_shots),
                   seed=seed, replicates=int(replicates))


def _distance_scales(cal: Sequence[tuple[int, int]]) -> list[float]:
    rates = [max(k, 0.5) / n for n, k in cal]  # half a count keeps λ > 0 with no failure
    return [r / rates[0] for r in rates]


def _result(method: str, observable: str, factory: str, order: float, points: list,
            u_flips: int, total: int, *, seed: int, replicates: int) -> ZNEResult:
    shots = np.array([p[2] for p in points])
    flips = np.array([p[3] for p in points])
    if method == "distance":
        cal = [p[4] for p in points]
        lam = _distance_scales(cal)
    else:
        lam = [p[1] for p in points]
    xs = [x ** order for x in lam]
    ys = 1 - 2 * flips / shots
    value = _extrapolate(factory, xs, ys)
    rng = np.random.default_rng(seed)
    reps = np.empty(replicates)
    for b in range(replicates):
        yb = 1 - 2 * rng.binomial(shots, flips / shots) / shots
        xb = xs
        if method == "distance":
            cn = np.array([c[0] for c in cal])
            ck = rng.binomial(cn, np.array([c[1] for c in cal]) / cn)
            xb = _distance_scales(list(zip(cn.tolist(), ck.tolist(), strict=True)))
        reps[b] = _extrapolate(factory, xb, yb)
    lo, hi = np.percentile(reps, [2.5, 97.5])
    mitigated = Estimate(value, float(np.std(reps, ddof=1)), (float(lo), float(hi)),
                         value - 1.0)
    pu = u_flips / total
    u_val, u_se = 1 - 2 * pu, 2 * math.sqrt(pu * (1 - pu) / total)
    unmitigated = Estimate(u_val, u_se, (u_val - 1.96 * u_se, u_val + 1.96 * u_se), u_val - 1.0)
    pts = tuple(ScalePoint(float(p[0]), float(x), float(xf), int(n), int(k), float(y),
                           None if p[4] is None else (int(p[4][0]), int(p[4][1])))
                for p, x, xf, n, k, y in zip(points, lam, xs, shots, flips, ys, strict=True))
    return ZNEResult(method, observable, factory, float(order), 1.0, unmitigated, mitigated,
                     pts, total)
