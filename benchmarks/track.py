"""Benchmarks of the story engine, each next to a peer measured in the same run.

    python benchmarks/track.py [--stories 100000] [--shared ../shared] [--seeds 0 1 2]
                               [--errors] [--halves]

1. ECB+ story assignment (B-cubed P/R/F1 against story_id and topic, after the merges and splits
   the replay reported), shuffled with seeds 0, 1 and 2, with the default configuration, and
   the mean over the seeds (the order of arrival moves F1 by a few points); before: the same
   replay without gathering small stories into grown ones and without splits; peer: with name
   phrases switched off. ``--halves`` adds the means on the odd and even ECB+ topics apart;
   ``--errors`` lists, for each seed, the stories that mix documents of several ECB+ stories,
   the ECB+ stories spread over several of ours, and the joins that first mixed two ECB+
   stories with the years and dates each side's text states.
2. Story assignment with N stories indexed: median and p95 CPU time per article of retrieval,
   scoring and merge, and memory per story (tracemalloc); peer: an exact linear scan over all
   story vectors.
3. Revision diff of a 1,500-word article: median CPU time; peer: difflib over the whole word list.
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import json
import random
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.track import TrackConfig, replay
from monitor.track.evaluation import (
    ECBPLUS_SHUFFLE_SEED,
    BCubed,
    bcubed,
    ecbplus_observations,
    final_stories,
)
from monitor.track.features import ArticleText, article_features, article_text
from monitor.track.novelty import StoryMemory
from monitor.track.replay import observation_from_json
from monitor.track.revisions import diff_revisions
from monitor.track.split import SplitParams
from monitor.track.text import split_sentences
from monitor.track.tracker import Tracker, _Story

ROOT = Path(__file__).resolve().parents[1]
# the engine as it was before small stories were gathered into grown ones and stories split
BEFORE_GATHER_AND_SPLIT = TrackConfig(small_story=0, split=SplitParams(separation=0.0))


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def bench_ecbplus(
    shared: Path, seeds: list[int], errors: bool = False, halves: bool = False
) -> None:
    path = shared / "data" / "ecbplus-stories" / "documents.jsonl.gz"
    if not path.exists():
        print(f"ECB+: skipped ({path} not found)")
        return
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        documents = [json.loads(line) for line in stream]
    scores: dict[str, list[BCubed]] = {}
    for seed in seeds:
        pairs = ecbplus_observations(documents, seed=seed)
        gold = [d["story_id"] for d, _ in pairs]
        print(f"ECB+: {len(pairs)} documents, shuffled with random.Random({seed})")
        for label, config in (
            ("monitor (default config)", TrackConfig()),
            ("before: no gathering, no split", BEFORE_GATHER_AND_SPLIT),
            ("peer: no name phrases", TrackConfig(name_phrase_weight=0.0)),
        ):
            started = time.process_time()
            results = list(replay((o for _, o in pairs), config))
            predicted = final_stories(results)
            elapsed = time.process_time() - started
            story = bcubed(predicted, gold)
            topic = bcubed(predicted, [d["topic"] for d, _ in pairs])
            scores.setdefault(label, []).append(story)
            print(
                f"  {label:31s} story_id P={story.precision:.3f} R={story.recall:.3f} "
                f"F1={story.f1:.3f} | topic P={topic.precision:.3f} R={topic.recall:.3f} "
                f"F1={topic.f1:.3f} | {len(set(predicted))} stories, {elapsed:.1f} CPU s"
            )
            if halves:
                for parity, name in ((1, "odd"), (0, "even")):
                    half = topic_half(predicted, pairs, parity)
                    scores.setdefault(f"{label}, {name} topics", []).append(half)
            if errors and label.startswith("monitor"):
                print_errors(predicted, gold)
                print_first_mixes(pairs, results)
    for label, results in scores.items():
        print(
            f"  mean over {len(results)} seeds, {label}: "
            f"P={statistics.mean(r.precision for r in results):.3f} "
            f"R={statistics.mean(r.recall for r in results):.3f} "
            f"F1={statistics.mean(r.f1 for r in results):.3f} "
            f"(F1 {min(r.f1 for r in results):.3f} to {max(r.f1 for r in results):.3f})"
        )


def topic_half(predicted: list[str], pairs: list[tuple[Any, Any]], parity: int) -> BCubed:
    """B-cubed against story_id on the documents of the odd (1) or even (0) ECB+ topics only:
    a rule chosen on one half and scored on the other is not fitted to the documents."""
    kept = [i for i, (doc, _) in enumerate(pairs) if doc["topic"] % 2 == parity]
    return bcubed([predicted[i] for i in kept], [pairs[i][0]["story_id"] for i in kept])


def print_errors(predicted: list[str], gold: list[str]) -> None:
    """Our stories holding documents of several ECB+ stories (with the count of each, in the
    order they arrived), then the ECB+ stories spread over several of ours (their part sizes)."""
    ours: dict[str, list[str]] = {}
    theirs: dict[str, Counter[str]] = {}
    for story_id, label in zip(predicted, gold, strict=True):
        ours.setdefault(story_id, []).append(label)
        theirs.setdefault(label, Counter())[story_id] += 1
    for story_id, labels in ours.items():
        if len(set(labels)) > 1:
            print(f"    mixed {story_id}: {dict(Counter(labels))} in order {' '.join(labels)}")
    for label, parts in sorted(theirs.items()):
        if len(parts) > 1:
            print(f"    split {label}: parts of {sorted(parts.values(), reverse=True)}")


def print_first_mixes(pairs: list[tuple[Any, Any]], results: list[dict[str, Any]]) -> None:
    """The joins that first put a document of a second ECB+ story into a story of ours that
    held documents of one, with the years and full dates each side's text states (the replay
    has no publication times, so a document that states none cannot clash in time with the
    story it joins). Story members are followed by the story id each result names; merges
    and splits are not followed."""
    members: dict[str, list[str]] = {}
    stated: dict[str, set[str]] = {}
    mixes = silent = 0
    for (doc, observation), result in zip(pairs, results, strict=True):
        story = result["story_id"]
        when = stated_time(observation)
        labels = members.setdefault(story, [])
        joined = result["event"] == "joined_story"
        if joined and len(set(labels)) == 1 and doc["story_id"] not in labels:
            mixes += 1
            silent += not when
            print(
                f"    first mix: {doc['story_id']} joined {len(labels)} of {labels[0]} "
                f"at {result['match']['score']:.3f}; it states {_listed(when)}, "
                f"the story {_listed(stated.get(story, set()))}"
            )
        labels.append(doc["story_id"])
        stated.setdefault(story, set()).update(when)
    print(f"    {mixes} first mixes, {silent} of them by a document that states no year or date")


def stated_time(observation: dict[str, Any]) -> set[str]:
    """The years and full dates (ISO) a replay observation's text mentions."""
    article = observation_from_json(observation).article
    features = article_features(article_text(article))
    days = {date.fromordinal(day).isoformat() for day in features.dates}
    return {str(year) for year in features.years} | days


