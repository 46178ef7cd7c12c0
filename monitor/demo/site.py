"""A fictional news site on 127.0.0.1 that evolves through the steps of ``seeds/steps.json``.

Each step says which files are served at which paths from that step on (later steps override
earlier ones). The site answers conditional requests (ETag, Last-Modified) like a real server,
and records which paths were fetched, so that a driver can advance only once the daemon has
seen everything the current step changed.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import mimetypes
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from aiohttp import web

SEED_ORIGIN = b"http://127.0.0.1"  # how the seed files write absolute links
EMPTY_FEED = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
    b"<title>(fictional test outlet, nothing published yet)</title><link>{link}</link>"
    b"</channel></rss>\n"
)
CONTENT_TYPES = {".xml": "application/rss+xml", ".html": "text/html; charset=utf-8"}


@dataclass(frozen=True)
class Step:
    note: str
    serve: dict[str, str]


def load_steps(seeds_dir: Path) -> list[Step]:
    raw = json.loads((seeds_dir / "steps.json").read_text(encoding="utf-8"))
    steps = raw["steps"] if isinstance(raw, dict) else raw
    return [Step(note=step.get("note", ""), serve=dict(step["serve"])) for step in steps]


@dataclass(frozen=True)
class _Resource:
    body: bytes
    content_type: str
    etag: str
    last_modified: str


class SeedSite:
    """Serves the seeds site; ``advance()`` moves it to the next step."""

    def __init__(self, seeds_dir: Path, steps: list[Step] | None = None) -> None:
        self.seeds_dir = seeds_dir
        self.steps = steps if steps is not None else load_steps(seeds_dir)
        self.step = -1
        self.paths: dict[str, _Resource] = {}
        self.changed: set[str] = set()
        self.first_fetch: dict[str, float] = {}  # since the current step began
        self.last_fetch: dict[str, float] = {}
        self.runner: web.AppRunner | None = None
        self.base_url = ""

    # ---------------------------------------------------------------- steps

    def advance(self) -> Step:
        """Serve the next step; returns it."""
        self.step += 1
        step = self.steps[self.step]
        stamp = format_datetime(datetime.now(UTC), usegmt=True)
        self.changed = set()
        if self.step == 0:
            self._serve_empty_feeds(stamp)
        for path, file in step.serve.items():
            body = self._render(file)
            previous = self.paths.get(path)
            if previous is None or previous.body != body:
                self.changed.add(path)
                self.paths[path] = _Resource(body, _content_type(file), _etag(body), stamp)
        self.first_fetch, self.last_fetch = {}, {}
        return step

    @property
    def finished(self) -> bool:
        return self.step >= len(self.steps) - 1

    def _render(self, file: str) -> bytes:
        body = (self.seeds_dir / file).read_bytes()
        return body.replace(SEED_ORIGIN + b"/", self.base_url.encode() + b"/")

    def _serve_empty_feeds(self, stamp: str) -> None:
        """Outlets that publish later already have a feed, with no items yet."""
        for step in self.steps:
            for path in step.serve:
                if path.endswith(".xml") and path not in self.paths:
                    body = EMPTY_FEED.replace(b"{link}", (self.base_url + path).encode())
                    self.paths[path] = _Resource(body, CONTENT_TYPES[".xml"], _etag(body), stamp)

    def seen_since_change(self, feeds: list[str]) -> bool:
        """Every changed path was fetched, and every feed fetched again after all of them.

        A source's next check starts only once its previous one has finished, so a feed
        fetched after the changed pages means the check that saw them has been stored.
        """
        if not all(path in self.first_fetch for path in self.changed):
            return False
        seen = max((self.first_fetch[p] for p in self.changed), default=0.0)
        return all(self.last_fetch.get(feed, -1.0) > seen for feed in feeds)

    # ---------------------------------------------------------------- serving

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application()
        app.router.add_get("/{path:.*}", self._handle)
        self.runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self.runner.setup()
        site = web.TCPSite(self.runner, host, port)
        await site.start()
        bound = self.runner.addresses[0]
        self.base_url = f"http://{host}:{bound[1]}"
        return self.base_url

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["path"]
        if path == "/robots.txt":
            return web.Response(text="User-agent: *\nAllow: /\n", content_type="text/plain")
        resource = self.paths.get(path)
        if resource is None:
            return web.Response(status=404, text="not found")
        now = asyncio.get_running_loop().time()
        self.first_fetch.setdefault(path, now)
        self.last_fetch[path] = now
        headers = {"ETag": resource.etag, "Last-Modified": resource.last_modified}
        if request.headers.get("If-None-Match") == resource.etag:
            return web.Response(status=304, headers=headers)
        return web.Response(
            body=resource.body, headers={**headers, "Content-Type": resource.content_type}
        )


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def _content_type(file: str) -> str:
    suffix = Path(file).suffix
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(file)[0] or "application/octet-stream"
