"""Build the live-blog seed: five versions of one fictional live blog, and their replay file.

The live blog follows the seed story (talks in Egypt) as it happens. Each version is written to
``site/live-vN.html`` and appended, with its fetch time, to ``replay.jsonl``; ``expected.jsonl``
is what ``monitor replay`` must print for it (checked by tests/track/test_seeds.py).

    python seeds/liveblog/build.py        # rewrite the pages and replay.jsonl
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
URL = "http://127.0.0.1/harborview/live/egypt-talks-live.html"
NOTICE = (
    "FICTIONAL TEST CONTENT: this live blog was written as a test fixture for the monitor "
    "project; the outlet, its reporters and this page are not real."
)
POSTS = {
    "p1": (
        "2025-10-06T10:00:00+00:00",
        "Delegations arrive in Sharm el-Sheikh",
        "Israeli and Hamas delegations have arrived in Sharm el-Sheikh for indirect talks "
        "hosted by Egyptian intelligence officials. Mediators from Qatar and the United States "
        "are shuttling between the two rooms.",
    ),
    "p2": (
        "2025-10-06T10:10:00+00:00",
        "Health officials report overnight strikes",
        "Local health officials in Gaza say at least 24 people were killed in overnight strikes, "
        "hours before the talks opened.",
    ),
    "p2-edited": (
        "2025-10-06T10:10:00+00:00",
        "Health officials report overnight strikes",
        "Local health officials in Gaza say at least 31 people were killed in overnight strikes, "
        "hours before the talks opened.",
    ),
    "p3": (
        "2025-10-06T10:20:00+00:00",
        "Washington urges a quick first phase",
        "A State Department spokesman said Washington wants the first phase, the release of "
        "hostages in exchange for prisoners, agreed within days.",
    ),
    "p4": (
        "2025-10-06T10:40:00+00:00",
        "Egypt proposes a timetable for hostage releases",
        "Egyptian mediators have handed both delegations a written timetable under which the "
        "first group of hostages would be freed within 72 hours of a signed agreement.",
    ),
    "p5": (
        "2025-10-06T11:40:00+00:00",
        "Talks adjourn until Tuesday morning",
        "The first day of talks has ended without a statement. Egyptian officials say the "
        "delegations will meet again on Tuesday at 9am local time to discuss the prisoner lists.",
    ),
}
# (fetched at, "updated N minutes ago", posts in page order): a new post, an edit, a pinned
# post with a new "updated" line, then a new post with an old one removed.
VERSIONS = [
    ("2025-10-06T10:25:00+00:00", 5, ["p3", "p2", "p1"]),
    ("2025-10-06T10:45:00+00:00", 5, ["p4", "p3", "p2", "p1"]),
    ("2025-10-06T11:00:00+00:00", 20, ["p4", "p3", "p2-edited", "p1"]),
    ("2025-10-06T11:20:00+00:00", 40, ["p1", "p4", "p3", "p2-edited"]),
    ("2025-10-06T11:45:00+00:00", 5, ["p5", "p1", "p4", "p2-edited"]),
]


def post_html(key: str) -> str:
    published, headline, text = POSTS[key]
    post_id = key.split("-")[0]
    return (
        f'<article class="live-post" id="{post_id}">'
        f'<time datetime="{published}">{published[11:16]} GMT</time>'
        f"<h3>{headline}</h3><p>{text}</p>"
        '<div class="share-bar"><a href="#">Share</a></div></article>'
    )


def json_ld(keys: list[str]) -> str:
    updates = [
        {
            "@type": "BlogPosting",
            "@id": f"{URL}#{key.split('-')[0]}",
            "datePublished": POSTS[key][0],
            "headline": POSTS[key][1],
            "articleBody": POSTS[key][2],
        }
        for key in keys
    ]
    data = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "headline": "Live: Israel-Hamas talks in Egypt",
        "datePublished": "2025-10-06T10:00:00+00:00",
        "coverageStartTime": "2025-10-06T10:00:00+00:00",
        "liveBlogUpdate": updates,
    }
    return json.dumps(data, ensure_ascii=False)


def page(updated_minutes: int, keys: list[str]) -> str:
    posts = "".join(post_html(key) for key in keys)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Live: Israel-Hamas talks in Egypt | The Harborview Courier</title>"
        f'<link rel="canonical" href="{URL}"><meta name="robots" content="noindex">'
        f'<script type="application/ld+json">{json_ld(keys)}</script></head><body>'
        f'<div class="fixture-notice" role="note">{NOTICE}</div>'
        '<header><a href="/harborview/">The Harborview Courier</a></header><main>'
        "<h1>Live: Israel-Hamas talks in Egypt</h1>"
        f'<p class="updated">Updated {updated_minutes} minutes ago</p>'
        f'<div class="live-posts">{posts}</div></main>'
        '<aside class="most-read"><h2>Most read</h2><ul><li><a href="/x">Other news</a></li>'
        "</ul></aside></body></html>\n"
    )


def main() -> None:
    lines = []
    for number, (fetched_at, minutes, keys) in enumerate(VERSIONS, start=1):
        relative = f"site/live-v{number}.html"
        html = page(minutes, keys)
        (HERE / relative).write_text(html, encoding="utf-8")
        observation = {
            "source": "The Harborview Courier",
            "url": URL,
            "fetched_at": fetched_at,
            "html": html,
        }
        lines.append(json.dumps(observation, ensure_ascii=False))
    (HERE / "replay.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
