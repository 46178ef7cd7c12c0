"""One source, end to end: fetch → links → articles → extract → track → topics → outbox.

``check_source`` is what the scheduler runs for each source; ``recheck_articles`` revisits
articles when ``track.recheck`` plans it (a listing's signal of a change brings an article in on
its source's check instead). Each article is stored in its own transaction together with
its revision, story, development and alerts, so a crash or a shutdown never leaves half of one.
A failing page is recorded and the rest of the check goes on; a failing source is recorded,
its health updated, and the error returned in the report, never raised.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import structlog
from sqlmodel import Session

from monitor.alerts import merge_payloads
from monitor.alerts.drafts import source_health_drafts
from monitor.config import Settings, SourceConfig
from monitor.errors import FetchError, MonitorError, ParseError, StoreError
from monitor.extract import ExtractRules
from monitor.fetch import Fetcher, SourceFetchPolicy
from monitor.health import HealthUpdate, next_health
from monitor.ledger import CheckLedger
from monitor.ledger import in_thread as _db
from monitor.logging import logs_at
from monitor.metrics import Metrics, fetch_status_label
from monitor.models import (
    Article,
    ArticleLink,
    ArticleOutcome,
    Health,
    HealthTransition,
    Page,
    SourceHealthState,
    Validators,
)
from monitor.offload import WorkerPool
from monitor.sources import (
    detect_document_kind,
    feed_article_links,
    find_article_links,
    parse_feed,
    parse_sitemap,
)
from monitor.store import Store
from monitor.store import articles as article_store
from monitor.store import sources as source_store
from monitor.store.outbox import enqueue
from monitor.topics import in_languages
from monitor.track.recheck import (
    link_signal,
    listing_says_changed,
    per_host_budget,
    polite_batch,
    recheck_plan,
    spread,
)

if TYPE_CHECKING:  # the story engine is imported by the first article that needs it
    from monitor.observe import TrackingGate
    from monitor.track import Tracker

log = structlog.get_logger("monitor.pipeline")
T = TypeVar("T")
RecheckClaim = Callable[[Any, datetime, list[tuple[str, str]]], list[tuple[str, str]]]
"""(session, now, the (URL, source) pairs to fetch) → those of them this instance claimed."""

ARTICLE_CONCURRENCY = 8
MAX_CHILD_SITEMAPS = 5


@dataclass
class Deps:
    """What a check needs; built once by the service."""

    settings: Settings
    store: Store
    fetcher: Fetcher
    metrics: Metrics
    clock: Callable[[], datetime]
    strip_params: frozenset[str] | None = None
    loaded_tracker: Tracker | None = None
    workers: WorkerPool | None = None
    listing_digests: dict[int, tuple[SourceConfig, str]] = field(default_factory=dict)
    fetch_config: tuple[object, str] = (None, "")  # the fetch section and its JSON, for digests
    track_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    tracking_gate: TrackingGate | None = None  # several instances: serialised
    claim_rechecks: RecheckClaim | None = None  # several instances: rechecks claimed, not read
    loaded_ledger: CheckLedger | None = None

    async def offload(self, function: Callable[..., T], *args: Any, what: str) -> T:
        """``function(*args)`` in the worker pool (within its time budget), or here without one."""
        if self.workers is None:
            return function(*args)
        return await self.workers.run(function, *args, what=what)

    @property
    def ledger(self) -> CheckLedger:
        """Check state read and written in batches across the checks running together."""
        if self.loaded_ledger is None or self.loaded_ledger.store is not self.store:
            self.loaded_ledger = CheckLedger(self.store)
        return self.loaded_ledger

    @property
    def tracker(self) -> Tracker:
        """The story engine, loaded from the store the first time an article needs it (checks
        that find nothing new never pay for it)."""
        if self.loaded_tracker is None:
            from monitor.observe import load_tracker

            with self.store.session() as session:
                self.loaded_tracker = load_tracker(session, self.settings.tracking)
        return self.loaded_tracker


@dataclass
class SourceReport:
    """What one check of one source did."""

    source: str
    ok: bool = True
    error: str | None = None
    not_modified: bool = False
    links: int = 0
    fetched: int = 0
    unchanged: int = 0
    new_articles: int = 0
    revisions: int = 0
    developments: int = 0
    alerts: int = 0
    skipped: list[str] = field(default_factory=list)
    article_errors: list[str] = field(default_factory=list)
    duration: float = 0.0

    def add(self, outcome: ArticleOutcome) -> None:
        self.fetched += 1
        self.unchanged += outcome.event == "unchanged"
        self.new_articles += outcome.new_article
        self.revisions += outcome.event == "revision"
        self.developments += outcome.development_kind is not None
        self.alerts += outcome.alerts


async def check_source(source: SourceConfig, deps: Deps, now: datetime) -> SourceReport:
    """Check ``source`` once; never raises for a problem of the source or its pages."""
    report = await _check(source, deps, now, respect_backoff=False)
    assert report is not None
    return report


async def check_due_source(source: SourceConfig, deps: Deps, now: datetime) -> SourceReport | None:
    """Check ``source`` unless it is failing and its pushed-back next check is still ahead."""
    return await _check(source, deps, now, respect_backoff=True)


async def _check(
    source: SourceConfig, deps: Deps, now: datetime, *, respect_backoff: bool
) -> SourceReport | None:
    """Read once (what the store knows of the source), fetch, decide, write once."""
    started = time.perf_counter()
    report = SourceReport(source=source.name)
    retry_after = None
    listings: list[Page] = []
    known = source_store.SourceCheck(SourceHealthState(), None, None)
    try:
        known = await deps.ledger.read(source.name, _listing_key(source.url, source, deps))
        if respect_backoff and _backing_off(known, now):
            return None
        links = await _discover_links(source, deps, report, listings, known.validators)
    except MonitorError as exc:
        report.ok, report.error = False, str(exc)
        retry_after = getattr(exc, "retry_after", None)
    else:
        if links:
            worth = await _db(f"reading links of {source.name}", _links_worth_fetching, links, deps)
            fetched = await _process_links(source, deps, worth, report)
            await _db(f"noting {source.name}'s listing signals", _note_signals, deps, fetched)
        if not report.article_errors and listings:
            await _db(f"remembering {source.name}'s listings", _remember, deps, source, listings)
    await _record_health(source, deps, report, known.health, now, retry_after)
    report.duration = time.perf_counter() - started
    _log_report(source, deps, report)
    deps.metrics.source_checks.labels("ok" if report.ok else "failed").inc()
    return report


def _log_report(source: SourceConfig, deps: Deps, report: SourceReport) -> None:
    """One line per check that did something; a check that found nothing new is counted (and
    logged at debug level only): a thousand feeds do not write a thousand lines an hour."""
    if report.ok and report.not_modified:
        deps.ledger.count_unchanged()
        if logs_at(logging.DEBUG):
            log.debug("source_checked", source=source.name, url=source.url, not_modified=True)
        return
    bound = log.bind(source=source.name, url=source.url)
    fields = {
        "ok": report.ok,
        "not_modified": report.not_modified,
        "links": report.links,
        "fetched": report.fetched,
        "new_articles": report.new_articles,
        "revisions": report.revisions,
        "developments": report.developments,
        "alerts": report.alerts,
        "skipped": len(report.skipped),
        "article_errors": len(report.article_errors),
        "duration_ms": round(report.duration * 1000, 1),
    }
    if report.ok:
        bound.info("source_checked", **fields)
    else:
        bound.warning("source_checked", error=report.error, **fields)


# --------------------------------------------------------------------------- discovering links


def _remember(deps: Deps, source: SourceConfig, pages: list[Page]) -> None:
    """Keep the validators of listing pages — only once every link on them was handled, so that
    a page that failed is tried again at the next check instead of hiding behind a 304."""
    if not pages:
        return
    with deps.store.session() as session:
        for page in pages:
            source_store.save_validators(
                session,
                _listing_key(page.url, source, deps),
                page.validators,
                page.status,
                deps.clock(),
            )


def _listing_key(url: str, source: SourceConfig, deps: Deps) -> str:
    """Where a listing's validators are kept: its URL plus a digest of the configuration that
    decided which of its links to skip (the source and the fetch section). A changed config
    reads the listing in full once, so links it skipped before (a private address, robots.txt)
    are tried again instead of hiding behind a 304. The ``#`` keeps the key apart from any
    canonical URL, which never has a fragment."""
    cached = deps.listing_digests.get(id(source))
    if cached is None or cached[0] is not source:
        fetch = deps.settings.fetch
        if deps.fetch_config[0] is not fetch:  # dumped once, not once per source (~12 µs)
            deps.fetch_config = (fetch, fetch.model_dump_json())
        config = source.model_dump_json() + deps.fetch_config[1]
        cached = (source, hashlib.sha256(config.encode()).hexdigest()[:16])
        deps.listing_digests[id(source)] = cached
    return f"{url}#config-{cached[1]}"


def _backing_off(known: source_store.SourceCheck, now: datetime) -> bool:
    """Whether a failing source's next check, pushed back after its failures, is still ahead."""
    return bool(
        known.health.consecutive_failures
        and known.next_check_at is not None
        and known.next_check_at > now
    )


