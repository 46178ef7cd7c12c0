"""Rechecks by evidence, end to end against a real HTTP server on 127.0.0.1, with an injected
clock, on SQLite and PostgreSQL: a feed's ``updated`` or a sitemap's ``lastmod`` brings a changed
article in on the next check of its source; a recheck is a conditional request and a 304 costs
no extraction; stable articles back off, changed ones come sooner, within bounds; an active
live blog is looked at every minute."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlmodel import select
from werkzeug import Request, Response

import monitor.extract
from monitor.config import (
    FetchConfig,
    RecheckConfig,
    Settings,
    SourceConfig,
    StorageConfig,
    TrackingConfig,
)
from monitor.models import Article
from monitor.pipeline import Deps, check_source, recheck_articles
from monitor.service import Service
from monitor.store.tables import ArticleRow

START = datetime(2025, 10, 6, 8, tzinfo=UTC)
PARAGRAPHS = [
    "The Elbe burst its banks in Dresden on Monday and the old town was evacuated overnight.",
    "Mayor Dirk Hilbert said the water reached 8.7 metres at the Augustus Bridge by noon.",
    "Volunteers filled sandbags through the night as pumps failed in the district of Pieschen.",
]
UPDATE = "Firefighters rescued 40 residents by boat and power was cut to 12,000 homes."


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Site:
    """One article and its listings, changed by the test; counts what it is asked."""

    paragraphs: list[str] = field(default_factory=lambda: list(PARAGRAPHS))
    signal: datetime = START - timedelta(minutes=5)
    etag: bool = False
    live: bool = False
    requests: list[tuple[str, str | None, int]] = field(default_factory=list)

    def html(self) -> str:
        body = "".join(f"<p>{p}</p>" for p in self.paragraphs)
        if self.live:
            updates = [
                {
                    "@type": "BlogPosting",
                    "@id": f"#p{n}",
                    "headline": f"Update {n}",
                    "articleBody": p,
                }
                for n, p in enumerate(self.paragraphs)
            ]
            data = {
                "@type": "LiveBlogPosting",
                "headline": "Live: flood",
                "liveBlogUpdate": updates,
            }
            head = f'<script type="application/ld+json">{json.dumps(data)}</script>'
        else:
            head = ""
        return (
            f"<!doctype html><html><head><title>Flood in Dresden</title>{head}</head>"
            f"<body><article><h1>Flood in Dresden</h1>{body}</article></body></html>"
        )

    def article(self, request: Request) -> Response:
        html = self.html()
        tag = f'"{abs(hash(html))}"'
        if self.etag and request.headers.get("If-None-Match") == tag:
            self.requests.append(("article", request.headers.get("If-None-Match"), 304))
            return Response(status=304, headers={"ETag": tag})
        self.requests.append(("article", request.headers.get("If-None-Match"), 200))
        headers = {"ETag": tag} if self.etag else {}
        return Response(html, content_type="text/html", headers=headers)

    def fetches(self) -> int:
        return sum(1 for kind, _, _ in self.requests if kind == "article")


def atom(base: str, site: Site) -> str:
    return (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>'
        f'<link href="{base}/"/><id>{base}/</id><updated>{site.signal.isoformat()}</updated>'
        f'<entry><title>Flood in Dresden</title><link href="{base}/a.html"/><id>{base}/a.html</id>'
        f"<updated>{site.signal.isoformat()}</updated></entry></feed>"
    )


def sitemap(base: str, site: Site) -> str:
    return (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{base}/a.html</loc><lastmod>{site.signal.isoformat()}</lastmod></url>"
        "</urlset>"
    )


LISTINGS: dict[str, tuple[str, Callable[[str, Site], str], str]] = {
    "feed": ("/feed.xml", atom, "application/atom+xml"),
    "sitemap": ("/sitemap.xml", sitemap, "application/xml"),
}


@pytest.fixture
async def service(database_url: str) -> AsyncIterator[Service]:
    settings = Settings(
        storage=StorageConfig(database_url=database_url),
        fetch=FetchConfig(
            per_host_delay=0, retries=0, obey_robots=False, allow_private_networks=True
        ),
        tracking=TrackingConfig(
            recheck=RecheckConfig(min=60.0, max=300.0, factor=0.5, live_blog=60.0)
        ),
    )
    service = Service(settings)
    yield service
    await service.close()


async def open_deps(service: Service, clock: Clock, source: SourceConfig) -> Deps:
    deps = await service.open()
    deps.clock = clock
    deps.workers = None  # extraction in this process, where the test can count it
    deps.settings = deps.settings.model_copy(update={"sources": [source]})
    from monitor.store.sources import SourceDefinition, sync_sources

    with deps.store.session() as session:
        sync_sources(session, [SourceDefinition(source.name, source.url, source.type)], START)
    return deps


def serve(httpserver: HTTPServer, site: Site, kind: str) -> SourceConfig:
    base = httpserver.url_for("").rstrip("/")
    path, render, content_type = LISTINGS[kind]

    def listing(request: Request) -> Response:
        site.requests.append(("listing", None, 200))
        return Response(render(base, site), content_type=content_type)

    httpserver.expect_request(path).respond_with_handler(listing)
    httpserver.expect_request("/a.html").respond_with_handler(site.article)
    return SourceConfig(  # type: ignore[call-arg]
        name="wire", type=kind, url=httpserver.url_for(path), allow_private_networks=True
    )


async def checked_once(service: Service, httpserver: HTTPServer, site: Site, clock: Clock) -> Deps:
    """The site served behind a feed, and that feed checked once at ``clock``."""
    source = serve(httpserver, site, "feed")
    deps = await open_deps(service, clock, source)
    await check_source(source, deps, clock())
    return deps


def article_row(deps: Deps) -> ArticleRow:
    with deps.store.session() as session:
        return session.exec(select(ArticleRow)).one()


@pytest.fixture
def extractions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs the pipeline extracted (the real extractor runs; each call is noted)."""
    calls: list[str] = []
    real = monitor.extract.extract_article

    def counted(*args: Any) -> Article:
        calls.append(args[1])
        return real(*args)

    monkeypatch.setattr(monitor.extract, "extract_article", counted)  # where the pipeline finds it
    return calls


