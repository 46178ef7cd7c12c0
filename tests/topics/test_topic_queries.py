"""Topic queries as tables: what matches, what does not, and where a bad query is wrong."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.errors import QueryError
from monitor.topics import TextIndex, compile_query_lists, parse_query

GAZA = "(gaza OR hamas) AND (ceasefire OR hostage*) AND NOT football"


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        (GAZA, "Hamas agrees to a ceasefire in Gaza", True),
        (GAZA, "Talks on the release of hostages held in Gaza", True),
        (GAZA, "Gaza football team wins ceasefire cup", False),
        (GAZA, "Ceasefire talks stall in Ukraine", False),
        (GAZA, "GAZA CEASEFIRE", True),
        ("gaza", "Gazans marched", False),
        ("gaza*", "Gazans marched", True),
        ("hostage*", "a hostage was freed", True),
        ("hostage*", "the ostage", False),
        ('"peace talks"', "peace talks resume", True),
        ('"peace talks"', "talks of peace resume", False),
        ('"peace talks"', "Peace.\n\nTalks resume", True),
        ('"peace talk*"', "peace talking resumes", True),
        ("peace talks", "talks of peace resume", True),
        ("cease-fire", "a cease fire holds", True),
        ("cease-fire", "the fire did not cease", False),
        ("a -b", "a only", True),
        ("a -b", "a and b", False),
        ("NOT football", "cricket", True),
        ("x OR y AND z", "x", True),
        ("x OR y AND z", "y", False),
        ("(x OR y) AND z", "x", False),
        ("x and y", "y x", True),
        ('"not"', "this is not it", True),
        ("café", "CAFÉ society", True),
        ("élysée", "L'Élysée a confirmé", True),
        ("us", "U.S. forces", False),
        ("u.s.", "U.S. forces", True),
    ],
)
def test_expression_matches(query: str, text: str, expected: bool) -> None:
    assert parse_query(query).matches(text) is expected


@pytest.mark.parametrize(
    ("query", "column", "problem"),
    [
        ("", 1, "the query is empty"),
        ("   ", 1, "the query is empty"),
        ("(gaza OR hamas", 1, 'this "(" is never closed'),
        ("gaza) OR hamas", 5, '")" has no matching "("'),
        ("gaza AND", 9, "expected a term after AND, found the end of the query"),
        ("gaza OR OR hamas", 9, 'expected a term after OR, found "OR"'),
        ("OR gaza", 1, 'expected a term, found "OR"'),
        ("gaza AND NOT", 13, "expected a term after NOT"),
        ('gaza "peace', 6, "this quote is never closed"),
        ('gaza ""', 6, "empty phrase"),
        ("ho*stage", 3, '"*" may only end a word'),
        ('"ho*stage talks"', 1, '"*" may only end the last word of a phrase'),
        ("gaza, hamas", 5, 'unexpected character ","'),
        ("gaza ()", 6, "empty parentheses"),
        ("a AND (b OR *)", 13, 'unexpected character "*"'),
    ],
)
def test_bad_query_names_column_and_problem(query: str, column: int, problem: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert caught.value.column == column
    assert problem in caught.value.reason
    assert str(caught.value).startswith(f"column {column}: ")


@pytest.mark.parametrize(
    ("lists", "text", "expected"),
    [
        ({"any": ["gaza", "hamas"]}, "Hamas statement", True),
        ({"any": ["gaza", "hamas"]}, "Israel statement", False),
        ({"all": ["gaza", "ceasefire"]}, "Gaza ceasefire", True),
        ({"all": ["gaza", "ceasefire"]}, "Gaza talks", False),
        ({"any": ["gaza"], "all": ["hostage*"]}, "Gaza hostages", True),
        ({"any": ["gaza"], "none": ["football"]}, "Gaza football", False),
        ({"any": ["gaza"], "none": ['"world cup"']}, "Gaza cup of the world", True),
        ({"any": ['"peace talks"', "truce"]}, "talks on peace", False),
    ],
)
def test_query_lists(lists: dict[str, list[str]], text: str, expected: bool) -> None:
    assert compile_query_lists(**lists).matches(text) is expected


def test_query_lists_need_a_positive_term() -> None:
    with pytest.raises(QueryError, match="at least one term"):
        compile_query_lists(none=["football"])


def test_query_list_item_errors_point_inside_the_item() -> None:
    with pytest.raises(QueryError) as caught:
        compile_query_lists(any=["gaza", 'hamas "truce'])
    assert caught.value.column == 7


def test_phrase_never_spans_two_segments() -> None:
    index = TextIndex("the talks on peace", "talks resume")
    assert not parse_query('"peace talks"').matches(index)
    assert parse_query("peace talks").matches(index)


def test_rendering_reparses_to_the_same_query() -> None:
    query = parse_query(GAZA)
    assert parse_query(str(query)).root == query.root


words = st.text(alphabet="abcxyz", min_size=1, max_size=4)


@given(st.lists(words, min_size=1, max_size=6), st.lists(words, max_size=12))
def test_or_of_terms_matches_iff_a_word_is_present(terms: list[str], text: list[str]) -> None:
    query = parse_query(" OR ".join(terms))
    assert query.matches(" ".join(text)) == bool(set(terms) & set(text))


@given(st.lists(words, min_size=1, max_size=6), st.lists(words, max_size=12))
def test_not_inverts(terms: list[str], text: list[str]) -> None:
    expression = " ".join(terms)
    joined = " ".join(text)
    assert parse_query(f"NOT ({expression})").matches(joined) != parse_query(expression).matches(
        joined
    )