async def _discover_links(
    source: SourceConfig,
    deps: Deps,
    report: SourceReport,
    listings: list[Page],
    validators: Validators | None,
) -> list[ArticleLink]:
    """The article links a source offers now; [] when its listing did not change."""
    if source.type == "article":
        return [ArticleLink(url=source.url)]
    page = await _fetch_with(deps, source, source.url, validators, discovered=False)
    if page.not_modified:
        report.not_modified = True
        return []
    listings.append(page)
    links = await _parse_listing(source, deps, page, listings)
    report.links = len(links)
    return links


async def _parse_listing(
    source: SourceConfig, deps: Deps, page: Page, listings: list[Page]
) -> list[ArticleLink]:
    kind = detect_document_kind(page.body, page.content_type)
    if source.type == "listing":
        assert source.links is not None  # the config insists
        return await deps.offload(
            find_article_links,
            page.text,
            page.final_url,
            source.links,
            source.include,
            source.exclude,
            deps.strip_params,
            what=page.final_url,
        )
    if source.type == "sitemap":
        return await _sitemap_links(source, deps, page, listings)
    if kind != "feed":
        raise ParseError(
            f"{page.final_url}: expected a feed for source {source.name}, got {kind} "
            f"(content type {page.content_type or 'none'}); set `type:` to match"
        )
    feed = await deps.offload(
        parse_feed, page.body, page.final_url, page.headers.get("content-type"), what=page.final_url
    )
    return feed_article_links(feed, deps.strip_params)


