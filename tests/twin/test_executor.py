"""The executor seam: the same counts in process, on a spawn pool and on a local Dask cluster;
a worker that dies is replaced and its item run again, never counted twice."""

import json
import os
from pathlib import Path

import pytest

from twin.cli import main
from twin.errors import UserError
from twin.executor import ExecutorSpec, InProcessExecutor, run_all
from twin.studies.collect import collect, run_chunk
from twin.studies.sweep import load_sweep, sweep_tasks

SWEEP = """\
codes = ["surface"]
distances = [3]
decoders = ["mwpm"]
max_shots = 6000
max_errors = 150
[noise]
kind = "uniform"
p = [0.005, 0.01]
"""


def square(x):
    return x * x


def fail_on_three(x):
    if x == 3:
        raise ValueError("three")
    return x


def die_once(item):
    """Kills its own worker process the first time it sees chunk 2 (flag file in the env)."""
    flag = Path(os.environ["QC_TEST_DIE_FLAG"])
    if item.index == 2 and not flag.exists():
        flag.write_text("died")
        os._exit(1)
    return run_chunk(item)


def always_die(x):
    os._exit(1)


def _sweep_json(tmp_path, capsys, name, *flags):
    tasks = tmp_path / "tasks.toml"
    tasks.write_text(SWEEP)
    csv = tmp_path / f"{name}.csv"
    assert main(["sweep", str(tasks), "--save-resume", str(csv), "--chunk-shots", "1000",
                 "--seed", "9", "--quiet", "--json", *flags]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    return {(r["distance"], r["value"]): (r["shots"], r["errors"]) for r in rows}


def test_run_all_delivers_each_index_once_and_skips():
    got = {}
    run_all(ExecutorSpec(), square, list(range(20)), on_result=got.__setitem__,
            skip=lambda i: i % 5 == 4)
    assert got == {i: i * i for i in range(20) if i % 5 != 4}
    with pytest.raises(ValueError, match="three"):
        run_all(ExecutorSpec(), fail_on_three, list(range(6)), on_result=lambda i, r: None)


def test_in_process_executor_future_holds_the_error():
    future = InProcessExecutor().submit(fail_on_three, 3)
    assert isinstance(future.exception(), ValueError)


def test_spec_validation_and_description():
    with pytest.raises(UserError, match="--workers = 0"):
        ExecutorSpec(workers=0)
    with pytest.raises(UserError, match="--dask = 'foo'"):
        ExecutorSpec(dask="foo")
    assert ExecutorSpec(workers=2).describe() == "2 local worker processes"
    assert "Dask" in ExecutorSpec(workers=2, dask="local").describe()


def test_sweep_counts_identical_in_process_on_a_pool_and_on_dask(tmp_path, capsys):
    serial = _sweep_json(tmp_path, capsys, "serial", "--workers", "1")
    pool = _sweep_json(tmp_path, capsys, "pool", "--workers", "2")
    dask = _sweep_json(tmp_path, capsys, "dask", "--workers", "2", "--dask", "local")
    assert serial == pool == dask
    assert serial[(3, 0.01)][1] >= 150 > serial[(3, 0.005)][1]  # stopped by max_errors


def test_worker_death_is_retried_without_double_counting(tmp_path, monkeypatch, capsys):
    tasks = tmp_path / "tasks.toml"
    tasks.write_text(SWEEP)
    spec = load_sweep(tasks)
    items = sweep_tasks(spec)
    kwargs = {"max_shots": spec.max_shots, "max_errors": spec.max_errors, "seed": 4,
              "chunk_shots": 1000}
    ref = collect(items, csv_path=tmp_path / "ref.csv", **kwargs)
    flag = tmp_path / "died.flag"
    monkeypatch.setenv("QC_TEST_DIE_FLAG", str(flag))
    got = collect(items, csv_path=tmp_path / "died.csv", spec=ExecutorSpec(workers=2),
                  chunk_fn=die_once, **kwargs)
    assert flag.exists()  # a worker did die
    assert "a worker died" in capsys.readouterr().err
    assert [(s.shots, s.errors) for s in got] == [(s.shots, s.errors) for s in ref]
    lines = (tmp_path / "died.csv").read_text().splitlines()
    assert len(lines) == len((tmp_path / "ref.csv").read_text().splitlines())


def test_run_all_gives_up_when_workers_keep_dying():
    with pytest.raises(RuntimeError, match="workers died 2 times"):
        run_all(ExecutorSpec(workers=2), always_die, [0, 1, 2], on_result=lambda i, r: None,
                retries=1)
