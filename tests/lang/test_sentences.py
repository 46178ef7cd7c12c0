"""Sentence ends in every script (the texts are test content written for these tests)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.lang import language_for, split_sentences


@pytest.mark.parametrize(
    ("lang", "text", "sentences"),
    [
        (
            "zh",
            "以色列和哈马斯代表团已抵达埃及沙姆沙伊赫。谈判将于周一开始！会谈会成功吗？",
            ["以色列和哈马斯代表团已抵达埃及沙姆沙伊赫。", "谈判将于周一开始！", "会谈会成功吗？"],
        ),
        (
            "ja",
            "彼は「明日行く。」と述べた。交渉は続く。",
            ["彼は「明日行く。」と述べた。", "交渉は続く。"],
        ),
        (
            "de",
            "Die Gespräche beginnen am 1. Mai in Kairo. Er nannte z.B. Katar. Sie kamen am 3. Die "
            "Polizei wartete.",
            [
                "Die Gespräche beginnen am 1. Mai in Kairo.",
                "Er nannte z.B. Katar.",
                "Sie kamen am 3.",
                "Die Polizei wartete.",
            ],
        ),
        (
            "fr",
            "M. Dupont est arrivé au Caire. « Nous sommes prêts », a-t-il dit. Les pourparlers "
            "continuent.",
            [
                "M. Dupont est arrivé au Caire.",
                "« Nous sommes prêts », a-t-il dit.",
                "Les pourparlers continuent.",
            ],
        ),
        (
            "ar",
            "هل ستنجح المفاوضات؟ قال المسؤول إن الوفد وصل إلى القاهرة.",
            ["هل ستنجح المفاوضات؟", "قال المسؤول إن الوفد وصل إلى القاهرة."],
        ),
        (
            "he",
            "המשלחות הגיעו למצרים. השיחות יתחילו ביום שני.",
            ["המשלחות הגיעו למצרים.", "השיחות יתחילו ביום שני."],
        ),
        (
            "ru",
            "«Мы готовы», — сказал В. Путин. Переговоры начались, т.е. всё идёт по плану.",
            ["«Мы готовы», — сказал В. Путин.", "Переговоры начались, т.е. всё идёт по плану."],
        ),
        ("hi", "वार्ता शुरू हुई। दोनों पक्ष मौजूद थे।", ["वार्ता शुरू हुई।", "दोनों पक्ष मौजूद थे।"]),
        (
            "en",
            "Dr. Smith met officials in the U.S. capital at 5 p.m. on Friday. They talked.",
            ["Dr. Smith met officials in the U.S. capital at 5 p.m. on Friday.", "They talked."],
        ),
        (
            "en",
            "it was my fault. i will call later? ok",
            ["it was my fault.", "i will call later?", "ok"],
        ),
    ],
)
def test_sentence_ends(lang: str, text: str, sentences: list[str]) -> None:
    assert split_sentences(text, language_for(lang)) == sentences


def test_languages_without_data_get_a_neutral_profile() -> None:
    unknown = language_for("xx-YY")
    assert (unknown.code, unknown.stopwords, unknown.stem("words")) == ("xx", frozenset(), "words")
    assert language_for("pt-BR").code == "pt"
    assert language_for(None).code == "en"


@pytest.mark.slow
def test_gold_sentence_ends_are_found_in_every_language(shared_dir: Path) -> None:
    """On the UD test sets, at least 85 % of the gold boundaries are found, at 95 % precision."""
    folder = shared_dir / "data" / "sentences-ud"
    for path in sorted(folder.glob("*.jsonl")):
        lang = path.stem
        language = language_for(lang)
        joiner = "" if lang in {"zh", "ja"} else " "
        hits = found = gold = 0
        for line in path.read_text(encoding="utf-8").splitlines():
            sentences = json.loads(line)["sentences"]
            expected = _ends(sentences)
            predicted = _ends(split_sentences(joiner.join(sentences), language))
            hits, found = hits + len(expected & predicted), found + len(predicted)
            gold += len(expected)
        assert hits / found >= 0.95, lang
        assert hits / gold >= (0.85 if lang not in {"en", "pt"} else 0.75), lang


def _ends(sentences: list[str]) -> set[int]:
    ends, count = set(), 0
    for sentence in sentences:
        count += sum(1 for ch in sentence if not ch.isspace())
        ends.add(count)
    ends.discard(count)
    return ends
