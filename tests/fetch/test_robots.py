"""robots.txt rules after RFC 9309: group choice, longest match, wildcards, Crawl-delay."""

from __future__ import annotations

import pytest

from monitor.fetch.robots import RobotsAnswer, parse_robots, rules_from_answer

ROBOTS = """
User-agent: *
Disallow: /private
Disallow: /*.pdf$
Allow: /private/ok
Crawl-delay: 5

User-agent: Monitor
User-agent: otherbot
Disallow: /news/drafts/
Allow: /news/drafts/public*
Crawl-delay: 2
"""


@pytest.mark.parametrize(
    ("token", "path", "allowed"),
    [
        ("somebot", "/", True),
        ("somebot", "/private", False),
        ("somebot", "/private/page", False),
        ("somebot", "/private/ok/page", True),
        ("somebot", "/report.pdf", False),
        ("somebot", "/report.pdf?page=2", True),  # $ anchors the end
        ("monitor", "/private", True),  # our group replaces the * group
        ("monitor", "/news/drafts/x", False),
        ("monitor", "/news/drafts/public-1", True),
        ("monitor", "/robots.txt", True),
    ],
)
def test_rules(token: str, path: str, allowed: bool) -> None:
    assert parse_robots(ROBOTS, token).allows(path) is allowed


def test_crawl_delay_of_the_chosen_group() -> None:
    assert parse_robots(ROBOTS, "monitor").crawl_delay == 2
    assert parse_robots(ROBOTS, "somebot").crawl_delay == 5


def test_allow_wins_a_tie_and_percent_encoding_is_normalised() -> None:
    rules = parse_robots("User-agent: *\nDisallow: /a%3Cb\nAllow: /page\nDisallow: /page", "x")
    assert rules.allows("/page")
    assert not rules.allows("/a<b")


def test_empty_disallow_allows_everything() -> None:
    assert parse_robots("User-agent: *\nDisallow:\n", "x").allows("/anything")


@pytest.mark.parametrize(
    ("status", "allows_all"), [(404, True), (403, True), (200, None), (500, False), (None, False)]
)
def test_answers(status: int | None, allows_all: bool | None) -> None:
    rules = rules_from_answer(RobotsAnswer(status, "User-agent: *\nDisallow: /x"), "m")
    if allows_all is None:
        assert rules is not None
        assert not rules.allows("/x")
    elif allows_all:
        assert rules is not None
        assert rules.allows("/x")
    else:
        assert rules is None  # a failure: the cache decides (stale copy, or disallow all)
