"""The Apprise channel: alerts to any service Apprise knows, through the same outbox.

A real HTTP receiver on 127.0.0.1 stands in for the service; Apprise reaches it by its
``json://`` URL. It gets a readable message; a receiver failing twice gets it on the third
attempt; a worker killed with SIGKILL between attempts loses nothing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import SQLModel

from monitor.alerts import StoryInfo
from monitor.cli import main
from monitor.config import WebhookConfig
from monitor.deliver import DeliveryPolicy, deliver_due, send_test
from monitor.models import ArticleInfo, ChangedFact, Development, DevelopmentKind
from monitor.store.alert_views import attempts_of
from monitor.store.db import make_engine
from monitor.store.outbox import SessionFactory, get_alert, sessions_for
from tests.alerting import enqueue_alerts

WORKER = Path(__file__).with_name("crash_worker.py")
REPO_ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 30.0


@dataclass(frozen=True)
class AppriseHook:
    name: str
    url: str
    secret: str | None = None
    format: str = "apprise"
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = 5.0
    enabled: bool = True


class ServiceStandIn:
    """Answers POSTs from a script of statuses (then 200); records every JSON body.

    ``hold`` makes the request with that number (1-based) wait until ``release`` is set.
    """

    def __init__(self, statuses: list[int], hold: int | None = None) -> None:
        self.statuses = list(statuses)
        self.hold = hold
        self.release = threading.Event()
        self.bodies: list[dict[str, Any]] = []
        self.seen = threading.Condition()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/notify"

    def wait_for(self, count: int) -> None:
        with self.seen:
            assert self.seen.wait_for(lambda: len(self.bodies) >= count, WAIT_SECONDS)

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                with stand_in.seen:
                    stand_in.bodies.append(body)
                    number = len(stand_in.bodies)
                    stand_in.seen.notify_all()
                if number == stand_in.hold:
                    stand_in.release.wait(WAIT_SECONDS)
                status = stand_in.statuses.pop(0) if stand_in.statuses else 200
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[tuple[SessionFactory, str]]:
    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    yield sessions_for(engine), url
    engine.dispose()


class Topic:
    name = "gaza"
    debounce = 0.0
    cooldown = 0.0

    def __init__(self, webhook: str) -> None:
        self.webhooks = [webhook]


def queue_alert(sessions: SessionFactory, webhook: str) -> str:
    now = datetime.now(UTC)
    url = "https://news.test/meridian/talks.html"
    development = Development(
        kind=DevelopmentKind.REVISION,
        story_id="st_talks",
        article_url=url,
        source="meridian",
        occurred_at=now,
        novelty=0.3,
        new_sentences=("Israeli airstrikes killed at least 30 Palestinians.",),
        changed_facts=(
            ChangedFact("at least 24 Palestinians", "at least 30 Palestinians", "airstrikes"),
        ),
        title="Israel and Hamas open talks",
    )
    with sessions() as session:
        (alert,) = enqueue_alerts(
            session,
            development=development,
            topics=[Topic(webhook)],
            story=StoryInfo("st_talks", "Israel and Hamas open talks", now, 1, ("meridian",)),
            articles=[ArticleInfo(url, "meridian", "Israel and Hamas open talks", now)],
            now=now,
        )
    return alert.id


FAST = DeliveryPolicy(retry_schedule=(0, 0, 0, 0), jitter=0.0)  # retries due at once


async def test_the_service_gets_a_readable_alert(
    sessions: tuple[SessionFactory, str],
) -> None:
    factory, _ = sessions
    stand_in = ServiceStandIn([])
    try:
        hook = AppriseHook("phone", stand_in.url)
        alert_id = queue_alert(factory, hook.name)
        policy = DeliveryPolicy(retry_schedule=(0,), pages_url="https://monitor.example.org/")
        async with httpx.AsyncClient() as client:
            report = await deliver_due(factory, client, [hook], policy=policy)
    finally:
        stand_in.close()
    assert report.delivered == 1
    (body,) = stand_in.bodies
    assert body["title"] == "Article revised: Israel and Hamas open talks"
    assert "at least 24 Palestinians → at least 30 Palestinians" in body["message"]
    assert "Israeli airstrikes killed at least 30 Palestinians." in body["message"]
    assert "https://monitor.example.org/stories/st_talks" in body["message"]
    assert "https://news.test/meridian/talks.html" in body["message"]
    with factory() as session:
        alert = get_alert(session, alert_id)
        assert alert is not None
        assert alert.status == "delivered"


async def test_a_service_failing_twice_gets_the_alert_on_the_third_attempt(
    sessions: tuple[SessionFactory, str],
) -> None:
    factory, _ = sessions
    stand_in = ServiceStandIn([500, 503])
    try:
        hook = AppriseHook("phone", stand_in.url)
        alert_id = queue_alert(factory, hook.name)
        async with httpx.AsyncClient() as client:
            report = await deliver_due(factory, client, [hook], policy=FAST)
    finally:
        stand_in.close()
    assert (report.retried, report.delivered) == (2, 1)
    assert len(stand_in.bodies) == 3
    assert stand_in.bodies[0] == stand_in.bodies[2]
    with factory() as session:
        alert = get_alert(session, alert_id)
        attempts = attempts_of(session, alert_id)
    assert alert is not None
    assert (alert.status, alert.attempts) == ("delivered", 3)
    assert [a.outcome for a in attempts] == ["retry", "retry", "delivered"]
    assert attempts[0].error is not None
    assert attempts[0].error.startswith("apprise:")
    assert "500" in attempts[0].error


async def test_an_unknown_service_is_retried_then_dead_lettered(
    sessions: tuple[SessionFactory, str],
) -> None:
    factory, _ = sessions
    hook = AppriseHook("nowhere", "nosuchservice://token/chat")
    alert_id = queue_alert(factory, hook.name)
    async with httpx.AsyncClient() as client:
        report = await deliver_due(factory, client, [hook], policy=FAST)
    assert report.dead == 1
    with factory() as session:
        alert = get_alert(session, alert_id)
        attempts = attempts_of(session, alert_id)
    assert alert is not None
    assert alert.status == "failed"
    assert attempts[-1].error is not None
    assert "nosuchservice://" in attempts[-1].error


def test_a_worker_killed_between_attempts_loses_nothing(
    sessions: tuple[SessionFactory, str],
) -> None:
    factory, database_url = sessions
    stand_in = ServiceStandIn([500], hold=2)  # the 2nd attempt hangs until the worker is killed
    try:
        hook = AppriseHook("phone", stand_in.url)
        alert_id = queue_alert(factory, hook.name)
        worker = start_worker(database_url, hook)
        stand_in.wait_for(2)  # the first attempt failed (and is recorded), the second is open
        with factory() as session:
            assert [a.outcome for a in attempts_of(session, alert_id)] == ["retry"]
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=WAIT_SECONDS)
        stand_in.release.set()
        again = start_worker(database_url, hook)
        assert again.wait(timeout=WAIT_SECONDS * 2) == 0
    finally:
        stand_in.close()
    with factory() as session:
        alert = get_alert(session, alert_id)
        attempts = attempts_of(session, alert_id)
    assert alert is not None
    assert alert.status == "delivered"
    assert attempts[-1].outcome == "delivered"
    assert len(stand_in.bodies) >= 3
    assert all(body == stand_in.bodies[0] for body in stand_in.bodies)


def start_worker(database_url: str, hook: AppriseHook) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.Popen(
        [sys.executable, str(WORKER), database_url, json.dumps([asdict(hook)])],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def test_webhooks_test_sends_through_apprise() -> None:
    stand_in = ServiceStandIn([])
    try:
        async with httpx.AsyncClient() as client:
            _, sent = await send_test(client, AppriseHook("phone", stand_in.url))
    finally:
        stand_in.close()
    assert sent.attempt.error is None
    assert stand_in.bodies[0]["title"] == "New story: monitor test alert"


def test_the_webhooks_test_command_says_sent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stand_in = ServiceStandIn([])
    config = tmp_path / "monitor.yaml"
    config.write_text(
        f"webhooks:\n  - name: phone\n    format: apprise\n    url: {stand_in.url}\n",
        encoding="utf-8",
    )
    try:
        code = main(["--log-level", "error", "webhooks", "test", "phone", "--config", str(config)])
    finally:
        stand_in.close()
    assert code == 0
    out = capsys.readouterr().out
    assert "to json://… (apprise, unsigned)" in out
    assert "answer: sent" in out
    assert len(stand_in.bodies) == 1


def test_config_takes_apprise_urls_without_a_secret() -> None:
    hook = WebhookConfig(name="phone", format="apprise", url="tgram://123:abc/456")
    assert hook.secret is None
    with pytest.raises(ValueError, match="remove"):
        WebhookConfig(name="phone", format="apprise", url="tgram://1/2", secret="whsec_" + "A" * 24)
    with pytest.raises(ValueError, match="not an Apprise URL"):
        WebhookConfig(name="phone", format="apprise", url="telegram me")
    with pytest.raises(ValueError, match="required key is missing"):
        WebhookConfig(name="signed", url="https://example.org/hook")
    with pytest.raises(ValueError, match="not an http"):
        WebhookConfig(name="signed", url="tgram://1/2", secret="whsec_" + "A" * 24)