def _listed(when: set[str]) -> str:
    return " ".join(sorted(when)) if when else "no year or date"


def synthetic_article(rng: random.Random, vocabulary: list[str], serial: int) -> dict[str, float]:
    """About 80 distinct terms drawn Zipf-like from a 50k vocabulary, plus 4 story names."""
    weights: dict[str, float] = {}
    for _ in range(120):
        term = vocabulary[min(int(rng.paretovariate(0.6)) - 1, len(vocabulary) - 1)]
        weights[term] = weights.get(term, 0.0) + 1.0
    for name in range(4):
        weights[f"person{serial}x{name}"] = 2.0
    return weights


def bench_assignment(stories: int) -> None:
    rng = random.Random(7)
    vocabulary = [f"term{i}" for i in range(50_000)]
    tracker = Tracker(TrackConfig())
    now = datetime(2026, 1, 1, tzinfo=UTC)
    articles = [synthetic_article(rng, vocabulary, serial) for serial in range(stories)]
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for serial, weights in enumerate(articles):
        tracker.index.count_document(weights)
        vector = tracker.index.article_vector(weights)
        story_id = f"st_{serial:012x}"
        tracker.stories[story_id] = _Story(story_id, "", now, now, now, now, [], StoryMemory())
        tracker.index.add_story(story_id, vector, [], now.timestamp())
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
    print(
        f"Story index with {stories:,} stories: {grown / stories:,.0f} bytes per story "
        "(index, vocabulary, IDF statistics and story records)"
    )
    queries = [synthetic_article(rng, vocabulary, serial % stories) for serial in range(500)]
    ours = [_time(lambda w=w: _assign(tracker, w, now)) for w in queries]
    print(
        f"  assignment (retrieve + score + merge): median {median_ms(ours):.3f} ms, "
        f"p95 {sorted(ours)[int(len(ours) * 0.95)] * 1000:.3f} ms per article"
    )
    scan = [_time(lambda w=w: _linear_scan(tracker, w)) for w in queries[:5]]
    print(
        f"  peer: exact linear scan over all stories: median {median_ms(scan):.1f} ms per article"
    )


