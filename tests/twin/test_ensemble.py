"""Scenario ensembles (``quantacore run --seeds``): executor equivalence, reuse, resume,
aggregation and flag validation."""

import csv
import json
import math

import pytest
from scipy import stats

from twin.cli import main
from twin.errors import UserError
from twin.runs.ensemble import aggregate, parse_controllers, parse_seeds

BASE = ["run", "default", "--windows", "3", "--shots", "500", "--seeds", "0:2", "--quiet",
        "--json"]


def _run(capsys, out, *flags):
    assert main([*BASE, "--out", str(out), *flags]) == 0
    return json.loads(capsys.readouterr().out)


def _runs(data):
    return [{k: v for k, v in r.items() if k != "run_dir"} for r in data["runs"]]


def _same_runs(a, b, folder_a, folder_b):
    assert _runs(a) == _runs(b)
    assert a["aggregates"] == b["aggregates"]
    for seed in (0, 1):
        name = f"none-seed{seed}/telemetry.csv"
        assert (folder_a / name).read_bytes() == (folder_b / name).read_bytes()


def test_ensemble_identical_in_process_and_on_a_pool(tmp_path, capsys):
    serial = _run(capsys, tmp_path / "serial", "--workers", "1")
    pool = _run(capsys, tmp_path / "pool", "--workers", "2", "--no-report")
    assert [(r["controller"], r["seed"]) for r in serial["runs"]] == [("none", 0), ("none", 1)]
    _same_runs(serial, pool, tmp_path / "serial", tmp_path / "pool")
    # one CSV row per run, and the report of the folder of runs
    with open(tmp_path / "pool" / "ensemble.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted((r["controller"], r["seed"]) for r in rows) == [("none", "0"), ("none", "1")]
    assert serial["report"] and (tmp_path / "serial" / "report.html").exists()
    agg = serial["aggregates"][0]
    assert agg["runs"] == 2 and agg["shots"] == 3000
    assert agg["errors"] == sum(r["errors"] for r in serial["runs"])


def test_ensemble_identical_in_process_and_on_a_local_dask_cluster(tmp_path, capsys):
    serial = _run(capsys, tmp_path / "serial", "--workers", "1", "--no-report")
    dask = _run(capsys, tmp_path / "dask", "--workers", "2", "--dask", "local", "--no-report")
    _same_runs(serial, dask, tmp_path / "serial", tmp_path / "dask")


def test_finished_runs_are_reused_and_longer_runs_resume(tmp_path, capsys):
    out = tmp_path / "ens"
    first = _run(capsys, out, "--workers", "1", "--no-report")
    tele = out / "none-seed1" / "telemetry.csv"
    stamp = tele.stat().st_mtime_ns
    again = _run(capsys, out, "--workers", "1", "--no-report")
    assert _runs(again) == _runs(first) and tele.stat().st_mtime_ns == stamp  # not rerun
    # more windows: each run continues from its checkpoint, as if it had run 4 from the start
    longer = main(["run", "default", "--windows", "4", "--shots", "500", "--seeds", "0:2",
                   "--quiet", "--json", "--no-report", "--workers", "1", "--out", str(out)])
    assert longer == 0
    resumed = json.loads(capsys.readouterr().out)
    assert main(["run", "default", "--windows", "4", "--shots", "500", "--seed", "1",
                 "--quiet", "--json", "--no-report", "--out", str(tmp_path / "fresh")]) == 0
    fresh = json.loads(capsys.readouterr().out)
    assert [r["windows"] for r in resumed["runs"]] == [4, 4]
    assert tele.read_bytes() == (tmp_path / "fresh" / "none-seed1" / "telemetry.csv").read_bytes()
    assert {k: v for k, v in resumed["runs"][1].items() if k != "run_dir"} == \
        {k: v for k, v in fresh.items() if k not in ("run_dir", "report")}


def test_several_controllers(tmp_path, capsys):
    data = _run(capsys, tmp_path / "ens", "--workers", "1", "--no-report", "--controller",
                "none,periodic")
    assert [a["controller"] for a in data["aggregates"]] == ["none", "periodic"]
    assert {(r["controller"], r["seed"]) for r in data["runs"]} == \
        {("none", 0), ("none", 1), ("periodic", 0), ("periodic", 1)}
    assert (tmp_path / "ens" / "periodic-seed1" / "summary.json").exists()


def test_aggregate_t_interval_and_pooled_counts():
    rows = [{"controller": "ai", "mean_ler_per_round": v, "shots": 1000, "errors": e}
            for v, e in ((1e-3, 3), (2e-3, 6), (4e-3, 12))]
    rows.append({"controller": "none", "mean_ler_per_round": 5e-3, "shots": 1000,
                 "errors": 15})
    ai, none = aggregate(rows, rounds=3)
    x = [1e-3, 2e-3, 4e-3]
    mean = sum(x) / 3
    sd = math.sqrt(sum((v - mean) ** 2 for v in x) / 2)
    half = stats.t.ppf(0.975, 2) * sd / math.sqrt(3)
    assert ai.runs == 3 and ai.mean_ler_per_round == pytest.approx(mean)
    # the t interval's lower end is clipped at 0 (a rate is never negative)
    assert mean - half < 0
    assert ai.mean_ci == pytest.approx((0.0, mean + half))
    assert (ai.shots, ai.errors) == (3000, 21)
    assert ai.pooled_ci[0] < ai.pooled_ler_per_round < ai.pooled_ci[1]
    assert none.runs == 1 and math.isnan(none.mean_ci[0])
    assert none.to_json()["mean_ci"] == [None, None]


@pytest.mark.parametrize(
    ("text", "seeds"),
    [("0:4", (0, 1, 2, 3)), ("3,5,7", (3, 5, 7)), (" 2 : 3 ", (2,)), ("9", (9,))],
)
def test_parse_seeds(text, seeds):
    assert parse_seeds(text) == seeds


def test_parse_controllers():
    assert parse_controllers("none,ai") == ("none", "ai")
    with pytest.raises(UserError, match="'magic' is not a controller"):
        parse_controllers("none,magic")


@pytest.mark.parametrize(
    ("flags", "fragment"),
    [
        (["--seeds", "5:2"], "--seeds = '5:2': must be START:STOP with 0 <= START < STOP"),
        (["--seeds", "x"], "--seeds = 'x': must be START:STOP"),
        (["--seeds", "1,1"], "--seeds = '1,1': must be START:STOP"),
        (["--seeds=-1:3"], "--seeds = '-1:3': must be START:STOP"),
        (["--seeds", "0:2", "--dask", "foo"], "--dask = 'foo': must be 'local' or a scheduler"),
        (["--seeds", "0:2", "--workers", "0"], "--workers = 0: must be >= 1"),
        (["--seeds", "0:2", "--seed", "3"], "give either --seed (one run) or --seeds"),
        (["--controller", "none,bogus"], "'bogus' is not a controller"),
        (["--workers", "2"], "--workers = 2: only for an ensemble"),
        (["--dask", "local"], "--dask = local: only for an ensemble"),
    ],
)
def test_bad_ensemble_flags(tmp_path, capsys, flags, fragment):
    assert main(["run", "default", "--quiet", "--out", str(tmp_path / "o"), *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and len(err.splitlines()) == 1
    assert not (tmp_path / "o").exists()
