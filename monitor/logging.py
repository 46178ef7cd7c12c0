"""Logging set-up: structlog everywhere, JSON lines off a terminal, readable console on one.

Repeated errors are rate-limited (``RepeatedErrors``): during an outage the same failure is
logged once with its traceback, then at most once a minute with how often it happened since,
instead of a traceback every few seconds.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import structlog

REPEAT_WINDOW = 60.0  # seconds
LIMITED_LEVELS = frozenset({"warning", "error", "critical", "exception"})

QUIET_LOGGERS = (
    "alembic",
    "httpx",
    "httpcore",
    "hpack",
    "apscheduler",
    "aiohttp.access",
    "uvicorn.access",
)


def configure_logging(level: str = "info", fmt: str = "auto") -> None:
    """Route structlog and stdlib logging to stderr in one format."""
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    numeric_level = logging.getLevelNamesMapping()[level.upper()]
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if use_json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            *shared,
            RepeatedErrors(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info if use_json else _identity,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric_level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(numeric_level, logging.WARNING))


def logs_at(level: int) -> bool:
    """Whether an event at ``level`` is written (``configure_logging`` gives structlog's filter
    and the stdlib root one level), asked without the bind that a module-level structlog logger
    does on every call, even for an event its level then drops (~3 µs)."""
    return logging.root.isEnabledFor(level)


def _identity(
    _logger: object, _name: str, event_dict: structlog.types.EventDict
) -> structlog.types.EventDict:
    return event_dict


@dataclass
class _Seen:
    last_logged: float
    last_seen: float
    suppressed: int = 0


class RepeatedErrors:
    """A structlog processor that rate-limits warnings and errors which repeat.

    Two events repeat when they have the same name, logger, cause (the ``error`` field or the
    exception's type and message) and text fields (source, webhook, alert id, …). The first is
    logged as it is; repeats within ``window`` seconds of the last one logged are dropped and
    counted; the next one logged after the window carries ``repeated=N`` and no traceback.
    After ``window`` seconds without it, the error counts as new again (with its traceback).
    """

    def __init__(
        self, window: float = REPEAT_WINDOW, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.window = window
        self.clock = clock
        self._seen: dict[tuple[str, ...], _Seen] = {}

    def __call__(
        self, _logger: object, method: str, event_dict: structlog.types.EventDict
    ) -> structlog.types.EventDict:
        level = str(event_dict.get("level", method))
        if level not in LIMITED_LEVELS:
            return event_dict
        key = _repeat_key(event_dict)
        now = self.clock()
        seen = self._seen.get(key)
        if seen is None or now - seen.last_seen >= self.window:
            self._seen[key] = _Seen(last_logged=now, last_seen=now)
            self._forget_old(now)
            return event_dict
        seen.last_seen = now
        if now - seen.last_logged < self.window:
            seen.suppressed += 1
            raise structlog.DropEvent
        event_dict["repeated"] = seen.suppressed + 1
        event_dict.pop("exc_info", None)
        seen.last_logged, seen.suppressed = now, 0
        return event_dict

    def _forget_old(self, now: float) -> None:
        if len(self._seen) > 1000:
            self._seen = {k: v for k, v in self._seen.items() if now - v.last_seen < self.window}


def _repeat_key(event_dict: structlog.types.EventDict) -> tuple[str, ...]:
    exc_info = event_dict.get("exc_info")
    if exc_info is True:
        exc_info = sys.exc_info()
    exception = exc_info[1] if isinstance(exc_info, tuple) else exc_info
    cause = (
        f"{type(exception).__name__}: {exception}"
        if isinstance(exception, BaseException)
        else str(event_dict.get("error", ""))
    )
    context = sorted(
        f"{name}={value}"
        for name, value in event_dict.items()
        if isinstance(value, str) and name not in _NOT_CONTEXT
    )
    return (str(event_dict.get("logger", "")), str(event_dict.get("event", "")), cause, *context)


_NOT_CONTEXT = frozenset({"timestamp", "level", "event", "logger", "error"})
