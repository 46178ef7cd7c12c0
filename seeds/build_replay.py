"""Derive ``seeds/replay.jsonl`` from the seed site's ``steps.json``.

Every step of ``steps.json`` says which file the test site serves at which path from then on.
Each article page whose served file changes at a step becomes one replay observation in the
title/text form (headline from the article's ``<h1>``, paragraphs from its ``<p>`` elements,
page chrome left out), fetched at the step's ``at`` time. Feeds are not observations.

    python seeds/build_replay.py          # rewrite seeds/replay.jsonl
    python seeds/build_replay.py --check  # exit 1 when replay.jsonl is out of date
"""

from __future__ import annotations

import json
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

SEEDS = Path(__file__).resolve().parent
SITE_ORIGIN = "http://127.0.0.1"
CHROME_CLASSES = {"kicker", "byline", "fixture-notice"}


class _ArticlePage(HTMLParser):
    """Collects the headline, body paragraphs, publication time and outlet of a seed page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.paragraphs: list[str] = []
        self.published: str | None = None
        self.source = ""
        self._in_article = False
        self._capture: str | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta":
            self._meta(values.get("property"), values.get("content"))
        elif tag == "article":
            self._in_article = True
        elif self._in_article and tag in {"h1", "p"} and not self._is_chrome(values):
            self._capture, self._buffer = tag, []

    @staticmethod
    def _is_chrome(attributes: dict[str, str | None]) -> bool:
        return bool(CHROME_CLASSES & set((attributes.get("class") or "").split()))

    def _meta(self, name: str | None, content: str | None) -> None:
        if name == "article:published_time":
            self.published = content
        elif name == "og:site_name":
            self.source = content or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._in_article = False
        if tag != self._capture:
            return
        text = " ".join("".join(self._buffer).split())
        if tag == "h1":
            self.title = text
        elif text:
            self.paragraphs.append(text)
        self._capture = None

    def handle_data(self, data: str) -> None:
        if self._capture:
            self._buffer.append(data)


def observation(path: str, page_file: Path, fetched_at: str) -> dict[str, Any]:
    """The replay observation for one served article page."""
    parser = _ArticlePage()
    parser.feed(page_file.read_text(encoding="utf-8"))
    return {
        "source": parser.source,
        "url": SITE_ORIGIN + path,
        "fetched_at": fetched_at,
        "title": parser.title,
        "text": "\n".join(parser.paragraphs),
        "published": parser.published,
    }


def build_observations(seeds: Path = SEEDS) -> list[dict[str, Any]]:
    """One observation per article page change, in step order."""
    steps = json.loads((seeds / "steps.json").read_text(encoding="utf-8"))
    served: dict[str, str] = {}
    observations: list[dict[str, Any]] = []
    for step in steps:
        for path, relative in step["serve"].items():
            if served.get(path) == relative:
                continue
            served[path] = relative
            if path.endswith(".html"):
                observations.append(observation(path, seeds / relative, step["at"]))
    return observations


def render(observations: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in observations)


def main(argv: list[str]) -> int:
    target = SEEDS / "replay.jsonl"
    wanted = render(build_observations())
    if "--check" in argv:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        return 0 if current == wanted else 1
    target.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
