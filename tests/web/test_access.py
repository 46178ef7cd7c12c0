"""Who may read: 127.0.0.1 is open; any other address needs ``server.token``.

``monitor run`` with ``server.host: 0.0.0.0`` and no token exits 2 and says why; a real daemon
listening on 0.0.0.0 with a token answers 401 to a request without it, and serves a request that
carries it as a bearer header, as ``?token=`` or as the cookie ``?token=`` set.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from monitor.cli import main
from monitor.config import ServerConfig, Settings, StorageConfig, is_loopback, load_config
from monitor.errors import ConfigError, MonitorError
from monitor.service import Service

TOKEN = "correct-horse-battery-staple"


def write_config(path: Path, server: str) -> Path:
    path.write_text(
        f"storage:\n  database_url: sqlite:///{path.parent / 'monitor.db'}\n{server}",
        encoding="utf-8",
    )
    return path


def test_run_on_a_public_address_without_a_token_exits_2_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path / "monitor.yaml", "server:\n  host: 0.0.0.0\n")
    assert main(["--log-level", "error", "run", "--config", str(config)]) == 2
    error = capsys.readouterr().err
    assert f"{config}:4:" in error  # file:line of server.host
    assert 'server.host: "0.0.0.0" is reachable from other machines' in error
    assert "server.token is not set" in error


def test_the_token_can_come_from_the_environment(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", "server:\n  host: 0.0.0.0\n")
    with pytest.raises(ConfigError):
        load_config(config, environ={})
    settings = load_config(config, environ={"MONITOR_SERVER_TOKEN": TOKEN})
    assert settings.server.token == TOKEN


def test_a_short_token_is_refused(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", "server:\n  host: 0.0.0.0\n  token: abc\n")
    with pytest.raises(ConfigError, match="at least 16 characters"):
        load_config(config, environ={})


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("monitor.example.org", False),
    ],
)
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


async def test_a_daemon_built_in_code_refuses_too(tmp_path: Path) -> None:
    settings = Settings(
        storage=StorageConfig(database_url=f"sqlite:///{tmp_path / 'monitor.db'}"),
        server=ServerConfig(host="0.0.0.0", port=0),
    )
    with pytest.raises(MonitorError, match="refusing to serve"):
        await Service(settings, None).run()


@pytest_asyncio.fixture
async def public_daemon(tmp_path: Path) -> AsyncIterator[str]:
    settings = Settings(
        storage=StorageConfig(database_url=f"sqlite:///{tmp_path / 'monitor.db'}"),
        server=ServerConfig(host="0.0.0.0", port=0, token=TOKEN),
    )
    service = Service(settings, None)
    task = asyncio.create_task(service.run())
    while service.runner is None:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    address = service.server_address()
    assert address is not None
    try:
        yield address.replace("0.0.0.0", "127.0.0.1")
    finally:
        service.request_stop("test finished")
        await task


async def test_with_a_token_a_request_without_it_gets_401(public_daemon: str) -> None:
    async with httpx.AsyncClient(base_url=public_daemon, timeout=10) as client:
        for path in ("/", "/sources", "/alerts", "/metrics", "/static/style.css"):
            response = await client.get(path)
            assert response.status_code == 401, path
            assert response.headers["www-authenticate"].startswith("Bearer")
        wrong = await client.get("/", headers={"Authorization": "Bearer not-the-token"})
        assert wrong.status_code == 401
        api = await client.get("/api/sources")
        assert api.status_code == 401
        assert api.json()["error"]["status"] == 401
        assert (await client.get("/healthz")).status_code == 200  # probes need no token


async def test_with_a_token_a_request_with_it_is_served(public_daemon: str) -> None:
    async with httpx.AsyncClient(base_url=public_daemon, timeout=10) as client:
        bearer = await client.get("/sources", headers={"Authorization": f"Bearer {TOKEN}"})
        assert bearer.status_code == 200
        assert "monitor_token" not in bearer.cookies
        query = await client.get("/", params={"token": TOKEN})
        assert query.status_code == 200
        assert query.cookies["monitor_token"] == TOKEN
        follow = await client.get("/alerts")  # a link on the page: the cookie carries the token
        assert follow.status_code == 200
