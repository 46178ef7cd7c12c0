"""The outbox worker: send due alerts to their webhooks, signed, at least once, calmly.

Each endpoint is served by its own task, so a slow or dead endpoint never holds up another
(nor the fetching, which does not wait for delivery at all). Within an endpoint up to
``max_in_flight`` alerts of different stories are in flight at once, while the alerts of one
story go one after another, in order (the outbox only hands out the oldest of each story).

A failed attempt is retried on the schedule (default: immediately, 5 s, 5 min, 30 min, 2 h, 5 h,
10 h, 10 h) with ±20 % jitter, never sooner than the endpoint's ``Retry-After``; after the last
attempt the alert is dead-lettered (``failed``) and can be replayed. An endpoint answering
410 Gone is disabled until ``monitor webhooks enable``. Every attempt of one alert carries the
same ``webhook-id`` and a fresh ``webhook-timestamp`` and signature.

Two ways to drive it: ``deliver_due`` (one pass over every endpoint, returns when done) and
the daemon's ``DeliveryWorker`` (``kick`` for the interval job: starts a pass for each endpoint
that is not busy and returns at once).
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import httpx
import structlog

from monitor import __version__
from monitor.alerts.formats import format_for
from monitor.alerts.payload import build_payload
from monitor.alerts.signing import new_message_id, sign
from monitor.channels import send_apprise
from monitor.defaults import RETRY_SCHEDULE
from monitor.models import ArticleInfo, Development, DevelopmentKind, StoryInfo
from monitor.retry_after import parse_retry_after
from monitor.store.outbox import (
    AttemptOutcome,
    AttemptResult,
    ClaimedAlert,
    SessionFactory,
    claim_due,
    finish_attempt,
    hold_endpoint,
    release_leases,
)

log = structlog.get_logger(__name__)

USER_AGENT = f"monitor/{__version__} (+webhooks)"
RESPONSE_EXCERPT_BYTES = 512
LEASE_MARGIN = 30.0


class WebhookLike(Protocol):
    """What delivery reads from a webhook (``monitor.config.WebhookConfig`` fits)."""

    @property
    def name(self) -> str: ...

    @property
    def url(self) -> str: ...

    @property
    def secret(self) -> str | None: ...  # None only for format "apprise"

    @property
    def format(self) -> str: ...

    @property
    def headers(self) -> dict[str, str]: ...

    @property
    def timeout(self) -> float: ...

    @property
    def enabled(self) -> bool: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How delivery retries and how much it does at once."""

    retry_schedule: tuple[float, ...] = RETRY_SCHEDULE
    max_in_flight_per_endpoint: int = 4
    jitter: float = 0.2
    max_retry_after: float = 86400.0
    batch_size: int = 20
    clock: Callable[[], datetime] = utc_now
    observe: Callable[[AttemptOutcome, AttemptResult], None] | None = None  # metrics hook
    pages_url: str | None = None  # the daemon's public address, for story links in messages


@dataclass(slots=True)
class DeliveryReport:
    """What one pass did, summed over endpoints."""

    delivered: int = 0
    retried: int = 0
    dead: int = 0
    attempts: int = 0
    disabled: list[str] = field(default_factory=list)

    def add(self, other: DeliveryReport) -> None:
        self.delivered += other.delivered
        self.retried += other.retried
        self.dead += other.dead
        self.attempts += other.attempts
        self.disabled += other.disabled

    def count(self, outcome: AttemptOutcome, endpoint: str) -> None:
        self.attempts += 1
        if outcome is AttemptOutcome.DELIVERED:
            self.delivered += 1
        elif outcome is AttemptOutcome.RETRY:
            self.retried += 1
        elif outcome is AttemptOutcome.DEAD:
            self.dead += 1
        elif endpoint not in self.disabled:
            self.disabled.append(endpoint)


# --------------------------------------------------------------------------- decisions (pure)


def retry_delay(
    attempts_made: int,
    schedule: Sequence[float],
    retry_after: float | None = None,
    *,
    jitter: float = 0.2,
    max_retry_after: float = 86400.0,
    rng: random.Random | None = None,
) -> float | None:
    """Seconds to wait before the next attempt, or None when the schedule is spent.

    ``schedule[n]`` is the wait before attempt ``n + 1``; a wait is spread by ±``jitter`` so that
    retries of many alerts do not arrive together, and is never shorter than ``Retry-After``
    (capped at ``max_retry_after``).
    """
    if attempts_made >= len(schedule):
        return None
    base = schedule[attempts_made]
    spread = (rng or random).uniform(1 - jitter, 1 + jitter) if base > 0 else 1.0
    delay = base * spread
    if retry_after is not None:
        delay = max(delay, min(retry_after, max_retry_after))
    return delay


