"""The JSON API for sources and alerts, its parameter checks and its one error format, on the
real HTTP app over a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from monitor.alerts import StoryInfo
from monitor.metrics import Metrics
from monitor.models import Development, DevelopmentKind, Health
from monitor.server import ServerDeps, build_app
from monitor.store import Store
from monitor.store.sources import SourceDefinition, record_check, sync_sources
from tests.alerting import enqueue_alerts

NOW = datetime(2025, 10, 6, 9, 10, tzinfo=UTC)


class Topic:
    name = "gaza"
    webhooks = ("main",)
    debounce = 0.0
    cooldown = 0.0
    query = "gaza"


def fill(store: Store) -> str:
    with store.session() as session:
        sync_sources(
            session,
            [
                SourceDefinition("meridian", "https://meridian.test/feed.xml", "feed"),
                SourceDefinition("harbor", "https://harbor.test/feed.xml", "feed"),
            ],
            NOW,
        )
        record_check(
            session,
            "harbor",
            now=NOW,
            health=Health.FAILING,
            consecutive_failures=3,
            next_check_at=NOW + timedelta(minutes=5),
            error="https://harbor.test/feed.xml answered 503 Service Unavailable\n<html>",
        )
        development = Development(
            kind=DevelopmentKind.NEW_STORY,
            story_id="st_talks",
            article_url="https://meridian.test/talks.html",
            source="meridian",
            occurred_at=NOW,
            novelty=1.0,
            new_sentences=("Talks began.",),
        )
        (alert,) = enqueue_alerts(
            session,
            development=development,
            topics=[Topic()],
            story=StoryInfo("st_talks", "<b>Talks</b>", NOW, 1, ("meridian",)),
            now=NOW,
        )
    return alert.id


@pytest_asyncio.fixture
async def api(database_url: str) -> AsyncIterator[tuple[TestClient, str]]:  # type: ignore[type-arg]
    store = Store.open(database_url)
    alert_id = fill(store)
    app = build_app(ServerDeps(store, Metrics(), lambda: True, topics=lambda: [Topic()]))
    async with TestClient(TestServer(app)) as client:
        yield client, alert_id
    store.close()


async def test_sources(api: tuple[TestClient, str]) -> None:  # type: ignore[type-arg]
    client, _ = api
    body = await (await client.get("/api/sources")).json()
    by_name = {source["name"]: source for source in body["sources"]}
    assert set(by_name) == {"meridian", "harbor"}
    harbor = by_name["harbor"]
    assert harbor["health"] == "failing"
    assert harbor["consecutive_failures"] == 3
    assert harbor["last_error"].startswith("https://harbor.test/feed.xml answered 503")
    assert harbor["next_check"] == (NOW + timedelta(minutes=5)).isoformat()
    failing = await (await client.get("/api/sources?health=failing")).json()
    assert [s["name"] for s in failing["sources"]] == ["harbor"]


async def test_alerts_and_one_alert_with_its_attempts(
    api: tuple[TestClient, str],  # type: ignore[type-arg]
) -> None:
    client, alert_id = api
    body = await (await client.get("/api/alerts?status=pending&limit=10")).json()
    (alert,) = body["alerts"]
    assert alert["id"] == alert_id
    assert (alert["webhook"], alert["topic"], alert["status"]) == ("main", "gaza", "pending")
    assert (await (await client.get("/api/alerts?status=delivered")).json())["alerts"] == []
    one = await (await client.get(f"/api/alerts/{alert_id}")).json()
    assert one["payload"]["type"] == "story.created"
    assert one["attempts"] == []


async def test_bad_parameters_get_one_json_error_format(
    api: tuple[TestClient, str],  # type: ignore[type-arg]
) -> None:
    client, _ = api
    cases = {
        "/api/alerts?limit=0": (400, "limit must be an integer from 1 to 500"),
        "/api/alerts?limit=ten": (400, "limit must be an integer from 1 to 500"),
        "/api/alerts?status=lost": (400, "status must be one of pending, delivered, failed"),
        "/api/sources?health=meh": (400, "health must be one of ok, failing"),
        "/api/stories?limit=x": (400, "limit must be an integer"),
        "/api/stories?status=gone": (400, "status must be one of active, dormant"),
        "/api/stories/st_nope": (404, "no such story"),
        "/api/alerts/nope": (404, "no alert nope"),
        "/api/nothing-here": (404, "Not Found"),
    }
    for path, (status, message) in cases.items():
        response = await client.get(path)
        assert response.status == status, path
        assert response.content_type == "application/json", path
        assert await response.json() == {"error": {"status": status, "message": message}}, path


async def test_pages_escape_what_the_store_holds(
    api: tuple[TestClient, str],  # type: ignore[type-arg]
) -> None:
    client, alert_id = api
    alerts = await (await client.get("/alerts")).text()
    assert "&lt;b&gt;Talks&lt;/b&gt;" in alerts
    assert "<b>Talks</b>" not in alerts
    sources = await (await client.get("/sources")).text()
    assert "answered 503 Service Unavailable\n&lt;html&gt;" in sources
    page = await client.get(f"/alerts/{alert_id}")
    assert page.status == 200
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    missing = await client.get("/stories/st_nope")
    assert missing.status == 404
    assert "no story st_nope" in await missing.text()
    assert (await client.get("/topics/nope")).status == 404
    assert (await client.get("/alerts?limit=0")).status == 400
