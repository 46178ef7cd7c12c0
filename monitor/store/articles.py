"""Articles, revisions, stories and developments: what the tracker decided, stored in one go.

``track_and_store`` runs the tracker on one extracted article and writes its decision — the
article, its revision, its story, its development and the alerts it causes — in ONE transaction,
together with the fetch validators of the page. ``load_tracker`` rebuilds the tracker's memory
from the snapshots those transactions kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from monitor.alerts import ArticleInfo, StoryInfo, short_diff
from monitor.config import TopicConfig, TrackingConfig
from monitor.models import Article, Development, Page, RecheckFacts
from monitor.store.outbox import enqueue_alerts
from monitor.store.repository import Store
from monitor.store.sources import save_validators
from monitor.store.tables import (
    ArticleRow,
    DevelopmentRow,
    RevisionRow,
    StoryMemoryRow,
    StoryRow,
)
from monitor.topics import matching_topics, story_text
from monitor.track import Observation, Tracker, TrackEvent, TrackResult, track_config
from monitor.track.novelty import MemoryDelta, MemoryItem

RecheckPlan = Callable[[RecheckFacts, datetime], datetime | None]  # see track.recheck
PAYLOAD_ARTICLES = 10
BATCH = 500  # rows per statement, under every engine's limit of bound parameters


class Counters(Protocol):
    """The metrics ``track_and_store`` counts into (``monitor.metrics.Metrics`` fits)."""

    @property
    def articles(self) -> Any: ...

    @property
    def revisions(self) -> Any: ...

    @property
    def developments(self) -> Any: ...

    @property
    def alerts_enqueued(self) -> Any: ...


class TrackingGate(Protocol):
    """Serialises tracking across instances (``monitor.coordination`` has the one in use)."""

    def enter(self, session: Session) -> Tracker:
        """Lock tracking for ``session``'s transaction; the engine, current with the store."""


@dataclass(frozen=True, slots=True)
class ArticleOutcome:
    """What storing one fetched article did."""

    url: str
    event: str
    story_id: str | None = None
    new_article: bool = False
    development_kind: str | None = None
    alerts: int = 0
    reason: str | None = None


def load_tracker(session: Session, tracking: TrackingConfig) -> Tracker:
    """The tracker as the store left it: active stories and their articles."""
    stories = session.exec(select(StoryRow.state).where(StoryRow.status == "active")).all()
    articles = session.exec(
        select(ArticleRow.state)
        .join(StoryRow, col(ArticleRow.story_id) == col(StoryRow.id))
        .where(StoryRow.status == "active")
    ).all()
    return Tracker.from_snapshots(
        [dict(s) for s in stories if s],
        [dict(a) for a in articles if a],
        track_config(tracking),
        memories=_active_memories(session),
    )


def _active_memories(session: Session) -> dict[str, list[MemoryItem]]:
    rows = session.exec(
        select(
            StoryMemoryRow.story_id, StoryMemoryRow.kind, StoryMemoryRow.value, StoryMemoryRow.seq
        )
        .join(StoryRow, col(StoryMemoryRow.story_id) == col(StoryRow.id))
        .where(StoryRow.status == "active")
    ).all()
    memories: dict[str, list[MemoryItem]] = {}
    for story_id, kind, value, seq in rows:
        memories.setdefault(story_id, []).append(MemoryItem(kind, value, seq))
    return memories


