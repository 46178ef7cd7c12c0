"""The worker pool: CPU-heavy calls run in other processes, within a time budget."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from monitor.errors import ParseError
from monitor.extract import extract_article
from monitor.offload import WorkerPool


@pytest.fixture
def pool() -> object:
    workers = WorkerPool(size=1, budget=2.0)
    yield workers
    workers.close()


async def test_a_call_runs_in_another_process(pool: WorkerPool) -> None:
    assert await pool.run(os.getpid, what="pid") != os.getpid()
    article = await pool.run(
        extract_article, b"<html><title>T</title><p>x</p></html>", "https://e.com/a", what="a"
    )
    assert article.title == "T"


async def test_the_callables_own_error_comes_back_and_the_worker_stays(pool: WorkerPool) -> None:
    first = await pool.run(os.getpid, what="pid")
    with pytest.raises(ParseError, match="expected HTML"):
        await pool.run(extract_article, 42, "https://e.com/a", what="a")
    assert await pool.run(os.getpid, what="pid") == first


async def test_a_call_over_budget_is_killed_and_the_pool_goes_on(pool: WorkerPool) -> None:
    first = await pool.run(os.getpid, what="pid")
    with pytest.raises(ParseError, match=r"https://e.com/slow: skipped: took over 2s"):
        await pool.run(time.sleep, 60, what="https://e.com/slow")
    assert await pool.run(os.getpid, what="pid") != first  # a fresh worker


async def test_callers_queued_behind_a_call_over_budget_still_get_a_worker(
    pool: WorkerPool,
) -> None:
    slow = asyncio.create_task(pool.run(time.sleep, 60, what="https://e.com/slow"))
    await asyncio.sleep(0)  # the slow call takes the only worker …
    queued = asyncio.create_task(pool.run(os.getpid, what="pid"))  # … this one waits for it
    with pytest.raises(ParseError, match="took over 2s"):
        await slow
    assert await asyncio.wait_for(queued, 60) != os.getpid()  # a fresh worker served it


async def test_the_loop_stays_free_while_a_worker_computes(pool: WorkerPool) -> None:
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    with pytest.raises(ParseError):
        await pool.run(time.sleep, 60, what="slow")
    ticker.cancel()
    assert ticks > 10  # the loop kept running while the worker was busy


async def test_a_cancelled_call_kills_its_worker(pool: WorkerPool) -> None:
    first = await pool.run(os.getpid, what="pid")
    call = asyncio.create_task(pool.run(time.sleep, 60, what="slow"))
    await asyncio.sleep(0.2)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert await pool.run(os.getpid, what="pid") != first


def test_pages_larger_than_the_pipe_pass_on_uvloop_too() -> None:
    """The daemon runs on uvloop, whose add_reader makes the pipe non-blocking: a second call
    with an argument far larger than the pipe's buffer must still be sent and answered."""
    uvloop = pytest.importorskip("uvloop")
    big = "x" * 2_000_000

    async def twice() -> list[int]:
        pool = WorkerPool(size=1, budget=60.0)
        try:
            return [await pool.run(len, big, what="big") for _ in range(2)]
        finally:
            pool.close()

    assert uvloop.run(twice()) == [len(big), len(big)]
