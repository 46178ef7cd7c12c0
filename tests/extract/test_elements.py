"""The elements gathered for metadata and scoring: each list whole, in document order."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from monitor.extract.elements import page_elements

_PAGE = """<html><head>
<link rel="canonical" href="/a" itemprop="url"><meta itemprop="datePublished" content="2024-01-02">
<script type="application/LD+json">{}</script><script>var x;</script>
</head><body>
<main><section><time itemprop="datePublished" datetime="2024-01-02">Jan 2</time>
<p>one</p><pre>code</pre><div>two</div><article><p>three</p></article>
<blockquote>quote</blockquote><table><tr><td itemprop="author">cell</td></tr></table>
<time>later</time></section></main></body></html>"""


def _names(nodes: list) -> list[str]:  # type: ignore[type-arg]
    return [f"{node.tag}:{node.text(deep=True).strip()}" for node in nodes]


def test_every_list_is_whole_and_in_document_order() -> None:
    found = page_elements(LexborHTMLParser(_PAGE), scored=True)

    assert _names(found.times) == ["time:Jan 2", "time:later"]
    assert _names(found.paragraphs) == ["p:one", "p:three", "pre:code"]
    assert [node.tag for node in found.holders] == [
        "div",
        "section",
        "article",
        "main",
        "td",
        "blockquote",
    ]
    assert (found.articles, found.blockquotes) == (1, 1)
    assert len(found.json_ld) == 1
    assert [attrs.get("itemprop") for attrs in found.metas] == ["datePublished"]


def test_an_element_with_a_tag_and_an_itemprop_is_read_for_both() -> None:
    found = page_elements(LexborHTMLParser(_PAGE), scored=True)

    assert _names(found.itemprops["datePublished"]) == ["meta:", "time:Jan 2"]
    assert _names(found.itemprops["author"]) == ["td:cell"]
    assert [node.attributes["href"] for node in found.links] == ["/a"]  # once, not per selector


def test_metadata_alone_reads_no_scoring_elements() -> None:
    found = page_elements(LexborHTMLParser(_PAGE))

    assert _names(found.times) == ["time:Jan 2", "time:later"]
    assert (found.paragraphs, found.holders) == ([], [])
    assert _names(found.itemprops["author"]) == ["td:cell"]
