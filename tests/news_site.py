"""A local news site of many feeds whose articles appear and change, with its own request log,
and a webhook receiver that keeps every request: the scale-out test's and benchmark's world.

The site moves on only when told (``advance``): generation ``g`` shows the articles that have
appeared by then, each in the version it has reached. Every feed lists a few articles that many
other feeds list too, as aggregators do. Nothing depends on wall time but the ``updated`` stamp
a feed gives a changed article, which is set a little ahead so that a fetch racing the change
is followed by another.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

EVENTS = [
    ("Harbour fire", "A fire broke out at the Halden harbour warehouses on Monday night."),
    ("Rail strike", "Rail workers in Veltria walked out over pay on Monday morning."),
    ("Flood warning", "The river Osk burst its banks and flooded the lower town of Marn."),
    ("Election count", "Counting in the Duvale regional election ran late into the night."),
    ("Bridge closure", "The Kessing bridge was closed after inspectors found deep cracks."),
    ("Vaccine trial", "A vaccine trial at the Orlen institute reported its first results."),
    ("Mine rescue", "Rescuers reached the miners trapped in the Tarrow pit on Tuesday."),
    ("Port strike", "Dock workers at the port of Salm stopped work over new shift rules."),
]
PLACES = ["Halden", "Veltria", "Marn", "Duvale", "Kessing", "Orlen", "Tarrow", "Salm"]
PUBLISHED = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)


@dataclass
class Story:
    """One article of the site: when it appears and when it changes (generations)."""

    number: int
    event: int
    appears: int
    changes: int

    def version(self, generation: int) -> int | None:
        if generation < self.appears:
            return None
        return 1 if generation >= self.changes else 0

    def title(self) -> str:
        return f"{EVENTS[self.event][0]}: report {self.number} from {PLACES[self.event]}"

    def paragraphs(self, version: int) -> list[str]:
        lead = EVENTS[self.event][1]
        own = (
            f"Reporter {self.number} spoke to {3 + self.number % 7} witnesses in "
            f"{PLACES[self.event]}, who described the scene in detail."
        )
        place = PLACES[self.event]
        text = [
            lead,
            own,
            f"The authorities said the situation in {place} was tense but under control, and "
            "asked residents to follow the official channels for further information.",
            f"Local businesses in {place} stayed closed for most of the day while emergency "
            "crews worked through the afternoon and into the evening.",
            f"According to reporter {self.number}, the regional council will meet again on "
            f"the {self.number % 27 + 1}th to review what happened and what comes next.",
        ]
        if version >= 1:
            text.append(
                f"Update: officials in {PLACES[self.event]} confirmed {11 + self.number} more "
                f"people were affected, and the inquiry opens on the {self.number % 27 + 1}th."
            )
        return text

    def html(self, version: int) -> str:
        published = PUBLISHED + timedelta(minutes=self.number)
        body = "".join(f"<p>{paragraph}</p>" for paragraph in self.paragraphs(version))
        return (
            "<!doctype html><html lang='en'><head>"
            f"<title>{self.title()}</title>"
            f"<meta property='article:published_time' content='{published.isoformat()}'>"
            f"</head><body><article><h1>{self.title()}</h1>{body}</article></body></html>"
        )


@dataclass
class Request:
    at: float  # time.monotonic()
    path: str


@dataclass
class NewsSite:
    """``feeds`` feeds over ``articles`` articles, appearing over ``generations`` steps."""

    feeds: int = 200
    articles: int = 40
    generations: int = 4
    seed: int = 14
    per_feed: int = 2
    generation: int = 0
    stories: list[Story] = field(default_factory=list)
    log: list[Request] = field(default_factory=list)
    changed_at: dict[int, datetime] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    hosts: int = 1  # served on 127.0.0.1, 127.0.0.2, …: feeds and articles spread over them
    bases: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return self.bases[0]

    def feed_url(self, feed: int) -> str:
        return f"{self.bases[feed % len(self.bases)]}/feed/{feed}.xml"

    def article_url(self, number: int) -> str:
        return f"{self.bases[number % len(self.bases)]}/a/{number}.html"

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        for number in range(self.articles):
            appears = rng.randrange(self.generations)
            changes = rng.randrange(appears + 1, self.generations + 2)
            self.stories.append(Story(number, number % len(EVENTS), appears, changes))
        self.changed_at[0] = datetime.now(UTC)

    def advance(self) -> None:
        with self.lock:
            self.generation += 1
            self.changed_at[self.generation] = datetime.now(UTC) + timedelta(seconds=5)

    def listed(self, feed: int) -> list[Story]:
        picks = [(feed * 7 + offset * 13) % self.articles for offset in range(self.per_feed)]
        return [self.stories[number] for number in dict.fromkeys(picks)]

    def feed_xml(self, feed: int) -> str:
        entries = []
        for story in self.listed(feed):
            version = story.version(self.generation)
            if version is None:
                continue
            reached = story.changes if version else story.appears
            updated = self.changed_at.get(reached, self.changed_at[0]).isoformat()
            url = self.article_url(story.number)
            entries.append(
                f"<entry><title>{story.title()}</title><link href='{url}'/>"
                f"<id>{url}</id><updated>{updated}</updated></entry>"
            )
        return (
            "<?xml version='1.0' encoding='utf-8'?>"
            "<feed xmlns='http://www.w3.org/2005/Atom'>"
            f"<title>Feed {feed}</title><id>{self.feed_url(feed)}</id>"
            f"<updated>{self.changed_at[0].isoformat()}</updated>{''.join(entries)}</feed>"
        )

    def answer(self, path: str) -> tuple[int, str, str]:
        with self.lock:
            self.log.append(Request(time.monotonic(), path))
            if path.startswith("/feed/") and path.endswith(".xml"):
                feed = int(path[len("/feed/") : -len(".xml")])
                if 0 <= feed < self.feeds:
                    return 200, "application/atom+xml", self.feed_xml(feed)
            if path.startswith("/a/") and path.endswith(".html"):
                story = self.stories[int(path[len("/a/") : -len(".html")])]
                version = story.version(self.generation)
                if version is not None:
                    return 200, "text/html; charset=utf-8", story.html(version)
        return 404, "text/plain", "not found"

    def versions_shown(self) -> dict[int, int]:
        """Article number → the highest version the site has shown so far."""
        shown = {}
        for story in self.stories:
            version = story.version(self.generation)
            if version is not None:
                shown[story.number] = version
        return shown

    def fetches(self, prefix: str) -> dict[str, list[float]]:
        with self.lock:
            found: dict[str, list[float]] = {}
            for request in self.log:
                if request.path.startswith(prefix):
                    found.setdefault(request.path, []).append(request.at)
        return found


class SiteServers:
    """The site's servers, one per host, all on one port."""

    def __init__(self, servers: list[ThreadingHTTPServer]) -> None:
        self.servers = servers

    def shutdown(self) -> None:
        for server in self.servers:
            server.shutdown()

    def server_close(self) -> None:
        for server in self.servers:
            server.server_close()


