"""An alert as a readable title and plain-text body, for channels that show text (Apprise:
e-mail, Telegram, ntfy, Matrix, Teams…): what happened, what is new, and the links to follow.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from monitor.alerts.formats import headline, summary_text
from monitor.alerts.payload import short_text

MAX_TITLE_CHARS = 250
MAX_LISTED_SENTENCES = 5
MAX_LISTED_FACTS = 5
MAX_BODY_CHARS = 3500  # under most chat services' limits, with room for the links


def plain_message(payload: Mapping[str, Any], pages_url: str | None = None) -> tuple[str, str]:
    """``(title, body)`` for ``payload``; ``pages_url`` (the daemon's public address) adds the
    link to the story's page."""
    title = short_text(headline(payload), MAX_TITLE_CHARS)
    lines = [summary_text(payload)]
    development = payload.get("development") or {}
    sentences = list(development.get("new_sentences") or [])[:MAX_LISTED_SENTENCES]
    facts = list(development.get("changed_facts") or [])[:MAX_LISTED_FACTS]
    if facts:
        lines += [""] + [f"• {f['before']} → {f['after']}" for f in facts]
    if sentences:
        lines += ["", "New:"] + [f"• {sentence}" for sentence in sentences]
    if names := development.get("new_names"):
        lines += ["", "New names: " + ", ".join(names)]
    body = short_text("\n".join(lines), MAX_BODY_CHARS)
    return title, body + _links(payload, pages_url)


def _links(payload: Mapping[str, Any], pages_url: str | None) -> str:
    links = []
    story = payload.get("story")
    if isinstance(story, Mapping) and pages_url:
        links.append(f"Story: {pages_url.rstrip('/')}/stories/{story['id']}")
    articles = payload.get("articles") or []
    if articles:
        latest = articles[0]
        links.append(f"Article ({latest['source']}): {latest['url']}")
    if isinstance(payload.get("source"), Mapping) and pages_url:
        links.append(f"Sources: {pages_url.rstrip('/')}/sources")
    return "\n\n" + "\n".join(links) if links else ""
