"""The one executor seam: in process, a local ``spawn`` pool or a Dask cluster.

All three are seen as a ``concurrent.futures.Executor``.

Everything that fans work out (QEC sweeps, scenario ensembles, physics sweeps) goes through
``run_all``, so it runs the same way on one process, on a local pool, or on a Dask cluster, and
its results do not depend on which ran it (the callers seed each work item, never the worker).

Decoders a user registered in this process (``qec.decoders.register_decoder``) travel with the
work: each item sent to another process installs them there first, so a sweep or an ensemble
decodes with them by name on a pool or a cluster as it does in process.

A worker that dies mid-item (killed, out of memory) breaks a local pool: ``run_all`` opens a
fresh pool and resubmits the items whose results were not yet delivered, so no item is counted
twice and none is lost. A Dask cluster reschedules such items itself.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from twin.errors import UserError

__all__ = ["ExecutorSpec", "InProcessExecutor", "WithDecoders", "run_all"]


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

        The executor's ``quantacore_slots`` attribute, where set, is how many items it runs at
        once (the threads of a Dask cluster); ``run_all`` keeps a few per slot in flight.

        Raises:
            UserError: Dask asked for but not installed, or the scheduler cannot be reached.
        """
        if self.dask is None:
            if self.workers == 1:
                yield InProcessExecutor()
                return
            ctx = multiprocessing.get_context("spawn")
            pool = cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx)
            try:
                yield pool
            finally:  # on an error or Ctrl-C, drop queued items instead of running them
                pool.shutdown(wait=True, cancel_futures=True)
            return
        with _dask_client(self) as client:
            executor = client.get_executor(pure=False)
            nthreads = sum(client.nthreads().values())
            executor.quantacore_slots = nthreads or self.workers
            yield executor


