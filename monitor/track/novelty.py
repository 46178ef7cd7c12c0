"""What a story already knows, and what a new article or revision adds to it.

A story remembers every sentence any of its articles carried (in comparison form), the numbers
it reported with their context, and the names it mentioned. Against that memory a new version
yields: new sentences (no exact or near-duplicate sentence known), changed facts (a known
number in the same context now reads differently, and the new value was never reported there
before, so a flip-flop is not reported twice), and new names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from monitor.models import ChangedFact
from monitor.track.text import STOPWORDS, NumberMention, comparison_form, numbers_in, stem, words

KNOWN_SIMILARITY = 0.6


@dataclass(frozen=True, slots=True)
class Novelty:
    """What one version adds to its story."""

    new_sentences: tuple[str, ...]
    changed_facts: tuple[ChangedFact, ...]
    new_entities: tuple[str, ...]
    score: float

    @property
    def is_development(self) -> bool:
        return bool(self.new_sentences or self.changed_facts or self.new_entities)


@dataclass(frozen=True, slots=True)
class KnownFact:
    value: str
    phrase: str
    before: tuple[str, ...]
    after: tuple[str, ...]


def sentence_terms(key: str) -> frozenset[str]:
    """Content words of a sentence in comparison form, for near-duplicate tests."""
    return frozenset(stem(w) for w in key.split() if w not in STOPWORDS)


class StoryMemory:
    """Sentences, numbers and names one story has carried so far."""

    def __init__(self, known_similarity: float = KNOWN_SIMILARITY) -> None:
        self.known_similarity = known_similarity
        self.keys: set[str] = set()
        self.sentence_terms: list[frozenset[str]] = []
        self.by_term: dict[str, list[int]] = {}
        self.facts: list[KnownFact] = []
        self.names: dict[str, str] = {}

    # -- queries ---------------------------------------------------------------------------

    def knows(self, key: str) -> bool:
        """Whether the story carried this sentence, or a near-duplicate of it."""
        if key in self.keys:
            return True
        terms = sentence_terms(key)
        if not terms:
            return True
        overlaps: dict[int, int] = {}
        for term in terms:
            for index in self.by_term.get(term, ()):
                overlaps[index] = overlaps.get(index, 0) + 1
        for index, shared in overlaps.items():
            union = len(terms) + len(self.sentence_terms[index]) - shared
            if shared / union >= self.known_similarity:
                return True
        return False

    def knows_name(self, name: str) -> bool:
        lowered = name.lower()
        if lowered in self.names:
            return True
        return any(lowered in known or known in lowered for known in self.names)

    def assess(self, sentences: Sequence[str], names: Iterable[str]) -> Novelty:
        """What ``sentences`` (one version of an article) and ``names`` add to the story."""
        keys = [comparison_form(s) for s in sentences]
        unseen = [(s, k) for s, k in zip(sentences, keys, strict=True) if k not in self.keys]
        new = [s for s, k in unseen if not self.knows(k)]
        facts = self._changed_facts(s for s, _ in unseen)
        new_text = " ".join(new)
        entities = [n for n in dict.fromkeys(names) if n in new_text and not self.knows_name(n)]
        total = sum(len(words(s)) for s in sentences) or 1
        score = min(1.0, sum(len(words(s)) for s in new) / total + 0.25 * len(facts))
        return Novelty(tuple(new), tuple(facts), tuple(entities), round(score, 3))

    def _changed_facts(self, sentences: Iterable[str]) -> list[ChangedFact]:
        found: dict[tuple[str, str], ChangedFact] = {}
        for sentence in sentences:
            for mention in numbers_in(sentence):
                same_context = [f for f in self.facts if _same_context(f, mention)]
                if not same_context or any(f.value == mention.value for f in same_context):
                    continue
                previous = same_context[-1]
                after = mention.phrase
                found.setdefault(
                    (previous.phrase, after), ChangedFact(previous.phrase, after, sentence)
                )
        return list(found.values())

    # -- updates ---------------------------------------------------------------------------

    def learn(self, sentences: Sequence[str], names: Iterable[str]) -> None:
        """Remember ``sentences`` and ``names`` as carried by the story."""
        for sentence in sentences:
            self._learn_sentence(comparison_form(sentence))
            for mention in numbers_in(sentence):
                self.facts.append(
                    KnownFact(mention.value, mention.phrase, mention.before, mention.after)
                )
        for name in names:
            self.names.setdefault(name.lower(), name)

    def _learn_sentence(self, key: str) -> None:
        if key in self.keys or not key:
            return
        self.keys.add(key)
        terms = sentence_terms(key)
        index = len(self.sentence_terms)
        self.sentence_terms.append(terms)
        for term in terms:
            self.by_term.setdefault(term, []).append(index)

    # -- snapshots -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentences": sorted(self.keys),
            "facts": [[f.value, f.phrase, list(f.before), list(f.after)] for f in self.facts],
            "names": sorted(self.names.values()),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], known_similarity: float) -> StoryMemory:
        memory = cls(known_similarity)
        for key in data.get("sentences", ()):
            memory._learn_sentence(key)
        memory.facts = [
            KnownFact(value, phrase, tuple(before), tuple(after))
            for value, phrase, before, after in data.get("facts", ())
        ]
        memory.names = {name.lower(): name for name in data.get("names", ())}
        return memory


def _same_context(fact: KnownFact, mention: NumberMention) -> bool:
    """Same unit right after the number and at least two shared context words."""
    if fact.after[:1] != mention.after[:1] or not mention.after:
        return False
    context = set(mention.before[-2:]) | set(mention.after[:2])
    return len(context & (set(fact.before[-2:]) | set(fact.after[:2]))) >= 2
