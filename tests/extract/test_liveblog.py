"""Live blogs: declared in JSON-LD or seen in the page's shape; articles with timed chrome are not."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from monitor.extract import extract_article

URL = "https://courier.example/live/talks"
TEXTS = [
    "Delegations from Israel and Hamas arrived in Sharm el-Sheikh for indirect talks on Monday.",
    "Health officials in Gaza said at least 24 people were killed in overnight strikes there.",
    "Washington wants the first phase of the hostage release agreed within days, officials said.",
    "Egyptian mediators proposed a written timetable for releasing the first group of hostages.",
]


def dom_post(number: int, minute: int) -> str:
    return (
        f'<div class="entry" data-post-id="e{number}">'
        f'<time datetime="2025-10-06T10:{minute:02d}:00Z">10:{minute:02d}</time>'
        f"<h3>Update {number}</h3><p>{TEXTS[number - 1]}</p></div>"
    )


def test_json_ld_live_blog_posts_in_page_order() -> None:
    updates = [
        {
            "@type": "BlogPosting",
            "@id": f"{URL}#p{n}",
            "datePublished": f"2025-10-06T10:{n}0:00+02:00",
            "headline": f"Update {n}",
            "articleBody": TEXTS[n - 1],
        }
        for n in (3, 2, 1)
    ]
    data = {"@type": "LiveBlogPosting", "headline": "Live: talks", "liveBlogUpdate": updates}
    html = (
        f'<html><head><script type="application/ld+json">{json.dumps(data)}</script></head>'
        f"<body><h1>Live: talks</h1><div id='app'></div></body></html>"
    )

    article = extract_article(html, URL)

    assert article.kind == "live_blog"
    assert [p.id for p in article.posts] == [f"{URL}#p3", f"{URL}#p2", f"{URL}#p1"]
    assert article.posts[0].headline == "Update 3"
    assert article.posts[0].paragraphs == (TEXTS[2],)
    assert article.posts[0].published is not None
    assert article.posts[0].published.utcoffset() is not None
    assert article.paragraphs[:2] == ("Update 3", TEXTS[2])
    assert article.is_article


def test_dom_only_live_blog() -> None:
    posts = "".join(dom_post(n, 40 - n * 10) for n in (4, 3, 2, 1))
    html = (
        "<html><body><h1>Live: talks in Egypt</h1>"
        '<p class="updated">Updated 2 minutes ago</p>'
        f'<div class="stream">{posts}</div>'
        '<aside class="most-read"><a href="/x">Other story</a></aside></body></html>'
    )

    article = extract_article(html, URL)

    assert article.kind == "live_blog"
    assert [p.id for p in article.posts] == ["e4", "e3", "e2", "e1"]
    assert [p.headline for p in article.posts] == ["Update 4", "Update 3", "Update 2", "Update 1"]
    assert article.posts[3].paragraphs == (TEXTS[0],)
    assert article.posts[0].published == datetime(2025, 10, 6, 10, 0, tzinfo=UTC)


def test_dom_live_blog_with_a_pinned_post_first() -> None:
    posts = dom_post(1, 5) + "".join(dom_post(n, n * 10) for n in (4, 3, 2))
    html = f'<html><body><h1>Live</h1><div class="stream">{posts}</div></body></html>'

    article = extract_article(html, URL)

    assert article.kind == "live_blog"
    assert [p.id for p in article.posts] == ["e1", "e4", "e3", "e2"]


def test_an_article_with_timed_teasers_beside_it_is_not_a_live_blog() -> None:
    story = "".join(
        f"<p>{text} The council met again in the evening to go over the plan.</p>" for text in TEXTS
    )
    teasers = "".join(
        f'<li class="teaser"><time datetime="2025-10-0{n}T10:00:00Z">Oct {n}</time>'
        f'<a href="/s/{n}">Another story number {n} about the region and its leaders</a>'
        f"<p>A short summary of another story, number {n}, from earlier this week.</p></li>"
        for n in range(1, 6)
    )
    html = (
        f"<html><body><article><h1>Talks</h1>{story}</article>"
        f'<ul class="more">{teasers}</ul></body></html>'
    )

    article = extract_article(html, URL)

    assert article.kind == "article"
    assert article.posts == ()


def test_comments_stamped_alike_are_not_a_live_blog() -> None:
    comments = "".join(
        f'<div class="note"><time datetime="2025-10-06T10:00:00Z">10:00</time><p>{text}</p></div>'
        for text in TEXTS
    )
    html = f"<html><body><h1>Notes</h1><div class='list'>{comments}</div></body></html>"

    article = extract_article(html, URL)

    assert article.kind == "article"
