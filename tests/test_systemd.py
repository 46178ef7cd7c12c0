"""Running as a systemd service: the unit in contrib/, and the notify protocol for real."""

from __future__ import annotations

import configparser
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from monitor.systemd import notify, watchdog_interval

REPO = Path(__file__).resolve().parents[1]
UNIT = REPO / "contrib" / "monitor.service"


def _unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNIT)
    return parser


def test_the_unit_runs_the_daemon_as_a_notify_service_with_a_watchdog() -> None:
    service = _unit()["Service"]
    assert service["Type"] == "notify"
    assert int(service["WatchdogSec"]) > 0
    argv = shlex.split(service["ExecStart"])
    assert argv[0].endswith("/monitor")
    assert argv[1] == "run"
    assert "--config" in argv
    assert service["ExecReload"].endswith("-HUP $MAINPID")  # SIGHUP reloads the config
    assert service["User"] != "root"
    assert _unit()["Install"]["WantedBy"] == "multi-user.target"


def _listen(tmp_path: Path) -> tuple[socket.socket, str]:
    path = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(60)
    return sock, path


def test_notify_sends_one_datagram_to_the_socket(tmp_path: Path) -> None:
    sock, path = _listen(tmp_path)
    with sock:
        assert notify("READY=1", {"NOTIFY_SOCKET": path})
        assert sock.recv(4096) == b"READY=1"
    assert not notify("READY=1", {})


def test_watchdog_interval_is_half_of_what_systemd_asks() -> None:
    assert watchdog_interval({"WATCHDOG_USEC": "60000000"}) == 30.0
    assert watchdog_interval({"WATCHDOG_USEC": "60000000", "WATCHDOG_PID": "1"}) is None
    assert watchdog_interval({}) is None


def test_the_daemon_says_ready_pings_the_watchdog_and_says_stopping(tmp_path: Path) -> None:
    sock, path = _listen(tmp_path)
    config = tmp_path / "monitor.yaml"
    config.write_text(
        f"storage:\n  database_url: sqlite:///{tmp_path / 'monitor.db'}\nserver:\n  port: 0\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "NOTIFY_SOCKET": path,
        "WATCHDOG_USEC": "200000",  # a ping every 0.1 s: several arrive whatever the load
        "MONITOR_ENV_FILE": "",
    }
    with (
        sock,
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "monitor",
                "--log-level",
                "error",
                "run",
                "--config",
                str(config),
            ],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ) as process,
    ):
        try:
            received = [sock.recv(4096).decode()]
            assert received[0].startswith("READY=1")
            deadline = time.monotonic() + 60
            while received.count("WATCHDOG=1") < 2 and time.monotonic() < deadline:
                received.append(sock.recv(4096).decode())
            assert received.count("WATCHDOG=1") >= 2
            process.send_signal(signal.SIGTERM)
            while received[-1] != "STOPPING=1" and time.monotonic() < deadline:
                received.append(sock.recv(4096).decode())
            assert received[-1] == "STOPPING=1"
            assert process.wait(timeout=60) == 0
        finally:
            if process.poll() is None:
                process.kill()
