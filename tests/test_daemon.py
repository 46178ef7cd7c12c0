"""The daemon as a user runs it: a real ``monitor run`` process, and ``monitor once``."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import httpx
import pytest
from pytest_httpserver import HTTPServer

from monitor.cli import main

REPO = Path(__file__).resolve().parents[1]
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(tmp_path: Path, sources: list[tuple[str, str]], server_port: int = 0) -> Path:
    lines = [
        "storage:",
        f"  database_url: sqlite:///{tmp_path / 'monitor.db'}",
        "fetch:",
        "  connect_timeout: 2s",
        "  total_timeout: 5s",
        "  retries: 0",
        "  per_host_delay: 0s",
        "  obey_robots: false",
        "  allow_private_networks: true  # the test site's article links are on 127.0.0.1",
        "sources:",
    ]
    for name, url in sources:
        lines += [f"  - name: {name}", f"    url: {url}", "    interval: 1h"]
    lines += [
        "topics:",
        "  - name: everything",
        "    query: {any: [the]}",
        "    webhooks: [hook]",
        "webhooks:",
        "  - name: hook",
        f"    url: http://127.0.0.1:{free_port()}/hook",
        f"    secret: {SECRET}",
        "server:",
        f"  port: {server_port}",
    ]
    path = tmp_path / "monitor.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def start_daemon(
    config: Path, stderr: IO[str], preexec_fn: Callable[[], None] | None = None
) -> subprocess.Popen[bytes]:
    """``monitor run`` as a user starts it, logging JSON lines to ``stderr``."""
    return subprocess.Popen(
        [sys.executable, "-m", "monitor", "run", "--config", str(config)],
        cwd=config.parent,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stderr=stderr,
        stdout=subprocess.DEVNULL,
        preexec_fn=preexec_fn,
    )


def sigterm(process: subprocess.Popen[bytes]) -> tuple[int, float]:
    """Send SIGTERM; the exit code and the seconds the daemon took to stop."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=10)
    return code, time.monotonic() - started


def events(stderr: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


@pytest.mark.slow
def test_run_logs_one_error_per_unreachable_source_and_stops_on_sigterm(tmp_path: Path) -> None:
    dead = [(f"dead-{i}", f"http://127.0.0.1:{free_port()}/feed.xml") for i in range(3)]
    port = free_port()
    config = write_config(tmp_path, dead, server_port=port)
    log = tmp_path / "stderr.log"
    with log.open("w") as stderr:
        process = start_daemon(config, stderr)
        try:
            checked = _wait_for(lambda: _count(log, "source_checked") >= 3, timeout=30)
            assert checked, log.read_text()
            health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=30)
            assert health.status_code == 200
            assert sorted(health.json()["sources"]["failing"]) == []  # below the threshold
            assert process.poll() is None  # still running
            code, _ = sigterm(process)
        finally:
            if process.poll() is None:
                process.kill()
    assert code == 0
    logged = events(log.read_text())
    failures = [e for e in logged if e["event"] == "source_checked"]
    assert sorted(e["source"] for e in failures) == [name for name, _ in dead]
    for event in failures:
        assert event["ok"] is False
        assert "could not connect" in str(event["error"])
        assert str(event["url"]) in str(event["error"])
    assert "Traceback" not in log.read_text()
    assert logged[-1]["event"] == "stopped"


def test_once_exits_1_when_a_source_fails(
    tmp_path: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(
        '<rss version="2.0"><channel><title>t</title></channel></rss>',
        content_type="application/rss+xml",
    )
    config = write_config(
        tmp_path,
        [("alive", httpserver.url_for("/feed.xml")), ("dead", f"http://127.0.0.1:{free_port()}/x")],
    )
    assert main(["once", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "ok   alive: 0 links" in out
    assert "FAIL dead: could not connect" in out


def test_once_exits_0_when_every_source_answers(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(
        '<rss version="2.0"><channel><title>t</title></channel></rss>',
        content_type="application/rss+xml",
    )
    config = write_config(tmp_path, [("alive", httpserver.url_for("/feed.xml"))])
    assert main(["once", "--config", str(config)]) == 0
    assert main(["sources", "--config", str(config)]) == 0


def _count(log: Path, event: str) -> int:
    return sum(1 for e in events(log.read_text()) if e.get("event") == event)


def _wait_for(condition: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
def test_sighup_reloads_sources_without_a_restart(tmp_path: Path) -> None:
    first = [("one", f"http://127.0.0.1:{free_port()}/feed.xml")]
    config = write_config(tmp_path, first)
    log = tmp_path / "stderr.log"
    with log.open("w") as stderr:
        process = start_daemon(config, stderr)
        try:
            assert _wait_for(lambda: _count(log, "source_checked") >= 1, timeout=30), (
                log.read_text()
            )
            config.write_text(config.read_text().replace("  - name: one", "  - name: two"))
            process.send_signal(signal.SIGHUP)
            assert _wait_for(lambda: _count(log, "reloaded") == 1, timeout=60), log.read_text()
            assert _wait_for(
                lambda: any(e.get("source") == "two" for e in events(log.read_text())), timeout=60
            )
            good = config.read_text()
            config.write_text(good + good[good.index("webhooks:") :])  # a duplicated section
            process.send_signal(signal.SIGHUP)
            assert _wait_for(lambda: _count(log, "reload_failed") == 1, timeout=60)
            assert SECRET not in log.read_text()  # the key path and the problem, not the values
            assert process.poll() is None  # a broken config is reported, not fatal
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=60) == 0
        finally:
            if process.poll() is None:
                process.kill()
    reloaded = next(e for e in events(log.read_text()) if e["event"] == "reloaded")
    assert reloaded["added"] == ["source:two"]
    assert reloaded["removed"] == ["source:one"]


def test_stories_and_story_show_what_once_found(
    tmp_path: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    page = (
        "<html><head><title>Talks open in Egypt</title></head><body><article>"
        "<h1>Talks open in Egypt</h1>"
        "<p>Delegations arrived in Sharm el-Sheikh on Monday for the first round of talks.</p>"
        "<p>Mediators from Qatar said the first phase could include the release of hostages.</p>"
        "<p>The talks are expected to continue for several days, officials said.</p>"
        "<p>Both delegations met the Egyptian hosts separately before the indirect sessions began,"
        " and diplomats described the first exchanges as cautious but constructive.</p>"
        "</article></body></html>"
    )
    httpserver.expect_request("/a.html").respond_with_data(page, content_type="text/html")
    httpserver.expect_request("/feed.xml").respond_with_data(
        '<rss version="2.0"><channel><title>t</title>'
        f"<item><title>Talks</title><link>{httpserver.url_for('/a.html')}</link></item>"
        "</channel></rss>",
        content_type="application/rss+xml",
    )
    config = write_config(tmp_path, [("wire", httpserver.url_for("/feed.xml"))])
    assert main(["once", "--config", str(config)]) == 0
    capsys.readouterr()
    assert main(["stories", "--config", str(config), "--json"]) == 0
    (story,) = json.loads(capsys.readouterr().out)
    assert story["title"] == "Talks open in Egypt"
    assert story["outlets"] == ["wire"]
    assert main(["stories", "--config", str(config), "--topic", "everything"]) == 0
    assert story["id"] in capsys.readouterr().out
    assert main(["story", story["id"], "--config", str(config)]) == 0
    timeline = capsys.readouterr().out
    assert "new_story" in timeline
    assert "Sharm el-Sheikh" in timeline
    assert main(["story", "st_missing", "--config", str(config)]) == 2
