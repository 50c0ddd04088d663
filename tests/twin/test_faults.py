"""Faults during ``quantacore run``: repeated SIGKILLs, a disk that fills up, a folder that turns
read-only. Whatever was written before the fault stays intact, and ``--resume`` ends with the
same ``telemetry.csv``, byte for byte, as a run that was never interrupted.

(``tests/twin/test_loop.py`` has the single-kill case with a torn last line and the read-only
folder at the start of a run; this file covers several kills at seeded random points and
failures in the middle of a run.)
"""

from __future__ import annotations

import errno
import os
import pickle
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import twin.runs.folder
import twin.runs.telemetry
from twin.cli import main

SCENARIO = """\
name = "faults"
description = "a drifting, periodically calibrated run to interrupt"
seed = 11
windows = {windows}
shots = 2000
distance = 3
decoder = "mwpm"
window_seconds = 10.0
[controller]
name = "periodic"
every = 4
[[drift]]
parameter = "laser.detuning_2ph"
process = "ou"
tau = 40.0
sigma = 0.05
grid_step = 0.02
"""
RUN_DIR = "periodic-seed11"


def _scenario(tmp_path: Path, windows: int) -> Path:
    path = tmp_path / "faults.toml"
    path.write_text(SCENARIO.format(windows=windows))
    return path


def _argv(path: Path, out: Path, *extra: str) -> list[str]:
    return ["run", str(path), "--out", str(out), "--quiet", "--no-report", *extra]


def _reference(path: Path, out: Path) -> bytes:
    assert main(_argv(path, out)) == 0
    return (out / RUN_DIR / "telemetry.csv").read_bytes()


def _complete_lines(data: bytes) -> list[bytes]:
    """The complete (newline-terminated) lines of a file, header included."""
    return data.split(b"\n")[:-1]


def _rows(tele: Path) -> int:
    return max(0, len(_complete_lines(tele.read_bytes())) - 1) if tele.exists() else 0


def _assert_prefix(partial: bytes, expected: bytes) -> int:
    """Every complete line written so far is the uninterrupted run's line; returns rows."""
    lines = _complete_lines(partial)
    assert lines == _complete_lines(expected)[:len(lines)]
    return len(lines) - 1


# --- repeated SIGKILL -------------------------------------------------------------------------
def test_three_kills_at_random_points_then_resume_gives_identical_telemetry(tmp_path):
    windows = 24
    path = _scenario(tmp_path, windows)
    expected = _reference(path, tmp_path / "ref")
    rng = random.Random(20261125)
    targets = sorted(rng.sample(range(2, windows - 4), 3))
    out = tmp_path / "killed"
    tele = out / RUN_DIR / "telemetry.csv"
    for i, target in enumerate(targets):
        extra = ["--resume"] if i else []
        proc = subprocess.Popen([sys.executable, "-m", "twin.cli", *_argv(path, out, *extra)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None and _rows(tele) < target:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.08))  # land anywhere in a window: sampling, row, checkpoint
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()
        rows = _assert_prefix(tele.read_bytes(), expected)
        assert target <= rows < windows, (target, rows)  # killed mid-run, nothing lost
        with open(out / RUN_DIR / "state.pkl", "rb") as fh:  # the checkpoint is never torn
            assert pickle.load(fh).state.next_window <= rows
    assert main(_argv(path, out, "--resume")) == 0
    assert tele.read_bytes() == expected
    assert _rows(out / RUN_DIR / "timing.csv") == windows


# --- a disk that fills up, a folder that turns read-only ----------------------------------------
class _Disk:
    """A fake disk for the twin's telemetry and checkpoint writes: ``budget`` bytes, then a
    write stores what still fits (a torn row, as a real full disk leaves) and fails with
    ``error``. ``budget=None`` only counts."""

    def __init__(self, budget: int | None, error: int = errno.ENOSPC) -> None:
        self.left = budget
        self.error = error
        self.written = 0

    def open(self, file, mode="r", *args, **kwargs):
        writing = any(c in mode for c in "wax+")
        if writing and self.left == 0 and self.error == errno.EROFS:
            raise OSError(self.error, os.strerror(self.error), str(file))
        fh = open(file, mode, *args, **kwargs)  # noqa: SIM115 - returned to the caller
        return _Limited(fh, self) if writing else fh


