"""Every table of the store: sources and their fetch state, articles, revisions, stories,
developments, the outbox (alerts, delivery attempts, webhook endpoints), and what several
instances share (source claims, the tracking epoch, the instance registry).

Rows never leave the store package: the repository turns them into domain values.
All timestamps are stored as UTC and come back timezone-aware (``UTCDateTime``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and returned timezone-aware, on SQLite and PostgreSQL."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utc_column(*, nullable: bool = True, index: bool = False) -> Any:
    """A ``UTCDateTime`` column for a SQLModel field (``sa_column`` must be fresh per field)."""
    return Column(UTCDateTime(), nullable=nullable, index=index)


def json_column() -> Any:
    return Column(JSON, nullable=True)


def text_column(*, nullable: bool = True) -> Any:
    return Column(Text, nullable=nullable)


class SourceRow(SQLModel, table=True):
    """One configured source, its health and its schedule."""

    __tablename__ = "source"

    name: str = Field(primary_key=True, max_length=64)
    url: str = Field(sa_column=text_column(nullable=False))
    kind: str = Field(max_length=16)
    health: str = Field(default="ok", max_length=16)
    consecutive_failures: int = 0
    last_checked_at: datetime | None = Field(default=None, sa_column=utc_column())
    last_success_at: datetime | None = Field(default=None, sa_column=utc_column())
    last_error: str | None = Field(default=None, sa_column=text_column())
    next_check_at: datetime | None = Field(default=None, sa_column=utc_column())
    created_at: datetime = Field(sa_column=utc_column(nullable=False))


class FetchStateRow(SQLModel, table=True):
    """Validators of the last fetch of one URL, for conditional requests."""

    __tablename__ = "fetch_state"

    url: str = Field(primary_key=True, max_length=2048)
    etag: str | None = Field(default=None, sa_column=text_column())
    last_modified: str | None = Field(default=None, max_length=128)
    content_hash: str | None = Field(default=None, max_length=64)
    last_status: int | None = None
    last_fetched_at: datetime | None = Field(default=None, sa_column=utc_column())
    # the newest time a feed or sitemap gave for this URL when it was last fetched
    signal_at: datetime | None = Field(default=None, sa_column=utc_column())


class SourceHealthEventRow(SQLModel, table=True):
    """A change of a source's health (ok → failing, failing → ok)."""

    __tablename__ = "source_health_event"

    id: int | None = Field(default=None, primary_key=True)
    source_name: str = Field(foreign_key="source.name", index=True, max_length=64)
    from_health: str = Field(max_length=16)
    to_health: str = Field(max_length=16)
    consecutive_failures: int = 0
    error: str | None = Field(default=None, sa_column=text_column())
    occurred_at: datetime = Field(sa_column=utc_column(nullable=False))


class StoryRow(SQLModel, table=True):
    """A story: articles from any outlet about one ongoing event."""

    __tablename__ = "story"

    id: str = Field(primary_key=True, max_length=40)
    title: str | None = Field(default=None, sa_column=text_column())
    first_seen_at: datetime = Field(sa_column=utc_column(nullable=False))
    last_seen_at: datetime = Field(sa_column=utc_column(nullable=False, index=True))
    article_count: int = 0
    status: str = Field(default="active", max_length=16)
    state: dict[str, Any] | None = Field(default=None, sa_column=json_column())


class StoryMemoryRow(SQLModel, table=True):
    """One thing a story knows (a sentence, a fact or a name: ``models.MemoryItem``);
    ``seq`` orders a story's items from least to most recently seen. Written item by item as
    the story learns, never rewritten whole."""

    __tablename__ = "story_memory"

    story_id: str = Field(foreign_key="story.id", primary_key=True, max_length=40)
    digest: str = Field(primary_key=True, max_length=32)
    kind: str = Field(max_length=16)
    value: Any = Field(sa_column=Column(JSON, nullable=False))
    seq: int


class ArticleRow(SQLModel, table=True):
    """One article, identified by its canonical URL."""

    __tablename__ = "article"

    id: int | None = Field(default=None, primary_key=True)
    canonical_url: str = Field(max_length=2048, unique=True)
    source_name: str = Field(max_length=64, index=True)
    story_id: str | None = Field(default=None, foreign_key="story.id", index=True, max_length=40)
    duplicate_of: int | None = Field(default=None, foreign_key="article.id")
    title: str | None = Field(default=None, sa_column=text_column())
    published: datetime | None = Field(default=None, sa_column=utc_column())
    modified: datetime | None = Field(default=None, sa_column=utc_column())
    first_seen_at: datetime = Field(sa_column=utc_column(nullable=False))
    last_checked_at: datetime | None = Field(default=None, sa_column=utc_column())
    last_changed_at: datetime | None = Field(default=None, sa_column=utc_column())
    next_check_at: datetime | None = Field(default=None, sa_column=utc_column(index=True))
    revision_count: int = 0
    state: dict[str, Any] | None = Field(default=None, sa_column=json_column())
    kind: str = Field(default="article", max_length=16)  # "article" or "live_blog"
    http_modified: datetime | None = Field(default=None, sa_column=utc_column())


