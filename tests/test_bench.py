"""``python -m bench``: one report of the benchmarks (rows, finite ratios, errors in their row).

No timed assertions: only that the figures exist, are finite and positive, and that the physics
truths hold (numba and qutip agree on STIRAP to far better than 1e-6).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHEAP = ("stirap", "estimator", "erasure", "twin", "controller")


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory):
    """One quick run of the cheap benchmarks through the command line (a few seconds)."""
    out = tmp_path_factory.mktemp("bench") / "report.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", ",".join(CHEAP), "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout, json.loads(out.read_text())


@pytest.fixture
def report_module(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    from bench import report

    return report


def test_table_has_a_row_per_figure(quick_report):
    stdout, _ = quick_report
    lines = stdout.splitlines()
    assert any(line.startswith("machine: ") and "cores" in line for line in lines)
    assert any(line.startswith("python ") and "stim" in line and "qutip" in line
               for line in lines)
    header = next(i for i, line in enumerate(lines) if line.startswith("bench "))
    benches = [line.split()[0] for line in lines[header + 2:] if line.strip()]
    assert benches.count("stirap") == 4
    assert benches.count("estimator") == 2
    assert benches.count("erasure") == 2
    assert benches.count("twin") == 1 and benches.count("controller") == 1
    assert "FAILED" not in stdout


def report_names() -> list[str]:
    """The benchmarks in the order the report runs them."""
    sys.path.insert(0, str(ROOT))
    from bench.report import NAMES

    return list(NAMES)


def test_ratios_are_finite_and_positive(quick_report):
    _, data = quick_report
    assert data["mode"] == "quick"
    assert [r["name"] for r in data["results"]] == [n for n in report_names() if n in CHEAP]
    ratios = [row["ratio"] for r in data["results"] for row in r["rows"]
              if row["ratio"] is not None]
    assert len(ratios) == 7
    assert all(math.isfinite(x) and x > 0 for x in ratios)
    for r in data["results"]:
        assert r["status"] == "ok"
        assert all(row["met"] is None for row in r["rows"])  # quick: targets not judged


def test_physics_truths(quick_report):
    _, data = quick_report
    raw = {r["name"]: r["raw"] for r in data["results"]}
    assert raw["stirap"]["max_d_efficiency"] < 1e-6
    assert raw["stirap"]["max_d_loss"] < 1e-6
    assert raw["stirap"]["process_max_d"] < 1e-6
    assert raw["erasure"]["errors_aware"] < raw["erasure"]["errors_naive"]
    assert 0 < raw["estimator"]["scale"] < 2


def test_failing_benchmark_reported_in_its_row(report_module):
    broken = report_module.Benchmark("broken", "bench_does_not_exist", {"default": {}},
                                     report_module.soak_rows)
    result = report_module.run_one(broken, "default")
    assert result.status == "failed" and "bench_does_not_exist" in result.error
    report = {"mode": "default", "results": [result]}
    assert report_module.table_rows(report)[0][1].startswith("FAILED: ")


def test_missing_optional_benchmark_is_skipped(report_module):
    optional = report_module.Benchmark("extra", "bench_not_written_yet", {"default": {}},
                                       report_module.soak_rows, optional=True)
    result = report_module.run_one(optional, "default")
    assert result.status == "skipped"


def test_only_rejects_unknown_names(report_module):
    with pytest.raises(SystemExit):
        report_module.parse_args(["--only", "stirap,nope"])
    assert report_module.parse_args(["--only", "twin"]).only == ["twin"]


def test_soak_only_in_full_mode(report_module):
    assert "soak" not in [b.name for b in report_module.selected(None, "default")]
    assert "soak" in [b.name for b in report_module.selected(None, "full")]
