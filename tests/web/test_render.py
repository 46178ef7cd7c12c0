"""Word diffs and times as the pages show them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from monitor.web.render import Piece, when, word_diff


def test_word_diff_keeps_what_stayed_and_marks_what_went_and_came() -> None:
    pieces = word_diff("killed at least 24 Palestinians.", "killed at least 30 Palestinians.")
    assert pieces == [
        Piece("same", "killed at least "),
        Piece("gone", "24 "),
        Piece("came", "30 "),
        Piece("same", "Palestinians."),
    ]


def test_a_replaced_last_word_stays_apart_from_its_replacement() -> None:
    pieces = word_diff("Talks in Egypt", "Talks in Sharm el-Sheikh")
    assert "".join(p.text for p in pieces if p.kind != "came") == "Talks in Egypt "
    assert pieces[-1] == Piece("came", "Sharm el-Sheikh")


def test_when_is_utc_text_and_hover_whatever_the_offset() -> None:
    moment = datetime(2025, 10, 6, 11, 10, tzinfo=timezone(timedelta(hours=2)))
    html = str(when(moment))
    assert html == (
        '<time datetime="2025-10-06T09:10:00Z" title="2025-10-06 09:10 UTC">'
        "2025-10-06 09:10 UTC</time>"
    )
    assert str(when("2025-10-06T09:10:00+00:00")) == str(when(moment.astimezone(UTC)))
    assert "never" in str(when(None))