async def _sitemap_links(
    source: SourceConfig, deps: Deps, page: Page, listings: list[Page]
) -> list[ArticleLink]:
    sitemap = await deps.offload(
        parse_sitemap, page.body, page.final_url, deps.strip_params, what=page.final_url
    )
    links = list(sitemap.links)
    for child_url in sitemap.sitemaps[:MAX_CHILD_SITEMAPS]:
        key = _listing_key(child_url, source, deps)
        child_page = await _fetch(deps, source, child_url, discovered=True, state_key=key)
        if not child_page.not_modified:
            listings.append(child_page)
            child = await deps.offload(
                parse_sitemap,
                child_page.body,
                child_page.final_url,
                deps.strip_params,
                what=child_url,
            )
            links.extend(child.links)
    return links


def _links_worth_fetching(links: Sequence[ArticleLink], deps: Deps) -> list[ArticleLink]:
    """New links and links whose listing signal changed since we last fetched them; changed
    ones first."""
    with deps.store.session() as session:
        known = source_store.fetch_marks(session, [link.url for link in links])
    changed, new = [], []
    for link in {link.url: link for link in links}.values():
        mark = known.get(link.url)
        if mark is None:
            new.append(link)
        elif listing_says_changed(link_signal(link), mark.signal_at, mark.fetched_at):
            changed.append(link)
    return changed + new


def _note_signals(deps: Deps, fetched: Sequence[ArticleLink]) -> None:
    """Keep the listing signal each fetched link came with, to tell its next change by."""
    signals = {link.url: signal for link in fetched if (signal := link_signal(link))}
    if signals:
        with deps.store.session() as session:
            source_store.save_signals(session, signals)


