"""Which alerts a development or a change of source health causes: drafts for the outbox.

Pure core: given the topics that matched a development (or a source's health transition) and
the webhooks that listen, build one ``AlertDraft`` per endpoint with its payload. The outbox
(``monitor.store.outbox``) only stores them; debounce and cooldown are carried on the draft.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from monitor.alerts.payload import build_payload, build_source_health_payload
from monitor.alerts.signing import new_message_id
from monitor.models import (
    AlertDraft,
    ArticleInfo,
    Development,
    Health,
    HealthTransition,
    StoryInfo,
    source_order_key,
    story_order_key,
)


class AlertingTopic(Protocol):
    """What an alert reads from a topic (``monitor.config.TopicConfig`` fits)."""

    @property
    def name(self) -> str: ...

    @property
    def webhooks(self) -> Sequence[str]: ...

    @property
    def debounce(self) -> float: ...

    @property
    def cooldown(self) -> float: ...


def story_alert_drafts(
    *,
    development: Development,
    topics: Sequence[AlertingTopic],
    story: StoryInfo,
    articles: Sequence[ArticleInfo] = (),
    diff: str | None = None,
    disabled_webhooks: Collection[str] = (),
) -> list[AlertDraft]:
    """One alert per endpoint of the ``topics`` that matched ``development``.

    An endpoint named by several matching topics gets one alert, under the first of them;
    webhooks switched off in the configuration (``disabled_webhooks``) get none.
    """
    drafts: list[AlertDraft] = []
    served: set[str] = set(disabled_webhooks)
    for topic in topics:
        for webhook in topic.webhooks:
            if webhook in served:
                continue
            served.add(webhook)
            payload = build_payload(
                alert_id=new_message_id(),
                topic=topic.name,
                development=development,
                story=story,
                articles=articles,
                diff=diff,
            )
            drafts.append(
                AlertDraft(
                    id=payload["id"],
                    type=payload["type"],
                    webhook=webhook,
                    order_key=story_order_key(development.story_id),
                    payload=payload,
                    topic=topic.name,
                    story_id=development.story_id,
                    source=development.source,
                    debounce=topic.debounce,
                    cooldown=topic.cooldown,
                )
            )
    return drafts


def source_health_drafts(
    transition: HealthTransition,
    *,
    source: str,
    error: str | None,
    failing_since: datetime | None,
    webhooks: Sequence[str],
) -> list[AlertDraft]:
    """``source.failing`` or ``source.recovered`` to each of ``webhooks`` (once each)."""
    failing = transition.after is Health.FAILING
    drafts = []
    for webhook in dict.fromkeys(webhooks):
        payload = build_source_health_payload(
            alert_id=new_message_id(),
            transition="failing" if failing else "recovered",
            source=source,
            occurred_at=transition.at,
            consecutive_failures=transition.consecutive_failures if failing else 0,
            error=error,
            failing_since=transition.at if failing else failing_since,
        )
        drafts.append(
            AlertDraft(
                id=payload["id"],
                type=payload["type"],
                webhook=webhook,
                order_key=source_order_key(source),
                payload=payload,
                source=source,
            )
        )
    return drafts
