"""``monitor extract FILE``: readable and JSON output for a saved page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.commands.extract import run_extract
from monitor.errors import ParseError

DATA = Path(__file__).parent / "data"
URL = "https://www.example-news.com/local/bridge-reopens"


class Args:
    def __init__(self, target: str, url: str | None = None, as_json: bool = False) -> None:
        self.target = target
        self.url = url
        self.json = as_json


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    code = run_extract(Args(str(DATA / "news_article.html"), URL, as_json=True))  # type: ignore[arg-type]

    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["title"] == "Bridge reopens after repairs"
    assert data["canonical_url"] == URL
    assert data["published"] == "2024-03-05T08:30:00+01:00"
    assert data["body"].startswith("The Old Mill bridge reopened")
    assert data["is_article"] is True
    assert data["language"] == "en-GB"


def test_readable_output(capsys: pytest.CaptureFixture[str]) -> None:
    run_extract(Args(str(DATA / "paywall.html")))  # type: ignore[arg-type]

    out = capsys.readouterr().out
    assert "Title:       Inside the budget talks" in out
    assert "Is article:  no" in out
    assert "Language:    en" in out
    assert "Warning:     paywall" in out
    assert "file://" in out  # without --url the file's own URL is used


def test_missing_file_is_a_user_error() -> None:
    with pytest.raises(ParseError, match="cannot read file"):
        run_extract(Args(str(DATA / "nope.html")))  # type: ignore[arg-type]


def test_registered_in_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    from monitor.cli import main

    code = main(["extract", str(DATA / "br_article.html"), "--json"])

    assert code == 0
    assert json.loads(capsys.readouterr().out)["paragraphs"][0].startswith("More than forty")


def test_keywords_are_shown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '<html lang="de"><head><title>Gespräche</title>'
        '<meta name="keywords" content="Hamas, Scharm el-Scheich"></head><body><article>'
        + "<p>Die Delegationen sind am Montag zu indirekten Gesprächen eingetroffen.</p>" * 4
        + "</article></body></html>",
        encoding="utf-8",
    )
    run_extract(Args(str(page)))  # type: ignore[arg-type]
    out = capsys.readouterr().out
    assert "Keywords:    Hamas, Scharm el-Scheich" in out
    assert "Language:    de" in out
    run_extract(Args(str(page), as_json=True))  # type: ignore[arg-type]
    assert json.loads(capsys.readouterr().out)["keywords"] == ["Hamas", "Scharm el-Scheich"]