# --------------------------------------------------------------------------- articles


async def _process_links(
    source: SourceConfig, deps: Deps, links: list[ArticleLink], report: SourceReport
) -> list[ArticleLink]:
    """Process ``links`` (up to the source's ``max_articles``); returns those fetched."""
    links = links[: source.max_articles]
    semaphore = asyncio.Semaphore(ARTICLE_CONCURRENCY)

    async def one(link: ArticleLink) -> bool:
        async with semaphore:
            return await _process_article(source, deps, link.url, report)

    done = await asyncio.gather(*(one(link) for link in links))
    return [link for link, fetched in zip(links, done, strict=True) if fetched]


async def _process_article(
    source: SourceConfig, deps: Deps, url: str, report: SourceReport
) -> bool:
    """Fetch, extract, track and store one article; problems are recorded on the report.
    Returns whether the page was fetched (and its outcome stored)."""
    bound = log.bind(source=source.name, url=url)
    try:
        outcome = await process_article_url(source, deps, url, discovered=source.type != "article")
    except StoreError as exc:
        report.article_errors.append(f"{url}: {exc}")
        bound.error("article_not_stored", error=str(exc))
        return False
    except (FetchError, ParseError) as exc:
        if isinstance(exc, FetchError) and _is_skip(exc):
            report.skipped.append(f"{url}: {exc}")
            bound.info("article_skipped", reason=str(exc))
            return False
        report.article_errors.append(f"{url}: {exc}")
        bound.warning("article_failed", error=str(exc))
        if source.type == "article":
            report.ok, report.error = False, str(exc)
        return False
    if outcome.event in ("not_article", "other_language"):
        why = (
            f"not an article ({outcome.reason})"
            if outcome.event == "not_article"
            else outcome.reason
        )
        report.skipped.append(f"{url}: {why}")
        bound.info("article_skipped", reason=why)
        return True
    report.add(outcome)
    return True


def _reload_tracker(deps: Deps) -> None:
    deps.loaded_tracker = None  # the next article reloads it from the store


def _is_skip(exc: FetchError) -> bool:
    from monitor.errors import BlockedURL, UnsupportedContent

    return isinstance(exc, BlockedURL | UnsupportedContent)


async def process_article_url(
    source: SourceConfig, deps: Deps, url: str, *, discovered: bool
) -> ArticleOutcome:
    """One article through fetch → extract → track → store (one transaction)."""
    page = await _fetch(deps, source, url, discovered=discovered)
    now = deps.clock()
    if page.not_modified:
        await _db(f"noting the check of {url}", _mark_checked, deps, url, page, now)
        return ArticleOutcome(url=url, event="unchanged")
    from monitor.extract import extract_article  # loaded by the first page to extract

    article = await deps.offload(
        extract_article,
        _html_input(page),
        page.final_url,
        _rules(source),
        page.fetched_at,
        what=url,
    )
    if not article.is_article:  # an index page, an error page, a paywall: remember, skip
        reason = "; ".join(article.warnings) or "no article text"
        return await _db(f"skipping {url}", _skip, deps, url, page, now, "not_article", reason)
    if not in_languages(article.language, source.language):
        written = article.language or "an unknown language"
        reason = f"written in {written}, the source takes {', '.join(source.language or ())}"
        return await _db(f"skipping {url}", _skip, deps, url, page, now, "other_language", reason)
    async with deps.track_lock:  # one article at a time through this instance's engine
        return await _db(f"storing {url}", _track_and_store, source, deps, url, page, article, now)


def _track_and_store(
    source: SourceConfig, deps: Deps, url: str, page: Page, article: Article, now: datetime
) -> ArticleOutcome:
    from monitor.observe import track_and_store

    gate = deps.tracking_gate
    try:
        return track_and_store(
            deps.store,
            deps.tracker if gate is None else None,
            source=source.name,
            requested_url=url,
            page=page,
            article=article,
            now=now,
            topics=deps.settings.topics,
            disabled_webhooks=_disabled_webhooks(deps.settings),
            plan_recheck=recheck_plan(deps.settings.tracking.recheck),
            metrics=deps.metrics,
            gate=gate,
        )
    except BaseException:
        # The engine believes what the store never got: rebuild it (a gate sees the epoch the
        # failed transaction left behind and reloads its own).
        _reload_tracker(deps)
        raise


