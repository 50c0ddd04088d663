"""Tests for physics.transmon: transmon ladder from scqubits."""

import math

import numpy as np
import pytest

from physics.levels import ThreeLevelSystem
from physics.pulses import StirapPulses
from physics.transmon import TransmonLadder

TO_RAD = 2 * math.pi * 1e3  # GHz → rad/µs
EC = 0.25
TR = TransmonLadder(EJ=50 * EC, EC=EC)


def test_frequencies_shape_and_order():
    w = TR.frequencies
    assert w.shape == (3,)
    assert w[0] == 0.0
    assert 0 < w[1] < w[2]


def test_omega01_transmon_limit():
    w01 = TR.frequencies[1]
    assert w01 == pytest.approx((math.sqrt(8 * TR.EJ * EC) - EC) * TO_RAD, rel=0.01)


def test_anharmonicity_transmon_limit():
    alpha = TR.anharmonicity
    assert alpha < 0
    # leading order −EC; at EJ/EC = 50 the next orders (ξ = √(2EC/EJ) = 0.2) add ~15 %:
    # α ≈ −EC (1 + 9ξ/16 + 81ξ²/128)  (Didier et al., PRA 97, 022330 (2018))
    xi = math.sqrt(2 * EC / TR.EJ)
    assert alpha == pytest.approx(-EC * (1 + 9 * xi / 16 + 81 * xi**2 / 128) * TO_RAD, rel=0.03)
    assert alpha == pytest.approx(-EC * TO_RAD, rel=0.2)
    deep = TransmonLadder(EJ=500 * EC, EC=EC)
    assert deep.anharmonicity == pytest.approx(-EC * TO_RAD, rel=0.05)


def test_matrix_element_ratio_transmon_limit():
    assert TR.matrix_element_ratio == pytest.approx(math.sqrt(2), rel=0.04)
    deep = TransmonLadder(EJ=500 * EC, EC=EC)
    assert abs(deep.matrix_element_ratio - math.sqrt(2)) < abs(TR.matrix_element_ratio
                                                               - math.sqrt(2))


def test_cpb_regime_differs():
    cpb = TransmonLadder(EJ=1.0, EC=1.0, ng=0.25)
    assert cpb.anharmonicity / (-EC * TO_RAD) > 1.5 or cpb.anharmonicity > 0


def test_three_level_rates():
    t1, t_phi = 50.0, 80.0
    sys = TR.three_level(t1=t1, t_phi=t_phi, detuning_1ph=1.5, detuning_2ph=-0.2)
    assert isinstance(sys, ThreeLevelSystem)
    assert sys.kind == "ladder"
    assert sys.loss_fraction == 0.0
    assert sys.gamma == pytest.approx(1 / t1)
    assert sys.gamma_top == pytest.approx(TR.matrix_element_ratio**2 / t1)
    assert sys.dephasing == pytest.approx(1 / t_phi)
    assert sys.detuning_1ph == 1.5 and sys.detuning_2ph == -0.2
    assert sys.sink_rate == 0.0
    explicit = TR.three_level(t1=t1, t1_top=20.0)
    assert explicit.gamma_top == pytest.approx(1 / 20.0)
    assert explicit.dephasing == 0.0


@pytest.mark.parametrize(("kw", "field"), [({"t1": 0.0}, "t1"), ({"t1": 1.0, "t1_top": -1.0},
                                            "t1_top"), ({"t1": 1.0, "t_phi": 0.0}, "t_phi")])
def test_three_level_validation(kw, field):
    with pytest.raises(ValueError, match=field):
        TR.three_level(**kw)


def test_ladder_pulses_scaled_stokes():
    p = TR.ladder_pulses(amplitude=20.0, width=0.05, delay=0.04)
    assert isinstance(p, StirapPulses)
    assert p.pump.amplitude == 20.0
    assert p.stokes.amplitude == pytest.approx(20.0 * TR.matrix_element_ratio)
    assert p.delay == pytest.approx(0.04)
    assert p.stokes.center < p.pump.center
    s = TR.ladder_pulses(amplitude=1.0, width=0.1, delay=0.05, shape="sin2")
    assert s.pump.shape == "sin2" == s.stokes.shape


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"EJ": 0.0}, "EJ"), ({"EC": -1.0}, "EC"), ({"ng": float("nan")}, "ng"),
     ({"ncut": 2}, "ncut"), ({"ncut": 10.5}, "ncut")],
)
def test_validation(kwargs, field):
    args = {"EJ": 12.5, "EC": 0.25} | kwargs
    with pytest.raises(ValueError, match=field):
        TransmonLadder(**args)


def test_spectrum_cached_and_ng_insensitive_in_transmon_limit():
    a = TransmonLadder(EJ=12.5, EC=0.25, ng=0.0)
    b = TransmonLadder(EJ=12.5, EC=0.25, ng=0.5)
    assert np.allclose(a.frequencies, TR.frequencies)
    assert b.frequencies[1] == pytest.approx(a.frequencies[1], rel=1e-4)


def test_scqubits_hilbertspace_matches_direct_diagonalisation():
    """scqubits' HilbertSpace works with the installed qutip (scqubits issue #320: qutip 5.3.1
    broke it; pyproject excludes that version) and its dressed spectrum equals a direct
    diagonalisation of H = H_transmon + H_osc + g (n ⊗ a† + n ⊗ a) in the bare eigenbases."""
    import scqubits

    scqubits.settings.PROGRESSBAR_DISABLED = True
    dim_t, dim_o, g = 4, 4, 0.15
    tmon = scqubits.Transmon(EJ=20.0, EC=0.3, ng=0.0, ncut=15, truncated_dim=dim_t)
    osc = scqubits.Oscillator(E_osc=6.0, truncated_dim=dim_o)
    hs = scqubits.HilbertSpace([tmon, osc])
    hs.add_interaction(g_strength=g, op1=tmon.n_operator, op2=osc.creation_operator,
                       add_hc=True)
    dressed = hs.eigenvals(evals_count=dim_t * dim_o)

    e_t, vecs = tmon.eigensys(evals_count=dim_t)
    n_t = vecs.conj().T @ tmon.n_operator() @ vecs
    e_o = 6.0 * np.arange(dim_o)
    a = np.diag(np.sqrt(np.arange(1, dim_o)), 1)
    h = (np.kron(np.diag(e_t), np.eye(dim_o)) + np.kron(np.eye(dim_t), np.diag(e_o))
         + g * (np.kron(n_t, a.T) + np.kron(n_t.conj().T, a)))
    direct = np.linalg.eigvalsh(h)
    np.testing.assert_allclose(np.sort(dressed), direct, atol=1e-8)
    # the coupling shifts levels (a test that a zero g would fail)
    bare = np.sort(np.add.outer(e_t, e_o).ravel())
    assert np.max(np.abs(direct - bare)) > 1e-3
