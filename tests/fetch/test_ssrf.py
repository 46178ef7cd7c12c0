"""The SSRF guard: discovered URLs and redirect targets may not reach private networks."""

from __future__ import annotations

import ipaddress

import pytest

from monitor.errors import BlockedURL
from monitor.fetch import SourceFetchPolicy
from monitor.fetch.guard import non_public_reason

from .server import FetcherFactory, RawServer, answer


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("fe80::1", "link-local"),
        ("fd00:ec2::254", "private"),  # AWS metadata over IPv6
        ("100.64.0.1", "not globally routable"),  # carrier-grade NAT
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("::ffff:10.0.0.1", "private"),  # IPv4-mapped
        ("2002:a00:1::", "private"),  # 6to4 around 10.0.0.1
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_address_classification(address: str, reason: str | None) -> None:
    found = non_public_reason(ipaddress.ip_address(address))
    assert (found or "").startswith(reason or "")
    assert (found is None) == (reason is None)


async def test_discovered_private_url_is_refused(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    server.routes["/internal"] = answer(b"internal")
    async with make_fetcher(allow_private_networks=False) as fetcher:
        with pytest.raises(BlockedURL, match="loopback") as refused:
            await fetcher.fetch(server.url("/internal"), discovered=True)
    assert refused.value.url == server.url("/internal")
    assert server.requests == []  # refused before anything was sent, robots.txt included


async def test_localhost_name_is_resolved_and_refused(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    async with make_fetcher(allow_private_networks=False) as fetcher:
        with pytest.raises(BlockedURL, match="allow_private_networks"):
            await fetcher.fetch(f"http://localhost:{server.port}/", discovered=True)
    assert server.requests == []


async def test_opt_in_per_source(server: RawServer, make_fetcher: FetcherFactory) -> None:
    server.routes["/internal"] = answer(b"internal")
    policy = SourceFetchPolicy(allow_private_networks=True)
    async with make_fetcher(allow_private_networks=False) as fetcher:
        page = await fetcher.fetch(server.url("/internal"), discovered=True, policy=policy)
    assert page.text == "internal"


async def test_config_urls_are_trusted(server: RawServer, make_fetcher: FetcherFactory) -> None:
    server.routes["/intranet"] = answer(b"intranet")
    async with make_fetcher(allow_private_networks=False) as fetcher:
        page = await fetcher.fetch(server.url("/intranet"), discovered=False)
    assert page.text == "intranet"


async def test_redirect_into_a_private_network_is_refused(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    """A trusted (config) URL may redirect, but its targets are held to the guard."""
    target = f"http://localhost:{server.port}/internal"
    server.routes["/start"] = answer(status=302, headers={"location": target})
    server.routes["/internal"] = answer(b"internal")
    async with make_fetcher(allow_private_networks=False) as fetcher:
        with pytest.raises(BlockedURL, match="loopback"):
            await fetcher.fetch(server.url("/start"), discovered=False)
        policy = SourceFetchPolicy(allow_private_networks=True)
        page = await fetcher.fetch(server.url("/start"), discovered=False, policy=policy)
    assert page.text == "internal"
    assert len(server.hits("/internal")) == 1


async def test_guarded_request_connects_to_the_checked_address(
    server: RawServer, make_fetcher: FetcherFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No second DNS lookup after the check (DNS rebinding): ``news.example`` does not resolve
    at all, yet the request reaches the address the (stubbed) guard approved, with its name in
    the Host header."""
    checked: list[str] = []

    async def approve(url: str, host: str, port: int) -> list[ipaddress.IPv4Address]:
        checked.append(host)
        return [ipaddress.IPv4Address("127.0.0.1")]

    monkeypatch.setattr("monitor.fetch.fetcher.check_public_host", approve)
    server.routes["/article"] = answer(b"article")
    url = f"http://news.example:{server.port}/article"
    async with make_fetcher(allow_private_networks=False, obey_robots=False) as fetcher:
        page = await fetcher.fetch(url, discovered=True)
    assert page.text == "article"
    assert page.final_url == url
    assert checked == ["news.example"]
    assert server.hits("/article")[0].headers["host"] == f"news.example:{server.port}"


async def test_guarded_tls_request_keeps_the_name_for_sni_and_certificate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pinned to 127.0.0.1, the TLS handshake still names (and verifies) ``news.example``."""
    import ssl
    from dataclasses import replace
    from pathlib import Path

    from monitor.fetch import Fetcher, build_client

    from .conftest import TEST_OPTIONS
    from .server import RawServer

    data = Path(__file__).parent / "data"
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(data / "news.example.crt", data / "news.example.key")
    client_tls = ssl.create_default_context(cafile=str(data / "news.example.crt"))

    async def approve(url: str, host: str, port: int) -> list[ipaddress.IPv4Address]:
        return [ipaddress.IPv4Address("127.0.0.1")]

    monkeypatch.setattr("monitor.fetch.fetcher.check_public_host", approve)
    server = RawServer(routes={"/article": answer(b"secure article")}, tls=server_tls)
    await server.start()
    options = replace(TEST_OPTIONS, allow_private_networks=False, obey_robots=False)
    try:
        async with build_client(options, verify=client_tls) as client:
            fetcher = Fetcher(client, options)
            url = f"https://news.example:{server.port}/article"
            page = await fetcher.fetch(url, discovered=True)
    finally:
        await server.stop()
    assert page.text == "secure article"
    assert server.hits("/article")[0].headers["host"] == f"news.example:{server.port}"


async def test_same_host_redirect_of_a_config_url_stays_trusted(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    server.routes["/old"] = answer(status=301, headers={"location": "/new"})
    server.routes["/new"] = answer(b"intranet page")
    async with make_fetcher(allow_private_networks=False) as fetcher:
        page = await fetcher.fetch(server.url("/old"), discovered=False)
        with pytest.raises(BlockedURL, match="loopback"):
            await fetcher.fetch(server.url("/old"), discovered=True)
    assert page.text == "intranet page"
