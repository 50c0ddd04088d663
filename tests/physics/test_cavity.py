import math

import numpy as np
import pytest

from physics.cavity import (
    BACKENDS,
    CavityQED,
    EmissionResult,
    adiabatic_efficiency,
    default_pump,
    emit_photon,
)
from physics.pulses import Pulse

TWO_PI = 2 * math.pi
# Rb-like D2 line: γ = 2π × 3 MHz field half-width; κ = 2π × 5 MHz
KAPPA, GAMMA = TWO_PI * 5.0, TWO_PI * 3.0


def cavity_for(c: float, kappa: float = KAPPA, gamma: float = GAMMA, **kw) -> CavityQED:
    return CavityQED(g=math.sqrt(2 * kappa * gamma * c), kappa=kappa, gamma=gamma, **kw)


def test_cooperativity_and_closed_form():
    cav = CavityQED(g=100.0, kappa=50.0, gamma=20.0)
    assert cav.cooperativity == pytest.approx(100.0**2 / (2 * 50.0 * 20.0))
    assert CavityQED(g=1.0, kappa=1.0, gamma=0.0).cooperativity == math.inf
    assert adiabatic_efficiency(1.0) == pytest.approx(2 / 3)
    assert adiabatic_efficiency(0.0) == 0.0
    assert adiabatic_efficiency(math.inf) == 1.0
    assert BACKENDS == ("qutip", "fast")


@pytest.mark.parametrize("c", [0.5, 1.0, 2.0, 5.0, 10.0, 25.0])
def test_adiabatic_efficiency_fast(c):
    r = emit_photon(cavity_for(c))
    assert isinstance(r, EmissionResult)
    assert abs(r.efficiency - adiabatic_efficiency(c)) < 1e-3
    assert r.residual < 1e-4


@pytest.mark.parametrize(("kappa", "gamma", "detuning"), [
    (TWO_PI * 50, TWO_PI * 5, 0.0),    # fast cavity
    (TWO_PI * 5, TWO_PI * 50, 0.0),    # fast atom: adiabaticity limited by κ
    (TWO_PI * 20, TWO_PI * 6, TWO_PI * 10),  # detuned: η_ad independent of Δ
])
def test_adiabatic_efficiency_other_regimes(kappa, gamma, detuning):
    for c in (0.5, 25.0):
        cav = cavity_for(c, kappa, gamma, detuning=detuning)
        r = emit_photon(cav)
        assert abs(r.efficiency - adiabatic_efficiency(c)) < 1e-3
        assert r.residual < 1e-4


@pytest.mark.parametrize("c", [1.0, 10.0])
def test_qutip_matches_fast(c):
    cav = cavity_for(c, kappa=TWO_PI * 20, gamma=TWO_PI * 6)
    fast = emit_photon(cav, backend="fast", n_times=101)
    ref = emit_photon(cav, backend="qutip", n_times=101)
    assert abs(fast.efficiency - ref.efficiency) <= 1e-4
    assert abs(fast.spontaneous_loss - ref.spontaneous_loss) <= 1e-4
    assert abs(fast.residual - ref.residual) <= 1e-4
    np.testing.assert_allclose(fast.times, ref.times)
    assert np.max(np.abs(fast.flux - ref.flux)) <= 1e-4 * np.max(fast.flux)


def test_qutip_matches_fast_nonadiabatic_gaussian_and_fock3():
    # short, strong Gaussian pump: far from adiabatic, with a detuning and n_fock = 3
    cav = CavityQED(g=100.0, kappa=50.0, gamma=10.0, n_fock=3, detuning=20.0)
    pump = Pulse(amplitude=200.0, center=0.0, width=0.2)
    fast = emit_photon(cav, pump, n_times=51)
    ref = emit_photon(cav, pump, backend="qutip", n_times=51)
    assert abs(fast.efficiency - ref.efficiency) <= 1e-4
    assert fast.efficiency < adiabatic_efficiency(cav.cooperativity) - 1e-3


