import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.sources.urls import canonicalize_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.COM:443/a/b?utm_source=x&id=3#frag", "https://example.com/a/b?id=3"),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/x?fbclid=1&gclid=2", "http://example.com:8080/x"),
        ("/news/1?mc_cid=abc", "https://site.test/news/1"),
        ("https://example.com/a%20b", "https://example.com/a%20b"),
        ("https://example.com/a b", "https://example.com/a%20b"),
    ],
)
def test_canonical_forms(url: str, expected: str) -> None:
    assert canonicalize_url(url, base="https://site.test/") == expected


@given(st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FF), max_size=60))
def test_canonicalization_is_idempotent(tail: str) -> None:
    try:
        once = canonicalize_url("https://Example.com/" + tail)
    except ValueError:
        return
    assert canonicalize_url(once) == once
