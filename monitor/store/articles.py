"""Articles, revisions, stories and developments: what the engine decided, stored in one go.

Storage only. ``write_article`` takes the engine's decision about one extracted article as plain
values (``ArticleWrite``) and writes the article, its revision, its story (and the stories merged
into it, or the story split off it) and its development inside the caller's transaction;
``story_for_alert`` reads what an alert says about the story; ``active_snapshots`` gives back
what the engine needs to rebuild its memory. Deciding is the core's job (``monitor.track``),
wiring the two the shell's (``monitor.observe``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from monitor.models import (
    Article,
    ArticleInfo,
    Development,
    MemoryDelta,
    MemoryItem,
    Page,
    RecheckFacts,
    StoryInfo,
    StorySplit,
)
from monitor.store.sources import save_validators
from monitor.store.tables import (
    ArticleRow,
    DevelopmentRow,
    RevisionRow,
    StoryMemoryRow,
    StoryRow,
)

RecheckPlan = Callable[[RecheckFacts, datetime], datetime | None]  # see track.recheck
PAYLOAD_ARTICLES = 10
BATCH = 500  # rows per statement, under every engine's limit of bound parameters


@dataclass(frozen=True, slots=True)
class ArticleWrite:
    """What the engine decided about one article, as the store keeps it."""

    source: str
    article: Article
    now: datetime
    story_id: str | None
    changed: bool  # new, or a revision: a revision row is written
    revision: int  # the number of this revision (0 for the first)
    story_snapshot: dict[str, Any] | None = None
    article_snapshot: dict[str, Any] | None = None
    merged: tuple[str, ...] = ()
    significance: float = 1.0
    diff: dict[str, Any] | None = None
    duplicate_of: str | None = None
    development: Development | None = None
    memory: MemoryDelta | None = None  # what changed in the story's memory
    split: StorySplit | None = None  # a story found to be two, and the articles that left it


@dataclass(frozen=True, slots=True)
class ArticleWritten:
    """What ``write_article`` did: whether the article is new, the development's id."""

    is_new: bool
    development_id: int | None


def active_snapshots(session: Session) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The engine's memory as stored: snapshots of active stories and of their articles."""
    stories = session.exec(select(StoryRow.state).where(StoryRow.status == "active")).all()
    articles = session.exec(
        select(ArticleRow.state)
        .join(StoryRow, col(ArticleRow.story_id) == col(StoryRow.id))
        .where(StoryRow.status == "active")
    ).all()
    return [dict(s) for s in stories if s], [dict(a) for a in articles if a]


def active_memories(session: Session) -> dict[str, list[MemoryItem]]:
    """What each active story remembers (its sentences, facts and names), by story id."""
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


def write_article(
    session: Session,
    write: ArticleWrite,
    *,
    requested_url: str,
    page: Page,
    plan_recheck: RecheckPlan,
) -> ArticleWritten:
    """Store one decision (and the page's validators) inside the caller's transaction."""
    if write.story_snapshot is not None:
        _save_story(session, write.story_snapshot, write.now)
    if write.memory is not None and write.story_id is not None:
        save_memory(session, write.story_id, write.memory)
    if write.merged and write.story_id is not None:
        _absorb_stories(session, write.story_id, write.merged)
    if write.split is not None:
        _split_story(session, write.split, write.now)
    row, is_new = _article_row(session, write.article, write.source, write.now)
    _apply(row, write, page, plan_recheck)
    session.add(row)
    session.flush()
    revision = None
    if write.changed:
        revision = _save_revision(session, row, write)
        if write.duplicate_of:
            row.duplicate_of = _article_id(session, write.duplicate_of)
    development_id = None
    if write.development is not None:
        development_id = _save_development(session, row, write.development, revision)
    save_validators(session, requested_url, page.validators, page.status, write.now)
    return ArticleWritten(is_new, development_id)


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


def _apply(row: ArticleRow, write: ArticleWrite, page: Page, plan_recheck: RecheckPlan) -> None:
    article, now = write.article, write.now
    row.story_id = write.story_id
    row.title = article.title
    row.published = article.published
    row.modified = article.modified
    row.kind = article.kind
    row.http_modified = http_modified(page)
    row.last_checked_at = now
    if write.changed:
        row.last_changed_at = now
        row.revision_count = write.revision + 1
    if write.article_snapshot is not None:
        row.state = write.article_snapshot
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


def _split_story(session: Session, split: StorySplit, now: datetime) -> None:
    """A story the engine found to be two: the other of the two stories is saved, and the
    articles that left (with their developments: each timeline keeps its own) move to the new
    story."""
    if split.snapshot:
        _save_story(session, split.snapshot, now)
        if split.memory is not None:
            save_memory(session, split.snapshot["story_id"], split.memory)
    for start in range(0, len(split.urls), BATCH):
        moved = session.exec(
            select(ArticleRow).where(
                col(ArticleRow.canonical_url).in_(split.urls[start : start + BATCH])
            )
        ).all()
        for article in moved:
            article.story_id = split.new_id
            if article.state:
                article.state = {**article.state, "story_id": split.new_id}
            session.add(article)
        ids = [article.id for article in moved if article.id is not None]
        for development in session.exec(
            select(DevelopmentRow).where(col(DevelopmentRow.article_id).in_(ids))
        ).all():
            development.story_id = split.new_id
            session.add(development)


def _save_revision(session: Session, row: ArticleRow, write: ArticleWrite) -> RevisionRow:
    assert row.id is not None
    revision = RevisionRow(
        article_id=row.id,
        number=write.revision,
        fetched_at=write.now,
        title=write.article.title,
        body=write.article.body,
        content_hash=_content_hash(write.article),
        significance=write.significance,
        diff=write.diff,
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
        "split_stories": [list(pair) for pair in development.split_stories],
    }


def story_for_alert(session: Session, story_id: str) -> tuple[StoryInfo, list[ArticleInfo]]:
    """What an alert says about a story: the story and its latest articles."""
    story = session.get(StoryRow, story_id)
    assert story is not None
    articles = _story_articles(session, story_id)
    info = StoryInfo(
        id=story.id,
        title=story.title,
        first_seen=story.first_seen_at,
        article_count=story.article_count,
        outlets=tuple(sorted({a.source for a in articles})),
    )
    return info, articles[:PAYLOAD_ARTICLES]


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
