"""The one executor seam: in process, a local ``spawn`` pool or a Dask cluster.

All three are seen as a ``concurrent.futures.Executor``.

Everything that fans work out (QEC sweeps, scenario ensembles, physics sweeps) goes through
``run_all``, so it runs the same way on one process, on a local pool, or on a Dask cluster, and
its results do not depend on which ran it (the callers seed each work item, never the worker).

A worker that dies mid-item (killed, out of memory) breaks a local pool: ``run_all`` opens a
fresh pool and resubmits the items whose results were not yet delivered, so no item is counted
twice and none is lost. A Dask cluster reschedules such items itself.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from twin.errors import UserError

__all__ = ["ExecutorSpec", "InProcessExecutor", "run_all"]


class InProcessExecutor(cf.Executor):
    """Runs each submitted call at once, in this process (``workers = 1``: no pool to start)."""

    def submit(self, fn, /, *args, **kwargs) -> cf.Future:
        """Call ``fn(*args, **kwargs)`` now; the returned future is already done."""
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - delivered through the future
            future.set_exception(exc)
        return future


@dataclass(frozen=True)
class ExecutorSpec:
    """Where work runs.

    Attributes:
        workers: local worker processes (``dask = None``) or workers of a ``"local"`` Dask
            cluster; 1 runs in this process.
        dask: ``None`` (local process pool), ``"local"`` (start a local Dask cluster) or a
            scheduler address ``"tcp://HOST:PORT"``.
    """

    workers: int = 1
    dask: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) \
                or self.workers < 1:
            raise UserError(f"--workers = {self.workers!r}: must be an integer >= 1")
        if self.dask is not None and self.dask != "local" and "://" not in self.dask:
            raise UserError(f"--dask = {self.dask!r}: must be 'local' or a scheduler address "
                            "such as tcp://HOST:8786")

    def describe(self) -> str:
        """One line for progress messages."""
        if self.dask is None:
            return "in process" if self.workers == 1 else \
                f"{self.workers} local worker processes"
        if self.dask == "local":
            return f"a local Dask cluster of {self.workers} worker(s)"
        return f"the Dask cluster at {self.dask}"

    @contextmanager
    def open(self) -> Iterator[cf.Executor]:
        """The executor, shut down (and any cluster it started closed) on exit.

        Raises:
            UserError: Dask asked for but not installed, or the scheduler cannot be reached.
        """
        if self.dask is None:
            if self.workers == 1:
                yield InProcessExecutor()
                return
            ctx = multiprocessing.get_context("spawn")
            with cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx) as pool:
                yield pool
            return
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise UserError("--dask needs Dask: pip install 'quantacore-twin[cluster]'") \
                from None
        cluster = None
        try:
            if self.dask == "local":
                cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1,
                                       processes=True, dashboard_address=None)
                client = Client(cluster)
            else:
                client = Client(self.dask, timeout="10s")
        except OSError as exc:
            if cluster is not None:
                cluster.close()
            raise UserError(f"--dask {self.dask}: cannot reach the scheduler: {exc}") from None
        try:
            yield client.get_executor(pure=False)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def _is_worker_death(exc: BaseException) -> bool:
    if isinstance(exc, cf.process.BrokenProcessPool):
        return True
    return type(exc).__name__ == "KilledWorker"  # distributed.scheduler.KilledWorker


def run_all(spec: ExecutorSpec, fn: Callable[[Any], Any], items: Sequence[Any], *,
            on_result: Callable[[int, Any], None], retries: int = 3,
            max_in_flight: int | None = None) -> None:
    """Run ``fn(item)`` for every item on the executor of ``spec``.

    Results are delivered to ``on_result(index, result)`` in this process, in completion order
    (callers that need a fixed order buffer them; see ``twin.collect``). Each index is
    delivered exactly once.

    Args:
        spec: where to run.
        fn: a picklable top-level function of one argument.
        items: the work items (picklable).
        on_result: called with (index into ``items``, ``fn(items[index])``).
        retries: how many times the pool may be rebuilt after a worker died.
        max_in_flight: items submitted ahead (default: 4 per worker), to bound memory.

    Raises:
        Exception: whatever ``fn`` raised (the first, after cancelling the rest).
        RuntimeError: workers kept dying after ``retries`` rebuilds.
    """
    pending = list(range(len(items)))
    ahead = max_in_flight or 4 * spec.workers
    attempt = 0
    while pending:
        try:
            with spec.open() as executor:
                _drain(executor, fn, items, pending, on_result, ahead)
        except BaseException as exc:  # noqa: BLE001 - re-raised unless a worker died
            if not _is_worker_death(exc):
                raise
            attempt += 1
            if attempt > retries:
                raise RuntimeError(f"workers died {attempt} times; giving up: {exc}") from exc
            print(f"quantacore: a worker died ({type(exc).__name__}); resubmitting "
                  f"{len(pending)} unfinished item(s)", file=sys.stderr, flush=True)


def _drain(executor: cf.Executor, fn, items, pending: list[int], on_result, ahead: int) -> None:
    """Submit ``pending`` with at most ``ahead`` in flight; remove each index once delivered."""
    queue = list(pending)
    running: dict[cf.Future, int] = {}
    try:
        while queue or running:
            while queue and len(running) < ahead:
                i = queue.pop(0)
                running[executor.submit(fn, items[i])] = i
            done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for future in done:
                i = running.pop(future)
                result = future.result()  # raises the item's error (or the pool's death)
                on_result(i, result)
                pending.remove(i)
    finally:
        for future in running:
            future.cancel()
