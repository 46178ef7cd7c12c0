"""Sentence splitting in nine languages, next to pysbd on the same text.

    python benchmarks/sentences.py [--shared ../shared]

Data: ``../shared/data/sentences-ud/<lang>.jsonl`` (Universal Dependencies test sets, one paragraph
a line with its gold sentences). As its README says: the sentences of a paragraph are joined with
one space (none for Chinese and Japanese), split by the splitter under test, and the sentence
boundaries compared with the gold ones. A boundary is the number of non-space characters before
it, so the two splitters' whitespace handling does not matter; the paragraph's own end is not
counted. Printed: boundary precision, recall and F1 per language, and sentences per second.
pysbd has no Hebrew or Portuguese rules; it runs with its English rules there.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pysbd

from monitor.lang import language_for, split_sentences

LANGUAGES = ("en", "de", "fr", "es", "pt", "ru", "he", "zh", "ja")
PYSBD_LANGUAGES = {"en", "de", "fr", "es", "ru", "zh", "ja"}
UNSPACED = {"zh", "ja"}
Splitter = Callable[[str], list[str]]


def boundaries(sentences: list[str]) -> set[int]:
    """Non-space characters before each sentence end, the last one excluded."""
    ends: set[int] = set()
    count = 0
    for sentence in sentences:
        count += sum(1 for ch in sentence if not ch.isspace())
        ends.add(count)
    ends.discard(count)
    return ends


def score(paragraphs: list[list[str]], lang: str, splitter: Splitter) -> tuple[float, ...]:
    joiner = "" if lang in UNSPACED else " "
    hits = predicted = gold = 0
    started = time.perf_counter()
    for sentences in paragraphs:
        expected = boundaries(sentences)
        found = boundaries(splitter(joiner.join(sentences)))
        hits += len(expected & found)
        predicted += len(found)
        gold += len(expected)
    elapsed = time.perf_counter() - started
    precision = hits / predicted if predicted else 1.0
    recall = hits / gold if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    rate = sum(len(p) for p in paragraphs) / elapsed
    return precision, recall, f1, rate


def ours(lang: str) -> Splitter:
    language = language_for(lang)
    return lambda text: split_sentences(text, language)


def peer(lang: str) -> Splitter:
    segmenter = pysbd.Segmenter(language=lang if lang in PYSBD_LANGUAGES else "en", clean=False)
    return lambda text: [str(s) for s in segmenter.segment(text)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared"
    )
    args = parser.parse_args()
    folder = args.shared / "data" / "sentences-ud"
    if not folder.exists():
        print(f"sentences: skipped ({folder} not found)")
        return
    print(
        f"{'lang':<5}{'gold':>6}  {'monitor P / R / F1':<22}{'sent/s':>9}   "
        f"{'pysbd P / R / F1':<22}{'sent/s':>9}"
    )
    for lang in LANGUAGES:
        path = folder / f"{lang}.jsonl"
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as stream:
            paragraphs = [json.loads(line)["sentences"] for line in stream if line.strip()]
        gold = sum(len(p) - 1 for p in paragraphs)
        mine = score(paragraphs, lang, ours(lang))
        theirs = score(paragraphs, lang, peer(lang))
        print(f"{lang:<5}{gold:>6}  {_figures(mine)}   {_figures(theirs)}")


def _figures(result: tuple[float, ...]) -> str:
    precision, recall, f1, rate = result
    return f"{precision:.3f} / {recall:.3f} / {f1:.3f}   {rate:>9,.0f}"


if __name__ == "__main__":
    main()
