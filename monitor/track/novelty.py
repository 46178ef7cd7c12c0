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
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from monitor.lang import ENGLISH, Language, language_for
from monitor.models import ChangedFact
from monitor.track.text import NumberMention, comparison_form, number_value, numbers_in, words

KNOWN_SIMILARITY = 0.6
EDIT_SIMILARITY = 0.5


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
    (its first article's), in which sentence terms are compared."""

    def __init__(self, known_similarity: float = KNOWN_SIMILARITY, language: str = "en") -> None:
        self.known_similarity = known_similarity
        self.language = language
        self.profile = language_for(language)
        self.keys: set[str] = set()
        self.sentence_terms: list[tuple[str, frozenset[str]]] = []  # (key, terms), in order
        self.by_term: dict[str, list[int]] = {}
        self.facts: list[KnownFact] = []
        self.names: dict[str, str] = {}
        self.rare: dict[str, list[str]] = {}  # rare term (caseless script) → outlets using it

    # -- queries ---------------------------------------------------------------------------

    def knows(self, key: str) -> bool:
        """Whether the story carried this sentence, or a near-duplicate of it."""
        if key in self.keys:
            return True
        terms = sentence_terms(key, self.profile)
        if not terms:
            return True
        return any(score >= self.known_similarity for _, score in self._similar(terms))

    def _similar(self, terms: frozenset[str]) -> Iterable[tuple[int, float]]:
        """Known sentences sharing terms with ``terms``, with their Jaccard similarity."""
        overlaps: dict[int, int] = {}
        for term in terms:
            for index in self.by_term.get(term, ()):
                overlaps[index] = overlaps.get(index, 0) + 1
        for index, shared in overlaps.items():
            union = len(terms) + len(self.sentence_terms[index][1]) - shared
            yield index, shared / union

    def edited_from(self, key: str) -> str | None:
        """The known sentence ``key`` is an edit of (the most similar, at least
        ``EDIT_SIMILARITY``), or None."""
        best, best_score = None, EDIT_SIMILARITY
        for index, score in self._similar(sentence_terms(key, self.profile)):
            if score > best_score or (score == best_score and best is not None and index > best):
                best, best_score = index, score
        return self.sentence_terms[best][0] if best is not None else None

    def knows_name(self, name: str) -> bool:
        """Whether the story mentioned ``name``, or a name containing it or contained in it,
        compared by stems so that inflected forms ("Израиля", "Израиль") are one name."""
        lowered = name.lower()
        if lowered in self.names:
            return True
        if any(lowered in known or known in lowered for known in self.names):
            return True
        key = self._name_key(name)
        known_keys = (self._name_key(known) for known in self.names.values())
        return any(key in known or known in key for known in known_keys)

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
        unseen = [(s, k) for s, k in zip(sentences, keys, strict=True) if k not in self.keys]
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
                if any(f.value == mention.value for f in self.facts if _same_context(f, mention)):
                    continue  # reported in this context before: a flip-flop
                found.setdefault(
                    (previous.phrase, mention.phrase),
                    ChangedFact(previous.phrase, mention.phrase, sentence),
                )
        return list(found.values())

    def _same_context_numbers(
        self, mentions: Sequence[NumberMention]
    ) -> list[tuple[KnownFact, NumberMention]]:
        """Each number with the latest known number of the same unit and context."""
        pairs = []
        for mention in mentions:
            same_context = [f for f in self.facts if _same_context(f, mention)]
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
        old_facts = [f for f in self.facts if f.key == old_key]
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
        which outlet used each ``rare`` term; one used by two outlets is a name from then on."""
        for term in self.recurring(rare):
            self._learn_name(term)
        for term in rare.terms:
            self._learn_rare(self._rare_key(term), rare.outlet)
        for sentence in sentences:
            key = comparison_form(sentence)
            self._learn_sentence(key)
            for mention in numbers_in(sentence, language=language):
                self.facts.append(
                    KnownFact(mention.value, mention.phrase, mention.before, mention.after, key)
                )
        for name in names:
            self._learn_name(name)

    def _learn_name(self, name: str) -> None:
        self.names.setdefault(name.lower(), name)

    def _rare_key(self, term: str) -> str:
        """Rare terms are compared by stem: "בשארם" and "לשארם" are one term."""
        return self.profile.stem(term.lower())

    def _learn_rare(self, term: str, outlet: str) -> None:
        outlets = self.rare.get(term)
        if outlets is None and len(self.rare) < MAX_RARE_TERMS:
            self.rare[term] = [outlet]
        elif outlets is not None and outlet not in outlets and len(outlets) < 2:
            outlets.append(outlet)

    def _learn_sentence(self, key: str) -> None:
        if key in self.keys or not key:
            return
        self.keys.add(key)
        terms = sentence_terms(key, self.profile)
        index = len(self.sentence_terms)
        self.sentence_terms.append((key, terms))
        for term in terms:
            self.by_term.setdefault(term, []).append(index)

    # -- snapshots -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "sentences": [key for key, _ in self.sentence_terms],
            "facts": [
                [f.value, f.phrase, list(f.before), list(f.after), f.key] for f in self.facts
            ],
            "names": sorted(self.names.values()),
            **({"rare": dict(sorted(self.rare.items()))} if self.rare else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], known_similarity: float) -> StoryMemory:
        memory = cls(known_similarity, str(data.get("language") or "en"))
        for key in data.get("sentences", ()):
            memory._learn_sentence(key)
        memory.facts = [
            KnownFact(fact[0], fact[1], tuple(fact[2]), tuple(fact[3]), str(_at(fact, 4, "")))
            for fact in data.get("facts", ())
        ]
        for name in data.get("names", ()):
            memory._learn_name(name)
        memory.rare = {
            str(t): [str(o) for o in outlets] for t, outlets in data.get("rare", {}).items()
        }
        return memory


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
