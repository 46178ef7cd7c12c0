"""Configuration: YAML in, validated ``Settings`` out, every problem pointed at file:line:column.

The file is composed by libyaml (through PyYAML, which keeps line and column numbers) and read
with YAML 1.2's core schema (``yes`` and ``on`` are strings, as in ruamel.yaml), ``${VAR}`` and
``${VAR:-default}`` are replaced in string values, the result is validated by pydantic models
with ``extra="forbid"``, and then cross-references (duplicate names, unknown webhooks or sources,
topic queries) are checked. All problems are collected and raised together as one ``ConfigError``.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from yaml.cyaml import CParser  # libyaml, which PyYAML's wheels ship
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from monitor.alerts.formats import ChannelFormat
from monitor.defaults import DORMANT_AFTER, RETRY_SCHEDULE, TOTAL_TIMEOUT
from monitor.errors import ConfigError, QueryError
from monitor.extract.rules import selector_problem
from monitor.models import DevelopmentKind
from monitor.topics import parse_query

MAX_CONFIG_CHARS = 1_000_000  # a configuration is a few KB; a larger file is a mistake or an attack
MAX_ALIASES = 100  # YAML aliases used in one file; expanding more is how an alias bomb grows
MAX_CONFIG_NODES = 100_000  # values in the expanded document
DATABASE_URL_ENV = "MONITOR_DATABASE_URL"

# --------------------------------------------------------------------------- value types

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)", re.IGNORECASE)
_DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|kib|mib|gib)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
}
SECRET_RECIPE = (
    "python -c \"import base64,os;print('whsec_'+base64.b64encode(os.urandom(24)).decode())\""
)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def parse_duration(value: object) -> float:
    """``30s``, ``5m``, ``1h30m``, ``500ms``, ``2d`` or a number of seconds → seconds."""
    if isinstance(value, bool):
        raise _duration_error(value)
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    compact = text.replace(" ", "")
    if compact.startswith("-") and _DURATION_PART.fullmatch(compact[1:]):
        raise PydanticCustomError("duration", "a duration must not be negative")
    if not compact or "".join(m.group(0) for m in _DURATION_PART.finditer(compact)) != compact:
        raise _duration_error(text)
    return sum(float(n) * _DURATION_UNITS[u.lower()] for n, u in _DURATION_PART.findall(compact))


def _duration_error(value: object) -> PydanticCustomError:
    return PydanticCustomError(
        "duration", '"{value}" is not a duration (use 30s, 5m, 1h)', {"value": str(value)}
    )


def parse_size(value: object) -> int:
    """``10MB``, ``512KiB`` or a number of bytes → bytes."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = _SIZE.match(str(value))
    if not match:
        raise PydanticCustomError(
            "size", '"{value}" is not a size (use 512KB, 10MB)', {"value": str(value)}
        )
    return int(float(match.group(1)) * _SIZE_UNITS[(match.group(2) or "b").lower()])


def _check_http_url(value: object) -> str:
    text = str(value).strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PydanticCustomError("url", '"{value}" is not an http(s) URL', {"value": text})
    return text


def _check_name(value: object) -> str:
    text = str(value)
    if not _NAME.match(text):
        raise PydanticCustomError(
            "name",
            '"{value}" is not a valid name (letters, digits, "-", "_", "."; at most 64)',
            {"value": text},
        )
    return text


def _check_language(value: object) -> str:
    text = str(value)
    if not re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*", text):
        raise PydanticCustomError(
            "language",
            '"{value}" is not a language code (ISO 639-1 such as "en", "de", "zh", "pt-BR")',
            {"value": text},
        )
    return text.replace("_", "-")


