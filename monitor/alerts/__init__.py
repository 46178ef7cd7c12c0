"""Alerts: what a webhook receives and how it is signed.

Pure core: payloads are built from plain values, formatted for JSON, Slack or Discord, and
signed per Standard Webhooks; ``drafts`` decides which alerts a development or a source's
change of health causes. Sending them is ``monitor.deliver``'s job; storing them is
``monitor.store.outbox``'s.
"""

from monitor.alerts.formats import FORMATS, WebhookFormat, format_for, headline
from monitor.alerts.payload import (
    EVENT_TYPES,
    PAYLOAD_VERSION,
    build_payload,
    build_source_health_payload,
    merge_payloads,
    short_diff,
)
from monitor.alerts.signing import decode_secret, new_message_id, sign, signature
from monitor.models import ArticleInfo, StoryInfo

__all__ = [
    "EVENT_TYPES",
    "FORMATS",
    "PAYLOAD_VERSION",
    "ArticleInfo",
    "StoryInfo",
    "WebhookFormat",
    "build_payload",
    "build_source_health_payload",
    "decode_secret",
    "format_for",
    "headline",
    "merge_payloads",
    "new_message_id",
    "short_diff",
    "sign",
    "signature",
]
