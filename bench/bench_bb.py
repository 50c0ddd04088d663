"""Bivariate-bicycle memories against the published figures of Bravyi et al. (Nature 627, 778).

The paper's circuit noise model (uniform p: CNOT two-qubit depolarising, preparation and
measurement flips, idle depolarising on every idle data qubit per layer) is
``paper_noise(p)``; the circuit is ``memory_experiment("bb", ...)`` (the paper's depth-8
cycle), rounds = N_c; decoder ``bposd`` with the authors' settings
(``qec.decoders.bposd.BRAVYI_DECODER``: min-sum with adaptive scaling, OSD-CS order 7,
max_iter 1000) on the undecomposed DEM. The paper counts a shot as failed when any
of the 2k logical operators fails: here a Z memory and an X memory, each of ``shots`` shots,
are combined (``qec.stats.any_failure_per_round``) into p_L = 1 − (1 − P_L)^(1/N_c).

Shots are sampled and decoded chunk by chunk with ``qec.montecarlo.sample_chunk`` (seed
``seed + chunk``: the same arguments give the same counts), one process; each chunk's counts
are appended to ``--csv`` in sinter's format (progress on stderr).

Published figure (``PUBLISHED``): the paper's own figure is not readable in this environment;
the reference is the authors' simulation code (``sbravyi/BivariateBicycleCodes``,
``decoder_run.py``, the code behind the paper's Fig. 3, unmodified) as run and reported in
that repository's issue #2 (2024-07): gross code, p = 0.003, N_c = 12 cycles, 212 failures
in 50 000 trials, which its reporter found consistent with Fig. 3 of the current version of
the paper: p_L = 3.54·10⁻⁴ per cycle (Wilson 95 %: 3.09–4.05·10⁻⁴).

Run: ``python -m bench.bench_bb --distance 12 --p 0.003 --shots 12000`` (gross code, ~20 min
on one core); ``--distance 6`` for [[72,12,6]] (no published figure is available here).
"""

from __future__ import annotations

import argparse
import sys
import time

from qec.codes import memory_experiment
from qec.decoders.bposd import BRAVYI_DECODER
from qec.montecarlo import make_task, sample_chunk, stats_csv_line
from qec.noise import NoiseModel, OpNoise
from qec.stats import any_failure_per_round, logical_rate

PUBLISHED: dict[tuple[int, float], tuple[int, int, int, str]] = {
    (12, 0.003): (212, 50_000, 12,
                  "authors' decoder_run.py, sbravyi/BivariateBicycleCodes issue #2 "
                  "(consistent with the paper's Fig. 3)"),
}
"""(distance, p) → (failures, trials, cycles N_c, source) of the published reference."""


def paper_noise(p: float) -> NoiseModel:
    """The paper's uniform circuit noise at physical error rate p (see the module docstring)."""
    return NoiseModel.uniform_depolarizing(p).with_(idle=OpNoise.depolarizing(p))


def published(distance: int, p: float) -> tuple[float, tuple[float, float]] | None:
    """Published per-cycle p_L at (distance, p) with its Wilson interval, or None."""
    ref = PUBLISHED.get((distance, p))
    if ref is None:
        return None
    errors, shots, cycles, _ = ref
    return any_failure_per_round([logical_rate(shots=shots, errors=errors, rounds=cycles)])


