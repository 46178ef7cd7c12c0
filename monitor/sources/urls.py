"""URL identity: one article has one canonical URL, however many feeds and redirects lead to it."""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

DEFAULT_TRACKING_PARAMS: Final[frozenset[str]] = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "ocid",
        "cmpid",
        "icid",
        "ncid",
        "ref_src",
        "__twitter_impression",
        "s_cid",
        "sr_share",
        "spm",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_conv",
        "vero_id",
        "wt_mc",
        "wt.mc_id",
        "at_medium",
        "at_campaign",
        "taid",
    }
)
TRACKING_PREFIXES: Final[tuple[str, ...]] = ("utm_", "pk_", "hsa_", "mtm_")
DEFAULT_PORTS: Final = {"http": 80, "https": 443}
_SAFE_PATH: Final = "/%:@!$&'()*+,;=-._~"


def canonicalize_url(
    url: str, base: str | None = None, strip_params: frozenset[str] | None = None
) -> str:
    """Resolve ``url`` against ``base`` and reduce it to its canonical form.

    Lower-cases scheme and host, drops the fragment, default ports and tracking parameters,
    normalises percent-encoding of the path (an encoded ``/``, ``?`` or ``#`` stays encoded: it
    is part of a segment, not a separator), removes ``.`` and ``..`` segments; keeps the order
    of the remaining query parameters.
    Raises ``ValueError`` for a URL that cannot be split (an unbalanced IPv6 bracket, say).
    """
    url = url.strip()
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    netloc = _netloc(scheme, parts.netloc)
    path = _remove_dot_segments(_normalise_escapes(parts.path)) or ("/" if netloc else "")
    if "//" in path:
        path = _SLASHES.sub("/", path)
    query = _strip_tracking(parts.query, strip_params or DEFAULT_TRACKING_PARAMS)
    return urlunsplit((scheme, netloc, path, query, ""))


_SLASHES: Final = re.compile(r"/{2,}")
_ESCAPE: Final = re.compile(r"%([0-9A-Fa-f]{2})")
_STRAY_PERCENT: Final = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Characters that mean the same written plain or escaped in a path segment; "/" is not one of
# them (``a%2Fb`` is one segment, ``a/b`` two) and neither are "%", "?" and "#".
_SAME_ESCAPED: Final = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + _SAFE_PATH
) - {"/", "%"}


def _normalise_escapes(path: str) -> str:
    """One spelling per path: plain where an escape is not needed, upper-case hex where it is."""
    if "%" in path:
        path = _STRAY_PERCENT.sub("%25", path)
    path = quote(path, safe=_SAFE_PATH)
    return _ESCAPE.sub(_one_spelling, path) if "%" in path else path


def _one_spelling(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _SAME_ESCAPED else match.group(0).upper()


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4: ``/a/./b/../c`` → ``/a/c``; never above the root."""
    if "/." not in path and not path.startswith("."):
        return path  # no segment is "." or ".." (most paths: no split and join)
    output: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
        elif segment == "..":
            if len(output) > 1 or (output and output[0] != ""):
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    return "/".join(output)


def canonical_web_url(
    url: str, base: str | None = None, strip_params: frozenset[str] | None = None
) -> str | None:
    """The canonical form of an http(s) URL, or None for other schemes and unparseable URLs."""
    try:
        canonical = canonicalize_url(url, base=base, strip_params=strip_params)
    except ValueError:
        return None
    return canonical if is_web_url(canonical) else None


def is_web_url(url: str) -> bool:
    """Whether ``url`` is an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in DEFAULT_PORTS and bool(parts.hostname)


def _netloc(scheme: str, netloc: str) -> str:
    """Lower-case host (IDNA-encoded when it can be), no default port, credentials kept."""
    credentials, at, hostport = netloc.rpartition("@")
    host, port = _split_port(hostport)
    host = _normalise_host(host)
    if port and DEFAULT_PORTS.get(scheme) != int(port):
        host = f"{host}:{port}"
    return f"{credentials}@{host}" if at else host


def _split_port(hostport: str) -> tuple[str, str]:
    """``"host:8080"`` → ``("host", "8080")``; anything that is not a port stays in the host."""
    host, colon, port = hostport.rpartition(":")
    if not colon or ("[" in hostport and not host.endswith("]")):
        return hostport, ""
    if not port:
        return host, ""
    if port.isascii() and port.isdigit():
        return host, port.lstrip("0") or "0"
    return hostport, ""


def _normalise_host(host: str) -> str:
    host = host.rstrip(".").lower()
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _strip_tracking(query: str, strip_params: frozenset[str]) -> str:
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = [
        (key, value)
        for key, value in pairs
        if key.lower() not in strip_params and not key.lower().startswith(TRACKING_PREFIXES)
    ]
    # a literal plus stays escaped: unescaped in a query it reads as a space
    return urlencode(kept, quote_via=quote, safe="/:@!$'()*,;-._~")


def same_site(first: str, second: str) -> bool:
    """Whether two URLs belong to one site: the same registrable domain, approximately.

    Without the Public Suffix List this takes the last two host labels, or three under the common
    country second-level domains (``co.uk``, ``com.au``, ...): ``edition.example.com`` and
    ``www.example.com`` are one site, ``example.co.uk`` and ``other.co.uk`` are not. IP addresses
    and single-label hosts must match exactly. Unparseable URLs belong to no site.
    """
    site = _site(first)
    return site is not None and site == _site(second)


def preferred_canonical_url(
    page_url: str, declared: str | None, strip_params: frozenset[str] | None = None
) -> str:
    """The article's one URL: its declared ``rel=canonical`` / ``og:url`` when that is a same-site
    http(s) URL, else the page's own URL (after redirects) — canonicalised either way."""
    own = canonical_web_url(page_url, strip_params=strip_params) or page_url
    if declared:
        candidate = canonical_web_url(declared, base=own, strip_params=strip_params)
        if candidate is not None and same_site(candidate, own):
            return candidate
    return own


_SECOND_LEVEL: Final = frozenset(
    {"co", "com", "net", "org", "gov", "ac", "edu", "ne", "or", "go", "gob"}
)


def _site(url: str) -> str | None:
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    if not host:
        return None
    labels = host.split(".")
    if len(labels) < 2 or labels[-1].isdigit() or ":" in host:
        return host
    keep = 3 if len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])