def outcome_for(
    result: AttemptResult, attempts_made: int, policy: DeliveryPolicy, rng: random.Random | None
) -> tuple[AttemptOutcome, float | None]:
    """What an attempt's result means: delivered, gone, retry after some seconds, or dead."""
    status = result.status_code
    if status is not None and 200 <= status < 300:
        return AttemptOutcome.DELIVERED, None
    if status is None and result.error is None:  # a channel without HTTP statuses said "sent"
        return AttemptOutcome.DELIVERED, None
    if status == 410:
        return AttemptOutcome.GONE, None
    delay = retry_delay(
        attempts_made,
        policy.retry_schedule,
        result.retry_after,
        jitter=policy.jitter,
        max_retry_after=policy.max_retry_after,
        rng=rng,
    )
    return (AttemptOutcome.DEAD, None) if delay is None else (AttemptOutcome.RETRY, delay)


# --------------------------------------------------------------------------- sending


def encode_body(webhook: WebhookLike, payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed) for ``payload`` in the webhook's format."""
    body = format_for(webhook.format, payload)
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def request_headers(
    webhook: WebhookLike, msg_id: str, timestamp: datetime, body: bytes
) -> dict[str, str]:
    """Custom headers first, so that they can never replace the signature headers."""
    if webhook.secret is None:
        raise ValueError(f"webhook {webhook.name} has no secret to sign with")
    return {
        **webhook.headers,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        **sign(webhook.secret, msg_id, timestamp, body),
    }


async def send_alert(
    client: httpx.AsyncClient,
    webhook: WebhookLike,
    msg_id: str,
    payload: dict[str, Any],
    policy: DeliveryPolicy,
) -> SendResult:
    """One attempt through the webhook's channel: Apprise, or a signed POST (the default)."""
    if webhook.format == "apprise":
        attempt = await send_apprise(
            webhook.url,
            payload,
            limit=webhook.timeout,
            clock=policy.clock,
            pages_url=policy.pages_url,
        )
        return SendResult(attempt, "sent" if attempt.error is None else "")
    return await send_signed(client, webhook, msg_id, payload, policy.clock)


@dataclass(frozen=True, slots=True)
class SendResult:
    """One POST: the attempt record plus the start of the answer (for ``webhooks test``)."""

    attempt: AttemptResult
    excerpt: str = ""


async def send_signed(
    client: httpx.AsyncClient,
    webhook: WebhookLike,
    msg_id: str,
    payload: dict[str, Any],
    clock: Callable[[], datetime] = utc_now,
) -> SendResult:
    """POST one signed message; never raises for network trouble, it is in the result."""
    body = encode_body(webhook, payload)
    started = clock()
    headers = request_headers(webhook, msg_id, started, body)
    began = time.monotonic()
    try:
        async with asyncio.timeout(webhook.timeout):
            status, retry_after, excerpt = await _post(client, webhook, body, headers, started)
    except (TimeoutError, httpx.TimeoutException):
        return _failed(started, began, f"no answer within {webhook.timeout:g}s")
    except httpx.HTTPError as exc:
        return _failed(started, began, _describe(exc))
    error = None if 200 <= status < 300 else f"HTTP {status}: {excerpt[:200]}".rstrip(": ")
    attempt = AttemptResult(started, time.monotonic() - began, status, error, retry_after)
    return SendResult(attempt, excerpt)


async def _post(
    client: httpx.AsyncClient,
    webhook: WebhookLike,
    body: bytes,
    headers: dict[str, str],
    started: datetime,
) -> tuple[int, float | None, str]:
    async with client.stream(
        "POST",
        webhook.url,
        content=body,
        headers=headers,
        timeout=webhook.timeout,
        follow_redirects=False,
    ) as response:
        excerpt = await _read_excerpt(response)
        retry_after = parse_retry_after(response.headers.get("retry-after"), started)
        return response.status_code, retry_after, excerpt


