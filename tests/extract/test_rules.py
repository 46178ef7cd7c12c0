"""Per-source overrides: title/body selectors and elements removed first."""

from __future__ import annotations

import pytest

from monitor.errors import ConfigError
from monitor.extract.rules import selector_problem
from monitor.extract import ExtractRules, extract_article

URL = "https://news.example/story"
PAGE = """<html><head><title>Site title</title></head><body>
<div class="headline">The real headline</div>
<div class="text"><p>First paragraph of the story, which the site keeps in a div.</p>
<p class="promo">Buy our app today and get three months free of charge.</p>
<p>Second paragraph of the story, with more detail about what happened.</p></div>
<div class="text"><p>Third paragraph in another block of the same story.</p></div>
<div class="sidebar"><p>Something else entirely, that the generic extractor might like.</p></div>
</body></html>"""


def test_body_title_and_remove_rules() -> None:
    rules = ExtractRules(title=".headline", body=".text", remove=(".promo",))
    article = extract_article(PAGE, URL, rules)

    assert article.title == "The real headline"
    assert article.paragraphs == (
        "First paragraph of the story, which the site keeps in a div.",
        "Second paragraph of the story, with more detail about what happened.",
        "Third paragraph in another block of the same story.",
    )


def test_body_rule_that_matches_nothing_falls_back_with_a_warning() -> None:
    article = extract_article(PAGE, URL, ExtractRules(body=".missing"))

    assert article.paragraphs
    assert any(".missing" in warning for warning in article.warnings)


@pytest.mark.parametrize("selector", ["p[[", " ", "div >"])
def test_bad_selectors_are_named(selector: str) -> None:
    assert selector_problem(selector) is not None
    with pytest.raises(ConfigError):
        ExtractRules(body=selector)


def test_good_selector_has_no_problem() -> None:
    assert selector_problem("article .body > p") is None