def _check_pattern(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise PydanticCustomError(
            "regex",
            '"{value}" is not a regular expression: {why}',
            {"value": value, "why": str(exc)},
        ) from None
    return value


# What the JSON Schema says of these values: what the parsers above accept, as written in YAML.
_DURATION_TEXT = r" *(\d+(\.\d+)? *([mM][sS]|[sSmMhHdDwW]) *)+"
_SIZE_TEXT = r" *\d+(\.\d+)? *([bB]|[kKmMgG][bB]|[kKmMgG][iI][bB])? *"
_NONZERO = "(?=[^1-9]*[1-9])"  # at least one digit that is not 0
DURATION_SCHEMA = {
    "anyOf": [{"type": "number"}, {"type": "string", "pattern": f"^{_DURATION_TEXT}$"}],
    "description": "seconds, or a duration such as 30s, 5m, 1h30m, 500ms, 2d",
}
POSITIVE_DURATION_SCHEMA = {
    "anyOf": [
        {"type": "number", "exclusiveMinimum": 0},
        {"type": "string", "pattern": f"^{_NONZERO}{_DURATION_TEXT}$"},
    ],
    "description": "seconds (more than 0), or a duration such as 30s, 5m, 1h30m, 500ms",
}
SIZE_SCHEMA = {
    "anyOf": [
        {"type": "number", "minimum": 1},
        {"type": "string", "pattern": f"^{_NONZERO}{_SIZE_TEXT}$"},
    ],
    "description": "bytes, or a size such as 512KB, 10MB, 1GiB",
}
NAME_SCHEMA = {"type": "string", "pattern": _NAME.pattern}

Duration = Annotated[float, BeforeValidator(parse_duration), WithJsonSchema(DURATION_SCHEMA)]
Pattern = Annotated[str, AfterValidator(_check_pattern)]
PositiveDuration = Annotated[
    float,
    BeforeValidator(parse_duration),
    Field(gt=0),
    WithJsonSchema(POSITIVE_DURATION_SCHEMA),
]
Size = Annotated[int, BeforeValidator(parse_size), Field(gt=0), WithJsonSchema(SIZE_SCHEMA)]
HttpUrl = Annotated[str, BeforeValidator(_check_http_url)]
Name = Annotated[str, BeforeValidator(_check_name), WithJsonSchema(NAME_SCHEMA)]
LanguageCode = Annotated[str, BeforeValidator(_check_language)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- sections


class StorageConfig(_Model):
    """Where the database is; ``MONITOR_DATABASE_URL`` overrides ``database_url``."""

    database_url: str = "sqlite:///data/monitor.db"


class FetchConfig(_Model):
    """How politely and within which bounds sources are fetched."""

    user_agent: str = "monitor/0.1 (self-hosted news monitor)"
    contact_url: HttpUrl | None = None
    connect_timeout: PositiveDuration = 10.0
    read_timeout: PositiveDuration = 20.0
    total_timeout: PositiveDuration = TOTAL_TIMEOUT
    max_bytes: Size = 10_000_000
    max_redirects: Annotated[int, Field(ge=0, le=20)] = 5
    max_connections: Annotated[int, Field(ge=1)] = 100
    per_host_concurrency: Annotated[int, Field(ge=1)] = 2
    per_host_delay: Duration = 1.0
    retries: Annotated[int, Field(ge=0, le=10)] = 2
    obey_robots: bool = True
    allow_private_networks: bool = False
    accept_language: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    strip_params: list[str] = Field(default_factory=list)


class ArticleRules(_Model):
    """Per-source extraction overrides, as CSS selectors."""

    title: str | None = None
    body: str | None = None
    remove: list[str] = Field(default_factory=list)


SourceType = Literal["feed", "sitemap", "listing", "article"]


class SourceConfig(_Model):
    """One place to watch."""

    name: Name
    type: SourceType = "feed"
    url: HttpUrl
    language: list[LanguageCode] | None = None
    interval: PositiveDuration = 600.0
    jitter: Duration | None = None
    enabled: bool = True
    links: str | None = None
    include: list[Pattern] = Field(default_factory=list)
    exclude: list[Pattern] = Field(default_factory=list)
    max_articles: Annotated[int, Field(ge=1)] = 50
    article: ArticleRules | None = None
    obey_robots: bool | None = None
    allow_private_networks: bool | None = None
    accept_language: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)

    @property
    def effective_jitter(self) -> float:
        return self.jitter if self.jitter is not None else min(self.interval * 0.1, 60.0)


class QueryLists(_Model):
    """A topic query written as lists of terms and "quoted phrases"."""

    any: list[str] = Field(default_factory=list)
    all: list[str] = Field(default_factory=list)
    none: list[str] = Field(default_factory=list)


class TopicConfig(_Model):
    """Which stories matter, and where their alerts go."""

    name: Name
    query: str | QueryLists
    sources: list[str] | None = None
    language: list[LanguageCode] | None = None
    min_novelty: Annotated[float, Field(ge=0, le=1)] = 0.0
    kinds: list[DevelopmentKind] = Field(default_factory=lambda: list(DevelopmentKind))
    debounce: Duration = 0.0
    cooldown: Duration = 0.0
    webhooks: list[str] = Field(min_length=1)


def _check_secret(value: object) -> str:
    text = str(value)
    payload = text.removeprefix("whsec_")
    try:
        decoded = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        decoded = b""
    if not text.startswith("whsec_") or len(decoded) < 16:
        raise PydanticCustomError(
            "secret",
            'is not a Standard Webhooks secret ("whsec_" + base64 of at least 16 bytes); '
            "make one with: " + SECRET_RECIPE,
        )
    return text


_APPRISE_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")


def _check_apprise_url(value: object) -> str:
    text = str(value).strip()
    if not _APPRISE_URL.match(text):
        raise PydanticCustomError(
            "url",
            '"{value}" is not an Apprise URL (like tgram://BOT_TOKEN/CHAT_ID, '
            "mailto://user:password@example.com, ntfys://ntfy.sh/TOPIC)",
            {"value": text},
        )
    return text


class WebhookConfig(_Model):
    """One channel that receives alerts: a signed JSON webhook (the default), Slack, Discord, or
    any service Apprise knows (``format: apprise`` with an Apprise URL; such messages are not
    signed)."""

    name: Name
    format: ChannelFormat = "json"
    url: str
    secret: str | None = Field(default=None, validate_default=True)
    headers: dict[str, str] = Field(default_factory=dict)
    timeout: PositiveDuration = 10.0
    enabled: bool = True

    @field_validator("url", mode="before")
    @classmethod
    def _url_fits_format(cls, value: object, info: ValidationInfo) -> str:
        if info.data.get("format") == "apprise":
            return _check_apprise_url(value)
        return _check_http_url(value)

    @field_validator("secret", mode="before")
    @classmethod
    def _secret_fits_format(cls, value: object, info: ValidationInfo) -> str | None:
        if info.data.get("format") == "apprise":
            if value is not None:
                raise PydanticCustomError(
                    "secret", 'format "apprise" sends unsigned messages: remove "secret"'
                )
            return None
        if value is None:
            raise PydanticCustomError("missing", "required key is missing")
        return _check_secret(value)


class AlertsConfig(_Model):
    """Delivery and source-health alerting."""

    failure_threshold: Annotated[int, Field(ge=1)] = 3
    retry_schedule: list[Duration] = Field(
        default_factory=lambda: list(RETRY_SCHEDULE), min_length=1
    )
    max_in_flight_per_endpoint: Annotated[int, Field(ge=1)] = 4
    delivery_interval: PositiveDuration = 2.0


class RecheckStep(_Model):
    """One step of the older list form of ``tracking.recheck``: articles younger than
    ``within`` are fetched ``every``."""

    within: PositiveDuration
    every: PositiveDuration


class RecheckConfig(_Model):
    """When an article is fetched again to look for revisions (see ``monitor.track.recheck``).

    Without a publisher's signal, the wait is ``factor`` × the time since the article last
    changed (or appeared), kept between ``min`` and ``max``; once it has been stable for
    ``stop_after`` it is left alone (a feed or sitemap saying it changed still brings it back).
    A live blog that changed within ``live_blog_idle`` is fetched every ``live_blog``.
    """

    min: PositiveDuration = 60.0
    max: PositiveDuration = 2 * 3600.0
    factor: Annotated[float, Field(gt=0.0, le=10.0)] = 0.2
    stop_after: PositiveDuration = 2 * 86400.0
    live_blog: PositiveDuration = 60.0
    live_blog_idle: PositiveDuration = 3 * 3600.0

    @model_validator(mode="before")
    @classmethod
    def _from_steps(cls, value: object) -> object:
        """The older form, a list of ``{within, every}`` steps: its shortest and longest
        ``every`` become ``min`` and ``max``, its longest ``within`` ``stop_after``."""
        if not isinstance(value, list):
            return value
        steps = [RecheckStep.model_validate(step) for step in value]
        if not steps:
            raise PydanticCustomError("recheck", "give at least one step, or min and max")
        return {
            "min": min(step.every for step in steps),
            "max": max(step.every for step in steps),
            "stop_after": max(step.within for step in steps),
        }

    @model_validator(mode="after")
    def _bounds_in_order(self) -> RecheckConfig:
        if self.min > self.max:
            raise PydanticCustomError(
                "recheck",
                "min ({min}s) is longer than max ({max}s)",
                {"min": self.min, "max": self.max},
            )
        return self


class TrackingConfig(_Model):
    """Story tracking and article rechecks."""

    dormant_after: PositiveDuration = DORMANT_AFTER
    join_threshold: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.25
    recheck_interval: PositiveDuration = 60.0
    recheck: RecheckConfig = Field(default_factory=RecheckConfig)


class ServerConfig(_Model):
    """The pages, feeds, health, metrics and read-only API endpoint.

    Bound to anything but a loopback address, every request (but /healthz) needs ``token``.
    """

    enabled: bool = True
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8787
    token: Annotated[str, Field(min_length=16)] | None = None
    public_url: HttpUrl | None = None  # where readers reach the pages; links in alert messages


LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    """Whether ``host`` (as in ``server.host``) only accepts connections from this machine."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def open_server_problem(server: ServerConfig) -> str | None:
    """Why the server must not start as configured: listening beyond this machine with no token."""
    if not server.enabled or server.token or is_loopback(server.host):
        return None
    return (
        f'"{server.host}" is reachable from other machines, but server.token is not set: '
        "set a token (at least 16 characters, e.g. ${MONITOR_SERVER_TOKEN}) that requests "
        "must carry, or bind to 127.0.0.1"
    )


class InstancesConfig(_Model):
    """Several instances on one PostgreSQL database: how work is shared between them."""

    lease: PositiveDuration = 30.0  # how long a dead instance's sources wait for another
    claim_batch: Annotated[int, Field(ge=1, le=100)] = 5
    concurrent_checks: Annotated[int, Field(ge=1, le=1000)] = 10


class LoggingConfig(_Model):
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["auto", "json", "console"] = "auto"


class Settings(_Model):
    """The whole configuration of one monitor instance."""

    storage: StorageConfig = Field(default_factory=StorageConfig)
    fetch: FetchConfig = Field(default_factory=FetchConfig)
    sources: list[SourceConfig] = Field(default_factory=list)
    topics: list[TopicConfig] = Field(default_factory=list)
    webhooks: list[WebhookConfig] = Field(default_factory=list)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    tracking: TrackingConfig = Field(default_factory=TrackingConfig)
    server: ServerConfig = Field(default_factory=ServerConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    instances: InstancesConfig = Field(default_factory=InstancesConfig)

    def summary(self) -> str:
        enabled = sum(1 for source in self.sources if source.enabled)
        return (
            f"{len(self.sources)} sources ({enabled} enabled), "
            f"{len(self.topics)} topics, {len(self.webhooks)} webhooks"
        )


def config_json_schema() -> dict[str, Any]:
    """The JSON Schema of the configuration file, for editors."""
    schema = Settings.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "monitor configuration"
    return schema


# --------------------------------------------------------------------------- loading

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class _Pos:
    line: int  # 1-based
    column: int  # 1-based


class _Problems:
    """Collects problems as ``file:line:column: key.path: message`` lines."""

    def __init__(
        self, filename: str, positions: dict[Path_, _Pos], *, need_webhooks: bool = True
    ) -> None:
        self.filename = filename
        self.positions = positions
        self.need_webhooks = need_webhooks
        self.lines: list[str] = []
        self.unresolved: set[Path_] = set()  # values whose ${VAR} could not be resolved
        self.unset_webhooks: set[int] = set()  # webhooks left out for want of their variables
        self.absent_webhook_names: set[str] = set()
        self._containers: set[int] = set()  # mappings and lists met so far (by identity)
        self.quoted: set[Path_] = set()  # string values written in quotes
        self._aliases = 0
        self._nodes = 0

    def count_node(self, node: object, path: Path_) -> None:
        """Bound what aliases expand to: a mapping or list met again is an alias; past
        ``MAX_ALIASES`` of those, or ``MAX_CONFIG_NODES`` values in all, loading stops here."""
        self._nodes += 1
        if isinstance(node, MappingNode | SequenceNode):
            self._aliases += id(node) in self._containers
            self._containers.add(id(node))
        if self._aliases > MAX_ALIASES or self._nodes > MAX_CONFIG_NODES:
            pos = self._position(path)
            raise ConfigError(
                f"{self.filename}:{pos.line}:{pos.column}: {format_key_path(path) or 'document'}: "
                f"aliases expand past the limit ({MAX_ALIASES} aliases, {MAX_CONFIG_NODES:,} "
                "values); write the values out or use fewer aliases"
            )

    def add(self, path: Path_, message: str, column_offset: int = 0) -> None:
        pos = self._position(path)
        where = f"{self.filename}:{pos.line}:{pos.column + column_offset}"
        key = format_key_path(path)
        self.lines.append(f"{where}: {key}: {message}" if key else f"{where}: {message}")

    def _position(self, path: Path_) -> _Pos:
        for end in range(len(path), -1, -1):
            if path[:end] in self.positions:
                return self.positions[path[:end]]
        return _Pos(1, 1)


def format_key_path(path: Path_) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def load_config(
    path: str | Path, environ: dict[str, str] | None = None, *, need_webhooks: bool = True
) -> Settings:
    """Read, interpolate and validate a config file; raise ``ConfigError`` with every problem.

    ``need_webhooks=False`` is for commands that only read the database: a webhook whose
    ``${VAR}`` is not set (its URL or secret lives in the daemon's environment) is left out of
    the settings instead of being an error, and topics may still name it.
    """
    path = Path(path)
    filename = str(path)
    env = dict(os.environ if environ is None else environ)
    text = _read_text(path, filename)
    document = _parse_yaml(text, filename)
    positions: dict[Path_, _Pos] = {(): _Pos(1, 1)}
    problems = _Problems(filename, positions, need_webhooks=need_webhooks)
    data = _to_plain(document, (), positions, env, problems)
    _leave_out_unset_webhooks(data, problems)
    _apply_env_overrides(data, env)
    settings = _validate(data, problems)
    if settings is not None:
        _check_references(settings, problems)
    if problems.lines:
        raise ConfigError(problems.lines)
    assert settings is not None
    return settings


def _read_text(path: Path, filename: str) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{filename}: no such file") from None
    except OSError as exc:
        raise ConfigError(f"{filename}: cannot read: {exc}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        raise ConfigError(
            f"{filename}:{line}:{column}: not UTF-8: byte 0x{raw[exc.start]:02x} cannot be "
            "decoded (save the file as UTF-8)"
        ) from None


def _leave_out_unset_webhooks(data: dict[str, Any], problems: _Problems) -> None:
    """Drop the webhooks a read-only command cannot resolve, keeping positions of the rest."""
    webhooks = data.get("webhooks")
    if not problems.unset_webhooks or not isinstance(webhooks, list):
        return
    kept = [i for i in range(len(webhooks)) if i not in problems.unset_webhooks]
    for index in problems.unset_webhooks:
        name = webhooks[index].get("name") if isinstance(webhooks[index], dict) else None
        if isinstance(name, str):
            problems.absent_webhook_names.add(name)
    moved = {
        (key[0], kept.index(key[1]), *key[2:]): position
        for key, position in problems.positions.items()
        if len(key) >= 2 and key[0] == "webhooks" and key[1] in kept
    }
    for key in [k for k in problems.positions if len(k) >= 2 and k[0] == "webhooks"]:
        del problems.positions[key]
    problems.positions.update(moved)
    data["webhooks"] = [webhooks[i] for i in kept]


ENV_OVERRIDES = {
    DATABASE_URL_ENV: ("storage", "database_url"),
    "MONITOR_SERVER_HOST": ("server", "host"),
    "MONITOR_SERVER_PORT": ("server", "port"),
    "MONITOR_SERVER_TOKEN": ("server", "token"),
}


def _apply_env_overrides(data: dict[str, Any], env: dict[str, str]) -> None:
    """Settings that deployments set from the environment (containers, CI) win over the file."""
    for variable, (section, key) in ENV_OVERRIDES.items():
        value = env.get(variable)
        if not value:
            continue
        data.setdefault(section, {})
        if isinstance(data[section], dict):
            data[section][key] = value


_PLAIN = "!plain"  # the tag of a scalar written without quotes or tag, resolved below


class _Resolver(yaml.resolver.BaseResolver):  # type: ignore[misc]
    """Leaves plain scalars unresolved (``_plain_value`` reads them as YAML 1.2 does)."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            return _PLAIN
        return super().resolve(kind, value, implicit)


class _Composer(CParser, _Resolver):  # type: ignore[misc]
    """libyaml's parser, composing nodes that keep their line and column."""

    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)
        _Resolver.__init__(self)


def _parse_yaml(text: str, filename: str) -> MappingNode:
    if len(text) > MAX_CONFIG_CHARS:
        raise ConfigError(
            f"{filename}:1:1: the file has {len(text):,} characters; "
            f"a configuration is limited to {MAX_CONFIG_CHARS:,}"
        )
    composer = _Composer(text)
    try:
        document = composer.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(f"{filename}:{line}:{column}: YAML syntax error: {problem}") from None
    except Exception as exc:  # a few unmarked errors; their text may hold values
        raise ConfigError(f"{filename}:1:1: YAML error: {type(exc).__name__}") from None
    finally:
        composer.dispose()
    if document is None or (isinstance(document, ScalarNode) and _plain_value(document) is None):
        raise ConfigError(
            f"{filename}:1:1: the file is empty (expected a mapping with sources, topics, webhooks)"
        )
    if not isinstance(document, MappingNode):
        kind = "list" if isinstance(document, SequenceNode) else "str"
        raise ConfigError(
            f"{filename}:1:1: the top level must be a mapping of sections "
            "(storage, fetch, sources, topics, webhooks, server, logging), "
            f"not {kind}"
        )
    return document


_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
# YAML 1.2's core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution), as ruamel.yaml reads
_NULL = re.compile(r"~|null|Null|NULL|")
_TRUE = re.compile(r"true|True|TRUE")
_FALSE = re.compile(r"false|False|FALSE")
_INT = re.compile(r"[-+]?[0-9][0-9_]*")  # 1_000 too, as ruamel.yaml reads it
_OCTAL = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INFINITY = re.compile(r"([-+]?)\.(?:inf|Inf|INF)")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)")
# any of the above: a plain scalar that matches none (most names, URLs, durations) is a string,
# found with one match instead of trying each
_TYPED = re.compile(
    "|".join(
        f"(?:{pattern.pattern})"
        for pattern in (_NULL, _TRUE, _FALSE, _INT, _OCTAL, _HEX, _FLOAT, _INFINITY, _NAN)
    )
)
_TAGGED: dict[str, Callable[[str], Any]] = {
    "tag:yaml.org,2002:str": str,
    "tag:yaml.org,2002:int": lambda text: int(text, 0),
    "tag:yaml.org,2002:float": float,
    "tag:yaml.org,2002:bool": lambda text: bool(_TRUE.fullmatch(text)),
    "tag:yaml.org,2002:null": lambda _text: None,
}