def track_and_store(
    store: Store,
    tracker: Tracker | None,
    *,
    source: str,
    requested_url: str,
    page: Page,
    article: Article,
    now: datetime,
    topics: Sequence[TopicConfig],
    disabled_webhooks: Collection[str],
    plan_recheck: RecheckPlan,
    metrics: Counters,
    gate: TrackingGate | None = None,
) -> ArticleOutcome:
    """Track ``article`` and store everything that follows from it in one transaction.

    With a ``gate`` (several instances on one database) the decision is taken under the
    gate's lock, held until the transaction ends, on the engine the gate hands over.
    """
    with store.session() as session:
        engine = tracker if gate is None else gate.enter(session)
        assert engine is not None, "track_and_store needs a tracker or a gate"
        result = engine.observe(Observation(source, article.canonical_url, now, article))
        if result.story_snapshot is not None:
            _save_story(session, result.story_snapshot, now)
        if result.memory is not None:
            save_memory(session, result.story_id, result.memory)
        if result.merged:
            _absorb_stories(session, result.story_id, result.merged)
        row, is_new = _article_row(session, article, source, now)
        _apply_result(row, result, article, page, now, plan_recheck)
        session.add(row)
        session.flush()
        revision = None
        if result.event is not TrackEvent.UNCHANGED:
            revision = _save_revision(session, row, result, article, now)
            if result.duplicate_of:
                row.duplicate_of = _article_id(session, result.duplicate_of)
        alerts = 0
        if result.development is not None:
            development_id = _save_development(session, row, result.development, revision)
            alerts = _enqueue(
                session, result, article, topics, disabled_webhooks, development_id, now
            )
        save_validators(session, requested_url, page.validators, page.status, now)
    _count(metrics, result, is_new, alerts)
    return ArticleOutcome(
        url=article.canonical_url,
        event=result.event.value,
        story_id=result.story_id,
        new_article=is_new,
        development_kind=result.development.kind.value if result.development else None,
        alerts=alerts,
    )


def _count(metrics: Counters, result: TrackResult, is_new: bool, alerts: int) -> None:
    if is_new:
        metrics.articles.inc()
    if result.event is TrackEvent.REVISION:
        metrics.revisions.inc()
    if result.development is not None:
        metrics.developments.labels(result.development.kind.value).inc()
    if alerts:
        metrics.alerts_enqueued.labels("story").inc(alerts)


def _article_row(
    session: Session, article: Article, source: str, now: datetime
) -> tuple[ArticleRow, bool]:
    row = session.exec(
        select(ArticleRow).where(ArticleRow.canonical_url == article.canonical_url)
    ).first()
    if row is not None:
        return row, False
    return ArticleRow(
        canonical_url=article.canonical_url, source_name=source, first_seen_at=now
    ), True


def _apply_result(
    row: ArticleRow,
    result: TrackResult,
    article: Article,
    page: Page,
    now: datetime,
    plan_recheck: RecheckPlan,
) -> None:
    row.story_id = result.story_id
    row.title = article.title
    row.published = article.published
    row.modified = article.modified
    row.kind = article.kind
    row.http_modified = http_modified(page)
    row.last_checked_at = now
    if result.event is not TrackEvent.UNCHANGED:
        row.last_changed_at = now
        row.revision_count = result.revision + 1
    if result.article_snapshot is not None:
        row.state = result.article_snapshot
    row.next_check_at = next_check(row, now, plan_recheck)


def next_check(row: ArticleRow, now: datetime, plan_recheck: RecheckPlan) -> datetime | None:
    """When to look at an article again, as ``plan_recheck`` decides from what the row knows."""
    facts = RecheckFacts(
        first_seen=row.first_seen_at,
        last_changed=row.last_changed_at,
        published=row.published,
        modified=row.modified,
        http_modified=row.http_modified,
        kind="live_blog" if row.kind == "live_blog" else "article",
    )
    return plan_recheck(facts, now)


def http_modified(page: Page) -> datetime | None:
    """The page's HTTP ``Last-Modified`` as a time; None when absent or unreadable."""
    value = page.validators.last_modified
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else None


def _save_story(session: Session, snapshot: dict[str, Any], now: datetime) -> None:
    story = session.get(StoryRow, snapshot["story_id"])
    if story is None:
        story = StoryRow(
            id=snapshot["story_id"],
            first_seen_at=datetime.fromisoformat(snapshot["created_at"]),
            last_seen_at=now,
        )
    story.title = snapshot.get("title")
    story.last_seen_at = datetime.fromisoformat(snapshot["last_seen"])
    story.article_count = len(snapshot.get("urls", ()))
    story.status = "active"
    story.state = snapshot
    session.add(story)
    session.flush()


