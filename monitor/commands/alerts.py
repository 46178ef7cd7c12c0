"""``monitor alerts`` and ``monitor webhooks``: look into the outbox, replay, test endpoints.

Reading the outbox needs no webhook secret; sending does.

monitor alerts [--status pending|failed|delivered] [--limit N] [--json]
monitor alerts show ID
monitor alerts replay ID | --failed  [--send]
monitor webhooks
monitor webhooks test NAME
monitor webhooks enable NAME
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from monitor.commands.options import add_config_option, read_only_settings, run_async
from monitor.errors import ConfigError

if TYPE_CHECKING:
    from monitor.config import Settings, WebhookConfig
    from monitor.deliver import DeliveryReport, SendResult
    from monitor.store import Store
    from monitor.store.alert_views import AlertSummary, EndpointState

EXIT_FAILED = 1
# The values of ``monitor.store.outbox.AlertStatus``, spelled out so that building the parser
# does not import the database layer (a test keeps the two equal).
ALERT_STATUSES = ("pending", "delivered", "failed")


def register(subparsers: Any) -> None:
    _register_alerts(subparsers)
    _register_webhooks(subparsers)


def _register_alerts(subparsers: Any) -> None:
    alerts = subparsers.add_parser(
        "alerts", help="List the alerts in the outbox, or show or replay one."
    )
    add_config_option(alerts)
    alerts.add_argument(
        "--status", choices=ALERT_STATUSES, help="Only the alerts in this state (default: all)."
    )
    alerts.add_argument(
        "--limit", type=int, default=50, help="At most this many alerts (default 50)."
    )
    alerts.add_argument("--json", action="store_true", help="Print one JSON object per line.")
    alerts.set_defaults(handler=alerts_list)
    actions = alerts.add_subparsers(dest="action", metavar="ACTION")
    show = actions.add_parser(
        "show", help="Show one alert with its payload and every delivery attempt."
    )
    add_config_option(show)
    show.add_argument("id", help="The alert id (msg_…).")
    show.set_defaults(handler=alerts_show)
    replay = actions.add_parser("replay", help="Queue an alert again, with the same webhook-id.")
    add_config_option(replay)
    which = replay.add_mutually_exclusive_group(required=True)
    which.add_argument("id", nargs="?", help="The alert id (msg_…).")
    which.add_argument("--failed", action="store_true", help="Every dead-lettered alert.")
    replay.add_argument(
        "--send", action="store_true", help="Deliver now instead of leaving it to the daemon."
    )
    replay.set_defaults(handler=alerts_replay)


def _register_webhooks(subparsers: Any) -> None:
    webhooks = subparsers.add_parser("webhooks", help="List the webhook endpoints and their state.")
    add_config_option(webhooks)
    webhooks.set_defaults(handler=webhooks_list)
    actions = webhooks.add_subparsers(dest="action", metavar="ACTION")
    test = actions.add_parser("test", help="Send a signed sample alert and show the answer.")
    add_config_option(test)
    test.add_argument("name", help="The webhook's name in the config.")
    test.set_defaults(handler=webhooks_test)
    enable = actions.add_parser(
        "enable", help="Enable again an endpoint disabled after a 410 answer."
    )
    add_config_option(enable)
    enable.add_argument("name", help="The webhook's name in the config.")
    enable.set_defaults(handler=webhooks_enable)


@contextmanager
def _opened(settings: Settings) -> Iterator[Store]:
    from monitor.store import open_store

    store: Store = open_store(settings.storage.database_url)
    try:
        yield store
    finally:
        store.close()


# --------------------------------------------------------------------------- alerts


def alerts_list(args: argparse.Namespace) -> int:
    from monitor.store.alert_views import list_alerts

    settings = read_only_settings(args)
    with _opened(settings) as store, store.session() as session:
        rows = list_alerts(session, status=args.status, limit=args.limit)
    if args.json:
        for row in rows:
            print(json.dumps(asdict(row), default=_json_default, ensure_ascii=False))
        return 0
    print(format_alerts(rows) if rows else "no alerts")
    return 0


def format_alerts(rows: Sequence[AlertSummary]) -> str:
    """A plain table: newest first, one alert per line."""
    from monitor.store.tables import AlertStatus

    table = [("ID", "STATUS", "TYPE", "TOPIC", "WEBHOOK", "TRIES", "CREATED", "ABOUT")]
    for row in rows:
        about = row.title or row.source or row.story_id or ""
        if row.status != AlertStatus.DELIVERED and row.last_error:
            about = f"{about} — {row.last_error}"
        table.append(
            (
                row.id,
                row.status,
                row.type,
                row.topic or "-",
                row.webhook,
                str(row.attempts),
                _moment(row.created_at),
                about[:70],
            )
        )
    return _render(table)


def alerts_show(args: argparse.Namespace) -> int:
    from monitor.store.alert_views import attempts_of
    from monitor.store.outbox import get_alert

    settings = read_only_settings(args)
    with _opened(settings) as store, store.session() as session:
        alert = get_alert(session, args.id)
        if alert is None:
            raise ConfigError(f"no alert {args.id}")
        attempts = attempts_of(session, args.id)
    due = _moment(alert.due_at)
    print(f"{alert.id}  {alert.status}  {alert.type}  → {alert.webhook}  (due {due})")
    for attempt in attempts:
        answer = attempt.status_code if attempt.status_code is not None else attempt.error
        print(f"  try {attempt.number}  {_moment(attempt.started_at)}  {attempt.outcome}  {answer}")
    print(json.dumps(alert.payload, indent=2, ensure_ascii=False))
    return 0


def alerts_replay(args: argparse.Namespace) -> int:
    from monitor.config import load_config
    from monitor.store.alert_views import replay_alert, replay_failed

    settings = load_config(args.config) if args.send else read_only_settings(args)
    now = datetime.now(UTC)
    with _opened(settings) as store:
        with store.session() as session:
            if args.failed:
                count = replay_failed(session, now)
            elif replay_alert(session, args.id, now):
                count = 1
            else:
                raise ConfigError(f"no alert {args.id}")
        print(f"{count} alert{'s' if count != 1 else ''} queued again")
        if args.send and count:
            report = run_async(_deliver_now(store, settings))
            print(
                f"sent: {report.delivered} delivered, {report.retried} to retry, "
                f"{report.dead} dead-lettered"
            )
    return 0


async def _deliver_now(store: Store, settings: Settings) -> DeliveryReport:
    import httpx

    from monitor.deliver import DeliveryPolicy, deliver_due

    policy = DeliveryPolicy(
        retry_schedule=tuple(settings.alerts.retry_schedule),
        max_in_flight_per_endpoint=settings.alerts.max_in_flight_per_endpoint,
    )
    async with httpx.AsyncClient() as client:
        return await deliver_due(store.session, client, settings.webhooks, policy=policy)


# --------------------------------------------------------------------------- webhooks


def webhooks_list(args: argparse.Namespace) -> int:
    from monitor.config import load_config
    from monitor.store.alert_views import endpoint_states

    settings = load_config(args.config)
    if not settings.webhooks:
        print("no webhooks configured")
        return 0
    with _opened(settings) as store, store.session() as session:
        states = endpoint_states(session, [webhook.name for webhook in settings.webhooks])
    print(format_webhooks(settings.webhooks, states))
    return 0


def format_webhooks(webhooks: Sequence[WebhookConfig], states: Sequence[EndpointState]) -> str:
    """One line per endpoint: where it is, whether it gets alerts, and how delivery went."""
    table = [("NAME", "FORMAT", "HOST", "STATE", "PENDING", "FAILED", "DELIVERED", "LAST")]
    for webhook, state in zip(webhooks, states, strict=True):
        table.append(
            (
                webhook.name,
                webhook.format,
                urlsplit(webhook.url).netloc,
                _state(webhook, state),
                str(state.pending),
                str(state.failed),
                str(state.delivered),
                _last(state),
            )
        )
    return _render(table)


def _state(webhook: WebhookConfig, state: EndpointState) -> str:
    if not webhook.enabled:
        return "off (config)"
    if state.disabled_at is not None:
        return f"disabled {_moment(state.disabled_at)}: {state.disabled_reason}"
    if state.consecutive_failures:
        return f"failing ({state.consecutive_failures} in a row)"
    return "ok"


def _last(state: EndpointState) -> str:
    if state.last_attempt_at is None:
        return "never tried"
    answer = f"HTTP {state.last_status}" if state.last_status is not None else state.last_error
    return f"{_moment(state.last_attempt_at)} {answer}"


def webhooks_test(args: argparse.Namespace) -> int:
    from monitor.config import load_config

    settings = load_config(args.config)
    webhook = _webhook_named(settings, args.name)
    msg_id, sent = run_async(_send_test(webhook))
    attempt = sent.attempt
    if attempt.status_code is not None:
        answer = f"HTTP {attempt.status_code}"
    else:
        answer = attempt.error or "sent"
    if webhook.format == "apprise":  # an Apprise URL often holds the service's credentials
        print(f"sent {msg_id} to {webhook.url.split('://', 1)[0]}://… (apprise, unsigned)")
    else:
        print(f"sent {msg_id} to {webhook.url} ({webhook.format}, signed)")
    print(f"answer: {answer} ({attempt.duration * 1000:.0f} ms)")
    if sent.excerpt and webhook.format != "apprise":
        print(f"body: {sent.excerpt[:300]}")
    return 0 if attempt.error is None else EXIT_FAILED


async def _send_test(webhook: WebhookConfig) -> tuple[str, SendResult]:
    import httpx

    from monitor.deliver import send_test

    async with httpx.AsyncClient() as client:
        return await send_test(client, webhook)


def webhooks_enable(args: argparse.Namespace) -> int:
    from monitor.config import load_config
    from monitor.store.alert_views import enable_endpoint

    settings = load_config(args.config)
    _webhook_named(settings, args.name)
    with _opened(settings) as store, store.session() as session:
        changed = enable_endpoint(session, args.name)
    print(f"{args.name}: {'enabled again' if changed else 'was not disabled'}")
    return 0


def _webhook_named(settings: Settings, name: str) -> WebhookConfig:
    for webhook in settings.webhooks:
        if webhook.name == name:
            return webhook
    known = ", ".join(webhook.name for webhook in settings.webhooks) or "none"
    raise ConfigError(f'no webhook named "{name}" (configured: {known})')


# --------------------------------------------------------------------------- rendering


def _moment(moment: datetime | None) -> str:
    return "-" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _render(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    raise TypeError(f"not JSON: {value!r}")
