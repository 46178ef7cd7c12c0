"""The pages and Atom feeds: what the store knows, rendered on the server; nothing here decides.

``/`` (topics, active stories with their latest development, failing sources, the outbox),
``/stories/{id}`` (a story's timeline and articles), ``/topics/{name}`` (its stories),
``/sources``, ``/alerts`` and ``/alerts/{id}``; ``/stories/{id}.atom`` and
``/topics/{name}.atom`` are the same developments as Atom feeds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web
from jinja2 import Environment

from monitor.store import Store
from monitor.store.alert_views import attempts_of, count_alerts_by_status, list_alerts
from monitor.store.outbox import get_alert
from monitor.store.reading import (
    DevelopmentView,
    developments_of_stories,
    latest_developments,
    story_counts_by_topic,
    story_developments,
    topic_story_ids,
)
from monitor.store.sources import list_source_states
from monitor.store.stories import list_stories, story_detail
from monitor.store.tables import AlertStatus
from monitor.web import atom
from monitor.web.api import choice_param, int_param
from monitor.web.render import build_environment

STATIC_DIR = Path(__file__).parent / "static"
FEED_ENTRIES = 50
SHOWN_SENTENCES = 4  # of a development; the rest fold away
ATOM_TYPE = "application/atom+xml"


class TopicLike(Protocol):
    """What the pages read of a topic (``monitor.config.TopicConfig`` fits)."""

    @property
    def name(self) -> str: ...

    @property
    def query(self) -> object: ...


@dataclass(frozen=True)
class WebDeps:
    store: Store
    topics: Callable[[], Sequence[TopicLike]]


WEB_KEY = web.AppKey("web", WebDeps)
ENV_KEY = web.AppKey("web_templates", Environment)


def mount(app: web.Application, deps: WebDeps) -> None:
    """Add the pages, the feeds and the static files to ``app``."""
    app[WEB_KEY] = deps
    app[ENV_KEY] = build_environment()
    app.router.add_get("/", home)
    app.router.add_get("/stories/{story_id}", story_page)
    app.router.add_get("/topics/{name}", topic_page)
    app.router.add_get("/sources", sources_page)
    app.router.add_get("/alerts", alerts_page)
    app.router.add_get("/alerts/{alert_id}", alert_page)
    app.router.add_static("/static", STATIC_DIR)


def _render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    page = request.app[ENV_KEY].get_template(template).render(path=request.path, **context)
    response = web.Response(text=page, status=status, content_type="text/html", charset="utf-8")
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _not_found(request: web.Request, what: str) -> web.Response:
    return _render(request, "missing.html", status=404, title="Not found", what=what)


def query_text(query: object) -> str:
    """A topic query as the user wrote it (a string, or its any/all/none lists)."""
    if isinstance(query, str):
        return query
    parts = []
    for part in ("all", "any", "none"):
        terms = getattr(query, part, None) or []
        if terms:
            parts.append(f"{part}: {', '.join(terms)}")
    return "; ".join(parts)


async def home(request: web.Request) -> web.Response:
    deps = request.app[WEB_KEY]
    with deps.store.session() as session:
        stories = list_stories(session, limit=30, status="active")
        latest = latest_developments(session, [s.id for s in stories])
        counts = story_counts_by_topic(session)
        failing = [s for s in list_source_states(session) if s.health.value != "ok"]
        outbox = count_alerts_by_status(session)
    topics = [(t.name, query_text(t.query), counts.get(t.name, 0)) for t in deps.topics()]
    return _render(
        request,
        "home.html",
        title="monitor",
        topics=topics,
        stories=stories,
        latest=latest,
        failing=failing,
        outbox=outbox,
    )


async def story_page(request: web.Request) -> web.StreamResponse:
    deps = request.app[WEB_KEY]
    story_id = request.match_info["story_id"]
    if story_id.endswith(".atom"):
        return await story_feed(request, story_id.removesuffix(".atom"))
    with deps.store.session() as session:
        detail = story_detail(session, story_id)  # an alias of a merged story shows that story
        timeline = story_developments(session, detail.summary.id) if detail else []
    if detail is None:
        return _not_found(request, f"no story {story_id}")
    joined = {
        d.url: d for d in timeline if d.kind in ("new_story", "new_article") and d.match_reasons
    }
    return _render(
        request,
        "story.html",
        title=detail.summary.title or story_id,
        story=detail.summary,
        articles=detail.articles,
        timeline=timeline,
        joined=joined,
        shown_sentences=SHOWN_SENTENCES,
    )


async def topic_page(request: web.Request) -> web.StreamResponse:
    deps = request.app[WEB_KEY]
    name = request.match_info["name"]
    topics = {t.name: t for t in deps.topics()}
    if name not in topics and name.endswith(".atom") and name.removesuffix(".atom") in topics:
        return await topic_feed(request, topics[name.removesuffix(".atom")])
    topic = topics.get(name)
    if topic is None:
        return _not_found(request, f"no topic {name}")
    with deps.store.session() as session:
        ids = topic_story_ids(session, name)
        stories = list_stories(session, limit=len(ids) or 1, ids=set(ids)) if ids else []
        latest = latest_developments(session, ids)
    return _render(
        request,
        "topic.html",
        title=f"Topic {name}",
        name=name,
        query=query_text(topic.query),
        stories=stories,
        latest=latest,
    )


async def sources_page(request: web.Request) -> web.Response:
    with request.app[WEB_KEY].store.session() as session:
        sources = list_source_states(session)
    return _render(request, "sources.html", title="Sources", sources=sources)


async def alerts_page(request: web.Request) -> web.Response:
    statuses = tuple(status.value for status in AlertStatus)
    status = choice_param(request.query, "status", statuses)
    limit = int_param(request.query, "limit", 100, 1, 500)
    with request.app[WEB_KEY].store.session() as session:
        alerts = list_alerts(session, status=status, limit=limit)
        outbox = count_alerts_by_status(session)
    return _render(
        request,
        "alerts.html",
        title="Alerts",
        alerts=alerts,
        outbox=outbox,
        chosen=status,
        statuses=statuses,
    )


async def alert_page(request: web.Request) -> web.Response:
    alert_id = request.match_info["alert_id"]
    with request.app[WEB_KEY].store.session() as session:
        alert = get_alert(session, alert_id)
        attempts = attempts_of(session, alert_id) if alert else []
    if alert is None:
        return _not_found(request, f"no alert {alert_id}")
    summary = (alert.payload.get("development") or {}).get("summary")
    return _render(
        request,
        "alert.html",
        title=f"Alert {alert_id}",
        alert=alert,
        attempts=attempts,
        summary=summary,
    )


# --------------------------------------------------------------------------- feeds


def _origin(request: web.Request) -> str:
    return str(request.url.origin())


def _atom_response(body: bytes) -> web.Response:
    return web.Response(body=body, content_type=ATOM_TYPE, charset="utf-8")


async def story_feed(request: web.Request, story_id: str) -> web.Response:
    deps = request.app[WEB_KEY]
    with deps.store.session() as session:
        detail = story_detail(session, story_id)
        developments = (
            story_developments(session, detail.summary.id, newest_first=True, limit=FEED_ENTRIES)
            if detail
            else []
        )
    if detail is None:
        return _not_found(request, f"no story {story_id}")
    page = f"{_origin(request)}/stories/{story_id}"
    return _atom_response(
        atom.build_feed(
            title=detail.summary.title or story_id,
            identity=atom.feed_id("story", story_id),
            self_url=f"{page}.atom",
            page_url=page,
            developments=developments,
            story_url={story_id: page},
            empty_since=detail.summary.first_seen_at,
        )
    )


async def topic_feed(request: web.Request, topic: TopicLike) -> web.Response:
    deps = request.app[WEB_KEY]
    with deps.store.session() as session:
        ids = topic_story_ids(session, topic.name)
        developments: list[DevelopmentView] = developments_of_stories(
            session, ids, limit=FEED_ENTRIES
        )
    origin = _origin(request)
    page = f"{origin}/topics/{topic.name}"
    return _atom_response(
        atom.build_feed(
            title=f"monitor: {topic.name}",
            identity=atom.feed_id("topic", topic.name),
            self_url=f"{page}.atom",
            page_url=page,
            developments=developments,
            story_url={d.story_id: f"{origin}/stories/{d.story_id}" for d in developments},
            empty_since=datetime.now(UTC),  # no development yet: the feed is as of now
        )
    )
