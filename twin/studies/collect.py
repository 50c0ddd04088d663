"""Deterministic, resumable Monte Carlo of QEC tasks, in chunks, on any executor.

Each task's shots are split into chunks of ``chunk_shots`` shots (the last one cut to the
budget). Chunk ``k`` of a task is sampled from a seed derived from (sweep seed, the task's
``strong_id``, ``k``), so its counts do not depend on which process, pool or Dask cluster ran
it. Chunks run through ``twin.executor.run_all`` in any order, but their results are appended to
the CSV strictly in chunk order per task (one line per chunk, flushed), and a task stops, in
that order, at the first chunk that brings its shots to ``max_shots`` or its errors to
``max_errors``: chunks computed past that point are dropped, never written.

The CSV is sinter's format (``sinter.read_stats_from_csv_files`` and ``sinter plot`` read it,
summing the lines of a task). A rerun with the same file counts each task's lines and continues
at the next chunk, so a sweep killed at any moment and resumed (same ``seed`` and
``chunk_shots``) ends with the same totals as one never interrupted. A torn last line (the
process was killed while writing it) is cut off first. Lines of other tasks are kept.
"""

from __future__ import annotations

import csv
import hashlib
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qec.montecarlo import (
    CSV_HEADER,
    ChunkCounts,
    sample_chunk,
    stats_csv_line,
    task_id,
    task_stats,
)
from twin.errors import UserError
from twin.executor import ExecutorSpec, run_all

__all__ = ["DEFAULT_CHUNK_SHOTS", "ChunkItem", "Recorded", "chunk_seed", "collect",
           "read_recorded", "run_chunk"]

DEFAULT_CHUNK_SHOTS = 10_000
"""Shots per chunk unless told otherwise: a few seconds of work for a d = 7 surface code."""

_FIELDS = ("shots", "errors", "discards", "seconds", "decoder", "strong_id", "json_metadata",
           "custom_counts")


@dataclass(frozen=True)
class ChunkItem:
    """One work item: chunk ``index`` of a task.

    Attributes:
        task: the ``sinter.Task``.
        key: its ``strong_id``.
        index: chunk index within the task (0, 1, ...).
        shots: shots of this chunk.
        seed: stim sampler seed (``chunk_seed``).
    """

    task: Any
    key: str
    index: int
    shots: int
    seed: int


def run_chunk(item: ChunkItem) -> ChunkCounts:
    """Sample and decode one chunk (the function the workers run)."""
    return sample_chunk(item.task, shots=item.shots, seed=item.seed, key=item.key)


def chunk_seed(seed: int, key: str, index: int) -> int:
    """The sampler seed of chunk ``index`` of the task ``key`` in a sweep seeded ``seed``.

    Returns:
        An integer in [0, 2**63), from ``numpy.random.SeedSequence``.
    """
    digest = np.frombuffer(hashlib.sha256(key.encode()).digest(), dtype=np.uint32)
    ss = np.random.SeedSequence([seed, *map(int, digest), index])
    return int(ss.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


@dataclass
class Recorded:
    """What the CSV holds for one task (summed over its lines).

    Attributes:
        chunks: lines (one per chunk).
        shots, errors, discards: summed counts.
        seconds: summed wall time (s).
    """

    chunks: int = 0
    shots: int = 0
    errors: int = 0
    discards: int = 0
    seconds: float = 0.0

    def add(self, counts: ChunkCounts) -> None:
        """Count one more chunk."""
        self.chunks += 1
        self.shots += counts.shots
        self.errors += counts.errors
        self.discards += counts.discards
        self.seconds += counts.seconds


def _repair(path: Path) -> None:
    """Cut a torn last line (no newline: killed mid-write); write the header of a new file."""
    if not path.exists() or path.stat().st_size == 0:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(CSV_HEADER + "\n")
        return
    with open(path, "rb+") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 1))
        if fh.read(1) == b"\n":
            return
        fh.seek(0)
        data = fh.read()
        keep = data.rfind(b"\n") + 1
        fh.truncate(keep)
        if keep == 0:  # not even the header made it
            fh.seek(0)
            fh.write((CSV_HEADER + "\n").encode())


def read_recorded(path: str | Path) -> dict[str, Recorded]:
    """Per-task totals of a sinter CSV, keyed by ``strong_id`` (repairs a torn last line).

    Raises:
        UserError: the file is not a sinter CSV or a line is malformed (naming file and line).
    """
    path = Path(path)
    _repair(path)
    out: dict[str, Recorded] = {}
    header = [h.strip() for h in CSV_HEADER.split(",")]
    with open(path, encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.reader(fh), start=1):
            cells = [c.strip() for c in row]
            if cells == header:
                continue
            if n == 1:
                raise UserError(f"--save-resume {str(path)!r}: not a sinter CSV (its first "
                                f"line should be the header {CSV_HEADER.strip()!r})")
            try:
                if len(cells) != len(_FIELDS):
                    raise ValueError(f"{len(cells)} fields, expected {len(_FIELDS)}")
                counts = ChunkCounts(int(cells[0]), int(cells[1]), int(cells[2]),
                                     float(cells[3]))
            except ValueError as exc:
                raise UserError(f"--save-resume {str(path)!r}: line {n} is malformed "
                                f"({exc})") from None
            out.setdefault(cells[5], Recorded()).add(counts)
    return out