def _mark_checked(deps: Deps, url: str, page: Page, now: datetime) -> None:
    with deps.store.session() as session:
        plan = recheck_plan(deps.settings.tracking.recheck)
        article_store.mark_checked(session, url, page, now, plan)


def _skip(
    deps: Deps, url: str, page: Page, now: datetime, event: str, reason: str
) -> ArticleOutcome:
    """Remember the page's validators (so it is not parsed again unchanged) and skip it."""
    with deps.store.session() as session:
        source_store.save_validators(session, url, page.validators, page.status, now)
    return ArticleOutcome(url=url, event=event, reason=reason)


def _html_input(page: Page) -> str | bytes:
    """Bytes when they are UTF-8 (the parser is fastest on bytes), else the decoded text."""
    encoding = (page.encoding or "").lower().replace("_", "-")
    return page.body if encoding in ("utf-8", "ascii", "us-ascii") else page.text


def _disabled_webhooks(settings: Settings) -> frozenset[str]:
    return frozenset(webhook.name for webhook in settings.webhooks if not webhook.enabled)


def _rules(source: SourceConfig) -> ExtractRules | None:
    if source.article is None:
        return None
    return ExtractRules(
        title=source.article.title, body=source.article.body, remove=tuple(source.article.remove)
    )


async def _fetch(
    deps: Deps, source: SourceConfig, url: str, *, discovered: bool, state_key: str | None = None
) -> Page:
    validators = await _db(f"reading validators of {url}", _validators, deps, state_key or url)
    return await _fetch_with(deps, source, url, validators, discovered=discovered)


def _validators(deps: Deps, key: str) -> Validators | None:
    with deps.store.session() as session:
        return source_store.get_validators(session, key)


async def _fetch_with(
    deps: Deps,
    source: SourceConfig,
    url: str,
    validators: Validators | None,
    *,
    discovered: bool,
) -> Page:
    started = time.perf_counter()
    try:
        page = await deps.fetcher.fetch(
            url, validators, discovered=discovered, policy=_policy(source)
        )
    except FetchError as exc:
        deps.metrics.fetches.labels(_status_label(exc)).inc()
        raise
    finally:
        deps.metrics.fetch_seconds.observe(time.perf_counter() - started)
    deps.metrics.fetches.labels(fetch_status_label(page)).inc()
    return page


def _status_label(exc: FetchError) -> str:
    status = getattr(exc, "status", None)
    return str(status) if status else type(exc).__name__


def _policy(source: SourceConfig) -> SourceFetchPolicy:
    """The fetch overrides of ``source``, made once per source config (a reload makes new ones)."""
    cached = _POLICIES.get(id(source))
    if cached is None or cached[0] is not source:
        if len(_POLICIES) >= MAX_CACHED_POLICIES:
            _POLICIES.clear()
        policy = SourceFetchPolicy(
            obey_robots=source.obey_robots,
            allow_private_networks=source.allow_private_networks,
            accept_language=source.accept_language,
            headers=dict(source.headers),
        )
        cached = _POLICIES[id(source)] = (source, policy)
    return cached[1]


MAX_CACHED_POLICIES = 100_000  # sources; past it the cache starts afresh
_POLICIES: dict[int, tuple[SourceConfig, SourceFetchPolicy]] = {}


# --------------------------------------------------------------------------- health


MAX_BACKOFF = timedelta(hours=6)


async def _record_health(
    source: SourceConfig,
    deps: Deps,
    report: SourceReport,
    known: SourceHealthState,
    now: datetime,
    retry_after: float | None,
) -> None:
    """Decide the source's health after this check (``next_health``, the one place it is
    decided) and write it: with the checks ending at the same time when it did not change,
    else in a transaction of its own with the alerts the change causes."""
    update = next_health(
        known,
        succeeded=report.ok,
        now=now,
        interval=timedelta(seconds=source.interval),
        failure_threshold=deps.settings.alerts.failure_threshold,
        max_backoff=MAX_BACKOFF,
        retry_after=timedelta(seconds=retry_after) if retry_after else None,
    )
    try:
        if update.transition is None:  # the common case: batched with other checks
            await deps.ledger.record(
                source_store.CheckRecord(
                    source.name,
                    now,
                    update.state.health,
                    update.state.consecutive_failures,
                    update.next_check_at,
                    report.error,
                )
            )
            return
        what = f"recording the health of {source.name}"
        await _db(what, _write_transition, source, deps, update, report, now)
    except StoreError as exc:
        log.error("health_not_recorded", source=source.name, error=str(exc))


