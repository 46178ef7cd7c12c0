"""Story assignment on ECB+: B-cubed F1 against the gold stories, one fixed configuration."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from monitor.track import TrackConfig, replay
from monitor.track.evaluation import (
    ECBPLUS_SHUFFLE_SEED,
    BCubed,
    bcubed,
    ecbplus_observations,
    final_stories,
)


def test_bcubed_on_a_small_table() -> None:
    score = bcubed(["a", "a", "b", "b"], [1, 1, 1, 2])
    assert round(score.precision, 3) == 0.75
    assert round(score.recall, 3) == 0.667


def ecbplus_score(shared_dir: Path) -> BCubed:
    """B-cubed of the default configuration on ECB+ replayed in the seeded shuffled order, each
    document in the story it ended up in (after the merges and splits later results reported)."""
    path = shared_dir / "data" / "ecbplus-stories" / "documents.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        documents = [json.loads(line) for line in stream]
    pairs = ecbplus_observations(documents, seed=ECBPLUS_SHUFFLE_SEED)
    predicted = final_stories(replay((o for _, o in pairs), TrackConfig()))
    return bcubed(predicted, [doc["story_id"] for doc, _ in pairs])


@pytest.fixture(scope="module")
def ecbplus(shared_dir: Path) -> BCubed:
    return ecbplus_score(shared_dir)


def test_ecbplus_reaches_the_acceptance_bar(ecbplus: BCubed) -> None:
    """Issues 5 and 16: B-cubed F1 against story_id, after merges and splits (measured
    P=0.923 R=0.944 F1=0.934; 0.892 without gathering small stories and splitting)."""
    assert ecbplus.f1 >= 0.92, f"P={ecbplus.precision:.3f} R={ecbplus.recall:.3f}"
