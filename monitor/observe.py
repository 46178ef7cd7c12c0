"""One extracted article through the engine and into the store: decide, write, then believe.

``track_and_store`` lets the story engine decide (``Tracker.observe``), the topics pick who cares
and the alerts core build the payloads; the store writes the outcome in ONE transaction. The
engine's memory is only trusted once that write succeeded: when it fails, ``track_and_store``
raises and the caller drops the engine, which ``load_tracker`` rebuilds from what was written.
With several instances on one database the decision is taken inside that transaction, under the
tracking gate's lock (``monitor.coordination``), on the engine the gate hands over; a failed
write leaves the gate's epoch behind, so the gate rebuilds its engine before the next decision.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session

from monitor.alerts import merge_payloads, short_diff
from monitor.alerts.drafts import story_alert_drafts
from monitor.config import TopicConfig, TrackingConfig
from monitor.models import Article, ArticleOutcome, Page
from monitor.store import Store
from monitor.store import articles as article_store
from monitor.store.articles import ArticleWrite, RecheckPlan
from monitor.store.outbox import enqueue
from monitor.topics import matching_topics, story_text
from monitor.track import Observation, Tracker, TrackEvent, TrackResult, track_config


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


def load_tracker(session: Session, tracking: TrackingConfig) -> Tracker:
    """The tracker as the store left it: active stories and their articles."""
    stories, articles = article_store.active_snapshots(session)
    return Tracker.from_snapshots(
        stories,
        articles,
        track_config(tracking),
        memories=article_store.active_memories(session),
    )


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

    The decision is taken inside that transaction: with a ``gate`` (several instances on one
    database) under the gate's lock, held until the transaction ends, on the engine the gate
    hands over; without one on ``tracker``. Raises what the store raises; ``tracker`` then
    believes something the store never got and must be dropped (``load_tracker`` rebuilds it).
    """
    with store.session() as session:
        engine = tracker if gate is None else gate.enter(session)
        assert engine is not None, "track_and_store needs a tracker or a gate"
        result = engine.observe(Observation(source, article.canonical_url, now, article))
        write = _as_write(result, source, article, now)
        matched = _matched_topics(result, article, topics)
        written = article_store.write_article(
            session, write, requested_url=requested_url, page=page, plan_recheck=plan_recheck
        )
        alerts = 0
        if matched and result.development is not None:
            story, articles = article_store.story_for_alert(session, result.story_id)
            drafts = story_alert_drafts(
                development=result.development,
                topics=matched,
                story=story,
                articles=articles,
                diff=_diff_text(result),
                disabled_webhooks=disabled_webhooks,
            )
            alerts = len(
                enqueue(
                    session,
                    drafts,
                    now,
                    merge=merge_payloads,
                    development_id=written.development_id,
                )
            )
    _count(metrics, result, written.is_new, alerts)
    return ArticleOutcome(
        url=article.canonical_url,
        event=result.event.value,
        story_id=result.story_id,
        new_article=written.is_new,
        development_kind=result.development.kind.value if result.development else None,
        alerts=alerts,
    )


def _as_write(result: TrackResult, source: str, article: Article, now: datetime) -> ArticleWrite:
    return ArticleWrite(
        source=source,
        article=article,
        now=now,
        story_id=result.story_id,
        changed=result.event is not TrackEvent.UNCHANGED,
        revision=result.revision,
        story_snapshot=result.story_snapshot,
        article_snapshot=result.article_snapshot,
        merged=tuple(result.merged),
        significance=result.diff.significance if result.diff else 1.0,
        diff=result.diff.to_dict() if result.diff else None,
        duplicate_of=result.duplicate_of,
        memory=result.memory,
        development=result.development,
        split=result.split,
    )


def _matched_topics(
    result: TrackResult, article: Article, topics: Sequence[TopicConfig]
) -> list[TopicConfig]:
    development = result.development
    if development is None:
        return []
    return list(matching_topics(development, story_text(article), development.source, topics))


def _count(metrics: Counters, result: TrackResult, is_new: bool, alerts: int) -> None:
    if is_new:
        metrics.articles.inc()
    if result.event is TrackEvent.REVISION:
        metrics.revisions.inc()
    if result.development is not None:
        metrics.developments.labels(result.development.kind.value).inc()
    if alerts:
        metrics.alerts_enqueued.labels("story").inc(alerts)


def _diff_text(result: TrackResult) -> str | None:
    if result.diff is None or result.event is not TrackEvent.REVISION:
        return None
    before = [c.before for c in result.diff.changed] + list(result.diff.removed)
    after = [c.after for c in result.diff.changed] + list(result.diff.added)
    return short_diff(before, after) or None