def _time(call: Callable[[], object]) -> float:
    """CPU time of one call (the machine is shared: wall time measures the neighbours)."""
    started = time.process_time()
    call()
    return time.process_time() - started


def _assign(tracker: Tracker, weights: dict[str, float], now: datetime) -> None:
    index = tracker.index
    index.count_document(weights)
    vector = index.article_vector(weights)
    candidates = index.candidates(vector, [], 0.0)
    best, score = tracker._best(candidates, now)
    if best is not None and 0.0 < score < tracker.config.join_threshold:
        story = tracker.stories[index.story_ids[best.slot]]
        score = max(score, tracker._recent_score(story, vector, best, score))
    if best is not None and score >= tracker.config.join_threshold:
        index.merge(best.slot, vector, [], now.timestamp())
        bridged = [
            c
            for c in candidates
            if c.slot != best.slot
            and tracker._score(c, now, frozenset()) >= tracker.config.merge_threshold
        ]
        tracker._merge_bridged(tracker.stories[index.story_ids[best.slot]], bridged)


def _linear_scan(tracker: Tracker, weights: dict[str, float]) -> None:
    index = tracker.index
    vector = index.article_vector(weights)
    best = max(
        range(len(index.story_ids)), key=lambda slot: index._score(slot, vector, set()).cosine
    )
    del best


def bench_diff() -> None:
    seed = (ROOT / "seeds" / "replay.jsonl").read_text(encoding="utf-8").splitlines()
    base = json.loads(seed[2])["text"]
    paragraphs = base.split("\n")
    body: list[str] = []
    round_number = 0
    while sum(len(p.split()) for p in body) < 1500:
        body.extend(p.replace("Gaza", f"Gaza ({round_number})") for p in paragraphs)
        round_number += 1
    old_text = "\n".join(body)
    edited = list(body)
    edited[3] = edited[3].replace("48", "50")
    edited.insert(10, "A new paragraph says talks will resume on Thursday in Cairo.")
    del edited[20]
    new_text = "\n".join(edited)
    old = ArticleText("Talks", tuple(split_sentences(old_text)))
    new = ArticleText("Talks resume", tuple(split_sentences(new_text)))
    words = sum(len(p.split()) for p in body)
    ours = [_time(lambda: diff_revisions(old, new)) for _ in range(30)]
    full = [
        _time(
            lambda: diff_revisions(
                ArticleText("Talks", tuple(split_sentences(old_text))),
                ArticleText("Talks resume", tuple(split_sentences(new_text))),
            )
        )
        for _ in range(30)
    ]
    old_words, new_words = old_text.split(), new_text.split()
    peer = [
        _time(lambda: list(difflib.SequenceMatcher(None, old_words, new_words).get_opcodes()))
        for _ in range(30)
    ]
    print(
        f"Revision diff of a {words:,}-word article: median {median_ms(ours):.2f} ms "
        f"(with sentence splitting: {median_ms(full):.2f} ms)"
    )
    print(f"  peer: difflib word-level SequenceMatcher: median {median_ms(peer):.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--seeds", type=int, nargs="+", default=[ECBPLUS_SHUFFLE_SEED, 1, 2])
    parser.add_argument(
        "--errors", action="store_true", help="list the mixed and split ECB+ stories per seed"
    )
    parser.add_argument(
        "--halves", action="store_true", help="also score the odd and even ECB+ topics apart"
    )
    args = parser.parse_args()
    bench_ecbplus(args.shared, args.seeds, args.errors, args.halves)
    bench_assignment(args.stories)
    bench_diff()


if __name__ == "__main__":
    main()
