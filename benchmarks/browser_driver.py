"""The browser driver of benchmarks/load.py (`--driver browser`): N headless Chromium tabs through Playwright, one
context each, asyncio. On a small machine the renderers loading Streamlit's frontend beside the server dominate the
times; the protocol driver (stclient.py) leaves them out.

Page time: from the navigation (or the click or key that changes a filter) until Streamlit's script run has ended
and stayed ended: the app root's `data-test-script-state` (what also drives the "Running…" status widget) has been
seen `running` and then `notRunning`, with no new run within SETTLE_MS; the time is that of the last change to
`notRunning`, recorded in the page by a MutationObserver (so polling does not add to it). The run part is the time
from the run's start (as the page saw it) to that end, i.e. without loading the frontend.
"""

from __future__ import annotations

import asyncio
import time

CHROMIUM = "/usr/bin/chromium"
SETTLE_MS = 600  # a run that ends and is followed by no other within this long has ended
LINK = "/towns?period=2024&town=沙土镇"
PERIODS = ["2023", "2024", "2022", "2025"]

# In the page from its first script: each change of the script state, with the wall-clock time it was seen.
OBSERVER = """
window.__kpRuns = [];
const watch = () => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) { requestAnimationFrame(watch); return; }
  const note = () => {
    const s = app.getAttribute('data-test-script-state');
    const last = window.__kpRuns[window.__kpRuns.length - 1];
    if (!last || last.s !== s) window.__kpRuns.push({s, t: Date.now()});
  };
  note();
  new MutationObserver(note).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
};
document.addEventListener('DOMContentLoaded', watch);
"""

ENDED = """([since, settle]) => {
  const runs = (window.__kpRuns || []).filter(r => r.t >= since);
  if (!runs.some(r => r.s === 'running')) return false;
  const last = runs[runs.length - 1];
  const first = runs.find(r => r.s === 'running');
  return last.s === 'notRunning' && Date.now() - last.t >= settle ? [first.t, last.t] : false;
}"""


async def sessions(url: str, pattern: str, n: int, changes: int, towns: list[str]) -> dict[str, list]:
    from playwright.async_api import async_playwright

    pages: dict[str, list] = {"opens": [], "changes": [], "run_parts": [], "errors": []}
    opens, changed, errors = pages["opens"], pages["changes"], pages["errors"]
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        contexts = [
            await browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN") for _ in range(n)
        ]
        tabs = []
        for ctx in contexts:
            ctx.set_default_timeout(180_000)  # a page under load finds its widgets late
            page = await ctx.new_page()
            await page.add_init_script(OBSERVER)
            tabs.append(page)

        async def one(i: int, page) -> None:
            try:
                if pattern == "same-link":
                    opens.append(await _open(page, url + LINK, pages))
                    return
                opens.append(await _open(page, url + "/", pages))
                for k in range(changes):
                    changed.append(await _pick_period(page, PERIODS[(i + k) % len(PERIODS)], pages))
                    changed.append(await _pick_town(page, towns[(i * 3 + k) % len(towns)], pages))
            except Exception as exc:  # noqa: BLE001 (a session that fails is counted, the others go on)
                errors.append(f"session {i}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")

        await asyncio.gather(*(one(i, pg) for i, pg in enumerate(tabs)))
        await browser.close()
    return pages


async def warm_up(url: str) -> None:
    """One session opens the 活动明细 page first, as a dashboard that has been running would have: Python's modules
    are imported and the catalog (towns, bureaus, periods) is cached; no figure of the measured views is."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = await browser.new_page()
        await page.add_init_script(OBSERVER)
        await _open(page, url + "/records", {"run_parts": []})
        await browser.close()


async def _ended(page, since_ms: int, pages: dict[str, list]) -> float:
    handle = await page.wait_for_function(ENDED, arg=[since_ms, SETTLE_MS], timeout=180_000, polling=100)
    started, ended = await handle.json_value()
    pages["run_parts"].append((ended - started) / 1000)  # from the run's start, as the page saw it, to its end
    return (ended - since_ms) / 1000


async def _open(page, url: str, pages: dict[str, list]) -> float:
    since = int(time.time() * 1000)
    await page.goto(url, timeout=300_000)
    return await _ended(page, since, pages)


async def _pick_period(page, period: str, pages: dict[str, list]) -> float:
    box = page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first
    if period in await box.inner_text():  # the period shown already: choosing it again would start no run
        period = PERIODS[(PERIODS.index(period) + 1) % len(PERIODS)]
    await box.click()
    option = page.get_by_role("option", name=period, exact=True)
    await option.wait_for(timeout=60_000)
    since = int(time.time() * 1000)
    await option.click()
    return await _ended(page, since, pages)


async def _pick_town(page, town: str, pages: dict[str, list]) -> float:
    box = page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first
    await box.click()
    await page.keyboard.type(town)
    await page.get_by_role("option", name=town, exact=True).wait_for(timeout=60_000)
    since = int(time.time() * 1000)
    await page.keyboard.press("Enter")
    elapsed = await _ended(page, since, pages)
    await page.keyboard.press("Escape")
    return elapsed