def _plain_value(node: ScalarNode) -> Any:
    """A scalar's value: quoted, block and ``!!str`` scalars are strings; plain ones are read
    with YAML 1.2's core schema (null, true/false, integers, floats, else a string)."""
    text: str = node.value
    if node.tag != _PLAIN:
        convert = _TAGGED.get(node.tag, str)
        try:
            return convert(text)
        except ValueError:
            return text
    if not _TYPED.fullmatch(text):
        return text
    if _NULL.fullmatch(text):
        return None
    if _TRUE.fullmatch(text):
        return True
    if _FALSE.fullmatch(text):
        return False
    if _INT.fullmatch(text):
        return int(text.replace("_", ""))
    if _OCTAL.fullmatch(text) or _HEX.fullmatch(text):
        return int(text, 0)
    if _FLOAT.fullmatch(text):
        return float(text)
    if found := _INFINITY.fullmatch(text):
        return float(f"{found.group(1)}inf")
    if _NAN.fullmatch(text):
        return float("nan")
    return text


def _pos(node: Node) -> _Pos:
    return _Pos(node.start_mark.line + 1, node.start_mark.column + 1)


def _to_plain(
    node: Node,
    path: Path_,
    positions: dict[Path_, _Pos],
    env: dict[str, str],
    problems: _Problems,
) -> Any:
    """Turn YAML nodes into plain values, recording positions and interpolating env vars."""
    problems.count_node(node, path)
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key, value, position in _mapping_items(node, problems):
            child = (*path, key)
            positions[child] = position
            result[key] = _to_plain(value, child, positions, env, problems)
        return result
    if isinstance(node, SequenceNode):
        items = []
        for index, value in enumerate(node.value):
            child = (*path, index)
            positions[child] = _pos(value)
            items.append(_to_plain(value, child, positions, env, problems))
        return items
    value = _plain_value(node)
    if isinstance(value, str):
        if node.style in ('"', "'"):
            problems.quoted.add(path)
        return _interpolate(value, path, env, problems)
    return value


