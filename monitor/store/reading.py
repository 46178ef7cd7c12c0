"""Read-only queries for the pages and feeds: a story's developments with their revision diffs,
the latest development of each story, a topic's stories.

Functions take a ``Session`` and return plain values; nothing here writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from monitor.store.tables import Alert, ArticleRow, DevelopmentRow, RevisionRow, StoryRow


@dataclass(frozen=True, slots=True)
class DevelopmentView:
    """One development of a story, with what the page and the feed show of it."""

    id: int
    story_id: str
    kind: str
    occurred_at: datetime
    novelty: float
    source: str
    url: str
    article_title: str | None
    new_sentences: tuple[str, ...] = ()
    changed_facts: tuple[dict[str, str], ...] = ()
    new_entities: tuple[str, ...] = ()
    match_score: float | None = None
    match_reasons: tuple[str, ...] = ()
    revision: int | None = None
    diff: dict[str, Any] | None = field(default=None)
    language: str | None = None  # of the article (ISO 639-1); None in rows written before


def story_developments(
    session: Session, story_id: str, *, newest_first: bool = False, limit: int | None = None
) -> list[DevelopmentView]:
    """The developments of one story, oldest first (or newest first, bounded by ``limit``)."""
    order = (
        (col(DevelopmentRow.occurred_at).desc(), col(DevelopmentRow.id).desc())
        if newest_first
        else (col(DevelopmentRow.occurred_at), col(DevelopmentRow.id))
    )
    query = select(DevelopmentRow).where(DevelopmentRow.story_id == story_id).order_by(*order)
    if limit is not None:
        query = query.limit(limit)
    return _views(session, list(session.exec(query).all()))


def developments_of_stories(
    session: Session, story_ids: Sequence[str], *, limit: int = 50
) -> list[DevelopmentView]:
    """The newest developments across ``story_ids`` (a topic's feed), newest first."""
    if not story_ids:
        return []
    rows = session.exec(
        select(DevelopmentRow)
        .where(col(DevelopmentRow.story_id).in_(list(story_ids)))
        .order_by(col(DevelopmentRow.occurred_at).desc(), col(DevelopmentRow.id).desc())
        .limit(limit)
    ).all()
    return _views(session, list(rows))


def latest_developments(session: Session, story_ids: Sequence[str]) -> dict[str, DevelopmentView]:
    """The newest development of each of ``story_ids`` (stories without one are left out)."""
    if not story_ids:
        return {}
    newest = (
        select(func.max(DevelopmentRow.id))
        .where(col(DevelopmentRow.story_id).in_(list(story_ids)))
        .group_by(DevelopmentRow.story_id)
    )
    rows = session.exec(select(DevelopmentRow).where(col(DevelopmentRow.id).in_(newest))).all()
    return {view.story_id: view for view in _views(session, list(rows))}


def topic_story_ids(session: Session, topic: str) -> list[str]:
    """Stories that caused at least one alert for ``topic``, most recently active first."""
    rows = session.exec(
        select(StoryRow.id)
        .where(
            col(StoryRow.id).in_(
                select(Alert.story_id)
                .where(Alert.topic == topic)
                .where(col(Alert.story_id).is_not(None))
            )
        )
        .order_by(col(StoryRow.last_seen_at).desc())
    ).all()
    return list(rows)


def story_counts_by_topic(session: Session) -> dict[str, int]:
    """How many stories each topic has alerted about."""
    rows = session.exec(
        select(Alert.topic, func.count(func.distinct(Alert.story_id)))
        .where(col(Alert.topic).is_not(None))
        .where(col(Alert.story_id).is_not(None))
        .group_by(Alert.topic)
    ).all()
    return {topic: count for topic, count in rows if topic}


def _views(session: Session, rows: list[DevelopmentRow]) -> list[DevelopmentView]:
    articles = _by_id(session, ArticleRow, {row.article_id for row in rows})
    revisions = _by_id(session, RevisionRow, {row.revision_id for row in rows if row.revision_id})
    return [
        _view(row, articles.get(row.article_id), revisions.get(row.revision_id)) for row in rows
    ]


def _by_id(session: Session, table: Any, ids: set[int]) -> dict[int | None, Any]:
    if not ids:
        return {}
    return {row.id: row for row in session.exec(select(table).where(col(table.id).in_(ids)))}


def _view(
    row: DevelopmentRow, article: ArticleRow | None, revision: RevisionRow | None
) -> DevelopmentView:
    assert row.id is not None
    details = row.details or {}
    match = details.get("match") or {}
    return DevelopmentView(
        id=row.id,
        story_id=row.story_id,
        kind=row.kind,
        occurred_at=row.occurred_at,
        novelty=row.novelty,
        source=row.source_name,
        url=article.canonical_url if article else "",
        article_title=article.title if article else None,
        new_sentences=tuple(details.get("new_sentences") or ()),
        changed_facts=tuple(details.get("changed_facts") or ()),
        new_entities=tuple(details.get("new_entities") or ()),
        match_score=match.get("score"),
        match_reasons=tuple(match.get("reasons") or ()),
        revision=revision.number if revision else None,
        diff=revision.diff if revision else None,
        language=details.get("language"),
    )
