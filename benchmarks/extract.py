"""Article extraction benchmark: monitor's extractor next to trafilatura, in one process.

Three sets, each scored as its README says, with both extractors in the same run:

* scrapinghub's ``article-extraction-benchmark`` (181 pages with gold body text): lower-case,
  tokenise with ``\\w+``, 4-token shingles, multiset overlap per page, precision/recall/F1 per
  page, mean over pages (an empty prediction for an empty truth is perfect).
* Mozilla's ``readability-test-pages`` (130 cases): the text of ``expected.html`` (whitespace
  collapsed) as gold, the same shingle P/R/F1; pages where monitor keeps under half of
  trafilatura's recall are listed.
* ``htmldate-dev`` (527 pages with a reviewed publication date): day accuracy of ``published``
  (read in the datetime's own UTC offset; no date counts as wrong) next to htmldate's
  ``find_date`` on the same bytes, as called by default and with ``original_date=True``.

Times pages per CPU second (process time, so other work on a shared machine counts less) over
the same bytes, one process; monitor's time is the whole
``extract_article`` (body, metadata and date finding), trafilatura's its ``extract`` call.

    python benchmarks/extract.py [--shared DIR] [--sets scrapinghub,readability,htmldate]
                                 [--worst 10] [--skip-peer] [--repeat N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "data"
READABILITY_URL = "http://fakehost/test/page.html"
_TOKEN = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]+>")
SHINGLE = 4
T = TypeVar("T")

Extractor = Callable[[bytes, str], str]
DateFinder = Callable[[bytes, str], date | None]


@dataclass(frozen=True, slots=True)
class BenchPage:
    page_id: str
    url: str
    html: bytes
    truth: str


@dataclass(frozen=True, slots=True)
class PageScore:
    page_id: str
    url: str
    precision: float
    recall: float
    f1: float
    prediction: str


@dataclass(frozen=True, slots=True)
class RunResult:
    name: str
    pages: list[PageScore]
    seconds: float

    @property
    def f1(self) -> float:
        return _mean(score.f1 for score in self.pages)

    @property
    def precision(self) -> float:
        return _mean(score.precision for score in self.pages)

    @property
    def recall(self) -> float:
        return _mean(score.recall for score in self.pages)

    @property
    def pages_per_second(self) -> float:
        return len(self.pages) / self.seconds if self.seconds else float("inf")


@dataclass(frozen=True, slots=True)
class DatePage:
    url: str
    html: bytes
    gold: date


@dataclass(frozen=True, slots=True)
class DateRun:
    name: str
    found: list[date | None]
    seconds: float

    def accuracy(self, pages: Sequence[DatePage]) -> float:
        right = sum(1 for page, day in zip(pages, self.found, strict=True) if day == page.gold)
        return right / len(pages) if pages else 0.0

    def missing(self) -> int:
        return sum(1 for day in self.found if day is None)


def _mean(values: Iterable[float]) -> float:
    items = list(values)
    return sum(items) / len(items) if items else 0.0


def load_corpus(data_dir: Path) -> list[BenchPage]:
    """The scrapinghub benchmark pages with their gold text, in a stable order."""
    truth = json.loads((data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        html = gzip.decompress((data_dir / "html" / f"{page_id}.html.gz").read_bytes())
        entry = truth[page_id]
        pages.append(BenchPage(page_id, entry["url"], html, entry.get("articleBody") or ""))
    return pages


def load_readability(data_dir: Path) -> list[BenchPage]:
    """Readability's test pages with the text of their expected article HTML as gold."""
    pages = []
    for case in sorted(path for path in (data_dir / "pages").iterdir() if path.is_dir()):
        html = gzip.decompress((case / "source.html.gz").read_bytes())
        expected = gzip.decompress((case / "expected.html.gz").read_bytes()).decode("utf-8")
        pages.append(BenchPage(case.name, READABILITY_URL, html, html_text(expected)))
    return pages


def html_text(html: str) -> str:
    """The text content of an HTML fragment, whitespace collapsed."""
    from lxml import html as lxml_html

    try:
        text = lxml_html.fromstring(html).text_content()
    except ValueError:
        text = _TAG.sub(" ", html)
    return " ".join(text.split())


def load_dates(data_dir: Path) -> list[DatePage]:
    """htmldate's evaluation pages with their reviewed publication day."""
    entries = json.loads((data_dir / "dates.json").read_text(encoding="utf-8"))
    pages = []
    for url in sorted(entries):
        entry = entries[url]
        html = gzip.decompress((data_dir / entry["html_file"]).read_bytes())
        pages.append(DatePage(url, html, date.fromisoformat(entry["date"])))
    return pages


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """The multiset of 4-token shingles of lower-cased ``\\w+`` tokens."""
    tokens = _TOKEN.findall(text.lower())
    return Counter(tuple(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))