def _mapping_items(node: MappingNode, problems: _Problems) -> list[tuple[str, Node, _Pos]]:
    """A mapping's (key, value node, position) in order, keys merged in with ``<<:`` last and
    only where the mapping does not set them (their position is the mapping's); a key written
    twice is an error at its second place."""
    own: dict[str, tuple[Node, _Pos]] = {}
    merged: list[Node] = []
    for key_node, value_node in node.value:
        if (
            isinstance(key_node, ScalarNode)
            and key_node.tag in (_PLAIN, "tag:yaml.org,2002:merge")
            and key_node.value == "<<"
        ):
            merged.extend(
                value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            )
            continue
        key = str(_plain_value(key_node)) if isinstance(key_node, ScalarNode) else str(key_node)
        if key in own:
            where = _pos(key_node)
            raise ConfigError(
                f'{problems.filename}:{where.line}:{where.column}: duplicate key "{key[:80]}": '
                "a key may appear only once in a mapping"
            )
        value_is_null = isinstance(value_node, ScalarNode) and _plain_value(value_node) is None
        own[key] = (value_node, _pos(key_node) if value_is_null else _pos(value_node))
    items = [(key, value, position) for key, (value, position) in own.items()]
    for source in merged:
        problems.count_node(source, ())
        if not isinstance(source, MappingNode):
            continue
        for key, value, _ in _mapping_items(source, problems):
            if key not in own:
                own[key] = (value, _pos(node))
                items.append((key, value, _pos(node)))
    return items


