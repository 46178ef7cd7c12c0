"""The daemon against a hostile page: a real ``monitor run`` keeps every other duty on time."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer

from tests.test_daemon import (
    _count,
    _wait_for,
    events,
    free_port,
    sigterm,
    start_daemon,
    write_config,
)

NESTING = 200_000


def _feed(link: str) -> str:
    return (
        '<rss version="2.0"><channel><title>t</title>'
        f"<item><title>Item</title><link>{link}</link></item></channel></rss>"
    )


@pytest.mark.slow
def test_a_page_of_200000_nested_divs_stalls_nothing(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    deep = (
        b"<html><body>" + b"<div>" * NESTING + b"<p>x</p>" + b"</div>" * NESTING + b"</body></html>"
    )
    httpserver.expect_request("/deep.html").respond_with_data(deep, content_type="text/html")
    httpserver.expect_request("/hostile.xml").respond_with_data(
        _feed(httpserver.url_for("/deep.html")), content_type="application/rss+xml"
    )
    httpserver.expect_request("/healthy.xml").respond_with_data(
        _feed(httpserver.url_for("/healthy.xml")), content_type="application/rss+xml"
    )
    port = free_port()
    config = write_config(
        tmp_path,
        [
            ("hostile", httpserver.url_for("/hostile.xml")),
            ("healthy", httpserver.url_for("/healthy.xml")),
        ],
        server_port=port,
    )
    config.write_text(
        config.read_text().replace("interval: 1h", "interval: 2s\n    jitter: 0s")
        + "logging:\n  level: debug\n"  # a check that finds nothing new logs at debug level
    )
    log = tmp_path / "stderr.log"
    slowest_health = 0.0

    def healthy_checked_thrice_and_deep_page_skipped() -> bool:
        nonlocal slowest_health
        started = time.monotonic()
        answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1.0)  # raises if over 1 s
        slowest_health = max(slowest_health, time.monotonic() - started)
        assert answer.status_code == 200
        logged = events(log.read_text())
        healthy = [e for e in logged if e["event"] == "source_checked" and e["source"] == "healthy"]
        skipped = [
            e for e in logged if "deep.html" in str(e.get("url")) and e["level"] == "warning"
        ]
        return len(healthy) >= 3 and bool(skipped)

    with log.open("w") as stderr:
        process = start_daemon(config, stderr)
        try:
            # bounds on waiting, not claims: start-up takes 30 s and more on a machine this loaded
            assert _wait_for(lambda: _listening(port), timeout=120), log.read_text()
            assert _wait_for(healthy_checked_thrice_and_deep_page_skipped, timeout=120), (
                log.read_text()
            )
            code, stopped_in = sigterm(process)
        finally:
            if process.poll() is None:
                process.kill()
    assert code == 0
    assert stopped_in < 5
    assert slowest_health < 1.0
    skipped = next(e for e in events(log.read_text()) if "deep.html" in str(e.get("url")))
    assert "nested deeper" in str(skipped["error"])
    assert _count(log, "job_crashed") == 0


def _listening(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False