def test_flux_integrates_to_efficiency_and_probability_conserved():
    cav = cavity_for(2.0)
    r = emit_photon(cav, n_times=801)
    assert r.times.shape == r.flux.shape == (801,)
    assert np.all(r.flux >= 0)
    assert np.trapezoid(r.flux, r.times) == pytest.approx(r.efficiency, abs=1e-5)
    assert r.efficiency + r.spontaneous_loss + r.residual == pytest.approx(1.0, abs=1e-8)
    # no photon left in the cavity at the end
    assert r.flux[-1] / (2 * cav.kappa) < 1e-10


def test_gamma_zero_gives_unit_efficiency():
    r = emit_photon(CavityQED(g=100.0, kappa=50.0, gamma=0.0))
    assert r.efficiency == pytest.approx(1.0, abs=1e-4)
    assert r.spontaneous_loss == 0.0


def test_efficiency_increases_with_cooperativity():
    etas = [emit_photon(cavity_for(c)).efficiency for c in (0.2, 0.5, 1.0, 3.0, 10.0)]
    assert np.all(np.diff(etas) > 0)


def test_efficiency_never_exceeds_adiabatic_limit():
    # exact identity η(1 + 1/2C) = 1 − residual − (2γ/g²)∫|ċ|² ⇒ η ≤ 2C/(2C+1) for any pump
    rng = np.random.default_rng(7)
    cav = CavityQED(g=80.0, kappa=40.0, gamma=20.0)
    bound = adiabatic_efficiency(cav.cooperativity)
    for _ in range(5):
        pump = Pulse(amplitude=float(rng.uniform(20, 400)), center=0.0,
                     width=float(rng.uniform(0.02, 1.0)), shape="sin2")
        r = emit_photon(cav, pump, n_times=11)
        assert r.efficiency <= bound + 1e-9
        assert r.efficiency + r.spontaneous_loss + r.residual == pytest.approx(1.0, abs=1e-8)


def test_default_pump_shape_and_duration():
    cav = cavity_for(5.0)
    pump = default_pump(cav)
    assert pump.shape == "flattop" and pump.support[0] == pytest.approx(0.0)
    short = default_pump(cav, duration=pump.width / 4)
    assert short.width == pytest.approx(pump.width / 4)
    r_short = emit_photon(cav, short)
    r_long = emit_photon(cav, pump)
    # shorter pumps are less adiabatic
    assert r_short.efficiency < r_long.efficiency
    with pytest.raises(ValueError, match="duration"):
        default_pump(cav, duration=1e-6)
    with pytest.raises(ValueError, match="duration"):
        default_pump(cav, duration=-1.0)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"g": 0.0, "kappa": 1.0, "gamma": 1.0}, "g"),
    ({"g": 1.0, "kappa": -1.0, "gamma": 1.0}, "kappa"),
    ({"g": 1.0, "kappa": 1.0, "gamma": -0.1}, "gamma"),
    ({"g": 1.0, "kappa": 1.0, "gamma": math.nan}, "gamma"),
    ({"g": 1.0, "kappa": 1.0, "gamma": 1.0, "n_fock": 1}, "n_fock"),
    ({"g": 1.0, "kappa": 1.0, "gamma": 1.0, "detuning": math.inf}, "detuning"),
])
def test_cavity_validation(kwargs, field):
    with pytest.raises(ValueError, match=field):
        CavityQED(**kwargs)


def test_bad_backend_and_n_times():
    cav = cavity_for(1.0)
    with pytest.raises(ValueError, match="qutip, fast"):
        emit_photon(cav, backend="numba")
    with pytest.raises(ValueError, match="n_times"):
        emit_photon(cav, n_times=1)
    with pytest.raises(ValueError, match="cooperativity"):
        adiabatic_efficiency(-1.0)