def _interpolate(text: str, path: Path_, env: dict[str, str], problems: _Problems) -> str:
    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return default
        if not problems.need_webhooks and len(path) > 1 and path[0] == "webhooks":
            problems.unset_webhooks.add(int(path[1]))
            return match.group(0)
        problems.add(
            path, f"environment variable {name} is not set (and ${{{name}}} has no default)"
        )
        problems.unresolved.add(path)
        return match.group(0)

    return _ENV_REFERENCE.sub(replace, text)


def _validate(data: dict[str, Any], problems: _Problems) -> Settings | None:
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            path = tuple(error["loc"])
            if path not in problems.unresolved:
                message = _describe(error, hide_value=holds_secret(path))
                problems.add(path, message)
        return None


_SECRET_KEYS = frozenset({"secret", "headers", "password", "token"})


def holds_secret(path: Path_) -> bool:
    """Whether the value at ``path`` may hold a secret: a webhook's secret, URL or headers, any
    ``headers``, the database URL (its password). Problems there never print the value."""
    keys = {part for part in path if isinstance(part, str)}
    return bool(
        keys & _SECRET_KEYS
        or (path[:1] == ("webhooks",) and "url" in keys)
        or path[:2] == ("storage", "database_url")
    )


def _describe(error: Any, hide_value: bool = False) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    message: str = error["msg"]
    value = error.get("input")
    shown = _kind_of(value) if hide_value else repr(value)
    if kind in ("literal_error", "enum"):
        return f"{shown} is not allowed: {message.removeprefix('Input should be ')}"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"{message} (got {shown})"
    message = message.removeprefix("Value error, ")
    return _without(message, value) if hide_value else message