async def _read_excerpt(response: httpx.Response) -> str:
    collected = b""
    async for chunk in response.aiter_raw():
        collected += chunk
        if len(collected) >= RESPONSE_EXCERPT_BYTES:
            break
    return collected[:RESPONSE_EXCERPT_BYTES].decode("utf-8", "replace").strip()


def _failed(started: datetime, began: float, error: str) -> SendResult:
    return SendResult(AttemptResult(started, time.monotonic() - began, None, error))


def _describe(exc: httpx.HTTPError) -> str:
    kinds: dict[type[httpx.HTTPError], str] = {
        httpx.ConnectError: "could not connect",
        httpx.RemoteProtocolError: "the endpoint broke the HTTP exchange",
        httpx.ReadError: "the connection failed while reading",
        httpx.WriteError: "the connection failed while sending",
    }
    kind = kinds.get(type(exc), type(exc).__name__)
    detail = str(exc).strip()
    return f"{kind}: {detail}" if detail else kind


# --------------------------------------------------------------------------- the worker


async def deliver_due(
    sessions: SessionFactory,
    client: httpx.AsyncClient,
    webhooks: Sequence[WebhookLike],
    now: datetime | None = None,
    policy: DeliveryPolicy | None = None,
    rng: random.Random | None = None,
) -> DeliveryReport:
    """Send every due alert of every enabled endpoint, endpoints side by side; one pass.

    ``now`` fixes the moment alerts are judged due (default: the policy's clock). Returns once
    nothing is due any more (retries scheduled inside the pass included).
    """
    policy = policy or DeliveryPolicy()
    enabled = [webhook for webhook in webhooks if webhook.enabled]
    reports = await asyncio.gather(
        *(deliver_endpoint(sessions, client, webhook, now, policy, rng) for webhook in enabled)
    )
    total = DeliveryReport()
    for report in reports:
        total.add(report)
    return total


async def deliver_endpoint(
    sessions: SessionFactory,
    client: httpx.AsyncClient,
    webhook: WebhookLike,
    now: datetime | None = None,
    policy: DeliveryPolicy | None = None,
    rng: random.Random | None = None,
) -> DeliveryReport:
    """Send the due alerts of one endpoint until none is due."""
    policy = policy or DeliveryPolicy()
    report = DeliveryReport()
    in_flight = _EndpointGate(asyncio.Semaphore(policy.max_in_flight_per_endpoint))
    lease = lease_seconds(webhook.timeout, policy)
    while True:
        moment = now or policy.clock()
        claimed = await asyncio.to_thread(
            _claim, sessions, webhook.name, moment, lease, policy.batch_size
        )
        if not claimed:
            return report
        outcomes = await asyncio.gather(
            *(_deliver_one(sessions, client, webhook, c, policy, rng, in_flight) for c in claimed)
        )
        for outcome in outcomes:
            if outcome is not None:
                report.count(outcome, webhook.name)
        if AttemptOutcome.GONE in outcomes or in_flight.held_until is not None:
            return report
        now = None  # later rounds (retries due at once) are judged by the clock


def lease_seconds(timeout: float, policy: DeliveryPolicy) -> float:
    """How long a claimed batch stays ours: every alert of it may wait its turn, then time out."""
    rounds = math.ceil(policy.batch_size / policy.max_in_flight_per_endpoint)
    return rounds * timeout + LEASE_MARGIN


def _claim(
    sessions: SessionFactory, webhook: str, now: datetime, lease: float, limit: int
) -> list[ClaimedAlert]:
    with sessions() as session:
        return claim_due(session, webhook=webhook, now=now, lease=lease, limit=limit)


async def _deliver_one(
    sessions: SessionFactory,
    client: httpx.AsyncClient,
    webhook: WebhookLike,
    claimed: ClaimedAlert,
    policy: DeliveryPolicy,
    rng: random.Random | None,
    gate: _EndpointGate,
) -> AttemptOutcome | None:
    async with gate.slots:
        if gate.held_until is not None:
            return None  # the endpoint asked for a pause; hold_endpoint put this alert back
        sent = await send_alert(client, webhook, claimed.id, claimed.payload, policy)
    result = sent.attempt
    outcome, delay = outcome_for(result, claimed.attempts + 1, policy, rng)
    next_due = None if delay is None else policy.clock() + timedelta(seconds=delay)
    hold = _hold_until(result, outcome, policy)
    if hold is not None:
        gate.held_until = hold
    held = None if hold is None else (webhook.name, hold)
    await asyncio.to_thread(_finish, sessions, claimed.id, result, outcome, next_due, held)
    _log_attempt(webhook, claimed, result, outcome, delay)
    if policy.observe is not None:
        policy.observe(outcome, result)
    return outcome


