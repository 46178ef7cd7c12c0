"""A database that cannot be used is one clear line naming it, never a traceback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.errors import StoreError
from monitor.store import Store
from monitor.store.db import POSTGRES_CONNECT_TIMEOUT_S


def test_an_unsupported_database_is_named_with_what_is_supported() -> None:
    with pytest.raises(StoreError, match=r"mysql://u:\*\*\*@db/monitor: mysql is not supported"):
        Store.open("mysql://u:hunter2@db/monitor")


def test_a_sqlite_folder_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match=r"cannot create the folder .*file/sub"):
        Store.open(f"sqlite:///{blocker / 'sub' / 'monitor.db'}")


def test_monitor_once_says_it_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "monitor.yaml"
    config.write_text(
        "storage:\n  database_url: mysql://u:hunter2@db/monitor\n"
        "sources:\n  - name: a\n    url: https://example.com/feed\n"
    )
    assert main(["once", "--config", str(config)]) != 0
    captured = capsys.readouterr()
    assert "mysql is not supported" in captured.err
    assert "Traceback" not in captured.err + captured.out
    assert "hunter2" not in captured.err + captured.out


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says a word."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


def test_a_postgresql_port_that_never_answers_is_a_bounded_error(silent_port: int) -> None:
    started = time.monotonic()
    with pytest.raises(StoreError, match=rf"cannot open database .*127.0.0.1:{silent_port}"):
        Store.open(f"postgresql+psycopg://monitor@127.0.0.1:{silent_port}/monitor")
    # bounded by the connect timeout (with room for a loaded machine), not hanging for ever
    assert time.monotonic() - started < POSTGRES_CONNECT_TIMEOUT_S * 6
