"""Language detection on real pages, next to lingua in the same run.

    python benchmarks/language.py [--shared ../shared]

Data: Mozilla's readability test pages (``../shared/data/readability-test-pages``) whose metadata
declares a language (73 pages; gold: the primary subtag of that declaration). Each detector
classifies the page's article text (the first 2,000 characters of ``expected.html``) and its
title alone. Printed: how many it gets right, the pages it gets wrong (three of the pages are
lorem ipsum declared as English, so "la" there is right) and the median milliseconds a text.
monitor's detector is ``monitor.lang.detect.detect_language`` (script rules, then py3langid).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lingua import LanguageDetectorBuilder
from selectolax.lexbor import LexborHTMLParser

from monitor.lang.detect import detect_language

Detector = Callable[[str], str | None]


def load_pages(folder: Path) -> list[tuple[str, str, str, str]]:
    pages = []
    for page in sorted(folder.glob("*/expected-metadata.json")):
        metadata = json.loads(page.read_text(encoding="utf-8"))
        if not metadata.get("lang"):
            continue
        with gzip.open(page.parent / "expected.html.gz", "rt", encoding="utf-8") as stream:
            html = stream.read()
        text = " ".join(LexborHTMLParser(html).text(separator=" ").split())
        gold = str(metadata["lang"]).split("-")[0].lower()
        pages.append((page.parent.name, gold, text[:2000], str(metadata.get("title") or "")))
    return pages


def lingua_detector() -> Detector:
    detector = LanguageDetectorBuilder.from_all_languages().build()

    def detect(text: str) -> str | None:
        found = detector.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found else None

    return detect


def run(name: str, detect: Detector, pages: list[tuple[str, str, str, str]]) -> None:
    for field, label in ((2, "article text"), (3, "title only")):
        for page in pages:
            detect(page[field])  # warm up (lazy model loading) outside the timing
        right, wrong, times = 0, [], []
        for page in pages:
            started = time.perf_counter()
            found = detect(page[field])
            times.append(time.perf_counter() - started)
            if found == page[1]:
                right += 1
            else:
                wrong.append(f"{page[0]}:{page[1]}→{found}")
        median = statistics.median(times) * 1000
        print(
            f"{name:<10} {label:<13} {right:>3}/{len(pages)}  {median:7.3f} ms  "
            f"wrong: {', '.join(wrong[:8])}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared"
    )
    args = parser.parse_args()
    folder = args.shared / "data" / "readability-test-pages" / "pages"
    if not folder.exists():
        print(f"language: skipped ({folder} not found)")
        return
    pages = load_pages(folder)
    run("monitor", detect_language, pages)
    run("lingua", lingua_detector(), pages)


if __name__ == "__main__":
    main()
