"""What a story already knows, and what a new article or revision adds to it.

A story remembers every sentence any of its articles carried (in comparison form), the numbers
it reported with their context and sentence, and the names it mentioned. Against that memory a
new version yields: new sentences (no exact or near-duplicate sentence known), changed facts,
and new names.

A changed fact pairs a number with the number it replaced in the same context. When the new
sentence is an edit of a sentence the story knows, the two are aligned word by word and only a
number that took the place of another is paired with it ("43" → "50", never the "82" elsewhere
in the sentence). A number in a sentence the story never carried is paired with a known number
of the same unit and context words ("at least 24 Palestinians" → "at least 30 Palestinians").
Either way the new value must never have been reported in that context, so a flip-flop is not
reported twice.

The memory is bounded by design: at most ``MAX_SENTENCES`` sentences, ``MAX_FACTS`` facts and
``MAX_NAMES`` names per story, the least recently seen forgotten first, and a store keeps it
item by item (``MemoryItem``), writing only what one observation changed (``MemoryDelta``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from monitor.lang import ENGLISH, Language, language_for
from monitor.models import (
    FACT,
    NAME,
    RARE,
    SENTENCE,
    ChangedFact,
    MemoryDelta,
    MemoryItem,
    item_digest,
)
from monitor.track.text import NumberMention, comparison_form, number_value, numbers_in, words

KNOWN_SIMILARITY = 0.6
EDIT_SIMILARITY = 0.5
MAX_SENTENCES = 2000
MAX_FACTS = 2000
MAX_NAMES = 1000


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
    key: str = ""  # the comparison form of the sentence it was reported in


def sentence_terms(key: str, language: Language = ENGLISH) -> frozenset[str]:
    """Content words of a sentence in comparison form, for near-duplicate tests."""
    stopwords = language.stopwords
    return frozenset(language.stem(w) for w in key.split() if w not in stopwords)


@dataclass(frozen=True, slots=True)
class RareTerms:
    """The terms of an article rare in its language (where case says nothing) and its outlet."""

    terms: tuple[str, ...] = ()
    outlet: str = ""


NO_RARE_TERMS = RareTerms()
MAX_RARE_TERMS = 1000  # per story: the rare terms remembered to find the recurring ones


class StoryMemory:
    """Sentences, numbers and names one story has carried so far; ``language`` is the story's
    (its first article's), in which sentence terms are compared.

    What a story knows is three sets keyed by comparison form: sentences (their comparison
    form), facts (a number with its context and sentence) and names (lower-cased). Each set
    is ordered by when an item was last seen and capped (``MAX_SENTENCES``, ``MAX_FACTS``,
    ``MAX_NAMES``): seeing an item again makes it the newest, and past the cap the least
    recently seen is forgotten. So a live blog revised a thousand times keeps what its current
    text says and the recent past, not every version of every number. Changes since the last
    ``drain`` are kept as a ``MemoryDelta`` so a store writes only what changed.
    """

    __slots__ = (
        "_dirty",
        "_gone",
        "_ids",
        "_next_id",
        "by_term",
        "clock",
        "facts",
        "known_similarity",
        "language",
        "names",
        "profile",
        "rare",
        "sentences",
    )

    def __init__(self, known_similarity: float = KNOWN_SIMILARITY, language: str = "en") -> None:
        self.known_similarity = known_similarity
        self.language = language
        self.profile = language_for(language)
        self.sentences: dict[str, tuple[int, frozenset[str]]] = {}  # key: (id, terms)
        self._ids: dict[int, str] = {}  # sentence id: key
        self._next_id = 0
        self.by_term: dict[str, list[int]] = {}  # term: ids of the sentences holding it
        self.facts: dict[tuple[str, tuple[str, ...], tuple[str, ...], str], KnownFact] = {}
        self.names: dict[str, tuple[str, str]] = {}  # lower-cased: (name, stemmed key)
        self.clock = 0  # the recency stamp of the last item drained
        self._dirty: dict[tuple[str, Any], Any] | None = None  # (kind, identity): stored value
        self._gone: dict[str, None] | None = None  # digests of forgotten items
        self.rare: dict[str, list[str]] = {}  # rare term (caseless script) → outlets using it

    # -- queries ---------------------------------------------------------------------------

    def knows(self, key: str) -> bool:
        """Whether the story carried this sentence, or a near-duplicate of it."""
        if key in self.sentences:
            return True
        terms = sentence_terms(key, self.profile)
        if not terms:
            return True
        similar = self._similar(terms, self.known_similarity)
        return any(score >= self.known_similarity for _, score in similar)

    def _similar(self, terms: frozenset[str], at_least: float) -> Iterable[tuple[int, float]]:
        """Known sentences (by id) that may reach Jaccard similarity ``at_least`` with
        ``terms``, with their similarity.

        A sentence that shares at least ``at_least`` of the union shares at least that share of
        ``terms``, so it holds one of the ``n - required + 1`` terms with the shortest posting
        lists: only those lists are walked (exact, and cheap when common words abound).
        """
        required = max(1, math.ceil(at_least * len(terms) - 1e-9))
        rarest = sorted(terms, key=lambda t: len(self.by_term.get(t, ())))
        candidates: set[int] = set()
        for term in rarest[: len(terms) - required + 1]:
            candidates.update(self.by_term.get(term, ()))
        for index in sorted(candidates):
            known = self.sentences[self._ids[index]][1]
            shared = len(terms & known)
            yield index, shared / (len(terms) + len(known) - shared)

    def edited_from(self, key: str) -> str | None:
        """The known sentence ``key`` is an edit of (the most similar, at least
        ``EDIT_SIMILARITY``), or None."""
        best, best_score = None, EDIT_SIMILARITY
        for index, score in self._similar(sentence_terms(key, self.profile), EDIT_SIMILARITY):
            if score > best_score or (score == best_score and best is not None and index > best):
                best, best_score = index, score
        return self._ids[best] if best is not None else None

    def knows_name(self, name: str) -> bool:
        """Whether the story mentioned ``name``, or a name containing it or contained in it,
        compared by stems so that inflected forms ("Израиля", "Израиль") are one name."""
        lowered = name.lower()
        if lowered in self.names:
            return True
        if any(lowered in known or known in lowered for known in self.names):
            return True
        key = self._name_key(name)
        return any(key in known or known in key for _, known in self.names.values())

    def recurring(self, rare: RareTerms) -> list[str]:
        """The ``rare`` terms another outlet than theirs used in the story and that are not
        yet among its names; of forms with one stem ("בשארם", "שארם") the shortest."""
        forms: dict[str, str] = {}
        for term in rare.terms:
            key = self._rare_key(term)
            if key not in forms or len(term) < len(forms[key]):
                forms[key] = term
        return [
            term
            for key, term in forms.items()
            if any(o != rare.outlet for o in self.rare.get(key, ())) and not self.knows_name(term)
        ]

    def _name_key(self, name: str) -> str:
        return " ".join(self.profile.stem(w) for w in words(name))

    def assess(
        self,
        sentences: Sequence[str],
        names: Iterable[str],
        language: Language = ENGLISH,
        rare: RareTerms = NO_RARE_TERMS,
    ) -> Novelty:
        """What ``sentences`` (one version of an article in ``language``) and ``names`` add; a
        ``rare`` term of a new sentence that another outlet of the story used too is a new
        name (a typo fixed into a word another outlet used is not news)."""
        keys = [comparison_form(s) for s in sentences]
        unseen = [(s, k) for s, k in zip(sentences, keys, strict=True) if k not in self.sentences]
        new = [s for s, k in unseen if not self.knows(k)]
        facts = self._changed_facts(unseen, language)
        new_text = " ".join(new)
        entities = [n for n in dict.fromkeys(names) if n in new_text and not self.knows_name(n)]
        recurring = self.recurring(rare)
        entities.extend(t for t in recurring if t in new_text and t not in entities)
        total = sum(len(words(s)) for s in sentences) or 1
        score = min(1.0, sum(len(words(s)) for s in new) / total + 0.25 * len(facts))
        return Novelty(tuple(new), tuple(facts), tuple(entities), round(score, 3))

    def _changed_facts(
        self, sentences: Iterable[tuple[str, str]], language: Language
    ) -> list[ChangedFact]:
        found: dict[tuple[str, str], ChangedFact] = {}
        for sentence, key in sentences:
            mentions = numbers_in(sentence, language=language)
            if not mentions:
                continue
            edited = self.edited_from(key)
            if edited is not None:
                pairs = self._replaced_numbers(edited, key, mentions, language)
            else:
                pairs = self._same_context_numbers(mentions)
            for previous, mention in pairs:
                if any(
                    f.value == mention.value and _same_context(f, mention)
                    for f in self.facts.values()
                ):
                    continue  # reported in this context before: a flip-flop
                found.setdefault(
                    (previous.phrase, mention.phrase),
                    ChangedFact(previous.phrase, mention.phrase, sentence),
                )
        return list(found.values())

    def _same_context_numbers(
        self, mentions: Sequence[NumberMention]
    ) -> list[tuple[KnownFact, NumberMention]]:
        """Each number with the most recently seen known number of the same unit and context."""
        pairs = []
        for mention in mentions:
            same_context = [f for f in self.facts.values() if _same_context(f, mention)]
            if same_context:
                pairs.append((same_context[-1], mention))
        return pairs

    def _replaced_numbers(
        self, old_key: str, new_key: str, mentions: Sequence[NumberMention], language: Language
    ) -> list[tuple[KnownFact, NumberMention]]:
        """Numbers of the new sentence that took the place of numbers of the sentence it edits,
        aligned word by word; a replaced run pairs its numbers only when it holds as many on
        both sides, so no number is ever paired with an unrelated one."""
        old_words, new_words = old_key.split(), new_key.split()
        matcher = SequenceMatcher(None, old_words, new_words, autojunk=False)
        old_facts = [f for f in self.facts.values() if f.key == old_key]
        pairs = []
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op != "replace":
                continue
            old_values = _values(old_words[i1:i2], language)
            new_values = _values(new_words[j1:j2], language)
            if not old_values or len(old_values) != len(new_values):
                continue
            for old_value, new_value in zip(old_values, new_values, strict=True):
                fact = next((f for f in old_facts if f.value == old_value), None)
                mention = next((m for m in mentions if m.value == new_value), None)
                if fact is not None and mention is not None and old_value != new_value:
                    pairs.append((fact, mention))
        return pairs

    # -- updates ---------------------------------------------------------------------------

    def learn(
        self,
        sentences: Sequence[str],
        names: Iterable[str],
        language: Language = ENGLISH,
        rare: RareTerms = NO_RARE_TERMS,
    ) -> None:
        """Remember ``sentences`` (in ``language``) and ``names`` as carried by the story, and
        which outlet used each ``rare`` term (one used by two outlets is a name from then on):
        new items are added, known ones become the most recently seen, the oldest past a cap go."""
        for term in self.recurring(rare):
            self._learn_name(term)
        for term in rare.terms:
            self._learn_rare(self._rare_key(term), rare.outlet)
        for sentence in sentences:
            key = comparison_form(sentence)
            self._learn_sentence(key)
            for mention in numbers_in(sentence, language=language):
                self._learn_fact(
                    KnownFact(mention.value, mention.phrase, mention.before, mention.after, key)
                )
        for name in names:
            self._learn_name(name)
        self._forget_oldest()

    def _learn_name(self, name: str) -> None:
        lowered = name.lower()
        entry = self.names.pop(lowered, None) or (name, self._name_key(name))
        self.names[lowered] = entry
        self._touched(NAME, lowered, entry[0])

    def _learn_fact(self, fact: KnownFact) -> None:
        identity = _fact_identity(fact)
        self.facts.pop(identity, None)
        self.facts[identity] = fact
        self._touched(FACT, identity, _fact_value(fact))

    def _rare_key(self, term: str) -> str:
        """Rare terms are compared by stem: "בשארם" and "לשארם" are one term."""
        return self.profile.stem(term.lower())

    def _learn_rare(self, term: str, outlet: str) -> None:
        outlets = self.rare.get(term)
        if outlets is None and len(self.rare) < MAX_RARE_TERMS:
            self.rare[term] = [outlet]
        elif outlets is not None and outlet not in outlets and len(outlets) < 2:
            outlets.append(outlet)
        else:
            return
        self._touched(RARE, term, [term, list(self.rare[term])])

    def _learn_sentence(self, key: str) -> None:
        if not key:
            return
        entry = self.sentences.pop(key, None)
        if entry is None:
            entry = (self._next_id, sentence_terms(key, self.profile))
            self._next_id += 1
            self._ids[entry[0]] = key
            for term in entry[1]:
                self.by_term.setdefault(term, []).append(entry[0])
        self.sentences[key] = entry
        self._touched(SENTENCE, key, key)

    def _forget_oldest(self) -> None:
        """Drop the least recently seen items of every set over its cap."""
        while len(self.sentences) > MAX_SENTENCES:
            key = next(iter(self.sentences))
            index, terms = self.sentences.pop(key)
            del self._ids[index]
            for term in terms:
                postings = self.by_term[term]
                postings.remove(index)
                if not postings:
                    del self.by_term[term]
            self._forgot(SENTENCE, key, key)
        while len(self.facts) > MAX_FACTS:
            identity = next(iter(self.facts))
            self._forgot(FACT, identity, _fact_value(self.facts.pop(identity)))
        while len(self.names) > MAX_NAMES:
            lowered = next(iter(self.names))
            self._forgot(NAME, lowered, self.names.pop(lowered)[0])

    def _touched(self, kind: str, identity: Any, value: Any) -> None:
        if self._dirty is None:
            self._dirty = {}
        self._dirty.pop((kind, identity), None)
        self._dirty[(kind, identity)] = value

    def _forgot(self, kind: str, identity: Any, value: Any) -> None:
        if self._dirty is not None:
            self._dirty.pop((kind, identity), None)
        if self._gone is None:
            self._gone = {}
        self._gone[item_digest(kind, value)] = None

    # -- storage ---------------------------------------------------------------------------

    def drain(self) -> MemoryDelta:
        """What changed since the last drain: items seen (stamped newest last) and forgotten."""
        upserts = []
        for (kind, _), value in (self._dirty or {}).items():
            self.clock += 1
            upserts.append(MemoryItem(kind, value, self.clock))
        delta = MemoryDelta(tuple(upserts), tuple(self._gone or ()))
        self._dirty = self._gone = None
        return delta

    @classmethod
    def from_items(
        cls,
        items: Iterable[MemoryItem],
        known_similarity: float = KNOWN_SIMILARITY,
        language: str = "en",
        clock: int = 0,
    ) -> StoryMemory:
        """A memory as a store kept it: its items, replayed oldest first."""
        memory = cls(known_similarity, language)
        for item in sorted(items, key=lambda i: i.seq):
            memory.restore(item)
            memory.clock = max(memory.clock, item.seq)
        memory.clock = max(memory.clock, clock)
        memory._dirty = None  # what the store holds already
        memory._forget_oldest()  # past a cap lowered since: the next save deletes those
        return memory

    def restore(self, item: MemoryItem) -> None:
        """Put back one stored item as the most recently seen."""
        if item.kind == SENTENCE:
            self._learn_sentence(str(item.value))
        elif item.kind == FACT:
            value, phrase, before, after, key = item.value
            self._learn_fact(KnownFact(value, phrase, tuple(before), tuple(after), key))
        elif item.kind == NAME:
            self._learn_name(str(item.value))
        elif item.kind == RARE:
            self.rare[str(item.value[0])] = [str(outlet) for outlet in item.value[1]]

    @classmethod
    def from_dict(cls, data: dict[str, Any], known_similarity: float) -> StoryMemory:
        """A memory from a story snapshot of before the memory was stored item by item; every
        item is pending, so the next save writes it out."""
        memory = cls(known_similarity, str(data.get("language") or "en"))
        for key in data.get("sentences", ()):
            memory._learn_sentence(key)
        for fact in data.get("facts", ()):
            memory._learn_fact(
                KnownFact(fact[0], fact[1], tuple(fact[2]), tuple(fact[3]), str(_at(fact, 4, "")))
            )
        for name in data.get("names", ()):
            memory._learn_name(name)
        for term, outlets in data.get("rare", {}).items():
            memory.rare[str(term)] = [str(o) for o in outlets]
            memory._touched(RARE, str(term), [str(term), memory.rare[str(term)]])
        memory._forget_oldest()
        return memory


def _fact_identity(fact: KnownFact) -> tuple[str, tuple[str, ...], tuple[str, ...], str]:
    return (fact.value, fact.before, fact.after, fact.key)


def _fact_value(fact: KnownFact) -> list[Any]:
    return [fact.value, fact.phrase, list(fact.before), list(fact.after), fact.key]


def _same_context(fact: KnownFact, mention: NumberMention) -> bool:
    """Same unit right after the number and at least two shared context words."""
    if fact.after[:1] != mention.after[:1] or not mention.after:
        return False
    context = set(mention.before[-2:]) | set(mention.after[:2])
    return len(context & (set(fact.before[-2:]) | set(fact.after[:2]))) >= 2


def _values(tokens: Sequence[str], language: Language) -> list[str]:
    return [v for v in (number_value(t, language) for t in tokens) if v is not None]


def _at(items: Sequence[Any], index: int, default: Any) -> Any:
    """``items[index]``, or ``default`` for snapshots written before the field existed."""
    return items[index] if len(items) > index else default
