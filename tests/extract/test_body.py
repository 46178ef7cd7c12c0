"""The generic body extractor on small layouts that real sites use."""

from __future__ import annotations

from monitor.extract import extract_article

URL = "https://news.example/story"
SENTENCE = (
    "The council voted on Tuesday to approve the new budget, officials said, after a long debate"
)


def paragraphs(html: str) -> tuple[str, ...]:
    return extract_article(html, URL).paragraphs


def story(count: int, start: int = 1) -> str:
    return "".join(f"<p>{SENTENCE} number {i}.</p>" for i in range(start, start + count))


def test_paragraphs_in_separate_cards_are_read_together() -> None:
    cards = "".join(
        f'<div class="card"><div class="card-content"><p>{SENTENCE} number {i}.</p></div></div>'
        for i in range(1, 6)
    )
    result = paragraphs(f'<body><div class="collection">{cards}</div></body>')

    assert len(result) == 5


def test_sections_split_by_figures_are_read_whole() -> None:
    html = (
        '<body><div class="post"><section class="part">' + story(4) + "</section>"
        '<figure><img src="a.jpg"><figcaption>A photo of the hall</figcaption></figure>'
        '<section class="part">' + story(3, start=5) + "</section></div>"
        '<div class="sidebar"><p>Advertise with us today and reach every reader.</p></div></body>'
    )
    result = paragraphs(html)

    assert len(result) == 7
    assert result[-1].endswith("number 7.")


def test_long_comment_section_inside_the_article_is_dropped() -> None:
    comments = "".join(
        f"<p>I think this is a terrible decision, comment {i}.</p>" for i in range(20)
    )
    html = f'<body><article>{story(3)}<div id="comments">{comments}</div></article></body>'

    assert len(paragraphs(html)) == 3


def test_teaser_articles_nested_in_the_story_are_dropped() -> None:
    teaser = (
        '<article class="post"><h2>Other story</h2>'
        "<p>An excerpt of another story here.</p></article>"
    )
    html = f"<body><article>{story(4)}{teaser}{teaser}</article></body>"

    assert len(paragraphs(html)) == 4


def test_embedded_tweet_in_a_widget_is_kept() -> None:
    tweet = (
        '<div class="social-widget"><blockquote class="twitter-tweet"><p>We have approved the '
        "budget tonight, thanks to everyone who took part.</p>&mdash; The Council"
        "</blockquote></div>"
    )
    result = paragraphs(f"<body><article>{story(3)}{tweet}</article></body>")

    assert any("approved the budget tonight" in paragraph for paragraph in result)


def test_linked_sentence_kept_and_link_list_dropped() -> None:
    html = (
        "<body><article>" + story(3) + '<p>The <a href="/a">plan</a> follows <a href="/b">last '
        "year's review of council spending</a>.</p>"
        '<ul><li><a href="/c">Council tax to rise</a></li>'
        '<li><a href="/d">School opens</a></li></ul>'
        "</article></body>"
    )
    result = paragraphs(html)

    assert result[-1] == "The plan follows last year's review of council spending."
    assert "Council tax to rise" not in result


def test_chrome_lines_are_not_paragraphs() -> None:
    chrome = (
        "<p>Advertisement</p><p>Updated 5 minutes ago</p><p>Share this article</p>"
        "<p>Sign up for our daily newsletter.</p><p>Reporting by Ana Lopez; Editing by Tom Reed</p>"
    )
    result = paragraphs(f"<body><article>{story(2)}{chrome}{story(1, start=3)}</article></body>")

    assert result == tuple(f"{SENTENCE} number {i}." for i in (1, 2, 3))


def test_table_rows_read_as_one_line_each() -> None:
    table = (
        "<table><tr><th>Pos</th><th>Driver</th><th>Points</th></tr>"
        "<tr><td>1</td><td>Kyle Busch</td><td>5040</td></tr></table>"
    )
    result = paragraphs(f"<body><article>{story(3)}{table}</article></body>")

    assert result[-2:] == ("Pos Driver Points", "1 Kyle Busch 5040")


def test_text_right_in_body_is_read() -> None:
    html = f"<html><body><h1>A page</h1>{story(4)}</body></html>"

    assert len(paragraphs(html)) == 4


