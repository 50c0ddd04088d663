"""The run folder: one writer at a time, stale locks taken over, resumes of the same scenario
only (the differing key named), and reports that never mix scenarios."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from twin.cli import main
from twin.errors import UserError
from twin.loop import DigitalTwin
from twin.runs.folder import RunFolder
from twin.scenario import load_scenario

RUN = "none-seed7"


def _argv(path: Path, out: Path, *extra: str) -> list[str]:
    return ["run", str(path), "--out", str(out), "--quiet", "--no-report", *extra]


def _rows(tele: Path) -> int:
    return max(0, tele.read_bytes().count(b"\n") - 1) if tele.exists() else 0


def _start_writer(path: Path, out: Path, rows: int, *extra: str) -> subprocess.Popen:
    """A ``quantacore run`` in another process, returned once it has written ``rows`` rows."""
    proc = subprocess.Popen([sys.executable, "-m", "twin.cli", *_argv(path, out, *extra)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    tele = out / RUN / "telemetry.csv"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and _rows(tele) < rows:
        time.sleep(0.01)
    assert proc.poll() is None, f"the writer ended early: {proc.stderr.read().decode()}"
    return proc


def test_run_folder_names_and_files(tmp_path):
    folder = RunFolder.under(tmp_path, controller="ai", seed=12)
    assert folder.path == tmp_path / "ai-seed12"
    assert folder.telemetry.name == "telemetry.csv" and folder.checkpoint.name == "state.pkl"
    assert not folder.holds_run()


def test_a_second_writer_is_refused_and_the_first_finishes_undisturbed(
        tmp_path, capsys, tiny_scenario_file):
    """Acceptance (issue 11): a ``--resume`` (or a fresh run) on a folder being written is
    refused with one line and exit 2; the writer ends with the undisturbed telemetry."""
    path = tiny_scenario_file(windows=120, shots=12000)
    assert main(_argv(path, tmp_path / "ref")) == 0
    expected = (tmp_path / "ref" / RUN / "telemetry.csv").read_bytes()
    out = tmp_path / "busy"
    proc = _start_writer(path, out, rows=3)
    capsys.readouterr()
    for extra in (("--resume",), ()):
        assert main(_argv(path, out, *extra)) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1, err
        assert "being written by another process" in err and f"pid {proc.pid}" in err, err
    assert proc.poll() is None, "the writer must still be running when the others were refused"
    assert proc.wait(timeout=300) == 0, proc.stderr.read().decode()
    assert (out / RUN / "telemetry.csv").read_bytes() == expected
    assert json.loads((out / RUN / "summary.json").read_text())["windows"] == 120


def test_a_killed_writers_lock_is_taken_over_by_resume(tmp_path, tiny_scenario_file):
    path = tiny_scenario_file(windows=60, shots=6000)
    assert main(_argv(path, tmp_path / "ref")) == 0
    expected = (tmp_path / "ref" / RUN / "telemetry.csv").read_bytes()
    out = tmp_path / "killed"
    proc = _start_writer(path, out, rows=3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    holder = json.loads((out / RUN / ".lock").read_text())
    assert holder["pid"] == proc.pid  # left behind by the killed process: stale
    assert main(_argv(path, out, "--resume")) == 0
    assert (out / RUN / "telemetry.csv").read_bytes() == expected
    assert (out / RUN / ".lock").read_text() == ""  # released at the end


def test_two_twins_in_one_process_cannot_share_a_folder(tmp_path, tiny_scenario):
    first = DigitalTwin(tiny_scenario, out=tmp_path)
    first.start()
    second = DigitalTwin(tiny_scenario, out=tmp_path)
    with pytest.raises(UserError, match="being written by another process"):
        second.start(resume=True)
    first.step()
    first.close()  # the run stays resumable by anyone
    assert second.start(resume=True).next_window == 1
    second.run()
    assert second.folder.summary()["windows"] == 6


def test_start_step_run_equals_run(tmp_path, tiny_scenario):
    """``run`` is ``start`` then ``step`` until done: the same telemetry, window by window."""
    DigitalTwin(tiny_scenario, folder=tmp_path / "run").run()
    twin = DigitalTwin(tiny_scenario, folder=tmp_path / "steps")
    state = twin.start()
    assert state.next_window == 0 and twin.hidden_truth().offsets
    results = []
    while not twin.done:
        results.append(twin.step())
    summary = twin.finish()
    assert [r.index for r in results] == list(range(6)) and summary.windows == 6
    assert all(r.window is not None and r.row["shots"] == 1500 for r in results)
    assert (tmp_path / "steps" / "telemetry.csv").read_bytes() == \
        (tmp_path / "run" / "telemetry.csv").read_bytes()
    with pytest.raises(RuntimeError, match="windows have run"):
        twin.step()


@pytest.mark.parametrize(("change", "key", "there", "now"), [
    ({"shots": 3000}, "shots", "1500", "3000"),
    ({"sigma": 0.07}, "drift[0].sigma", "0.06", "0.07"),
    ({"decoder": "mwpm-erasure"}, "decoder", "'mwpm'", "'mwpm-erasure'"),
])
def test_resume_of_a_different_scenario_names_the_key(tmp_path, capsys, tiny_scenario_file,
                                                      change, key, there, now):
    out = tmp_path / "o"
    assert main(_argv(tiny_scenario_file(windows=2), out)) == 0
    capsys.readouterr()
    other = tiny_scenario_file("other.toml", windows=2, **change)
    assert main(_argv(other, out, "--resume")) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"different scenario ({key} = {there} there, {now} now)" in err, err


def test_resume_of_an_old_checkpoint_is_one_clear_line(tmp_path, capsys, tiny_scenario_file):
    path = tiny_scenario_file(windows=2)
    out = tmp_path / "o"
    assert main(_argv(path, out)) == 0
    with open(out / RUN / "state.pkl", "wb") as fh:  # what quantacore-twin 0.1 wrote
        pickle.dump({"next_window": 2, "controller": None}, fh)
    capsys.readouterr()
    assert main(_argv(path, out, "--resume", "--windows", "3")) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "another version" in err, err


def test_resume_of_a_checkpoint_of_another_format_is_refused(tmp_path, capsys,
                                                              tiny_scenario_file):
    from twin.loop import Checkpoint

    path = tiny_scenario_file(windows=2)
    out = tmp_path / "o"
    assert main(_argv(path, out)) == 0
    state_file = out / RUN / "state.pkl"
    old = pickle.loads(state_file.read_bytes())
    state_file.write_bytes(pickle.dumps(Checkpoint(old.state, old.controller, old.format + 1)))
    capsys.readouterr()
    assert main(_argv(path, out, "--resume", "--windows", "3")) == 2
    assert "another version" in capsys.readouterr().err


def test_report_never_draws_two_scenarios_as_one(tmp_path, capsys, tiny_scenario_file):
    out = tmp_path / "mixed"
    assert main(_argv(tiny_scenario_file(windows=2), out)) == 0
    assert main(_argv(tiny_scenario_file("b.toml", name="other", windows=2, seed=8), out)) == 0
    capsys.readouterr()
    assert main(["report", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "2 different scenarios" in err, err
    assert "tiny: none-seed7" in err and "other: none-seed8" in err
    assert main(["report", str(out), "--scenario", "other"]) == 0
    page = Path(capsys.readouterr().out.strip()).read_text()
    assert "none-seed8" in page and "none-seed7</b>" not in page
    assert "Not drawn here: tiny (none-seed7)" in page
    # same name, other parameters: still two scenarios, told apart by the first differing key
    assert main(_argv(tiny_scenario_file("c.toml", name="other", windows=2, seed=9,
                                         shots=900), out)) == 0  # writes its own report
    capsys.readouterr()
    assert main(["report", str(out), "--scenario", "other"]) == 2
    assert "shots = 900" in capsys.readouterr().err


def test_run_reports_only_its_own_scenario(tmp_path, capsys, tiny_scenario_file):
    out = tmp_path / "mixed"
    assert main(_argv(tiny_scenario_file(windows=2), out)) == 0
    path = tiny_scenario_file("b.toml", name="other", windows=2)
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 2  # same folder name
    assert "holds a run of scenario 'tiny'" in capsys.readouterr().err
    assert main(["run", str(path), "--out", str(out), "--quiet", "--seed", "8"]) == 0
    page = (out / "report.html").read_text()
    assert "Runs of scenario <b>other</b>" in page and "Not drawn here: tiny" in page


def test_load_scenario_round_trip_of_a_run_folder(tmp_path, tiny_scenario):
    DigitalTwin(tiny_scenario.replace(windows=1), out=tmp_path).run()
    folder = RunFolder.under(tmp_path, controller="none", seed=7)
    assert folder.read_scenario() == tiny_scenario.replace(windows=1)
    assert folder.identity() == {"scenario": "tiny", "controller": "none", "seed": 7}
    assert load_scenario(str(folder.scenario_file)) == tiny_scenario.replace(windows=1)
