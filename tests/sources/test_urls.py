import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.sources.urls import (
    canonical_web_url,
    canonicalize_url,
    is_web_url,
    preferred_canonical_url,
    same_site,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.COM:443/a/b?utm_source=x&id=3#frag", "https://example.com/a/b?id=3"),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/x?fbclid=1&gclid=2", "http://example.com:8080/x"),
        ("/news/1?mc_cid=abc", "https://site.test/news/1"),
        ("https://example.com/a%20b", "https://example.com/a%20b"),
        ("https://example.com/a b", "https://example.com/a%20b"),
        ("https://example.com/%7Ebob", "https://example.com/~bob"),
        ("https://example.com//a///b", "https://example.com/a/b"),
        ("https://example.com./a", "https://example.com/a"),
        ("https://bücher.example/a", "https://xn--bcher-kva.example/a"),
        ("https://user:pw@Example.com:0443/", "https://user:pw@example.com/"),
        ("https://[2001:DB8::1]:443/x", "https://[2001:db8::1]/x"),
        ("https://example.com/?b=2&a=1&utm_medium=m", "https://example.com/?b=2&a=1"),
        ("https://example.com/?q=a+b&x=%26", "https://example.com/?q=a%20b&x=%26"),
        ("https://example.com:99999/", "https://example.com:99999/"),
        ("  https://example.com/a  ", "https://example.com/a"),
        # an encoded "/" is part of a segment: a%2Fb and a/b are different resources
        ("https://example.com/a%2Fb", "https://example.com/a%2Fb"),
        ("https://example.com/a%2fb", "https://example.com/a%2Fb"),
        ("https://example.com/q%3Fx%23y", "https://example.com/q%3Fx%23y"),
        ("https://example.com/caf%c3%a9", "https://example.com/caf%C3%A9"),
        ("https://example.com/latin1%E9", "https://example.com/latin1%E9"),
        ("https://example.com/100%", "https://example.com/100%25"),
        # dot segments are removed (RFC 3986 section 5.2.4), never above the root
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com/a/b/..", "https://example.com/a/"),
        ("https://example.com/a/.", "https://example.com/a/"),
        ("https://example.com/../../x", "https://example.com/x"),
        ("https://example.com/a/%2E%2E/b", "https://example.com/b"),
        ("https://example.com/a/..b/.c", "https://example.com/a/..b/.c"),
    ],
)
def test_canonical_forms(url: str, expected: str) -> None:
    assert canonicalize_url(url, base="https://site.test/") == expected


def test_an_encoded_slash_does_not_merge_two_urls() -> None:
    assert canonicalize_url("https://example.com/a%2Fb") != canonicalize_url(
        "https://example.com/a/b"
    )


def test_a_plus_in_a_query_keeps_its_meaning() -> None:
    """``%2B`` is a plus and ``+`` a space: canonical forms keep them apart, and stay put."""
    plus = canonicalize_url("https://example.com/s?q=a%2Bb")
    space = canonicalize_url("https://example.com/s?q=a+b")
    assert plus == "https://example.com/s?q=a%2Bb"
    assert space == "https://example.com/s?q=a%20b"
    assert canonicalize_url(plus) == plus
    assert canonicalize_url(space) == space


def test_configurable_tracking_parameters() -> None:
    url = "https://example.com/a?ref=home&fbclid=1&utm_source=x"
    assert (
        canonicalize_url(url, strip_params=frozenset({"ref"})) == "https://example.com/a?fbclid=1"
    )


def test_canonical_web_url_rejects_other_schemes_and_junk() -> None:
    assert canonical_web_url("/a#x", base="https://e.example/") == "https://e.example/a"
    assert canonical_web_url("mailto:desk@example.com") is None
    assert canonical_web_url("javascript:void(0)", base="https://e.example/") is None
    assert canonical_web_url("http://[::1") is None
    assert not is_web_url("https://")


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("https://www.example.com/a", "http://example.com/b", True),
        ("https://edition.example.com/a", "https://www.example.com/b", True),
        ("https://example.com/", "https://example.org/", False),
        ("https://news.bbc.co.uk/", "https://www.bbc.co.uk/", True),
        ("https://bbc.co.uk/", "https://itv.co.uk/", False),
        ("http://10.0.0.1/", "http://10.0.0.2/", False),
        ("http://[::1]/a", "http://[::1]/b", True),
        ("http://[::1", "http://[::1", False),
        ("/relative", "/relative", False),
    ],
)
def test_same_site(first: str, second: str, expected: bool) -> None:
    assert same_site(first, second) is expected


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("https://www.example.com/story/1", "https://www.example.com/story/1"),
        ("/story/1?utm_source=x", "https://m.example.com/story/1"),
        ("https://aggregator.example.net/copy", "https://m.example.com/story/1-amp"),
        ("javascript:alert(1)", "https://m.example.com/story/1-amp"),
        (None, "https://m.example.com/story/1-amp"),
    ],
)
def test_preferred_canonical_url(declared: str | None, expected: str) -> None:
    page = "https://M.example.com/story/1-amp?utm_medium=social#x"
    assert preferred_canonical_url(page, declared) == expected


_hosts = st.from_regex(r"[A-Za-z0-9-]{1,12}(\.[A-Za-z0-9ü-]{1,8}){0,3}\.?", fullmatch=True)
_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF), max_size=30)


def _url(scheme: str, host: str, port: str, path: str, query: str, fragment: str) -> str:
    query = f"?{query}" if query else ""
    fragment = f"#{fragment}" if fragment else ""
    return f"{scheme}://{host}{port}/{path}{query}{fragment}"


_urls = st.builds(
    _url,
    st.sampled_from(["http", "HTTPS", "https", "Http"]),
    _hosts,
    st.sampled_from(["", ":80", ":443", ":8080", ":0080", ":"]),
    _text,
    _text,
    _text,
)


@settings(max_examples=300)
@given(st.one_of(_urls, _text.map(lambda tail: "https://Example.com/" + tail), _text))
def test_canonicalization_is_idempotent(url: str) -> None:
    try:
        once = canonicalize_url(url, base="https://Base.example/dir/page")
    except ValueError:
        return  # documented: a URL that cannot be split at all
    assert canonicalize_url(once) == once
    assert canonicalize_url(once, base="https://other.example/") == once
