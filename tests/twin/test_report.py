"""``twin.reports.runs`` and ``quantacore report`` on synthetic run folders."""

import csv
import json

import numpy as np
import pytest

from twin.cli import main
from twin.errors import UserError
from twin.reports.runs import write_report
from twin.runs.read import find_runs, read_run
from twin.runs.summary import run_stats
from twin.runs.telemetry import BASE_COLUMNS as FIXED_COLUMNS

DRIFT = ["true:laser.detuning_2ph", "true:cavity.kappa"]
KNOBS = ["knob:laser.frequency_offset"]
HEADER = [*FIXED_COLUMNS, *DRIFT, *KNOBS, "actions"]
TARGET = 1e-3


def _row(w, *, lost=False, actions="", ler=2e-3):
    t = 0.5 * w
    if lost:
        rates = ["", "", "", "", ""]
        shots, errors = 0, 0
    else:
        rates = [ler, ler / 2, ler * 2, 0.05 + 0.001 * w, 0.01]
        shots, errors = 1000, int(ler * 1000 * 5)
    noise = [1e-4, 1e-3, 5e-3, 2e-3, 1e-4]
    return [w, t, int(lost), "surface", 5, "mwpm", shots, errors, *rates, *noise,
            0.01 * np.sin(w), 1.0 + 0.01 * w, -0.05 * (w >= 2), actions]


