"""``monitor alerts`` and ``monitor webhooks`` against a real store and a real receiver."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import structlog
from sqlmodel import SQLModel

from monitor.alerts import StoryInfo
from monitor.cli import main
from monitor.models import Development, DevelopmentKind
from monitor.store import open_store
from monitor.store.outbox import (
    AttemptOutcome,
    AttemptResult,
    claim_due,
    finish_attempt,
)
from tests.alerting import enqueue_alerts

from .conftest import Answer, Hook, Receiver


class Topic:
    name = "gaza"
    webhooks = ("hook", "chat")
    debounce = 0.0
    cooldown = 0.0


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """``main()`` points logging at the captured stderr; put it back for the tests after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    config = structlog.get_config()
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.configure(**config)


@pytest.fixture
def setup(tmp_path: Path, receiver: Receiver) -> tuple[Path, Receiver, Hook, str]:
    hook = receiver.endpoint("hook", [Answer(410)])
    chat = receiver.endpoint("chat", format="slack")
    database = tmp_path / "monitor.db"
    config = tmp_path / "monitor.yaml"
    config.write_text(
        f"""
storage:
  database_url: sqlite:///{database}
topics:
  - name: gaza
    query: gaza
    webhooks: [hook, chat]
webhooks:
  - name: hook
    url: {hook.url}
    secret: {hook.secret}
  - name: chat
    url: {chat.url}
    secret: {chat.secret}
    format: slack
""",
        encoding="utf-8",
    )
    store = open_store(f"sqlite:///{database}")
    SQLModel.metadata.create_all(store.engine)  # until the outbox is in the migrations
    now = datetime.now(UTC)
    development = Development(
        DevelopmentKind.NEW_STORY,
        "st_1",
        "https://news.test/1",
        "wire",
        now,
        1.0,
        new_sentences=("Gaza truce agreed.",),
    )
    with store.session() as session:
        enqueued = enqueue_alerts(
            session,
            development=development,
            topics=[Topic()],
            story=StoryInfo("st_1", "Gaza truce", now, 1, ("wire",)),
            now=now,
        )
        claim_due(session, webhook="hook", now=now, lease=5)
        finish_attempt(
            session, enqueued[0].id, AttemptResult(now, 0.1, 500, "HTTP 500"), AttemptOutcome.DEAD
        )
    store.close()
    return config, receiver, hook, enqueued[0].id


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["--log-level", "error", *argv])
    return code, capsys.readouterr().out


def test_alerts_list_and_filter(
    setup: tuple[Path, Receiver, Hook, str], capsys: pytest.CaptureFixture[str]
) -> None:
    config, _, _, failed_id = setup
    code, out = run(capsys, "alerts", "--config", str(config))
    assert code == 0
    assert out.splitlines()[0].split() == [
        "ID",
        "STATUS",
        "TYPE",
        "TOPIC",
        "WEBHOOK",
        "TRIES",
        "CREATED",
        "ABOUT",
    ]
    assert len(out.splitlines()) == 3
    code, out = run(capsys, "alerts", "--status", "failed", "--config", str(config))
    (line,) = out.splitlines()[1:]
    assert line.startswith(f"{failed_id}  failed  story.created  gaza")
    assert "HTTP 500" in line


def test_replay_failed_and_send(
    setup: tuple[Path, Receiver, Hook, str], capsys: pytest.CaptureFixture[str]
) -> None:
    config, receiver, _, failed_id = setup
    code, out = run(capsys, "alerts", "replay", "--failed", "--send", "--config", str(config))
    assert code == 0
    assert "1 alert queued again" in out
    assert [r.msg_id for r in receiver.at("hook")] == [failed_id]
    assert len(receiver.at("chat")) == 1
    code, out = run(capsys, "webhooks", "--config", str(config))
    hook_line = next(line for line in out.splitlines() if line.startswith("hook"))
    assert "disabled" in hook_line
    assert "answered 410 Gone" in hook_line
    code, out = run(capsys, "webhooks", "enable", "hook", "--config", str(config))
    assert out.strip() == "hook: enabled again"
    code, out = run(capsys, "alerts", "show", failed_id, "--config", str(config))
    assert "try 1" in out
    assert "try 2" in out


def test_webhooks_test_reports_the_answer(
    setup: tuple[Path, Receiver, Hook, str], capsys: pytest.CaptureFixture[str]
) -> None:
    config, receiver, _, _ = setup
    code, out = run(capsys, "webhooks", "test", "chat", "--config", str(config))
    assert code == 0
    assert "answer: HTTP 204" in out
    (got,) = receiver.at("chat")
    assert got.verified
    code, out = run(capsys, "webhooks", "test", "hook", "--config", str(config))
    assert code == 1
    assert "answer: HTTP 410" in out


def test_unknown_names_are_one_line_errors(
    setup: tuple[Path, Receiver, Hook, str], capsys: pytest.CaptureFixture[str]
) -> None:
    config = setup[0]
    assert main(["webhooks", "test", "nope", "--config", str(config)]) == 2
    assert 'no webhook named "nope" (configured: hook, chat)' in capsys.readouterr().err
    assert main(["alerts", "replay", "msg_nope", "--config", str(config)]) == 2