@contextmanager
def _dask_client(spec: ExecutorSpec) -> Iterator[Any]:
    """A Dask client of a local cluster (started and closed here) or of a running scheduler.

    A local cluster starts in about a second and is silent (its workers' errors reach the
    caller through the futures, not as log lines on stderr). Closing it takes a fraction of a
    second when idle, about 4 s when items are still executing (after an error or Ctrl-C: each
    nanny waits for its worker before killing it).
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise UserError("--dask needs Dask: pip install -e '.[cluster]' in the twin's "
                        "checkout") from None
    cluster = None
    try:
        if spec.dask == "local":
            # no dashboard; its bare HTTP server on a free port, never a clash on :8787
            cluster = LocalCluster(n_workers=spec.workers, threads_per_worker=1,
                                   processes=True, dashboard_address=None,
                                   scheduler_kwargs={"dashboard_address": ":0"},
                                   silence_logs=logging.CRITICAL)
            client = Client(cluster, timeout="30s")
        else:
            client = Client(spec.dask, timeout="10s")
    except OSError as exc:
        if cluster is not None:
            cluster.close()
        raise UserError(f"--dask {spec.dask}: cannot reach the scheduler: {exc}") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _is_worker_death(exc: BaseException) -> bool:
    if isinstance(exc, BrokenProcessPool):
        return True
    return type(exc).__name__ == "KilledWorker"  # distributed.scheduler.KilledWorker


def run_all(spec: ExecutorSpec, fn: Callable[[Any], Any], items: Sequence[Any], *,
            on_result: Callable[[int, Any], None], retries: int = 3,
            max_in_flight: int | None = None,
            skip: Callable[[int], bool] | None = None) -> None:
    """Run ``fn(item)`` for every item on the executor of ``spec``.

    Items are submitted in index order, a bounded number ahead. Results are delivered to
    ``on_result(index, result)`` in this process, in completion order (callers that need a
    fixed order buffer them; see ``twin.studies.collect``). Each index is delivered exactly once, or
    never if ``skip`` dropped it.

    Args:
        spec: where to run.
        fn: a picklable top-level function of one argument.
        items: the work items (picklable); any sequence (it may build items lazily, as
            ``items[i]`` is read only when item ``i`` is submitted).
        on_result: called with (index into ``items``, ``fn(items[index])``).
        retries: how many times the pool may be rebuilt after a worker died.
        max_in_flight: items submitted ahead (default: 4 per worker), to bound memory.
        skip: called just before an item would be submitted; True drops it (never run, never
            delivered), e.g. the remaining chunks of a task that already reached its budget.

    Raises:
        Exception: whatever ``fn`` raised (the first, after cancelling the rest).
        RuntimeError: workers kept dying after ``retries`` rebuilds.
    """
    state = _Queue(len(items), skip)
    if spec.workers > 1 or spec.dask is not None:
        fn = _with_user_decoders(fn)
    attempt = 0
    while not state.finished():
        try:
            with spec.open() as executor:
                slots = getattr(executor, "quantacore_slots", spec.workers)
                _drain(executor, fn, items, state, on_result, max_in_flight or 4 * slots)
        except BaseException as exc:  # noqa: BLE001 - re-raised unless a worker died
            if not _is_worker_death(exc):
                raise
            attempt += 1
            if attempt > retries:
                raise RuntimeError(f"workers died {attempt} times; giving up: {exc}") from exc
            print(f"quantacore: a worker died ({type(exc).__name__}); resubmitting "
                  f"{len(state.retry)} unfinished item(s)", file=sys.stderr, flush=True)


class WithDecoders:
    """``fn`` run after installing the user decoders of the submitting process (picklable).

    Attributes:
        fn: the work function.
        decoders: ``qec.decoders.user_decoders()`` of the submitting process.
    """

    def __init__(self, fn: Callable[[Any], Any], decoders: dict[str, Any]) -> None:
        self.fn, self.decoders = fn, decoders

    def __call__(self, item: Any) -> Any:
        """Install the decoders, then run ``fn(item)``."""
        from qec.decoders import install_decoders

        install_decoders(self.decoders)
        return self.fn(item)


def _with_user_decoders(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``fn``, carrying this process's user decoders to the workers (if there are any).

    Raises:
        UserError: a user decoder cannot be pickled (it could not reach a worker).
    """
    from qec.decoders import portable_user_decoders

    try:
        decoders = portable_user_decoders()
    except ValueError as exc:
        raise UserError(str(exc)) from None
    return WithDecoders(fn, decoders) if decoders else fn


class _Queue:
    """Which indices are left: a frontier of never-submitted ones, plus ones to resubmit."""

    def __init__(self, n: int, skip: Callable[[int], bool] | None) -> None:
        self.n = n
        self.frontier = 0
        self.retry: list[int] = []  # submitted, not delivered, their pool died: sorted
        self.skip = skip

    def finished(self) -> bool:
        return not self.retry and self.frontier >= self.n

    def next(self) -> int | None:
        """The next index to submit (resubmissions first), or None when none is left."""
        while self.retry or self.frontier < self.n:
            if self.retry:
                i = self.retry.pop(0)
            else:
                i = self.frontier
                self.frontier += 1
            if self.skip is None or not self.skip(i):
                return i
        return None


def _drain(executor: cf.Executor, fn, items, state: _Queue, on_result, ahead: int) -> None:
    """Submit what is left with at most ``ahead`` in flight; deliver each result once."""
    running: dict[cf.Future, int] = {}
    try:
        while True:
            while len(running) < ahead:
                i = state.next()
                if i is None:
                    break
                running[executor.submit(fn, items[i])] = i
            if not running:
                return
            done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for future in sorted(done, key=running.__getitem__):
                exc = future.exception()
                if exc is not None:
                    raise exc  # the item's error, or the pool's death
                on_result(running.pop(future), future.result())
    finally:
        # whatever was in flight and not delivered is run again if the pool is rebuilt
        state.retry = sorted([*state.retry, *running.values()])
        for future in running:
            future.cancel()
