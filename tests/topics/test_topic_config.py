"""A bad topic query in the configuration file is reported at its file:line:column."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.errors import ConfigError
from monitor.models import Development, DevelopmentKind
from monitor.topics import matching_topics, query_for

CONFIG = """\
topics:
  - name: t
    query: '(gaza OR hamas) AND (ceasefire OR OR hostage*)'
    webhooks: [w]
  - name: u
    query:
      any: [gaza, '"peace']
    webhooks: [w]
webhooks:
  - name: w
    url: http://127.0.0.1:9/x
    secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
"""


def test_bad_queries_point_into_the_file(tmp_path: Path) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == [
        f'{path}:3:47: topics[0].query: bad query at column 35: expected a term after OR, found "OR"',
        f"{path}:7:19: topics[1].query.any[1]: bad query at column 1: this quote is never closed",
    ]


def test_configured_topics_match(tmp_path: Path) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text(
        CONFIG.replace("OR OR", "OR").replace("'\"peace'", "'\"peace talks\"'"), encoding="utf-8"
    )
    settings = load_config(path)
    assert query_for(settings.topics[1].query).matches("Peace talks in Cairo")
    development = Development(
        DevelopmentKind.NEW_ARTICLE, "st_1", "https://x.test/1", "wire", datetime.now(UTC), 0.5
    )
    chosen = matching_topics(development, "Hamas agrees to ceasefire", "wire", settings.topics)
    assert [topic.name for topic in chosen] == ["t"]
