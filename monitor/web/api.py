"""The JSON API beyond stories: sources and alerts, validated parameters, one error format.

Every error under ``/api/`` (and a 401 there) answers
``{"error": {"status": 400, "message": "limit must be an integer from 1 to 500"}}``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

import structlog
from aiohttp import web

from monitor.store import Store
from monitor.store.alert_views import attempts_of, list_alerts
from monitor.store.outbox import get_alert
from monitor.store.sources import SourceState, list_source_states
from monitor.store.tables import AlertStatus

MAX_PAGE = 500
log = structlog.get_logger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_error(status: int, message: str) -> web.Response:
    return web.json_response({"error": {"status": status, "message": message}}, status=status)


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Under ``/api/``, turn HTTP errors (and bugs) into the one JSON error format."""
    if not request.path.startswith("/api/"):
        return await handler(request)
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        default = f"{exc.status}: {exc.reason}"  # aiohttp's text when none was given
        return json_error(exc.status, exc.reason if exc.text in (None, default) else exc.text)
    except Exception:  # a bug: logged with its traceback, answered in the one format
        log.exception("api_request_failed", path=request.path)
        return json_error(500, "internal error (logged by the daemon)")
    if response.status >= 400 and response.content_type != "application/json":
        text = response.text if isinstance(response, web.Response) else None
        return json_error(response.status, text or response.reason)
    return response


def int_param(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter within [low, high], or a 400 that says what is allowed."""
    raw = query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise web.HTTPBadRequest(text=f"{name} must be an integer from {low} to {high}")
    return value


def choice_param(query: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    if raw not in allowed:
        raise web.HTTPBadRequest(text=f"{name} must be one of {', '.join(allowed)}")
    return raw


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def source_json(state: SourceState) -> dict[str, Any]:
    return {
        "name": state.name,
        "url": state.url,
        "type": state.kind,
        "health": state.health.value,
        "consecutive_failures": state.consecutive_failures,
        "last_checked": _when(state.last_checked_at),
        "last_success": _when(state.last_success_at),
        "next_check": _when(state.next_check_at),
        "last_error": state.last_error,
        "articles": state.article_count,
    }


def api_routes(store_of: Callable[[web.Request], Store]) -> list[web.RouteDef]:
    """``/api/sources``, ``/api/alerts`` and ``/api/alerts/{id}``."""

    async def sources(request: web.Request) -> web.Response:
        health = choice_param(request.query, "health", ("ok", "failing"))
        with store_of(request).session() as session:
            states = list_source_states(session)
        found = [s for s in states if health is None or s.health.value == health]
        return web.json_response({"sources": [source_json(s) for s in found]})

    async def alerts(request: web.Request) -> web.Response:
        statuses = tuple(status.value for status in AlertStatus)
        status = choice_param(request.query, "status", statuses)
        limit = int_param(request.query, "limit", 50, 1, MAX_PAGE)
        with store_of(request).session() as session:
            found = list_alerts(session, status=status, limit=limit)
        return web.json_response(
            {
                "alerts": [
                    {
                        "id": a.id,
                        "type": a.type,
                        "topic": a.topic,
                        "webhook": a.webhook,
                        "story_id": a.story_id,
                        "source": a.source,
                        "title": a.title,
                        "status": a.status,
                        "attempts": a.attempts,
                        "created": _when(a.created_at),
                        "due": _when(a.due_at),
                        "delivered": _when(a.delivered_at),
                        "last_status": a.last_status,
                        "last_error": a.last_error,
                    }
                    for a in found
                ]
            }
        )

    async def alert(request: web.Request) -> web.Response:
        alert_id = request.match_info["alert_id"]
        with store_of(request).session() as session:
            row = get_alert(session, alert_id)
            attempts = attempts_of(session, alert_id) if row else []
        if row is None:
            raise web.HTTPNotFound(text=f"no alert {alert_id}")
        return web.json_response(
            {
                "id": row.id,
                "type": row.type,
                "webhook": row.webhook,
                "status": row.status,
                "payload": row.payload,
                "attempts": [
                    {
                        "number": a.number,
                        "started": _when(a.started_at),
                        "duration": round(a.duration, 3),
                        "outcome": a.outcome,
                        "status_code": a.status_code,
                        "error": a.error,
                    }
                    for a in attempts
                ],
            }
        )

    return [
        web.get("/api/sources", sources),
        web.get("/api/alerts", alerts),
        web.get("/api/alerts/{alert_id}", alert),
    ]
