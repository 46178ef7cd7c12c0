"""robots.txt: a parser after RFC 9309, and a per-origin cache that fetches each file at most once
per ``robots_ttl``.

Rules: the group whose user-agent line matches our product token wins, else the ``*`` group; the
longest matching ``Allow``/``Disallow`` path wins, ``Allow`` on a tie; ``*`` and a final ``$``
are understood; ``/robots.txt`` itself is always allowed. ``Crawl-delay`` of the chosen group is
kept. A 4xx answer (404 included) means no restrictions; a 5xx answer or an unreachable server
means "disallow everything" (RFC 9309 §2.3.1.4) unless an older copy is cached, and is asked
again after ``robots_error_ttl``.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import unquote

from monitor.errors import FetchError, HTTPStatusError


@dataclass(frozen=True, slots=True)
class RobotsRule:
    allow: bool
    path: str
    pattern: re.Pattern[str]

    @property
    def specificity(self) -> int:
        return len(self.path)


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """The rules of the group that applies to us."""

    rules: tuple[RobotsRule, ...] = ()
    crawl_delay: float | None = None
    disallow_all: bool = False
    failure: FetchError | None = None  # why everything is disallowed, when robots.txt failed

    def allows(self, path: str) -> bool:
        """Whether ``path`` (path plus query, as sent) may be fetched."""
        if path == "/robots.txt":
            return True
        if self.disallow_all:
            return False
        target = normalise_path(path)
        best: RobotsRule | None = None
        for rule in self.rules:
            if rule.pattern.match(target) and (best is None or _beats(rule, best)):
                best = rule
        return best is None or best.allow


ALLOW_ALL = RobotsRules()


def _beats(rule: RobotsRule, best: RobotsRule) -> bool:
    if rule.specificity != best.specificity:
        return rule.specificity > best.specificity
    return rule.allow and not best.allow


def normalise_path(path: str) -> str:
    """Percent-decode everything except ``/``, ``?`` and ``%`` so both spellings compare equal."""
    keep = {"%2F": "%252F", "%2f": "%252f", "%3F": "%253F", "%3f": "%253f", "%25": "%2525"}
    for encoded, guarded in keep.items():
        path = path.replace(encoded, guarded)
    return unquote(path) or "/"


def compile_rule(allow: bool, path: str) -> RobotsRule:
    normalised = normalise_path(path)
    anchored = normalised.endswith("$")
    body = normalised[:-1] if anchored else normalised
    regex = ".*".join(re.escape(part) for part in body.split("*"))
    return RobotsRule(allow, normalised, re.compile(regex + ("$" if anchored else ""), re.DOTALL))


@dataclass(slots=True)
class _Group:
    agents: list[str] = field(default_factory=list)
    rules: list[RobotsRule] = field(default_factory=list)
    crawl_delay: float | None = None


def _split_line(line: str) -> tuple[str, str] | None:
    line = line.split("#", 1)[0].strip()
    if ":" not in line:
        return None
    key, value = line.split(":", 1)
    return key.strip().lower(), value.strip()


def _parse_groups(text: str) -> list[_Group]:
    groups: list[_Group] = []
    current: _Group | None = None
    collecting_agents = False
    for line in text.splitlines():
        parsed = _split_line(line)
        if parsed is None:
            continue
        key, value = parsed
        if key == "user-agent":
            if current is None or not collecting_agents:
                current = _Group()
                groups.append(current)
            current.agents.append(value.lower())
            collecting_agents = True
            continue
        collecting_agents = False
        if current is not None:
            _apply_line(current, key, value)
    return groups


def _apply_line(group: _Group, key: str, value: str) -> None:
    if key in ("allow", "disallow") and value:
        group.rules.append(compile_rule(key == "allow", value))
    elif key == "crawl-delay":
        try:
            delay = float(value)
        except ValueError:
            return
        if delay >= 0:
            group.crawl_delay = delay


def parse_robots(text: str, token: str) -> RobotsRules:
    """The rules in ``text`` that apply to the product token ``token`` (lower case).

    A leading byte order mark is dropped (RFC 9309 allows one); else the first line would not
    be read as ``User-agent`` and the whole first group would be lost.
    """
    groups = _parse_groups(text.removeprefix("\ufeff"))
    chosen = [g for g in groups if any(_agent_matches(a, token) for a in g.agents)]
    if not chosen:
        chosen = [g for g in groups if "*" in g.agents]
    rules = tuple(rule for group in chosen for rule in group.rules)
    delays = [g.crawl_delay for g in chosen if g.crawl_delay is not None]
    return RobotsRules(rules=rules, crawl_delay=max(delays) if delays else None)


def _agent_matches(agent: str, token: str) -> bool:
    return agent != "*" and agent.split("/", 1)[0].strip() == token


@dataclass(frozen=True, slots=True)
class RobotsAnswer:
    """What fetching robots.txt gave: a status and the text, or (unreachable) the error."""

    status: int | None
    text: str = ""
    error: FetchError | None = None


def rules_from_answer(answer: RobotsAnswer, token: str) -> RobotsRules | None:
    """The rules an answer stands for; ``None`` when it is a failure (5xx, 429, unreachable)."""
    status = answer.status
    if status is None or status >= 500 or status == 429:
        return None
    if 200 <= status < 300:
        return parse_robots(answer.text, token)
    return ALLOW_ALL  # 4xx: "no robots.txt", and anything else we cannot read as rules


def _failed(origin: str, answer: RobotsAnswer) -> RobotsRules:
    url = f"{origin}/robots.txt"
    error = answer.error or HTTPStatusError(
        f"{url} answered {answer.status}", url, answer.status or 0
    )
    return RobotsRules(disallow_all=True, failure=error)


@dataclass(slots=True)
class _Entry:
    rules: RobotsRules
    expires: float


RobotsLoader = Callable[[str], Awaitable[RobotsAnswer]]


class RobotsCache:
    """robots.txt rules per origin (``scheme://host:port``), loaded at most once per TTL.

    Concurrent callers for one origin share one load. ``loader`` fetches ``origin/robots.txt``
    and reports failures as an answer (``status=None``), never by raising.
    """

    def __init__(
        self,
        loader: RobotsLoader,
        token: str,
        ttl: float,
        error_ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._loader = loader
        self._token = token
        self._ttl = ttl
        self._error_ttl = min(error_ttl, ttl)
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._loading: dict[str, asyncio.Task[RobotsRules]] = {}

    def cached(self, origin: str) -> RobotsRules | None:
        """The rules held for ``origin`` (even if due for a refresh), without loading."""
        entry = self._entries.get(origin)
        return entry.rules if entry is not None else None

    async def rules_for(self, origin: str) -> RobotsRules:
        entry = self._entries.get(origin)
        if entry is not None and entry.expires > self._clock():
            return entry.rules
        task = self._loading.get(origin)
        if task is None:
            task = asyncio.create_task(self._load(origin, entry), name=f"robots {origin}")
            self._loading[origin] = task
            task.add_done_callback(lambda _: self._loading.pop(origin, None))
        # shield: a caller that gives up (its own deadline) does not cancel the others' load
        return await asyncio.shield(task)

    async def _load(self, origin: str, stale: _Entry | None) -> RobotsRules:
        answer = await self._loader(origin)
        rules = rules_from_answer(answer, self._token)
        if rules is None:
            rules = stale.rules if stale is not None else _failed(origin, answer)
            self._entries[origin] = _Entry(rules, self._clock() + self._error_ttl)
        else:
            self._entries[origin] = _Entry(rules, self._clock() + self._ttl)
        return rules