def save_memory(session: Session, story_id: str, delta: MemoryDelta) -> None:
    """Write what one observation changed in a story's memory: forgotten items go, items new
    or seen again are (re)written with their recency; the rest of the memory is not touched."""
    digests = list(dict.fromkeys([*delta.deletes, *(item.digest for item in delta.upserts)]))
    for start in range(0, len(digests), BATCH):
        session.execute(
            delete(StoryMemoryRow)
            .where(col(StoryMemoryRow.story_id) == story_id)
            .where(col(StoryMemoryRow.digest).in_(digests[start : start + BATCH]))
        )
    rows = [
        {"story_id": story_id, "digest": i.digest, "kind": i.kind, "value": i.value, "seq": i.seq}
        for i in delta.upserts
    ]
    for start in range(0, len(rows), BATCH):
        session.execute(insert(StoryMemoryRow), rows[start : start + BATCH])


def _absorb_stories(session: Session, story_id: str, merged: Sequence[str]) -> None:
    """Stories the engine found to be ``story_id``: their articles and developments move to it
    (one timeline) and each stays as an alias row, ``status = "merged"``, pointing at it."""
    for gone in merged:
        for article in session.exec(select(ArticleRow).where(ArticleRow.story_id == gone)).all():
            article.story_id = story_id
            if article.state:
                article.state = {**article.state, "story_id": story_id}
            session.add(article)
        for development in session.exec(
            select(DevelopmentRow).where(DevelopmentRow.story_id == gone)
        ).all():
            development.story_id = story_id
            session.add(development)
        for row in session.exec(select(StoryRow).where(StoryRow.status == "merged")).all():
            if (row.state or {}).get("merged_into") == gone:
                row.state = {"merged_into": story_id}
                session.add(row)
        session.execute(delete(StoryMemoryRow).where(col(StoryMemoryRow.story_id) == gone))
        story = session.get(StoryRow, gone)
        if story is not None:
            story.status = "merged"
            story.state = {"merged_into": story_id}
            story.article_count = 0
            session.add(story)


def _save_revision(
    session: Session, row: ArticleRow, result: TrackResult, article: Article, now: datetime
) -> RevisionRow:
    assert row.id is not None
    revision = RevisionRow(
        article_id=row.id,
        number=result.revision,
        fetched_at=now,
        title=article.title,
        body=article.body,
        content_hash=_content_hash(article),
        significance=result.diff.significance if result.diff else 1.0,
        diff=result.diff.to_dict() if result.diff else None,
    )
    session.add(revision)
    session.flush()
    return revision


def _content_hash(article: Article) -> str:
    text = (article.title or "") + "\n\n" + article.body
    return hashlib.sha256(text.encode()).hexdigest()


def _article_id(session: Session, url: str) -> int | None:
    return session.exec(select(ArticleRow.id).where(ArticleRow.canonical_url == url)).first()


def _save_development(
    session: Session, row: ArticleRow, development: Development, revision: RevisionRow | None
) -> int:
    assert row.id is not None
    saved = DevelopmentRow(
        story_id=development.story_id,
        article_id=row.id,
        revision_id=revision.id if revision else None,
        source_name=development.source,
        kind=development.kind.value,
        novelty=development.novelty,
        occurred_at=development.occurred_at,
        details=development_details(development),
    )
    session.add(saved)
    session.flush()
    assert saved.id is not None
    return saved.id


def development_details(development: Development) -> dict[str, Any]:
    return {
        "new_sentences": list(development.new_sentences),
        "changed_facts": [
            {"before": f.before, "after": f.after, "context": f.context}
            for f in development.changed_facts
        ],
        "new_entities": list(development.new_entities),
        "language": development.language,
        "match": development.match.to_json(),
        "merged_stories": list(development.merged_stories),
    }


def _enqueue(
    session: Session,
    result: TrackResult,
    article: Article,
    topics: Sequence[TopicConfig],
    disabled_webhooks: Collection[str],
    development_id: int,
    now: datetime,
) -> int:
    development = result.development
    assert development is not None
    matched = matching_topics(development, story_text(article), development.source, topics)
    if not matched:
        return 0
    story = session.get(StoryRow, result.story_id)
    assert story is not None
    articles = _story_articles(session, result.story_id)
    enqueued = enqueue_alerts(
        session,
        development=development,
        topics=matched,
        story=StoryInfo(
            id=story.id,
            title=story.title,
            first_seen=story.first_seen_at,
            article_count=story.article_count,
            outlets=tuple(sorted({a.source for a in articles})),
        ),
        articles=articles[:PAYLOAD_ARTICLES],
        diff=_diff_text(result),
        development_id=development_id,
        disabled_webhooks=disabled_webhooks,
        now=now,
    )
    return len(enqueued)