def test_body_split_over_cousin_containers_is_read_in_order() -> None:
    def part(count: int, start: int) -> str:
        return (
            '<div class="unit wide"><div class="inner"><div class="copy">'
            + story(count, start=start)
            + "</div></div></div>"
        )

    credit = "A wide view of the council chamber during the vote, with members standing " * 6
    gallery = f'<div class="unit gallery"><img src="hall.jpg"><span>{credit}</span></div>'
    related = (
        '<div class="unit"><ul>'
        + "".join(
            f'<li><a href="/s/{i}">Another story on the council {i}</a></li>' for i in range(6)
        )
        + "</ul></div>"
    )
    html = (
        "<body><article><header><h1>Budget passes</h1></header>"
        f"{part(5, 1)}{gallery}{part(2, 6)}{gallery}{part(2, 8)}{related}</article>"
        '<aside class="most-read"><p>Most read: a different story entirely, told briefly.</p></aside>'
        "</body>"
    )
    result = paragraphs(html)

    assert [text.rsplit(" ", 1)[-1] for text in result] == [f"{i}." for i in range(1, 10)]


def test_cousins_stop_at_the_article() -> None:
    def story_box(count: int, start: int) -> str:
        return (
            '<div class="story-box"><article class="post"><div class="copy">'
            + story(count, start=start)
            + "</div></article></div>"
        )

    html = f"<body><main>{story_box(5, 1)}{story_box(3, 20)}</main></body>"
    result = paragraphs(html)

    assert len(result) == 5
    assert not any(text.endswith(("number 20.", "number 21.", "number 22.")) for text in result)


def test_embedded_article_body_used_when_the_dom_holds_a_fraction() -> None:
    body_text = "\\n".join(f"{SENTENCE} number {i}." for i in range(1, 9))
    json_ld = (
        '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Budget",'
        f' "articleBody": "{body_text}"}}'
    )
    html = (
        f'<head><script type="application/ld+json">{json_ld}</script></head>'
        f'<body><article><div id="app">{story(1)}</div></article></body>'
    )
    article = extract_article(html, URL)

    assert len(article.paragraphs) == 8
    assert "body taken from the page's embedded articleBody" in article.warnings


def test_embedded_article_body_ignored_when_the_dom_has_the_text() -> None:
    json_ld = (
        '{"@type": "NewsArticle", "headline": "Budget",'
        f' "articleBody": "{SENTENCE} in short, and the text is only a summary of it all."}}'
    )
    html = (
        f'<head><script type="application/ld+json">{json_ld}</script></head>'
        f"<body><article>{story(6)}</article></body>"
    )

    assert len(paragraphs(html)) == 6


def test_paragraphs_written_as_divs_of_spans_are_read() -> None:
    lines = "".join(
        f'<div style="text-align: left"><span>{SENTENCE} number {i}.</span></div>'
        for i in range(1, 7)
    )
    html = (
        '<body><div class="nav"><p>Home, World, Business, Sport, Culture, Travel</p></div>'
        f'<div class="chapter">{lines}</div></body>'
    )

    assert len(paragraphs(html)) == 6


def test_a_long_list_of_linked_names_does_not_win_over_the_story() -> None:
    names = ", ".join(f'<a href="/users/reader{i}">reader{i}</a>' for i in range(400))
    html = (
        f'<body><div class="work">{story(5)}</div>'
        f'<div id="thanks"><p class="thanks">{names}</p></div></body>'
    )
    result = paragraphs(html)

    assert len(result) == 5
    assert result[0].endswith("number 1.")


def test_a_section_about_shared_things_is_not_a_share_bar() -> None:
    html = (
        '<body><div class="section" id="history-editing">'
        f'{story(4)}<div class="section" id="shared-history">{story(3, start=5)}</div>'
        "</div></body>"
    )

    assert len(paragraphs(html)) == 7