def _kind_of(value: object) -> str:
    """What a value is, without what it says."""
    kinds = {dict: "a mapping", list: "a list", str: "a string", bool: "true/false"}
    return kinds.get(type(value), "a number" if isinstance(value, int | float) else "a value")


def _without(message: str, value: object) -> str:
    """``message`` with every rendering of ``value`` in it replaced by ``<hidden>``."""
    for form in sorted({str(value).strip(), str(value), repr(value)}, key=len, reverse=True):
        if form:
            message = message.replace(form, "<hidden>")
    return message


def _check_references(settings: Settings, problems: _Problems) -> None:
    source_names = _check_unique(settings.sources, "sources", "source", problems)
    webhook_names = _check_unique(settings.webhooks, "webhooks", "webhook", problems)
    webhook_names |= problems.absent_webhook_names
    _check_unique(settings.topics, "topics", "topic", problems)
    for index, source in enumerate(settings.sources):
        _check_selectors(source, ("sources", index), problems)
        if source.type == "listing" and not source.links:
            problems.add(
                ("sources", index, "type"), 'a "listing" source needs "links" (a CSS selector)'
            )
        if source.links and source.type != "listing":
            problems.add(
                ("sources", index, "links"),
                f'"links" only applies to type "listing", not "{source.type}"',
            )
    if problem := open_server_problem(settings.server):
        problems.add(("server", "host"), problem)
    for index, topic in enumerate(settings.topics):
        for position, name in enumerate(topic.webhooks):
            if name not in webhook_names:
                problems.add(
                    ("topics", index, "webhooks", position),
                    f'unknown webhook "{name}" {_known(webhook_names)}',
                )
        for position, name in enumerate(topic.sources or []):
            if name not in source_names:
                problems.add(
                    ("topics", index, "sources", position),
                    f'unknown source "{name}" {_known(source_names)}',
                )
        _check_query(topic, ("topics", index, "query"), problems)


