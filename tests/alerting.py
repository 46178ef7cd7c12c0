"""Test helper: queue the alerts a development causes, as the pipeline does (drafts, then store)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlmodel import Session

from monitor.alerts import merge_payloads
from monitor.alerts.drafts import AlertingTopic, story_alert_drafts
from monitor.models import ArticleInfo, Development, StoryInfo
from monitor.store.outbox import EnqueuedAlert, enqueue


def enqueue_alerts(
    session: Session,
    *,
    development: Development,
    topics: Sequence[AlertingTopic],
    story: StoryInfo,
    now: datetime,
    articles: Sequence[ArticleInfo] = (),
    diff: str | None = None,
    development_id: int | None = None,
    disabled_webhooks: Collection[str] = (),
) -> list[EnqueuedAlert]:
    drafts = story_alert_drafts(
        development=development,
        topics=topics,
        story=story,
        articles=articles,
        diff=diff,
        disabled_webhooks=disabled_webhooks,
    )
    return enqueue(session, drafts, now, merge=merge_payloads, development_id=development_id)
