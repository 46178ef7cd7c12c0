"""Rare words for names: the engine's common-word sets next to wordfreq's own lookups, one run.

    python benchmarks/names.py [--shared ../shared]

Ours (``monitor.lang.rarity``): the words of Zipf ≥ 4 of a language, kept as a set; wordfreq's
full lists are dropped once it is built. Peer: ``wordfreq.zipf_frequency`` per word, which keeps
the language's whole list in memory. For German, Hebrew, Chinese and Japanese, printed: start-up
CPU time and memory held (tracemalloc), CPU time per sentence to find the rare terms of the
Universal Dependencies test sentences (``../shared/data/sentences-ud/<lang>.jsonl``), and how
often the two disagree about a word (peer: ``zipf_frequency(word) < 4``; Chinese and Japanese
need a tokenizer in the peer, jieba or MeCab, so only their words in other scripts are compared
there; without MeCab installed the peer cannot look up Japanese at all).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import wordfreq

from monitor.lang import language_for
from monitor.lang.rarity import RARE_ZIPF, common_words, rare_terms

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("de", "he", "zh", "ja")
WORD = re.compile(r"[^\W\d_]{3,}")


def sentences(shared: Path, lang: str) -> list[str]:
    path = shared / "data" / "sentences-ud" / f"{lang}.jsonl"
    with path.open(encoding="utf-8") as lines:
        return [s for line in lines for s in json.loads(line)["sentences"]]


def held(build: Callable[[], object]) -> tuple[float, float]:
    """CPU seconds and MB still allocated after ``build()``."""
    tracemalloc.start()
    started = time.process_time()
    kept = build()
    spent = time.process_time() - started
    size = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    del kept
    return spent, size


def per_sentence(texts: list[str], find: Callable[[str], object]) -> float:
    started = time.process_time()
    for text in texts:
        find(text)
    return (time.process_time() - started) / len(texts) * 1e6


def main() -> None:
    try:
        import jieba

        jieba.setLogLevel(logging.WARNING)
    except ImportError:
        pass
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    for lang in LANGUAGES:
        texts = sentences(args.shared, lang)
        language = language_for(lang)
        ours_load, ours_mb = held(lambda: common_words(lang))  # noqa: B023
        ours_us = per_sentence(texts, lambda t: rare_terms([t], language))  # noqa: B023
        common = common_words(lang)
        ours = f"ours {len(common)} common words, start {ours_load:.2f} s, {ours_mb:.1f} MB, "
        ours += f"{ours_us:.0f} µs a sentence"
        try:
            peer = _peer(texts, lang, common)
        except ImportError as exc:
            peer = f"peer cannot run: {exc}"
        print(f"{lang}: {ours} | {peer}")


def _peer(texts: list[str], lang: str, common: frozenset[str]) -> str:
    peer_load, peer_mb = held(lambda: wordfreq.get_frequency_dict(lang))
    peer_us = per_sentence(texts, lambda t: _peer_rare(t, lang))
    words = [w.lower() for t in texts for w in WORD.findall(t) if not _unspaced(w)]
    differ = sum(
        1 for w in words if (w not in common) != (wordfreq.zipf_frequency(w, lang) < RARE_ZIPF)
    )
    wordfreq.get_frequency_dict.cache_clear()
    return (
        f"peer full list start {peer_load:.2f} s, {peer_mb:.1f} MB, {peer_us:.0f} µs a "
        f"sentence | disagree on {differ}/{len(words)} words"
    )


def _unspaced(word: str) -> bool:
    return any("\u3040" <= ch <= "\u9fff" for ch in word)


def _peer_rare(text: str, lang: str) -> list[str]:
    return [
        w
        for w in WORD.findall(text.lower())
        if not _unspaced(w) and wordfreq.zipf_frequency(w, lang) < RARE_ZIPF
    ]


if __name__ == "__main__":
    main()