class _Plan(Sequence):
    """The chunks still to run, interleaved across tasks, built lazily.

    Item ``i`` is round ``i // n`` of task ``i % n``; ``skip`` drops the items past a task's
    plan or its stop.

    Args:
        tasks, keys: the tasks and their strong ids.
        start: first chunk index to run, per task (the chunks the CSV already holds).
        left: shots still to run, per task (0: nothing to do).
        chunk_shots: shots per chunk.
        seed: the sweep seed.
    """

    def __init__(self, tasks: list[Any], keys: list[str], start: list[int], left: list[int],
                 chunk_shots: int, seed: int) -> None:
        self.tasks, self.keys, self.start, self.left = tasks, keys, start, left
        self.chunk_shots, self.seed = chunk_shots, seed
        self.counts = [-(-s // chunk_shots) for s in left]  # chunks planned per task
        self.done = [c == 0 for c in self.counts]
        self.rounds = max(self.counts, default=0)

    def __len__(self) -> int:
        return self.rounds * len(self.tasks)

    def where(self, i: int) -> tuple[int, int]:
        """(task, round) of item ``i``."""
        r, t = divmod(i, len(self.tasks))
        return t, r

    def skip(self, i: int) -> bool:
        t, r = self.where(i)
        return self.done[t] or r >= self.counts[t]

    def __getitem__(self, i: int) -> ChunkItem:  # type: ignore[override]
        t, r = self.where(i)
        shots = min(self.chunk_shots, self.left[t] - r * self.chunk_shots)
        k = self.start[t] + r
        return ChunkItem(self.tasks[t], self.keys[t], k, shots,
                         chunk_seed(self.seed, self.keys[t], k))


def collect(tasks: Sequence[Any], *, csv_path: str | Path, max_shots: int,
            max_errors: int | None = None, seed: int = 0,
            chunk_shots: int = DEFAULT_CHUNK_SHOTS, spec: ExecutorSpec | None = None,
            progress: Callable[[str], None] | None = None,
            chunk_fn: Callable[[ChunkItem], ChunkCounts] = run_chunk) -> list[Any]:
    """Sample and decode every task up to its budget, appending chunks to ``csv_path``.

    Args:
        tasks: ``sinter.Task`` objects with our decoder names (``qec.montecarlo.make_task``).
        csv_path: the save-resume CSV (created if missing; what it holds counts toward the
            budget, and each task continues at its next chunk).
        max_shots: shots per task at most (≥ 1).
        max_errors: stop a task once it has this many logical errors (None: no limit).
        seed: the sweep seed (≥ 0); with ``chunk_shots`` it fixes every chunk's shots.
        chunk_shots: shots per chunk (≥ 1).
        spec: where to run (default: in this process).
        progress: called with a one-line status at most once a second and at the end.
        chunk_fn: the function run per chunk (a picklable top-level function; tests swap it).

    Returns:
        One ``sinter.TaskStats`` per distinct task, in the order given, totals including what
        the CSV held before.

    Raises:
        UserError: bad budget, seed or chunk size; the CSV is not a sinter CSV.
        RuntimeError: workers kept dying.
    """
    for name, value, low in (("max_shots", max_shots, 1), ("seed", seed, 0),
                             ("chunk_shots", chunk_shots, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise UserError(f"{name} = {value!r}: must be an integer >= {low}")
    if max_errors is not None and max_errors < 1:
        raise UserError(f"max_errors = {max_errors!r}: must be an integer >= 1")
    spec = spec or ExecutorSpec()
    path = Path(csv_path)
    by_key: dict[str, Any] = {}
    for task in tasks:
        by_key.setdefault(task_id(task), task)
    keys = list(by_key)
    recorded = read_recorded(path)
    totals = [recorded.get(k, Recorded()) for k in keys]

    def reached(tot: Recorded) -> bool:
        return tot.shots >= max_shots or (max_errors is not None and tot.errors >= max_errors)

    plan = _Plan([by_key[k] for k in keys], keys, [t.chunks for t in totals],
                 [0 if reached(t) else max_shots - t.shots for t in totals], chunk_shots, seed)
    buffers: list[dict[int, ChunkCounts]] = [{} for _ in keys]
    written = [0] * len(keys)  # chunks written in this call, per task
    last = -math.inf
    started = time.monotonic()

    def report(final: bool = False) -> None:
        nonlocal last
        now = time.monotonic()
        if progress is None or (not final and now - last < 1.0):
            return
        last = now
        progress(f"{sum(plan.done)}/{len(keys)} tasks done, {sum(written)} chunks written, "
                 f"{sum(t.shots for t in totals)} shots, {sum(t.errors for t in totals)} "
                 f"errors, {now - started:.0f} s")

    with open(path, "a", encoding="utf-8") as out:

        def on_result(i: int, counts: ChunkCounts) -> None:
            t, r = plan.where(i)
            if plan.done[t]:
                return  # computed past the task's stop: dropped
            buffers[t][r] = counts
            while written[t] in buffers[t]:
                c = buffers[t].pop(written[t])
                out.write(stats_csv_line(plan.tasks[t], keys[t], c) + "\n")
                out.flush()
                totals[t].add(c)
                written[t] += 1
                if reached(totals[t]) or written[t] >= plan.counts[t]:
                    plan.done[t] = True
                    buffers[t].clear()
                    break
            report()

        run_all(spec, chunk_fn, plan, on_result=on_result, skip=plan.skip)
    report(final=True)
    return [task_stats(by_key[k], k, shots=t.shots, errors=t.errors, discards=t.discards,
                       seconds=t.seconds) for k, t in zip(keys, totals, strict=True)]
