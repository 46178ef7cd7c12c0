"""Static checks of the container set-up: docker-compose.yml, Dockerfile, .dockerignore, .env.example.

No Docker engine is needed: the compose file is parsed with ruamel.yaml and the Dockerfile with
a small instruction reader, and each deployment promise is checked on what they say — the daemon
waits for a healthy PostgreSQL 16 with its data in a named volume, config/ is mounted read-only
where the image's command looks for it, secrets only come from .env, the endpoint is published on
the host's loopback only, and the image is slim, multi-stage and runs as a non-root user. The
daemon's healthcheck command is run for real against a local /healthz.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shlex
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / ".env.example"

DAEMON = "monitor"
DATABASE = "db"
CONFIG_IN_CONTAINER = "/config/monitor.yaml"

SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|API_?KEY|PRIVATE", re.IGNORECASE)
# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}")
ONLY_INTERPOLATION = re.compile(rf"^(?:{INTERPOLATION.pattern})$")
URL_CREDENTIALS = re.compile(r"://[^/:@\s]+:([^@\s]+)@")
LITERAL_WEBHOOK_SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]{8,}")


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = YAML(typ="safe").load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict), "docker-compose.yml must be a mapping"
    return document


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = compose.get("services")
    assert isinstance(found, dict), "docker-compose.yml has no services"
    return found


def environment_of(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment, whether written as a mapping or as a list of KEY=VALUE."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        pairs = (item.split("=", 1) if "=" in item else (item, "") for item in raw)
        return dict(pairs)
    return {str(key): "" if value is None else str(value) for key, value in raw.items()}


def healthcheck_argv(service: dict[str, Any]) -> list[str]:
    """The healthcheck ``test`` as an argv: CMD lists as given, CMD-SHELL and strings split."""
    test = service["healthcheck"]["test"]
    if isinstance(test, str):
        return shlex.split(test)
    kind, *rest = test
    if kind == "CMD":
        return [str(part) for part in rest]
    assert kind == "CMD-SHELL", f"unexpected healthcheck form {kind!r}"
    return shlex.split(" ".join(rest))


def volume_mounts(service: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """``(source, target, read_only)`` of every volume, short or long syntax."""
    mounts = []
    for entry in service.get("volumes") or []:
        if isinstance(entry, str):
            source, target, *mode = entry.split(":")
            mounts.append((source, target, bool(mode) and "ro" in mode[0].split(",")))
        else:
            mounts.append((entry["source"], entry["target"], bool(entry.get("read_only"))))
    return mounts


def interpolated_names(text: str) -> set[str]:
    return {match.group(1) for match in INTERPOLATION.finditer(text)}


@dataclass
class Stage:
    """One ``FROM`` stage of a Dockerfile: its base, its name and its instructions in order."""

    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [arguments for word, arguments in self.instructions if word == keyword]

    def last(self, keyword: str) -> str | None:
        found = self.all(keyword)
        return found[-1] if found else None


def read_dockerfile(text: str) -> tuple[dict[str, str], list[Stage]]:
    """Global ``ARG`` defaults and the stages; continuation lines joined, comments dropped."""
    logical: list[str] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in logical:
        keyword, _, arguments = line.partition(" ")
        keyword, arguments = keyword.upper(), arguments.strip()
        if keyword == "FROM":
            words = arguments.split()
            base = re.sub(
                r"\$\{?(\w+)\}?", lambda m: global_args.get(m.group(1), m.group(0)), words[0]
            )
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base=base, name=name))
        elif not stages:
            if keyword == "ARG" and "=" in arguments:
                key, value = arguments.split("=", 1)
                global_args[key.strip()] = value.strip().strip("\"'")
        else:
            stages[-1].instructions.append((keyword, arguments))
    return global_args, stages


@pytest.fixture(scope="module")
def dockerfile() -> list[Stage]:
    _, stages = read_dockerfile(DOCKERFILE.read_text(encoding="utf-8"))
    assert stages, "the Dockerfile has no FROM"
    return stages


def exec_form(arguments: str) -> list[str]:
    value = json.loads(arguments)
    assert isinstance(value, list), f"{arguments!r} is not the exec (JSON list) form"
    return [str(part) for part in value]


# --------------------------------------------------------------------------- compose: services


def test_compose_has_the_daemon_and_postgresql_16(services: dict[str, dict[str, Any]]) -> None:
    assert set(services) >= {DAEMON, DATABASE}
    image = services[DATABASE]["image"]
    assert re.fullmatch(r"postgres:16(\.\d+)*(-[a-z0-9.]+)?", image), image
    assert "build" in services[DAEMON], "the daemon is built from the Dockerfile"


def test_database_has_a_pg_isready_healthcheck(services: dict[str, dict[str, Any]]) -> None:
    database = services[DATABASE]
    argv = healthcheck_argv(database)
    assert argv[0] == "pg_isready"
    environment = environment_of(database)
    # It asks for the very role and database the daemon connects to.
    assert f"--username={environment['POSTGRES_USER']}" in argv or (
        "-U" in argv and argv[argv.index("-U") + 1] == environment["POSTGRES_USER"]
    )
    assert f"--dbname={environment['POSTGRES_DB']}" in argv or (
        "-d" in argv and argv[argv.index("-d") + 1] == environment["POSTGRES_DB"]
    )
    check = database["healthcheck"]
    assert int(check["retries"]) >= 3
    for key in ("interval", "timeout"):
        assert re.fullmatch(r"\d+(ms|s|m)", str(check[key])), f"healthcheck.{key}"


def test_database_keeps_its_data_in_a_named_volume(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    named = set(compose.get("volumes") or {})
    data_mounts = [
        source
        for source, target, _ in volume_mounts(services[DATABASE])
        if target == "/var/lib/postgresql/data"
    ]
    assert data_mounts, "PostgreSQL's data directory is not mounted"
    assert data_mounts[0] in named, f"{data_mounts[0]!r} is not a top-level named volume"
    assert not data_mounts[0].startswith((".", "/")), "a bind mount, not a named volume"


def test_daemon_waits_for_a_healthy_database(services: dict[str, dict[str, Any]]) -> None:
    depends_on = services[DAEMON]["depends_on"]
    assert isinstance(depends_on, dict), "the short list form cannot wait for health"
    assert depends_on[DATABASE]["condition"] == "service_healthy"


def test_both_services_restart_by_themselves(services: dict[str, dict[str, Any]]) -> None:
    for name in (DAEMON, DATABASE):
        assert services[name].get("restart") in ("always", "unless-stopped", "on-failure")


def test_config_is_mounted_read_only_where_the_command_reads_it(
    services: dict[str, dict[str, Any]], dockerfile: list[Stage]
) -> None:
    mounts = {target: (source, ro) for source, target, ro in volume_mounts(services[DAEMON])}
    config_dir = str(Path(CONFIG_IN_CONTAINER).parent)
    assert config_dir in mounts, f"nothing is mounted at {config_dir}"
    source, read_only = mounts[config_dir]
    assert read_only, "config/ must be mounted read-only"
    assert (ROOT / source).resolve() == ROOT / "config"
    assert (ROOT / "config" / Path(CONFIG_IN_CONTAINER).name).is_file()
    command = services[DAEMON].get("command") or exec_form(dockerfile[-1].last("CMD") or "[]")
    assert command[command.index("--config") + 1] == CONFIG_IN_CONTAINER


def test_daemon_uses_postgresql_on_the_db_service(services: dict[str, dict[str, Any]]) -> None:
    environment = environment_of(services[DAEMON])
    url = environment["MONITOR_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://")
    database = environment_of(services[DATABASE])
    assert f"@{DATABASE}:5432/{database['POSTGRES_DB']}" in url
    assert url.split("://", 1)[1].startswith(f"{database['POSTGRES_USER']}:")
    # The password in the URL is the very variable the database was given.
    assert interpolated_names(url) == interpolated_names(database["POSTGRES_PASSWORD"])


def test_endpoint_is_published_on_loopback_only(services: dict[str, dict[str, Any]]) -> None:
    daemon = services[DAEMON]
    environment = environment_of(daemon)
    assert environment["MONITOR_SERVER_HOST"] == "0.0.0.0"
    port = environment.get("MONITOR_SERVER_PORT", "8787")
    published = [str(entry) for entry in daemon["ports"]]
    # a range of host ports: each replica of `--scale monitor=3` gets one
    assert published == [f"127.0.0.1:{port}-{int(port) + 2}:{port}"]
    assert "ports" not in services[DATABASE], "the database must not be published"


def test_daemon_healthcheck_asks_healthz_with_python(services: dict[str, dict[str, Any]]) -> None:
    argv = healthcheck_argv(services[DAEMON])
    assert argv[0] in ("python", "python3", "/opt/venv/bin/python")
    assert "curl" not in " ".join(argv)
    assert "wget" not in " ".join(argv)
    assert "/healthz" in argv[-1]


# --------------------------------------------------------------------------- compose: secrets


def test_no_secret_is_written_in_the_compose_file(services: dict[str, dict[str, Any]]) -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    assert not LITERAL_WEBHOOK_SECRET.search(text)
    for name, service in services.items():
        for key, value in environment_of(service).items():
            if SECRET_NAME.search(key):
                assert ONLY_INTERPOLATION.match(value), f"{name}.{key} must come from .env"
            for password in URL_CREDENTIALS.findall(value):
                assert ONLY_INTERPOLATION.match(password), f"{name}.{key} has a literal password"
        assert "env_file" not in service or all(
            Path(str(path)).name.startswith(".env") for path in service["env_file"]
        )


def test_required_secrets_fail_loudly_when_missing(services: dict[str, dict[str, Any]]) -> None:
    """A secret with a default would start the stack with a guessable value."""
    for name, service in services.items():
        for key, value in environment_of(service).items():
            for match in INTERPOLATION.finditer(value):
                if SECRET_NAME.search(match.group(1)):
                    assert match.group(2) in (":?", "?"), f"{name}.{key}: use ${{VAR:?message}}"


def test_env_example_documents_every_variable(compose: dict[str, Any]) -> None:
    example = ENV_EXAMPLE.read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, re.MULTILINE))
    required = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", example, re.MULTILINE))
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    used = interpolated_names(text)
    assert used, "the compose file takes nothing from .env"
    assert used <= documented, f"undocumented in .env.example: {sorted(used - documented)}"
    must_set = {m.group(1) for m in INTERPOLATION.finditer(text) if m.group(2) in (":?", "?")}
    assert must_set <= required, f"required but commented out: {sorted(must_set - required)}"
    for line in example.splitlines():
        if SECRET_NAME.search(line.split("=", 1)[0]) and re.match(r"^[A-Z_]+=", line):
            assert line.split("=", 1)[1] == "", f"{line!r}: .env.example must not hold a secret"


def dockerignore_patterns() -> list[str]:
    """The patterns of .dockerignore, one a line, without comments and blank lines."""
    lines = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_env_files_stay_out_of_git_and_the_image() -> None:
    ignored = dockerignore_patterns()
    assert ".env" in ignored
    assert ".git" in ignored
    assert ".venv" in ignored
    assert ".env" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()


# --------------------------------------------------------------------------- Dockerfile


def test_image_is_multi_stage_on_slim_python(dockerfile: list[Stage]) -> None:
    assert len(dockerfile) >= 2
    for stage in dockerfile:
        assert re.fullmatch(r"python:3\.1[1-9](\.\d+)?-slim(-[a-z]+)?", stage.base), stage.base
    builders = {stage.name for stage in dockerfile[:-1]}
    copied_from = [
        re.search(r"--from=(\S+)", arguments)
        for arguments in dockerfile[-1].all("COPY")
        if "--from=" in arguments
    ]
    assert copied_from
    assert all(match and match.group(1) in builders for match in copied_from)
    assert not any("pip install" in run for run in dockerfile[-1].all("RUN")), (
        "the runtime stage copies the built virtualenv instead of installing"
    )


def test_image_runs_as_a_non_root_user(dockerfile: list[Stage]) -> None:
    final = dockerfile[-1]
    user = final.last("USER")
    assert user is not None, "the runtime stage sets no USER"
    assert user.split(":")[0] not in ("root", "0")
    keywords = [word for word, _ in final.instructions]
    last_user = len(keywords) - 1 - keywords[::-1].index("USER")
    assert all(word != "RUN" for word in keywords[last_user:]), "RUN after USER would run as it"


def test_image_starts_the_daemon_on_the_mounted_config(dockerfile: list[Stage]) -> None:
    final = dockerfile[-1]
    assert exec_form(final.last("ENTRYPOINT") or "") == ["monitor"]
    assert exec_form(final.last("CMD") or "") == ["run", "--config", CONFIG_IN_CONTAINER]
    assert final.last("STOPSIGNAL") == "SIGTERM"
    assert "MONITOR_SERVER_HOST=0.0.0.0" in " ".join(final.all("ENV"))


def test_image_holds_no_secret(dockerfile: list[Stage]) -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert not LITERAL_WEBHOOK_SECRET.search(text)
    for stage in dockerfile:
        for keyword in ("ENV", "ARG"):
            for arguments in stage.all(keyword):
                for name in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=", arguments):
                    assert not SECRET_NAME.search(name), f"{keyword} {name} bakes a secret in"
        for arguments in stage.all("COPY") + stage.all("ADD"):
            assert ".env" not in arguments.split()


def test_every_copied_path_exists_and_is_in_the_build_context(dockerfile: list[Stage]) -> None:
    ignored = set(dockerignore_patterns())
    for stage in dockerfile:
        for arguments in stage.all("COPY"):
            words = [word for word in arguments.split() if not word.startswith("--")]
            if "--from=" in arguments:
                continue
            for source in words[:-1]:
                assert (ROOT / source).exists(), f"COPY {source}: no such file in the repository"
                assert source not in ignored, f"COPY {source}: excluded by .dockerignore"


# --------------------------------------------------------------------------- healthcheck, for real


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        code = self.status if self.path == "/healthz" else 404
        body = json.dumps({"status": "ok" if code == 200 else "failing"}).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def health_server() -> Iterator[tuple[http.server.ThreadingHTTPServer, type[_Health]]]:
    handler = type("Health", (_Health,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=60)


def run_healthcheck(argv: list[str], port: int) -> int:
    environment = {**os.environ, "MONITOR_SERVER_PORT": str(port)}
    command = [sys.executable, *argv[1:]]
    return subprocess.run(command, env=environment, capture_output=True, timeout=120).returncode


@pytest.mark.parametrize("source", ["compose", "Dockerfile"])
def test_healthcheck_passes_on_200_and_fails_on_503_or_no_answer(
    source: str,
    services: dict[str, dict[str, Any]],
    dockerfile: list[Stage],
    health_server: tuple[http.server.ThreadingHTTPServer, type[_Health]],
) -> None:
    if source == "compose":
        argv = healthcheck_argv(services[DAEMON])
    else:
        healthcheck = dockerfile[-1].last("HEALTHCHECK") or ""
        argv = exec_form(healthcheck.split(" CMD ", 1)[1])
    server, handler = health_server
    port = server.server_address[1]
    assert run_healthcheck(argv, port) == 0
    handler.status = 503
    assert run_healthcheck(argv, port) != 0
    server.shutdown()
    server.server_close()
    assert run_healthcheck(argv, port) != 0
