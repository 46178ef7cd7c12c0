"""Turning the date strings pages carry into timezone-aware datetimes (or None, never "now")."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Final

from dateutil import parser as dateutil_parser
from dateutil import tz

_YEAR: Final = re.compile(r"(?<!\d)(19[7-9]\d|20\d\d)(?!\d)")
_DOTTED_DATE: Final = re.compile(r"(?<!\d)\d{1,2}(?:\.\s?|-)\d{1,2}(?:\.\s?|-)\d{2,4}(?!\d)")
_EPOCH: Final = re.compile(r"^\d{10}(\d{3})?$")
# The forms nearly every page's metadata uses (a space for the T, an offset without its colon
# too), which the standard library reads forty times faster than dateutil's isoparse (same
# values; offsets given dateutil's own tzinfo objects).
_PLAIN_ISO: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{3}|\.\d{6})?)?"
    r"(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?",
    re.ASCII,
)
_TZINFOS: Final = {
    "GMT": tz.UTC,
    "UTC": tz.UTC,
    "Z": tz.UTC,
    "EST": tz.tzoffset("EST", -5 * 3600),
    "EDT": tz.tzoffset("EDT", -4 * 3600),
    "CST": tz.tzoffset("CST", -6 * 3600),
    "CDT": tz.tzoffset("CDT", -5 * 3600),
    "MST": tz.tzoffset("MST", -7 * 3600),
    "MDT": tz.tzoffset("MDT", -6 * 3600),
    "PST": tz.tzoffset("PST", -8 * 3600),
    "PDT": tz.tzoffset("PDT", -7 * 3600),
    "BST": tz.tzoffset("BST", 3600),
    "CET": tz.tzoffset("CET", 3600),
    "CEST": tz.tzoffset("CEST", 2 * 3600),
    "IST": tz.tzoffset("IST", 5 * 3600 + 1800),  # India, by far the commonest on news pages
}


def _known_zone(name: str | None, offset: int | None) -> tzinfo | None:
    """tzinfos hook for dateutil: known abbreviations and explicit offsets, else None (naive)."""
    if offset is not None:
        return tz.tzoffset(name, offset)
    return _TZINFOS.get((name or "").upper())


# Fills only the fields the text lacks (a year is required, see _YEAR); never "today".
_DEFAULT: Final = datetime(2000, 1, 1)
_MAX_LENGTH: Final = 80


class DateResult:
    """A parsed date and whether its timezone had to be assumed."""

    __slots__ = ("assumed_utc", "value")

    def __init__(self, value: datetime, assumed_utc: bool) -> None:
        self.value = value
        self.assumed_utc = assumed_utc


def parse_date(text: object) -> DateResult | None:
    """Parse a date as pages write it; None when it holds no plausible calendar date.

    A date without a timezone is taken as UTC (``assumed_utc`` says so); a date-only value is
    midnight UTC. Text without a four-digit year is rejected so that nothing is ever filled in
    from the current date.
    """
    if not isinstance(text, str):
        return None
    text = " ".join(text.split())
    if not text or len(text) > _MAX_LENGTH:
        return None
    if _EPOCH.match(text):
        return _from_epoch(text)
    if not _YEAR.search(text):
        return None
    parsed = _parse_iso(text) or _parse_loose(text)
    if parsed is None:
        return None
    try:
        offset = parsed.utcoffset()
    except ValueError:  # an offset of a day or more ("+14:0099999999999"): read, not usable
        return None
    if offset is None:
        return DateResult(parsed.replace(tzinfo=UTC), assumed_utc=True)
    return DateResult(parsed, assumed_utc=False)


def _from_epoch(text: str) -> DateResult | None:
    seconds = int(text[:10])
    value = datetime.fromtimestamp(seconds, tz=UTC)
    return DateResult(value, assumed_utc=False) if value.year >= 1990 else None


def _parse_iso(text: str) -> datetime | None:
    if _PLAIN_ISO.fullmatch(text):
        try:
            return _with_dateutil_zone(datetime.fromisoformat(text))
        except ValueError:
            pass  # out-of-range fields (or "24:00"): dateutil decides, as for any other form
    try:
        return dateutil_parser.isoparse(text)
    except (ValueError, OverflowError):
        return None


def _with_dateutil_zone(value: datetime) -> datetime:
    """``value`` with the tzinfo dateutil's isoparse gives: ``tz.UTC`` for a zero offset,
    ``tzoffset(None, seconds)`` for others."""
    offset = value.utcoffset()
    if offset is None:
        return value
    return value.replace(tzinfo=tz.UTC if not offset else _offset_zone(offset))


@lru_cache(maxsize=256)
def _offset_zone(offset: timedelta) -> tzinfo:
    """dateutil's ``tzoffset(None, seconds)``, made once per offset: dateutil's own cache of
    them takes a lock and a weak reference on every call (a third of reading an ISO date)."""
    return tz.tzoffset(None, int(offset.total_seconds()))


def _parse_loose(text: str) -> datetime | None:
    # "01.11.2023" and "01-11-2023" are the 1st of November wherever dots or dashes separate a
    # day-month-year date (US dates put the month first with slashes; ISO puts the year first)
    day_first = _DOTTED_DATE.search(text) is not None
    try:
        value = dateutil_parser.parse(
            text, default=_DEFAULT, tzinfos=_known_zone, fuzzy=True, dayfirst=day_first
        )
    except (ValueError, OverflowError, TypeError, dateutil_parser.ParserError):
        return None
    if not isinstance(value, datetime) or str(value.year) not in text:
        return None
    return value