def measure(*, distance: int = 12, p: float = 0.003, shots: int = 12_000,
            rounds: int | None = None, seed: int = 2024, chunk: int = 250,
            csv: str | None = None, quiet: bool = False) -> dict:
    """Z and X memories of one BB code, decoded by ``bposd``; counts and per-cycle rates.

    Args:
        distance: 6, 10 or 12 (``qec.codes.allowed_distances("bb")``).
        p: physical error rate.
        shots: shots per basis.
        rounds: syndrome cycles N_c per shot (default: the distance, as the paper).
        seed: first chunk's sampler seed (chunk i uses seed + i; X memory: seed + 10⁶ + i).
        chunk: shots per chunk.
        csv: file to append each chunk's sinter CSV line to.
        quiet: no progress on stderr.

    Returns:
        ``{"per_basis": {basis: (shots, errors)}, "p_L": ..., "ci": (lo, hi),
        "published": (p_L, (lo, hi)) or None, "seconds_per_shot": ...}``.
    """
    rounds = distance if rounds is None else rounds
    counts: dict[str, tuple[int, int]] = {}
    rates = []
    spent = 0.0
    total = 0
    for offset, basis in ((0, "Z"), (1_000_000, "X")):
        exp = memory_experiment("bb", distance=distance, rounds=rounds, basis=basis)
        circuit = paper_noise(p).noisy_circuit(exp.circuit, local_pairs=exp.local_pairs)
        task = make_task(circuit, decoder=BRAVYI_DECODER, decompose=False,
                         json_metadata={"code": "bb", "d": distance, "p": p, "r": rounds,
                                        "b": basis})
        key = task.strong_id()
        done = errors = 0
        i = 0
        while done < shots:
            n = min(chunk, shots - done)
            got = sample_chunk(task, shots=n, seed=seed + offset + i, key=key)
            done += got.shots
            errors += got.errors
            spent += got.seconds
            total += got.shots
            i += 1
            if csv:
                with open(csv, "a") as fh:
                    fh.write(stats_csv_line(task, key, got) + "\n")
            if not quiet:
                print(f"bb d={distance} p={p} {basis}: {done}/{shots} shots, {errors} errors, "
                      f"{spent / total:.3f} s/shot",
                      file=sys.stderr, flush=True)
        counts[basis] = (done, errors)
        rates.append(logical_rate(shots=done, errors=errors, rounds=rounds))
    p_l, ci = any_failure_per_round(rates)
    return {"per_basis": counts, "p_L": p_l, "ci": ci, "published": published(distance, p),
            "seconds_per_shot": spent / (2 * shots)}


def distance_upper_bound(*, distance: int = 12, rounds: int = 1, basis: str = "X",
                         tries: int = 400, osd_order: int = 10, seed: int = 1) -> int:
    """Fewest faults found that flip a logical operator silently: an upper bound on d_circ.

    Each try asks OSD-CS (ldpc) for a low-weight fault set with no detection event that flips
    a random nonzero combination of the k observables (the DEM under the paper's noise, its
    duplicate mechanisms merged, one fault = one mechanism), with random priors in
    [0.005, 0.02] to vary the search; the best weight over the tries is returned.

    Args:
        distance: the BB code (6, 10, 12).
        rounds: rounds of the memory circuit searched.
        basis: memory basis (which logical type is searched).
        tries: random combinations tried.
        osd_order: OSD-CS order.
        seed: seed of the combinations and priors.

    Returns:
        The weight of the lightest undetectable logical fault set found.
    """
    import ldpc
    import numpy as np
    import scipy.sparse as sp

    from qec.decoders import decoder_dem, dem_hypergraph

    exp = memory_experiment("bb", distance=distance, rounds=rounds, basis=basis)
    hyper = dem_hypergraph(decoder_dem(paper_noise(1e-3).noisy_circuit(exp.circuit),
                                       decompose=False), merge_duplicates=True)
    rng = np.random.default_rng(seed)
    logicals = hyper.observables.toarray().astype(np.uint8)
    best = hyper.num_mechanisms
    for _ in range(tries):
        combo = rng.integers(0, 2, logicals.shape[0]).astype(np.uint8)
        if not combo.any():
            continue
        target = sp.csr_matrix((combo @ logicals) % 2)
        matrix = sp.vstack([hyper.check, target]).tocsr().astype(np.uint8)
        decoder = ldpc.BpOsdDecoder(
            matrix, error_channel=rng.uniform(0.005, 0.02, matrix.shape[1]).tolist(),
            max_iter=30, bp_method="minimum_sum", ms_scaling_factor=0.0, osd_method="osd_cs",
            osd_order=osd_order)
        syndrome = np.zeros(matrix.shape[0], dtype=np.uint8)
        syndrome[-1] = 1
        faults = decoder.decode(syndrome)
        if ((matrix @ faults) % 2 == syndrome).all():
            best = min(best, int(faults.sum()))
    return best


