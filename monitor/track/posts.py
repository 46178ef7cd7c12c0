"""Live blogs post by post: which posts of a new version are new, edited or gone.

A live blog's page changes every few minutes, mostly in ways that are not news: a post pinned to
the top, posts reordered, "updated 3 minutes ago". Comparing posts by their own identity (the
page's post id, else its time and headline, else its first words) and their own text makes a new
post a new post, an edited post an edit of that post, and every move nothing at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from monitor.models import Post

PostFingerprints = dict[str, str]


@dataclass(frozen=True, slots=True)
class PostChanges:
    """How a live blog's posts changed since the version we know, in the page's order."""

    new: tuple[Post, ...] = ()
    edited: tuple[Post, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def has_news(self) -> bool:
        return bool(self.new or self.edited)


def post_key(post: Post) -> str:
    """A post's identity across fetches: its id, else its time and headline, else its opening."""
    if post.id:
        return "id:" + post.id
    if post.published is not None:
        return f"at:{post.published.isoformat()}|{post.headline or ''}"
    opening = post.headline or (post.paragraphs[0] if post.paragraphs else "")
    return "text:" + _digest(opening[:200])


def post_fingerprint(post: Post) -> str:
    """What a post says: its headline and text (not where it sits on the page)."""
    return _digest("\n".join((post.headline or "", *post.paragraphs)))


def post_fingerprints(posts: tuple[Post, ...]) -> PostFingerprints:
    return {post_key(post): post_fingerprint(post) for post in posts}


def diff_posts(known: PostFingerprints, posts: tuple[Post, ...]) -> PostChanges:
    """New, edited and removed posts of ``posts`` against the fingerprints of the last version."""
    new: list[Post] = []
    edited: list[Post] = []
    seen: set[str] = set()
    for post in posts:
        key = post_key(post)
        if key in seen:
            continue
        seen.add(key)
        before = known.get(key)
        if before is None:
            new.append(post)
        elif before != post_fingerprint(post):
            edited.append(post)
    removed = tuple(key for key in known if key not in seen)
    return PostChanges(tuple(new), tuple(edited), removed)


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
