"""The tracker: observations of article pages in, story decisions and developments out.

``Tracker.observe`` decides, for one fetched version of one article, whether it is unchanged,
a revision of an article it knows, a near-duplicate of an article of a story (syndicated copy),
a new article of an ongoing story, or the start of a new story; and what that adds to the story.
It is pure: the caller passes ``fetched_at``; nothing here reads a clock, logs, or does I/O.
Each result carries JSON-ready snapshots of the story and the article it touched, so a store can
persist them in the same transaction and ``Tracker.from_snapshots`` can rebuild the state.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from monitor.config import TrackingConfig
from monitor.defaults import DORMANT_AFTER
from monitor.extract.liveblog import post_paragraphs
from monitor.models import (
    Article,
    Development,
    DevelopmentKind,
    MemoryDelta,
    MemoryItem,
    Post,
    StoryMatch,
    StorySplit,
)
from monitor.track.dates import days_apart
from monitor.track.features import (
    SKETCH_SIZE,
    ArticleFeatures,
    ArticleText,
    TermBoosts,
    article_features,
    article_text,
)
from monitor.track.index import Candidate, IndexParams, StoryIndex
from monitor.track.novelty import KNOWN_SIMILARITY, Novelty, RareTerms, StoryMemory
from monitor.track.posts import PostFingerprints, diff_posts, post_fingerprints
from monitor.track.revisions import RevisionDiff, diff_revisions
from monitor.track.split import SplitParams, two_groups
from monitor.track.text import is_year, sketch_similarity, words

SNAPSHOT_VERSION = 1
STORY_YEARS = 12
SPLIT_WINDOW = 48  # a story's latest articles looked at for a split
FINGERPRINTS = 100  # versions of an article remembered, to tell a revert from news


class TrackEvent(StrEnum):
    NEW_STORY = "new_story"
    JOINED_STORY = "joined_story"
    REVISION = "revision"
    DUPLICATE = "duplicate"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class TrackConfig:
    """The one configuration of the engine; the defaults are the measured ones."""

    join_threshold: float = 0.25
    merge_threshold: float = 0.5
    small_story: int = 2  # stories of this many articles at most are gathered into a grown one
    gather_threshold: float = 0.25  # the score each of their articles needs with the grown one
    name_boost: float = 2.0
    name_phrase_weight: float = 1.0
    number_boost: float = 3.0
    year_boost: float = 5.0
    year_conflict: float = 0.7
    date_conflict: float = 0.7
    other_language: float = 0.5
    duplicate_similarity: float = 0.85
    duplicate_window: int = 100
    recent_articles: int = 8  # a story's last articles an article is also compared with
    known_similarity: float = KNOWN_SIMILARITY
    dormant_after: timedelta = timedelta(seconds=DORMANT_AFTER)
    time_scale: timedelta = timedelta(days=7)
    index: IndexParams = field(default_factory=IndexParams)
    split: SplitParams = field(default_factory=SplitParams)


def track_config(tracking: TrackingConfig) -> TrackConfig:
    """The engine configuration the ``tracking`` section of the settings asks for."""
    return TrackConfig(
        join_threshold=tracking.join_threshold,
        dormant_after=timedelta(seconds=tracking.dormant_after),
    )


@dataclass(frozen=True, slots=True)
class Observation:
    """One fetched version of one article page."""

    source: str
    url: str
    fetched_at: datetime
    article: Article


@dataclass(frozen=True, slots=True)
class TrackResult:
    """What the tracker made of one observation, and the state to persist with it."""

    event: TrackEvent
    story_id: str
    url: str
    match: StoryMatch
    development: Development | None = None
    revision: int = 0
    diff: RevisionDiff | None = None
    duplicate_of: str | None = None
    story_snapshot: dict[str, Any] | None = None
    article_snapshot: dict[str, Any] | None = None
    merged: tuple[str, ...] = ()
    memory: MemoryDelta | None = None  # what changed in the story's memory, to store with it
    split: StorySplit | None = None  # a story found to be two, and the part that left it


@dataclass(slots=True)
class _Story:
    story_id: str
    title: str
    created_at: datetime
    last_seen: datetime
    first_event: datetime
    last_event: datetime
    urls: list[str]
    memory: StoryMemory
    years: dict[int, int] = field(default_factory=dict)
    dates: dict[int, int] | None = None  # days mentioned (ordinals): count; None until one
    unannounced_merges: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    language: str = "en"
    unannounced_splits: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class _ArticleState:
    url: str
    source: str
    story_id: str
    revision: int
    text: ArticleText
    fingerprints: list[str]
    names: tuple[str, ...]
    sketch: tuple[int, ...]
    terms: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime
    posts: PostFingerprints | None = None  # a live blog's posts, by identity
    # the first version's term weights, in ``terms`` order (4 bytes each, not a float object)
    weights: array[float] = field(default_factory=lambda: array("f"))
    dates: tuple[int, ...] | None = None  # the days the first version mentions (ordinals)


def story_id_for(url: str) -> str:
    """Deterministic story id from the canonical URL of the story's first article."""
    return "st_" + hashlib.blake2b(url.encode(), digest_size=6).hexdigest()


