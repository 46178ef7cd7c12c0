"""Chinese and Japanese tokens: our character pairs next to a word segmenter, in one run.

    python benchmarks/segmenter.py [--shared ../shared]

Peers: jieba (Chinese) and fugashi with unidic-lite (MeCab, Japanese), from the ``bench`` extra.
What matters for the engine, measured for each way of cutting the text:

1. Story assignment and facts on the Chinese and Japanese cases of
   ``tests/track/data/languages.json`` (test content): the score outlet B's report of the talks
   reaches against outlet A's story (joined at 0.25), the best score the unrelated earthquake
   report reaches against any story, the changed death toll (before → after), and whether the
   typo fix stays silent.
2. Speed: CPU time (mean of five rounds) to cut every sentence of the Universal Dependencies
   test sets (``../shared/data/sentences-ud/zh.jsonl``, ``ja.jsonl``) into terms, and the
   segmenter's start-up (dictionary load) apart.

The peer replaces the engine's tokens for unspaced scripts everywhere (terms for matching and
the words around numbers), nothing else.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import monitor.track.text as text_module
from monitor.lang import language_for
from monitor.lang.scripts import UNSPACED
from monitor.track import replay

ROOT = Path(__file__).resolve().parents[1]
CASES = json.loads((ROOT / "tests/track/data/languages.json").read_text(encoding="utf-8"))
START = datetime(2025, 10, 6, 8, 0, tzinfo=UTC)
Segmenter = Callable[[str], list[str]]


def jieba_segmenter() -> Segmenter:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return lambda text: [w for w in jieba.cut(text) if w.strip()]


def fugashi_segmenter() -> Segmenter:
    import fugashi

    tagger = fugashi.Tagger()
    return lambda text: [word.surface for word in tagger(text)]


@contextmanager
def segmented(segment: Segmenter | None) -> Iterator[None]:
    """The engine with ``segment``'s words in place of character pairs (None: unchanged)."""
    saved = text_module.spaced, text_module._unspaced_terms
    if segment is not None:

        def spaced(text: str) -> str:
            return " ".join(segment(text)) if UNSPACED.search(text) else text

        def unspaced_terms(token: str, stopwords: frozenset[str]) -> list[str]:
            return [w for w in segment(token) if w not in stopwords]

        text_module.spaced = spaced
        text_module._unspaced_terms = unspaced_terms
    try:
        yield
    finally:
        text_module.spaced, text_module._unspaced_terms = saved


def observations(lang: str) -> list[dict[str, Any]]:
    case = CASES[lang]
    title, body = case["a"]
    old, new = case["number"]
    typo, fixed = case["typo"]
    revised = body.replace(old, new)
    steps = [
        ("outlet-a", "a", title, body),
        ("outlet-b", "b", *case["b"]),
        ("outlet-a", "a", title, revised),
        ("outlet-a", "a", title, revised.replace(typo, fixed)),
        ("outlet-c", "c", *case["other"]),
    ]
    return [
        {
            "source": source,
            "url": f"https://{source}.example/{lang}/{path}",
            "fetched_at": (START + timedelta(hours=i)).isoformat(),
            "title": title,
            "text": text,
        }
        for i, (source, path, title, text) in enumerate(steps)
    ]


def assignment_line(lang: str) -> str:
    _, joined, revised, typo_fixed, other = replay(observations(lang))
    development = revised["development"] or {}
    facts = ", ".join(f"{f['before']} → {f['after']}" for f in development["changed_facts"])
    quiet = "silent" if typo_fixed["development"] is None else "a development"
    unrelated = f"{other['match']['score']:.3f} ({other['event']})"
    return (
        f"B {joined['event']} at {joined['match']['score']:.3f}; unrelated best {unrelated}; "
        f"fact {facts or 'none'}; typo fix {quiet}"
    )


def ud_sentences(shared: Path, lang: str) -> list[str]:
    path = shared / "data" / "sentences-ud" / f"{lang}.jsonl"
    with path.open(encoding="utf-8") as lines:
        return [s for line in lines for s in json.loads(line)["sentences"]]


def speed_line(sentences: list[str], lang: str, rounds: int = 5) -> str:
    language = language_for(lang)
    started = time.process_time()
    for _ in range(rounds):
        terms = sum(len(text_module.content_terms(s, language)) for s in sentences)
    spent = (time.process_time() - started) / rounds
    per_sentence = spent / len(sentences) * 1e6
    return f"{len(sentences)} sentences, {terms} terms, {per_sentence:.0f} µs CPU a sentence"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    for lang, name, make in (
        ("zh", "jieba", jieba_segmenter),
        ("ja", "fugashi", fugashi_segmenter),
    ):
        sentences = ud_sentences(args.shared, lang)
        started = time.process_time()
        segment = make()
        segment("测试" if lang == "zh" else "テスト")
        load = time.process_time() - started
        print(f"{lang}:")
        for label, segmenter in (("character pairs (ours)", None), (name, segment)):
            with segmented(segmenter):
                print(f"  {label:<24} {assignment_line(lang)}")
                print(f"  {'':<24} UD {lang}: {speed_line(sentences, lang)}")
        print(f"  {name} start-up: {load:.2f} s CPU")


if __name__ == "__main__":
    main()
