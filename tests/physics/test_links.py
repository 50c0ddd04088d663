import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from physics.channel import Channel
from physics.links import SCHEMES, LinkResult, PhotonicLink, link_channel

PERFECT = dict(length_km=0.0, attenuation_db_per_km=0.0, coupling_efficiency=1.0,
               detector_efficiency=1.0, dark_count_probability=0.0, mode_overlap=1.0)


def make(**kw) -> PhotonicLink:
    return PhotonicLink(**{**PERFECT, **kw})


def test_transmission_closed_form():
    link = make(length_km=10.0, attenuation_db_per_km=0.2, coupling_efficiency=0.8,
                detector_efficiency=0.9)
    assert link.fibre_transmission == pytest.approx(10 ** -0.2)
    assert link.transmission == pytest.approx(10 ** -0.2 * 0.8 * 0.9)
    assert make().transmission == 1.0
    assert PhotonicLink().transmission < 1.0  # defaults are a lossy real link


@pytest.mark.parametrize("n", [1, 3, 10])
def test_loss_probability_geometric(n):
    link = make(length_km=5.0, attenuation_db_per_km=0.5, coupling_efficiency=0.7)
    res = link_channel(link, emission_efficiency=0.6, max_attempts=n)
    p = 0.6 * link.transmission
    assert isinstance(res, LinkResult)
    assert res.success_probability == pytest.approx(p)
    assert res.channel.p_loss == pytest.approx((1 - p) ** n)
    assert res.expected_attempts == pytest.approx((1 - (1 - p) ** n) / p)
    two = link_channel(link, emission_efficiency=0.6, scheme="two-photon", max_attempts=n)
    assert two.success_probability == pytest.approx(p**2 / 2)
    assert two.channel.p_loss == pytest.approx((1 - p**2 / 2) ** n)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_pure_erasure_without_dark_counts_and_mismatch(scheme):
    res = link_channel(make(coupling_efficiency=0.5), emission_efficiency=0.9, scheme=scheme,
                       max_attempts=2)
    ch = res.channel
    assert ch.heralded
    assert ch.px == ch.py == ch.pz == 0.0
    assert 0 < ch.p_loss < 1


@pytest.mark.parametrize("scheme", SCHEMES)
def test_dark_counts_give_depolarizing_part(scheme):
    res = link_channel(make(coupling_efficiency=0.3, dark_count_probability=1e-3),
                       emission_efficiency=0.8, scheme=scheme, max_attempts=5)
    ch, f = res.channel, res.figures
    assert ch.px > 0
    assert ch.px == pytest.approx(ch.py) and ch.px == pytest.approx(ch.pz)
    assert ch.px == pytest.approx(f["p_false_herald"] / 4)
    assert f["p_true"] + f["p_false_herald"] + f["p_loss"] == pytest.approx(1.0)
    d = 1 - (1 - 1e-3) ** 2
    eta = 0.8 * 0.3
    if scheme == "single-photon":
        assert f["p_false_per_attempt"] == pytest.approx((1 - eta) * d)
    # more dark counts -> more false heralds
    worse = link_channel(make(coupling_efficiency=0.3, dark_count_probability=1e-2),
                         emission_efficiency=0.8, scheme=scheme, max_attempts=5)
    assert worse.channel.px > ch.px


def test_mode_mismatch_dephasing():
    v = 0.9
    two = link_channel(make(mode_overlap=v), emission_efficiency=1.0, scheme="two-photon",
                       max_attempts=200)
    # p = 1/2 per attempt: after 200 attempts the loss is negligible
    assert two.channel.p_loss < 1e-50
    assert two.channel.pz == pytest.approx((1 - v) / 2)
    assert two.channel.px == 0.0 and two.channel.py == 0.0
    one = link_channel(make(mode_overlap=v), emission_efficiency=1.0)
    assert one.channel.p_loss == pytest.approx(0.0)
    assert one.channel.pz == pytest.approx((1 - math.sqrt(v)) / 2)
    # with loss, dephasing applies to the heralded part only (unconditional probability)
    lossy = link_channel(make(mode_overlap=v, coupling_efficiency=0.5), emission_efficiency=1.0,
                         scheme="two-photon")
    assert lossy.channel.pz == pytest.approx((1 - lossy.channel.p_loss) * (1 - v) / 2)


def test_figures_json_friendly():
    res = link_channel(PhotonicLink(), emission_efficiency=0.95, scheme="two-photon",
                       max_attempts=10)
    json.dumps(res.figures)
    assert all(isinstance(v, float) for v in res.figures.values())
    assert res.figures["transmission"] == pytest.approx(PhotonicLink().transmission)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"length_km": -1.0}, "length_km"),
    ({"attenuation_db_per_km": math.nan}, "attenuation_db_per_km"),
    ({"coupling_efficiency": 1.3}, r"coupling_efficiency = 1.3: must be in \[0, 1\]"),
    ({"detector_efficiency": -0.1}, "detector_efficiency"),
    ({"dark_count_probability": 2.0}, "dark_count_probability"),
    ({"mode_overlap": 1.01}, "mode_overlap"),
])
def test_link_validation(kwargs, field):
    with pytest.raises(ValueError, match=field):
        PhotonicLink(**kwargs)


def test_link_channel_bad_inputs():
    link = PhotonicLink()
    with pytest.raises(ValueError, match="emission_efficiency"):
        link_channel(link, emission_efficiency=1.5)
    with pytest.raises(ValueError, match="single-photon, two-photon"):
        link_channel(link, emission_efficiency=0.5, scheme="three-photon")
    with pytest.raises(ValueError, match="max_attempts"):
        link_channel(link, emission_efficiency=0.5, max_attempts=0)
    with pytest.raises(TypeError):
        link_channel(link, 0.5)  # keyword-only


prob = st.floats(0.0, 1.0, allow_nan=False)


@settings(max_examples=50, deadline=None, derandomize=True)
@given(length=st.floats(0.0, 200.0), att=st.floats(0.0, 20.0), coupling=prob, det=prob,
       dark=prob, overlap=prob, eta_em=prob, scheme=st.sampled_from(SCHEMES),
       n=st.integers(1, 10_000))
def test_channel_bounds_property(length, att, coupling, det, dark, overlap, eta_em, scheme, n):
    link = PhotonicLink(length, att, coupling, det, dark, overlap)
    res = link_channel(link, emission_efficiency=eta_em, scheme=scheme, max_attempts=n)
    ch = res.channel
    assert isinstance(ch, Channel) and ch.heralded
    for p in (ch.px, ch.py, ch.pz, ch.p_loss, res.success_probability):
        assert 0.0 <= p <= 1.0
    assert ch.px + ch.py + ch.pz + ch.p_loss <= 1.0 + 1e-12
    assert 1.0 <= res.expected_attempts <= n
    assert all(math.isfinite(v) for v in res.figures.values())