def _finish(
    sessions: SessionFactory,
    alert_id: str,
    result: AttemptResult,
    outcome: AttemptOutcome,
    next_due: datetime | None,
    held: tuple[str, datetime] | None = None,
) -> None:
    with sessions() as session:
        finish_attempt(session, alert_id, result, outcome, next_due=next_due)
        if held is not None:
            hold_endpoint(session, *held)


@dataclass(slots=True)
class _EndpointGate:
    """One pass over one endpoint: its in-flight slots, and the pause it asked for, if any."""

    slots: asyncio.Semaphore
    held_until: datetime | None = None


def _hold_until(
    result: AttemptResult, outcome: AttemptOutcome, policy: DeliveryPolicy
) -> datetime | None:
    """Until when an endpoint that answered with ``Retry-After`` is left alone (all its alerts)."""
    if result.retry_after is None or outcome is not AttemptOutcome.RETRY:
        return None
    return policy.clock() + timedelta(seconds=min(result.retry_after, policy.max_retry_after))


def _log_attempt(
    webhook: WebhookLike,
    claimed: ClaimedAlert,
    result: AttemptResult,
    outcome: AttemptOutcome,
    delay: float | None,
) -> None:
    fields = {
        "webhook": webhook.name,
        "alert_id": claimed.id,
        "type": claimed.type,
        "attempt": claimed.attempts + 1,
        "status": result.status_code,
        "duration": round(result.duration, 3),
    }
    if outcome is AttemptOutcome.DELIVERED:
        log.info("alert_delivered", **fields)
    elif outcome is AttemptOutcome.RETRY:
        log.warning("alert_retry", error=result.error, retry_in=round(delay or 0, 1), **fields)
    elif outcome is AttemptOutcome.DEAD:
        log.error("alert_dead_lettered", error=result.error, **fields)
    else:
        log.error("webhook_disabled", reason="answered 410 Gone", **fields)


def _release(sessions: SessionFactory, names: list[str]) -> None:
    with sessions() as session:
        released = release_leases(session, names)
    if released:
        log.info("delivery_leases_released", count=released)


class AlertsSettings(Protocol):
    """The delivery part of the configuration (``monitor.config.AlertsConfig`` fits)."""

    @property
    def retry_schedule(self) -> Sequence[float]: ...

    @property
    def max_in_flight_per_endpoint(self) -> int: ...


class DeliveryMetrics(Protocol):
    """Prometheus instruments: ``deliveries`` (label ``outcome``) and ``delivery_seconds``."""

    @property
    def deliveries(self) -> Any: ...

    @property
    def delivery_seconds(self) -> Any: ...


def policy_from(
    alerts: AlertsSettings,
    metrics: DeliveryMetrics | None = None,
    pages_url: str | None = None,
) -> DeliveryPolicy:
    """The delivery policy a configuration asks for, reporting attempts to ``metrics``."""

    def observe(outcome: AttemptOutcome, result: AttemptResult) -> None:
        assert metrics is not None
        metrics.deliveries.labels(outcome.value).inc()
        metrics.delivery_seconds.observe(result.duration)

    return DeliveryPolicy(
        retry_schedule=tuple(alerts.retry_schedule),
        max_in_flight_per_endpoint=alerts.max_in_flight_per_endpoint,
        observe=observe if metrics is not None else None,
        pages_url=pages_url,
    )


