"""The daemon under 1,100 idle connections (more than its 1,024 file limit): still answers, still
delivers, and says so once, not per connection."""

from __future__ import annotations

import re
import resource
import socket
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.test_daemon import _wait_for, events, free_port, sigterm, start_daemon, write_config

IDLE_CONNECTIONS = 1_100
FILE_LIMIT = 1_024

ARTICLE = (
    "<html><head><title>Talks open in Egypt</title></head><body><article>"
    "<h1>Talks open in Egypt</h1>"
    + "<p>Delegations arrived in Sharm el-Sheikh on Monday for the first round of the talks.</p>"
    * 6
    + "</article></body></html>"
)


def _limit_files() -> None:
    """The common soft file limit of 1,024, for the daemon."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILE_LIMIT, hard))


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.slow
def test_1100_idle_connections_leave_healthz_and_delivery_working(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < IDLE_CONNECTIONS + 200:
        pytest.skip("this test needs to open 1,100 sockets itself")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, IDLE_CONNECTIONS + 200), hard))
    published = False

    def feed(_request: Request) -> Response:
        item = f"<item><title>Talks</title><link>{httpserver.url_for('/a.html')}</link></item>"
        body = f'<rss version="2.0"><channel><title>t</title>{item if published else ""}</channel></rss>'
        return Response(body, content_type="application/rss+xml")

    httpserver.expect_request("/feed.xml").respond_with_handler(feed)
    httpserver.expect_request("/a.html").respond_with_data(ARTICLE, content_type="text/html")
    httpserver.expect_request("/hook", method="POST").respond_with_data("", status=204)
    port = free_port()
    config = write_config(tmp_path, [("wire", httpserver.url_for("/feed.xml"))], server_port=port)
    text = re.sub(
        r"url: http://127.0.0.1:\d+/hook", f"url: {httpserver.url_for('/hook')}", config.read_text()
    )
    config.write_text(text.replace("interval: 1h", "interval: 2s\n    jitter: 0s"))
    log = tmp_path / "stderr.log"
    idle: list[socket.socket] = []
    with log.open("w") as stderr:
        process = start_daemon(config, stderr, preexec_fn=_limit_files)
        try:
            assert _wait_for(lambda: _answers(port), timeout=30), log.read_text()
            for _ in range(IDLE_CONNECTIONS):
                idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
            assert _answers(port), log.read_text()
            published = True
            delivered = lambda: any(r.path == "/hook" for r, _ in httpserver.log)  # noqa: E731
            assert _wait_for(delivered, timeout=60), log.read_text()[-3000:]
            assert _answers(port)
            code, _stopped_in = sigterm(process)
        finally:
            for connection in idle:
                connection.close()
            if process.poll() is None:
                process.kill()
    assert code == 0
    logged = events(log.read_text())
    assert sum(e["event"] == "connections_at_limit" for e in logged) == 1  # once, not per attempt
    assert "Traceback" not in log.read_text()
