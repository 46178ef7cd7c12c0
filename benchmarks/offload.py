"""Threads or processes for extraction: the event loop's lag while pages are extracted off it.

Extracts the same pages (scrapinghub's article-extraction-benchmark, or a generated article when
``../shared`` is absent) three ways while a ticker measures how late the loop wakes up: on the
loop itself, in a thread (``asyncio.to_thread``) and in monitor's worker pool (processes). A
library that released the GIL would make the thread as good as the process; ours holds it.

    python benchmarks/offload.py [--pages 40]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from monitor.extract import extract_article
from monitor.offload import WorkerPool

CORPUS = Path(__file__).resolve().parents[2] / "shared/data/article-extraction-benchmark/html"
URL = "https://example.com/news/a"


def pages(count: int) -> list[bytes]:
    files = sorted(CORPUS.glob("*.html.gz"))[:count] if CORPUS.is_dir() else []
    if files:
        return [gzip.open(path).read() for path in files]
    body = "".join(
        f"<p>Paragraph {i} of the report, with some words in it.</p>" for i in range(300)
    )
    return [f"<html><body><article><h1>T</h1>{body}</article></body></html>".encode()] * count


async def lag_while(work: Callable[[], Awaitable[None]]) -> tuple[float, float, float]:
    """(seconds the work took, max and mean lateness of a 10 ms ticker meanwhile)."""
    late: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            planned = time.perf_counter() + 0.01
            await asyncio.sleep(0.01)
            late.append(max(0.0, time.perf_counter() - planned))

    tick = asyncio.create_task(ticker())
    began = time.perf_counter()
    await work()
    took = time.perf_counter() - began
    done.set()
    await tick
    return took, max(late or [0.0]), sum(late) / max(1, len(late))


async def main(count: int) -> None:
    html = pages(count)
    pool = WorkerPool()
    await pool.run(extract_article, html[0], URL, what="warm-up")

    async def inline() -> None:
        for page in html:
            extract_article(page, URL)
            await asyncio.sleep(0)

    async def threaded() -> None:
        await asyncio.gather(*(asyncio.to_thread(extract_article, page, URL) for page in html))

    async def processes() -> None:
        await asyncio.gather(*(pool.run(extract_article, page, URL, what=URL) for page in html))

    print(f"{len(html)} pages; loop lag while extracting (a 10 ms ticker's lateness)")
    for name, work in (("on the loop", inline), ("threads", threaded), ("processes", processes)):
        took, worst, mean = await lag_while(work)
        print(
            f"  {name:12} {took:6.2f} s   lag max {worst * 1000:7.1f} ms"
            f"   mean {mean * 1000:6.1f} ms"
        )
    pool.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=40)
    asyncio.run(main(parser.parse_args().pages))
