"""Atom feeds (RFC 4287) of developments: one entry per development, for feed readers.

An entry's id is derived from the story and the development's number in the database, so it
never changes; ``updated`` is when the development happened; the author is the outlet; the
content is the new sentences, the changed facts (before → after) and the new names, as HTML.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from lxml import etree
from markupsafe import Markup

from monitor.store.reading import DevelopmentView
from monitor.web.render import KIND_LABELS

ATOM = "http://www.w3.org/2005/Atom"
_ID_NAMESPACE = uuid.UUID("8f0e6a52-6f0b-4a59-9d4c-3f6a1d8e2b71")


def entry_id(development: DevelopmentView) -> str:
    """A stable ``urn:uuid:`` for one development."""
    key = f"{development.story_id}/{development.id}"
    return uuid.uuid5(_ID_NAMESPACE, key).urn


def feed_id(kind: str, name: str) -> str:
    return uuid.uuid5(_ID_NAMESPACE, f"{kind}:{name}").urn


def entry_title(development: DevelopmentView) -> str:
    label = KIND_LABELS.get(development.kind, development.kind)
    return f"{label} ({development.source}): {development.article_title or development.url}"


def entry_html(development: DevelopmentView, story_url: str) -> str:
    """What is new, as escaped HTML (article text is hostile input)."""
    parts: list[Markup] = []
    if development.new_sentences:
        items = Markup("").join(Markup("<li>%s</li>") % s for s in development.new_sentences)
        parts.append(Markup("<p>New:</p><ul>%s</ul>") % items)
    if development.changed_facts:
        items = Markup("").join(
            Markup("<li>%s → %s <small>(%s)</small></li>")
            % (f.get("before", ""), f.get("after", ""), f.get("context", ""))
            for f in development.changed_facts
        )
        parts.append(Markup("<p>Changed:</p><ul>%s</ul>") % items)
    if development.new_entities:
        parts.append(Markup("<p>New names: %s</p>") % ", ".join(development.new_entities))
    parts.append(
        Markup('<p><a href="%s">The article</a> · <a href="%s">the story</a></p>')
        % (development.url, story_url)
    )
    return str(Markup("").join(parts))


def _text(parent: etree._Element, tag: str, text: str, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    element.text = text
    return element


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def build_feed(
    *,
    title: str,
    identity: str,
    self_url: str,
    page_url: str,
    developments: Sequence[DevelopmentView],
    story_url: dict[str, str],
    empty_since: datetime,
) -> bytes:
    """The Atom document for ``developments`` (newest first)."""
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})  # type: ignore[dict-item]  # lxml-stubs
    _text(feed, "title", title)
    _text(feed, "id", identity)
    newest = max((d.occurred_at for d in developments), default=empty_since)
    _text(feed, "updated", _stamp(newest))
    etree.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url)
    etree.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=page_url)
    author = etree.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "monitor")
    _text(feed, "generator", "monitor")
    for development in developments:
        entry = etree.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "title", entry_title(development))
        _text(entry, "id", entry_id(development))
        _text(entry, "updated", _stamp(development.occurred_at))
        if development.url:
            etree.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=development.url)
        entry_author = etree.SubElement(entry, f"{{{ATOM}}}author")
        _text(entry_author, "name", development.source)
        _text(entry, "category", "", term=development.kind)
        link = story_url.get(development.story_id, page_url)
        _text(entry, "content", entry_html(development, link), type="html")
    return bytes(etree.tostring(feed, xml_declaration=True, encoding="utf-8"))