class _Limited:
    def __init__(self, fh, disk: _Disk) -> None:
        self._fh = fh
        self._disk = disk

    def write(self, data):
        disk = self._disk
        if disk.left is not None and len(data) > disk.left:
            if disk.error == errno.ENOSPC and disk.left > 0:
                self._fh.write(data[:disk.left])
                self._fh.flush()
            disk.left = 0
            raise OSError(disk.error, os.strerror(disk.error))
        if disk.left is not None:
            disk.left -= len(data)
        disk.written += len(data)
        return self._fh.write(data)

    def __getattr__(self, name):
        return getattr(self._fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._fh.close()


def _use_disk(monkeypatch, disk: _Disk) -> None:
    for module in (twin.runs.telemetry, twin.runs.folder):
        monkeypatch.setattr(module, "open", disk.open, raising=False)


@pytest.mark.parametrize(("error", "seed"), [(errno.ENOSPC, 1), (errno.ENOSPC, 2),
                                             (errno.EROFS, 3)],
                         ids=["full-disk-1", "full-disk-2", "read-only-3"])
def test_disk_failure_mid_run_keeps_what_was_written_and_resume_completes(
        tmp_path, monkeypatch, capsys, error, seed):
    windows = 10
    path = _scenario(tmp_path, windows)
    counting = _Disk(None)
    with monkeypatch.context() as m:
        _use_disk(m, counting)
        expected = _reference(path, tmp_path / "ref")
    rng = random.Random(seed)
    out = tmp_path / "run"
    tele = out / RUN_DIR / "telemetry.csv"

    # the disk fills up (or the folder turns read-only) somewhere in the middle of the run
    budget = int(counting.written * rng.uniform(0.2, 0.8))
    with monkeypatch.context() as m:
        _use_disk(m, _Disk(budget, error))
        capsys.readouterr()
        assert main(_argv(path, out)) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith("quantacore run: error: ") and os.strerror(error) in err, err
    rows = _assert_prefix(tele.read_bytes(), expected)
    assert 1 <= rows < windows
    with open(out / RUN_DIR / "state.pkl", "rb") as fh:
        assert pickle.load(fh).state.next_window <= rows

    # resuming while the disk is still full fails the same way and loses nothing
    with monkeypatch.context() as m:
        _use_disk(m, _Disk(0, error))
        assert main(_argv(path, out, "--resume")) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and os.strerror(error) in err, err
    assert _assert_prefix(tele.read_bytes(), expected) >= rows - 1

    # with space again the run completes to the uninterrupted bytes
    assert main(_argv(path, out, "--resume")) == 0
    assert tele.read_bytes() == expected


def test_disk_full_before_the_first_row_leaves_a_resumable_run(tmp_path, monkeypatch, capsys):
    """The checkpoint is written before the CSVs exist: a run stopped in between (here: the
    disk fills as the telemetry file is created) resumes to the same bytes as a clean run."""
    args = ["run", "default", "--windows", "3", "--shots", "200", "--quiet", "--no-report"]
    assert main([*args, "--out", str(tmp_path / "clean")]) == 0
    real_start = twin.runs.telemetry.CsvLog.start

    def full(self):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(twin.runs.telemetry.CsvLog, "start", full)
    assert main([*args, "--out", str(tmp_path / "full")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    monkeypatch.setattr(twin.runs.telemetry.CsvLog, "start", real_start)
    assert main([*args, "--out", str(tmp_path / "full"), "--resume"]) == 0
    clean = next((tmp_path / "clean").glob("*/telemetry.csv"))
    resumed = next((tmp_path / "full").glob("*/telemetry.csv"))
    assert clean.parent.name == resumed.parent.name  # same controller and seed
    assert resumed.read_bytes() == clean.read_bytes()
