"""Measuring story assignment: B-cubed scores and the ECB+ corpus as replay observations.

ECB+ (Cybulska & Vossen 2014) groups news documents by seminal event; each topic holds two
different events of the same kind, which is what makes it a hard test of story tracking. The
documents have no titles or timestamps: the first sentence serves as the headline, and the
replay clock advances one minute per document (``published`` stays null). The source is the same
for every document, so that nothing of the gold label reaches the engine.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

ECBPLUS_SHUFFLE_SEED = 0
REPLAY_START = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class BCubed:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def bcubed(predicted: Sequence[Hashable], gold: Sequence[Hashable]) -> BCubed:
    """B-cubed precision and recall of a clustering against gold labels (same item order)."""
    if len(predicted) != len(gold):
        raise ValueError("predicted and gold labels differ in length")
    if not gold:
        return BCubed(1.0, 1.0)
    clusters: dict[Hashable, set[int]] = defaultdict(set)
    classes: dict[Hashable, set[int]] = defaultdict(set)
    for item, (cluster, label) in enumerate(zip(predicted, gold, strict=True)):
        clusters[cluster].add(item)
        classes[label].add(item)
    precision = recall = 0.0
    for cluster, label in zip(predicted, gold, strict=True):
        shared = len(clusters[cluster] & classes[label])
        precision += shared / len(clusters[cluster])
        recall += shared / len(classes[label])
    return BCubed(precision / len(gold), recall / len(gold))


def ecbplus_observations(
    documents: Iterable[dict[str, Any]], seed: int = ECBPLUS_SHUFFLE_SEED
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """ECB+ documents shuffled with ``random.Random(seed)``, each with its replay observation."""
    shuffled = list(documents)
    random.Random(seed).shuffle(shuffled)
    return [(doc, _observation(doc, index)) for index, doc in enumerate(shuffled)]


def _observation(doc: dict[str, Any], index: int) -> dict[str, Any]:
    sentences = list(doc["sentences"])
    return {
        "source": "ecbplus",
        "url": f"https://ecbplus.example/{doc['id']}",
        "fetched_at": (REPLAY_START + timedelta(minutes=index)).isoformat(),
        "title": sentences[0] if sentences else "",
        "text": "\n".join(sentences[1:]),
        "published": None,
    }


def final_stories(results: Iterable[dict[str, Any]]) -> list[str]:
    """The story each result ended up in, after the merges and splits later results reported."""
    urls: list[str] = []
    story_of: dict[str, str] = {}
    alias: dict[str, str] = {}
    for result in results:
        urls.append(result["url"])
        story_of.setdefault(result["url"], result["story_id"])
        for old in result.get("merged", ()):
            alias[old] = result["story_id"]
        split = result.get("split")
        if split:
            for url in split["urls"]:
                story_of[url] = split["new_story_id"]

    def resolve(story_id: str) -> str:
        while story_id in alias:
            story_id = alias[story_id]
        return story_id

    return [resolve(story_of[url]) for url in urls]
