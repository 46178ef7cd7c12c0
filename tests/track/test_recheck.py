"""The recheck planner: stable pages back off, changed ones come sooner, live blogs every minute,
always within bounds; listing signals; polite batches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.config import RecheckConfig, TrackingConfig
from monitor.models import ArticleLink, RecheckFacts
from monitor.track.recheck import (
    RecheckPolicy,
    last_change,
    link_signal,
    listing_says_changed,
    next_recheck,
    per_host_budget,
    polite_batch,
    spread,
)

T0 = datetime(2025, 10, 6, 8, tzinfo=UTC)
POLICY = RecheckPolicy(
    min=timedelta(minutes=1),
    max=timedelta(hours=2),
    factor=0.2,
    stop_after=timedelta(days=2),
    live_blog=timedelta(minutes=1),
    live_blog_idle=timedelta(hours=3),
)


def wait(facts: RecheckFacts, at: datetime) -> timedelta | None:
    planned = next_recheck(facts, at, POLICY)
    return None if planned is None else planned - at


def test_a_stable_article_is_rechecked_ever_more_rarely() -> None:
    facts = RecheckFacts(first_seen=T0)
    waits = [wait(facts, T0 + timedelta(minutes=m)) for m in (0, 10, 60, 300, 1440)]
    assert waits == [
        timedelta(minutes=1),  # new: the floor
        timedelta(minutes=2),
        timedelta(minutes=12),
        timedelta(hours=1),
        timedelta(hours=2),  # the ceiling
    ]


def test_a_change_brings_the_next_check_closer_again() -> None:
    stable = RecheckFacts(first_seen=T0)
    at = T0 + timedelta(hours=5)
    changed = RecheckFacts(first_seen=T0, last_changed=at - timedelta(minutes=10))
    assert wait(stable, at) == timedelta(hours=1)
    assert wait(changed, at) == timedelta(minutes=2)


def test_a_long_stable_article_is_left_to_the_listing_signals() -> None:
    facts = RecheckFacts(first_seen=T0, last_changed=T0 + timedelta(hours=1))
    assert wait(facts, T0 + timedelta(days=2)) == timedelta(hours=2)
    assert wait(facts, T0 + timedelta(days=2, hours=1)) is None


def test_an_old_page_found_late_is_not_treated_as_fresh() -> None:
    old = RecheckFacts(first_seen=T0, published=T0 - timedelta(hours=10))
    assert wait(old, T0) == timedelta(hours=2)
    gone = RecheckFacts(first_seen=T0, http_modified=T0 - timedelta(days=5))
    assert wait(gone, T0) is None
    # a publisher's claim later than our first sight moves nothing (a "now" Last-Modified)
    dynamic = RecheckFacts(first_seen=T0, http_modified=T0 + timedelta(hours=3))
    assert last_change(dynamic) == T0


def test_an_active_live_blog_is_rechecked_every_minute_then_like_any_page() -> None:
    live = RecheckFacts(first_seen=T0, last_changed=T0 + timedelta(hours=4), kind="live_blog")
    assert wait(live, T0 + timedelta(hours=4, minutes=30)) == timedelta(minutes=1)
    assert wait(live, T0 + timedelta(hours=6, minutes=59)) == timedelta(minutes=1)
    quiet = T0 + timedelta(hours=7, minutes=30)  # 3.5 h without a new post
    assert wait(live, quiet) == timedelta(minutes=42)


def test_the_policy_comes_from_the_configuration() -> None:
    config = RecheckConfig.model_validate(
        {"min": "30s", "max": "1h", "factor": 0.5, "stop_after": "1d", "live_blog": "20s"}
    )
    policy = RecheckPolicy.from_config(config)
    assert (policy.min, policy.max, policy.live_blog) == (
        timedelta(seconds=30),
        timedelta(hours=1),
        timedelta(seconds=20),
    )
    assert policy.horizon == timedelta(days=1)
    assert TrackingConfig().recheck == RecheckConfig()


moments = st.integers(min_value=0, max_value=10 * 86400).map(lambda s: T0 + timedelta(seconds=s))


@given(
    first=moments,
    changed=st.none() | moments,
    claim=st.none() | moments,
    later=st.integers(min_value=0, max_value=10 * 86400),
    kind=st.sampled_from(["article", "live_blog"]),
    bounds=st.tuples(st.integers(1, 3600), st.integers(1, 86400)),
)
def test_every_plan_is_within_its_bounds(
    first: datetime,
    changed: datetime | None,
    claim: datetime | None,
    later: int,
    kind: str,
    bounds: tuple[int, int],
) -> None:
    low, high = sorted(bounds)
    policy = RecheckPolicy(min=timedelta(seconds=low), max=timedelta(seconds=high))
    facts = RecheckFacts(first, changed, claim, None, None, kind)  # type: ignore[arg-type]
    at = max(first, changed or first) + timedelta(seconds=later)
    planned = next_recheck(facts, at, policy)
    if planned is None:
        assert at - last_change(facts) >= policy.stop_after
        return
    allowed = {policy.live_blog} if kind == "live_blog" else set()
    assert policy.min <= planned - at <= policy.max or planned - at in allowed


def test_listing_signals() -> None:
    link = ArticleLink("https://a.example/1", published=T0, updated=T0 + timedelta(minutes=5))
    assert link_signal(link) == T0 + timedelta(minutes=5)
    assert link_signal(ArticleLink("https://a.example/2")) is None
    later = T0 + timedelta(minutes=9)
    assert listing_says_changed(later, T0, T0 + timedelta(hours=1))  # newer than stored
    assert not listing_says_changed(T0, T0, T0)  # the same signal
    assert listing_says_changed(T0 - timedelta(hours=1), T0, T0)  # it went back: a change too
    assert not listing_says_changed(None, T0, T0)
    assert listing_says_changed(later, None, T0)  # stored before signals: our fetch time
    assert not listing_says_changed(T0, None, later)


@pytest.mark.parametrize(
    ("run_every", "spacing", "limit", "budget"),
    [(60.0, 1.0, 100, 60), (60.0, 0.0, 100, 100), (60.0, 120.0, 100, 1), (60.0, 0.5, 50, 50)],
)
def test_per_host_budget(run_every: float, spacing: float, limit: int, budget: int) -> None:
    assert per_host_budget(run_every, spacing, limit) == budget


def test_a_polite_batch_takes_no_more_than_each_host_allows() -> None:
    due = [(f"https://a.example/{i}", "a") for i in range(5)] + [
        (f"https://b.example/{i}", "b") for i in range(5)
    ]
    budgets = {"a.example": 2, "b.example": 3}
    batch = polite_batch(due, lambda url: budgets[url.split("/")[2]], limit=10)
    assert [url for url, _ in batch] == [
        "https://a.example/0",
        "https://a.example/1",
        "https://b.example/0",
        "https://b.example/1",
        "https://b.example/2",
    ]
    assert len(polite_batch(due, lambda url: 10, limit=4)) == 4
    assert [url.split("/")[2] for url, _ in spread(batch)] == [
        "a.example",
        "b.example",
        "a.example",
        "b.example",
        "b.example",
    ]
