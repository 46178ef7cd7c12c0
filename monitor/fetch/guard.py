"""Refuse URLs before anything is sent: bad schemes, and (for discovered URLs) private networks.

URLs written in the config are trusted; URLs the service *discovers* (feed items, links on listing
pages, redirect targets) are not, and are refused when their host is, or resolves to, an address
that is not on the public internet: loopback, private, link-local (which includes the cloud
metadata address 169.254.169.254), shared, multicast, reserved or unspecified — also when such an
address hides inside an IPv6 form (IPv4-mapped, 6to4, Teredo).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable

from monitor.errors import BlockedURL, ConnectError

ALLOWED_SCHEMES = frozenset({"http", "https"})
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def check_scheme(url: str, scheme: str, host: str) -> None:
    """Only http(s) URLs with a host are fetched."""
    if scheme not in ALLOWED_SCHEMES:
        raise BlockedURL(f"refused {url}: only http and https URLs are fetched", url)
    if not host:
        raise BlockedURL(f"refused {url}: the URL has no host", url)


def non_public_reason(address: IPAddress) -> str | None:
    """Why ``address`` is not a public internet address, or ``None`` when it is one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if embedded is not None:
            return non_public_reason(embedded)
    for reason, flag in (
        ("loopback", address.is_loopback),
        ("link-local (cloud metadata lives there)", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
    ):
        if flag:
            return reason
    return None if address.is_global else "not globally routable"


def parse_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


async def resolve(host: str, port: int) -> list[IPAddress]:
    """All addresses ``host`` resolves to (a literal address resolves to itself)."""
    literal = parse_ip(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found = (parse_ip(str(info[4][0])) for info in infos)
    return [address for address in found if address is not None]


def first_refusal(addresses: Iterable[IPAddress]) -> tuple[IPAddress, str] | None:
    for address in addresses:
        reason = non_public_reason(address)
        if reason is not None:
            return address, reason
    return None


async def check_public_host(url: str, host: str, port: int) -> list[IPAddress]:
    """The addresses of ``host``; ``BlockedURL`` unless every one of them is public.

    The caller connects to one of these very addresses (see ``Fetcher``), so that a DNS answer
    that changes between this check and the connection (DNS rebinding) cannot lead inside.
    """
    try:
        addresses = await resolve(host, port)
    except OSError as exc:
        raise ConnectError(f"could not resolve {host} for {url}: {exc}", url) from exc
    if not addresses:
        raise ConnectError(f"could not resolve {host} for {url}: no address", url)
    refusal = first_refusal(addresses)
    if refusal is not None:
        address, reason = refusal
        raise BlockedURL(
            f"refused {url}: {host} is {address}, a {reason} address "
            "(set allow_private_networks on the source to allow it)",
            url,
        )
    return addresses