class Tracker:
    """In-memory story index, story memories and last-known article versions."""

    def __init__(self, config: TrackConfig | None = None) -> None:
        self.config = config or TrackConfig()
        self.boosts = TermBoosts(
            name=self.config.name_boost,
            phrase=self.config.name_phrase_weight,
            number=self.config.number_boost,
            year=self.config.year_boost,
        )
        self.index = StoryIndex(self.config.index)
        self.stories: dict[str, _Story] = {}
        self.articles: dict[str, _ArticleState] = {}
        self.aliases: dict[str, str] = {}

    # -- the main call ---------------------------------------------------------------------

    def observe(self, obs: Observation) -> TrackResult:
        """Track one fetched version of an article page."""
        text = article_text(obs.article)
        known = self.articles.get(obs.url)
        if known is None:
            return self._new_article(obs, text)
        if known.text.fingerprint == text.fingerprint:
            known.last_seen = max(known.last_seen, obs.fetched_at)
            return TrackResult(TrackEvent.UNCHANGED, known.story_id, obs.url, StoryMatch(1.0))
        if obs.article.posts and known.posts is not None:
            return self._live_revision(obs, text, known)
        return self._revision(obs, text, known)

    def dormant_story_ids(self, now: datetime) -> list[str]:
        """Stories quiet for longer than ``dormant_after``: no longer offered to new articles."""
        cutoff = now - self.config.dormant_after
        return sorted(s.story_id for s in self.stories.values() if s.last_seen < cutoff)

    # -- new URLs --------------------------------------------------------------------------

    def _new_article(self, obs: Observation, text: ArticleText) -> TrackResult:
        features = article_features(text, self.boosts)
        self.index.count_document(features.term_weights)
        vector = self.index.article_vector(features.term_weights)
        names = [self.index.term_id(t) for t in _salient_names(features)]
        event_at = obs.article.published or obs.fetched_at
        candidates = self.index.candidates(vector, names, self._active_since(obs.fetched_at))
        duplicate = self._find_duplicate(features, candidates)
        if duplicate is not None:
            return self._duplicate(obs, text, features, duplicate)
        best, score = self._best(
            candidates, event_at, features.years, text.language, features.dates
        )
        threshold = self.config.join_threshold
        best_id = self.index.story_ids[best.slot] if best is not None else None
        centroid_score = score
        if best is not None and best_id is not None and 0.0 < score < threshold:
            score = max(score, self._recent_score(self.stories[best_id], vector, best, score))
        if best is not None and best_id is not None and score >= threshold:
            self.index.merge(best.slot, vector, names, obs.fetched_at.timestamp())
            bridged = [
                c
                for c in candidates
                if c.slot != best.slot
                and self._score(c, event_at, features.years, text.language, features.dates)
                >= self.config.merge_threshold
            ]
            story, merged = self._merge_bridged(self.stories[best_id], bridged)
            looked_at = _checkpoint(len(story.urls) + 1)
            if looked_at:
                merged = (*merged, *self._gather_small(story, obs.fetched_at))
            match = _match(score, best, best_id, threshold)
            if centroid_score < threshold:
                kept = self.config.recent_articles
                recent = f"reads like one of the story's last {kept} articles"
                match = replace(match, reasons=(*match.reasons, recent))
            result = self._joined(obs, text, features, story, match, event_at)
            if looked_at:
                result = self._split_if_two(story, result)
            return replace(result, merged=merged) if merged else result
        unmatched = _unmatched(score, best, best_id, threshold)
        return self._started(obs, text, features, vector, names, event_at, unmatched)

    # -- merging stories that turn out to be one --------------------------------------------

    def _merge_bridged(
        self, story: _Story, bridged: list[Candidate]
    ) -> tuple[_Story, tuple[str, ...]]:
        """Merge ``story`` with the other stories the article that joined it also matched.

        An article that reads as a follow-up of two stories (``merge_threshold`` with each) is
        evidence that they are one, when the two stories also read alike as wholes (their
        centroids at ``join_threshold``): the younger is absorbed by the older, whose id
        survives; the younger's id becomes an alias of it.
        """
        merged: list[str] = []
        for candidate in bridged:
            other = self.stories.get(self.index.story_ids[candidate.slot])
            if other is None or other is story or not self._read_alike(story, other):
                continue
            keep, gone = sorted((story, other), key=lambda s: (s.created_at, s.story_id))
            self._absorb(keep, gone)
            merged.append(gone.story_id)
            story = keep
        return story, tuple(merged)

    def _read_alike(self, story: _Story, other: _Story) -> bool:
        first = self.index.story_vector(self.index.slots[story.story_id])
        second = self.index.story_vector(self.index.slots[other.story_id])
        cosine = sum(weight * second.get(term, 0.0) for term, weight in first.items())
        return cosine >= self.config.join_threshold

    def _absorb(self, keep: _Story, gone: _Story) -> None:
        """Move ``gone``'s articles, memory, years and span into ``keep``; retire ``gone``."""
        self.index.absorb(self.index.slots[keep.story_id], self.index.slots[gone.story_id])
        for url in gone.urls:
            state = self.articles[url]
            state.story_id = keep.story_id
            keep.memory.learn(_with_title(state.text), state.names)
        keep.urls.extend(gone.urls)
        for year, count in gone.years.items():
            keep.years[year] = keep.years.get(year, 0) + count
        for day, count in (gone.dates or {}).items():
            _count_date(keep, day, count)
        keep.first_event = min(keep.first_event, gone.first_event)
        keep.last_event = max(keep.last_event, gone.last_event)
        keep.last_seen = max(keep.last_seen, gone.last_seen)
        keep.unannounced_merges.extend([*gone.unannounced_merges, gone.story_id])
        keep.aliases.extend([*gone.aliases, gone.story_id])
        keep.unannounced_splits.extend(gone.unannounced_splits)
        del self.stories[gone.story_id]
        for alias, target in list(self.aliases.items()):
            if target == gone.story_id:
                self.aliases[alias] = keep.story_id
        self.aliases[gone.story_id] = keep.story_id

    # -- splitting a story that turns out to be two ---------------------------------------

    def _split_if_two(self, story: _Story, result: TrackResult) -> TrackResult:
        """Split ``story`` when its latest articles form two groups that read apart (see
        ``track.split``), and say so in ``result``: the article may now be in the new story,
        and the development (or else the article's story's next one) announces the split."""
        urls = story.urls[-SPLIT_WINDOW:]
        features = [self._split_view(self.articles[u]) for u in urls]
        vectors = self.index.article_vectors([f.term_weights for f in features])
        found = two_groups(vectors, self.config.split)
        if found is None:
            return result
        stays = found.first if 0 in found.first else found.second
        leaving = [i for i in range(len(urls)) if i not in stays]
        new = self._split_off(story, urls, features, vectors, leaving)
        return self._announce_split(result, story, new)

    def _announce_split(self, result: TrackResult, story: _Story, new: _Story) -> TrackResult:
        ended = self.stories[self.articles[result.url].story_id]
        other = new if ended is story else story
        note = (story.story_id, new.story_id)
        development = result.development
        if development is not None:
            development = replace(
                development,
                story_id=ended.story_id,
                story_title=ended.title,
                split_stories=(*development.split_stories, note),
            )
        else:
            ended.unannounced_splits.append(note)
        memory = result.memory if ended is story else new.memory.drain()
        other_memory = new.memory.drain() if other is new else result.memory
        split = StorySplit(
            story.story_id,
            new.story_id,
            tuple(new.urls),
            self._story_snapshot(other),
            other_memory,
        )
        return replace(
            result,
            story_id=ended.story_id,
            development=development,
            story_snapshot=self._story_snapshot(ended),
            article_snapshot=_article_snapshot(self.articles[result.url]),
            memory=memory,
            split=split,
        )

    def _gather_small(self, story: _Story, now: datetime) -> tuple[str, ...]:
        """Absorb the small stories (``small_story`` articles at most) whose every article
        would join ``story`` as it reads now: a follow-up that came before the story had grown
        the words it shares with it started a story of its own."""
        if self.config.small_story <= 0:
            return ()
        slot = self.index.slots[story.story_id]
        centroid = self.index.story_vector(slot)
        candidates = self.index.candidates(
            centroid, self.index.story_names[slot], self._active_since(now)
        )
        gathered: list[str] = []
        for candidate in candidates:
            other = self.stories.get(self.index.story_ids[candidate.slot])
            if other is None or other is story or len(other.urls) > self.config.small_story:
                continue
            if all(self._would_join(self.articles[u], slot) for u in other.urls):
                self._absorb(story, other)
                gathered.append(other.story_id)
        return tuple(gathered)

    def _would_join(self, state: _ArticleState, slot: int) -> bool:
        view = self._split_view(state)
        vector = self.index.article_vector(view.term_weights)
        names = {self.index.term_id(t) for t in view.name_terms}
        candidate = self.index._score(slot, vector, names)
        score = self._score(
            candidate, state.first_seen, view.years, state.text.language, view.dates
        )
        return score >= self.config.gather_threshold

    def _split_view(self, state: _ArticleState) -> ArticleFeatures:
        """What a split needs of an article: its term weights, name terms, years and dates,
        from its state (recomputed from its text for a state kept without weights)."""
        if len(state.weights) != len(state.terms) or state.dates is None:
            return article_features(state.text, self.boosts)
        language = state.text.profile
        name_words = {w for name in state.names for w in words(name) if len(w) > 1}
        weights = dict(zip(state.terms, state.weights, strict=True))
        return ArticleFeatures(
            term_weights=weights,
            name_terms=frozenset(language.name_stem(w) for w in name_words),
            names=state.names,
            sketch=state.sketch,
            years=frozenset(int(t) for t in state.terms if is_year(t)),
            dates=frozenset(state.dates),
        )

    def _unused_id(self, key: str) -> str:
        """A story id from ``key`` that no story, live or merged, goes by (a group split off,
        gathered back and split off again gets an id of its own each time)."""
        taken = set(self.stories) | set(self.aliases)
        taken.update(alias for story in self.stories.values() for alias in story.aliases)
        new_id, attempt = story_id_for(key), 1
        while new_id in taken:
            attempt += 1
            new_id = story_id_for(f"{key}#{attempt}")
        return new_id

    def _split_off(
        self,
        story: _Story,
        urls: list[str],
        features: list[ArticleFeatures],
        vectors: list[dict[int, float]],
        leaving: list[int],
    ) -> _Story:
        """Move the articles ``leaving`` (indexes into ``urls``) to a new story; both
        stories' vectors, names, years and dates are made anew from their articles."""
        moved = [urls[i] for i in leaving]
        first = self.articles[moved[0]]
        new_id = self._unused_id(f"{moved[0]}#split-from-{story.story_id}")
        new = _Story(
            new_id,
            first.text.title,
            first.first_seen,
            max(self.articles[u].last_seen for u in moved),
            min(self.articles[u].first_seen for u in moved),
            max(self.articles[u].first_seen for u in moved),
            moved,
            StoryMemory(self.config.known_similarity, story.language),
            language=story.language,
        )
        self.stories[new_id] = new
        gone = set(moved)
        story.urls = [u for u in story.urls if u not in gone]
        slot = self.index.add_story(new_id, {}, (), new.last_seen.timestamp())
        for i in leaving:
            state = self.articles[urls[i]]
            state.story_id = new_id
            names = [self.index.term_id(t) for t in _salient_names(features[i])]
            self.index.merge(slot, vectors[i], names, state.last_seen.timestamp())
            new.memory.learn(_with_title(state.text), state.names)
            self._learn_years(new, features[i].years)
            _learn_dates(new, features[i].dates)
        kept = [i for i in range(len(urls)) if i not in set(leaving)]
        self.index.reset(self.index.slots[story.story_id])
        for i in kept:
            names = [self.index.term_id(t) for t in _salient_names(features[i])]
            self.index.merge(
                self.index.slots[story.story_id],
                vectors[i],
                names,
                self.articles[urls[i]].last_seen.timestamp(),
            )
        story.years, story.dates = {}, None
        for i in kept:
            self._learn_years(story, features[i].years)
            _learn_dates(story, features[i].dates)
        return new

    def resolve(self, story_id: str) -> str:
        """The id a story goes by now (itself, or the story it was merged into)."""
        return self.aliases.get(story_id, story_id)

    def _active_since(self, now: datetime) -> float:
        return (now - self.config.dormant_after).timestamp()

    def _best(
        self,
        candidates: list[Candidate],
        event_at: datetime,
        years: frozenset[int] = frozenset(),
        language: str = "en",
        dates: frozenset[int] = frozenset(),
    ) -> tuple[Candidate | None, float]:
        """The candidate with the highest score; when none scores above zero, the one that
        read most alike by its figures alone (named as the best candidate, at 0)."""
        best: Candidate | None = None
        best_score = 0.0
        by_figures: Candidate | None = None
        for candidate in candidates:
            score = self._score(candidate, event_at, years, language, dates)
            if score > best_score:
                best, best_score = candidate, score
            elif candidate.figures_only and (
                by_figures is None or candidate.cosine > by_figures.cosine
            ):
                by_figures = candidate
        return (best, best_score) if best is not None else (by_figures, 0.0)

    def _score(
        self,
        candidate: Candidate,
        event_at: datetime,
        years: frozenset[int],
        language: str = "en",
        dates: frozenset[int] = frozenset(),
    ) -> float:
        """Text similarity to a story, lowered for a gap in time (between the pages, and
        between the days they mention), a clash of years or another language without shared
        names; none at all when the only terms they share are figures: a year or a count says
        when or how many, not what happened, so it confirms a story but never makes one."""
        if candidate.figures_only:
            return 0.0
        story = self.stories[self.index.story_ids[candidate.slot]]
        score = candidate.cosine * self._time_factor(story, event_at)
        score *= self._date_factor(story, dates)
        score *= self._language_factor(story, language, candidate)
        if years and story.years and years.isdisjoint(story.years):
            score *= self.config.year_conflict
        return score

    def _recent_score(
        self, story: _Story, vector: dict[int, float], best: Candidate, score: float
    ) -> float:
        """The score against the story's recent articles: a follow-up that reads like one
        of its last ``recent_articles`` articles belongs to it even when the story's centroid,
        which blends all its articles, has drifted from it. The best cosine with one of them
        takes the centroid's place, scaled by the same factors (time, dates, years, language)."""
        kept = self.config.recent_articles
        if kept <= 0 or score / best.cosine < self.config.join_threshold:
            return score  # even an article read alike could not lift it to the threshold
        recent = [self.articles[u] for u in story.urls[-kept:]]
        vectors = self.index.article_vectors([_term_weights(self, a) for a in recent])
        link = max((sum(v.get(t, 0.0) * w for t, w in vector.items()) for v in vectors), default=0)
        return link * score / best.cosine

    def _language_factor(self, story: _Story, language: str, candidate: Candidate) -> float:
        """Stories are per language: an article in another language than the story's joins it
        only on strong evidence, names written alike (transliterated the same) and a score that
        passes the threshold even when scaled down by ``other_language``."""
        if story.language == language:
            return 1.0
        return self.config.other_language if candidate.shared_names else 0.0

    @staticmethod
    def _learn_years(story: _Story, years: frozenset[int]) -> None:
        """Count the years the story's articles mention (evidence of when its event happened).

        Only the ``STORY_YEARS`` most mentioned are kept (ties: the most recent), which bounds
        the memory of a story that cites much history.
        """
        for year in years:
            story.years[year] = story.years.get(year, 0) + 1
        if len(story.years) > STORY_YEARS:
            kept = sorted(story.years.items(), key=lambda item: (-item[1], -item[0]))
            story.years = dict(kept[:STORY_YEARS])

    def _time_factor(self, story: _Story, event_at: datetime) -> float:
        """1 within ``time_scale`` of the story's span, decaying with the distance beyond it."""
        gap = max(story.first_event - event_at, event_at - story.last_event, timedelta(0))
        return self._closeness(gap)

    def _date_factor(self, story: _Story, dates: frozenset[int]) -> float:
        """The thread of time in the text: when both the article and the story mention days
        and none of the article's is within ``dormant_after`` of one of the story's (the quiet
        spell after which a story is no longer offered), that clash counts as a clash of
        years does (``date_conflict``)."""
        if not dates or not story.dates:
            return 1.0
        gap = timedelta(days=days_apart(dates, frozenset(story.dates)))
        return self.config.date_conflict if gap > self.config.dormant_after else 1.0

    def _closeness(self, gap: timedelta) -> float:
        excess = max(gap - self.config.time_scale, timedelta(0))
        return 1.0 / (1.0 + excess / self.config.time_scale)

    def _find_duplicate(
        self, features: ArticleFeatures, candidates: list[Candidate]
    ) -> _ArticleState | None:
        """An article of a candidate story whose shingles overlap this one's beyond the limit.

        Copies of wire text run within days of each other, so only a story's latest
        ``duplicate_window`` articles are compared: a long story costs no more than a short one.
        """
        for candidate in candidates[:3]:
            story = self.stories[self.index.story_ids[candidate.slot]]
            for url in reversed(story.urls[-self.config.duplicate_window :]):
                other = self.articles[url]
                similarity = sketch_similarity(features.sketch, other.sketch, SKETCH_SIZE)
                if similarity >= self.config.duplicate_similarity:
                    return other
        return None

    def _duplicate(
        self, obs: Observation, text: ArticleText, features: ArticleFeatures, of: _ArticleState
    ) -> TrackResult:
        story = self.stories[of.story_id]
        state = self._remember_article(obs, text, features, story)
        story.memory.learn(text.sentences, features.names, text.profile, _rare(features, obs))
        match = StoryMatch(1.0, (f"near-duplicate of {of.url}",))
        return TrackResult(
            TrackEvent.DUPLICATE,
            story.story_id,
            obs.url,
            match,
            duplicate_of=of.url,
            **self._story_state(story),
            article_snapshot=_article_snapshot(state),
        )

    def _joined(
        self,
        obs: Observation,
        text: ArticleText,
        features: ArticleFeatures,
        story: _Story,
        match: StoryMatch,
        event_at: datetime,
    ) -> TrackResult:
        novelty = story.memory.assess(
            _with_title(text), features.names, text.profile, _rare(features, obs)
        )
        story.first_event = min(story.first_event, event_at)
        story.last_event = max(story.last_event, event_at)
        state = self._remember_article(obs, text, features, story)
        story.memory.learn(_with_title(text), features.names, text.profile, _rare(features, obs))
        self._learn_years(story, features.years)
        _learn_dates(story, features.dates)
        development = self._development(
            DevelopmentKind.NEW_ARTICLE, obs, story, novelty, match, language=text.language
        )
        return TrackResult(
            TrackEvent.JOINED_STORY,
            story.story_id,
            obs.url,
            match,
            development=development,
            **self._story_state(story),
            article_snapshot=_article_snapshot(state),
        )

    def _started(
        self,
        obs: Observation,
        text: ArticleText,
        features: ArticleFeatures,
        vector: dict[int, float],
        names: list[int],
        event_at: datetime,
        match: StoryMatch,
    ) -> TrackResult:
        story_id = story_id_for(obs.url)
        story = _Story(
            story_id,
            text.title,
            obs.fetched_at,
            obs.fetched_at,
            event_at,
            event_at,
            [],
            StoryMemory(self.config.known_similarity, text.language),
            language=text.language,
        )
        self.stories[story_id] = story
        self.index.add_story(story_id, vector, names, obs.fetched_at.timestamp())
        self._learn_years(story, features.years)
        _learn_dates(story, features.dates)
        state = self._remember_article(obs, text, features, story)
        story.memory.learn(_with_title(text), features.names, text.profile, _rare(features, obs))
        novelty = Novelty(_with_title(text), (), features.names, 1.0)
        development = self._development(
            DevelopmentKind.NEW_STORY, obs, story, novelty, match, language=text.language
        )
        return TrackResult(
            TrackEvent.NEW_STORY,
            story_id,
            obs.url,
            match,
            development=development,
            **self._story_state(story),
            article_snapshot=_article_snapshot(state),
        )

    def _remember_article(
        self, obs: Observation, text: ArticleText, features: ArticleFeatures, story: _Story
    ) -> _ArticleState:
        state = _ArticleState(
            url=obs.url,
            source=obs.source,
            story_id=story.story_id,
            revision=0,
            text=text,
            fingerprints=[text.fingerprint],
            names=features.names,
            sketch=features.sketch,
            terms=self._shared_terms(sorted(features.term_weights)),
            weights=array("f", (features.term_weights[t] for t in sorted(features.term_weights))),
            dates=tuple(sorted(features.dates)),
            first_seen=obs.fetched_at,
            last_seen=obs.fetched_at,
            posts=post_fingerprints(obs.article.posts) if obs.article.posts else None,
        )
        self.articles[obs.url] = state
        story.urls.append(obs.url)
        story.last_seen = max(story.last_seen, obs.fetched_at)
        return state

    def _shared_terms(self, terms: Iterable[str]) -> tuple[str, ...]:
        """``terms`` as the index's vocabulary spells them: one string per term, however many
        articles hold it (a term's string would otherwise be kept once per article)."""
        vocabulary = self.index.terms
        return tuple(vocabulary[self.index.term_id(term)] for term in terms)

    # -- revisions -------------------------------------------------------------------------

    def _revision(self, obs: Observation, text: ArticleText, known: _ArticleState) -> TrackResult:
        diff = diff_revisions(known.text, text)
        story = self.stories[known.story_id]
        features = article_features(text, self.boosts)
        seen_before = text.fingerprint in known.fingerprints
        novelty = story.memory.assess(
            _with_title(text), features.names, text.profile, _rare(features, obs)
        )
        known.revision += 1
        known.text = text
        known.names = features.names
        known.sketch = features.sketch
        known.last_seen = obs.fetched_at
        if not seen_before:
            _remember_fingerprint(known, text.fingerprint)
        story.last_seen = max(story.last_seen, obs.fetched_at)
        story.memory.learn(_with_title(text), features.names, text.profile, _rare(features, obs))
        self.index.touch(self.index.slots[story.story_id], obs.fetched_at.timestamp())
        kind = DevelopmentKind.CORRECTION if diff.notes else DevelopmentKind.REVISION
        if kind is DevelopmentKind.CORRECTION:
            novelty = _with_notes(novelty, diff.notes)
        match = StoryMatch(1.0, (f"revision {known.revision} of {known.url}",))
        development = None
        if not seen_before:
            development = self._development(
                kind, obs, story, novelty, match, known.revision, text.language
            )
        return TrackResult(
            TrackEvent.REVISION,
            story.story_id,
            obs.url,
            match,
            development=development,
            revision=known.revision,
            diff=diff,
            **self._story_state(story),
            article_snapshot=_article_snapshot(known),
        )

    def _live_revision(
        self, obs: Observation, text: ArticleText, known: _ArticleState
    ) -> TrackResult:
        """A new version of a live blog, judged post by post (see ``track.posts``).

        New posts make a ``live_update`` development dated by the newest of them, edited posts
        a ``revision``; posts that only moved, and page chrome, make nothing.
        """
        story = self.stories[known.story_id]
        changes = diff_posts(known.posts or {}, obs.article.posts)
        known.posts = post_fingerprints(obs.article.posts)
        known.text = text
        known.last_seen = max(known.last_seen, obs.fetched_at)
        if not changes.has_news:
            return TrackResult(
                TrackEvent.UNCHANGED,
                story.story_id,
                obs.url,
                StoryMatch(1.0),
                article_snapshot=_article_snapshot(known),
            )
        features = article_features(text, self.boosts)
        known.revision += 1
        known.names = features.names
        known.sketch = features.sketch
        _remember_fingerprint(known, text.fingerprint)
        story.last_seen = max(story.last_seen, obs.fetched_at)
        self.index.touch(self.index.slots[story.story_id], obs.fetched_at.timestamp())
        changed = changes.new + changes.edited
        sentences = article_text(
            replace(obs.article, paragraphs=post_paragraphs(changed))
        ).sentences
        novelty = story.memory.assess(sentences, features.names, text.profile, _rare(features, obs))
        story.memory.learn(sentences, features.names, text.profile, _rare(features, obs))
        kind = DevelopmentKind.LIVE_UPDATE if changes.new else DevelopmentKind.REVISION
        what = f"{len(changes.new)} new, {len(changes.edited)} edited posts"
        match = StoryMatch(1.0, (f"revision {known.revision} of {known.url}: {what}",))
        development = self._development(
            kind, obs, story, novelty, match, known.revision, text.language
        )
        if development is not None:
            occurred = _newest_post_time(changes.new or changes.edited, obs.fetched_at)
            development = replace(development, occurred_at=occurred)
            story.last_event = max(story.last_event, occurred)
        return TrackResult(
            TrackEvent.REVISION,
            story.story_id,
            obs.url,
            match,
            development=development,
            revision=known.revision,
            **self._story_state(story),
            article_snapshot=_article_snapshot(known),
        )

    # -- developments ----------------------------------------------------------------------

    def _development(
        self,
        kind: DevelopmentKind,
        obs: Observation,
        story: _Story,
        novelty: Novelty,
        match: StoryMatch,
        revision: int | None = None,
        language: str | None = None,
    ) -> Development | None:
        if not novelty.is_development:
            return None
        merged, story.unannounced_merges = tuple(story.unannounced_merges), []
        splits, story.unannounced_splits = tuple(story.unannounced_splits), []
        return Development(
            kind=kind,
            story_id=story.story_id,
            article_url=obs.url,
            source=obs.source,
            occurred_at=obs.fetched_at,
            novelty=novelty.score,
            new_sentences=novelty.new_sentences,
            changed_facts=novelty.changed_facts,
            new_entities=novelty.new_entities,
            revision=revision,
            title=obs.article.title,
            story_title=story.title,
            match=match,
            merged_stories=merged,
            language=language,
            split_stories=splits,
        )

    # -- snapshots -------------------------------------------------------------------------

    def _story_state(self, story: _Story) -> dict[str, Any]:
        """The story's snapshot and what changed in its memory, for a ``TrackResult``."""
        memory = story.memory.drain()
        return {"story_snapshot": self._story_snapshot(story), "memory": memory}

    def _story_snapshot(self, story: _Story) -> dict[str, Any]:
        slot = self.index.slots[story.story_id]
        return {
            "version": SNAPSHOT_VERSION,
            "story_id": story.story_id,
            "title": story.title,
            "created_at": story.created_at.isoformat(),
            "last_seen": story.last_seen.isoformat(),
            "first_event": story.first_event.isoformat(),
            "last_event": story.last_event.isoformat(),
            "urls": list(story.urls),
            "terms": [
                [self.index.terms[t], m]
                for t, m in zip(
                    self.index.story_terms[slot], self.index.story_mass[slot], strict=True
                )
            ],
            "names": [self.index.terms[t] for t in self.index.story_names[slot]],
            "memory_clock": story.memory.clock,
            "years": {str(year): count for year, count in sorted(story.years.items())},
            "dates": {str(day): count for day, count in sorted((story.dates or {}).items())},
            "unannounced_merges": list(story.unannounced_merges),
            "aliases": list(story.aliases),
            "language": story.language,
            "unannounced_splits": [list(pair) for pair in story.unannounced_splits],
        }

    @classmethod
    def from_snapshots(
        cls,
        stories: Iterable[dict[str, Any]],
        articles: Iterable[dict[str, Any]],
        config: TrackConfig | None = None,
        memories: Mapping[str, Iterable[MemoryItem]] | None = None,
    ) -> Tracker:
        """Rebuild a tracker from the latest story and article snapshots a store kept, and the
        items of each story's memory (by story id)."""
        tracker = cls(config)
        for data in articles:
            state = _article_from_snapshot(data)
            tracker.index.count_document(state.terms)
            state.terms = tracker._shared_terms(state.terms)
            tracker.articles[state.url] = state
        for data in sorted(stories, key=lambda s: (s["last_seen"], s["story_id"])):
            tracker._restore_story(data, (memories or {}).get(data["story_id"], ()))
        return tracker

    def _restore_story(self, data: dict[str, Any], items: Iterable[MemoryItem]) -> None:
        language = data.get("language") or "en"
        if "memory" in data:  # a snapshot of before memories were stored item by item
            memory = StoryMemory.from_dict(data["memory"], self.config.known_similarity)
        else:
            memory = StoryMemory.from_items(
                items, self.config.known_similarity, language, data.get("memory_clock", 0)
            )
        story = _Story(
            story_id=data["story_id"],
            title=data["title"],
            created_at=datetime.fromisoformat(data["created_at"]),
            last_seen=datetime.fromisoformat(data["last_seen"]),
            first_event=datetime.fromisoformat(data["first_event"]),
            last_event=datetime.fromisoformat(data["last_event"]),
            urls=list(data["urls"]),
            memory=memory,
            years={int(year): count for year, count in data.get("years", {}).items()},
            dates={int(day): count for day, count in data.get("dates", {}).items()} or None,
            unannounced_merges=list(data.get("unannounced_merges", ())),
            aliases=list(data.get("aliases", ())),
            language=language,
            unannounced_splits=[(a, b) for a, b in data.get("unannounced_splits", ())],
        )
        self.stories[story.story_id] = story
        self.index.restore_story(
            story.story_id,
            [(self.index.term_id(term), mass) for term, mass in data["terms"]],
            [self.index.term_id(name) for name in data["names"]],
            story.last_seen.timestamp(),
        )


