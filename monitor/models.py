"""Plain values that travel along the pipeline.

Frozen dataclasses with no behaviour beyond derived properties: the pure core takes and returns
these, the edges (fetch, store, deliver) translate them to and from the outside world.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

ArticleKind = Literal["article", "live_blog"]


@dataclass(frozen=True, slots=True)
class Validators:
    """What we remember about the last fetch of one URL, to make the next one conditional."""

    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """One HTTP answer, after redirects and decoding."""

    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    text: str
    encoding: str | None
    fetched_at: datetime
    elapsed: float
    not_modified: bool
    validators: Validators
    conditional_hit: bool = False

    @property
    def content_type(self) -> str | None:
        value = self.headers.get("content-type")
        return value.split(";", 1)[0].strip().lower() if value else None


@dataclass(frozen=True, slots=True)
class FeedEntry:
    id: str | None
    link: str | None
    title: str | None
    summary: str | None
    published: datetime | None
    updated: datetime | None
    authors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Feed:
    title: str | None
    link: str | None
    entries: tuple[FeedEntry, ...]
    format: str = "unknown"


@dataclass(frozen=True, slots=True)
class ArticleLink:
    """An article URL found on a feed, sitemap or listing page, with whatever hints came with it."""

    url: str
    title: str | None = None
    published: datetime | None = None
    updated: datetime | None = None


@dataclass(frozen=True, slots=True)
class Post:
    """One entry of a live blog: its own id (when the page gives one), time, headline and text."""

    id: str | None
    published: datetime | None
    headline: str | None
    paragraphs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Article:
    """What extraction made of one article page.

    A live blog (``kind="live_blog"``) also lists its ``posts`` in the page's order; its
    ``paragraphs`` are those of the posts, each post's headline first.
    """

    url: str
    canonical_url: str
    title: str | None
    authors: tuple[str, ...] = ()
    published: datetime | None = None
    modified: datetime | None = None
    language: str | None = None
    section: str | None = None
    description: str | None = None
    paragraphs: tuple[str, ...] = ()
    is_article: bool = True
    warnings: tuple[str, ...] = ()
    posts: tuple[Post, ...] = ()
    kind: ArticleKind = "article"
    # The page's own subject terms: <meta name="keywords">, article:tag, JSON-LD keywords,
    # about and mentions. The story engine takes them as names.
    keywords: tuple[str, ...] = ()

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True, slots=True)
class RecheckFacts:
    """What is known of one article when its next recheck is planned.

    ``last_changed`` is when we saw its text change; ``published`` and ``modified`` are what
    the page says (``datePublished``, ``dateModified``), ``http_modified`` its HTTP
    ``Last-Modified``.
    """

    first_seen: datetime
    last_changed: datetime | None = None
    published: datetime | None = None
    modified: datetime | None = None
    http_modified: datetime | None = None
    kind: ArticleKind = "article"


class DevelopmentKind(StrEnum):
    NEW_STORY = "new_story"
    NEW_ARTICLE = "new_article"
    REVISION = "revision"
    CORRECTION = "correction"
    LIVE_UPDATE = "live_update"


class Health(StrEnum):
    OK = "ok"
    FAILING = "failing"


@dataclass(frozen=True, slots=True)
class ChangedFact:
    """A number the story already had that now reads differently, with its context."""

    before: str
    after: str
    context: str


@dataclass(frozen=True, slots=True)
class StoryMatch:
    """Why an article was put in a story.

    For a new article, ``candidate`` is the best-scoring ongoing story (joined or not) and
    ``threshold`` the score it had to reach; both stay ``None`` for revisions and copies.
    """

    score: float
    reasons: tuple[str, ...] = ()
    candidate: str | None = None
    threshold: float | None = None

    def to_json(self) -> dict[str, object]:
        """The JSON form replay and the API show: score and reasons, plus the candidate if any."""
        shown: dict[str, object] = {"score": self.score, "reasons": list(self.reasons)}
        if self.threshold is not None:
            shown["candidate"] = self.candidate
            shown["threshold"] = self.threshold
        return shown


@dataclass(frozen=True, slots=True)
class Development:
    """What a story did not know before this article or revision."""

    kind: DevelopmentKind
    story_id: str
    article_url: str
    source: str
    occurred_at: datetime
    novelty: float
    new_sentences: tuple[str, ...] = ()
    changed_facts: tuple[ChangedFact, ...] = ()
    new_entities: tuple[str, ...] = ()
    revision: int | None = None
    title: str | None = None
    story_title: str | None = None
    match: StoryMatch = field(default_factory=lambda: StoryMatch(0.0))
    merged_stories: tuple[str, ...] = ()
    language: str | None = None  # of the article that developed the story (ISO 639-1)
    # stories found to be two since the last alert: (the story, the one split off it)
    split_stories: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class StorySplit:
    """A story found to be two: ``urls`` left ``story_id`` for the new story ``new_id``.

    ``snapshot`` and ``memory`` are the state of whichever of the two stories the article
    that caused the split did not end in (the other one travels with the article as usual).
    """

    story_id: str
    new_id: str
    urls: tuple[str, ...]
    snapshot: dict[str, Any] = field(default_factory=dict)
    memory: MemoryDelta | None = None


# --------------------------------------------------------------------------- health, alerts


@dataclass(frozen=True, slots=True)
class SourceHealthState:
    """What the store keeps per source between checks."""

    health: Health = Health.OK
    consecutive_failures: int = 0
    since: datetime | None = None  # when the current health began (None: never changed)


@dataclass(frozen=True, slots=True)
class HealthTransition:
    """``before`` → ``after`` at ``at``; ``consecutive_failures`` is the run that led to it
    (for a recovery: how many checks had failed before this success)."""

    before: Health
    after: Health
    at: datetime
    consecutive_failures: int


@dataclass(frozen=True, slots=True)
class StoryInfo:
    """What the payload says about the story as a whole."""

    id: str
    title: str | None
    first_seen: datetime
    article_count: int
    outlets: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ArticleInfo:
    """One article of the story, as listed in the payload."""

    url: str
    source: str
    title: str | None = None
    published: datetime | None = None
    modified: datetime | None = None


def story_order_key(story_id: str) -> str:
    """The key that keeps one story's alerts to one endpoint in order."""
    return f"story:{story_id}"


