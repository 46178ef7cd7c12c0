"""``monitor demo``: serve the seeds site, run the real daemon against it, print the alerts.

The site advances to its next step once the daemon has fetched everything the current step
changed and has come back to every feed since, so the demo is as fast as the daemon and does
not depend on timing guesses.
"""

from __future__ import annotations

import asyncio
import base64
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.config import (
    AlertsConfig,
    FetchConfig,
    RecheckConfig,
    ServerConfig,
    Settings,
    SourceConfig,
    StorageConfig,
    TopicConfig,
    TrackingConfig,
    WebhookConfig,
)
from monitor.demo.receiver import Received, Receiver
from monitor.demo.site import SeedSite
from monitor.errors import MonitorError

STEP_TIMEOUT_SECONDS = 30.0
DEMO_TOPIC_QUERY = (
    '(gaza OR hamas OR israel*) AND (ceasefire OR truce OR hostage* OR "peace talks")'
)


def default_seeds_dir() -> Path:
    """``seeds/`` of the checkout (or of the working directory)."""
    for candidate in (Path.cwd() / "seeds", Path(__file__).resolve().parents[2] / "seeds"):
        if (candidate / "steps.json").is_file():
            return candidate
    raise MonitorError(
        "cannot find seeds/steps.json (run from the repository, or pass --seeds DIR)"
    )


def new_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(24)).decode()


def feed_paths(site: SeedSite) -> list[str]:
    """Every feed the site will ever serve (the daemon's sources)."""
    paths: dict[str, None] = {}
    for step in site.steps:
        for path in step.serve:
            if path.endswith((".xml", ".rss", ".atom")) and "sitemap" not in path:
                paths[path] = None
    return list(paths)


def demo_settings(
    base_url: str, feeds: list[str], receiver_url: str, secret: str, database_url: str
) -> Settings:
    """A configuration for the seeds site: short intervals, local network allowed."""
    sources = [
        SourceConfig(
            name=Path(path).parent.name.strip("/") or Path(path).stem,
            type="feed",
            url=base_url + path,
            interval=1.0,
            jitter=0.0,
            allow_private_networks=True,
        )
        for path in feeds
    ]
    return Settings(
        storage=StorageConfig(database_url=database_url),
        fetch=FetchConfig(
            per_host_delay=0.0,
            per_host_concurrency=8,
            retries=0,
            connect_timeout=2,
            read_timeout=5,
            total_timeout=10,
        ),
        sources=sources,
        topics=[
            TopicConfig(
                name="gaza-ceasefire", query=DEMO_TOPIC_QUERY, min_novelty=0.2, webhooks=["demo"]
            )
        ],
        webhooks=[WebhookConfig(name="demo", url=receiver_url, secret=secret, timeout=5.0)],
        alerts=AlertsConfig(delivery_interval=0.3, retry_schedule=[0.0, 0.5, 1.0, 2.0]),
        tracking=TrackingConfig(
            recheck_interval=0.5,
            recheck=RecheckConfig(min=0.5, max=0.5, stop_after=3600.0, live_blog=0.5),
        ),
        server=ServerConfig(enabled=True, host="127.0.0.1", port=0),
    )


@dataclass
class DemoResult:
    """What the demo's receiver accepted, and the daemon's metrics just before it stopped."""

    received: list[Received]
    rejected: int
    secret: str
    metrics: str
    elapsed: float


async def run_demo(
    seeds_dir: Path,
    printer: Callable[[str], None] = print,
    database_url: str | None = None,
) -> DemoResult:
    """Run the demo end to end."""
    from monitor.service import Service

    site = SeedSite(seeds_dir)
    base_url = await site.start()
    secret = new_secret()
    receiver = Receiver(secret, on_alert=lambda item: printer(describe_alert(item.payload)))
    receiver_url = await receiver.start()
    with tempfile.TemporaryDirectory(prefix="monitor-demo-") as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'demo.db'}"
        feeds = feed_paths(site)
        settings = demo_settings(base_url, feeds, receiver_url, secret, url)
        service = Service(settings, None)
        started = time.monotonic()
        printer(f"seeds site on {base_url}, webhooks to {receiver_url}")
        daemon = asyncio.create_task(service.run())
        try:
            await walk_steps(site, service, feeds, printer)
            await wait_for_outbox(service)
            metrics = service.metrics.render().decode()
        finally:
            service.request_stop("demo finished")
            await daemon
            await site.stop()
            await receiver.stop()
        elapsed = time.monotonic() - started
        printer(
            f"\n{len(receiver.received)} alerts received and verified "
            f"({receiver.rejected} rejected) in {elapsed:.1f}s"
        )
    return DemoResult(receiver.received, receiver.rejected, secret, metrics, elapsed)


async def walk_steps(
    site: SeedSite, service: Any, feeds: list[str], printer: Callable[[str], None]
) -> None:
    """Take the site through its remaining steps, each once the daemon has followed it."""
    while not site.finished:
        await take_step(site, service, feeds, printer)


async def take_step(
    site: SeedSite, service: Any, feeds: list[str], printer: Callable[[str], None]
) -> None:
    """Advance the site one step and wait until the daemon has checked it and sent its alerts."""
    step = site.advance()
    printer(f"\n── step {site.step + 1}/{len(site.steps)}: {step.note}")
    deadline = time.monotonic() + STEP_TIMEOUT_SECONDS
    while not site.seen_since_change(feeds):
        if time.monotonic() > deadline:
            raise MonitorError(
                f"the daemon did not pick up step {site.step + 1} "
                f"within {STEP_TIMEOUT_SECONDS:.0f}s"
            )
        await asyncio.sleep(0.05)
    # A changed article page can be fetched by a recheck, which ends after the next feed fetch
    # on a loaded machine: every job that may have fetched a changed page is running now or over.
    await service.wait_for_running_jobs(STEP_TIMEOUT_SECONDS)
    await wait_for_outbox(service)


async def wait_for_outbox(service: Any, patience: float = 15.0) -> None:
    """Wait until no alert is pending (or has been retried away)."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        counts = service.alert_counts()
        if counts.get("pending", 0) == 0:
            return
        await asyncio.sleep(0.05)


def describe_alert(payload: dict[str, Any]) -> str:
    """A few readable lines for one alert."""
    story = payload.get("story") or {}
    development = payload.get("development") or {}
    lines = [
        f"▶ {payload.get('type')}  [{payload.get('topic') or payload.get('source', '')}]  "
        f"{story.get('title') or ''}"
    ]
    if story:
        lines.append(
            f"  story {story.get('id')}: {story.get('article_count')} articles "
            f"from {', '.join(story.get('outlets', []))}"
        )
    if development.get("summary"):
        lines.append(f"  {development['summary']}")
    for sentence in development.get("new_sentences", [])[:3]:
        lines.append(f"  + {sentence}")
    for fact in development.get("changed_facts", []):
        lines.append(f"  ~ {fact.get('before')} → {fact.get('after')}  ({fact.get('context')})")
    if development.get("new_names"):
        lines.append(f"  new names: {', '.join(development['new_names'])}")
    return "\n".join(lines)
