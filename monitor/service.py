"""The composition root: builds the store, the HTTP client, the scheduler and the endpoint, and
runs them until SIGTERM/SIGINT.

Nothing else in the package builds long-lived resources; everything below receives them.
"""

from __future__ import annotations

import asyncio
import signal

import structlog

from monitor.config import Settings
from monitor.store import Store

log = structlog.get_logger("monitor.service")


async def run_daemon(settings: Settings, config_path: str) -> int:
    """Run until a termination signal; return the process exit code."""
    store = Store.open(settings.storage.database_url)
    if store.migrated_from != store.schema_revision:
        log.info(
            "database_migrated",
            from_revision=store.migrated_from,
            to_revision=store.schema_revision,
        )
    stop = asyncio.Event()
    _install_signal_handlers(stop)
    log.info(
        "started",
        config=config_path,
        sources=len(settings.sources),
        topics=len(settings.topics),
        webhooks=len(settings.webhooks),
        database=store.engine.url.render_as_string(hide_password=True),
    )
    try:
        await stop.wait()
    finally:
        store.close()
        log.info("stopped")
    return 0


def _install_signal_handlers(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, _on_signal, stop, signum)


def _on_signal(stop: asyncio.Event, signum: int) -> None:
    log.info("stopping", signal=signal.Signals(signum).name)
    stop.set()
