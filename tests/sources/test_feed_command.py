import argparse
import json
from pathlib import Path

import pytest

from monitor.commands.feed import register
from monitor.errors import FetchError, ParseError

FEED = b"""<rss version="2.0"><channel><title>Local</title><link>https://l.example/</link>
<item><title>First story</title><link>/a/1</link>
<pubDate>Tue, 24 Nov 2026 10:30:00 GMT</pubDate></item>
<item><title>Undated</title><link>https://l.example/a/2</link></item>
</channel></rss>"""


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["feed", *argv])
    result: int = args.handler(args)
    return result


def test_prints_entries_of_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(FEED)
    assert _run([str(path), "--url", "https://l.example/rss"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Local  [rss20, 2 entries]"
    assert "2026-11-24T10:30+00:00  First story" in out
    assert "https://l.example/a/1" in out
    assert "Undated" in out


def test_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(FEED)
    assert _run([str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["title"] == "Local"
    assert [entry["title"] for entry in data["entries"]] == ["First story", "Undated"]
    assert data["entries"][0]["published"] == "2026-11-24T10:30:00+00:00"
    assert data["entries"][1]["published"] is None


def test_user_errors_are_monitor_errors(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="cannot read"):
        _run([str(tmp_path / "missing.xml")])
    page = tmp_path / "page.html"
    page.write_bytes(b"<!DOCTYPE html><html><body>hello</body></html>")
    with pytest.raises(ParseError, match="HTML page"):
        _run([str(page)])
