"""Config errors name the key and the kind of problem, never a secret; hostile YAML is bounded."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.config import MAX_CONFIG_CHARS, holds_secret, load_config
from monitor.errors import ConfigError

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
HOOK_PATH = "in-7f3a9c1e"  # the unguessable part of a webhook URL
TOKEN = "tok-5e8d2b"
PASSWORD = "pw-91c4aa"
SECRETS = (SECRET, HOOK_PATH, TOKEN, PASSWORD)

WEBHOOKS = f"""\
webhooks:
  - name: main
    url: https://hooks.example.com/{HOOK_PATH}
    secret: {SECRET}
    headers: {{Authorization: "Bearer {TOKEN}"}}
"""
SOURCES = """\
sources:
  - name: wire
    url: https://news.example.com/rss
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "monitor.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def check_config(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check-config", str(path)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def assert_no_secret(output: str) -> None:
    for secret in SECRETS:
        assert secret not in output


def test_a_duplicated_section_prints_the_key_not_its_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = check_config(write(tmp_path, SOURCES + WEBHOOKS + WEBHOOKS), capsys)
    assert code == 2
    assert 'monitor.yaml:9:1: duplicate key "webhooks"' in output
    assert_no_secret(output)


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (
            f"webhooks:\n  - name: main\n    url: https://h.example.com/{HOOK_PATH}\n"
            f'    secret: {SECRET}\n    headers: "Bearer {TOKEN}"\n',
            "webhooks[0].headers: Input should be a valid dictionary (got a string)",
        ),
        (
            f"webhooks:\n  - name: main\n    url: https://h.example.com/{HOOK_PATH}\n"
            f'    secret: {SECRET}\n    headers: {{Authorization: ["Bearer {TOKEN}"]}}\n',
            "webhooks[0].headers.Authorization: Input should be a valid string (got a list)",
        ),
        (
            f"webhooks:\n  - name: main\n    url: ftp://h.example.com/{HOOK_PATH}\n"
            f"    secret: {SECRET}\n",
            'webhooks[0].url: "<hidden>" is not an http(s) URL',
        ),
        (
            f"webhooks:\n  - name: main\n    url: https://h.example.com/{HOOK_PATH}\n"
            f"    secret: {{key: {SECRET}}}\n",
            "webhooks[0].secret: is not a Standard Webhooks secret",
        ),
        (
            f"storage:\n  database_url: {{url: 'postgresql://u:{PASSWORD}@db/monitor'}}\n",
            "storage.database_url: Input should be a valid string (got a mapping)",
        ),
        (
            f"fetch:\n  headers: {{X-Api-Key: {{value: {TOKEN}}}}}\n",
            "fetch.headers.X-Api-Key: Input should be a valid string (got a mapping)",
        ),
    ],
)
def test_a_value_of_the_wrong_kind_under_a_secret_key_is_not_echoed(
    tmp_path: Path, section: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, SOURCES + section), environ={})
    output = str(caught.value)
    assert expected in output
    assert_no_secret(output)


def test_values_of_ordinary_keys_are_still_shown(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r'"ftp://news.example.com/rss" is not an http'):
        load_config(write(tmp_path, SOURCES.replace("https:", "ftp:")), environ={})


@pytest.mark.parametrize(
    ("path", "secret"),
    [
        (("webhooks", 0, "secret"), True),
        (("webhooks", 0, "url"), True),
        (("webhooks", 0, "headers", "Authorization"), True),
        (("fetch", "headers", "Cookie"), True),
        (("storage", "database_url"), True),
        (("sources", 0, "url"), False),
        (("webhooks", 0, "timeout"), False),
    ],
)
def test_which_keys_hold_secrets(path: tuple[str | int, ...], secret: bool) -> None:
    assert holds_secret(path) is secret


BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
sources: *g
"""


def test_an_alias_bomb_is_refused_with_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = check_config(write(tmp_path, BOMB), capsys)
    assert code == 2
    assert "monitor.yaml:" in output
    assert "aliases expand past the limit" in output


def test_a_self_referencing_alias_ends_in_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load_config(write(tmp_path, "sources: &s [*s]\n"), environ={})


def test_a_few_aliases_and_merge_keys_still_work(tmp_path: Path) -> None:
    text = """\
    base: &base {interval: 5m}
    sources:
      - <<: *base
        name: a
        url: https://e.example.com/a
    """
    with pytest.raises(ConfigError) as caught:  # the helper key itself is unknown, and said so
        load_config(write(tmp_path, text), environ={})
    assert caught.value.problems == [f"{tmp_path / 'monitor.yaml'}:1:7: base: unknown key"]


def test_an_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = write(tmp_path, SOURCES + "#" * MAX_CONFIG_CHARS + "\n")
    with pytest.raises(ConfigError, match=r"monitor.yaml:1:1: the file has .* limited to"):
        load_config(path, environ={})