def _term_weights(tracker: Tracker, state: _ArticleState) -> dict[str, float]:
    """An article's kept term weights (recomputed from its text for a state kept without)."""
    if len(state.weights) == len(state.terms):
        return dict(zip(state.terms, state.weights, strict=True))
    return dict(tracker._split_view(state).term_weights)


def _checkpoint(count: int) -> bool:
    """Whether a story of ``count`` articles is looked at again as a whole: at 3, 4, 5, 6, 8,
    10, 12, 16, 20, 24, 32, ... (3, 4 or 5 times a power of two), each size at most a third
    above the last, so the work per article stays bounded."""
    if count < 3:
        return False
    while count % 2 == 0 and count > 5:
        count //= 2
    return count in (3, 4, 5)


def _learn_dates(story: _Story, dates: frozenset[int]) -> None:
    """Count the days the story's articles mention; like its years, only the ``STORY_YEARS``
    most mentioned are kept (ties: the most recent)."""
    for day in dates:
        _count_date(story, day, 1)
    if story.dates is not None and len(story.dates) > STORY_YEARS:
        kept = sorted(story.dates.items(), key=lambda item: (-item[1], -item[0]))
        story.dates = dict(kept[:STORY_YEARS])


def _count_date(story: _Story, day: int, count: int) -> None:
    """Add ``count`` mentions of ``day``; a story gets its dict at its first date only."""
    if story.dates is None:
        story.dates = {}
    story.dates[day] = story.dates.get(day, 0) + count