def score_page(prediction: str, truth: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of one prediction against its gold text."""
    predicted, expected = shingles(prediction), shingles(truth)
    if not predicted and not expected:
        return 1.0, 1.0, 1.0
    true_positives = sum((predicted & expected).values())
    precision = true_positives / sum(predicted.values()) if predicted else 0.0
    recall = true_positives / sum(expected.values()) if expected else 0.0
    if precision + recall == 0:
        return precision, recall, 0.0
    return precision, recall, 2 * precision * recall / (precision + recall)


def _timed(call: Callable[[bytes, str], T], html: bytes, url: str, repeat: int) -> tuple[T, float]:
    """``call(html, url)`` and the fastest of ``repeat`` timings of it."""
    best, result = float("inf"), None
    for _ in range(max(repeat, 1)):
        started = time.process_time()
        result = call(html, url)
        best = min(best, time.process_time() - started)
    return result, best  # type: ignore[return-value]


def run_all(
    extractors: dict[str, Extractor], corpus: Sequence[BenchPage], repeat: int = 1
) -> list[RunResult]:
    """Extract every page with every extractor and score the results.

    The extractors take turns page by page, so a busy machine slows them alike; each page's
    time is the fastest of ``repeat`` tries.
    """
    seconds = dict.fromkeys(extractors, 0.0)
    predictions: dict[str, list[str]] = {name: [] for name in extractors}
    for page in corpus:
        for name, extractor in extractors.items():
            prediction, took = _timed(extractor, page.html, page.url, repeat)
            seconds[name] += took
            predictions[name].append(prediction)
    return [_score_run(name, corpus, predictions[name], seconds[name]) for name in extractors]


def run_dates(
    finders: dict[str, DateFinder], pages: Sequence[DatePage], repeat: int = 1
) -> list[DateRun]:
    """Find the publication day of every page with every finder, taking turns page by page."""
    seconds = dict.fromkeys(finders, 0.0)
    found: dict[str, list[date | None]] = {name: [] for name in finders}
    for page in pages:
        for name, finder in finders.items():
            day, took = _timed(finder, page.html, page.url, repeat)
            seconds[name] += took
            found[name].append(day)
    return [DateRun(name, found[name], seconds[name]) for name in finders]


def _score_run(
    name: str, corpus: Sequence[BenchPage], predictions: list[str], seconds: float
) -> RunResult:
    scores = [
        PageScore(page.page_id, page.url, *score_page(prediction, page.truth), prediction)
        for page, prediction in zip(corpus, predictions, strict=True)
    ]
    return RunResult(name, scores, seconds)


def monitor_extractor(html: bytes, url: str) -> str:
    from monitor.extract import extract_article

    return extract_article(html, url).body


def trafilatura_extractor(html: bytes, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def monitor_date(html: bytes, url: str) -> date | None:
    from monitor.extract import extract_article

    published = extract_article(html, url).published
    return published.date() if published is not None else None  # in the page's own offset


def htmldate_date(html: bytes, url: str) -> date | None:
    from htmldate import find_date

    found = find_date(html, url=url)
    return date.fromisoformat(found) if found else None


def htmldate_original_date(html: bytes, url: str) -> date | None:
    from htmldate import find_date

    found = find_date(html, url=url, original_date=True)
    return date.fromisoformat(found) if found else None


def _warm_up(callables: Iterable[Callable[[bytes, str], object]], html: bytes, url: str) -> None:
    """Import and initialise everything before timing starts."""
    for call in callables:
        call(html, url)


def _print_summary(title: str, results: Sequence[RunResult]) -> None:
    print(f"\n== {title}")
    print(f"{'extractor':<14}{'F1':>8}{'precision':>11}{'recall':>9}{'pages/s':>10}")
    for result in results:
        print(
            f"{result.name:<14}{result.f1:>8.4f}{result.precision:>11.4f}{result.recall:>9.4f}"
            f"{result.pages_per_second:>10.1f}"
        )
    if len(results) == 2 and results[1].pages_per_second:
        ratio = results[0].pages_per_second / results[1].pages_per_second
        print(f"speed ratio {results[0].name}/{results[1].name}: {ratio:.1f}x")


def _print_worst(
    result: RunResult, count: int, peer: RunResult | None, corpus: Sequence[BenchPage]
) -> None:
    """The ``count`` pages monitor scores worst on, with what went wrong: text missed (low
    recall) or added (low precision), how long the gold and the prediction are, and the
    extractor's own warnings (not an article, body from JSON-LD, …)."""
    print(f"{count} worst pages for {result.name} (by F1):")
    peer_scores = {score.page_id: score for score in peer.pages} if peer else {}
    pages = {page.page_id: page for page in corpus}
    for score in sorted(result.pages, key=lambda item: item.f1)[:count]:
        other = peer_scores.get(score.page_id)
        beside = f"  (peer F1 {other.f1:.3f} R {other.recall:.3f})" if other else ""
        page = pages[score.page_id]
        print(
            f"  F1 {score.f1:.3f}  P {score.precision:.3f}  R {score.recall:.3f}  "
            f"{score.page_id[:24]:<24}{beside}\n      {_failure(score, page)}"
        )


def _failure(score: PageScore, page: BenchPage) -> str:
    """What kind of failure a page's score shows, in a few words."""
    from monitor.extract import extract_article

    article = extract_article(page.html, page.url)
    gold, found = len(_TOKEN.findall(page.truth)), len(_TOKEN.findall(score.prediction))
    if not found:
        kind = "nothing extracted"
    elif score.recall == score.precision == 0:
        kind = "the wrong text"
    elif score.recall < score.precision:
        kind = "text missed"
    else:
        kind = "text added"
    notes = "; ".join(article.warnings) or "no warnings"
    return f"{kind} ({found} words kept, {gold} in the gold; {article.kind}): {notes}"


def _print_collapsed(result: RunResult, peer: RunResult) -> None:
    """Pages where monitor keeps under half of the peer's recall."""
    peer_scores = {score.page_id: score for score in peer.pages}
    collapsed = [
        (score, peer_scores[score.page_id])
        for score in result.pages
        if score.recall < 0.5 * peer_scores[score.page_id].recall
    ]
    print(f"pages under half of {peer.name}'s recall: {len(collapsed)}")
    for ours, theirs in collapsed:
        print(f"  R {ours.recall:.3f} vs {theirs.recall:.3f}  {ours.page_id}")


def _print_dates(pages: Sequence[DatePage], runs: Sequence[DateRun], worst: int) -> None:
    print(f"\n== htmldate-dev: {len(pages)} pages, publication day accuracy")
    print(f"{'finder':<14}{'accuracy':>10}{'no date':>9}{'pages/s':>10}")
    for run in runs:
        rate = len(pages) / run.seconds if run.seconds else float("inf")
        print(f"{run.name:<14}{run.accuracy(pages):>10.4f}{run.missing():>9}{rate:>10.1f}")
    ours = runs[0]
    peer = runs[1] if len(runs) > 1 else None
    wrong = [
        (page, day, peer.found[index] if peer else None)
        for index, (page, day) in enumerate(zip(pages, ours.found, strict=True))
        if day != page.gold
    ]
    # Worst first: no date at all, then by how many days off.
    wrong.sort(key=_days_off, reverse=True)
    print(f"{min(worst, len(wrong))} of {len(wrong)} pages {ours.name} gets wrong (worst first):")
    for page, day, peer_day in wrong[:worst]:
        print(
            f"  gold {page.gold}  {ours.name} {day}  peer {peer_day}  {page.url}\n"
            f"      {_date_source(page)}"
        )


def _days_off(item: tuple[DatePage, date | None, date | None]) -> float:
    page, day, _ = item
    return float("inf") if day is None else abs((day - page.gold).days)


def _date_source(page: DatePage) -> str:
    """Where monitor's date came from, as its warnings say (metadata when they say nothing)."""
    from monitor.extract import extract_article

    article = extract_article(page.html, page.url)
    if article.published is None:
        return "no date in the metadata, the URL, the bylines or the page's text"
    warnings = [
        warning for warning in article.warnings if "date" in warning or "publication" in warning
    ]
    return "; ".join(warnings) or "from the page's metadata (JSON-LD, meta tags, <time>)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="shared data dir")
    parser.add_argument(
        "--sets", default="scrapinghub,readability,htmldate", help="comma-separated sets to run"
    )
    parser.add_argument("--worst", type=int, default=10, help="how many worst pages to list")
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed tries per page (fastest counts)"
    )
    parser.add_argument("--skip-peer", action="store_true", help="run monitor alone")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO_ROOT))
    chosen = {name.strip() for name in args.sets.split(",")}
    extractors: dict[str, Extractor] = {"monitor": monitor_extractor}
    if not args.skip_peer:
        extractors["trafilatura"] = trafilatura_extractor
    body_sets = {
        "scrapinghub": ("article-extraction-benchmark", "ground-truth.json", load_corpus),
        "readability": ("readability-test-pages", "pages", load_readability),
    }
    for name, (folder, marker, loader) in body_sets.items():
        data_dir = args.shared / folder
        if name not in chosen:
            continue
        if not (data_dir / marker).exists():
            print(f"{name}: data not found at {data_dir}", file=sys.stderr)
            continue
        corpus = loader(data_dir)
        _warm_up(extractors.values(), corpus[0].html, corpus[0].url)
        results = run_all(extractors, corpus, repeat=args.repeat)
        _print_summary(f"{name}: {len(corpus)} pages from {data_dir}", results)
        peer = results[1] if len(results) > 1 else None
        _print_worst(results[0], args.worst, peer, corpus)
        if peer is not None:
            _print_collapsed(results[0], peer)
    date_dir = args.shared / "htmldate-dev"
    if "htmldate" in chosen and (date_dir / "dates.json").is_file():
        pages = load_dates(date_dir)
        finders: dict[str, DateFinder] = {"monitor": monitor_date}
        if not args.skip_peer:
            finders["htmldate"] = htmldate_date
            finders["htmldate-orig"] = htmldate_original_date
        _warm_up(finders.values(), pages[0].html, pages[0].url)
        _print_dates(pages, run_dates(finders, pages, repeat=args.repeat), args.worst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
