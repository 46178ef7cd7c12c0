"""CPU-heavy work off the event loop: a small pool of worker processes with a time budget per call.

Parsing and extraction are pure Python over lexbor and hold the GIL, so threads would not keep the
loop free; processes do (``benchmarks/offload.py`` measures both). One worker per core, started on
first use from a ``forkserver`` (never a fork of the threaded daemon). A call that overruns its
budget, or whose caller is cancelled, gets its worker killed and replaced: the rest of the daemon
never waits for it. ``run`` raises ``ParseError`` naming what overran; the callable's own
exceptions come back as they were raised.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar, cast

from monitor.errors import ParseError

DEFAULT_BUDGET_SECONDS = 20.0
# What a worker runs, imported once in the forkserver so that every worker starts with it (the
# packages alone import their heavy modules lazily: name the modules).
_PRELOAD = ["monitor.extract.article", "monitor.sources"]

T = TypeVar("T")


def _serve(connection: Connection) -> None:
    """A worker's loop: run each ``(function, args)`` received and send back its outcome."""
    while True:
        try:
            function, args = connection.recv()
        except EOFError:
            return
        try:
            outcome: tuple[bool, object] = (True, function(*args))
        except Exception as exc:  # handed back to the caller, who re-raises it
            outcome = (False, exc)
        try:
            connection.send(outcome)
        except Exception as exc:  # an outcome that does not pickle
            connection.send((False, ParseError(f"worker could not return its result: {exc}")))


class _Worker:
    """One worker process and the pipe to it."""

    def __init__(self, context: BaseContext) -> None:
        ours, theirs = context.Pipe()
        self.process: BaseProcess = context.Process(  # type: ignore[attr-defined]
            target=_serve, args=(theirs,), daemon=True, name="monitor-worker"
        )
        self.process.start()
        theirs.close()
        self.connection = ours

    async def call(self, function: Callable[..., Any], args: tuple[Any, ...], budget: float) -> Any:
        self.connection.send((function, args))
        await self._readable(budget)
        ok, value = self.connection.recv()
        if not ok:
            raise value
        return value

    async def _readable(self, budget: float) -> None:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        descriptor = self.connection.fileno()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(descriptor, wake)
        try:
            await asyncio.wait_for(ready, budget)
        finally:
            loop.remove_reader(descriptor)
            # uvloop's add_reader leaves the pipe non-blocking; its send and recv must block (a
            # page larger than the pipe's buffer would fail with BlockingIOError)
            os.set_blocking(descriptor, True)

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=1)
        self.connection.close()


class WorkerPool:
    """``await pool.run(function, *args, what=url)`` runs the call in a worker, within budget."""

    def __init__(self, size: int | None = None, budget: float = DEFAULT_BUDGET_SECONDS) -> None:
        self.size = size or os.cpu_count() or 1
        self.budget = budget
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(_PRELOAD)
        self._idle: asyncio.Queue[_Worker] | None = None
        self._started = 0
        self._busy: set[_Worker] = set()

    async def run(self, function: Callable[..., T], *args: Any, what: str) -> T:
        """``function(*args)`` in a worker; ``ParseError`` naming ``what`` when over budget."""
        worker = await self._take()
        self._busy.add(worker)
        try:
            result = await worker.call(function, args, self.budget)
        except TimeoutError:
            self._replace(worker)
            raise ParseError(f"{what}: skipped: took over {self.budget:g}s to process") from None
        except BaseException as exc:
            if not _raised_by_function(exc):
                self._replace(worker)  # cancelled or the worker died: it may still be working
            else:
                self._give_back(worker)
            raise
        self._give_back(worker)
        return cast(T, result)

    def close(self) -> None:
        """Kill every worker (idle or busy); the pool starts afresh if used again."""
        workers = list(self._busy)
        while self._idle is not None and not self._idle.empty():
            workers.append(self._idle.get_nowait())
        for worker in workers:
            worker.kill()
        self._busy.clear()
        self._idle, self._started = None, 0

    async def _take(self) -> _Worker:
        if self._idle is None:
            self._idle = asyncio.Queue()
        if self._idle.empty() and self._started < self.size:
            self._started += 1
            starting = asyncio.ensure_future(asyncio.to_thread(_Worker, self._context))
            try:
                return await asyncio.shield(starting)
            except asyncio.CancelledError:  # the worker still starts: keep it for the next call
                starting.add_done_callback(self._keep_started)
                raise
            except BaseException:
                self._started -= 1
                raise
        return await self._idle.get()

    def _keep_started(self, starting: asyncio.Future[_Worker]) -> None:
        if starting.cancelled() or starting.exception() is not None:
            self._started = max(0, self._started - 1)
        else:
            self._give_back(starting.result())

    def _give_back(self, worker: _Worker) -> None:
        self._busy.discard(worker)
        if self._idle is not None:
            self._idle.put_nowait(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start a fresh one in its place: callers already queued for a
        worker wait on the idle queue, and nothing else would ever start one for them."""
        self._busy.discard(worker)
        worker.kill()
        if self._idle is None:  # closed meanwhile: the next caller starts afresh
            self._started = max(0, self._started - 1)
            return
        starting = asyncio.ensure_future(asyncio.to_thread(_Worker, self._context))
        starting.add_done_callback(self._keep_started)


def _raised_by_function(exc: BaseException) -> bool:
    return isinstance(exc, Exception) and not isinstance(exc, EOFError | OSError | TimeoutError)