def _rare(features: ArticleFeatures, obs: Observation) -> RareTerms:
    """The article's rare terms and its outlet, for the story memory to find recurring names."""
    return RareTerms(features.rare_terms, obs.source)


def _salient_names(features: ArticleFeatures) -> list[str]:
    """Name terms of an article, most weighty first (ties by spelling), for a stable order."""
    weights = features.term_weights
    return sorted(features.name_terms, key=lambda t: (-weights.get(t, 0.0), t))


def _match(score: float, candidate: Candidate, story_id: str, threshold: float) -> StoryMatch:
    return StoryMatch(round(score, 4), _evidence(candidate), story_id, threshold)


def _unmatched(
    score: float, candidate: Candidate | None, story_id: str | None, threshold: float
) -> StoryMatch:
    """Why an article started a story: the best candidate it had, and how far below it fell."""
    if candidate is None or story_id is None:
        alone = ("no ongoing story matched", "no ongoing story shares its salient terms")
        return StoryMatch(0.0, alone, None, threshold)
    reasons = (
        "no ongoing story matched",
        f"best candidate {story_id} at {score:.3f}, below {threshold:.3f}",
        *_evidence(candidate),
    )
    return StoryMatch(round(score, 4), reasons, story_id, threshold)


def _evidence(candidate: Candidate) -> tuple[str, ...]:
    reasons = [f"shared terms: {', '.join(candidate.shared_terms)}"]
    if candidate.figures_only:
        reasons.append("it shares only figures (years, counts) with the story, not what happened")
    if candidate.shared_names:
        reasons.append(f"shared names: {', '.join(candidate.shared_names)}")
    reasons.append(f"text similarity {candidate.cosine:.3f}")
    return tuple(reasons)