class RevisionRow(SQLModel, table=True):
    """One version of an article's content that differs from the one before."""

    __tablename__ = "revision"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    number: int
    fetched_at: datetime = Field(sa_column=utc_column(nullable=False))
    title: str | None = Field(default=None, sa_column=text_column())
    body: str = Field(sa_column=text_column(nullable=False))
    content_hash: str = Field(max_length=64)
    significance: float = 0.0
    diff: dict[str, Any] | None = Field(default=None, sa_column=json_column())


class DevelopmentRow(SQLModel, table=True):
    """What a story learned from one article or revision."""

    __tablename__ = "development"
    __table_args__ = (Index("ix_development_story_occurred", "story_id", "occurred_at"),)

    id: int | None = Field(default=None, primary_key=True)
    story_id: str = Field(foreign_key="story.id", max_length=40)
    article_id: int = Field(foreign_key="article.id", index=True)
    revision_id: int | None = Field(default=None, foreign_key="revision.id")
    source_name: str = Field(max_length=64)
    kind: str = Field(max_length=16)
    novelty: float = 0.0
    occurred_at: datetime = Field(sa_column=utc_column(nullable=False))
    details: dict[str, Any] | None = Field(default=None, sa_column=json_column())


# --------------------------------------------------------------------------- the outbox


def _when(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=utc_column(nullable=nullable))


class AlertStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # dead-lettered after the last attempt of the retry schedule


class Alert(SQLModel, table=True):
    """One message to one endpoint. ``id`` is its ``webhook-id``, the same on every retry."""

    __tablename__ = "alert"
    __table_args__ = (
        Index("ix_alert_due", "status", "webhook", "due_at"),
        Index("ix_alert_order", "webhook", "order_key", "status"),
    )

    seq: int | None = Field(default=None, primary_key=True)
    id: str = Field(max_length=40, unique=True)
    type: str = Field(max_length=32)
    topic: str | None = Field(default=None, max_length=64)
    webhook: str = Field(max_length=64)
    story_id: str | None = Field(default=None, max_length=64, index=True)
    source: str | None = Field(default=None, max_length=64)
    order_key: str = Field(max_length=140)
    development_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default=AlertStatus.PENDING, max_length=16)
    attempts: int = 0
    created_at: datetime = _when(nullable=False)
    due_at: datetime = _when(nullable=False)
    leased_until: datetime | None = _when()
    last_attempt_at: datetime | None = _when()
    delivered_at: datetime | None = _when()
    last_status: int | None = None
    last_error: str | None = Field(default=None, sa_column=text_column())


class DeliveryAttempt(SQLModel, table=True):
    """One HTTP attempt to deliver one alert, whatever came of it."""

    __tablename__ = "delivery_attempt"

    id: int | None = Field(default=None, primary_key=True)
    alert_id: str = Field(max_length=40, foreign_key="alert.id", index=True)
    webhook: str = Field(max_length=64)
    number: int
    started_at: datetime = _when(nullable=False)
    duration: float
    outcome: str = Field(max_length=16)
    status_code: int | None = None
    retry_after: float | None = None
    error: str | None = Field(default=None, sa_column=text_column())


class WebhookEndpoint(SQLModel, table=True):
    """What delivery learned about one configured webhook."""

    __tablename__ = "webhook_endpoint"

    name: str = Field(primary_key=True, max_length=64)
    disabled_at: datetime | None = _when()
    disabled_reason: str | None = Field(default=None, sa_column=text_column())
    consecutive_failures: int = 0
    last_attempt_at: datetime | None = _when()
    last_success_at: datetime | None = _when()
    last_status: int | None = None
    last_error: str | None = Field(default=None, sa_column=text_column())


# --------------------------------------------------------------------------- several instances


class SourceClaimRow(SQLModel, table=True):
    """When a source is next due, and who holds it now (until when)."""

    __tablename__ = "source_claim"

    name: str = Field(primary_key=True, max_length=64)
    next_check_at: datetime | None = Field(default=None, sa_column=utc_column(index=True))
    owner: str | None = Field(default=None, max_length=40)
    leased_until: datetime | None = Field(default=None, sa_column=utc_column())
    claimed_at: datetime | None = Field(default=None, sa_column=utc_column())
    host: str | None = Field(default=None, max_length=255)  # whose lease the check needs


class HostLeaseRow(SQLModel, table=True):
    """The one instance that may fetch from ``host`` until ``leased_until`` (PostgreSQL,
    several instances: per-host politeness held by one instance at a time)."""

    __tablename__ = "host_lease"

    host: str = Field(primary_key=True, max_length=255)
    owner: str = Field(max_length=40)
    leased_until: datetime = Field(sa_column=utc_column(nullable=False))


class TrackerStateRow(SQLModel, table=True):
    """The story engine's epoch: bumped by every transaction that stores a tracking decision."""

    __tablename__ = "tracker_state"

    id: int = Field(default=1, primary_key=True)
    epoch: int = 0
    owner: str | None = Field(default=None, max_length=40)


class InstanceRow(SQLModel, table=True):
    """One running (or lately running) monitor instance on a PostgreSQL database."""

    __tablename__ = "monitor_instance"

    id: str = Field(primary_key=True, max_length=40)
    host: str = Field(max_length=255)
    pid: int
    version: str = Field(max_length=40)
    started_at: datetime = Field(sa_column=utc_column(nullable=False))
    heartbeat_at: datetime = Field(sa_column=utc_column(nullable=False))
    roles: str = Field(default="", max_length=200)