def _write_transition(
    source: SourceConfig, deps: Deps, update: HealthUpdate, report: SourceReport, now: datetime
) -> None:
    """A change of health, its event row and the alerts it causes, in one transaction."""
    assert update.transition is not None
    with deps.store.session() as session:
        source_store.record_check(
            session,
            source.name,
            now=now,
            health=update.state.health,
            consecutive_failures=update.state.consecutive_failures,
            next_check_at=update.next_check_at,
            error=report.error,
            transition=update.transition,
        )
        report.alerts += _health_alerts(session, source, deps, update.transition, report)


def _health_alerts(
    session: Session,
    source: SourceConfig,
    deps: Deps,
    transition: HealthTransition,
    report: SourceReport,
) -> int:
    webhooks = webhooks_watching(deps.settings, source.name)
    if not webhooks:
        return 0
    since = None
    if transition.after is Health.OK:
        since = source_store.failing_since(session, source.name)
    drafts = source_health_drafts(
        transition, source=source.name, error=report.error, failing_since=since, webhooks=webhooks
    )
    return len(enqueue(session, drafts, transition.at, merge=merge_payloads))


def webhooks_watching(settings: Settings, source_name: str) -> list[str]:
    """The webhooks of every topic that covers ``source_name``: they hear about its health."""
    names: dict[str, None] = {}
    for topic in settings.topics:
        if topic.sources is None or source_name in topic.sources:
            names.update(dict.fromkeys(topic.webhooks))
    enabled = {webhook.name for webhook in settings.webhooks if webhook.enabled}
    return [name for name in names if name in enabled]


# --------------------------------------------------------------------------- rechecks


def _due_rechecks(
    deps: Deps, now: datetime, limit: int, sources: Sequence[str]
) -> tuple[int, list[tuple[str, str]]]:
    with deps.store.session() as session:
        quiet_since = now - timedelta(seconds=deps.settings.tracking.dormant_after)
        dormant = article_store.mark_dormant(session, quiet_since)
        return dormant, article_store.due_for_recheck(session, now, limit, sources)


def _claim_rechecks(
    deps: Deps, claim: RecheckClaim, now: datetime, due: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    with deps.store.session() as session:
        return claim(session, now, due)


async def recheck_articles(deps: Deps, now: datetime, limit: int = 100) -> int:
    """Revisit the articles whose planned recheck is due, at most ``limit`` and no host more
    often than its politeness spacing allows between two runs; returns how many were fetched."""
    sources = {source.name: source for source in deps.settings.sources if source.enabled}
    what = "planning rechecks"
    dormant, overdue = await _db(what, _due_rechecks, deps, now, limit * 4, list(sources))
    if dormant:
        log.info("stories_dormant", count=dormant)
    run_every = deps.settings.tracking.recheck_interval
    due = polite_batch(
        overdue,
        lambda host: per_host_budget(run_every, deps.fetcher.host_spacing(host), limit),
        limit,
    )
    if deps.claim_rechecks is not None:  # several instances: what this one claims, no other takes
        due = await _db("claiming rechecks", _claim_rechecks, deps, deps.claim_rechecks, now, due)
    report = SourceReport(source="recheck")
    semaphore = asyncio.Semaphore(ARTICLE_CONCURRENCY)

    async def one(url: str, source_name: str) -> None:
        async with semaphore:
            await _process_article(sources[source_name], deps, url, report)

    await asyncio.gather(*(one(url, name) for url, name in spread(due)))
    if due:
        log.info(
            "articles_rechecked",
            due=len(overdue),
            fetched=len(due),
            revisions=report.revisions,
            errors=len(report.article_errors),
        )
    return len(due)