def _newest_post_time(posts: tuple[Post, ...], fetched_at: datetime) -> datetime:
    """When the newest of ``posts`` says it was published, never later than the fetch."""
    times = [post.published for post in posts if post.published is not None]
    return min(max(times), fetched_at) if times else fetched_at


def _remember_fingerprint(state: _ArticleState, fingerprint: str) -> None:
    """Note one more version of an article; only the latest ``FINGERPRINTS`` are kept."""
    state.fingerprints.append(fingerprint)
    del state.fingerprints[:-FINGERPRINTS]


def _with_title(text: ArticleText) -> tuple[str, ...]:
    return (text.title, *text.sentences) if text.title else text.sentences


def _with_notes(novelty: Novelty, notes: tuple[str, ...]) -> Novelty:
    sentences = tuple(dict.fromkeys((*notes, *novelty.new_sentences)))
    return Novelty(sentences, novelty.changed_facts, novelty.new_entities, max(novelty.score, 0.5))


def _article_snapshot(state: _ArticleState) -> dict[str, Any]:
    return {
        "version": SNAPSHOT_VERSION,
        "url": state.url,
        "source": state.source,
        "story_id": state.story_id,
        "revision": state.revision,
        "title": state.text.title,
        "sentences": list(state.text.sentences),
        "language": state.text.language,
        "fingerprints": list(state.fingerprints),
        "names": list(state.names),
        "sketch": list(state.sketch),
        "terms": list(state.terms),
        "weights": list(state.weights),
        **({"dates": list(state.dates)} if state.dates is not None else {}),
        "first_seen": state.first_seen.isoformat(),
        "last_seen": state.last_seen.isoformat(),
        **({"posts": dict(state.posts)} if state.posts is not None else {}),
    }


def _article_from_snapshot(data: dict[str, Any]) -> _ArticleState:
    return _ArticleState(
        url=data["url"],
        source=data["source"],
        story_id=data["story_id"],
        revision=data["revision"],
        text=ArticleText(data["title"], tuple(data["sentences"]), data.get("language") or "en"),
        fingerprints=list(data["fingerprints"]),
        names=tuple(data["names"]),
        sketch=tuple(data["sketch"]),
        terms=tuple(data["terms"]),
        weights=array("f", data.get("weights", ())),
        dates=tuple(data["dates"]) if isinstance(data.get("dates"), list) else None,
        first_seen=datetime.fromisoformat(data["first_seen"]),
        last_seen=datetime.fromisoformat(data["last_seen"]),
        posts=dict(data["posts"]) if isinstance(data.get("posts"), dict) else None,
    )


__all__ = [
    "Observation",
    "TrackConfig",
    "TrackEvent",
    "TrackResult",
    "Tracker",
    "story_id_for",
    "track_config",
]
