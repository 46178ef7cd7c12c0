"""robots.txt of a discovered host is fetched from the address the SSRF guard checked."""

from __future__ import annotations

import ipaddress

import pytest

from .server import FetcherFactory, RawServer, answer


async def test_robots_of_a_guarded_host_goes_to_the_checked_address(
    server: RawServer, make_fetcher: FetcherFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``news.example`` does not resolve: robots.txt can only arrive through the pinned address."""

    async def approve(url: str, host: str, port: int) -> list[ipaddress.IPv4Address]:
        return [ipaddress.IPv4Address("127.0.0.1")]

    monkeypatch.setattr("monitor.fetch.fetcher.check_public_host", approve)
    server.routes["/robots.txt"] = answer(b"User-agent: *\nAllow: /\n", content_type="text/plain")
    server.routes["/article"] = answer(b"article")
    url = f"http://news.example:{server.port}/article"
    async with make_fetcher(allow_private_networks=False, obey_robots=True) as fetcher:
        page = await fetcher.fetch(url, discovered=True)
    assert page.text == "article"
    (robots,) = server.hits("/robots.txt")
    assert robots.headers["host"] == f"news.example:{server.port}"
