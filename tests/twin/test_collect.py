"""Deterministic chunked Monte Carlo (``twin.collect``): chunk order, stops, resume, SIGKILL."""

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest
import sinter

from qec.montecarlo import CSV_HEADER, sample_chunk, task_id
from twin.cli import main
from twin.studies.collect import chunk_seed, collect, read_recorded
from twin.studies.sweep import load_sweep, sweep_tasks

SWEEP = """\
codes = ["surface"]
distances = [{d}]
decoders = ["mwpm"]
max_shots = {shots}
max_errors = {errors}
[noise]
kind = "uniform"
p = [0.005, 0.01]
"""


def _tasks(tmp_path, *, d=3, shots=4000, errors=1_000_000):
    path = tmp_path / "tasks.toml"
    path.write_text(SWEEP.format(d=d, shots=shots, errors=errors))
    spec = load_sweep(path)
    return path, spec, sweep_tasks(spec)


def _lines(csv):
    return [ln for ln in csv.read_text().splitlines()[1:] if ln.strip()]


def _counts(stats):
    return {s.strong_id: (s.shots, s.errors, s.discards) for s in stats}


def _strip_seconds(line):
    shots, errors, discards, _seconds, rest = line.split(",", 4)
    return shots, errors, discards, rest


def test_sample_chunk_is_a_function_of_task_shots_and_seed(tmp_path):
    _, _, tasks = _tasks(tmp_path)
    task = tasks[1]
    a = sample_chunk(task, shots=3000, seed=11)
    b = sample_chunk(task, shots=3000, seed=11, key=task_id(task))
    c = sample_chunk(task, shots=3000, seed=12)
    assert (a.shots, a.errors, a.discards) == (b.shots, b.errors, b.discards)
    assert a.errors != c.errors and a.shots == c.shots == 3000
    assert chunk_seed(0, "abc", 1) == chunk_seed(0, "abc", 1)
    assert len({chunk_seed(0, "abc", 1), chunk_seed(1, "abc", 1), chunk_seed(0, "abd", 1),
                chunk_seed(0, "abc", 2)}) == 4
    assert 0 <= chunk_seed(7, "x", 3) < 2**63


def test_chunks_are_written_in_order_and_stop_at_max_errors(tmp_path):
    _, _, tasks = _tasks(tmp_path)
    csv = tmp_path / "r.csv"
    stats = collect(tasks, csv_path=csv, max_shots=20_000, max_errors=60, seed=3,
                    chunk_shots=1000)
    # the reference: chunk by chunk, in order, stopping at the first chunk reaching 60 errors
    for task, st in zip(tasks, stats, strict=True):
        key = task_id(task)
        shots = errors = k = 0
        expected = []
        while shots < 20_000 and errors < 60:
            c = sample_chunk(task, shots=1000, seed=chunk_seed(3, key, k))
            shots, errors, k = shots + c.shots, errors + c.errors, k + 1
            expected.append((c.shots, c.errors))
        assert (st.shots, st.errors) == (shots, errors)
        written = [ln for ln in _lines(csv) if key in ln]
        assert [(int(ln.split(",")[0]), int(ln.split(",")[1])) for ln in written] == expected
    assert stats[1].shots < stats[0].shots  # p = 0.01 reaches 60 errors first
    # sinter reads the file and sums the chunks of each task
    read = {s.strong_id: (s.shots, s.errors) for s in sinter.read_stats_from_csv_files(csv)}
    assert read == {s.strong_id: (s.shots, s.errors) for s in stats}


def test_last_chunk_is_cut_to_max_shots_and_resume_continues(tmp_path):
    _, _, tasks = _tasks(tmp_path)
    full = tmp_path / "full.csv"
    ref = collect(tasks, csv_path=full, max_shots=4500, seed=1, chunk_shots=1000)
    assert [s.shots for s in ref] == [4500, 4500]
    assert sorted(int(ln.split(",")[0]) for ln in _lines(full)) == [500] * 2 + [1000] * 8
    # a CSV holding the first lines only (as after a kill) continues to the same totals
    part = tmp_path / "part.csv"
    lines = full.read_text().splitlines(keepends=True)
    part.write_text("".join(lines[:4]))
    again = collect(tasks, csv_path=part, max_shots=4500, seed=1, chunk_shots=1000)
    assert _counts(again) == _counts(ref)
    assert sorted(map(_strip_seconds, _lines(part))) == sorted(map(_strip_seconds, _lines(full)))
    # nothing left to do: nothing written
    before = part.read_text()
    assert _counts(collect(tasks, csv_path=part, max_shots=4500, seed=1,
                           chunk_shots=1000)) == _counts(ref)
    assert part.read_text() == before