def serve_site(site: NewsSite) -> SiteServers:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, kind, text = site.answer(self.path)
            body = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    first = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = first.server_address[1]
    servers = [first] + [
        ThreadingHTTPServer((f"127.0.0.{number}", port), Handler)
        for number in range(2, site.hosts + 1)
    ]
    site.bases = [f"http://127.0.0.{number}:{port}" for number in range(1, site.hosts + 1)]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return SiteServers(servers)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


def serve_receiver(received: list[Received]) -> ThreadingHTTPServer:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with lock:
                received.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def monitor_config(
    site: NewsSite, hook: str, database: str, *, interval: float, instances: dict[str, object]
) -> str:
    """A monitor configuration watching every feed of ``site`` every ``interval`` seconds,
    alerting ``hook`` of everything, with ``instances:`` set as given."""
    lines = [
        "storage:",
        f"  database_url: {database}",
        "fetch:",
        "  connect_timeout: 5s",
        "  total_timeout: 10s",
        "  retries: 0",
        "  per_host_delay: 0s",
        "  per_host_concurrency: 16",
        "  obey_robots: false",
        "  allow_private_networks: true",
        "instances:",
        *(f"  {key}: {value}" for key, value in instances.items()),
        "sources:",
    ]
    for feed in range(site.feeds):
        lines += [
            f"  - name: feed-{feed:03d}",
            f"    url: {site.feed_url(feed)}",
            f"    interval: {interval}s",
            "    jitter: 0s",
        ]
    lines += [
        "topics:",
        "  - name: everything",
        "    query: {any: [the]}",
        "    webhooks: [hook]",
        "webhooks:",
        "  - name: hook",
        f"    url: {hook}",
        f"    secret: {SECRET}",
        "alerts:",
        "  delivery_interval: 0.5s",
        "  retry_schedule: [0s, 1s, 2s]",
        "server:",
        "  enabled: false",
    ]
    return "\n".join(lines) + "\n"
