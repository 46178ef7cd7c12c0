"""Webhook body formats: our JSON as is, Slack Block Kit, or Discord embeds.

Slack and Discord bodies are built from the payload so that the message reads well in those
apps: a headline, the summary of what is new, the articles as links, and the story's outlets.
Their size limits (Slack: 150-character headers, 3000-character sections, 50 blocks; Discord:
256-character titles, 4096-character descriptions, 1024-character field values) are respected.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal, get_args

from monitor.alerts.payload import JSON, short_text

WebhookFormat = Literal["json", "slack", "discord"]  # bodies built here
ChannelFormat = Literal[
    "json", "slack", "discord", "apprise"
]  # a webhook's `format:` (apprise formats itself)
FORMATS: tuple[WebhookFormat, ...] = get_args(WebhookFormat)
MAX_LISTED_ARTICLES = 5

HEADLINES = {
    "story.created": "New story",
    "story.developed": "Story developed",
    "article.revised": "Article revised",
    "article.corrected": "Article corrected",
    "story.live_update": "Live blog update",
    "source.failing": "Source failing",
    "source.recovered": "Source recovered",
}
DISCORD_COLOURS = {
    "story.created": 0x2E86DE,
    "story.developed": 0x10AC84,
    "article.revised": 0xF6B93B,
    "article.corrected": 0xE55039,
    "story.live_update": 0x10AC84,
    "source.failing": 0xB71540,
    "source.recovered": 0x78E08F,
}


def format_for(webhook_format: str, payload: JSON) -> JSON:
    """The body to send to a webhook of ``webhook_format`` for ``payload``."""
    if webhook_format == "json":
        return payload
    if webhook_format == "slack":
        return to_slack(payload)
    if webhook_format == "discord":
        return to_discord(payload)
    raise ValueError(f"unknown webhook format {webhook_format!r} (use one of {', '.join(FORMATS)})")


def headline(payload: Mapping[str, Any]) -> str:
    """``Story developed: <story title>`` / ``Source failing: <name>``."""
    label = HEADLINES.get(payload["type"], payload["type"])
    if "source" in payload and isinstance(payload["source"], Mapping):
        return f"{label}: {payload['source']['name']}"
    title = payload["story"].get("title") or payload["story"]["id"]
    return f"{label}: {title}"


def summary_text(payload: Mapping[str, Any]) -> str:
    if isinstance(payload.get("source"), Mapping):
        source = payload["source"]
        if payload["type"] == "source.failing":
            return (
                f"{source['consecutive_failures']} checks in a row failed. "
                f"Last error: {source.get('error') or 'unknown'}"
            )
        return "The source answers again."
    development = payload["development"]
    notes = [development.get(key) for key in ("merged_note", "split_note")]
    return " ".join([*(note for note in notes if note), str(development["summary"])])


def _context_line(payload: Mapping[str, Any]) -> str:
    if isinstance(payload.get("source"), Mapping):
        return f"monitor · {payload['occurred_at']}"
    story = payload["story"]
    outlets = ", ".join(story["outlets"]) or "no outlets yet"
    topic = payload.get("topic") or "—"
    return (
        f"topic {topic} · {story['article_count']} articles · {outlets} · "
        f"novelty {payload['development']['novelty']:.2f}"
    )


def _articles(payload: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    articles: Sequence[Mapping[str, Any]] = payload.get("articles") or ()
    return articles[-MAX_LISTED_ARTICLES:]


# --------------------------------------------------------------------------- Slack


def to_slack(payload: JSON) -> JSON:
    """A Slack incoming-webhook message in Block Kit."""
    title = short_text(headline(payload), 150)
    blocks: list[JSON] = [
        {"type": "header", "text": {"type": "plain_text", "text": title, "emoji": True}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": _slack_escape_limit(summary_text(payload))},
        },
    ]
    if links := [_slack_link(article) for article in _articles(payload)]:
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": short_text("\n".join(links), 3000)},
            }
        )
    if payload.get("diff"):
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": _slack_code(payload["diff"])}}
        )
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": _slack_escape_limit(_context_line(payload))}],
        }
    )
    return {"text": title, "blocks": blocks}


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_escape_limit(text: str) -> str:
    return short_text(_slack_escape(text), 3000)


def _slack_link(article: Mapping[str, Any]) -> str:
    label = _slack_escape(article.get("title") or article["url"]).replace("|", "¦")
    return f"• <{article['url']}|{label}> — {_slack_escape(article['source'])}"


def _slack_code(diff: str) -> str:
    return "```" + short_text(_slack_escape(diff).replace("```", "'''"), 2990) + "```"


# --------------------------------------------------------------------------- Discord


def to_discord(payload: JSON) -> JSON:
    """A Discord webhook message with one embed."""
    embed: JSON = {
        "title": short_text(headline(payload), 256),
        "description": short_text(discord_escape(summary_text(payload)), 4096),
        "color": DISCORD_COLOURS.get(payload["type"], 0x808080),
        "timestamp": payload["occurred_at"],
        "footer": {"text": short_text(_context_line(payload), 2048)},
        "fields": _discord_fields(payload),
    }
    if articles := _articles(payload):
        embed["url"] = articles[-1]["url"]
    return {"username": "monitor", "embeds": [embed], "allowed_mentions": {"parse": []}}


def _discord_fields(payload: Mapping[str, Any]) -> list[JSON]:
    fields: list[JSON] = []
    if links := [_discord_link(article) for article in _articles(payload)]:
        fields.append({"name": "Articles", "value": short_text("\n".join(links), 1024)})
    development = payload.get("development") or {}
    if names := development.get("new_names"):
        fields.append(
            {
                "name": "New names",
                "value": short_text(discord_escape(", ".join(names)), 1024),
                "inline": True,
            }
        )
    if payload.get("diff"):
        fields.append(
            {"name": "Diff", "value": "```diff\n" + short_text(payload["diff"], 1000) + "\n```"}
        )
    return fields


def _discord_link(article: Mapping[str, Any]) -> str:
    label = discord_escape(short_text(article.get("title") or article["url"], 120))
    return f"[{label}]({article['url']}) — {discord_escape(article['source'])}"


_DISCORD_MARKDOWN = re.compile(r"([\\*_~`|>\[\]()#<])")


def discord_escape(text: str) -> str:
    """Text from pages as Discord shows it literally: no masked links, emphasis or quotes."""
    return _DISCORD_MARKDOWN.sub(r"\\\1", text)