@pytest.mark.parametrize("kind", ["feed", "sitemap"])
async def test_a_listing_signal_brings_a_changed_article_in_on_the_next_check(
    service: Service, httpserver: HTTPServer, kind: str
) -> None:
    site, clock = Site(), Clock()
    source = serve(httpserver, site, kind)
    deps = await open_deps(service, clock, source)

    first = await check_source(source, deps, clock())
    assert (first.new_articles, site.fetches()) == (1, 1)

    site.paragraphs.append(UPDATE)  # the page changes, its listing does not say so
    quiet = await check_source(source, deps, clock.advance(seconds=30))
    assert (quiet.fetched, site.fetches()) == (0, 1)

    site.signal = clock.advance(seconds=10)  # now the listing says so
    told = await check_source(source, deps, clock.advance(seconds=20))
    assert (told.fetched, told.revisions, site.fetches()) == (1, 1, 2)
    assert article_row(deps).last_changed_at == clock.now

    again = await check_source(source, deps, clock.advance(seconds=30))
    assert (again.fetched, site.fetches()) == (0, 2)  # the same signal is no news


async def test_a_recheck_is_conditional_and_a_304_is_not_extracted(
    service: Service, httpserver: HTTPServer, extractions: list[str]
) -> None:
    site, clock = Site(etag=True), Clock()
    deps = await checked_once(service, httpserver, site, clock)
    assert len(extractions) == 1
    assert site.requests[-1][1:] == (None, 200)

    assert await recheck_articles(deps, clock.advance(seconds=30)) == 0  # not due yet
    assert await recheck_articles(deps, clock.advance(seconds=31)) == 1
    sent_tag, status = site.requests[-1][1:]
    assert sent_tag is not None
    assert status == 304
    assert len(extractions) == 1  # nothing was parsed
    row = article_row(deps)
    assert row.last_checked_at == clock.now
    assert row.next_check_at is not None
    assert row.next_check_at > clock.now

    site.paragraphs.append(UPDATE)
    clock.now = row.next_check_at
    assert await recheck_articles(deps, clock.now) == 1
    assert site.requests[-1][2] == 200
    assert len(extractions) == 2
    assert article_row(deps).revision_count == 2


