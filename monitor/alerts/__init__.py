"""Alerts: what a webhook receives and how it is signed.

Pure core: payloads are built from plain values, formatted for JSON, Slack or Discord, and
signed per Standard Webhooks. Sending them is ``monitor.deliver``'s job; queueing them is
``monitor.store.outbox``'s.
"""

from monitor.alerts.formats import FORMATS, WebhookFormat, format_for, headline
from monitor.alerts.health import HealthTransition, health_transition
from monitor.alerts.payload import (
    EVENT_TYPES,
    PAYLOAD_VERSION,
    ArticleInfo,
    StoryInfo,
    build_payload,
    build_source_health_payload,
    merge_payloads,
    short_diff,
)
from monitor.alerts.signing import decode_secret, new_message_id, sign, signature

__all__ = [
    "EVENT_TYPES",
    "FORMATS",
    "PAYLOAD_VERSION",
    "ArticleInfo",
    "HealthTransition",
    "StoryInfo",
    "WebhookFormat",
    "build_payload",
    "build_source_health_payload",
    "decode_secret",
    "format_for",
    "headline",
    "health_transition",
    "merge_payloads",
    "new_message_id",
    "short_diff",
    "sign",
    "signature",
]