def source_order_key(source: str) -> str:
    """The key that keeps one source's health alerts to one endpoint in order."""
    return f"source:{source}"


@dataclass(frozen=True, slots=True)
class AlertDraft:
    """An alert the core decided to send: the outbox stores it (or merges it into a pending one
    of the same story, topic and endpoint while ``debounce``/``cooldown`` hold it back)."""

    id: str
    type: str
    webhook: str
    order_key: str
    payload: dict[str, Any]
    topic: str | None = None
    story_id: str | None = None
    source: str | None = None
    debounce: float = 0.0
    cooldown: float = 0.0


# --------------------------------------------------------------------------- story memory

SENTENCE, FACT, NAME, RARE = "sentence", "fact", "name", "rare"  # kinds of stored memory items


@dataclass(frozen=True, slots=True)
class MemoryItem:
    """One thing a story knows, as a store keeps it: a sentence (its comparison form), a fact
    (value, phrase, words before, words after, sentence) or a name, and ``seq``, which orders
    a story's items from least to most recently seen."""

    kind: str
    value: Any
    seq: int

    @property
    def digest(self) -> str:
        return item_digest(self.kind, self.value)


@dataclass(frozen=True, slots=True)
class MemoryDelta:
    """What one observation changed in a story's memory: items to write (new or seen again)
    and the digests of items forgotten."""

    upserts: tuple[MemoryItem, ...] = ()
    deletes: tuple[str, ...] = ()


def item_digest(kind: str, value: Any) -> str:
    """A stored item's identity: its kind and comparison form (a fact's phrase aside)."""
    if kind == NAME:
        identity = str(value).lower()
    elif kind == RARE:
        identity = str(value[0])
    elif kind == FACT:
        identity = json.dumps([value[0], *value[2:]], ensure_ascii=False)
    else:
        identity = str(value)
    return hashlib.blake2b(f"{kind}:{identity}".encode(), digest_size=16).hexdigest()


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
