"""Configuration: every kind of bad file names file:line:column, the key path, and exits 2."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.config import load_config, parse_duration
from monitor.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
ENV = {"HOOK_URL": "https://hooks.example.com/in", "HOOK_SECRET": SECRET}

GOOD = """\
storage:
  database_url: sqlite:///data/test.db
sources:
  - name: wire
    url: https://news.example.com/rss
    interval: 5m
  - name: front
    type: listing
    url: https://news.example.com/
    links: "a.headline"
topics:
  - name: gaza
    query: '(gaza OR hamas) AND (ceasefire OR hostage*)'
    webhooks: [main]
webhooks:
  - name: main
    url: ${HOOK_URL}
    secret: ${HOOK_SECRET}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "monitor.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ=ENV)
    return caught.value.problems


def test_good_config_loads(tmp_path: Path) -> None:
    settings = load_config(write(tmp_path, GOOD), environ=ENV)
    assert settings.summary() == "2 sources (2 enabled), 1 topics, 1 webhooks"
    assert settings.sources[0].interval == 300.0
    assert settings.webhooks[0].url == "https://hooks.example.com/in"


def test_shipped_example_config_is_valid() -> None:
    settings = load_config(
        REPO / "config" / "monitor.yaml",
        environ={
            "MONITOR_WEBHOOK_URL": "http://127.0.0.1:9/hook",
            "MONITOR_WEBHOOK_SECRET": SECRET,
        },
    )
    assert len(settings.sources) >= 4
    assert any("gaza" in str(topic.query) for topic in settings.topics)


def replace(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


# (name, file text, expected "line:column: key.path: message" fragment)
BAD_CONFIGS = [
    ("yaml syntax", replace("interval: 5m", "interval: [5m"), r":7:\d+: YAML syntax error"),
    ("empty file", "", r":1:1: the file is empty"),
    ("comment only", "# nothing here\n", r":1:1: the file is empty"),
    ("top level list", "- a\n- b\n", r":1:1: the top level must be a mapping"),
    ("unknown top key", GOOD + "extra: 1\n", r":19:8: extra: unknown key"),
    (
        "unknown source key",
        replace("interval: 5m", "intervall: 5m"),
        r":6:16: sources\[0\]\.intervall: unknown key",
    ),
    (
        "bad duration",
        replace("interval: 5m", 'interval: "5 minutes"'),
        r':6:15: sources\[0\]\.interval: "5 minutes" is not a duration \(use 30s, 5m, 1h\)',
    ),
    (
        "negative interval",
        replace("interval: 5m", "interval: -5m"),
        r":6:15: sources\[0\]\.interval: a duration must not be negative",
    ),
    (
        "zero interval",
        replace("interval: 5m", "interval: 0s"),
        r":6:15: sources\[0\]\.interval: Input should be greater than 0",
    ),
    (
        "bad url",
        replace("url: https://news.example.com/rss", "url: news.example.com/rss"),
        r':5:10: sources\[0\]\.url: "news.example.com/rss" is not an http\(s\) URL',
    ),
    (
        "ftp url",
        replace("url: https://news.example.com/rss", "url: ftp://news.example.com/rss"),
        r":5:10: sources\[0\]\.url: .*not an http\(s\) URL",
    ),
    (
        "missing url",
        replace("    url: https://news.example.com/rss\n", ""),
        r":4:5: sources\[0\]\.url: required key is missing",
    ),
    (
        "wrong type",
        replace("interval: 5m", "interval: 5m\n    enabled: maybe"),
        r":7:14: sources\[0\]\.enabled: Input should be a valid boolean",
    ),
    (
        "bad source type",
        replace("    interval: 5m", "    type: podcast\n    interval: 5m"),
        r":6:11: sources\[0\]\.type: 'podcast' is not allowed",
    ),
    (
        "duplicate source",
        replace("name: front", "name: wire"),
        r":7:11: sources\[1\]\.name: duplicate source name \"wire\"",
    ),
    (
        "bad source name",
        replace("name: front", "name: 'front page!'"),
        r":7:11: sources\[1\]\.name: \"front page!\" is not a valid name",
    ),
    (
        "listing without links",
        replace('    links: "a.headline"\n', ""),
        r":8:11: sources\[1\]\.type: a \"listing\" source needs \"links\"",
    ),
    (
        "bad regex",
        replace('links: "a.headline"', 'links: "a.headline"\n    include: ["(unclosed"]'),
        r":11:15: sources\[1\]\.include\[0\]: \"\(unclosed\" is not a regular expression",
    ),
    (
        "bad css selector",
        replace('links: "a.headline"', 'links: "a[["'),
        r":10:12: sources\[1\]\.links: invalid CSS selector",
    ),
    (
        "bad article rule",
        replace('links: "a.headline"', 'links: "a.headline"\n    article: {body: "div >"}'),
        r":11:21: sources\[1\]\.article\.body: invalid CSS selector",
    ),
    (
        "unknown webhook",
        replace("webhooks: [main]", "webhooks: [mian]"),
        r":14:16: topics\[0\]\.webhooks\[0\]: unknown webhook \"mian\" \(known: main\)",
    ),
    (
        "unknown topic source",
        replace("webhooks: [main]", "webhooks: [main]\n    sources: [wires]"),
        r":15:15: topics\[0\]\.sources\[0\]: unknown source \"wires\"",
    ),
    (
        "missing env var",
        replace("${HOOK_SECRET}", "${NOT_SET_ANYWHERE}"),
        r":18:13: webhooks\[0\]\.secret: environment variable NOT_SET_ANYWHERE is not set",
    ),
    (
        "bad secret",
        replace("${HOOK_SECRET}", "hunter2"),
        r":18:13: webhooks\[0\]\.secret: is not a Standard Webhooks secret",
    ),
    (
        "bad webhook format",
        replace("secret: ${HOOK_SECRET}", "secret: ${HOOK_SECRET}\n    format: teams"),
        r":19:13: webhooks\[0\]\.format: 'teams' is not allowed",
    ),
    (
        "novelty out of range",
        replace("webhooks: [main]", "webhooks: [main]\n    min_novelty: 2"),
        r":15:18: topics\[0\]\.min_novelty: Input should be less than or equal to 1",
    ),
    (
        "bad kind",
        replace("webhooks: [main]", "webhooks: [main]\n    kinds: [rumour]"),
        r":15:13: topics\[0\]\.kinds\[0\]: 'rumour' is not allowed",
    ),
    (
        "no webhooks on topic",
        replace("webhooks: [main]", "webhooks: []"),
        r":14:15: topics\[0\]\.webhooks: List should have at least 1 item",
    ),
    (
        "section not a mapping",
        GOOD + "fetch: 12\n",
        r":19:8: fetch: Input should be a valid dictionary",
    ),
    (
        "bad size",
        GOOD + "fetch:\n  max_bytes: lots\n",
        r':20:14: fetch\.max_bytes: "lots" is not a size',
    ),
    (
        "bad port",
        GOOD + "server:\n  port: 70000\n",
        r":20:9: server\.port: Input should be less than or equal to 65535",
    ),
    (
        "join threshold out of range",
        GOOD + "tracking:\n  join_threshold: 1.5\n",
        r":20:19: tracking\.join_threshold: Input should be less than 1",
    ),
    (
        "recheck bounds out of order",
        GOOD + "tracking:\n  recheck:\n    min: 2h\n    max: 5m\n",
        r":21:5: tracking\.recheck: min \(7200.0s\) is longer than max \(300.0s\)",
    ),
    (
        "bad log level",
        GOOD + "logging:\n  level: loud\n",
        r":20:10: logging\.level: 'loud' is not allowed",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in BAD_CONFIGS], ids=[c[0] for c in BAD_CONFIGS]
)
def test_bad_config_points_at_the_problem(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    problems = problems_of(path)
    assert any(re.search(re.escape(str(path)) + expected, line) for line in problems), problems


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in BAD_CONFIGS[:8]], ids=[c[0] for c in BAD_CONFIGS[:8]]
)
def test_check_config_exits_2_with_every_error(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    expected: str,
) -> None:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    path = write(tmp_path, text)
    assert main(["check-config", str(path)]) == 2
    err = capsys.readouterr().err
    assert re.search(re.escape(str(path)) + expected, err), err
    assert "Traceback" not in err


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    text = replace("interval: 5m", 'interval: "5 minutes"').replace(
        "webhooks: [main]", "webhooks: [mian]"
    )
    text = text.replace("url: https://news.example.com/rss", "url: nope")
    problems = problems_of(write(tmp_path, text))
    assert len(problems) >= 2  # unknown webhook is checked only once the models are valid
    assert any("sources[0].interval" in line for line in problems)
    assert any("sources[0].url" in line for line in problems)


