"""The story index: compact per-story term vectors and an inverted index over their salient terms.

Every story keeps at most ``story_terms`` terms (id and mass, in two typed arrays), its name
terms, and its last activity time; an article is compared (and merged) by as many of its own
most salient terms. Each story is posted under its ``posted_terms`` most salient
terms. A query walks only the most recent ``posting_tail`` entries of the posting lists of the
article's ``query_terms`` most salient terms, so retrieval cost does not grow with the number of
stories; the best few candidates are then scored exactly. IDF statistics are kept up to date
on every article and applied at query time, so story vectors never hold stale weights.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


def is_figure(term: str) -> bool:
    """Whether ``term`` is a figure: digits without letters ("2013", "14,000", "5.6")."""
    return any(char.isdigit() for char in term) and not any(char.isalpha() for char in term)


@dataclass(frozen=True, slots=True)
class IndexParams:
    """Sizes that bound memory per story and work per query."""

    story_terms: int = 48
    story_names: int = 12
    posted_terms: int = 24
    query_terms: int = 16
    posting_tail: int = 256
    candidates: int = 16


@dataclass(frozen=True, slots=True)
class Candidate:
    """One story scored against an article."""

    slot: int
    cosine: float
    name_overlap: float
    shared_terms: tuple[str, ...]
    shared_names: tuple[str, ...]
    figures_only: bool = False  # every term shared is a figure (a year, a count): no "what"


class StoryIndex:
    """Story vectors, document frequencies and posting lists; no clock, no I/O."""

    def __init__(self, params: IndexParams | None = None) -> None:
        self.params = params or IndexParams()
        self.vocabulary: dict[str, int] = {}
        self.terms: list[str] = []
        self.figures: set[int] = set()  # ids of the terms that are figures (``is_figure``)
        self.document_frequency = array("i")
        self.documents = 0
        self.postings: list[array[int]] = []
        self.story_ids: list[str] = []
        self.slots: dict[str, int] = {}
        self.story_terms: list[array[int]] = []
        self.story_mass: list[array[float]] = []
        self.story_names: list[array[int]] = []
        self.story_posted: list[array[int]] = []
        self.last_active = array("d")

    # -- vocabulary and IDF ------------------------------------------------------------------

    def term_id(self, term: str) -> int:
        found = self.vocabulary.get(term)
        if found is not None:
            return found
        new_id = len(self.terms)
        self.vocabulary[term] = new_id
        self.terms.append(term)
        if is_figure(term):
            self.figures.add(new_id)
        self.document_frequency.append(0)
        self.postings.append(array("i"))
        return new_id

    def count_document(self, terms: Iterable[str]) -> None:
        """Record one more document containing ``terms`` in the IDF statistics."""
        self.documents += 1
        for term in terms:
            self.document_frequency[self.term_id(term)] += 1

    def idf(self, term_id: int) -> float:
        df = self.document_frequency[term_id] if term_id < len(self.document_frequency) else 0
        return math.log((1 + self.documents) / (1 + df)) + 1.0

    def article_vector(self, weights: Mapping[str, float]) -> dict[int, float]:
        """TF-IDF vector of an article, keyed by term id: its ``story_terms`` most salient
        terms, L2-normalised.

        A story keeps only its ``story_terms`` most salient terms, so an article is cut alike
        before the two are compared: both sides of the cosine then say what they are most
        about, and a long article's tail of passing words (background, earlier events of the
        same kind) no longer counts towards its norm nor enters a story it joins."""
        vector = {self.term_id(t): w * self.idf(self.term_id(t)) for t, w in weights.items()}
        return self._salient(vector)

    def article_vectors(self, weights: list[Mapping[str, float]]) -> list[dict[int, float]]:
        """``article_vector`` of each of several articles, each term's IDF computed once."""
        idf: dict[str, float] = {}
        vectors: list[dict[int, float]] = []
        for article in weights:
            vector: dict[int, float] = {}
            for term, weight in article.items():
                if term not in idf:
                    idf[term] = self.idf(self.term_id(term))
                vector[self.vocabulary[term]] = weight * idf[term]
            vectors.append(self._salient(vector))
        return vectors

    def _salient(self, vector: dict[int, float]) -> dict[int, float]:
        """The ``story_terms`` heaviest entries of ``vector``, L2-normalised (ties go by the
        terms' spelling, not their ids, which a tracker rebuilt from snapshots numbers anew)."""
        kept = self.params.story_terms
        if len(vector) > kept:
            terms = self.terms
            heaviest = heapq.nlargest(kept, vector.items(), key=lambda kv: (kv[1], terms[kv[0]]))
            vector = dict(heaviest)
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {t: v / norm for t, v in vector.items()}

    # -- stories -------------------------------------------------------------------------------

    def add_story(
        self, story_id: str, vector: Mapping[int, float], names: Iterable[int], active_at: float
    ) -> int:
        slot = len(self.story_ids)
        self.story_ids.append(story_id)
        self.slots[story_id] = slot
        self.story_terms.append(array("i"))
        self.story_mass.append(array("f"))
        self.story_names.append(array("i"))
        self.story_posted.append(array("i"))
        self.last_active.append(active_at)
        self.merge(slot, vector, names, active_at)
        return slot

    def restore_story(
        self, story_id: str, mass: list[tuple[int, float]], names: list[int], active_at: float
    ) -> int:
        """Put back a story exactly as a snapshot recorded it (terms, masses, names)."""
        slot = self.add_story(story_id, {}, (), active_at)
        self.story_terms[slot] = array("i", (t for t, _ in mass))
        self.story_mass[slot] = array("f", (m for _, m in mass))
        self.story_names[slot] = array("i", names)
        self._post(slot, [t for t, _ in mass[: self.params.posted_terms]])
        return slot

    def merge(
        self, slot: int, vector: Mapping[int, float], names: Iterable[int], active_at: float
    ) -> None:
        """Add an article's vector to a story, keep its most salient terms, post new ones."""
        mass = dict(zip(self.story_terms[slot], self.story_mass[slot], strict=True))
        for term, weight in vector.items():
            mass[term] = mass.get(term, 0.0) + weight / max(self.idf(term), 1e-9)
        ranked = heapq.nlargest(
            self.params.story_terms, mass.items(), key=lambda item: item[1] * self.idf(item[0])
        )
        self.story_terms[slot] = array("i", (t for t, _ in ranked))
        self.story_mass[slot] = array("f", (m for _, m in ranked))
        kept = set(self.story_terms[slot])
        merged_names = [n for n in dict.fromkeys([*names, *self.story_names[slot]]) if n in kept]
        self.story_names[slot] = array("i", merged_names[: self.params.story_names])
        self.last_active[slot] = max(self.last_active[slot], active_at)
        self._post(slot, [t for t, _ in ranked[: self.params.posted_terms]])

    def _post(self, slot: int, salient: list[int]) -> None:
        posted = self.story_posted[slot]
        already = set(posted)
        for term in salient:
            if term not in already:
                self.postings[term].append(slot)
                posted.append(term)

    def story_vector(self, slot: int) -> dict[int, float]:
        """A story's centroid as an L2-normalised TF-IDF vector, comparable to an article's."""
        vector = {
            t: m * self.idf(t)
            for t, m in zip(self.story_terms[slot], self.story_mass[slot], strict=True)
        }
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {t: v / norm for t, v in vector.items()}

    def absorb(self, slot: int, other: int) -> None:
        """Add story ``other``'s terms and names to ``slot``; ``other`` is never offered again."""
        vector = {
            t: m * self.idf(t)
            for t, m in zip(self.story_terms[other], self.story_mass[other], strict=True)
        }
        self.merge(slot, vector, self.story_names[other], self.last_active[other])
        self.last_active[other] = -math.inf

    def reset(self, slot: int) -> None:
        """Empty a story's terms and names, to add its articles' vectors anew (its postings
        stay: a stale posting only offers the story as a candidate, scored exactly)."""
        self.story_terms[slot] = array("i")
        self.story_mass[slot] = array("f")
        self.story_names[slot] = array("i")

    def touch(self, slot: int, active_at: float) -> None:
        self.last_active[slot] = max(self.last_active[slot], active_at)

    # -- retrieval -----------------------------------------------------------------------------

    def candidates(
        self, vector: Mapping[int, float], name_terms: Iterable[int], active_since: float
    ) -> list[Candidate]:
        """Active stories sharing salient terms with ``vector``, best first."""
        query = heapq.nlargest(self.params.query_terms, vector.items(), key=lambda kv: kv[1])
        votes: dict[int, float] = {}
        tail = self.params.posting_tail
        for term, weight in query:
            for slot in self.postings[term][-tail:]:
                votes[slot] = votes.get(slot, 0.0) + weight
        shortlist = heapq.nlargest(self.params.candidates, votes.items(), key=lambda kv: kv[1])
        names = set(name_terms)
        scored = [
            self._score(slot, vector, names)
            for slot, _ in shortlist
            if self.last_active[slot] >= active_since
        ]
        return sorted(scored, key=lambda c: (-c.cosine - c.name_overlap, c.slot))

    def _score(self, slot: int, vector: Mapping[int, float], names: set[int]) -> Candidate:
        terms, masses = self.story_terms[slot], self.story_mass[slot]
        story = {t: m * self.idf(t) for t, m in zip(terms, masses, strict=True)}
        norm = math.sqrt(sum(v * v for v in story.values())) or 1.0
        products = {t: vector[t] * v / norm for t, v in story.items() if t in vector}
        shared = heapq.nlargest(8, products, key=lambda t: products[t])
        story_names = set(self.story_names[slot])
        shared_names = names & story_names
        overlap = (
            sum(self.idf(t) for t in shared_names) / sum(self.idf(t) for t in names)
            if names
            else 0.0
        )
        return Candidate(
            slot=slot,
            cosine=sum(products.values()),
            name_overlap=overlap,
            shared_terms=tuple(self.terms[t] for t in shared),
            shared_names=tuple(sorted(self.terms[t] for t in shared_names)),
            figures_only=bool(products) and products.keys() <= self.figures,
        )
