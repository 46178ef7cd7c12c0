"""Date parsing: aware datetimes, UTC only when assumed, never a date made up from today."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from monitor.extract.dates import _parse_iso, parse_date


@pytest.mark.parametrize(
    ("text", "expected", "assumed"),
    [
        ("2024-03-05T09:00:00Z", datetime(2024, 3, 5, 9, tzinfo=UTC), False),
        (
            "2024-03-05T09:00:00+05:30",
            datetime(2024, 3, 5, 9, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            False,
        ),
        ("2024-03-05", datetime(2024, 3, 5, tzinfo=UTC), True),
        ("Tue, 05 Mar 2024 09:00:00 GMT", datetime(2024, 3, 5, 9, tzinfo=UTC), False),
        (
            "March 5, 2024 9:00 AM EST",
            datetime(2024, 3, 5, 9, tzinfo=timezone(timedelta(hours=-5))),
            False,
        ),
        (
            "5 March 2024 09:00 IST",
            datetime(2024, 3, 5, 9, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            False,
        ),
        ("5 March 2024 09:00 XYZT", datetime(2024, 3, 5, 9, tzinfo=UTC), True),
        ("1709629200", datetime(2024, 3, 5, 9, tzinfo=UTC), False),
        ("01.11.2023 10:29", datetime(2023, 11, 1, 10, 29, tzinfo=UTC), True),
        ("11/01/2023", datetime(2023, 11, 1, tzinfo=UTC), True),
        ("01-11-2023 10:29", datetime(2023, 11, 1, 10, 29, tzinfo=UTC), True),
    ],
)
def test_parse_date(text: str, expected: datetime, assumed: bool) -> None:
    result = parse_date(text)

    assert result is not None
    assert result.value == expected
    assert result.value.tzinfo is not None
    assert result.assumed_utc is assumed


@pytest.mark.parametrize(
    "text",
    [
        "",
        "10:30",
        "Updated 5 minutes ago",
        "yesterday",
        "99999-99-99",
        None,
        1709629200,
        "x" * 500,
        "2024-13-45",
        "2024-01-10T23:59:59+14:0099999999999",  # dateutil reads an offset datetime refuses
    ],
)
def test_not_a_date(text: object) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "2019-11-18",
        "2019-11-18T16:18",
        "2019-11-18T16:18:00Z",
        "2019-11-18T16:18:00+00:00",
        "2019-11-18T16:18:00-00:00",
        "2019-11-18T16:18:00.123-05:00",
        "2019-11-18T16:18:59.999999+05:30",
        "2019-11-18T16:18:00+23:59",
        "2019-11-18T24:00:00Z",  # dateutil's own reading: the next midnight
        "2019-11-18T16:18:00+05:75",  # an offset dateutil refuses
        "2019-02-29T10:00:00Z",
        "2019-13-01",
        "2019-11-18 16:18:00",  # a space for the T
        "2019-11-18T16:18:00+0530",  # an offset without its colon
        "2019-11-18 16:18:00.123-0000",
        "2019-11-18 24:00",
    ],
)
def test_plain_iso_dates_read_as_dateutil_reads_them(text: str) -> None:
    from dateutil import parser as dateutil_parser

    try:
        expected = repr(dateutil_parser.isoparse(text))
    except ValueError:
        expected = repr(None)
    assert repr(_parse_iso(text)) == expected
