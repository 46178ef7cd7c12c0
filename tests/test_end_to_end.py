"""End to end: the seeds site evolves on 127.0.0.1, the real daemon (real scheduler, short
intervals) follows it, and exactly the expected alerts arrive signed at a real receiver.

Every signature is checked with the official ``standardwebhooks`` package; /metrics must count
what arrived. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook

from monitor.demo.runner import DemoResult, run_demo

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

# What a user following the Gaza talks should hear, in order — and nothing else: the headline
# tweak is below the topic's min_novelty, the typo fix and the timestamp-only change are not
# developments, the syndicated copy is a duplicate, the unrelated ceasefire is another story.
EXPECTED = [
    ("story.created", []),
    ("article.revised", [("at least 24", "at least 30")]),
    ("article.corrected", []),
    ("story.developed", [("48", "28")]),
]


@pytest.fixture
async def demo(database_url: str) -> DemoResult:
    lines: list[str] = []
    return await run_demo(SEEDS, printer=lines.append, database_url=database_url)


@pytest.mark.slow
async def test_the_seed_story_produces_exactly_the_expected_signed_alerts(demo: DemoResult) -> None:
    verifier = Webhook(demo.secret)
    for item in demo.received:
        verifier.verify(item.body, item.headers)  # raises on a bad signature
    assert demo.rejected == 0

    got = [
        (item.payload["type"], item.payload["development"]["changed_facts"])
        for item in demo.received
    ]
    assert [kind for kind, _ in got] == [kind for kind, _ in EXPECTED]
    for (_, facts), (_, expected_facts) in zip(got, EXPECTED, strict=True):
        assert len(facts) == len(expected_facts)
        for fact, (before, after) in zip(facts, expected_facts, strict=True):
            assert before in fact["before"]
            assert after in fact["after"]

    stories = {item.payload["story"]["id"] for item in demo.received}
    assert len(stories) == 1  # every alert is about the one story
    last = demo.received[-1].payload
    assert last["story"]["article_count"] == 3
    assert set(last["story"]["outlets"]) == {"meridian", "harbor", "northgate"}


@pytest.mark.slow
async def test_metrics_count_what_arrived(demo: DemoResult) -> None:
    delivered = _metric(demo.metrics, r'monitor_alerts\{status="delivered"\}')
    assert delivered == len(demo.received) == len(EXPECTED)
    assert _metric(demo.metrics, r"monitor_articles_total") == 4  # one article per outlet
    assert _metric(demo.metrics, r'monitor_developments_total\{kind="correction"\}') == 1
    assert _metric(demo.metrics, r'monitor_sources\{health="ok"\}') == 4


def _metric(text: str, pattern: str) -> float:
    match = re.search(rf"^{pattern} ([0-9.e+]+)$", text, re.MULTILINE)
    assert match, f"{pattern} not in metrics:\n{text}"
    return float(match.group(1))