def test_a_section_anchored_by_its_heading_is_read_whatever_its_title_says() -> None:
    sections = "".join(
        f'<div class="section" id="{anchor}"><h2>{title}\u00b6</h2>{story(3, start=start)}</div>'
        for anchor, title, start in (
            ("sharing-with-a-single-developer", "Sharing with a single developer", 1),
            ("related-work", "Related work", 4),
            ("comments-on-the-draft", "Comments on the draft", 7),
        )
    )
    html = f'<body><div class="document"><h1>Guide</h1>{story(4, start=20)}{sections}</div></body>'

    result = paragraphs(html)

    assert len([text for text in result if text.startswith("The council")]) == 13
    assert "Comments on the draft¶" in result


def test_a_share_bar_is_still_dropped_when_its_id_is_no_heading() -> None:
    bar = (
        '<div id="sharing-tools"><h3>Share this</h3><p>Share on Facebook, Twitter, Mail.</p></div>'
    )
    html = f"<body><article>{story(6)}{bar}</article></body>"

    assert not any("Facebook" in text for text in paragraphs(html))


def test_short_steps_beside_their_pictures_are_read_with_the_first() -> None:
    step = (
        '<div class="mod step"><div class="content"><span>Step {n}</span>'
        "<p>Insert the plant into hole number {n}.</p></div>"
        '<figure><img src="s{n}.jpg"></figure>'
        '<figcaption class="caption">A photo of the plant being moved with care (Studio)</figcaption>'
        "</div>"
    )
    steps = "".join(step.format(n=n) for n in range(1, 5))
    menu = "".join(f"<li><span>Craft idea number {n} for the garden</span></li>" for n in range(30))
    first = f'<div class="mod step"><div class="stepContent"><div class="content lead">{story(3)}'
    html = (
        f'<body><div class="col-main"><div class="page-head"><ul>{menu}</ul></div>'
        f"{first}</div></div></div>{steps}</div></body>"
    )

    result = paragraphs(html)

    assert [text for text in result if text.startswith("Insert")] == [
        f"Insert the plant into hole number {n}." for n in range(1, 5)
    ]


def test_a_long_gallery_of_captions_inside_the_story_does_not_win_over_it() -> None:
    slides = "".join(
        f"<li><h2>{n}/30 Other news</h2><p>Caption {n}: shares fell, traders said, as markets "
        "in London, Paris, Frankfurt and Madrid closed lower on Friday.</p></li>"
        for n in range(1, 31)
    )
    gallery = f'<div class="full-gallery"><div class="scroller"><ul>{slides}</ul></div></div>'
    html = f'<body><article><div class="text">{story(5)}{gallery}{story(3, start=6)}</div></article></body>'

    result = paragraphs(html)

    assert [text for text in result if text.startswith("The council")] == [
        f"{SENTENCE} number {n}." for n in range(1, 9)
    ]


def test_indented_parts_of_a_split_body_with_code_are_read() -> None:
    indent = "\n" + " " * 60
    code = f"<pre>{indent.join(['node --prof app.js'] * 12)}</pre>"
    part = (
        '<div class="n p"><div class="z">{indent}<h2>Part {n}</h2>{indent}'
        "<p>{sentence} in part {n}.</p>{indent}{code}{indent}<figure>{indent}<img src=x>"
        "{indent}<figcaption>Output of the profiler, shown here in full</figcaption></figure>"
        "{indent}</div></div>"
    )
    parts = "".join(
        part.format(indent=indent, n=n, sentence=SENTENCE, code=code) for n in range(2, 4)
    )
    menu = "".join(f"<li><span>Craft idea number {n} for the garden</span></li>" for n in range(40))
    html = (
        f'<body><article><section><ul class="claps">{menu}</ul>'
        f'<div class="n p"><div class="z">{story(8)}</div></div>{parts}</section></article></body>'
    )

    result = paragraphs(html)

    assert f"{SENTENCE} in part 2." in result
    assert f"{SENTENCE} in part 3." in result


def test_a_sibling_column_whose_text_sits_in_a_sidebar_is_not_read() -> None:
    bio = '<div class="column"><div class="sidebar"><h3>About the author</h3>' + (
        "<p>Our reporter has covered the council for ten years and writes about budgets.</p>" * 3
    )
    html = f'<body><div class="row"><div class="column">{story(8)}</div>{bio}</div></div></body>'

    assert not any("reporter" in text for text in paragraphs(html))
