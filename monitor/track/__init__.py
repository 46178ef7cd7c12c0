"""The diff engine: article revisions, story tracking and developments (pure: values in, out)."""

from monitor.track.features import ArticleText, article_text
from monitor.track.replay import replay
from monitor.track.revisions import RevisionDiff, diff_revisions
from monitor.track.text import comparison_form, split_sentences
from monitor.track.tracker import (
    Observation,
    TrackConfig,
    Tracker,
    TrackEvent,
    TrackResult,
    story_id_for,
    track_config,
)

__all__ = [
    "ArticleText",
    "Observation",
    "RevisionDiff",
    "TrackConfig",
    "TrackEvent",
    "TrackResult",
    "Tracker",
    "article_text",
    "comparison_form",
    "diff_revisions",
    "replay",
    "split_sentences",
    "story_id_for",
    "track_config",
]
