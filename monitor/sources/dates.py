"""Feed dates → timezone-aware datetimes.

The common shapes (RFC 822 in RSS, ISO 8601 / W3C-DTF in Atom, JSON Feed and sitemaps) go through
the standard library, which is fast; anything else goes through feedparser's lenient date handlers
(asctime, Korean, Greek, Hungarian, Perforce, ...). A date without a zone is taken as UTC.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def parse_date(text: str | None) -> datetime | None:
    """The date ``text`` names, timezone-aware, or None when it names none we can read."""
    if not text:
        return None
    text = text.strip()
    if not text:
        return None
    parsed = _parse_iso(text) if text[0].isdigit() else _parse_rfc822(text)
    if parsed is None:
        parsed = _parse_lenient(text)
    return _representable(as_aware(parsed)) if parsed is not None else None


def _representable(value: datetime) -> datetime | None:
    """``value`` if it also exists in UTC (``9999-12-31T23:00-05:00`` does not), else None."""
    try:
        value.astimezone(UTC)
    except OverflowError:
        return None
    return value


def as_aware(value: datetime) -> datetime:
    """``value`` with UTC assumed when it carries no zone."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def from_struct_time(value: time.struct_time | None) -> datetime | None:
    """A UTC ``struct_time`` (feedparser's ``*_parsed`` fields) as an aware datetime."""
    if value is None:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _parse_iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _parse_rfc822(text: str) -> datetime | None:
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _parse_lenient(text: str) -> datetime | None:
    from feedparser.datetimes import _parse_date  # lazy: only odd dates need it

    try:
        return from_struct_time(_parse_date(text))
    except Exception:  # feedparser's handlers raise assorted errors on junk: no date, then
        return None
