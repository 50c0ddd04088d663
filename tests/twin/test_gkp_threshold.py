"""Surface-GKP threshold study: resumable CSV, crossing with a bootstrap interval, plot."""

from __future__ import annotations

import pytest

from twin.studies.gkp_threshold import (
    CSV_HEADER,
    GKPPoint,
    crossing,
    plot_points,
    pooled,
    read_points,
    run_gkp_sweep,
)


def test_sweep_appends_and_resumes(tmp_path):
    path = tmp_path / "gkp.csv"
    pts = run_gkp_sweep(path, distances=[3], squeezing_db=[12.0, 14.0], shots=200, seed=3,
                        progress=False)
    assert path.read_text().splitlines()[0] == ",".join(CSV_HEADER)
    assert len(pts) == 4 and {p.decoder for p in pts} == {"hard", "analog"}
    text = path.read_text()
    again = run_gkp_sweep(path, distances=[3], squeezing_db=[12.0, 14.0], shots=200, seed=3,
                          progress=False)
    assert path.read_text() == text and again == pts  # nothing redone
    other = tmp_path / "gkp2.csv"
    run_gkp_sweep(other, distances=[3], squeezing_db=[12.0, 14.0], shots=200, seed=3,
                  progress=False)
    assert other.read_text().splitlines()[1:] != [] and [
        r.split(",")[:9] for r in other.read_text().splitlines()] == [
        r.split(",")[:9] for r in text.splitlines()]  # same seed, same counts
    run_gkp_sweep(path, distances=[3], squeezing_db=[12.0], shots=100, seed=4, progress=False)
    merged = {(p.squeezing_db, p.decoder): p for p in pooled(read_points(path))}
    assert merged[(12.0, "hard")].shots == 300
    with pytest.raises(ValueError, match="shots"):
        run_gkp_sweep(path, distances=[3], squeezing_db=[12.0], shots=0)


def _pt(d: int, db: float, errors: int, shots: int = 100_000) -> GKPPoint:
    return GKPPoint(d, d, "Z", "split", "gkp", 0.0, db, 0.0, 0.1, "analog", 0, shots,
                    errors, 1.0)


def test_crossing_of_synthetic_curves(tmp_path):
    # per-shot errors chosen so that d = 5 is worse below 12 dB and better above it
    pts = [_pt(3, 11.0, 3000), _pt(5, 11.0, 8000), _pt(3, 13.0, 300), _pt(5, 13.0, 100)]
    c = crossing(pts, low_d=3, high_d=5, resamples=200)
    assert 11.0 < c.squeezing_db < 13.0
    assert c.interval[0] <= c.squeezing_db <= c.interval[1] and c.no_crossing == 0.0
    none = crossing(pts[:2], low_d=3, high_d=5, resamples=20)
    assert none.squeezing_db is None
    # points of another schedule are not mixed in (the default schedule is "split")
    assert crossing(pts, low_d=3, high_d=5, resamples=20,
                    schedule="interleaved").squeezing_db is None
    png = plot_points(pts, tmp_path / "g.png", crossings=[c])
    assert png.stat().st_size > 1000


def test_bench_bad_input_exits_2(capsys):
    from bench.bench_gkp import main

    assert main(["--distances", "3,x"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--distances" in err


def test_twin_runs_a_gkp_surface_scenario(tmp_path):
    # the circuit-level GKP noise (qec.gkp.GKPNoise) through the loop: cache, priors, summary
    from pathlib import Path

    from twin.cli import main

    text = (Path(__file__).parents[2] / "scenarios" / "default.toml").read_text()
    scn = tmp_path / "gkp.toml"
    scn.write_text(text.replace('code = "surface"', 'code = "gkp-surface"'))
    assert 'code = "gkp-surface"' in scn.read_text()
    out = tmp_path / "run"
    assert main(["run", str(scn), "--controller", "ai", "--windows", "2", "--shots", "300",
                 "--out", str(out), "--quiet", "--no-report"]) == 0
    (telemetry,) = out.rglob("telemetry.csv")
    rows = telemetry.read_text().splitlines()
    assert len(rows) == 3 and all(",gkp-surface," in r for r in rows[1:])


@pytest.mark.parametrize("code", ["gkp-surface", "xzzx-cat"])
def test_window_circuit_does_not_carry_the_drifted_truth(code, tmp_path):
    # two runs whose data-noise parameter drifts differently: the controller sees the same
    # circuit in every window (the decoder's own assumed noise), while the truth differs
    from pathlib import Path

    from twin.loop import DigitalTwin
    from twin.scenario import load_scenario

    param = {"gkp-surface": ("gkp.squeezing_db", 0.5), "xzzx-cat": ("cat.kappa1", 5e-5)}
    key, sigma = param[code]
    text = (Path(__file__).parents[2] / "scenarios" / "default.toml").read_text()
    text = text.replace('code = "surface"', f'code = "{code}"').replace(
        'decoder = "mwpm-erasure"', 'decoder = "mwpm"')
    circuits = []
    for k, scale in enumerate((1.0, 4.0)):
        extra = (f'\n[[drift]]\nparameter = "{key}"\nprocess = "ou"\ngrid_step = '
                 f'{sigma / 10}\ntau = 20.0\nsigma = {sigma * scale}\n')
        path = tmp_path / f"s{k}.toml"
        path.write_text(text + extra)
        scn = load_scenario(path).replace(windows=3, shots=200)
        twin = DigitalTwin(scn, out=tmp_path / f"run{k}")
        twin.start()
        got = [twin.step() for _ in range(3)]
        circuits.append([str(r.window.circuit) for r in got if r.window is not None])
        twin.close()
    assert circuits[0] and circuits[0] == circuits[1]
