"""A daemon that ran the seeds, serving its pages; and headless Chromium to read them with.

The seeds are copied to a temporary folder and the unrelated Eastbrook article gets a title that
holds a ``<script>`` element (article text is hostile input). The real daemon (``Service``) follows
the seed site through every step, then keeps running and serving while the tests read its pages.
The browser is Debian's ``chromium`` driven by Debian's ``chromium-driver``; without them the
browser tests skip and say why.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from monitor.demo.receiver import Receiver
from monitor.demo.runner import demo_settings, feed_paths, new_secret, take_step, wait_for_outbox
from monitor.demo.site import SeedSite
from monitor.service import Service

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "build" / "screenshots"
HOSTILE_TITLE = '<script>document.title="owned";window.owned=1</script> Veldora and Ostrana'
PLAIN_TITLE = "Veldora and Ostrana"


def hostile_seeds(target: Path) -> Path:
    """A copy of ``seeds/`` whose Eastbrook article title holds a script element."""
    shutil.copytree(SEEDS, target)
    escaped = HOSTILE_TITLE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for name in ("ceasefire.html", "feed-1.xml"):
        path = target / "site" / "eastbrook" / name
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(PLAIN_TITLE, escaped.replace('"', "&quot;")), "utf-8")
    return target


@dataclass
class Seeded:
    """The running daemon (and the seed site it follows)."""

    service: Service
    site: SeedSite
    feeds: list[str]
    base_url: str

    async def step(self) -> None:
        await take_step(self.site, self.service, self.feeds, lambda _line: None)


@pytest_asyncio.fixture
async def stepping_daemon(tmp_path: Path, database_url: str) -> AsyncIterator[Seeded]:
    """The daemon against the seed site at step 0 (call ``step()`` to move on); on SQLite and
    on PostgreSQL."""
    async with _Daemon(hostile_seeds(tmp_path / "seeds"), tmp_path, database_url) as seeded:
        yield seeded


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def seeded_daemon() -> AsyncIterator[Seeded]:
    """The daemon after every step of the seeds, still running."""
    with tempfile.TemporaryDirectory(prefix="monitor-web-") as tmp:
        async with _Daemon(hostile_seeds(Path(tmp) / "seeds"), Path(tmp)) as seeded:
            while not seeded.site.finished:
                await seeded.step()
            await wait_for_outbox(seeded.service)
            yield seeded


class _Daemon:
    """The daemon and the seed site and receiver it talks to, for ``async with``."""

    def __init__(self, seeds: Path, tmp: Path, database_url: str | None = None) -> None:
        self.seeds, self.tmp = seeds, tmp
        self.database_url = database_url or f"sqlite:///{tmp / 'monitor.db'}"

    async def __aenter__(self) -> Seeded:
        import asyncio

        self.site = SeedSite(self.seeds)
        base_url = await self.site.start()
        secret = new_secret()
        self.receiver = Receiver(secret)
        receiver_url = await self.receiver.start()
        feeds = feed_paths(self.site)
        settings = demo_settings(base_url, feeds, receiver_url, secret, self.database_url)
        self.service = Service(settings, None)
        self.task = asyncio.create_task(self.service.run())
        while self.service.server_address() is None:
            if self.task.done():
                self.task.result()
            await asyncio.sleep(0.02)
        address = self.service.server_address()
        assert address is not None
        return Seeded(self.service, self.site, feeds, address)

    async def __aexit__(self, *exc: object) -> None:
        self.service.request_stop("test finished")
        await self.task
        await self.site.stop()
        await self.receiver.stop()


# --------------------------------------------------------------------------- the browser


def _chromium_missing() -> str | None:
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if missing:
        return (
            f"{' and '.join(missing)} not installed "
            "(apt-get install -y chromium chromium-driver; .ci/run does it)"
        )
    return None


def new_browser(*, javascript: bool = True, width: int = 1280, height: int = 900) -> Any:
    """Headless Chromium (Debian's), logging the console."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service as DriverService

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={width},{height}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    return webdriver.Chrome(options=options, service=DriverService(str(CHROMEDRIVER)))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = _chromium_missing()
    if reason:
        pytest.skip(reason)
    driver = new_browser()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def browser_without_js() -> Iterator[Any]:
    reason = _chromium_missing()
    if reason:
        pytest.skip(reason)
    driver = new_browser(javascript=False)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR
