"""The exported JSON Schema accepts exactly what the loader accepts, as an editor sees the file."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from monitor.config import config_json_schema, load_config
from monitor.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def schema_errors(document: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(config_json_schema())
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def example_configs() -> list[tuple[str, str]]:
    """Every YAML example of the repository: config files and the README's yaml blocks."""
    found = [
        (str(path.relative_to(REPO)), path.read_text(encoding="utf-8"))
        for path in sorted((REPO / "config").glob("*.y*ml"))
    ]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for number, block in enumerate(re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL), 1):
        found.append((f"README.md yaml block {number}", block))
    return found


def test_the_schema_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(config_json_schema())


@pytest.mark.parametrize(("where", "text"), example_configs(), ids=lambda v: str(v)[:40])
def test_every_example_config_passes_the_schema(where: str, text: str) -> None:
    document = YAML(typ="safe").load(text)
    assert schema_errors(document) == [], where


# (section path, key, value) → whether the loader and the schema agree about it
VALUES = (
    [
        ("fetch", "connect_timeout", value)
        for value in [
            "30s",
            "5m",
            "1h30m",
            "500ms",
            "0.5s",
            10,
            2.5,
            0,
            "0s",
            -1,
            "-5m",
            "5 minutes",
            "10",
            True,
            "1 h",
        ]
    ]
    + [("fetch", "per_host_delay", value) for value in ["0s", 0, "2s", "1.5m", "soon", False]]
    + [
        ("fetch", "max_bytes", value)
        for value in ["10MB", "512KiB", "1gb", 4096, "4096", 1.5, 0, 0.5, "0MB", "ten", -5, True]
    ]
)


@pytest.mark.parametrize(("section", "key", "value"), VALUES, ids=repr)
def test_the_schema_and_the_loader_agree(
    tmp_path: Path, section: str, key: str, value: Any
) -> None:
    document = {section: {key: value}}
    path = tmp_path / "monitor.yaml"
    buffer = path.open("w", encoding="utf-8")
    YAML().dump(document, buffer)
    buffer.close()
    try:
        load_config(path, environ={})
        loader_accepts = True
    except ConfigError:
        loader_accepts = False
    assert (schema_errors(document) == []) is loader_accepts, path.read_text()


@pytest.mark.parametrize(
    ("name", "loader_accepts"),
    [("wire", True), ("bbc.world-2", True), ("-x", False), ("a b", False)],
)
def test_names_agree(tmp_path: Path, name: str, loader_accepts: bool) -> None:
    text = textwrap.dedent(
        f"""\
        sources:
          - name: "{name}"
            url: https://example.org/feed
        """
    )
    (tmp_path / "monitor.yaml").write_text(text)
    try:
        load_config(tmp_path / "monitor.yaml", environ={})
        accepted = True
    except ConfigError:
        accepted = False
    assert accepted is loader_accepts
    assert (schema_errors(YAML(typ="safe").load(text)) == []) is loader_accepts
