"""Logical operations on the device (``twin.studies.logical``, ``quantacore logical``): costs by
closed form, seeded and resumable counts, the surgery/transversal crossover along a sweep, the
report, and bad input."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from physics import REFERENCE_DEVICE, extract_operations
from twin.cli import main
from twin.device.noise_map import modular_noise
from twin.studies.logical import EXPERIMENTS, VARIANTS, build_experiment, run_logical
from twin.studies.logical_summary import summaries


def test_costs_follow_from_the_circuits():
    # transversal: d² remote gates per CNOT; shared surgery: none; per-patch surgery: its seam
    # (2d − 1 per merge round, two merges of d rounds for the CNOT); memory: all local
    d = 3
    t = build_experiment("transversal-cnot", d, "X")
    assert t.rounds == 2 * d and t.remote_gates == d * d
    shared = build_experiment("surgery-cnot", d, "bell-Z")
    assert shared.remote_gates == 0 and shared.local_gates > 0
    per = build_experiment("surgery-cnot", d, "bell-Z", architecture="per-patch")
    assert per.remote_gates == 2 * d * (2 * d - 1)
    assert per.local_gates + per.remote_gates == shared.local_gates
    mem = build_experiment("memory", d, "Z")
    assert mem.remote_gates == 0 and mem.local_gates == 4 * d * (d - 1) * d  # per round 4d(d−1)
    with pytest.raises(ValueError, match="architecture"):
        build_experiment("surgery-zz", 3, architecture="ring")
    with pytest.raises(ValueError, match="variant"):
        build_experiment("ghz", 3, "Y")
    with pytest.raises(ValueError, match="distance"):
        build_experiment("memory", 4)


def test_rows_carry_resources_heralds_and_time_and_are_seeded(tmp_path):
    ext = extract_operations(REFERENCE_DEVICE)
    erasure = modular_noise(ext).gate_2q.erasure
    kw = dict(experiments=["memory", "transversal-cnot"], distances=[3], max_shots=600,
              max_errors=50, seed=5)
    res = run_logical(REFERENCE_DEVICE, save_resume=str(tmp_path / "a.csv"), **kw)
    again = run_logical(REFERENCE_DEVICE, save_resume=str(tmp_path / "b.csv"), **kw)
    assert [(r.rate.shots, r.rate.errors) for r in res.rows] == \
        [(r.rate.shots, r.rate.errors) for r in again.rows]
    assert {(r.experiment, r.variant) for r in res.rows} == \
        {(e, v) for e in kw["experiments"] for v in VARIANTS[e]}
    layer = REFERENCE_DEVICE.timing.layer_time
    for r in res.rows:
        b = build_experiment(r.experiment, 3, r.variant)
        ticks = sum(1 for i in b.circuit.flattened() if i.name == "TICK")
        assert r.duration_us == pytest.approx(ticks * layer)
        assert r.heralds_per_shot == pytest.approx(r.remote_gates * erasure)
        assert r.decoder == "mwpm-correlated" and 0 < r.rate.shots <= 600
    mem = [r for r in res.rows if r.experiment == "memory"]
    assert all(r.remote_gates == 0 and r.heralds_per_shot == 0 for r in mem)
    # resuming from the CSV adds nothing: the budget is already spent
    text = (tmp_path / "a.csv").read_text()
    run_logical(REFERENCE_DEVICE, save_resume=str(tmp_path / "a.csv"), **kw)
    assert (tmp_path / "a.csv").read_text() == text
    for s in summaries(res.rows):
        assert s["fidelity"][0] <= s["fidelity"][1]
        assert s["interval"][0] <= s["per_operation"] <= s["interval"][1]


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.refs += [v for k, v in attrs if k in ("src", "href") and v]


def test_cli_reports_the_surgery_transversal_crossover(tmp_path, capsys):
    # below threshold locally (local gate error 0.1 %), the link lengthened: the transversal
    # CNOT's d² remote gates degrade, the shared-module surgery (all local) does not, so the
    # two cross inside the sweep (python -m twin ... measured 0.29 km [0.24, 0.35] at d = 3)
    out = tmp_path / "lg"
    code = main(["logical", "surgery-cnot", "transversal-cnot", "--distances", "3",
                 "--set", "node.local_gate_error=0.001",
                 "--sweep", "link.length_km=0.05,0.5,1", "--max-shots", "4000",
                 "--max-errors", "100", "--seed", "3", "--quiet", "--out", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    line = next(ln for ln in text.splitlines() if ln.startswith("crossover"))
    value = float(line.split("= ")[1].split()[0])
    assert 0.05 < value < 1.0
    data = json.loads((out / "logical.json").read_text())
    c = data["crossovers"]["3"]
    assert c["crossed"] > 0.9 and c["interval"][0] <= c["value"] <= c["interval"][1]
    # at the short link the transversal CNOT wins, at the long one the surgery
    rows = data["rows"]

    def op(exp, km):
        return sum(r["per_operation"] for r in rows
                   if r["experiment"] == exp and r["point"]["link.length_km"] == km)

    assert op("transversal-cnot", 0.05) < op("surgery-cnot", 0.05)
    assert op("transversal-cnot", 1.0) > op("surgery-cnot", 1.0)
    page = (out / "logical.html").read_text()
    assert "quantacore logical surgery-cnot" in page and "link.length_km" in page
    parser = _Refs()
    parser.feed(page)
    assert parser.refs and all(r.startswith("data:image/png;base64,") or (out / r).exists()
                               for r in parser.refs)
    assert (out / "logical_sweep.png").stat().st_size > 1000


@pytest.mark.parametrize("argv, needle", [
    (["logical", "teleport"], "experiment 'teleport'"),
    (["logical", "memory", "--distances", "4"], "--distances"),
    (["logical", "memory", "--sweep", "link.length_km=1"], "--sweep"),
    (["logical", "memory", "--sweep", "length=1,2"], "--sweep"),
    (["logical", "memory", "--sweep", "link.length_km=-1,2"], "length_km"),
    (["logical", "memory", "--decoder", "magic"], "--decoder"),
    (["logical", "memory", "--max-shots", "0"], "--max-shots"),
])
def test_bad_input_is_one_line_and_exit_2(argv, needle, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0]


def test_every_experiment_builds_at_d3_with_its_variants():
    for name in EXPERIMENTS:
        for v in VARIANTS[name]:
            b = build_experiment(name, 3, v)
            assert b.circuit.num_observables >= 1
            assert not b.circuit.compile_detector_sampler(seed=1).sample(4).any()
    assert Path(__file__).exists()


def test_projection_fits_lambda_and_extrapolates_the_cost_exactly():
    # synthetic runs with ε_d = 0.1/Λ^((d+1)/2), Λ = 10: ε ≤ 1e-6 first at d = 9; the cost at
    # d = 9 from the d = 3, 5, 7 builds equals the d = 9 circuit's own
    from qec.stats import logical_rate
    from twin.studies.logical import LogicalRow
    from twin.studies.logical_summary import projections

    shots = 10**7
    rows = []
    for d in (3, 5, 7):
        b = build_experiment("surgery-cnot", d, "bell-Z")
        ticks = sum(1 for i in b.circuit.flattened() if i.name == "TICK")
        errors = round(shots * 0.1 / 10 ** ((d + 1) / 2))
        rows.append(LogicalRow("surgery-cnot", "bell-Z", d, "mwpm", {},
                               logical_rate(shots=shots, errors=errors, rounds=b.rounds),
                               b.qubits, b.remote_gates, b.local_gates, 0.0, 27.0 * ticks, 0.0))
    (p,) = projections(rows, target=1e-6, seed=1)
    assert p["lam"] == pytest.approx(10, rel=1e-3) and p["distance"] == 9
    lo, hi = p["distance_range"]
    assert lo <= 9 <= hi
    b9 = build_experiment("surgery-cnot", 9, "bell-Z")
    ticks9 = sum(1 for i in b9.circuit.flattened() if i.name == "TICK")
    assert p["qubits"] == b9.qubits and p["remote_gates"] == b9.remote_gates
    assert p["duration_us"] == pytest.approx(27.0 * ticks9)
    with pytest.raises(ValueError, match="target"):
        projections(rows, target=0.7)


def test_cli_zne_prints_and_writes_the_mitigated_parity(capsys):
    # the reference device's d = 3 GHZ parity is biased by ~13 %; stretched through the
    # physics and extrapolated, the bias is several times smaller and +1 is inside
    code = main(["logical", "memory", "--distances", "3", "--zne", "stretch", "--max-shots",
                 "40000", "--max-errors", "20", "--seed", "11", "--quiet", "--json"])
    assert code == 0
    z = json.loads(capsys.readouterr().out)["zne"]
    assert z["method"] == "stretch" and z["total_shots"] == 40000 and z["exact"] == 1
    assert abs(z["unmitigated"]["bias"]) >= 0.1
    assert abs(z["mitigated"]["bias"]) * 3 <= abs(z["unmitigated"]["bias"])
    lo, hi = z["mitigated"]["interval"]
    assert lo <= 1.0 <= hi


def test_cli_zne_without_mitiq_is_one_line_before_any_work(monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "mitiq" else real(name, *a))
    assert main(["logical", "memory", "--distances", "3", "--zne", "stretch"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install -e '.[mitigation]'" in err[0]
