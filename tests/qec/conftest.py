"""Shared checks of the logical-experiment tests: GF(2) rank and deterministic-parity
coverage of a circuit's detectors and observables (fixtures returning the functions)."""

import numpy as np
import pytest
import stim


def gf2_rank(rows: np.ndarray) -> int:
    a = rows.astype(np.uint8) % 2
    rank = 0
    for col in range(a.shape[1]):
        nonzero = np.nonzero(a[rank:, col])[0]
        if nonzero.size == 0:
            continue
        pivot = rank + nonzero[0]
        a[[rank, pivot]] = a[[pivot, rank]]
        mask = a[:, col].astype(bool)
        mask[rank] = False
        a[mask] ^= a[rank]
        rank += 1
        if rank == a.shape[0]:
            break
    return rank


def parity_rows(circuit: stim.Circuit) -> tuple[np.ndarray, list[str]]:
    """One row per DETECTOR / OBSERVABLE_INCLUDE over the absolute measurement records."""
    rows, names, n = [], [], 0
    for inst in circuit.flattened():
        if inst.name in ("DETECTOR", "OBSERVABLE_INCLUDE"):
            row = np.zeros(circuit.num_measurements, np.uint8)
            for t in inst.targets_copy():
                row[n + t.value] ^= 1
            rows.append(row)
            names.append(inst.name)
        elif stim.gate_data(inst.name).produces_measurements:
            n += len(inst.targets_copy())
    return np.array(rows), names


def deterministic_coverage(circuit: stim.Circuit) -> tuple[int, int, int]:
    """(deterministic parities, rank of the detectors, rank of detectors + observables).

    The noiseless measurement records span an affine space; its directions (the random
    outcomes) come from sampling, and every parity orthogonal to them is deterministic.
    """
    samples = circuit.compile_sampler(seed=5).sample(2000).astype(np.uint8)
    random_bits = gf2_rank(samples ^ samples[0])
    rows_arr, names = parity_rows(circuit)
    dets = rows_arr[[k == "DETECTOR" for k in names]]
    return circuit.num_measurements - random_bits, gf2_rank(dets), gf2_rank(rows_arr)



def observable_only(circuit: stim.Circuit, k: int) -> stim.Circuit:
    """``circuit`` with only observable ``k`` kept (its distance alone)."""
    out = stim.Circuit()
    for inst in circuit:
        if inst.name == "OBSERVABLE_INCLUDE" and inst.gate_args_copy()[0] != k:
            continue
        out.append(inst)
    return out


@pytest.fixture(name="gf2_rank")
def _gf2_rank_fixture():
    return gf2_rank


@pytest.fixture(name="deterministic_coverage")
def _coverage_fixture():
    return deterministic_coverage


@pytest.fixture(name="parity_rows")
def _parity_rows_fixture():
    return parity_rows


@pytest.fixture(name="observable_only")
def _observable_only_fixture():
    return observable_only