def _story_articles(session: Session, story_id: str) -> list[ArticleInfo]:
    rows = session.exec(
        select(ArticleRow)
        .where(ArticleRow.story_id == story_id)
        .order_by(col(ArticleRow.last_changed_at).desc())
    ).all()
    return [
        ArticleInfo(
            url=row.canonical_url,
            source=row.source_name,
            title=row.title,
            published=row.published,
            modified=row.modified,
        )
        for row in rows
    ]


def _diff_text(result: TrackResult) -> str | None:
    if result.diff is None or result.event is not TrackEvent.REVISION:
        return None
    before = [c.before for c in result.diff.changed] + list(result.diff.removed)
    after = [c.after for c in result.diff.changed] + list(result.diff.added)
    return short_diff(before, after) or None


# --------------------------------------------------------------------------- checks and rechecks


def mark_checked(
    session: Session, url: str, page: Page, now: datetime, plan_recheck: RecheckPlan
) -> None:
    """An article page answered "not modified": note the check and plan the next one."""
    row = session.exec(select(ArticleRow).where(ArticleRow.canonical_url == url)).first()
    if row is not None:
        row.last_checked_at = now
        row.http_modified = http_modified(page) or row.http_modified
        row.next_check_at = next_check(row, now, plan_recheck)
        session.add(row)
    save_validators(session, url, page.validators, page.status, now)


def replan_rechecks(
    session: Session, now: datetime, plan_recheck: RecheckPlan, longest: timedelta
) -> int:
    """Plan every recent article's next check again under a changed recheck schedule.

    Each article's next check counts from its last check, as if the new schedule had always
    been in force: a shorter interval makes a check due at once, a longer one moves it later,
    an article past the schedule's longest window (``longest``) is no longer rechecked, and
    one inside a widened window comes back. Returns how many articles were planned anew.
    """
    cutoff = now - longest
    rows = session.exec(
        select(ArticleRow)
        .where(col(ArticleRow.duplicate_of).is_(None))
        .where(
            col(ArticleRow.next_check_at).is_not(None)
            | (col(ArticleRow.first_seen_at) >= cutoff)
            | (col(ArticleRow.last_changed_at) >= cutoff)
        )
    ).all()
    changed = 0
    for row in rows:
        planned = next_check(row, row.last_checked_at or row.first_seen_at, plan_recheck)
        if planned != row.next_check_at:
            row.next_check_at = planned
            session.add(row)
            changed += 1
    return changed


def due_for_recheck(
    session: Session, now: datetime, limit: int, sources: Collection[str] | None = None
) -> list[tuple[str, str]]:
    """(canonical URL, source) of articles whose recheck is due, most overdue first; only
    those of ``sources`` when given."""
    query = select(ArticleRow.canonical_url, ArticleRow.source_name)
    if sources is not None:
        query = query.where(col(ArticleRow.source_name).in_(list(sources)))
    rows = session.exec(
        query.where(col(ArticleRow.next_check_at) <= now)
        .where(col(ArticleRow.duplicate_of).is_(None))
        .order_by(col(ArticleRow.next_check_at))
        .limit(limit)
    ).all()
    return [(url, source) for url, source in rows]


def mark_dormant(session: Session, quiet_since: datetime) -> int:
    """Stories with no article since ``quiet_since`` go dormant: not offered to new articles,
    not loaded into the engine at the next start."""
    quiet = (
        select(StoryRow)
        .where(StoryRow.status == "active")
        .where(col(StoryRow.last_seen_at) < quiet_since)
    )
    stories = session.exec(quiet).all()
    for story in stories:
        story.status = "dormant"
        session.add(story)
    return len(stories)
