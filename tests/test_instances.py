"""One mode per database, as a user meets it: ``monitor run`` twice, ``monitor instances``."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.config import TrackingConfig
from monitor.coordination import Coordinator
from monitor.store import Store
from monitor.store.instances import lock_sqlite_database
from tests.test_daemon import REPO, _count, _wait_for, free_port, start_daemon, write_config

QUIET = [("quiet", f"http://127.0.0.1:{free_port()}/feed.xml")]


@pytest.mark.slow
def test_a_second_run_on_sqlite_exits_2_naming_the_first(tmp_path: Path) -> None:
    config = write_config(tmp_path, QUIET)
    log = tmp_path / "first.log"
    with log.open("w") as stderr:
        first = start_daemon(config, stderr)
        try:
            assert _wait_for(lambda: _count(log, "started") == 1, timeout=60), log.read_text()
            second = subprocess.run(
                [sys.executable, "-m", "monitor", "run", "--config", str(config)],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
                env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
            )
            database = tmp_path / "monitor.db"
            expected = (
                f"{database} is in use by another monitor "
                f"(pid {first.pid} on host {socket.gethostname()})"
            )
            assert second.returncode == 2, second.stderr
            assert expected in second.stderr
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
    lock_sqlite_database(str(tmp_path / "monitor.db")).release()  # the kernel dropped it


def test_instances_on_sqlite_says_who_holds_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, QUIET)
    assert main(["instances", "--config", str(config)]) == 0
    assert capsys.readouterr().out == "no monitor is running on this SQLite database\n"
    held = lock_sqlite_database(str(tmp_path / "monitor.db"))
    try:
        assert main(["instances", "--config", str(config)]) == 0
    finally:
        held.release()
    assert "is in use by a monitor (pid" in capsys.readouterr().out


@pytest.mark.postgres
def test_instances_lists_the_registered_monitors(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several instances share PostgreSQL")
    config = write_config(tmp_path, QUIET)
    sqlite_url = f"sqlite:///{tmp_path / 'monitor.db'}"
    config.write_text(config.read_text().replace(sqlite_url, database_url))
    store = Store.open(database_url)
    running = Coordinator(
        store, TrackingConfig, lease=timedelta(seconds=30), clock=lambda: datetime.now(UTC)
    )
    running.start()
    try:
        assert main(["instances", "--config", str(config), "--json"]) == 0
        [listed] = json.loads(capsys.readouterr().out)
        assert listed["id"] == running.id
        assert listed["alive"] is True
        assert listed["roles"] == ["delivery"]
        assert main(["instances", "--config", str(config)]) == 0
        table = capsys.readouterr().out
        assert table.splitlines()[0].split() == [
            "ID",
            "HOST",
            "PID",
            "VERSION",
            "STARTED",
            "HEARTBEAT",
            "STATE",
            "ROLES",
        ]
        assert running.id in table
    finally:
        running.stop()
        store.close()
