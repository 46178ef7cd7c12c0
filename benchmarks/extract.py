"""Article extraction benchmark: monitor's extractor next to trafilatura, in one process.

Scores both on scrapinghub's article-extraction-benchmark (181 pages with gold body text) exactly
as its README says: lower-case, tokenise with ``\\w+``, 4-token shingles, multiset overlap per page,
precision/recall/F1 per page, mean over pages (an empty prediction for an empty truth is perfect).
Times pages per second over the same bytes, one process, extraction only.

    python benchmarks/extract.py [--data DIR] [--worst 10] [--skip-peer] [--repeat N]

The data is looked up at ``--data`` or ``../shared/data/article-extraction-benchmark`` next to the
repository root.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "article-extraction-benchmark"
_TOKEN = re.compile(r"\w+")
SHINGLE = 4

Extractor = Callable[[bytes, str], str]


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


def _mean(values: object) -> float:
    items = list(values)  # type: ignore[call-overload]
    return sum(items) / len(items) if items else 0.0


def load_corpus(data_dir: Path) -> list[BenchPage]:
    """The benchmark pages with their gold text, in a stable order."""
    truth = json.loads((data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        html = gzip.decompress((data_dir / "html" / f"{page_id}.html.gz").read_bytes())
        entry = truth[page_id]
        pages.append(BenchPage(page_id, entry["url"], html, entry.get("articleBody") or ""))
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
            best = float("inf")
            for _ in range(max(repeat, 1)):
                started = time.perf_counter()
                prediction = extractor(page.html, page.url)
                best = min(best, time.perf_counter() - started)
            seconds[name] += best
            predictions[name].append(prediction)
    return [_score_run(name, corpus, predictions[name], seconds[name]) for name in extractors]


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


def _warm_up(extractors: dict[str, Extractor], page: BenchPage) -> None:
    """Import and initialise every extractor before timing starts."""
    for extractor in extractors.values():
        extractor(page.html, page.url)


def _print_summary(results: Sequence[RunResult]) -> None:
    print(f"{'extractor':<14}{'F1':>8}{'precision':>11}{'recall':>9}{'pages/s':>10}")
    for result in results:
        print(
            f"{result.name:<14}{result.f1:>8.4f}{result.precision:>11.4f}{result.recall:>9.4f}"
            f"{result.pages_per_second:>10.1f}"
        )
    if len(results) == 2 and results[1].pages_per_second:
        ratio = results[0].pages_per_second / results[1].pages_per_second
        print(f"speed ratio {results[0].name}/{results[1].name}: {ratio:.1f}x")


def _print_worst(result: RunResult, count: int) -> None:
    print(f"\n{count} worst pages for {result.name}:")
    for score in sorted(result.pages, key=lambda item: item.f1)[:count]:
        print(
            f"  F1 {score.f1:.3f}  P {score.precision:.3f}  R {score.recall:.3f}  "
            f"{score.page_id[:12]}  {score.url}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="benchmark directory")
    parser.add_argument("--worst", type=int, default=10, help="how many worst pages to list")
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed tries per page (fastest counts)"
    )
    parser.add_argument("--skip-peer", action="store_true", help="do not run trafilatura")
    args = parser.parse_args(argv)
    if not (args.data / "ground-truth.json").is_file():
        print(f"benchmark data not found at {args.data}", file=sys.stderr)
        return 2
    sys.path.insert(0, str(REPO_ROOT))
    corpus = load_corpus(args.data)
    extractors: dict[str, Extractor] = {"monitor": monitor_extractor}
    if not args.skip_peer:
        extractors["trafilatura"] = trafilatura_extractor
    _warm_up(extractors, corpus[0])
    results = run_all(extractors, corpus, repeat=args.repeat)
    print(f"{len(corpus)} pages from {args.data}")
    _print_summary(results)
    _print_worst(results[0], args.worst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