def distance_lower_bound(*, distance: int = 12, rounds: int = 1, basis: str = "X",
                         max_weight: int = 7, memory_limit_bytes: int = 2 << 30):
    """Proven lower bound on d_circ: exhaustive search of every fault set up to a weight.

    ``qec.distance.min_weight_lower_bound`` on the same DEM as :func:`distance_upper_bound`
    (the paper's noise at p = 10⁻³, undecomposed, duplicate symptoms merged, one fault = one
    mechanism).

    Args:
        distance: the BB code (6, 10, 12).
        rounds: rounds of the memory circuit searched.
        basis: memory basis (which logical type is searched).
        max_weight: largest fault-set weight searched.
        memory_limit_bytes: cap on the search's working arrays.

    Returns:
        The ``qec.distance.DistanceBound``.
    """
    from qec.decoders import decoder_dem
    from qec.distance import min_weight_lower_bound

    exp = memory_experiment("bb", distance=distance, rounds=rounds, basis=basis)
    dem = decoder_dem(paper_noise(1e-3).noisy_circuit(exp.circuit), decompose=False)
    return min_weight_lower_bound(dem, max_weight=max_weight,
                                  memory_limit_bytes=memory_limit_bytes)


def main(argv: list[str] | None = None) -> int:
    """Command line: print measured vs published p_L per cycle."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--distance", type=int, default=12, choices=(6, 10, 12))
    ap.add_argument("--p", type=float, default=0.003)
    ap.add_argument("--shots", type=int, default=12_000, help="shots per basis")
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--csv", default=None, help="append each chunk's counts (sinter CSV)")
    ap.add_argument("--distance-search", action="store_true",
                    help="only search an upper bound on the circuit distance (OSD, 1 round)")
    ap.add_argument("--distance-lower-bound", action="store_true",
                    help="only prove a lower bound on the circuit distance (exhaustive search "
                         "up to --max-weight faults, --rounds rounds, default 1)")
    ap.add_argument("--max-weight", type=int, default=7)
    ap.add_argument("--basis", default="ZX", choices=("Z", "X", "ZX"))
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    if args.distance_lower_bound:
        rounds = 1 if args.rounds is None else args.rounds
        for basis in args.basis:
            b = distance_lower_bound(distance=args.distance, rounds=rounds, basis=basis,
                                     max_weight=args.max_weight)
            bound = (f"d_circ >= {b.lower} (no undetectable logical error of <= "
                     f"{args.max_weight} faults)" if b.witness is None else
                     f"d_circ = {b.lower} (none below; one of {b.lower} faults found)")
            print(f"basis {basis}, {rounds} round(s), {b.mechanisms} mechanisms: {bound} in "
                  f"{b.seconds:.1f} s", flush=True)
        return 0
    if args.distance_search:
        for basis in ("Z", "X"):
            w = distance_upper_bound(distance=args.distance, basis=basis, seed=args.seed)
            print(f"basis {basis}: an undetectable logical error of {w} faults (d_circ <= {w})")
        return 0
    out = measure(distance=args.distance, p=args.p, shots=args.shots, rounds=args.rounds,
                  seed=args.seed, csv=args.csv)
    lo, hi = out["ci"]
    print(f"code {memory_experiment('bb', distance=args.distance, rounds=1).resources}")
    for basis, (shots, errors) in out["per_basis"].items():
        print(f"basis {basis}: {errors} / {shots} shots")
    print(f"measured  p_L per cycle = {out['p_L']:.3e}  (95 % [{lo:.3e}, {hi:.3e}])")
    if out["published"] is None:
        print("published: none available here for this (distance, p)")
    else:
        ref, (rlo, rhi) = out["published"]
        print(f"published p_L per cycle = {ref:.3e}  (95 % [{rlo:.3e}, {rhi:.3e}]; "
              f"{PUBLISHED[(args.distance, args.p)][3]})")
        print(f"ratio measured / published = {out['p_L'] / ref:.2f}")
    print(f"decode+sample {out['seconds_per_shot'] * 1e3:.1f} ms per shot; "
          f"{time.perf_counter() - t0:.0f} s in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
