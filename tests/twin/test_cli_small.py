"""The command line's small promises (issue 17): a fast scenario listing, output paths refused
before any work, a plot message naming the file written, one-line argparse errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from twin.cli import main

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("numpy", "scipy", "qutip", "numba", "stim", "physics", "qec", "control")


def test_scenarios_listing_imports_no_physics():
    code = ("import sys\nfrom twin.cli import main\n"
            "assert main(['scenarios']) == 0 and main(['scenarios', '--json']) == 0\n"
            f"print('HEAVY', sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    assert "laser-drift" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "HEAVY []"


def _no_work(monkeypatch):
    import twin.studies.physics_sweep as ps

    def fail(*args, **kwargs):
        raise AssertionError("the sweep ran before its output path was checked")

    monkeypatch.setattr(ps, "run_physics_sweep", fail)


@pytest.mark.parametrize(
    ("flag", "value", "fragment"),
    [
        ("--out", "{tmp}", "is a folder; give a file name"),
        ("--out", "{tmp}/missing/x.nc", "does not exist"),
        ("--plot", "{tmp}", "is a folder; give a file name"),
        ("--cache", "{tmp}", "is a folder; give a file name"),
    ],
)
def test_physics_sweep_refuses_bad_output_before_work(tmp_path, capsys, monkeypatch, flag,
                                                      value, fragment):
    _no_work(monkeypatch)
    value = value.format(tmp=tmp_path)
    before = sorted(tmp_path.parent.iterdir())
    assert main(["physics-sweep", "--grid", "cavity.g=100,200", flag, value]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"quantacore physics-sweep: error: {flag} {value!r}: ")
    assert fragment in err
    assert sorted(tmp_path.parent.iterdir()) == before and not any(tmp_path.iterdir())


def test_unwritable_output_is_refused(tmp_path, capsys, monkeypatch):
    import twin.cli.paths as paths

    _no_work(monkeypatch)  # root may write anywhere, so the permission is faked
    monkeypatch.setattr(paths.os, "access", lambda *a, **k: False)
    out = str(tmp_path / "x.nc")
    assert main(["physics-sweep", "--grid", "cavity.g=100", "--out", out]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"quantacore physics-sweep: error: --out {out!r}: cannot be written "
                   "(permission denied); give a file in a writable folder")


def test_plot_without_suffix_names_the_file_written(tmp_path, capsys):
    name = tmp_path / "stirap"
    assert main(["physics-sweep", "--quantity", "stirap", "--grid", "laser.delay=0.1,0.2",
                 "--plot", str(name)]) == 0
    err = capsys.readouterr().err
    assert f"wrote {name}.png" in err
    assert Path(f"{name}.png").is_file() and not name.exists()


def test_sweep_refuses_a_folder_as_plot_or_csv(tmp_path, capsys):
    tasks = tmp_path / "tasks.toml"
    tasks.write_text("", encoding="utf-8")  # never read: the paths are checked first
    for argv in (["--save-resume", str(tmp_path)],
                 ["--save-resume", str(tmp_path / "r.csv"), "--plot", str(tmp_path)]):
        assert main(["sweep", str(tasks), *argv]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "is a folder" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tasks.toml"]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["compare", "--max-shots", "nan"],
         "quantacore compare: error: argument --max-shots: invalid int value: 'nan'"),
        (["run", "--shots", "x"], "quantacore run: error: argument --shots: invalid int value"),
        (["run", "--bogus"], "quantacore run: error: unrecognized arguments: --bogus"),
        (["extract", "--bogus"], "quantacore extract: error: unrecognized arguments: --bogus"),
        (["--bogus"], "quantacore: error: unrecognized arguments: --bogus"),
        (["frob"], "quantacore: error: argument COMMAND: invalid choice: 'frob'"),
        (["physics-sweep", "--op", "nope"], "quantacore physics-sweep: error: argument --op"),
    ],
)
def test_argparse_errors_are_one_line(capsys, argv, expected):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith(expected), err
