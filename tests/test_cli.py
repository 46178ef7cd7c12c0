"""The command line as a new user meets it: fast start, read-only commands without secrets,
``.env``, global options anywhere, plain help, quiet pipes, and a local webhook receiver."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from monitor.cli import build_parser, main
from monitor.commands.alerts import ALERT_STATUSES
from monitor.commands.receive import serve
from monitor.config import load_config
from monitor.errors import ConfigError
from monitor.store.tables import AlertStatus

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
HEAVY_MODULES = ("httpx", "aiohttp", "sqlalchemy", "sqlmodel", "alembic", "apscheduler", "lxml")


def config_with_secret_webhook(tmp_path: Path) -> Path:
    """A config whose only webhook takes its URL and secret from the environment."""
    path = tmp_path / "monitor.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            storage:
              database_url: sqlite:///{tmp_path / "monitor.db"}
            sources:
              - name: wire
                url: https://news.example.com/rss
            topics:
              - name: everything
                query: news
                webhooks: [main, spare]
            webhooks:
              - name: main
                url: ${{T_HOOK_URL}}
                secret: ${{T_HOOK_SECRET}}
              - name: spare
                url: https://hooks.example.com/spare
                secret: {SECRET}
                timeout: nope
            """
        ),
        encoding="utf-8",
    )
    return path


# --------------------------------------------------------------------------- startup


@pytest.mark.parametrize(
    "argv", [["--version"], ["--help"], ["check-config", "config/monitor.yaml"]]
)
def test_quick_commands_do_not_import_the_stack(argv: list[str]) -> None:
    """What makes start-up slow is measured by what gets imported, not by a stopwatch."""
    probe = (
        "import sys, runpy\n"
        f"sys.argv = ['monitor', *{argv!r}]\n"
        "try:\n"
        "    from monitor.cli import main\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print([m for m in {HEAVY_MODULES!r} if m in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
        env={**os.environ, "MONITOR_ENV_FILE": ""},
        check=False,
    )
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout + result.stderr


# What only a new article, a schema migration, the endpoint, the scheduler, an Apprise alert or
# a listing page needs: a pass that finds nothing new, on an up-to-date database, loads none.
NOT_AT_START = (
    "alembic",
    "wordfreq",
    "numpy",
    "apprise",
    "apscheduler",
    "jinja2",
    "monitor.observe",
    "monitor.extract.article",
    "monitor.server",
    "sqlalchemy.dialects.postgresql",  # on SQLite
)


def test_once_on_an_up_to_date_database_loads_only_what_a_check_needs(tmp_path: Path) -> None:
    """Start-up cost is counted in what gets imported, not by a stopwatch."""
    config = tmp_path / "monitor.yaml"
    config.write_text(
        f"storage:\n  database_url: sqlite:///{tmp_path / 'monitor.db'}\n"
        "sources: []\nserver:\n  enabled: false\n",
        encoding="utf-8",
    )
    probe = (
        "import sys\n"
        f"sys.argv = ['monitor', '--log-level', 'error', 'once', '--config', {str(config)!r}]\n"
        "try:\n"
        "    from monitor.cli import main\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print([m for m in {NOT_AT_START!r} if m in sys.modules])\n"
    )
    loaded = []
    for _ in ("creates the schema", "finds it up to date"):
        result = subprocess.run(
            [sys.executable, "-c", probe],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
            env={**os.environ, "MONITOR_ENV_FILE": ""},
            check=False,
        )
        loaded.append(result.stdout.strip().splitlines()[-1])
    assert "alembic" in loaded[0]  # the probe sees a module that is loaded
    assert loaded[1] == "[]", loaded


def test_alert_statuses_of_the_parser_match_the_outbox() -> None:
    assert list(ALERT_STATUSES) == [status.value for status in AlertStatus]


# --------------------------------------------------------------------------- read-only commands


@pytest.fixture
def no_hook_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("T_HOOK_URL", raising=False)
    monkeypatch.delenv("T_HOOK_SECRET", raising=False)


