from datetime import UTC, datetime, timedelta, timezone

import pytest

from monitor.sources.dates import parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Tue, 24 Nov 2026 10:30:00 +0100",
            datetime(2026, 11, 24, 10, 30, tzinfo=timezone(timedelta(hours=1))),
        ),
        ("Tue, 24 Nov 2026 10:30:00 GMT", datetime(2026, 11, 24, 10, 30, tzinfo=UTC)),
        ("24 Nov 2026 10:30 EST", datetime(2026, 11, 24, 15, 30, tzinfo=UTC)),
        ("2026-11-24T10:30:00Z", datetime(2026, 11, 24, 10, 30, tzinfo=UTC)),
        ("2026-11-24T10:30:00.250-05:00", datetime(2026, 11, 24, 15, 30, 0, 250000, tzinfo=UTC)),
        ("2026-11-24", datetime(2026, 11, 24, tzinfo=UTC)),
        ("2026-11-24T10:30:00", datetime(2026, 11, 24, 10, 30, tzinfo=UTC)),
        ("Tue Nov 24 10:30:00 2026", datetime(2026, 11, 24, 10, 30, tzinfo=UTC)),
        ("  ", None),
        (None, None),
        ("yesterday", None),
        ("99/99/9999", None),
        ("9999-12-31T23:59:59-05:00", None),
        ("0001-01-01T00:30:00+01:00", None),
    ],
)
def test_parse_date(text: str | None, expected: datetime | None) -> None:
    parsed = parse_date(text)
    assert parsed == expected
    assert parsed is None or parsed.tzinfo is not None
