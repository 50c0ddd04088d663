"""The device schema: defaults, dotted paths, overrides, round trip and clear errors."""

import math

import pytest

from physics.device import (
    REFERENCE_DEVICE,
    device_from_dict,
    device_to_dict,
    parameter_paths,
    with_overrides,
)


def test_round_trip_through_dict():
    assert device_from_dict(device_to_dict(REFERENCE_DEVICE)) == REFERENCE_DEVICE


def test_every_path_is_settable_to_its_own_value():
    values = device_to_dict(REFERENCE_DEVICE)
    for path in parameter_paths():
        section, key = path.split(".")
        assert with_overrides(REFERENCE_DEVICE, {path: values[section][key]}) == REFERENCE_DEVICE


def test_override_changes_only_its_parameter():
    dev = with_overrides(REFERENCE_DEVICE, {"cavity.g": 150, "laser.shape": "sin2"})
    assert dev.cavity.g == 150.0 and isinstance(dev.cavity.g, float)
    assert dev.laser.shape == "sin2"
    assert dev.cavity.kappa == REFERENCE_DEVICE.cavity.kappa
    assert dev.link == REFERENCE_DEVICE.link


def test_reference_cooperativity_is_high_but_realistic():
    d = REFERENCE_DEVICE
    c = d.cavity.g**2 / (2 * d.cavity.kappa * d.atom.decay_rate / 2)
    assert 5 < c < 200
    assert math.isclose(d.atom.decay_rate, 2 * math.pi * 6.0666)  # Steck rev. 2.x


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"cavty": {"g": 1.0}}, "unknown section 'cavty' (did you mean cavity"),
        ({"cavity": {"q": 1.0}}, "unknown key 'cavity.q'"),
        ({"cavity": {"g": -1.0}}, "cavity.g = -1.0: must be > 0"),
        ({"cavity": {"g": "big"}}, "cavity.g = 'big': must be of type float"),
        ({"cavity": {"n_fock": 2.5}}, "cavity.n_fock = 2.5: must be of type int"),
        ({"cavity": {"n_fock": 1}}, "cavity.n_fock = 1: must be an integer >= 2"),
        ({"link": {"detector_efficiency": 1.5}}, "link.detector_efficiency = 1.5"),
        ({"readout": {"dark_count_probability": -0.1}}, "readout.dark_count_probability"),
        ({"memory": {"t2": 3e6}}, "memory.t2 = 3000000.0: must be in (0, 2·t1"),
        ({"laser": {"shape": "square"}}, "laser.shape = 'square': must be one of gaussian"),
        ({"gate2q": {"scheme": "magic"}}, "gate2q.scheme = 'magic'"),
        ({"cat": {"alpha_sq": 20.0, "n_fock": 10}}, "cat.n_fock"),
        ({"cavity": 3}, "cavity = 3: must be a table"),
    ],
)
def test_bad_values_name_path_value_and_range(data, fragment):
    with pytest.raises(ValueError) as info:
        device_from_dict(data)
    assert fragment in str(info.value)


def test_bad_override_path_suggests_nearest():
    with pytest.raises(ValueError, match=r"did you mean cavity\.kappa"):
        with_overrides(REFERENCE_DEVICE, {"cavity.kapa": 1.0})
    with pytest.raises(ValueError, match="section.key"):
        with_overrides(REFERENCE_DEVICE, {"kappa": 1.0})