class DeliveryWorker:
    """Delivery for the daemon: one pass per endpoint at a time, endpoints independent.

    ``kick()`` (for the interval job) starts a pass for every enabled endpoint whose previous
    pass has finished and returns at once, so a slow endpoint keeps its own pass going while the
    others are served on every tick. ``deliver_due()`` does the same and waits for every pass
    (for ``monitor once``). The first call releases leases a killed predecessor left behind.
    ``client`` may be a function that builds it: it is then called by the first pass, so a
    daemon that never delivers never builds one (its TLS context costs tens of CPU-ms).
    """

    def __init__(
        self,
        sessions: SessionFactory,
        client: httpx.AsyncClient | Callable[[], httpx.AsyncClient],
        webhooks: Sequence[WebhookLike],
        settings: DeliveryPolicy | AlertsSettings | None = None,
        metrics: DeliveryMetrics | None = None,
        pages_url: str | None = None,
    ) -> None:
        self.sessions = sessions
        self._client = client
        self.metrics = metrics
        self.pages_url = pages_url
        self.policy = self._policy(settings)
        self.webhooks = list(webhooks)
        self.passes: dict[str, asyncio.Task[DeliveryReport]] = {}
        self._started = False

    @property
    def client(self) -> httpx.AsyncClient:
        if not isinstance(self._client, httpx.AsyncClient):
            self._client = self._client()
        return self._client

    def _policy(self, settings: DeliveryPolicy | AlertsSettings | None) -> DeliveryPolicy:
        if isinstance(settings, DeliveryPolicy):
            return settings
        if settings is None:
            return DeliveryPolicy(pages_url=self.pages_url)
        return policy_from(settings, self.metrics, self.pages_url)

    def configure(
        self,
        webhooks: Sequence[WebhookLike],
        settings: DeliveryPolicy | AlertsSettings | None = None,
    ) -> None:
        """Take a reloaded configuration; passes already running finish under the old one."""
        self.webhooks = list(webhooks)
        if settings is not None:
            self.policy = self._policy(settings)

    async def kick(self, now: datetime | None = None) -> list[str]:
        """Start a pass for each idle enabled endpoint (judging due by ``now``); their names."""
        if not self._started:
            self._started = True
            names = [webhook.name for webhook in self.webhooks]
            await asyncio.to_thread(_release, self.sessions, names)
        started = []
        for webhook in self.webhooks:
            running = self.passes.get(webhook.name)
            if not webhook.enabled or (running is not None and not running.done()):
                continue
            self.passes[webhook.name] = asyncio.create_task(self._pass(webhook, now))
            started.append(webhook.name)
        return started

    async def deliver_due(self, now: datetime | None = None) -> DeliveryReport:
        """Kick, then wait for every endpoint's pass; the summed report of the passes started."""
        started = await self.kick(now)
        tasks = [self.passes[name] for name in started]
        running = [task for task in self.passes.values() if task not in tasks]
        total = DeliveryReport()
        for report in await asyncio.gather(*tasks):
            total.add(report)
        await asyncio.gather(*running)
        return total

    async def _pass(self, webhook: WebhookLike, now: datetime | None) -> DeliveryReport:
        try:
            return await deliver_endpoint(self.sessions, self.client, webhook, now, self.policy)
        except Exception:  # logged with its traceback; the next kick tries again
            log.exception("delivery_pass_failed", webhook=webhook.name)
            return DeliveryReport()

    async def close(self, grace: float = 10.0) -> None:
        """Let running passes finish (bounded by the endpoints' timeouts), then cancel the rest."""
        running = [task for task in self.passes.values() if not task.done()]
        if not running:
            return
        _, pending = await asyncio.wait(running, timeout=grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


# --------------------------------------------------------------------------- test sends


def sample_payload(alert_id: str, now: datetime) -> dict[str, Any]:
    """A realistic ``story.created`` payload marked ``"test": true``, for ``webhooks test``."""
    development = Development(
        kind=DevelopmentKind.NEW_STORY,
        story_id="st_test",
        article_url="https://example.com/news/monitor-test",
        source="example",
        occurred_at=now,
        novelty=1.0,
        new_sentences=("This is a test alert sent by monitor to check this webhook.",),
        title="monitor test alert",
    )
    payload = build_payload(
        alert_id=alert_id,
        topic="test",
        development=development,
        story=StoryInfo("st_test", "monitor test alert", now, 1, ("example",)),
        articles=(ArticleInfo(development.article_url, "example", "monitor test alert", now),),
    )
    return {**payload, "test": True}


async def send_test(
    client: httpx.AsyncClient, webhook: WebhookLike, now: datetime | None = None
) -> tuple[str, SendResult]:
    """Send a sample alert to ``webhook`` (outside the outbox); its id and the answer."""
    moment = now or utc_now()
    msg_id = new_message_id()
    payload = sample_payload(msg_id, moment)
    return msg_id, await send_alert(client, webhook, msg_id, payload, DeliveryPolicy())