def test_env_default_is_used(tmp_path: Path) -> None:
    text = replace("${HOOK_URL}", "${UNSET_HOOK:-https://fallback.example.com/h}")
    settings = load_config(write(tmp_path, text), environ=ENV)
    assert settings.webhooks[0].url == "https://fallback.example.com/h"


def test_database_url_env_overrides(tmp_path: Path) -> None:
    env = {**ENV, "MONITOR_DATABASE_URL": "postgresql+psycopg://u@db/monitor"}
    settings = load_config(write(tmp_path, GOOD), environ=env)
    assert settings.storage.database_url == "postgresql+psycopg://u@db/monitor"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "absent.yaml")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30),
        ("5m", 300),
        ("1h", 3600),
        ("1h30m", 5400),
        ("500ms", 0.5),
        ("2d", 172800),
        (90, 90),
    ],
)
def test_durations(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_check_config_ok_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    assert main(["check-config", str(write(tmp_path, GOOD))]) == 0
    assert "OK: 2 sources (2 enabled), 1 topics, 1 webhooks" in capsys.readouterr().out


def test_config_schema_is_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config-schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["type"] == "object"
    assert {"sources", "topics", "webhooks", "storage", "fetch", "server", "logging"} <= set(
        schema["properties"]
    )


def test_python_dash_m_entry_point(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "check-config", str(path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert f"{path}:1:1: the file is empty" in result.stderr


def test_a_config_that_is_not_utf8_names_the_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_bytes(b"sources:\n  - name: caf\xc3\xa9\n    url: https://ex.org/\xe9t\xe9\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ=ENV)
    assert str(caught.value).startswith(f"{path}:3:25: not UTF-8: byte 0xe9")


def test_recheck_settings_and_the_older_list_form(tmp_path: Path) -> None:
    text = GOOD + "tracking:\n  recheck:\n    min: 30s\n    max: 1h\n    live_blog: 45s\n"
    recheck = load_config(write(tmp_path, text), environ=ENV).tracking.recheck
    assert (recheck.min, recheck.max, recheck.live_blog, recheck.factor) == (30, 3600, 45, 0.2)
    steps = "  recheck:\n    - {within: 2h, every: 10m}\n    - {within: 2d, every: 2h}\n"
    older = load_config(write(tmp_path, GOOD + "tracking:\n" + steps), environ=ENV)
    assert (older.tracking.recheck.min, older.tracking.recheck.max) == (600, 7200)
    assert older.tracking.recheck.stop_after == 2 * 86400