def test_torn_last_line_is_cut_and_other_rows_are_kept(tmp_path):
    _, _, tasks = _tasks(tmp_path)
    full = tmp_path / "full.csv"
    ref = collect(tasks, csv_path=full, max_shots=3000, seed=0, chunk_shots=1000)
    other = sinter.TaskStats(strong_id="f" * 64, decoder="mwpm", json_metadata={"x": 1},
                             shots=7, errors=1).to_csv_line()
    text = full.read_text().splitlines(keepends=True)
    torn = tmp_path / "torn.csv"
    torn.write_text(text[0] + other + "\n" + "".join(text[1:4]) + text[4][:25])
    got = collect(tasks, csv_path=torn, max_shots=3000, seed=0, chunk_shots=1000)
    assert _counts(got) == _counts(ref)
    assert read_recorded(torn)["f" * 64].shots == 7
    assert torn.read_text().endswith("\n")
    # an empty file (killed before the header) starts afresh
    empty = tmp_path / "empty.csv"
    empty.write_text("   sho")
    assert _counts(collect(tasks, csv_path=empty, max_shots=3000, seed=0,
                           chunk_shots=1000)) == _counts(ref)
    assert empty.read_text().splitlines()[0] == CSV_HEADER


def test_not_a_sinter_csv_is_a_user_error(tmp_path, capsys):
    path, _, _ = _tasks(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,c\n1,2,3\n")
    assert main(["sweep", str(path), "--save-resume", str(bad), "--workers", "1",
                 "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "not a sinter CSV" in err and len(err.splitlines()) == 1


def _cli_totals(csv):
    totals = {}
    for s in sinter.read_stats_from_csv_files(csv):
        totals[s.strong_id] = (s.shots, s.errors)
    return totals


def test_sweep_killed_with_sigkill_and_resumed_ends_with_the_same_totals(tmp_path):
    path, spec, tasks = _tasks(tmp_path, d=5, shots=60_000)
    ref_csv = tmp_path / "ref.csv"
    ref = collect(tasks, csv_path=ref_csv, max_shots=spec.max_shots, max_errors=spec.max_errors,
                  seed=5, chunk_shots=2000)
    total = len(_lines(ref_csv))
    csv = tmp_path / "killed.csv"
    cmd = [sys.executable, "-m", "twin.cli", "sweep", str(path), "--save-resume", str(csv),
           "--workers", "1", "--seed", "5", "--chunk-shots", "2000", "--quiet", "--json"]
    rng = random.Random(2024)
    kills = 0
    for fraction in sorted(rng.uniform(0.1, 0.9) for _ in range(3)):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline and \
                (not csv.exists() or len(_lines(csv)) < fraction * total):
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.1))  # land anywhere, mid-chunk or mid-write
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
    assert kills >= 2
    assert 0 < len(_lines(csv)) < total
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    rows = json.loads(done.stdout)["rows"]
    assert sorted((r["shots"], r["errors"]) for r in rows) == \
        sorted((s.shots, s.errors) for s in ref)
    assert _cli_totals(csv) == _cli_totals(ref_csv)
    assert len(_lines(csv)) == len(_lines(ref_csv))  # no chunk written twice


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--dask", "foo"], "--dask = 'foo': must be 'local' or a scheduler address"),
        (["--seed", "-1"], "--seed = -1: must be an integer >= 0"),
        (["--chunk-shots", "0"], "--chunk-shots = 0: must be an integer >= 1"),
        (["--workers", "0"], "--workers = 0: must be >= 1"),
    ],
)
def test_sweep_bad_flags(tmp_path, capsys, args, fragment):
    path, _, _ = _tasks(tmp_path)
    assert main(["sweep", str(path), "--save-resume", str(tmp_path / "r.csv"), "--quiet",
                 *args]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and len(err.splitlines()) == 1
