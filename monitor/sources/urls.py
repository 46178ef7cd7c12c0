"""URL identity: one article has one canonical URL, however many feeds and redirects lead to it."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

DEFAULT_TRACKING_PARAMS: frozenset[str] = frozenset(
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
TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "pk_", "hsa_", "mtm_")
DEFAULT_PORTS = {"http": 80, "https": 443}
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"


def canonicalize_url(
    url: str, base: str | None = None, strip_params: frozenset[str] | None = None
) -> str:
    """Resolve ``url`` against ``base`` and reduce it to its canonical form.

    Lower-cases scheme and host, drops the fragment, default ports and tracking parameters,
    normalises percent-encoding of the path; keeps the order of the remaining query parameters.
    """
    url = url.strip()
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    netloc = _netloc(scheme, host, parts.port, parts.username, parts.password)
    path = quote(unquote(parts.path), safe=_SAFE_PATH) or ("/" if netloc else "")
    path = re.sub(r"/{2,}", "/", path)
    query = _strip_tracking(parts.query, strip_params or DEFAULT_TRACKING_PARAMS)
    return urlunsplit((scheme, netloc, path, query, ""))


def _netloc(
    scheme: str, host: str, port: int | None, user: str | None, password: str | None
) -> str:
    host = host.encode("idna").decode("ascii") if not host.isascii() else host.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is not None and DEFAULT_PORTS.get(scheme) != port:
        host = f"{host}:{port}"
    if user:
        credentials = user + (f":{password}" if password else "")
        host = f"{credentials}@{host}"
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
    return urlencode(kept, quote_via=quote, safe="/:@!$'()*+,;-._~")


def same_site(first: str, second: str) -> bool:
    """Whether two URLs belong to one site (same registrable-ish host, ignoring ``www.``)."""
    return _site(first) == _site(second)


def _site(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")
