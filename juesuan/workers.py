"""Jobs in worker processes that no job can take down.

A worker that dies (a crash in native code: PDFium, a kill by the kernel) or does not answer in
time loses only the job it was on: that job comes back as `Lost`, the worker is replaced, and the
other jobs go on. multiprocessing.Pool cannot promise this: a dead worker's task never returns,
and its map waits forever.
"""
from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any


@dataclass(frozen=True)
class Lost:
    how: str     # "crashed" (the worker died) or "hung" (no answer in time: the worker was killed)
    detail: str


@dataclass
class _Worker:
    process: Any
    connection: Any
    job: Any = None
    started: float = 0.0
    done: int = 0


def _serve(connection, work: Callable[[Any], Any]) -> None:
    while True:
        job = connection.recv()
        if job is None:
            return
        connection.send(work(job))


def run_in_workers(jobs: list, work: Callable[[Any], Any], processes: int, timeout: float,
                   context=None, jobs_per_worker: int = 200) -> Iterator[tuple[Any, Any]]:
    """(job, work(job)) for every job, in the order they finish, from `processes` workers; a job
    whose worker died or gave no answer in `timeout` s comes back as (job, Lost). `work` must be
    importable by name (a module's function). A worker is replaced after `jobs_per_worker` jobs, so
    what a reader leaks does not pile up."""
    context = context or multiprocessing.get_context("forkserver")
    pending = list(reversed(jobs))

    def start() -> _Worker:
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(child, work), daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def stop(worker: _Worker, kill: bool) -> None:
        if not kill:
            try:
                worker.connection.send(None)
            except OSError:
                kill = True
        worker.process.join(None if not kill else 0)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.connection.close()

    def feed(worker: _Worker) -> None:
        if pending:
            worker.job, worker.started = pending.pop(), time.monotonic()
            worker.connection.send(worker.job)

    workers = [start() for _ in range(max(1, min(processes, len(jobs))))]
    try:
        for worker in workers:
            feed(worker)
        while any(w.job is not None for w in workers):
            ready = wait([w.connection for w in workers if w.job is not None], timeout=1.0)
            for index, worker in enumerate(workers):
                if worker.job is None:
                    continue
                if worker.connection in ready:
                    try:
                        result = worker.connection.recv()
                    except EOFError:  # died mid-job
                        worker.process.join()
                        result = Lost("crashed", f"the worker process died (exit code {worker.process.exitcode})")
                elif time.monotonic() - worker.started > timeout:
                    result = Lost("hung", f"no answer in {timeout:.0f} s: the worker process was stopped")
                else:
                    continue
                job, worker.job = worker.job, None
                worker.done += 1
                if isinstance(result, Lost) or worker.done >= jobs_per_worker:
                    stop(worker, kill=isinstance(result, Lost))
                    workers[index] = worker = start() if pending else worker
                feed(worker)  # before the caller takes the result: the worker is not left idle meanwhile
                yield job, result
    finally:
        for worker in workers:
            if worker.process.is_alive() or worker.process.exitcode is None:
                stop(worker, kill=worker.job is not None)
