"""Which topics a development concerns: sources, kinds, novelty and the query, as a table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from monitor.models import Development, DevelopmentKind
from monitor.topics import compile_query_lists, matching_topics, query_for


@dataclass(frozen=True)
class Topic:
    name: str
    query: object
    sources: list[str] | None = None
    min_novelty: float = 0.0
    kinds: list[DevelopmentKind] = field(default_factory=lambda: list(DevelopmentKind))


def development(
    kind: DevelopmentKind = DevelopmentKind.NEW_ARTICLE,
    novelty: float = 0.5,
    sentences: tuple[str, ...] = (),
    title: str | None = None,
) -> Development:
    return Development(
        kind=kind,
        story_id="st_1",
        article_url="https://news.test/a",
        source="wire",
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
        novelty=novelty,
        new_sentences=sentences,
        title=title,
    )


STORY = "Ceasefire talks in Gaza resume in Cairo"


@pytest.mark.parametrize(
    ("topic", "dev", "source", "wanted"),
    [
        (Topic("t", "gaza AND ceasefire"), development(), "wire", True),
        (Topic("t", "ukraine"), development(), "wire", False),
        (Topic("t", "hostage*"), development(sentences=("Two hostages freed.",)), "wire", True),
        (Topic("t", "airport"), development(title="Cairo airport closed"), "wire", True),
        (Topic("t", "gaza", sources=["bbc"]), development(), "wire", False),
        (Topic("t", "gaza", sources=["bbc", "wire"]), development(), "wire", True),
        (Topic("t", "gaza", min_novelty=0.6), development(novelty=0.5), "wire", False),
        (Topic("t", "gaza", min_novelty=0.5), development(novelty=0.5), "wire", True),
        (
            Topic("t", "gaza", kinds=[DevelopmentKind.NEW_STORY]),
            development(DevelopmentKind.REVISION),
            "wire",
            False,
        ),
        (
            Topic("t", "gaza", kinds=[DevelopmentKind.REVISION, DevelopmentKind.CORRECTION]),
            development(DevelopmentKind.CORRECTION),
            "wire",
            True,
        ),
        (Topic("t", "gaza"), development(DevelopmentKind.LIVE_UPDATE), "wire", True),
        (
            Topic("t", "gaza", kinds=[DevelopmentKind.NEW_STORY, DevelopmentKind.NEW_ARTICLE]),
            development(DevelopmentKind.LIVE_UPDATE),
            "wire",
            False,
        ),
        (Topic("t", {"any": ["cairo"], "none": ["football"]}), development(), "wire", True),
        (Topic("t", compile_query_lists(all=["gaza", "football"])), development(), "wire", False),
    ],
)
def test_topic_wants_development(topic: Topic, dev: Development, source: str, wanted: bool) -> None:
    assert matching_topics(dev, STORY, source, [topic]) == ([topic] if wanted else [])


def test_topics_come_back_in_configuration_order() -> None:
    topics = [Topic("a", "cairo"), Topic("b", "ukraine"), Topic("c", "gaza")]
    assert [t.name for t in matching_topics(development(), STORY, "wire", topics)] == ["a", "c"]


def test_query_for_reads_list_objects() -> None:
    @dataclass
    class Lists:
        any: list[str]
        all: list[str]
        none: list[str]

    query = query_for(Lists(any=["gaza"], all=[], none=["football"]))
    assert query.matches("gaza news")
    assert not query.matches("gaza football")


def test_query_for_rejects_other_values() -> None:
    with pytest.raises(TypeError):
        query_for(42)
