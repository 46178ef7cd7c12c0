"""The diff of two versions of one article: by sentence, with word-level detail.

Sentences are compared in their comparison form, so whitespace, quote style, dashes, case and
punctuation-only edits do not count. A sentence that merely moved is neither added nor removed.
A sentence that was edited (word overlap at least ``CHANGED_SIMILARITY``) is reported as changed,
with the words that went and came. A correction or editor's note appended to the article is
reported on its own, since it is a different kind of news.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from monitor.lang import Language
from monitor.track.features import ArticleText
from monitor.track.text import comparison_form, fold, numbers_in

CHANGED_SIMILARITY = 0.5
_NOTE = re.compile(
    r"^\W*(?:correction|clarification|update|editor'?s note|"
    r"an? (?:earlier|previous) version of this (?:article|story|report)|"
    r"this (?:article|story|report) (?:has been|was) (?:updated|corrected|amended))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class WordChange:
    """One run of words that went (``before``), came (``after``) or both."""

    before: str
    after: str


@dataclass(frozen=True, slots=True)
class ChangedSentence:
    before: str
    after: str
    words: tuple[WordChange, ...]


@dataclass(frozen=True, slots=True)
class RevisionDiff:
    """What changed between two versions of one article."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[ChangedSentence, ...] = ()
    headline: tuple[str, str] | None = None
    lead_changed: bool = False
    notes: tuple[str, ...] = ()
    significance: float = 0.0

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.headline or self.notes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": [
                {
                    "before": c.before,
                    "after": c.after,
                    "words": [{"before": w.before, "after": w.after} for w in c.words],
                }
                for c in self.changed
            ],
            "headline": list(self.headline) if self.headline else None,
            "lead_changed": self.lead_changed,
            "notes": list(self.notes),
            "significance": self.significance,
        }


def is_note(sentence: str) -> bool:
    """Whether ``sentence`` opens a correction or an editor's note."""
    return bool(_NOTE.match(fold(sentence)))


def diff_revisions(old: ArticleText, new: ArticleText) -> RevisionDiff:
    """Sentence diff of two versions, with word-level detail for edited sentences."""
    old_keys, new_keys = old.keys, new.keys
    added, removed, changed = _sentence_diff(old.sentences, old_keys, new.sentences, new_keys)
    notes = tuple(s for s in added if is_note(s))
    added = tuple(s for s in added if not is_note(s))
    headline = (old.title, new.title) if old.title_key != new.title_key else None
    lead_changed = _first(old_keys) != _first(new_keys)
    diff = RevisionDiff(added, removed, changed, headline, lead_changed, notes)
    words = max(_word_count(old_keys), _word_count(new_keys), 1)
    return _with_significance(diff, words, new.profile)


def _word_count(keys: Sequence[str]) -> int:
    return sum(len(key.split()) for key in keys)


def _first(keys: Sequence[str]) -> str:
    return keys[0] if keys else ""


def _sentence_diff(
    old: Sequence[str], old_keys: Sequence[str], new: Sequence[str], new_keys: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[ChangedSentence, ...]]:
    matcher = SequenceMatcher(None, list(old_keys), list(new_keys), autojunk=False)
    added: list[int] = []
    removed: list[int] = []
    changed: list[ChangedSentence] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        pairs = _pair_edits(old_keys, range(i1, i2), new_keys, range(j1, j2))
        changed.extend(ChangedSentence(old[i], new[j], word_diff(old[i], new[j])) for i, j in pairs)
        paired_old, paired_new = {i for i, _ in pairs}, {j for _, j in pairs}
        removed.extend(i for i in range(i1, i2) if i not in paired_old)
        added.extend(j for j in range(j1, j2) if j not in paired_new)
    moved = Counter(old_keys[i] for i in removed) & Counter(new_keys[j] for j in added)
    added_left, removed_left = moved.copy(), moved.copy()
    kept_added = [new[j] for j in added if not _take(added_left, new_keys[j])]
    kept_removed = [old[i] for i in removed if not _take(removed_left, old_keys[i])]
    return tuple(kept_added), tuple(kept_removed), tuple(changed)


def _take(counter: Counter[str], key: str) -> bool:
    if counter[key] > 0:
        counter[key] -= 1
        return True
    return False


def _pair_edits(
    old_keys: Sequence[str], old_range: range, new_keys: Sequence[str], new_range: range
) -> list[tuple[int, int]]:
    """Pair old and new sentences of a replaced block that are edits of each other, in order."""
    pairs: list[tuple[int, int]] = []
    start = new_range.start
    for i in old_range:
        old_words = set(old_keys[i].split())
        best, best_score = -1, CHANGED_SIMILARITY
        for j in range(start, new_range.stop):
            score = _jaccard(old_words, set(new_keys[j].split()))
            if score >= best_score:
                best, best_score = j, score
                if score == 1.0:
                    break
        if best >= 0:
            pairs.append((i, best))
            start = best + 1
    return pairs


def _jaccard(first: set[str], second: set[str]) -> float:
    if not first and not second:
        return 1.0
    return len(first & second) / len(first | second)


def word_diff(before: str, after: str) -> tuple[WordChange, ...]:
    """The runs of words that differ between two versions of a sentence."""
    old_words = comparison_form(before).split()
    new_words = comparison_form(after).split()
    matcher = SequenceMatcher(None, old_words, new_words, autojunk=False)
    return tuple(
        WordChange(" ".join(old_words[i1:i2]), " ".join(new_words[j1:j2]))
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
        if op != "equal"
    )


def _with_significance(diff: RevisionDiff, words: int, language: Language) -> RevisionDiff:
    """A 0..1 score: share of words touched, plus weight for headline, notes and numbers."""
    touched = sum(len(s.split()) for s in (*diff.added, *diff.removed))
    touched += sum(
        len(w.before.split()) + len(w.after.split()) for c in diff.changed for w in c.words
    )
    score = min(1.0, touched / words)
    if diff.headline:
        score += 0.2
    if diff.notes:
        score += 0.3
    if any(_numbers_differ(c, language) for c in diff.changed):
        score += 0.3
    return RevisionDiff(
        diff.added,
        diff.removed,
        diff.changed,
        diff.headline,
        diff.lead_changed,
        diff.notes,
        round(min(score, 1.0), 3),
    )


def _numbers_differ(change: ChangedSentence, language: Language) -> bool:
    before = sorted(m.value for m in numbers_in(change.before, language=language))
    after = sorted(m.value for m in numbers_in(change.after, language=language))
    return before != after
