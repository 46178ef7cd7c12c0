"""The pages in a real headless Chromium, against the daemon that followed the seeds.

What a reader sees: the death toll change and the correction on the story page, every link
answering 200, no console error, hostile article titles shown as text, times in the reader's time
zone (UTC on hover), the pages readable with JavaScript off and on a 375 px phone. Screenshots of
``/`` and the story page at 1280 px and 375 px go to ``build/screenshots/``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urldefrag, urlsplit

import httpx
import pytest

from tests.web.conftest import HOSTILE_TITLE, Seeded

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

T = TypeVar("T")
MAX_PAGES = 200  # a bound on the crawl; the seeds make far fewer


async def in_thread(func: Callable[..., T], *args: Any) -> T:
    """Run a (blocking) browser call while the daemon keeps serving on this loop."""
    return await asyncio.to_thread(func, *args)


def console_errors(driver: Any) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def open_page(driver: Any, url: str) -> None:
    driver.get(url)
    driver.find_element("css selector", "main")


def story_url(seeded: Seeded, title_part: str) -> str:
    stories = httpx.get(f"{seeded.base_url}/api/stories").json()["stories"]
    found = [s["id"] for s in stories if title_part in (s["title"] or "")]
    assert len(found) == 1, stories
    return f"{seeded.base_url}/stories/{found[0]}"


def text_of(driver: Any, selector: str) -> list[str]:
    return [element.text for element in driver.find_elements("css selector", selector)]


async def test_story_page_shows_the_changed_toll_and_the_correction(
    browser: Any, seeded_daemon: Seeded
) -> None:
    url = await in_thread(story_url, seeded_daemon, "Israel and Hamas")
    await in_thread(open_page, browser, url)
    facts = await in_thread(text_of, browser, "ol.timeline .facts li")
    assert any("at least 24 Palestinians → at least 30 Palestinians" in fact for fact in facts)
    kinds = await in_thread(text_of, browser, "ol.timeline .kind")
    assert "CORRECTION" in [kind.upper() for kind in kinds]
    languages = await in_thread(text_of, browser, "ol.timeline .head .lang")
    assert len(languages) == len(kinds)  # each development says its article's language
    assert set(languages) == {"en"}
    timeline = (await in_thread(text_of, browser, "ol.timeline"))[0]
    assert "Correction: An earlier version of this article" in timeline
    articles = await in_thread(text_of, browser, "ul.articles > li")
    assert {line.split("\n")[1].split(" · ")[0] for line in articles} == {
        "meridian",
        "harbor",
        "northgate",
    }
    assert await in_thread(console_errors, browser) == []


async def test_every_link_on_every_page_answers_200_without_console_errors(
    browser: Any, seeded_daemon: Seeded
) -> None:
    checked = await in_thread(crawl, browser, seeded_daemon.base_url)
    pages = [url for url in checked if url.startswith(seeded_daemon.base_url)]
    assert any("/stories/" in url for url in pages)
    assert any("/topics/" in url for url in pages)
    assert any("/alerts/" in url for url in pages)
    assert any(url.endswith(".atom") for url in pages)
    assert any(not url.startswith(seeded_daemon.base_url) for url in checked)  # article links


def crawl(driver: Any, base_url: str) -> set[str]:
    """Open every page of the site in the browser; request every link any page holds."""
    to_visit, visited, checked = [base_url + "/"], set[str](), set[str]()
    with httpx.Client(timeout=10) as client:
        while to_visit:
            url = to_visit.pop()
            if url in visited:
                continue
            visited.add(url)
            assert len(visited) <= MAX_PAGES
            open_page(driver, url)
            assert console_errors(driver) == [], url
            for link in _links(driver):
                if link in checked:
                    continue
                checked.add(link)
                status = client.get(link).status_code
                assert status == 200, f"{link} (on {url}) answered {status}"
                if _is_page(link, base_url):
                    to_visit.append(link)
    return checked


def _links(driver: Any) -> list[str]:
    script = (
        "return Array.from(document.querySelectorAll('a[href], link[href], script[src]'))"
        ".map(e => e.href || e.src)"
    )
    return [urldefrag(link).url for link in driver.execute_script(script)]


def _is_page(link: str, base_url: str) -> bool:
    path = urlsplit(link).path
    return link.startswith(base_url) and not path.startswith("/static/") and ".atom" not in path


async def test_a_title_holding_a_script_shows_as_text(browser: Any, seeded_daemon: Seeded) -> None:
    await in_thread(open_page, browser, seeded_daemon.base_url + "/")
    titles = await in_thread(text_of, browser, "ul.stories a.title")
    assert any(HOSTILE_TITLE in title for title in titles)
    assert await in_thread(browser.execute_script, "return window.owned === undefined")
    url = await in_thread(story_url, seeded_daemon, "Veldora")
    await in_thread(open_page, browser, url)
    assert HOSTILE_TITLE in (await in_thread(text_of, browser, "h1"))[0]
    assert await in_thread(browser.execute_script, "return window.owned === undefined")
    assert (await in_thread(lambda: browser.title)).startswith(HOSTILE_TITLE)


async def test_times_are_local_with_utc_on_hover(browser: Any, seeded_daemon: Seeded) -> None:
    url = await in_thread(story_url, seeded_daemon, "Israel and Hamas")
    await in_thread(
        browser.execute_cdp_cmd, "Emulation.setTimezoneOverride", {"timezoneId": "Asia/Tokyo"}
    )
    await in_thread(open_page, browser, url)
    times = await in_thread(browser.find_elements, "css selector", "time")
    assert times
    first = times[0]
    shown, hover = await in_thread(lambda: (first.text, first.get_attribute("title")))
    assert hover.endswith("UTC")
    assert "UTC" not in shown
    assert "GMT+9" in shown or "JST" in shown


async def test_pages_read_the_same_with_javascript_off(
    browser_without_js: Any, seeded_daemon: Seeded
) -> None:
    url = await in_thread(story_url, seeded_daemon, "Israel and Hamas")
    await in_thread(open_page, browser_without_js, url)
    facts = await in_thread(text_of, browser_without_js, "ol.timeline .facts li")
    assert any("at least 24 Palestinians → at least 30 Palestinians" in fact for fact in facts)
    times = await in_thread(text_of, browser_without_js, "time")
    assert times
    assert all(time.endswith("UTC") for time in times)


@pytest.mark.parametrize("width", [1280, 375])
async def test_screenshots_and_no_sideways_scrolling(
    browser: Any, seeded_daemon: Seeded, screenshot_dir: Path, width: int
) -> None:
    story = await in_thread(story_url, seeded_daemon, "Israel and Hamas")
    await in_thread(browser.set_window_size, width, 900)
    try:
        for name, url in (("home", seeded_daemon.base_url + "/"), ("story", story)):
            await in_thread(open_page, browser, url)
            fits = await in_thread(
                browser.execute_script,
                "return document.documentElement.scrollWidth <= window.innerWidth",
            )
            assert fits, f"{name} scrolls sideways at {width} px"
            target = screenshot_dir / f"{name}-{width}.png"
            assert await in_thread(browser.save_screenshot, str(target))
            assert target.stat().st_size > 0
    finally:
        await in_thread(browser.set_window_size, 1280, 900)
