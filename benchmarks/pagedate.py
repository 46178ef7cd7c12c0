"""Publication dates alone: monitor's date finding next to htmldate's ``find_date``, one run.

For every page of the three sets, ``extract_article`` runs with the page-date finder (the
fallback for pages whose metadata declares no date) timed on its own, so the CPU time the date
costs is visible apart from the body's. Accuracy is scored as ``htmldate-dev``'s README says
(day of ``published`` in its own UTC offset; no date is wrong), on the whole set and on two
halves split by a hash of the page's file name, so that a rule tuned to the set would show as a
gap between the halves; on Readability's pages it is scored on the 33 with a ``publishedTime``.
htmldate runs on the same bytes in the same process (default, and ``original_date=True``).

"date ms/page" is the CPU time in the date functions ``extract_article`` calls (the fallback
finder, the UTC-offset restatement, relative bylines), "date calls" the pages where one ran,
"whole ms/page" the whole extraction; each the fastest of ``--repeat`` tries.

    python benchmarks/pagedate.py [--shared DIR] [--skip-peer] [--list-wrong] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "data"
READABILITY_URL = "http://fakehost/test/page.html"


@dataclass(frozen=True, slots=True)
class Page:
    name: str
    url: str
    html: bytes
    gold: date | None
    half: int


@dataclass(slots=True)
class Found:
    day: date | None
    finder_seconds: float
    finder_calls: int
    whole_seconds: float


def _half(name: str) -> int:
    return hashlib.sha1(name.encode()).digest()[0] & 1


def load_htmldate(data_dir: Path) -> list[Page]:
    entries = json.loads((data_dir / "dates.json").read_text(encoding="utf-8"))
    pages = []
    for url in sorted(entries):
        entry = entries[url]
        html = gzip.decompress((data_dir / entry["html_file"]).read_bytes())
        name = entry["html_file"]
        pages.append(Page(name, url, html, date.fromisoformat(entry["date"]), _half(name)))
    return pages


def load_readability(data_dir: Path) -> list[Page]:
    pages = []
    for case in sorted(path for path in (data_dir / "pages").iterdir() if path.is_dir()):
        meta = json.loads((case / "expected-metadata.json").read_text(encoding="utf-8"))
        stamp = meta.get("publishedTime")
        gold = _gold_day(stamp) if stamp else None
        html = gzip.decompress((case / "source.html.gz").read_bytes())
        pages.append(Page(case.name, READABILITY_URL, html, gold, _half(case.name)))
    return pages


def load_scrapinghub(data_dir: Path) -> list[Page]:
    truth = json.loads((data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        html = gzip.decompress((data_dir / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append(Page(page_id, truth[page_id]["url"], html, None, _half(page_id)))
    return pages


def _gold_day(stamp: str) -> date | None:
    """The day of a gold timestamp in its own offset ("2019-04-28 06:01:07" is April 28)."""
    try:
        return date.fromisoformat(stamp[:10])
    except ValueError:
        return None


class _FinderClock:
    """Wraps the date finders ``extract_article`` calls, adding up their CPU time."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0

    def wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.process_time() - started
                self.calls += 1

        return timed


def run_monitor(pages: Sequence[Page], repeat: int) -> list[Found]:
    from monitor.extract import article

    clock = _FinderClock()
    finders = ("find_publication_day", "in_page_offset", "relative_publication_time")
    names = [name for name in finders if hasattr(article, name)]
    originals = {name: getattr(article, name) for name in names}
    for name in names:
        setattr(article, name, clock.wrap(originals[name]))
    found = []
    try:
        article.extract_article(pages[0].html, pages[0].url)  # imports and caches warm
        for page in pages:
            best = Found(None, float("inf"), 0, float("inf"))
            for _ in range(max(repeat, 1)):  # the fastest of ``repeat`` tries counts
                clock.seconds, clock.calls = 0.0, 0
                started = time.process_time()
                published = article.extract_article(page.html, page.url).published
                whole = time.process_time() - started
                day = published.date() if published is not None else None
                best = Found(
                    day,
                    min(best.finder_seconds, clock.seconds),
                    clock.calls,
                    min(best.whole_seconds, whole),
                )
            found.append(best)
    finally:
        for name in names:
            setattr(article, name, originals[name])
    return found


