"""Erasure-aware matching vs naive matching on the same heralded shots, side by side.

Rotated surface-code Z memory, d = 5, rounds = 5, stim's uniform knobs at p = 0.1 % plus a
joint heralded erasure of 5 % per two-qubit gate (a failed gate erases both qubits and fires
one herald; the DESIGN acceptance circuit, as in ``tests/qec/test_decoders.py``). One set of
shots is sampled from the circuit (bit-packed) and decoded by ``mwpm`` (heralds ignored) and
by ``mwpm-erasure`` (heralded edges set to p = 1/2 per shot), each compiled once from
``decoder_dem``:

* accuracy: logical error per shot of each, and the gain P_L(mwpm) / P_L(mwpm-erasure) with its
  3-sigma lower bound (delta method); acceptance ≥ 5×;
* speed: decode time per shot of each on the same shots (compilation excluded).

Two erasure conventions (``--per``): ``gate`` (the device's: a joint herald per failed
two-qubit gate, as above) and ``data-round`` (the literature's: each data qubit erased at the
start of every round, one herald each, as in Kubica et al., PRX 13, 041013 (2023)); ``both``
(default) runs each on its own shots.

Run: ``python -m bench.bench_erasure`` (``--shots``, ``--seed``, ``--distance``, ``--per``).
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import numpy as np

from qec import OpNoise, compile_decoder, decoder_dem, memory_experiment
from twin.studies.sweep import uniform_with_erasure

NAIVE, AWARE = "mwpm", "mwpm-erasure"


def circuit(d: int, p: float, erasure: float, per: str = "gate"):
    """Surface Z memory, d rounds, ``NoiseModel.uniform_depolarizing(p)`` (gates, measurement
    and reset; no data depolarisation before each round, as this benchmark has always been),
    heralded erasure in the ``per`` convention."""
    model, data_noise = uniform_with_erasure(p, erasure, per)
    data_noise = OpNoise(erasure=data_noise.erasure) if data_noise.erasure else None
    return model.noisy_circuit(memory_experiment("surface", distance=d, rounds=d,
                                                 data_noise=data_noise).circuit)


def _decode(name: str, dem, dets: np.ndarray, obs: np.ndarray) -> tuple[float, int]:
    decoder = compile_decoder(name, dem)
    t0 = time.perf_counter()
    pred = decoder.decode_batch(dets, bit_packed=True)
    seconds = time.perf_counter() - t0
    return seconds, int(np.any(pred != obs, axis=1).sum())


def _gain(errors_naive: int, errors_aware: int, shots: int) -> tuple[float, float]:
    """P_L ratio naive / aware and its 3-sigma lower bound (inf / nan without aware errors)."""
    if errors_aware == 0:
        return math.inf, math.nan
    r1, r2 = errors_naive / shots, errors_aware / shots
    gain = r1 / r2
    if errors_naive == 0:
        return gain, math.nan
    rel = math.sqrt((1 - r1) / errors_naive + (1 - r2) / errors_aware)
    return gain, gain * (1 - 3 * rel)


def measure(*, distance: int = 5, p: float = 0.001, erasure: float = 0.05,
            shots: int = 60_000, seed: int = 2024, per: str = "gate") -> dict:
    """Both decoders on the same heralded shots.

    Args:
        distance: code distance (rounds = distance).
        p: uniform error probability.
        erasure: heralded-erasure probability: of each two-qubit gate's pair (``per="gate"``)
            or of each data qubit per round (``per="data-round"``).
        shots: shots decoded by each decoder.
        seed: sampler seed.
        per: the erasure convention, ``"gate"`` or ``"data-round"``.

    Returns:
        ``distance``, ``p``, ``erasure``, ``shots``, ``detectors`` (heralds included),
        ``errors_naive``, ``errors_aware``, ``pl_naive``, ``pl_aware`` (per shot), ``gain``
        (pl_naive / pl_aware), ``gain_lower_3sigma``, ``us_naive``, ``us_aware`` (decode µs per
        shot), ``cost`` (us_aware / us_naive).
    """
    c = circuit(distance, p, erasure, per)
    dem = decoder_dem(c)
    print(f"erasure: sampling {shots} shots ...", file=sys.stderr)
    dets, obs = c.compile_detector_sampler(seed=seed).sample(
        shots, separate_observables=True, bit_packed=True)
    t_naive, e_naive = _decode(NAIVE, dem, dets, obs)
    t_aware, e_aware = _decode(AWARE, dem, dets, obs)
    gain, lower = _gain(e_naive, e_aware, shots)
    us_naive, us_aware = 1e6 * t_naive / shots, 1e6 * t_aware / shots
    return {"distance": distance, "p": p, "erasure": erasure, "per": per, "shots": shots,
            "detectors": c.num_detectors, "errors_naive": e_naive, "errors_aware": e_aware,
            "pl_naive": e_naive / shots, "pl_aware": e_aware / shots, "gain": gain,
            "gain_lower_3sigma": lower, "us_naive": us_naive, "us_aware": us_aware,
            "cost": us_aware / us_naive}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shots", type=int, default=60_000)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--distance", type=int, default=5)
    ap.add_argument("--per", choices=["gate", "data-round", "both"], default="both")
    args = ap.parse_args(argv)
    where = {"gate": "per two-qubit gate (joint, both qubits)",
             "data-round": "per data qubit per round"}
    for per in (("gate", "data-round") if args.per == "both" else (args.per,)):
        r = measure(distance=args.distance, shots=args.shots, seed=args.seed, per=per)
        print(f"surface memory d={r['distance']}, rounds={r['distance']}, p={r['p']}, "
              f"{r['erasure']:.0%} erasure {where[per]}, {r['shots']} shots (same for both)")
        print(f"{'decoder':<14} {'errors':>7} {'P_L':>10} {'µs/shot':>9}")
        print(f"{NAIVE:<14} {r['errors_naive']:>7} {r['pl_naive']:>10.2e} "
              f"{r['us_naive']:>9.1f}")
        print(f"{AWARE:<14} {r['errors_aware']:>7} {r['pl_aware']:>10.2e} "
              f"{r['us_aware']:>9.1f}")
        print(f"gain P_L {NAIVE} / {AWARE}: {r['gain']:.2f}x (3-sigma lower bound "
              f"{r['gain_lower_3sigma']:.2f}x); decode cost {AWARE} / {NAIVE}: "
              f"{r['cost']:.1f}x\n")


if __name__ == "__main__":
    main()
