"""The seed site: its replay is in sync with steps.json and yields exactly seeds/expected.jsonl."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from monitor.cli import main
from monitor.track import replay

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def build_replay() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_replay", SEEDS / "build_replay.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_replay_file_is_derived_from_the_steps() -> None:
    builder = build_replay()
    assert builder.render(builder.build_observations(SEEDS)) == (SEEDS / "replay.jsonl").read_text(
        encoding="utf-8"
    )


def test_every_served_file_exists_and_says_it_is_fictional() -> None:
    steps = json.loads((SEEDS / "steps.json").read_text(encoding="utf-8"))
    for step in steps:
        for relative in step["serve"].values():
            assert "FICTIONAL TEST CONTENT" in (SEEDS / relative).read_text(encoding="utf-8")


def test_seed_replay_is_exactly_as_expected() -> None:
    produced = list(replay(read_jsonl(SEEDS / "replay.jsonl")))
    assert produced == read_jsonl(SEEDS / "expected.jsonl")


def test_seed_story_events() -> None:
    results = read_jsonl(SEEDS / "expected.jsonl")
    events = [r["event"] for r in results]
    assert events == [
        "new_story",  # the seed article
        "revision",  # headline change
        "revision",  # new death toll
        "revision",  # typo fix
        "unchanged",  # timestamp-only change
        "duplicate",  # syndicated copy
        "revision",  # correction note
        "joined_story",  # first hostages released
        "new_story",  # the unrelated ceasefire
    ]
    developments = [r["development"] for r in results]
    assert developments[3:6] == [None, None, None]
    toll = developments[2]
    hostages = developments[7]
    assert isinstance(toll, dict)
    assert isinstance(hostages, dict)
    assert [(f["before"], f["after"]) for f in toll["changed_facts"]] == [
        ("at least 24 Palestinians", "at least 30 Palestinians")
    ]
    assert [(f["before"], f["after"]) for f in hostages["changed_facts"]] == [
        ("release of 48 Israeli hostages", "still holding 28 Israeli hostages")
    ]
    correction = developments[6]
    assert isinstance(correction, dict)
    assert correction["kind"] == "correction"
    assert len({r["story_id"] for r in results}) == 2


def html_observations() -> list[dict[str, object]]:
    """The seed pages as served, in the html form of replay observations."""
    steps = json.loads((SEEDS / "steps.json").read_text(encoding="utf-8"))
    served: dict[str, str] = {}
    observations: list[dict[str, object]] = []
    for step in steps:
        for path, relative in step["serve"].items():
            if served.get(path) == relative or not path.endswith(".html"):
                continue
            served[path] = relative
            html = (SEEDS / relative).read_text(encoding="utf-8")
            observations.append(
                {
                    "source": "seed",
                    "url": "http://127.0.0.1" + path,
                    "fetched_at": step["at"],
                    "html": html,
                }
            )
    return observations


def test_seed_pages_through_the_extractor_give_the_same_decisions() -> None:
    expected = read_jsonl(SEEDS / "expected.jsonl")
    produced = list(replay(html_observations()))
    assert [(r["event"], r["story_id"]) for r in produced] == [
        (e["event"], e["story_id"]) for e in expected
    ]
    for got, want in zip(produced, expected, strict=True):
        got_dev, want_dev = got["development"], want["development"]
        assert (got_dev is None) == (want_dev is None)
        if isinstance(got_dev, dict) and isinstance(want_dev, dict):
            assert got_dev["kind"] == want_dev["kind"]
            assert got_dev["changed_facts"] == want_dev["changed_facts"]


def test_replay_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "monitor.yaml"
    config.write_text("topics: []\n")
    assert main(["replay", str(SEEDS / "replay.jsonl"), "--config", str(config)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    expected = read_jsonl(SEEDS / "expected.jsonl")
    assert [{k: v for k, v in line.items() if k != "topics"} for line in lines] == expected
    assert all(line["topics"] == [] for line in lines)


def test_replay_command_names_the_bad_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"url": "https://a.example/1"}\nnot json\n')
    assert main(["replay", str(bad)]) == 2
    assert "observation 1: missing field 'fetched_at'" in capsys.readouterr().err


def test_replay_with_a_config_names_the_topics_that_would_alert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from monitor.cli import main

    config = tmp_path / "monitor.yaml"
    config.write_text(
        "topics:\n"
        "  - name: gaza\n"
        "    query: '(gaza OR hamas) AND (ceasefire OR hostage* OR \"peace talks\")'\n"
        "    min_novelty: 0.2\n"
        "    webhooks: [hook]\n"
        "webhooks:\n"
        "  - name: hook\n"
        "    url: https://hooks.example.com/in\n"
        "    secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n"
    )
    seeds = Path(__file__).resolve().parents[2] / "seeds" / "replay.jsonl"
    assert main(["replay", str(seeds), "--config", str(config)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    alerted = [(line["event"], line["topics"]) for line in lines if line["topics"]]
    # the headline tweak is below min_novelty; the other ceasefire is not about Gaza
    assert [event for event, _ in alerted] == ["new_story", "revision", "revision", "joined_story"]
    assert all(topics == ["gaza"] for _, topics in alerted)


def test_replay_uses_the_configured_join_threshold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "monitor.yaml"
    config.write_text("topics: []\ntracking:\n  join_threshold: 0.95\n")
    assert main(["replay", str(SEEDS / "replay.jsonl"), "--config", str(config)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    started = [line for line in lines if line["event"] == "new_story"]
    # the follow-up that joined at 0.32 with the default now starts its own story, and says why
    assert "joined_story" not in [line["event"] for line in lines]
    below = [line["match"] for line in started if line["match"]["candidate"]]
    assert below
    assert all(m["threshold"] == 0.95 and m["score"] < 0.95 for m in below)
    assert any(r.startswith("best candidate st_") for m in below for r in m["reasons"])