@pytest.mark.usefixtures("no_hook_env")
@pytest.mark.parametrize("argv", [["stories"], ["sources"], ["alerts"], ["alerts", "--json"]])
def test_read_only_commands_need_no_webhook_secrets(
    tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    config = config_with_secret_webhook(tmp_path)
    config.write_text(config.read_text().replace("timeout: nope", "timeout: 5s"))
    code = main(["--log-level", "error", *argv, "--config", str(config)])
    assert code == 0, capsys.readouterr().err
    assert "T_HOOK" not in capsys.readouterr().err


@pytest.mark.usefixtures("no_hook_env")
def test_read_only_commands_still_report_other_problems_at_their_line(tmp_path: Path) -> None:
    config = config_with_secret_webhook(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_config(config, need_webhooks=False)
    problems = "\n".join(caught.value.problems)
    assert "T_HOOK" not in problems
    lines = config.read_text().splitlines()
    nope_line = next(n for n, line in enumerate(lines, 1) if "timeout: nope" in line)
    assert f"monitor.yaml:{nope_line}:" in problems
    assert "webhooks[0].timeout" in problems  # the left-out webhook shifts the index


@pytest.mark.usefixtures("no_hook_env")
def test_the_daemon_still_needs_the_secrets(tmp_path: Path) -> None:
    config = config_with_secret_webhook(tmp_path)
    with pytest.raises(ConfigError, match="T_HOOK_URL is not set"):
        load_config(config)


# --------------------------------------------------------------------------- .env


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MONITOR_ENV_FILE")
    return tmp_path


@pytest.mark.usefixtures("no_hook_env")
def test_the_cli_reads_dot_env_of_the_working_directory(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = config_with_secret_webhook(in_tmp)
    config.write_text(config.read_text().replace("timeout: nope", "timeout: 5s"))
    (in_tmp / ".env").write_text(
        f"# written by make\nT_HOOK_URL=https://hooks.example.com/main\nT_HOOK_SECRET={SECRET}\n"
    )
    assert main(["check-config", "--config", str(config)]) == 0, capsys.readouterr().err
    assert os.environ["T_HOOK_URL"] == "https://hooks.example.com/main"


def test_the_environment_wins_over_dot_env(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_HOOK_URL", "https://from.environment/")
    monkeypatch.delenv("T_HOOK_SECRET", raising=False)
    (in_tmp / ".env").write_text(f"T_HOOK_URL=https://from.file/\nT_HOOK_SECRET={SECRET}\n")
    main(["config-schema"])
    assert os.environ["T_HOOK_URL"] == "https://from.environment/"
    assert os.environ["T_HOOK_SECRET"] == SECRET


# --------------------------------------------------------------------------- options and help


@pytest.mark.parametrize(
    "argv",
    [
        ["once", "--log-level", "error", "--log-format", "json"],
        ["--log-level", "error", "once", "--log-format", "json"],
        ["--log-level", "error", "--log-format", "json", "once"],
        ["alerts", "show", "msg_1", "--log-level", "error", "--log-format", "json"],
    ],
)
def test_global_options_work_before_and_after_the_command(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert (args.log_level, args.log_format) == ("error", "json")


def test_global_options_default_when_not_given() -> None:
    args = build_parser().parse_args(["once"])
    assert (args.log_level, args.log_format, args.env_file) == (None, None, None)


def _parsers(
    parser: argparse.ArgumentParser, name: str = "monitor"
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child_name, child in action.choices.items():
                yield from _parsers(child, f"{name} {child_name}")


def _is_plain_sentence(text: str | None) -> bool:
    return bool(text) and text[0].isupper() and text.endswith(".") and "``" not in text  # type: ignore[index,union-attr]


def test_every_command_and_option_has_one_plain_sentence_of_help() -> None:
    bad = []
    for name, parser in _parsers(build_parser()):
        if name != "monitor" and not _is_plain_sentence(parser.description):
            bad.append(f"{name}: description {parser.description!r}")
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    if not _is_plain_sentence(choice.help):
                        bad.append(f"{name} {choice.dest}: {choice.help!r}")
            elif not _is_plain_sentence(action.help):
                bad.append(f"{name} {action.dest}: {action.help!r}")
    assert bad == []


def test_check_config_takes_config_like_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text("sources: []\n")
    assert main(["check-config", "--config", str(path)]) == 0
    assert f"{path}: OK" in capsys.readouterr().out
    assert main(["check-config", str(path)]) == 0


# --------------------------------------------------------------------------- pipes


def _big_feed(path: Path) -> Path:
    items = "".join(
        f"<item><title>Entry number {n} with a long enough title</title>"
        f"<link>https://example.org/news/{n}</link></item>"
        for n in range(4000)
    )
    path.write_text(f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>')
    return path


def _observations(path: Path) -> Path:
    lines = [
        json.dumps(
            {
                "source": "wire",
                "url": f"https://example.org/{n}",
                "fetched_at": "2026-01-01T00:00:00Z",
                "title": f"Story {n} about harbour works",
                "text": f"The harbour works in town {n} go on. " * 5,
            }
        )
        for n in range(400)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("command", ["feed", "replay"])
def test_a_closed_pipe_ends_the_command_quietly(tmp_path: Path, command: str) -> None:
    """``monitor … | head -1``: more output than a pipe holds, and the reader goes away."""
    target = (
        _big_feed(tmp_path / "feed.xml")
        if command == "feed"
        else _observations(tmp_path / "o.jsonl")
    )
    with subprocess.Popen(
        [sys.executable, "-m", "monitor", "--log-level", "error", command, str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "MONITOR_ENV_FILE": ""},
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()  # what `head -1` does after its line
        err = process.stderr.read().decode()
        code = process.wait(timeout=120)
    assert first
    assert "Traceback" not in err, err
    assert "BrokenPipeError" not in err, err
    assert code in (0, 141)


# --------------------------------------------------------------------------- receive


async def test_receive_prints_each_webhook_and_whether_it_verifies() -> None:
    out = io.StringIO()
    stop = asyncio.Event()
    started: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(serve("127.0.0.1", 0, SECRET, out, stop=stop, started=started))
    url = await asyncio.wait_for(started, 30)
    body = json.dumps({"type": "story.developed", "topic": "quakes"})
    now = datetime.now(UTC)
    good = Webhook(SECRET).sign("msg_good", now, body)
    forged = Webhook("whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVg==").sign("msg_forged", now, body)
    async with httpx.AsyncClient(timeout=30) as client:
        answers = []
        for msg_id, signature in (("msg_good", good), ("msg_forged", forged)):
            headers = {
                "webhook-id": msg_id,
                "webhook-timestamp": str(int(now.timestamp())),
                "webhook-signature": signature,
                "content-type": "application/json",
            }
            answers.append((await client.post(url, content=body, headers=headers)).status_code)
    stop.set()
    await asyncio.wait_for(task, 30)
    printed = out.getvalue()
    assert answers == [204, 401]
    assert "msg_good  story.developed  signature verified" in printed
    assert "msg_forged  story.developed  signature INVALID" in printed
    assert '"topic": "quakes"' in printed


def test_receive_is_a_command() -> None:
    args = build_parser().parse_args(["receive", "--port", "9999", "--secret", SECRET])
    assert (args.port, args.secret) == (9999, SECRET)


def test_the_once_summary_says_why_links_were_skipped() -> None:
    from monitor.commands.daemon import _report_line
    from monitor.pipeline import SourceReport

    refusal = "a loopback address (set allow_private_networks on the source to allow it)"
    report = SourceReport(
        source="intranet",
        links=3,
        skipped=[
            f"http://10.0.0.5:8080/a: refused http://10.0.0.5:8080/a: 10.0.0.5 is 10.0.0.5, {refusal}",
            f"http://10.0.0.5:8080/b: refused http://10.0.0.5:8080/b: 10.0.0.5 is 10.0.0.5, {refusal}",
            "http://10.0.0.5:8080/c: not an article (no article text)",
        ],
    )
    line = _report_line(report)
    assert f"3 skipped: 2× 10.0.0.5 is 10.0.0.5, {refusal}; 1× not an article" in line
