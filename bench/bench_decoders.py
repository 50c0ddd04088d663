"""Every decoder against its upstream package on the same inputs: µs per shot and per round,
logical errors, at d = 5, 11, 17, with and without heralds.

Rotated surface Z memory, rounds = d, stim's uniform knobs at p = 0.5 %; "heralds" adds a joint
heralded erasure of 1 % per two-qubit gate (the device's convention). Each decoder is compiled
once for ``decoder_dem(circuit)`` (compilation excluded) and decodes the first n shots of one
sample, n set by a time budget per cell (``--budget`` seconds for ours; the upstream decoder then
decodes the same n shots). Upstream, on the circuit's own DEM:

=================  ===========================================================
ours               upstream
=================  ===========================================================
mwpm               ``pymatching.Matching.from_detector_error_model``
mwpm-correlated    the same with ``enable_correlations=True``
mwpm-erasure       — (no upstream erasure-aware matching; shown beside mwpm)
mwpm-window        ``mwpm`` on the whole block (the streaming decoder's reference)
bposd              ``stimbposd.BPOSD`` (its defaults)
belief-matching    ``beliefmatching.BeliefMatching`` (its defaults)
tesseract          ``tesseract_decoder``'s ``"tesseract"`` sinter decoder
=================  ===========================================================

With heralds, upstream decoders get the DEM with the herald detectors stripped and the herald
bits cleared, as ours do (they have no notion of heralds), except ``mwpm-erasure``, which uses
them. Run: ``python -m bench.bench_decoders`` (``--distances``, ``--budget``, ``--shots``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import numpy as np

from qec import NoiseModel, TwoQubitNoise, compile_decoder, decoder_dem, memory_experiment
from qec.decoders.base import herald_masks, strip_heralds

DECODERS = ("mwpm", "mwpm-correlated", "mwpm-erasure", "mwpm-window", "bposd",
            "belief-matching", "tesseract")


def _circuit(d: int, p: float, erasure: float):
    model = NoiseModel.uniform_depolarizing(p)
    if erasure:
        model = model.with_(gate_2q=TwoQubitNoise(model.gate_2q.probs, erasure))
    return model.noisy_circuit(memory_experiment("surface", distance=d, rounds=d).circuit)


def _upstream(name: str, dem, d: int) -> Callable[[np.ndarray], np.ndarray] | None:
    """The upstream decoder of ``name`` for ``dem`` (heralds stripped), as a batch function."""
    if name in ("mwpm", "mwpm-correlated", "mwpm-window"):
        import pymatching

        corr = name == "mwpm-correlated"
        m = pymatching.Matching.from_detector_error_model(dem, enable_correlations=corr)
        return lambda dets: m.decode_batch(dets, enable_correlations=corr)
    if name == "bposd":
        from stimbposd import BPOSD

        return BPOSD(dem).decode_batch
    if name == "belief-matching":
        try:  # not a dependency (it pins numpy<=2.2.6): pip install beliefmatching
            from beliefmatching import BeliefMatching
        except ImportError:
            return None
        return BeliefMatching(dem).decode_batch
    if name == "tesseract":
        import tesseract_decoder

        up = tesseract_decoder.make_tesseract_sinter_decoders_dict()["tesseract"]
        compiled = up.compile_decoder_for_dem(dem=dem)
        n_obs = dem.num_observables

        def run(dets: np.ndarray) -> np.ndarray:
            packed = np.packbits(dets, axis=1, bitorder="little")
            out = compiled.decode_shots_bit_packed(bit_packed_detection_event_data=packed)
            return np.unpackbits(out, axis=1, bitorder="little", count=n_obs).astype(bool)

        return run
    return None


def cell(name: str, d: int, *, heralds: bool, p: float = 0.005, shots: int = 20_000,
         budget: float = 8.0, seed: int = 2026) -> dict:
    """One decoder at one distance: ours then upstream on the same shots.

    Returns:
        ``decoder``, ``d``, ``heralds``, ``shots``, ``us_shot`` / ``us_round`` (ours),
        ``errors``, ``up_us_shot``, ``up_errors`` (None without an upstream), ``ratio``
        (ours / upstream time).
    """
    c = _circuit(d, p, 0.01 if heralds else 0.0)
    dem = decoder_dem(c)
    dets, obs = c.compile_detector_sampler(seed=seed).sample(shots, separate_observables=True)
    heralded, _ = herald_masks(dem)
    clean = dets.copy()
    clean[:, heralded] = False
    options = {"commit": d, "buffer": d} if name == "mwpm-window" else {}
    dec = compile_decoder(name, dem, **options)
    n, t_ours, preds = 0, 0.0, []
    batch = 1 if name in ("bposd", "belief-matching", "tesseract", "mwpm-window") else 2000
    while n < shots and t_ours < budget:
        t0 = time.perf_counter()
        preds.append(dec.decode_batch(dets[n:n + batch]))
        t_ours += time.perf_counter() - t0
        n += len(preds[-1])
    errors = int(np.any(np.concatenate(preds) != obs[:n], axis=1).sum())
    out = {"decoder": name, "d": d, "heralds": heralds, "shots": n,
           "us_shot": 1e6 * t_ours / n, "us_round": 1e6 * t_ours / n / d, "errors": errors,
           "up_us_shot": None, "up_errors": None, "ratio": None}
    up = _upstream(name, strip_heralds(dem) if heralds else dem, d)
    if up is not None:
        t0 = time.perf_counter()
        pred = np.asarray(up(clean[:n]), dtype=bool)
        t_up = time.perf_counter() - t0
        out.update({"up_us_shot": 1e6 * t_up / n,
                    "up_errors": int(np.any(pred != obs[:n], axis=1).sum()),
                    "ratio": t_ours / t_up})
    return out


def measure(*, distances: tuple[int, ...] = (5, 11, 17), budget: float = 8.0,
            shots: int = 20_000, decoders: tuple[str, ...] = DECODERS) -> list[dict]:
    """Every cell (decoder × distance × heralds); see ``cell``."""
    rows = []
    for d in distances:
        for heralds in (False, True):
            for name in decoders:
                print(f"bench_decoders: d={d} heralds={heralds} {name} ...", file=sys.stderr)
                rows.append(cell(name, d, heralds=heralds, budget=budget, shots=shots))
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--distances", type=int, nargs="+", default=[5, 11, 17])
    ap.add_argument("--budget", type=float, default=8.0, help="seconds of ours per cell")
    ap.add_argument("--shots", type=int, default=20_000, help="shots sampled per cell")
    ap.add_argument("--decoders", nargs="+", default=list(DECODERS), choices=DECODERS)
    args = ap.parse_args(argv)
    rows = measure(distances=tuple(args.distances), budget=args.budget, shots=args.shots,
                   decoders=tuple(args.decoders))
    print("surface Z memory, rounds = d, p = 0.5 %; heralds: +1 % joint erasure per 2q gate")
    print(f"{'decoder':<16} {'d':>3} {'heralds':>7} {'shots':>6} {'µs/shot':>10} "
          f"{'µs/round':>9} {'errors':>6} {'upstream µs/shot':>17} {'up errors':>9} "
          f"{'time ratio':>10}")
    for r in rows:
        up = "-" if r["up_us_shot"] is None else f"{r['up_us_shot']:.1f}"
        ue = "-" if r["up_errors"] is None else str(r["up_errors"])
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}"
        print(f"{r['decoder']:<16} {r['d']:>3} {'yes' if r['heralds'] else 'no':>7} "
              f"{r['shots']:>6} {r['us_shot']:>10.1f} {r['us_round']:>9.1f} {r['errors']:>6} "
              f"{up:>17} {ue:>9} {ratio:>10}")


if __name__ == "__main__":
    main()