async def test_stable_articles_back_off_and_a_change_brings_them_closer(
    service: Service, httpserver: HTTPServer
) -> None:
    site, clock = Site(etag=True), Clock()
    deps = await checked_once(service, httpserver, site, clock)
    waits = []
    for _ in range(8):
        planned = article_row(deps).next_check_at
        assert planned is not None
        waits.append(planned - clock.now)
        clock.now = planned
        assert await recheck_articles(deps, clock.now) == 1
    minute, ceiling = timedelta(minutes=1), timedelta(minutes=5)
    assert waits == sorted(waits)
    assert waits[0] == minute
    assert waits[-1] == ceiling
    assert all(minute <= wait <= ceiling for wait in waits)

    site.paragraphs.append(UPDATE)
    clock.now = article_row(deps).next_check_at or clock.now
    await recheck_articles(deps, clock.now)
    row = article_row(deps)
    assert row.last_changed_at == clock.now
    assert row.next_check_at == clock.now + minute  # sooner again


async def test_an_active_live_blog_is_rechecked_every_minute(
    service: Service, httpserver: HTTPServer
) -> None:
    site, clock = Site(live=True), Clock()
    deps = await checked_once(service, httpserver, site, clock)
    assert article_row(deps).kind == "live_blog"
    for step in range(6):
        site.paragraphs.append(f"Update {step}: the water level at the bridge fell to {7 - step}m.")
        clock.advance(minutes=10)
        assert await recheck_articles(deps, clock.now) == 1
        assert article_row(deps).next_check_at == clock.now + timedelta(minutes=1)
    clock.advance(hours=4)  # no new post for four hours: no longer live
    assert await recheck_articles(deps, clock.now) == 1
    assert article_row(deps).next_check_at == clock.now + timedelta(minutes=5)


async def test_a_recheck_run_asks_no_host_more_than_its_spacing_allows(
    service: Service, httpserver: HTTPServer
) -> None:
    base = httpserver.url_for("").rstrip("/")
    paths = ["/a.html", "/b.html", "/c.html"]
    entries = "".join(
        f'<entry><title>{p}</title><link href="{base}{p}"/><id>{base}{p}</id></entry>'
        for p in paths
    )
    httpserver.expect_request("/feed.xml").respond_with_data(
        f'<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>{entries}</feed>',
        content_type="application/atom+xml",
    )
    for number, path in enumerate(paths):
        site = Site(paragraphs=[f"Report {number}: {text}" for text in PARAGRAPHS])
        httpserver.expect_request(path).respond_with_handler(site.article)
    wire = SourceConfig(  # type: ignore[call-arg]
        name="wire", url=httpserver.url_for("/feed.xml"), allow_private_networks=True
    )
    clock = Clock()
    deps = await open_deps(service, clock, wire)
    assert (await check_source(wire, deps, clock())).new_articles == 3
    # one request a minute to this host: a recheck run every minute may send it one
    deps.fetcher.options = dataclasses.replace(deps.fetcher.options, per_host_delay=60.0)

    def fetched_paths() -> list[str]:
        return [entry[0].path for entry in httpserver.log if entry[0].path != "/feed.xml"]

    before = len(fetched_paths())
    assert await recheck_articles(deps, clock.advance(seconds=61)) == 1
    assert await recheck_articles(deps, clock.advance(seconds=60)) == 1
    assert await recheck_articles(deps, clock.advance(seconds=60)) == 1
    assert sorted(fetched_paths()[before:]) == paths  # each in turn, the most overdue first
