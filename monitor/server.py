"""The daemon's HTTP endpoint: /healthz, /metrics, a read-only JSON API, the pages and feeds.

Served with aiohttp on the daemon's own event loop; it only reads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import structlog
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from monitor.connections import ConnectionGuard, GuardedSite
from monitor.metrics import Metrics
from monitor.store import Store
from monitor.store.sources import SourceState, list_source_states
from monitor.store.stories import list_stories, story_detail
from monitor.web import TopicLike, WebDeps, api_routes, json_errors, mount, token_middleware

MAX_PAGE = 500
DATABASE_ANSWER_S = 2.0  # /healthz waits no longer for the database
STUCK_AFTER_S = 5.0  # a transaction running longer is reported as stuck
T = TypeVar("T")
log = structlog.get_logger("monitor.server")


@dataclass(frozen=True)
class ServerDeps:
    store: Store
    metrics: Metrics
    scheduler_running: Callable[[], bool]
    topics: Callable[[], Sequence[TopicLike]] = tuple
    token: str | None = None
    roles: Callable[[], dict[str, object]] | None = None  # this instance and its roles


DEPS_KEY = web.AppKey("deps", ServerDeps)


def build_app(deps: ServerDeps) -> web.Application:
    middlewares = [json_errors] + ([token_middleware(deps.token)] if deps.token else [])
    app = web.Application(middlewares=middlewares)
    app[DEPS_KEY] = deps
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/api/stories", stories)
    app.router.add_get("/api/stories/{story_id}", story)
    app.router.add_routes(api_routes(lambda request: request.app[DEPS_KEY].store))
    mount(app, WebDeps(deps.store, deps.topics))
    return app


async def healthz(request: web.Request) -> web.Response:
    """Answers within seconds whatever the database does: its work runs in threads, bounded
    here by ``DATABASE_ANSWER_S``, and a transaction running longer than ``STUCK_AFTER_S`` is
    reported (and logged) as what is waiting."""
    deps = request.app[DEPS_KEY]
    database = await _bounded(deps.store.ping) is True
    scheduler = deps.scheduler_running()
    body: dict[str, object] = {
        "status": "ok" if database and scheduler else "unavailable",
        "database": "ok" if database else "unreachable",
        "scheduler": "running" if scheduler else "stopped",
    }
    waiting = deps.store.waiting()
    if waiting is not None and waiting[1] >= STUCK_AFTER_S:
        database = False
        body["status"], body["database"] = "unavailable", "stuck"
        body["database_waiting"] = {"what": waiting[0], "seconds": round(waiting[1], 1)}
        log.warning("database_stuck", waiting=waiting[0], seconds=round(waiting[1], 1))
    if deps.roles is not None:
        body["instance"] = deps.roles()
    if database:
        try:
            states = await _bounded(_source_states, deps.store)
            if states is None:
                raise TimeoutError(f"no answer within {DATABASE_ANSWER_S:.0f} s")
        except Exception as exc:  # e.g. the database was recreated empty: say so, do not fail
            database = False
            body["status"] = "unavailable"
            first_line = (str(exc).splitlines() or [""])[0][:200]
            body["database"] = f"unusable: {type(exc).__name__}: {first_line}"
        else:
            body["sources"] = {
                "total": len(states),
                "failing": sorted(s.name for s in states if s.health.value != "ok"),
            }
    return web.json_response(body, status=200 if database and scheduler else 503)


def _source_states(store: Store) -> list[SourceState]:
    with store.session() as session:
        return list_source_states(session)


async def _bounded(function: Callable[..., T], *args: Any) -> T | None:
    """``function(*args)`` in a thread; None if it has not answered within the bound."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(function, *args), DATABASE_ANSWER_S)
    except TimeoutError:
        return None


async def metrics(request: web.Request) -> web.Response:
    payload = request.app[DEPS_KEY].metrics.render()
    response = web.Response(body=payload)
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    return response


async def stories(request: web.Request) -> web.Response:
    deps = request.app[DEPS_KEY]
    try:
        limit = max(1, min(int(request.query.get("limit", "50")), MAX_PAGE))
    except ValueError:
        raise web.HTTPBadRequest(text="limit must be an integer") from None
    status = request.query.get("status")
    if status not in (None, "active", "dormant"):
        raise web.HTTPBadRequest(text="status must be one of active, dormant")
    with deps.store.session() as session:
        found = list_stories(session, limit=limit, status=status)
    return web.json_response({"stories": [summary.to_json() for summary in found]})


async def story(request: web.Request) -> web.Response:
    deps = request.app[DEPS_KEY]
    with deps.store.session() as session:
        detail = story_detail(session, request.match_info["story_id"])
    if detail is None:
        raise web.HTTPNotFound(text="no such story")
    return web.json_response(detail.to_json())


async def start_server(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Start serving ``app``; the caller cleans the returned runner up on shutdown."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await GuardedSite(runner, host, port, ConnectionGuard()).start()  # bounded connections
    return runner


def bound_port(runner: web.AppRunner) -> int:
    """The port actually bound (useful when the config says 0)."""
    for address in runner.addresses:
        if isinstance(address, tuple):
            return int(address[1])
    raise RuntimeError("server is not listening")
