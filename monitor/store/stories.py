"""Reading stories back: summaries for tables and the API, a timeline of one story."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from monitor.store.tables import Alert, ArticleRow, DevelopmentRow, StoryRow


@dataclass(frozen=True, slots=True)
class StorySummary:
    id: str
    title: str | None
    status: str
    first_seen_at: datetime
    last_seen_at: datetime
    article_count: int
    development_count: int
    outlets: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "first_seen": self.first_seen_at.isoformat(),
            "last_seen": self.last_seen_at.isoformat(),
            "article_count": self.article_count,
            "development_count": self.development_count,
            "outlets": list(self.outlets),
        }


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    occurred_at: datetime
    kind: str
    novelty: float
    source: str
    url: str
    title: str | None
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "occurred_at": self.occurred_at.isoformat(),
            "kind": self.kind,
            "novelty": round(self.novelty, 3),
            "source": self.source,
            "url": self.url,
            "title": self.title,
            **self.details,
        }


@dataclass(frozen=True, slots=True)
class StoryDetail:
    summary: StorySummary
    articles: tuple[dict[str, Any], ...]
    timeline: tuple[TimelineEntry, ...]
    aliases: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            **self.summary.to_json(),
            "aliases": list(self.aliases),
            "articles": list(self.articles),
            "timeline": [entry.to_json() for entry in self.timeline],
        }


def list_stories(
    session: Session,
    *,
    limit: int = 50,
    status: str | None = None,
    ids: set[str] | None = None,
) -> list[StorySummary]:
    """Stories, most recently active first."""
    query = select(StoryRow).order_by(col(StoryRow.last_seen_at).desc()).limit(limit)
    if status:
        query = query.where(StoryRow.status == status)
    if ids is not None:
        query = query.where(col(StoryRow.id).in_(ids))
    rows = session.exec(query).all()
    return _summaries(session, list(rows))


MAX_ALIAS_HOPS = 16


def story_detail(session: Session, story_id: str) -> StoryDetail | None:
    """One story with its articles and timeline; a merged story's old id shows the merged one."""
    row = _follow_aliases(session, session.get(StoryRow, story_id))
    if row is None:
        return None
    story_id = row.id
    articles = session.exec(
        select(ArticleRow)
        .where(ArticleRow.story_id == story_id)
        .order_by(col(ArticleRow.first_seen_at))
    ).all()
    return StoryDetail(
        aliases=tuple((row.state or {}).get("aliases", ())),
        summary=_summaries(session, [row])[0],
        articles=tuple(_article_json(article) for article in articles),
        timeline=tuple(_timeline(session, story_id, {a.id: a for a in articles})),
    )


def _follow_aliases(session: Session, row: StoryRow | None) -> StoryRow | None:
    for _ in range(MAX_ALIAS_HOPS):
        if row is None or row.status != "merged":
            return row
        row = session.get(StoryRow, (row.state or {}).get("merged_into", ""))
    return row


def _summaries(session: Session, rows: list[StoryRow]) -> list[StorySummary]:
    ids = [row.id for row in rows]
    if not ids:
        return []
    outlets: dict[str, set[str]] = {}
    for story_id, source in session.exec(
        select(ArticleRow.story_id, ArticleRow.source_name)
        .where(col(ArticleRow.story_id).in_(ids))
        .distinct()
    ).all():
        if story_id is not None:
            outlets.setdefault(story_id, set()).add(source)
    developments = dict(
        session.exec(
            select(DevelopmentRow.story_id, func.count())
            .where(col(DevelopmentRow.story_id).in_(ids))
            .group_by(DevelopmentRow.story_id)
        ).all()
    )
    return [
        StorySummary(
            id=row.id,
            title=row.title,
            status=row.status,
            first_seen_at=row.first_seen_at,
            last_seen_at=row.last_seen_at,
            article_count=row.article_count,
            development_count=developments.get(row.id, 0),
            outlets=tuple(sorted(outlets.get(row.id, ()))),
        )
        for row in rows
    ]


def _article_json(row: ArticleRow) -> dict[str, Any]:
    return {
        "url": row.canonical_url,
        "source": row.source_name,
        "title": row.title,
        "published": row.published.isoformat() if row.published else None,
        "modified": row.modified.isoformat() if row.modified else None,
        "first_seen": row.first_seen_at.isoformat(),
        "revisions": row.revision_count,
        "duplicate": row.duplicate_of is not None,
    }


def _timeline(
    session: Session, story_id: str, articles: dict[int | None, ArticleRow]
) -> list[TimelineEntry]:
    rows = session.exec(
        select(DevelopmentRow)
        .where(DevelopmentRow.story_id == story_id)
        .order_by(col(DevelopmentRow.occurred_at), col(DevelopmentRow.id))
    ).all()
    entries = []
    for row in rows:
        article = articles.get(row.article_id)
        entries.append(
            TimelineEntry(
                occurred_at=row.occurred_at,
                kind=row.kind,
                novelty=row.novelty,
                source=row.source_name,
                url=article.canonical_url if article else "",
                title=article.title if article else None,
                details=dict(row.details or {}),
            )
        )
    return entries


def story_ids_for_topic(session: Session, topic: str) -> set[str]:
    """Stories that caused at least one alert for ``topic``."""
    rows = session.exec(
        select(Alert.story_id).where(Alert.topic == topic).where(col(Alert.story_id).is_not(None))
    ).all()
    return {story_id for story_id in rows if story_id}
