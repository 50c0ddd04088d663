"""``quantacore compare`` and ``quantacore sweep`` end to end in temporary folders."""

import json

import pytest

from twin.cli import main

SWEEP = """\
codes = ["surface"]
distances = [3]
decoders = ["mwpm"]
bases = ["Z"]
max_shots = {shots}
max_errors = 1000000
[noise]
kind = "uniform"
p = [0.004, 0.008]
"""


def _csv_rows(path):
    return [ln for ln in path.read_text().splitlines() if ln.strip()]


def test_compare_json_and_outputs(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["compare", "--codes", "surface", "repetition", "--distances", "3", "5",
                 "--max-shots", "2000", "--json", "--quiet", "--out", str(out)])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    rows = data["results"]
    assert {(r["code"], r["distance"]) for r in rows} == {
        ("surface", 3), ("surface", 5), ("repetition", 3), ("repetition", 5)}
    for r in rows:
        assert {"code", "distance", "decoder", "shots", "errors", "ler_per_round",
                "ler_ci"} <= set(r)
        assert r["ler_ci"][0] <= r["ler_per_round"] <= r["ler_ci"][1]
        assert r["shots"] == 2000
    summary = {(s["code"], s["decoder"]) for s in data["summary"]}
    assert summary == {(c, d) for c in ("surface", "repetition")
                       for d in ("mwpm", "mwpm-erasure")}
    for name in ("compare.json", "compare_ler.png", "compare.html"):
        assert (out / name).stat().st_size > 0
    assert "data:image/png;base64" in (out / "compare.html").read_text()


def test_compare_table(capsys):
    assert main(["compare", "--codes", "xzzx", "--distances", "3", "--max-shots", "500",
                 "--basis", "Z", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "xzzx" in out and "Λ" in out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--codes", "toric"], "code = 'toric': must be one of surface, xzzx"),
        (["--distances", "4"], "distance = 4: must be an odd integer >= 3"),
        (["--distances", "1"], "distance = 1"),
        (["--distances", "three"], "'three' is not an integer"),
        (["--decoders", "magic"], "decoder = 'magic': must be one of mwpm"),
        (["--max-shots", "0"], "--max-shots = 0: must be >= 1"),
        (["--rounds", "0"], "--rounds = 0: must be an integer >= 1 or d"),
        (["--rounds", "many"], "--rounds = 'many': must be an integer >= 1 or d"),
        (["--rounds", "100000"], "--rounds = 100000: must be an integer >= 1 or d"),
        (["--set", "link.detector_efficiency=1.5"], "link.detector_efficiency = 1.5"),
        (["--set", "cat.readout_efficiency=1.5"], "cat.readout_efficiency = 1.5: must be in"),
        (["--set", "cat.readout_time=-1"], "cat.readout_time = -1"),
    ],
)
def test_compare_bad_input(capsys, args, fragment):
    assert main(["compare", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and len(err.splitlines()) == 1


def test_sweep_resumes_without_repeating_shots(tmp_path, capsys):
    tasks = tmp_path / "tasks.toml"
    csv = tmp_path / "results.csv"
    tasks.write_text(SWEEP.format(shots=1000))
    assert main(["sweep", str(tasks), "--save-resume", str(csv), "--workers", "1",
                 "--quiet", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert [r["shots"] for r in first["rows"]] == [1000, 1000]
    n_lines = len(_csv_rows(csv))
    # the same sweep again: everything is already there, nothing is sampled
    assert main(["sweep", str(tasks), "--save-resume", str(csv), "--workers", "1",
                 "--quiet", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert [r["shots"] for r in again["rows"]] == [1000, 1000]
    assert len(_csv_rows(csv)) == n_lines
    # a larger budget continues from what is there (an interrupted sweep resumes)
    tasks.write_text(SWEEP.format(shots=3000))
    assert main(["sweep", str(tasks), "--save-resume", str(csv), "--workers", "1",
                 "--quiet", "--json"]) == 0
    more = json.loads(capsys.readouterr().out)
    assert [r["shots"] for r in more["rows"]] == [3000, 3000]


def test_sweep_keeps_other_task_sets_and_plots(tmp_path, capsys):
    csv = tmp_path / "results.csv"
    a = tmp_path / "a.toml"
    a.write_text(SWEEP.format(shots=500))
    b = tmp_path / "b.toml"
    b.write_text(SWEEP.format(shots=500).replace('"uniform"', '"code-capacity"'))
    assert main(["sweep", str(a), "--save-resume", str(csv), "--workers", "1", "--quiet"]) == 0
    before = set(_csv_rows(csv))
    png = tmp_path / "sweep.png"
    assert main(["sweep", str(b), "--save-resume", str(csv), "--workers", "1", "--quiet",
                 "--plot", str(png)]) == 0
    capsys.readouterr()
    assert before <= set(_csv_rows(csv))  # merged, never overwritten
    assert png.stat().st_size > 0


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("codes = ['toric']\n", "codes = 'toric': must be one of surface"),
        ("distances = [4]\n", "distances = 4: must be an odd integer >= 3"),
        ("colour = 1\n", "unknown key 'colour'"),
        ("[noise]\nkind = 'uniform'\np = [1.5]\n", "noise.p = 1.5: must be in [0, 1]"),
        ("[noise]\nkind = 'weird'\n", "noise.kind = 'weird'"),
        ("[noise]\nkind = 'uniform'\nscale = [1]\n", "unknown key 'noise.scale'"),
        ("decoders = ['magic']\n", "decoders = 'magic'"),
        ("max_shots = -5\n", "max_shots = -5"),
        ("[noise]\nkind = 'device'\nparameter = 'cavity.q'\nvalues = [1.0]\n",
         "unknown key 'cavity.q'"),
        ("codes = [\n", "invalid TOML"),
    ],
)
def test_sweep_bad_files(tmp_path, capsys, content, fragment):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    assert main(["sweep", str(path), "--save-resume", str(tmp_path / "r.csv"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and str(path) in err and len(err.splitlines()) == 1
