"""Calendar dates an article mentions ("May 3, 2013", "18 September 2013", "2013-09-18").

Reports of one event mention the days around it; a report of another event of the same kind
mentions other days. The tracker compares the days an article mentions with the days its
candidate story mentions (the thread of time, next to the time the pages were published).
A day of a month is a date, not a count: its digits are taken out of the article's terms, so
"June 06, 2013" as a date line never matches "6 killed" nor another story's "June 06".

Only full dates (day, month and year) count, written with an English month name or in ISO
form; a weekday or a month without its day says too little to tell two events apart.
"""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?P<{g}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?P<{g}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<{g}>(?:19|20)\d\d)"
_FORMS = (
    _MONTH.format(g="m1") + r"\s+" + _DAY.format(g="d1") + r"\s*,?\s+" + _YEAR.format(g="y1"),
    _DAY.format(g="d2")
    + r"\s+(?:of\s+)?"
    + _MONTH.format(g="m2")
    + r",?\s+"
    + _YEAR.format(g="y2"),
    _YEAR.format(g="y3") + r"-(?P<m3>[01]\d)-(?P<d3>[0-3]\d)",
)
_DATE = re.compile(r"\b(?:" + "|".join(_FORMS) + r")\b", re.IGNORECASE)


def dates_in(sentence: str) -> tuple[list[date], str]:
    """The full dates ``sentence`` mentions, and the sentence with each date replaced by its
    year (the year stays a term; the month and the day do not)."""
    found: list[date] = []

    def keep_year(match: re.Match[str]) -> str:
        parsed = _parse(match)
        if parsed is None:
            return match.group()
        found.append(parsed)
        return str(parsed.year)

    rest = _DATE.sub(keep_year, sentence)
    return found, rest


def _parse(match: re.Match[str]) -> date | None:
    groups = match.groupdict()
    for suffix in "123":
        year = groups[f"y{suffix}"]
        if year is None:
            continue
        month_text = groups[f"m{suffix}"]
        month = int(month_text) if month_text.isdigit() else _MONTHS[month_text.lower()[:3]]
        return _valid(int(year), month, int(groups[f"d{suffix}"]))
    return None


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def days_apart(first: frozenset[int], second: frozenset[int]) -> int:
    """The fewest days between a date of ``first`` and a date of ``second`` (date ordinals)."""
    return min(abs(day - other) for day in first for other in second)
