"""RFC 9309 §2.5: a robots.txt over 500 KiB is read up to 500 KiB, and the rest ignored."""

from __future__ import annotations

import pytest

from monitor.errors import BlockedURL

from .server import FetcherFactory, RawServer, answer

KIB = 1024


async def test_a_robots_txt_over_512_kb_is_parsed_up_to_500_kib(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    rules = b"User-agent: *\nDisallow: /private\n"
    padding = b"# " + b"x" * 98 + b"\n"
    late = b"User-agent: *\nDisallow: /late\n"  # past 500 KiB: ignored
    robots = rules + padding * (600 * KIB // len(padding)) + late
    server.routes["/robots.txt"] = answer(robots, content_type="text/plain")
    server.routes["/private/page"] = answer(b"secret")
    server.routes["/late/page"] = answer(b"late")
    async with make_fetcher() as fetcher:
        with pytest.raises(BlockedURL, match=r"robots\.txt disallows it"):
            await fetcher.fetch(server.url("/private/page"), discovered=False)
        assert (await fetcher.fetch(server.url("/late/page"), discovered=False)).text == "late"