def _check_selectors(source: SourceConfig, path: Path_, problems: _Problems) -> None:
    selectors: list[tuple[Path_, str | None]] = [((*path, "links"), source.links)]
    if source.article is not None:
        rules = source.article
        selectors += [
            ((*path, "article", "title"), rules.title),
            ((*path, "article", "body"), rules.body),
        ]
        selectors += [((*path, "article", "remove", i), css) for i, css in enumerate(rules.remove)]
    for key_path, selector in selectors:
        if selector is not None and (problem := selector_problem(selector)):
            problems.add(key_path, problem)


def _check_unique(items: list[Any], section: str, noun: str, problems: _Problems) -> set[str]:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.name in seen:
            problems.add((section, index, "name"), f'duplicate {noun} name "{item.name}"')
        seen.add(item.name)
    return seen


def _known(names: set[str]) -> str:
    return f"(known: {', '.join(sorted(names))})" if names else "(none are defined)"


def _check_query(topic: TopicConfig, path: Path_, problems: _Problems) -> None:
    if isinstance(topic.query, QueryLists):
        for part in ("any", "all", "none"):
            for position, term in enumerate(getattr(topic.query, part)):
                _compile_one(term, (*path, part, position), 0, problems)
        return
    _compile_one(topic.query, path, 1 if path in problems.quoted else 0, problems)


def _compile_one(text: str, path: Path_, offset: int, problems: _Problems) -> None:
    try:
        parse_query(text)
    except QueryError as exc:
        problems.add(
            path, f"bad query at column {exc.column}: {exc.reason}", offset + exc.column - 1
        )
