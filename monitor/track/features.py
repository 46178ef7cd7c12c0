"""What the tracker reads out of one article version: its sentences, terms, names and sketch."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from monitor.lang import Language, language_for
from monitor.lang.detect import detect_language
from monitor.lang.rarity import rare_terms
from monitor.lang.scripts import starts_uncased
from monitor.models import Article
from monitor.track.dates import dates_in
from monitor.track.text import (
    bottom_k,
    comparison_form,
    content_terms,
    is_stamp,
    is_year,
    names_in,
    shingle_hashes,
    split_sentences,
    words,
)

SKETCH_SIZE = 64
TITLE_WEIGHT = 2.0  # the headline's terms, and the lede's, count this many times
LEAD_SENTENCES = 1  # the lede: the body's first sentence
NAME_PREFIX = "name:"


@dataclass(frozen=True, slots=True)
class ArticleText:
    """The comparable text of one version of an article: headline and body sentences."""

    title: str
    sentences: tuple[str, ...]
    language: str = "en"
    keywords: tuple[str, ...] = ()  # the page's own subject terms, taken as names

    @property
    def profile(self) -> Language:
        """What the engine knows about the language the article is written in."""
        return language_for(self.language)

    @property
    def title_key(self) -> str:
        return comparison_form(self.title)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(comparison_form(s) for s in self.sentences)

    @property
    def fingerprint(self) -> str:
        """Changes exactly when the normalised headline or body changes."""
        joined = "\n".join((self.title_key, *(k for k in self.keys if k)))
        return hashlib.blake2b(joined.encode(), digest_size=12).hexdigest()


MAX_TRACKED_CHARS = 100_000


def article_text(article: Article) -> ArticleText:
    """The sentences of ``article``, minus "Updated 5 minutes ago" stamps and empty units, cut
    by the rules of the article's language (the page's, else detected from its text).

    Only the first ``MAX_TRACKED_CHARS`` characters of text are tracked: the longest real
    articles hold a fifth of that, and a hostile page of megabytes would otherwise hold the
    event loop for as many seconds as it is long."""
    title = " ".join((article.title or "").split())
    code = article.language or detect_language(" ".join((title, *article.paragraphs[:4])))
    language = language_for(code)
    sentences: list[str] = []
    budget = MAX_TRACKED_CHARS
    for paragraph in article.paragraphs:
        if budget <= 0:
            break
        for sentence in split_sentences(paragraph[:budget], language):
            if budget > 0 and not is_stamp(sentence):
                sentences.append(sentence[:budget])
                budget -= len(sentence)
    kept = tuple(s for s in sentences if comparison_form(s))
    return ArticleText(title, kept, language.code, tuple(article.keywords))


@dataclass(frozen=True, slots=True)
class ArticleFeatures:
    """Bag-of-terms view used for story matching and duplicate detection."""

    term_weights: dict[str, float]
    name_terms: frozenset[str]
    names: tuple[str, ...]
    sketch: tuple[int, ...]
    years: frozenset[int] = frozenset()
    # In a script without case: terms rare in the language, names once they recur across
    # the story's outlets (see ``StoryMemory``).
    rare_terms: tuple[str, ...] = ()
    dates: frozenset[int] = frozenset()  # the days it mentions, as date ordinals


@dataclass(frozen=True, slots=True)
class TermBoosts:
    """How much more than an ordinary word each kind of term counts in the story vectors."""

    name: float = 2.0
    phrase: float = 1.0
    number: float = 1.0
    year: float = 1.0


def article_features(text: ArticleText, boosts: TermBoosts | None = None) -> ArticleFeatures:
    """Sublinear term frequencies, the years the article mentions, and a shingle sketch.

    The headline and the lede (the body's first sentence) count twice: news says what
    happened, to whom and where first, and leaves to the body the background (earlier events
    of the same kind) that two look-alike events share. Words of names are boosted by
    ``boosts.name``, and every name of two or more words ("Betty Ford Center") is one more
    term of weight ``boosts.phrase``: full names tell two events of the same kind apart better
    than their single words do. Numbers ("8900", "4.6", "23") and years are boosted too: two
    events of one kind share their vocabulary and often their actors, but rarely their figures
    and never their year. The full dates it mentions are collected apart; their days and
    months are no terms.
    """
    boosts = boosts or TermBoosts()
    language = text.profile
    all_sentences = (text.title, *text.sentences) if text.title else text.sentences
    names = tuple(dict.fromkeys([*names_in(all_sentences, language), *text.keywords]))
    name_words = frozenset(w for name in names for w in words(name) if len(w) > 1)
    name_terms = frozenset(language.name_stem(w) for w in name_words)
    counts: dict[str, float] = {}
    dates: set[int] = set()
    weighted = [(text.title, TITLE_WEIGHT)] + [
        (sentence, TITLE_WEIGHT if index < LEAD_SENTENCES else 1.0)
        for index, sentence in enumerate(text.sentences)
    ]
    for sentence, weight in weighted:
        mentioned, rest = dates_in(sentence)
        dates.update(day.toordinal() for day in mentioned)
        for term in content_terms(rest, language, name_words):
            counts[term] = counts.get(term, 0.0) + weight
    years = frozenset(int(term) for term in counts if is_year(term))
    weights = {
        term: (1.0 + math.log(count)) * _boost(term, name_terms, years, boosts)
        for term, count in counts.items()
    }
    for name in names:
        words_of_name = words(name)
        if len(words_of_name) > 1 and boosts.phrase > 0:
            weights[NAME_PREFIX + " ".join(words_of_name)] = boosts.phrase
    tokens = [w for s in text.sentences for w in words(s)]
    sketch = bottom_k(shingle_hashes(tokens), SKETCH_SIZE)
    rare = tuple(rare_terms(all_sentences, language)) if _caseless(all_sentences) else ()
    return ArticleFeatures(weights, name_terms, names, sketch, years, rare, frozenset(dates))


def _caseless(sentences: tuple[str, ...]) -> bool:
    """Whether most letters of the text's start are of scripts without capital letters."""
    sample = "".join(sentences[:4])
    letters = [ch for ch in sample if ch.isalpha()]
    return sum(1 for ch in letters if starts_uncased(ch)) * 2 > len(letters)


def _boost(
    term: str, name_terms: frozenset[str], years: frozenset[int], boosts: TermBoosts
) -> float:
    """The product of the boosts that apply to ``term`` (a name word can be a number too)."""
    boost = boosts.name if term in name_terms else 1.0
    if term.isdigit() and int(term) in years:
        return boost * boosts.year
    if any(char.isdigit() for char in term):
        return boost * boosts.number
    return boost
