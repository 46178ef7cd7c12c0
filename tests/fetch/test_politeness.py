"""Politeness as the server sees it: robots.txt, per-host spacing and concurrency, Retry-After."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest

from monitor.errors import BlockedURL, ConnectError, HTTPStatusError
from monitor.fetch import Fetcher, SourceFetchPolicy

from .server import FetcherFactory, RawServer, Request, answer, head_bytes

ROBOTS = b"""# a comment
User-agent: otherbot
Disallow: /

User-agent: *
Disallow: /private
Allow: /private/open$
Crawl-delay: 0.3
"""


# asyncio may wake a sleeper up to one clock resolution early
CLOCK_RESOLUTION = 1e-3


def gaps(requests: list[Request]) -> list[float]:
    arrivals = sorted(request.arrived for request in requests)
    return [later - earlier for earlier, later in itertools.pairwise(arrivals)]


def record_turns(fetcher: Fetcher) -> list[float]:
    """When each request to a host got its turn, by the politeness clock itself.

    Arrival times at the server are not used for spacing: on a busy machine one request can
    be held up in the event loop after its turn and the next not, which shrinks the gap the
    server sees without the client having been impolite.
    """
    turns: list[float] = []
    politeness = fetcher.politeness
    take_turn = politeness._take_turn

    async def recorded(gate: Any, delay: float) -> None:
        await take_turn(gate, delay)
        turns.append(gate.next_allowed - delay)

    politeness._take_turn = recorded  # type: ignore[method-assign]
    return turns


def turn_gaps(turns: list[float]) -> list[float]:
    ordered = sorted(turns)
    return [later - earlier for earlier, later in itertools.pairwise(ordered)]


async def test_robots_disallow_is_refused_and_reported(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    server.routes["/robots.txt"] = answer(ROBOTS, content_type="text/plain")
    server.routes["/private/page"] = answer(b"secret")
    server.routes["/private/open"] = answer(b"open")
    server.routes["/public"] = answer(b"public")
    async with make_fetcher() as fetcher:
        with pytest.raises(BlockedURL, match=r"robots\.txt disallows it") as refused:
            await fetcher.fetch(server.url("/private/page"), discovered=False)
        assert (await fetcher.fetch(server.url("/private/open"), discovered=False)).text == "open"
        assert (await fetcher.fetch(server.url("/public"), discovered=False)).text == "public"
    assert refused.value.url == server.url("/private/page")
    assert server.hits("/private/page") == []
    assert len(server.hits("/robots.txt")) == 1  # cached for the day


async def test_robots_with_a_byte_order_mark_is_obeyed(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    server.routes["/robots.txt"] = answer(
        b"\xef\xbb\xbfUser-agent: *\nDisallow: /private\n", content_type="text/plain"
    )
    server.routes["/private/page"] = answer(b"secret")
    async with make_fetcher() as fetcher:
        with pytest.raises(BlockedURL, match=r"robots\.txt disallows it"):
            await fetcher.fetch(server.url("/private/page"), discovered=False)
    assert server.hits("/private/page") == []


async def test_robots_can_be_ignored_per_source(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    server.routes["/robots.txt"] = answer(b"User-agent: *\nDisallow: /", content_type="text/plain")
    server.routes["/page"] = answer(b"page")
    async with make_fetcher() as fetcher:
        policy = SourceFetchPolicy(obey_robots=False)
        page = await fetcher.fetch(server.url("/page"), discovered=False, policy=policy)
    assert page.text == "page"
    assert server.hits("/robots.txt") == []


async def test_robots_server_error_disallows_everything_for_a_while(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    server.routes["/robots.txt"] = answer(b"", status=500, content_type=None)
    server.routes["/page"] = answer(b"page")
    async with make_fetcher(retries=3, robots_error_ttl=120.0) as fetcher:
        for _ in range(2):
            with pytest.raises(HTTPStatusError, match=r"robots\.txt") as failed:
                await fetcher.fetch(server.url("/page"), discovered=False)
    assert failed.value.status == 500
    assert failed.value.retry_after == 120.0  # when robots.txt will be asked again
    assert server.hits("/page") == []
    assert len(server.hits("/robots.txt")) == 1


async def test_concurrent_first_fetches_share_one_robots_load(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    async def slow_robots(request: Request, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(0.2)
        await answer(b"User-agent: *\nAllow: /\n", content_type="text/plain")(request, writer)

    server.routes["/robots.txt"] = slow_robots
    server.routes["/page"] = answer(b"page")
    async with make_fetcher(per_host_concurrency=10) as fetcher:
        pages = await asyncio.gather(
            *(fetcher.fetch(server.url("/page"), discovered=False) for _ in range(5))
        )
    assert [page.text for page in pages] == ["page"] * 5
    assert len(server.hits("/robots.txt")) == 1


async def test_per_host_delay_as_seen_by_the_server(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    server.routes["/page"] = answer(b"page")
    async with make_fetcher(per_host_delay=0.3, obey_robots=False) as fetcher:
        turns = record_turns(fetcher)
        await asyncio.gather(
            *(fetcher.fetch(server.url("/page"), discovered=False) for _ in range(4))
        )
    assert len(server.hits("/page")) == 4
    assert len(turns) == 4
    assert min(turn_gaps(turns)) >= 0.3 - CLOCK_RESOLUTION, turns


async def test_crawl_delay_from_robots_is_honoured(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    server.routes["/robots.txt"] = answer(ROBOTS, content_type="text/plain")
    server.routes["/page"] = answer(b"page")
    async with make_fetcher(per_host_delay=0.0) as fetcher:
        turns = record_turns(fetcher)
        await asyncio.gather(
            *(fetcher.fetch(server.url("/page"), discovered=False) for _ in range(3))
        )
    assert len(server.hits("/page")) == 3
    page_turns = turns[-3:]  # the first turn was robots.txt's
    assert min(turn_gaps(page_turns)) >= 0.3 - CLOCK_RESOLUTION, turns


async def test_per_host_concurrency_as_seen_by_the_server(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    async def slow(request: Request, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(0.2)
        await answer(b"slow")(request, writer)

    server.routes["/slow"] = slow
    async with make_fetcher(per_host_concurrency=2, obey_robots=False) as fetcher:
        await asyncio.gather(
            *(fetcher.fetch(server.url("/slow"), discovered=False) for _ in range(6))
        )
    assert len(server.hits("/slow")) == 6
    assert server.max_in_flight == 2


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_leaves_the_host_alone(
    server: RawServer, make_fetcher: FetcherFactory, status: int
) -> None:
    server.routes["/busy"] = answer(b"", status=status, headers={"retry-after": "2"})
    server.routes["/other"] = answer(b"other")
    async with make_fetcher(retries=2, obey_robots=False) as fetcher:
        with pytest.raises(HTTPStatusError) as first:
            await fetcher.fetch(server.url("/busy"), discovered=False)
        with pytest.raises(HTTPStatusError, match="not sent") as second:
            await fetcher.fetch(server.url("/other"), discovered=False)
        await asyncio.sleep(2.05)
        assert (await fetcher.fetch(server.url("/other"), discovered=False)).text == "other"
    assert (first.value.status, first.value.retry_after) == (status, 2.0)
    assert second.value.status == status
    assert second.value.retry_after is not None
    assert 0 < second.value.retry_after <= 2
    assert len(server.hits("/busy")) == 1  # not retried: the server said when to come back
    assert len(server.hits("/other")) == 1


async def test_retry_after_as_an_http_date(server: RawServer, make_fetcher: FetcherFactory) -> None:
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    when = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    server.routes["/busy"] = answer(b"", status=429, headers={"retry-after": when})
    async with make_fetcher(obey_robots=False) as fetcher:
        with pytest.raises(HTTPStatusError) as caught:
            await fetcher.fetch(server.url("/busy"), discovered=False)
    assert caught.value.retry_after is not None
    assert 115 < caught.value.retry_after <= 120


async def test_server_errors_are_retried_with_backoff(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    calls = 0

    async def flaky(request: Request, writer: asyncio.StreamWriter) -> None:
        nonlocal calls
        calls += 1
        if calls < 3:
            writer.write(head_bytes(502, {"content-length": "0"}))
            return
        await answer(b"finally")(request, writer)

    server.routes["/flaky"] = flaky
    async with make_fetcher(retries=2, backoff_base=0.1, obey_robots=False) as fetcher:
        waits: list[float] = []
        backoff = fetcher._backoff

        def recorded(retry: int) -> float:
            waits.append(backoff(retry))
            return waits[-1]

        fetcher._backoff = recorded  # type: ignore[method-assign]
        page = await fetcher.fetch(server.url("/flaky"), discovered=False)
    assert page.text == "finally"
    assert len(server.hits("/flaky")) == 3
    assert 0.05 <= waits[0] <= 0.1  # base 0.1 s, jitter keeps at least half of it
    assert 0.1 <= waits[1] <= 0.2  # doubled
    assert min(gaps(server.hits("/flaky"))) > 0  # the retries came one after another


async def test_client_errors_are_not_retried(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    server.routes["/gone"] = answer(b"", status=410)
    async with make_fetcher(retries=3, obey_robots=False) as fetcher:
        with pytest.raises(HTTPStatusError, match="410") as caught:
            await fetcher.fetch(server.url("/gone"), discovered=False)
    assert caught.value.status == 410
    assert caught.value.url == server.url("/gone")
    assert len(server.hits("/gone")) == 1


async def test_unsupported_content_is_refused(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    from monitor.errors import UnsupportedContent

    server.routes["/logo.png"] = answer(b"\x89PNG" * 1000, content_type="image/png")
    server.routes["/feed"] = answer(b"<rss/>", content_type="application/rss+xml")
    async with make_fetcher(obey_robots=False) as fetcher:
        with pytest.raises(UnsupportedContent, match="image/png"):
            await fetcher.fetch(server.url("/logo.png"), discovered=False)
        assert (await fetcher.fetch(server.url("/feed"), discovered=False)).text == "<rss/>"


async def test_bad_scheme_is_refused(make_fetcher: FetcherFactory) -> None:
    async with make_fetcher() as fetcher:
        with pytest.raises(BlockedURL, match="only http and https"):
            await fetcher.fetch("file:///etc/passwd", discovered=False)
        with pytest.raises(BlockedURL, match="not a valid URL"):
            await fetcher.fetch("http://exa mple.com:99999/", discovered=False)


async def test_unresolvable_discovered_host(make_fetcher: FetcherFactory) -> None:
    async with make_fetcher(allow_private_networks=False) as fetcher:
        with pytest.raises(ConnectError, match="could not resolve"):
            await fetcher.fetch("http://no-such-host.invalid/", discovered=True)


async def test_idle_hosts_are_forgotten() -> None:
    from monitor.fetch.politeness import SWEEP_ABOVE, Politeness

    politeness = Politeness(concurrency=2, delay=0.0)
    politeness.block("busy.example", 60, 429)
    for index in range(SWEEP_ABOVE * 2):
        async with politeness.slot(f"host-{index}.example"):
            pass
    assert len(politeness._gates) <= SWEEP_ABOVE + 1
    assert politeness.blocked("busy.example") is not None  # a block is never forgotten early


async def test_host_spacing_is_the_delay_or_the_crawl_delay_once_known(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    """What the recheck planner asks to keep each recheck run polite."""
    server.routes["/robots.txt"] = answer(ROBOTS, content_type="text/plain")
    server.routes["/page"] = answer(b"page")
    async with make_fetcher(per_host_delay=0.1) as fetcher:
        assert fetcher.host_spacing(server.url("/page")) == 0.1  # robots.txt not read yet
        await fetcher.fetch(server.url("/page"), discovered=False)
        assert fetcher.host_spacing(server.url("/page")) == 0.3
        assert fetcher.host_spacing("not a url") == 0.1
    async with make_fetcher(per_host_delay=0.1, obey_robots=False) as fetcher:
        await fetcher.fetch(server.url("/page"), discovered=False)
        assert fetcher.host_spacing(server.url("/page")) == 0.1


async def test_host_slots_go_first_come_first_served_and_survive_cancellation() -> None:
    """A released slot goes to the longest waiter; a waiter cancelled before its turn is
    skipped, and one cancelled after being handed the slot passes it on."""
    from monitor.fetch.politeness import Politeness

    politeness = Politeness(concurrency=1, delay=0.0)
    order: list[str] = []
    names = ("a", "b", "c", "d")
    release = {name: asyncio.Event() for name in names}
    holding = {name: asyncio.Event() for name in names}

    async def hold(name: str) -> None:
        async with politeness.slot("one.example"):
            order.append(name)
            holding[name].set()
            await release[name].wait()
        if name == "a":
            # Leaving handed the slot to c (b was skipped) in this same step, before c could
            # run: c is cancelled after being handed the slot and must pass it on to d.
            tasks["c"].cancel()

    tasks = {name: asyncio.create_task(hold(name)) for name in names}
    await asyncio.wait_for(holding["a"].wait(), 5)  # a holds the slot; b, c and d queue in order
    assert order == ["a"]
    tasks["b"].cancel()  # cancelled while waiting: skipped
    release["a"].set()
    await asyncio.gather(tasks["a"], tasks["b"], tasks["c"], return_exceptions=True)
    await asyncio.wait_for(holding["d"].wait(), 5)
    assert order == ["a", "d"]
    release["d"].set()
    await tasks["d"]
    assert tasks["b"].cancelled()
    assert tasks["c"].cancelled()
    async with politeness.slot("one.example"):  # and the slot is free again
        order.append("e")
    assert order == ["a", "d", "e"]
