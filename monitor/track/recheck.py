"""When to fetch an article again: by evidence first, by age second.

Three kinds of evidence, strongest first:

1. **A publisher's signal on a listing.** A feed item's ``updated`` (or a later ``published``),
   a sitemap's ``lastmod`` or ``news:publication_date`` newer than the one we stored when we last
   fetched the article brings it in on that very check of its source (``listing_says_changed``).
2. **A live blog** (``kind == "live_blog"``) that changed within ``live_blog_idle`` is fetched
   every ``live_blog``.
3. **Its own history.** Pages change in bursts, most of them soon after they appear: the wait
   is ``factor`` × the time since the article last changed, kept between ``min`` and ``max``, so
   a page that just changed is fetched again soon and one that has stayed the same ever more
   rarely; once it has been stable for ``stop_after`` it is left to the listing signals. The
   time since the last change counts from what we saw change, or — for an article that has not
   changed since we first saw it — from the earliest of our first sight and what the page says
   (``datePublished``, ``dateModified``, HTTP ``Last-Modified``): an old page found late is not
   treated as a fresh one.

``polite_batch`` takes the due articles a recheck run may fetch without asking any host for
more than its politeness spacing allows in one run. Everything here is pure: values and ``now``
in, a time out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from urllib.parse import urlsplit

from monitor.config import RecheckConfig
from monitor.models import ArticleLink, RecheckFacts

RecheckPlan = Callable[[RecheckFacts, datetime], datetime | None]


@dataclass(frozen=True, slots=True)
class RecheckPolicy:
    """The bounds of the plan (``tracking.recheck``), as ``timedelta`` values."""

    min: timedelta = timedelta(minutes=1)
    max: timedelta = timedelta(hours=2)
    factor: float = 0.2
    stop_after: timedelta = timedelta(days=2)
    live_blog: timedelta = timedelta(minutes=1)
    live_blog_idle: timedelta = timedelta(hours=3)

    @classmethod
    def from_config(cls, config: RecheckConfig) -> RecheckPolicy:
        return cls(
            min=timedelta(seconds=config.min),
            max=timedelta(seconds=config.max),
            factor=config.factor,
            stop_after=timedelta(seconds=config.stop_after),
            live_blog=timedelta(seconds=config.live_blog),
            live_blog_idle=timedelta(seconds=config.live_blog_idle),
        )

    @property
    def horizon(self) -> timedelta:
        """How long after its last change an article may still be rechecked at all."""
        return max(self.stop_after, self.live_blog_idle)


def recheck_plan(config: RecheckConfig) -> RecheckPlan:
    """``next_recheck`` bound to the configured policy: ``plan(facts, checked_at)``."""
    return partial(next_recheck, policy=RecheckPolicy.from_config(config))


def last_change(facts: RecheckFacts) -> datetime:
    """When the article last changed, as far as we can tell (see the module docstring)."""
    if facts.last_changed is not None:
        return max(facts.last_changed, facts.first_seen)
    claims = [c for c in (facts.published, facts.modified, facts.http_modified) if c is not None]
    return min(facts.first_seen, max(claims)) if claims else facts.first_seen


def next_recheck(
    facts: RecheckFacts, checked_at: datetime, policy: RecheckPolicy
) -> datetime | None:
    """When to fetch the article checked at ``checked_at`` again; None to leave it alone."""
    quiet = max(checked_at - last_change(facts), timedelta(0))
    if facts.kind == "live_blog" and quiet < policy.live_blog_idle:
        return checked_at + policy.live_blog
    if quiet >= policy.stop_after:
        return None
    wait = min(max(quiet * policy.factor, policy.min), policy.max)
    return checked_at + wait


def link_signal(link: ArticleLink) -> datetime | None:
    """The newest time a listing gives for one of its links (``updated``/``lastmod``, else
    ``published``/``news:publication_date``): what a change of it is noticed by."""
    stamps = [stamp for stamp in (link.updated, link.published) if stamp is not None]
    return max(stamps) if stamps else None


def listing_says_changed(
    signal: datetime | None, stored_signal: datetime | None, last_fetched: datetime | None
) -> bool:
    """Whether a listing's ``signal`` for an article we fetched before is news.

    Compared with the signal stored when we last fetched it (the publisher's own clock on both
    sides: any other value is a change, even one that went back); an article fetched before we
    kept signals falls back to the time of that fetch.
    """
    if signal is None:
        return False
    if stored_signal is not None:
        return signal != stored_signal
    return last_fetched is not None and signal > last_fetched


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def per_host_budget(run_every: float, spacing: float, limit: int) -> int:
    """How many requests one recheck run may send a host whose requests must be ``spacing``
    seconds apart, when runs come every ``run_every`` seconds (at least one, at most ``limit``)."""
    if spacing <= 0:
        return limit
    return max(1, min(limit, int(run_every / spacing)))


def polite_batch(
    due: Iterable[tuple[str, str]], budget: Callable[[str], int], limit: int
) -> list[tuple[str, str]]:
    """The (URL, source) pairs of ``due`` (most overdue first) one run fetches: ``limit`` in
    all, and from each host no more than ``budget(url)`` of its first URL says. The rest stay
    due and come first next run."""
    taken: list[tuple[str, str]] = []
    used: Counter[str] = Counter()
    allowed: dict[str, int] = {}
    for url, source in due:
        host = host_of(url)
        if host not in allowed:
            allowed[host] = budget(url)
        if used[host] >= allowed[host]:
            continue
        used[host] += 1
        taken.append((url, source))
        if len(taken) >= limit:
            break
    return taken


def spread(items: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """``items`` reordered so that consecutive ones go to different hosts where possible (a
    host's requests are spaced anyway; the others need not wait behind them)."""
    queues: dict[str, list[tuple[str, str]]] = {}
    for item in items:
        queues.setdefault(host_of(item[0]), []).append(item)
    ordered: list[tuple[str, str]] = []
    while queues:
        for host in list(queues):
            ordered.append(queues[host].pop(0))
            if not queues[host]:
                del queues[host]
    return ordered
