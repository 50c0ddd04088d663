"""Behaviour preserved: the telemetry of every built-in scenario (none, periodic, ai, oracle),
a Gymnasium episode, a sweep and ``extract --json`` hash as they did before twin/ was split
(``bench/behaviour.py``; the reference was recorded on the commit before the move)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import behaviour  # noqa: E402


@pytest.mark.slow
def test_every_hash_is_the_recorded_one():
    reference = json.loads(behaviour.REFERENCE.read_text(encoding="utf-8"))
    if behaviour.machine_info() != reference["machine"]:
        pytest.skip(f"reference recorded on {reference['machine']}; floats written with repr "
                    "differ in the last bit across CPUs and stim SIMD widths")
    hashes = behaviour.fingerprint()
    assert set(hashes) == set(reference["hashes"])
    assert behaviour.check(reference, hashes) == []


def test_a_changed_hash_is_reported():
    reference = {"hashes": {"run/x/none": "a" * 64, "extract": "b" * 64}}
    assert behaviour.check(reference, {"run/x/none": "a" * 64, "extract": "c" * 64}) == [
        f"extract: {'c' * 12} now, {'b' * 12} in the reference"]
