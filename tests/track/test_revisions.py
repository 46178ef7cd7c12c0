"""The revision diff: tables for each kind of change, properties for invariants."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.track.features import ArticleText
from monitor.track.revisions import diff_revisions, word_diff
from monitor.track.text import split_sentences

BODY = (
    "Israel and Hamas delegations arrived in Sharm el-Sheikh. "
    "Airstrikes killed at least 24 Palestinians, officials said. "
    "Talks resume on Tuesday."
)


def version(body: str, title: str = "Talks begin") -> ArticleText:
    return ArticleText(title, tuple(split_sentences(body)))


def test_added_removed_and_changed_sentences() -> None:
    new_body = BODY.replace("24", "30").replace("Talks resume on Tuesday.", "A truce holds.")
    diff = diff_revisions(version(BODY), version(new_body))
    assert diff.added == ("A truce holds.",)
    assert diff.removed == ("Talks resume on Tuesday.",)
    [changed] = diff.changed
    assert [(w.before, w.after) for w in changed.words] == [("24", "30")]
    assert not diff.lead_changed
    assert diff.significance > 0.3


def test_headline_and_lead_change() -> None:
    new_body = BODY.replace("delegations arrived", "delegations have arrived")
    diff = diff_revisions(version(BODY), version(new_body, "Talks open in Egypt"))
    assert diff.headline == ("Talks begin", "Talks open in Egypt")
    assert diff.lead_changed


def test_reordered_sentences_are_not_changes() -> None:
    sentences = split_sentences(BODY)
    reordered = " ".join([sentences[2], sentences[0], sentences[1]])
    assert diff_revisions(version(BODY), version(reordered)).is_empty


def test_punctuation_and_quote_style_edits_are_not_changes() -> None:
    edited = BODY.replace("said.", "said…").replace("Hamas", "Hamas,")
    assert diff_revisions(version(BODY), version(edited)).is_empty


def test_correction_note_is_its_own_kind() -> None:
    noted = BODY + "\n\nCorrection: An earlier version misstated the toll."
    diff = diff_revisions(version(BODY), version(noted))
    assert diff.notes == ("Correction: An earlier version misstated the toll.",)
    assert diff.added == ()


def test_word_diff_of_a_typo_fix() -> None:
    changes = word_diff("They hold indirect discusions.", "They hold indirect discussions.")
    assert [(c.before, c.after) for c in changes] == [("discusions", "discussions")]


WORDS = ["peace", "talks", "hostages", "Gaza", "Egypt", "said", "24", "at", "least", "killed"]
WORDS += ["the", "U.S.", "Dr.", "Smith", "Sharm", "el-Sheikh", "3.5", "“quoted”"]
sentence = st.lists(
    st.sampled_from(WORDS),
    min_size=1,
    max_size=12,
).map(lambda words: " ".join(words) + ".")
body = st.lists(sentence, min_size=1, max_size=8).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(body)
def test_diff_of_a_text_with_itself_is_empty(text: str) -> None:
    assert diff_revisions(version(text), version(text)).is_empty


def respace(text: str, spaces: list[str]) -> str:
    pieces = re.split(r" +", text)
    out = pieces[0]
    for index, piece in enumerate(pieces[1:]):
        out += spaces[index % len(spaces)] + piece
    return "  " + out + " \t"


@settings(max_examples=150, deadline=None)
@given(body, body, st.lists(st.sampled_from([" ", "  ", "\t", " \t "]), min_size=1))
def test_diffs_do_not_change_under_whitespace_edits(old: str, new: str, spaces: list[str]) -> None:
    plain = diff_revisions(version(old), version(new))
    spaced = diff_revisions(version(respace(old, spaces)), version(respace(new, spaces[::-1])))
    assert spaced == plain
