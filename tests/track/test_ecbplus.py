"""Story assignment on ECB+: B-cubed F1 against the gold stories, one fixed configuration."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from monitor.track import TrackConfig, replay
from monitor.track.evaluation import ECBPLUS_SHUFFLE_SEED, bcubed, ecbplus_observations


def test_bcubed_on_a_small_table() -> None:
    score = bcubed(["a", "a", "b", "b"], [1, 1, 1, 2])
    assert round(score.precision, 3) == 0.75
    assert round(score.recall, 3) == 0.667


def test_ecbplus_story_assignment(shared_dir: Path) -> None:
    path = shared_dir / "data" / "ecbplus-stories" / "documents.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        documents = [json.loads(line) for line in stream]
    pairs = ecbplus_observations(documents, seed=ECBPLUS_SHUFFLE_SEED)
    predicted = [r["story_id"] for r in replay((o for _, o in pairs), TrackConfig())]
    score = bcubed(predicted, [doc["story_id"] for doc, _ in pairs])
    assert score.f1 >= 0.90, f"P={score.precision:.3f} R={score.recall:.3f} F1={score.f1:.3f}"
