"""The transmon ladder feeds ladder STIRAP: scqubits levels → ThreeLevelSystem + pulses."""

import numpy as np

from physics import TransmonLadder, simulate_stirap


def test_transmon_ladder_stirap_transfers_and_decay_stays_in_the_ladder():
    tr = TransmonLadder(EJ=20.0, EC=0.25)
    pulses = tr.ladder_pulses(amplitude=2 * np.pi * 80, width=0.1, delay=0.1)
    effs = []
    for t1 in (1e9, 200.0, 50.0):  # µs
        res = simulate_stirap(tr.three_level(t1=t1), pulses, backend="numba")
        assert abs(res.loss) < 1e-9  # ladder decay returns to lower levels: no trace loss
        effs.append(res.efficiency)
    assert effs[0] > 0.999  # adiabatic transfer 0 → 2 without decay
    assert effs[0] > effs[1] > effs[2] > 0.97  # T1 decay during the passage costs transfer
