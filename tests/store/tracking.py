"""Track and store one article as the pipeline does, for the store's story tests."""

from __future__ import annotations

from datetime import datetime

from monitor.config import TopicConfig
from monitor.metrics import Metrics
from monitor.models import Article, ArticleOutcome, Page, Validators
from monitor.observe import track_and_store
from monitor.store.repository import Store
from monitor.track import Tracker


def track_one(
    store: Store,
    tracker: Tracker,
    article: Article,
    *,
    source: str,
    topic: TopicConfig,
    now: datetime,
) -> ArticleOutcome:
    """``article`` fetched at ``now`` (a plain 200 of its URL), tracked and stored for ``topic``."""
    url = article.url
    return track_and_store(
        store,
        tracker,
        source=source,
        requested_url=url,
        page=Page(url, url, 200, {}, b"", "", "utf-8", now, 0.0, False, Validators()),
        article=article,
        now=now,
        topics=[topic],
        disabled_webhooks=(),
        plan_recheck=lambda facts, now: None,
        metrics=Metrics(),
    )
