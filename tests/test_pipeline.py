"""One source end to end against a real HTTP server: feeds, listings, sitemaps, single articles,
a broken page in the middle, and what the store and the API show afterwards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pytest_httpserver import HTTPServer

from monitor.commands.daemon import skip_reasons
from monitor.config import FetchConfig, Settings, SourceConfig, StorageConfig
from monitor.pipeline import check_source
from monitor.server import ServerDeps, build_app
from monitor.service import Service
from monitor.store.sources import list_source_states

ARTICLE = """<!doctype html><html><head><title>{title}</title>
<meta property="article:published_time" content="2025-10-06T07:30:00Z"></head>
<body><nav><a href="/">Home</a></nav><article><h1>{title}</h1>
<p>{lead} Officials said the negotiations in the Egyptian resort would continue for days.</p>
<p>Mediators from Qatar and the United States shuttled between the delegations on Monday.</p>
<p>Analysts warned that the talks could still collapse over the question of disarmament.</p>
</article></body></html>"""


def article(title: str, lead: str) -> str:
    return ARTICLE.format(title=title, lead=lead)


def feed(base: str, paths: list[str]) -> str:
    items = "".join(
        f"<item><title>{p}</title><link>{base}{p}</link><guid>{base}{p}</guid></item>"
        for p in paths
    )
    return f'<rss version="2.0"><channel><title>Wire</title><link>{base}/</link>{items}</channel></rss>'


@pytest.fixture
async def service(tmp_path: Path, httpserver: HTTPServer) -> AsyncIterator[Service]:
    settings = Settings(
        storage=StorageConfig(database_url=f"sqlite:///{tmp_path / 'monitor.db'}"),
        fetch=FetchConfig(
            per_host_delay=0, retries=0, obey_robots=False, allow_private_networks=True
        ),
        sources=[],
    )
    service = Service(settings)
    yield service
    await service.close()


def source(name: str, url: str, **extra: object) -> SourceConfig:
    return SourceConfig(name=name, url=url, allow_private_networks=True, **extra)  # type: ignore[arg-type]


async def test_feed_check_stores_articles_and_survives_a_broken_page(
    service: Service, httpserver: HTTPServer
) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed.xml").respond_with_data(
        feed(base, ["/a.html", "/broken.html", "/b.html"]), content_type="application/rss+xml"
    )
    httpserver.expect_request("/a.html").respond_with_data(
        article("Israel and Hamas open talks in Egypt", "Talks began in Sharm el-Sheikh."),
        content_type="text/html",
    )
    httpserver.expect_request("/b.html").respond_with_data(
        article("Hostage talks continue in Egypt", "Talks went on in Sharm el-Sheikh."),
        content_type="text/html",
    )
    for _ in range(2):  # broken for two checks, then fixed
        httpserver.expect_oneshot_request("/broken.html").respond_with_data("oops", status=500)
    httpserver.expect_request("/broken.html").respond_with_data(
        article("Ceasefire monitors arrive in Gaza", "Monitors reached the border crossing."),
        content_type="text/html",
    )
    deps = await service.open()
    wire = source("wire", httpserver.url_for("/feed.xml"))
    with deps.store.session() as session:
        from monitor.store.sources import SourceDefinition, sync_sources

        sync_sources(session, [SourceDefinition("wire", wire.url, "feed")], datetime.now(UTC))

    report = await check_source(wire, deps, datetime.now(UTC))

    assert report.ok
    assert report.links == 3
    assert report.new_articles == 2
    assert len(report.article_errors) == 1
    assert "broken.html" in report.article_errors[0]
    assert "500" in report.article_errors[0]

    # The feed's validators were not kept while a page of it failed: it is read again, the
    # known pages are skipped and only the broken one is tried — until it works.
    again = await check_source(wire, deps, datetime.now(UTC))
    assert not again.not_modified
    assert (again.new_articles, len(again.article_errors)) == (0, 1)
    fixed = await check_source(wire, deps, datetime.now(UTC))
    assert (fixed.new_articles, fixed.article_errors) == (1, [])
    settled = await check_source(wire, deps, datetime.now(UTC))
    assert settled.not_modified or settled.fetched == 0

    app = build_app(ServerDeps(deps.store, deps.metrics, lambda: True))
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        stories = (await (await client.get("/api/stories")).json())["stories"]
        assert len(stories) >= 1
        detail = await (await client.get(f"/api/stories/{stories[0]['id']}")).json()
        assert detail["articles"]
        assert detail["timeline"][0]["kind"] == "new_story"
        assert detail["timeline"][0]["language"] == "en"
        assert (await client.get("/api/stories/st_nope")).status == 404
        health = await client.get("/healthz")
        assert health.status == 200
        metrics = await (await client.get("/metrics")).text()
        assert 'monitor_fetches_total{status="500"}' in metrics


async def test_listing_sitemap_and_article_sources(
    service: Service, httpserver: HTTPServer
) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/world/").respond_with_data(
        '<html><body><a class="headline" href="/l1.html">One</a><a class="headline" href="/sections.html">'
        'All sections</a><a href="/about">About</a></body></html>',
        content_type="text/html",
    )
    httpserver.expect_request("/sitemap.xml").respond_with_data(
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{base}/s1.html</loc></url></urlset>',
        content_type="application/xml",
    )
    for path in ("/l1.html", "/s1.html", "/single.html"):
        httpserver.expect_request(path).respond_with_data(
            article(f"Story {path}", f"Something happened at {path} today."),
            content_type="text/html",
        )
    links = "".join(f'<li><a href="/section/{i}">Section number {i}</a></li>' for i in range(40))
    httpserver.expect_request("/sections.html").respond_with_data(
        f"<html><body><h1>Sections</h1><ul>{links}</ul></body></html>", content_type="text/html"
    )
    deps = await service.open()
    checks = [
        source("front", httpserver.url_for("/world/"), type="listing", links="a.headline"),
        source("map", httpserver.url_for("/sitemap.xml"), type="sitemap"),
        source("single", httpserver.url_for("/single.html"), type="article"),
    ]
    from monitor.store.sources import SourceDefinition, sync_sources

    with deps.store.session() as session:
        sync_sources(
            session, [SourceDefinition(s.name, s.url, s.type) for s in checks], datetime.now(UTC)
        )
    reports = [await check_source(s, deps, datetime.now(UTC)) for s in checks]
    assert [r.new_articles for r in reports] == [1, 1, 1]
    assert all(r.ok for r in reports)
    assert len(reports[0].skipped) == 1  # the index page is remembered and skipped, not an error
    assert "sections.html: not an article" in reports[0].skipped[0]
    assert not reports[0].article_errors


async def test_a_feed_source_that_serves_html_is_a_clear_error(
    service: Service, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/rss").respond_with_data(
        "<html><body>hi</body></html>", content_type="text/html"
    )
    deps = await service.open()
    wrong = source("wrong", httpserver.url_for("/rss"))
    from monitor.store.sources import SourceDefinition, sync_sources

    with deps.store.session() as session:
        sync_sources(session, [SourceDefinition("wrong", wrong.url, "feed")], datetime.now(UTC))
    report = await check_source(wrong, deps, datetime.now(UTC))
    assert not report.ok
    assert report.error is not None
    assert "expected a feed for source wrong, got html" in report.error
    with deps.store.session() as session:
        (state,) = list_source_states(session)
    assert state.consecutive_failures == 1
    assert state.last_error == report.error


async def test_a_source_language_list_skips_articles_in_other_languages(
    service: Service, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/en.html").respond_with_data(
        article("Talks resume", "Delegations met in Cairo on Monday."), content_type="text/html"
    )
    deps = await service.open()
    german_only = source("de-only", httpserver.url_for("/en.html"), type="article", language=["de"])
    from monitor.store.sources import SourceDefinition, sync_sources

    with deps.store.session() as session:
        sync_sources(
            session,
            [SourceDefinition(german_only.name, german_only.url, "article")],
            datetime.now(UTC),
        )
    report = await check_source(german_only, deps, datetime.now(UTC))
    assert report.ok
    assert report.new_articles == 0
    assert report.skipped == [f"{german_only.url}: written in en, the source takes de"]


async def test_links_skipped_by_the_config_are_tried_again_when_it_changes(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    """A feed on 127.0.0.1: its links are refused until allow_private_networks is set — and
    then they are fetched at once, although the feed's bytes did not change."""
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed.xml").respond_with_data(
        feed(base, ["/a.html", "/b.html"]), content_type="application/rss+xml"
    )
    for path, title in (("/a.html", "Harbour talks open"), ("/b.html", "Harbour talks go on")):
        httpserver.expect_request(path).respond_with_data(
            article(title, "The port authority met the unions."), content_type="text/html"
        )
    intranet = SourceConfig(name="intranet", url=f"{base}/feed.xml")  # type: ignore[arg-type]
    settings = Settings(
        storage=StorageConfig(database_url=f"sqlite:///{tmp_path / 'monitor.db'}"),
        fetch=FetchConfig(per_host_delay=0, retries=0, obey_robots=False),
        sources=[intranet],
    )
    service = Service(settings)
    try:
        deps = await service.open()
        first = await check_source(intranet, deps, datetime.now(UTC))
        assert (first.new_articles, len(first.skipped)) == (0, 2)
        assert "a loopback address" in skip_reasons(first.skipped)
        assert "2× " in skip_reasons(first.skipped)  # one reason, counted once for both links
        again = await check_source(intranet, deps, datetime.now(UTC))
        assert again.not_modified  # same config, same feed: nothing to do

        allowed = intranet.model_copy(update={"allow_private_networks": True})
        changed = await check_source(allowed, deps, datetime.now(UTC))
        assert not changed.not_modified
        assert (changed.new_articles, changed.skipped) == (2, [])
        settled = await check_source(allowed, deps, datetime.now(UTC))
        assert settled.not_modified
    finally:
        await service.close()
