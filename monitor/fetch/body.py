"""Read a response body within bounds: a size cap on what it decodes to, and a bomb guard.

The body is read raw off the wire and decompressed here, never by the HTTP library, so that every
step is bounded: each decompression call may produce at most ``STEP`` bytes (zlib ``max_length``,
brotli ``output_buffer_limit``) before the bounds are checked again. The total is checked against
``max_bytes`` while streaming, and a body that inflates to more than ``max_ratio`` times its wire
size is refused as a decompression bomb before it gets anywhere near the cap.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Protocol

import brotli  # type: ignore[import-untyped]

from monitor.errors import FetchError, TooLarge, UnsupportedContent

ACCEPT_ENCODING = "gzip, deflate, br"
IDENTITY = frozenset({"", "identity"})


STEP = 64 * 1024  # most a decompressor may produce before the bounds are checked again


class _Decoder(Protocol):
    def decode(self, data: bytes) -> Iterator[bytes]:
        """The decompressed data, in pieces of at most ``STEP`` bytes."""
        ...


class _ZlibDecoder:
    """gzip and deflate (zlib-wrapped, falling back to raw deflate as some servers send it)."""

    def __init__(self, wbits: int) -> None:
        self._wbits = wbits
        self._inflater = zlib.decompressobj(wbits)
        self._started = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        yield self._first_piece(data)
        while self._inflater.unconsumed_tail:
            yield self._inflater.decompress(self._inflater.unconsumed_tail, STEP)

    def _first_piece(self, data: bytes) -> bytes:
        try:
            piece = self._inflater.decompress(data, STEP)
        except zlib.error:
            if self._started or self._wbits != zlib.MAX_WBITS:
                raise
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            piece = self._inflater.decompress(data, STEP)
        self._started = True
        return piece


class _BrotliDecoder:
    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()

    def decode(self, data: bytes) -> Iterator[bytes]:
        yield self._decompressor.process(data, output_buffer_limit=STEP)
        while not self._decompressor.can_accept_more_data():
            yield self._decompressor.process(b"", output_buffer_limit=STEP)


def make_decoder(content_encoding: str | None, url: str) -> _Decoder | None:
    """The decoder for a ``Content-Encoding`` value; ``None`` for identity."""
    coding = (content_encoding or "").strip().lower()
    if coding in IDENTITY:
        return None
    if coding in ("gzip", "x-gzip"):
        return _ZlibDecoder(16 + zlib.MAX_WBITS)
    if coding == "deflate":
        return _ZlibDecoder(zlib.MAX_WBITS)
    if coding == "br":
        return _BrotliDecoder()
    raise UnsupportedContent(f"refused {url}: unsupported Content-Encoding {coding!r}", url)


@dataclass(frozen=True, slots=True)
class BodyLimits:
    max_bytes: int
    max_ratio: float
    ratio_floor: int
    keep_prefix: bool = False  # past max_bytes: keep what came so far instead of refusing


class BodyReader:
    """Accumulates one body chunk by chunk, raising ``TooLarge`` as soon as a bound is crossed."""

    def __init__(self, url: str, limits: BodyLimits, decoder: _Decoder | None) -> None:
        self._url = url
        self._limits = limits
        self._decoder = decoder
        self._buffer = bytearray()
        self.wire_bytes = 0

    def feed(self, chunk: bytes) -> None:
        self.wire_bytes += len(chunk)
        if self._decoder is None:
            self._append(chunk)
            return
        try:
            for piece in self._decoder.decode(chunk):
                self._append(piece)
                self._check_ratio()
        except (zlib.error, brotli.error) as exc:
            message = f"could not decompress the body of {self._url}: {exc}"
            raise FetchError(message, self._url) from exc

    @property
    def full(self) -> bool:
        """Whether a prefix-keeping reader has all it will keep."""
        return self._limits.keep_prefix and len(self._buffer) >= self._limits.max_bytes

    def _append(self, data: bytes) -> None:
        if len(self._buffer) + len(data) > self._limits.max_bytes and self._limits.keep_prefix:
            self._buffer += data[: self._limits.max_bytes - len(self._buffer)]
            return
        if len(self._buffer) + len(data) > self._limits.max_bytes:
            raise TooLarge(
                f"body of {self._url} is larger than the {_size(self._limits.max_bytes)} cap",
                self._url,
            )
        self._buffer += data

    def _check_ratio(self) -> None:
        size = len(self._buffer)
        if size > self._limits.ratio_floor and size > self._limits.max_ratio * self.wire_bytes:
            raise TooLarge(
                f"body of {self._url} looks like a decompression bomb: {_size(self.wire_bytes)} "
                f"on the wire already inflated to {_size(size)}",
                self._url,
            )

    def result(self) -> bytes:
        return bytes(self._buffer)


async def read_body(chunks: AsyncIterator[bytes], reader: BodyReader) -> bytes:
    async for chunk in chunks:
        reader.feed(chunk)
        if reader.full:
            break
    return reader.result()


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    if count >= 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count} bytes"