def run_htmldate(pages: Sequence[Page], original: bool, repeat: int) -> list[Found]:
    from htmldate import find_date

    find_date(pages[0].html, url=pages[0].url, original_date=original)
    found = []
    for page in pages:
        took = float("inf")
        for _ in range(max(repeat, 1)):
            started = time.process_time()
            value = find_date(page.html, url=page.url, original_date=original)
            took = min(took, time.process_time() - started)
        found.append(Found(date.fromisoformat(value) if value else None, took, 1, took))
    return found


def _accuracy(pages: Sequence[Page], found: Sequence[Found], half: int | None = None) -> str:
    chosen = [
        (page, item)
        for page, item in zip(pages, found, strict=True)
        if page.gold is not None and (half is None or page.half == half)
    ]
    right = sum(1 for page, item in chosen if item.day == page.gold)
    return f"{right / len(chosen):.3f} ({right}/{len(chosen)})" if chosen else "-"


def _report(title: str, pages: Sequence[Page], runs: dict[str, list[Found]]) -> None:
    dated = sum(1 for page in pages if page.gold is not None)
    print(f"\n== {title}: {len(pages)} pages, {dated} with a gold day")
    header = f"{'finder':<15}{'accuracy':>16}{'half A':>16}{'half B':>16}"
    print(header + f"{'date ms/page':>14}{'date calls':>12}{'whole ms/page':>15}")
    for name, found in runs.items():
        finder_ms = 1000 * sum(item.finder_seconds for item in found) / len(found)
        whole_ms = 1000 * sum(item.whole_seconds for item in found) / len(found)
        calls = sum(1 for item in found if item.finder_calls)
        print(
            f"{name:<15}{_accuracy(pages, found):>16}{_accuracy(pages, found, 0):>16}"
            f"{_accuracy(pages, found, 1):>16}{finder_ms:>14.2f}{calls:>12}{whole_ms:>15.2f}"
        )


def _list_wrong(pages: Sequence[Page], runs: dict[str, list[Found]]) -> None:
    names = list(runs)
    for index, page in enumerate(pages):
        days = [runs[name][index].day for name in names]
        if page.gold is None or days[0] == page.gold:
            continue
        others = "  ".join(f"{name} {day}" for name, day in zip(names[1:], days[1:], strict=True))
        print(f"  gold {page.gold}  {names[0]} {days[0]}  {others}  {page.name}  {page.url}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="shared data dir")
    parser.add_argument("--skip-peer", action="store_true", help="run monitor alone")
    parser.add_argument("--list-wrong", action="store_true", help="list pages monitor gets wrong")
    parser.add_argument("--sets", default="htmldate,readability,scrapinghub")
    parser.add_argument("--repeat", type=int, default=3, help="tries per page (fastest counts)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO_ROOT))
    loaders = {
        "htmldate": ("htmldate-dev", load_htmldate),
        "readability": ("readability-test-pages", load_readability),
        "scrapinghub": ("article-extraction-benchmark", load_scrapinghub),
    }
    print(f"started {datetime.now().isoformat(timespec='seconds')}")
    for name in args.sets.split(","):
        folder, loader = loaders[name]
        pages = loader(args.shared / folder)
        runs = {"monitor": run_monitor(pages, args.repeat)}
        if not args.skip_peer:
            runs["htmldate"] = run_htmldate(pages, original=False, repeat=args.repeat)
            runs["htmldate-orig"] = run_htmldate(pages, original=True, repeat=args.repeat)
        _report(name, pages, runs)
        if args.list_wrong:
            _list_wrong(pages, runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