def _write_run(root, name, rows, *, summary=True, header=HEADER):
    folder = root / name
    folder.mkdir(parents=True)
    with open(folder / "telemetry.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    (folder / "scenario.toml").write_text('name = "drift"\ntarget = 0.001\n')
    (folder / "timing.csv").write_text("window,wall_s\n" + "".join(
        f"{r[0]},0.25\n" for r in rows))
    controller, seed = name.split("-seed")
    (folder / "run.json").write_text(json.dumps({"scenario": "drift", "controller": controller,
                                                 "seed": int(seed)}))
    if summary:
        (folder / "summary.json").write_text(json.dumps({
            "scenario": "drift", "controller": controller, "seed": int(seed),
            "windows": len(rows), "mean_ler_per_round": 1.5e-3, "ler_ci": [1e-3, 2e-3],
            "worst_window": 3, "worst_ler_per_round": 4e-3, "windows_above_target": 4,
            "lost_windows": sum(r[2] for r in rows), "target": TARGET}))
    return folder


def _ai_rows():
    return [_row(0), _row(1, actions="knobs(laser.frequency_offset=-0.05);priors"),
            _row(2, lost=True, actions="calibrate"), _row(3, ler=4e-3),
            _row(4, ler=0.0), _row(5)]


@pytest.fixture
def runs_dir(tmp_path):
    root = tmp_path / "out"
    _write_run(root, "ai-seed1", _ai_rows())
    _write_run(root, "none-seed1", [_row(w) for w in range(4)], summary=False)
    return root


def test_read_run_complete(runs_dir):
    run = read_run(runs_dir / "ai-seed1")
    assert (run.name, run.controller, run.seed, run.complete) == ("ai-seed1", "ai", 1, True)
    assert run.n_windows == 6
    assert run.drift_names == tuple(DRIFT) and run.knob_names == tuple(KNOBS)
    assert run.lost.tolist() == [False, False, True, False, False, False]
    assert run.acted.tolist() == [False, True, True, False, False, False]
    assert np.isnan(run.arrays["ler_per_round"][2])
    assert run.arrays["decoder"][0] == "mwpm"
    assert run.summary["target"] == TARGET


def test_read_run_incomplete(runs_dir):
    run = read_run(runs_dir / "none-seed1")
    assert (run.controller, run.seed, run.complete, run.summary) == ("none", 1, False, None)
    assert any("summary.json" in n for n in run.notes)
    st = run_stats(run)
    assert not st.from_summary and st.target == TARGET  # from scenario.toml
    assert st.mean == pytest.approx(2e-3) and st.above_target == 4


def test_truncated_last_line_is_dropped(tmp_path):
    folder = _write_run(tmp_path, "ai-seed2", _ai_rows(), summary=False)
    path = folder / "telemetry.csv"
    path.write_text(path.read_text() + "6,3.0,0,surf")
    run = read_run(folder)
    assert run.n_windows == 6 and any("cut off" in n for n in run.notes)


def test_find_runs_sorted_and_single(runs_dir, tmp_path):
    _write_run(runs_dir, "ai-seed10", _ai_rows())
    _write_run(runs_dir, "ai-seed2", _ai_rows())
    assert [r.name for r in find_runs(runs_dir)] == ["ai-seed1", "ai-seed2", "ai-seed10",
                                                     "none-seed1"]
    assert [r.name for r in find_runs(runs_dir / "ai-seed2")] == ["ai-seed2"]
    (tmp_path / "empty").mkdir()
    assert find_runs(tmp_path / "empty") == []


def test_write_report_two_runs(runs_dir):
    html_path = write_report(runs_dir)
    assert html_path == runs_dir / "report.html"
    text = html_path.read_text()
    for png in ("report_drift.png", "report_knobs.png", "report_fractions.png",
                "report_ler.png", "report_compare.png"):
        assert (runs_dir / png).stat().st_size > 1000
    assert text.count("data:image/png;base64") == 5
    for name in ("ai-seed1", "none-seed1", "Controller comparison", "calibrate",
                 "knobs(laser.frequency_offset=-0.05);priors"):
        assert name in text
    assert "no summary.json" in text


def test_write_report_single_run(runs_dir):
    html_path = write_report(runs_dir / "ai-seed1")
    assert html_path.parent == runs_dir / "ai-seed1"
    assert not (runs_dir / "ai-seed1" / "report_compare.png").exists()
    assert html_path.read_text().count("data:image/png;base64") == 4


def test_write_report_no_drift_no_knobs_no_windows(tmp_path):
    _write_run(tmp_path, "none-seed3", [], header=[*FIXED_COLUMNS, "actions"], summary=False)
    text = write_report(tmp_path / "none-seed3").read_text()
    assert "none-seed3" in text and "data:image/png;base64" in text


def test_actions_table_is_limited(tmp_path):
    rows = [_row(w, actions=f"priors{w}") for w in range(230)]
    _write_run(tmp_path, "ai-seed1", rows)
    text = write_report(tmp_path).read_text()
    assert "priors199<" in text and "priors200<" not in text and "30 more" in text


def test_cli_report(runs_dir, capsys):
    assert main(["report", str(runs_dir)]) == 0
    out = capsys.readouterr().out.strip()
    assert out == str(runs_dir / "report.html")


def _cli_error(args, capsys):
    assert main(["report", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    return err


def test_cli_errors(tmp_path, capsys):
    assert "no such folder" in _cli_error([str(tmp_path / "missing")], capsys)
    (tmp_path / "empty").mkdir()
    err = _cli_error([str(tmp_path / "empty")], capsys)
    assert err.endswith("empty: no runs found (a run folder holds telemetry.csv)")


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        (["window", "time_s", "code"], "header has 3 columns"),
        ([*FIXED_COLUMNS[:2], "lst", *FIXED_COLUMNS[3:], "actions"],
         "header column 3 is 'lst', expected 'lost'"),
        ([*FIXED_COLUMNS, *DRIFT, "note"], "last header column is 'note'"),
        ([*FIXED_COLUMNS, "speed", "actions"], "header column 19 is 'speed'"),
        ([*FIXED_COLUMNS, *KNOBS, *DRIFT, "actions"], "comes after a knob column"),
    ],
)
def test_cli_bad_header(tmp_path, capsys, header, fragment):
    _write_run(tmp_path, "ai-seed1", [], header=header)
    err = _cli_error([str(tmp_path)], capsys)
    assert "telemetry.csv" in err and fragment in err


def test_bad_rows_and_summary(tmp_path):
    folder = _write_run(tmp_path, "ai-seed1", _ai_rows())
    path = folder / "telemetry.csv"
    good = path.read_text()
    path.write_text(good.replace("surface,5,mwpm,1000", "surface,5,mwpm,many", 1))
    with pytest.raises(UserError, match="line 2, column 'shots': 'many' is not a number"):
        read_run(folder)
    lines = good.splitlines()
    path.write_text("\n".join([lines[0], lines[1] + ",extra", *lines[2:]]) + "\n")
    with pytest.raises(UserError, match="line 2 has 23 fields, expected 22"):
        read_run(folder)
    path.write_text(good)
    (folder / "summary.json").write_text("{not json")
    with pytest.raises(UserError, match="summary.json: not valid JSON"):
        read_run(folder)


def test_a_folder_without_run_json_reads_its_identity_elsewhere(tmp_path):
    """Folders of older versions have no run.json: the summary, else scenario.toml, else the
    folder name."""
    folder = _write_run(tmp_path, "ai-seed4", _ai_rows())
    (folder / "run.json").unlink()
    assert (read_run(folder).controller, read_run(folder).seed) == ("ai", 4)  # summary.json
    (folder / "summary.json").unlink()
    (folder / "scenario.toml").write_text('name = "drift"\nseed = 9\n[controller]\n'
                                          'name = "periodic"\n')
    run = read_run(folder)
    assert (run.controller, run.seed, run.complete) == ("periodic", 9, False)
