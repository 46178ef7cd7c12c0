"""Atom feeds of a story and a topic, from the daemon following the seeds step by step.

Both parse with feedparser (no bozo flag) and with our own ``parse_feed``; a development found by
the next check is a new entry; entry ids never change; hostile titles stay text.
"""

from __future__ import annotations

import feedparser
import httpx
import pytest

from monitor.sources.feeds import parse_feed
from tests.web.conftest import HOSTILE_TITLE, Seeded

pytestmark = pytest.mark.slow


async def fetch(client: httpx.AsyncClient, url: str) -> bytes:
    response = await client.get(url)
    assert response.status_code == 200, url
    assert response.headers["content-type"].startswith("application/atom+xml")
    return response.content


def parsed(body: bytes, url: str) -> feedparser.FeedParserDict:
    feed = feedparser.parse(body)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    ours = parse_feed(body, url, "application/atom+xml")
    assert ours.format.startswith("atom")
    assert [e.id for e in ours.entries] == [e.id for e in feed.entries]
    assert all(e.updated is not None for e in ours.entries)
    return feed


async def story_id(client: httpx.AsyncClient, base_url: str, title_part: str) -> str:
    stories = (await client.get(f"{base_url}/api/stories")).json()["stories"]
    return next(s["id"] for s in stories if title_part in (s["title"] or ""))


async def test_a_new_development_is_a_new_entry_after_the_next_check(
    stepping_daemon: Seeded,
) -> None:
    base = stepping_daemon.base_url
    async with httpx.AsyncClient(timeout=10) as client:
        await stepping_daemon.step()  # the story starts
        await stepping_daemon.step()  # the headline changes
        story = await story_id(client, base, "Israel and Hamas")
        story_url = f"{base}/stories/{story}.atom"
        topic_url = f"{base}/topics/gaza-ceasefire.atom"
        before = parsed(await fetch(client, story_url), story_url)
        topic_before = parsed(await fetch(client, topic_url), topic_url)

        await stepping_daemon.step()  # the death toll rises: at least 24 → at least 30
        after = parsed(await fetch(client, story_url), story_url)
        topic_after = parsed(await fetch(client, topic_url), topic_url)

    old_ids = [entry.id for entry in before.entries]
    new = [entry for entry in after.entries if entry.id not in old_ids]
    assert len(new) == 1
    assert [entry.id for entry in after.entries[1:]] == old_ids  # newest first, ids kept
    content = new[0].content[0].value
    assert "at least 24 Palestinians" in content
    assert "at least 30 Palestinians" in content
    assert new[0].author == "meridian"
    assert new[0].link.endswith("israel-hamas-talks-egypt.html")
    assert len(topic_after.entries) == len(topic_before.entries) + 1
    assert topic_after.entries[0].id == new[0].id
    assert after.feed.title.startswith("Israel and Hamas")


async def test_a_hostile_title_stays_text_in_the_feed(stepping_daemon: Seeded) -> None:
    while not stepping_daemon.site.finished:
        await stepping_daemon.step()
    base = stepping_daemon.base_url
    async with httpx.AsyncClient(timeout=10) as client:
        story = await story_id(client, base, "Veldora")
        url = f"{base}/stories/{story}.atom"
        feed = parsed(await fetch(client, url), url)
        missing = await client.get(f"{base}/stories/st_nope.atom")
        unknown_topic = await client.get(f"{base}/topics/nope.atom")
    assert feed.feed.title.startswith(HOSTILE_TITLE)
    assert HOSTILE_TITLE in feed.entries[0].title
    assert missing.status_code == 404
    assert unknown_topic.status_code == 404
