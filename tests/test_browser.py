"""The app in a real browser (Debian's chromium, driven by Playwright), as a leader would use it.

Skipped where chromium is missing, except under CI=true, where a missing browser is a failure.
Screenshots of every page go to tests/screenshots/ (not committed).
"""

import os
import shutil
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from conftest import fixture_rows, load_fixture
from helpers import servers

from kepu.core import fmt
from kepu.storage import auth, store

pytestmark = pytest.mark.slow  # a real browser against a running app: the whole tier

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(os.environ.get("KEPU_SCREENSHOTS", ROOT / "tests" / "screenshots"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = {
    "": "科学素质行动 · 总览",
    "youth": "青少年科学素质提升行动",
    "farmers": "农民科学素质提升行动",
    "workers": "产业工人科学素质提升行动",
    "elderly": "老年人科学素质提升行动",
    "officials": "领导干部和公务员科学素质提升行动",
    "resources": "科技资源科普化工程",
    "informatization": "科普信息化提升工程",
    "infrastructure": "科普基础设施建设工程",
    "grassroots": "基层科普能力提升工程",
    "towns": "镇街",
    "bureaus": "责任单位",
    "campaigns": "活动主题",
    "records": "活动明细",
    "assessment": "考核",
    "reporting": "报送情况",
}

if not Path(CHROMIUM).exists():
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but no chromium at {CHROMIUM}: .ci/run installs it with apt", pytrace=False)
    pytest.skip("chromium is not installed (apt-get install chromium fonts-noto-cjk)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """The app on a free loopback port with its own store (the fixture records)."""
    path = store.create_store(tmp_path_factory.mktemp("browser") / "kepu.duckdb", fill=load_fixture)
    con = store.connect(path)
    auth.add_user(con, "kx", "填报员", bureau="科协")
    auth.set_password(con, "kx", "clerk-pass-1")
    auth.add_user(con, "admin", "管理员")
    auth.set_password(con, "admin", "admin-pass-1")
    con.close()
    with serving(path) as url:
        yield url


def serving(path: Path, env: dict[str, str] | None = None):
    """`streamlit run streamlit_app.py` on the store at `path` (with the environment `env` besides), on a free
    loopback port, until the block ends."""
    return servers.serving(path, path.parent / "streamlit.log", env)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    pg = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on(
        "console",
        lambda m: (
            pg.errors.append(f"console: {m.text} {m.location.get('url')}")
            if m.type == "error" and not _streamlit_probe(m.location.get("url", ""))
            else None
        ),
    )
    pg.on("dialog", lambda d: (pg.errors.append(f"dialog: {d.message}"), d.dismiss()))
    yield pg
    pg.close()


def _streamlit_probe(url: str) -> bool:
    """Streamlit's frontend, opened at /towns, first looks for its server under /towns/_stcore/ (a 404) before
    finding it at the root: its own probing, not an error of the app."""
    return url.endswith(("/_stcore/health", "/_stcore/host-config"))


def settle(pg, title: str | None = None) -> None:
    """Wait until the script has finished running and the page has a title (this one, if given)."""
    heading = pg.locator("h1") if title is None else pg.locator("h1").filter(has_text=title)
    heading.first.wait_for(timeout=30_000)
    pg.wait_for_timeout(300)
    for _ in range(150):
        if pg.locator("[data-testid=stStatusWidget]").count() == 0:
            break
        pg.wait_for_timeout(200)
    pg.wait_for_timeout(700)


def captions(pg) -> str:
    return "\n".join(pg.locator("[data-testid=stCaptionContainer]").all_inner_texts())


def metric(pg, label: str) -> str:
    box = pg.locator("[data-testid=stMetric]").filter(has=pg.get_by_text(label, exact=True)).first
    return box.locator("[data-testid=stMetricValue]").inner_text().strip()


@pytest.mark.parametrize("url_path", list(PAGES))
def test_every_page_loads_without_errors(app_url, page, url_path):
    page.goto(f"{app_url}/{url_path}")
    settle(page)
    assert page.locator("h1").first.inner_text().strip() == PAGES[url_path]
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.errors == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1440, "height": 2400})
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / f"{url_path or 'overview'}.png"))


def test_a_link_reopens_the_view_and_pages_keep_the_filters(app_url, page):
    page.goto(f"{app_url}/?period=2024&town=沙土镇")
    settle(page)
    assert "2024年 · 沙土镇" in captions(page)
    expected = sum(r["participants"] for r in fixture_rows() if r["start_date"].year == 2024 and r["town"] == "沙土镇")
    assert metric(page, "参与人次") == fmt.count(expected)
    page.get_by_text("分析", exact=True).click()
    page.locator("[role=menu], [data-baseweb=popover]").get_by_text("镇街", exact=True).click()
    settle(page, "镇街")
    assert "/towns?" in page.url and "period=2024" in page.url
    assert "2024年 · 沙土镇" in captions(page)


def test_changing_the_period_changes_the_figures(app_url, page):
    page.goto(app_url)
    settle(page)
    page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first.click()
    page.get_by_role("option", name="2023", exact=True).click()
    settle(page)
    assert "period=2023" in page.url
    expected = [r for r in fixture_rows() if r["start_date"].year == 2023]
    assert metric(page, "活动场次") == fmt.count(len(expected))
    assert metric(page, "参与人次") == fmt.count(sum(r["participants"] for r in expected))


def test_clicking_a_bar_drills_down_to_its_records(app_url, page):
    page.goto(f"{app_url}/records?period=2024")
    settle(page)
    chart = page.locator("[data-testid=stPlotlyChart]").first
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    top = chart.locator("g.trace.bars path").first.bounding_box()
    page.mouse.click(top["x"] + top["width"] / 2, top["y"] + top["height"] / 2)
    settle(page)
    rows = [r for r in fixture_rows() if r["start_date"].year == 2024]
    by_town = {}
    for r in rows:
        by_town[r["town"]] = by_town.get(r["town"], 0) + r["participants"]
    biggest = max(by_town, key=by_town.get)
    assert f"已下钻：镇街 = {biggest}" in page.locator("[data-testid=stAlertContentInfo]").first.inner_text()
    assert f"共 {sum(r['town'] == biggest for r in rows):,} 条记录" in captions(page)


EVIL = "evil.example"


def outside_requests(pg) -> list[str]:
    """Record every request the page makes to EVIL (an image fetched, a link followed)."""
    seen: list[str] = []
    pg.on("request", lambda r: seen.append(r.url) if urlsplit(r.url).hostname == EVIL else None)
    return seen


def test_text_typed_or_linked_is_shown_as_text(app_url, page):
    """The grid draws on a canvas, so a record's title is not in the page; the search box's words are, in the caption
    that counts the records. Typed as the fixture's <script> title, they find it and show as written; typed as
    Markdown, they stay words: no link, no image fetched, no script run."""
    fetched = outside_requests(page)
    page.goto(app_url)
    settle(page)
    page.goto(f"{app_url}/records?period=2024")
    settle(page)
    box = page.get_by_label("搜索活动名称、编号或备注")
    box.fill("<script>alert(1)</script>")
    page.keyboard.press("Enter")
    settle(page)
    assert "共 1 条记录" in captions(page) and "含“<script>alert(1)</script>”" in captions(page)
    markdown = f"[点此重新登录](http://{EVIL}/login) ![x](http://{EVIL}/x.png) **粗**"
    box.fill(markdown)
    page.keyboard.press("Enter")
    settle(page)
    page.wait_for_timeout(1000)
    assert f"含“{markdown}”" in captions(page).replace("\u2060", "")  # word joiners keep addresses from linking
    assert page.locator(f"a[href*='{EVIL}'], img[src*='{EVIL}'], script:text('alert(1)')").count() == 0
    assert fetched == [] and page.errors == []  # no image fetched, no alert() ran


def test_a_forwarded_link_cannot_put_a_link_or_an_image_on_the_meeting_screen(app_url, page):
    fetched = outside_requests(page)
    link = f"[点此重新登录](http://{EVIL}/login)"
    image = f"![x](http://{EVIL}/x.png)"
    page.goto(f"{app_url}/?mode=present&paused=true&town={quote(link)}&town={quote(image)}")
    page.locator(".kp-slide").wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    warnings = "\n".join(page.locator("[data-testid=stAlertContentWarning]").all_inner_texts()).replace("\u2060", "")
    assert link in warnings and image in warnings
    assert page.locator(f"a[href*='{EVIL}'], img[src*='{EVIL}']").count() == 0
    assert fetched == [] and page.errors == []


def test_a_clerk_reports_in(app_url, page, tmp_path):
    """Download the template, fill it, upload, read the errors, fix, confirm, undo: as a clerk would."""
    import openpyxl

    page.goto(app_url)
    settle(page)
    page.goto(f"{app_url}/report")
    settle(page, "数据填报")
    page.get_by_label("用户名").fill("kx")
    page.get_by_label("密码").fill("clerk-pass-1")
    page.get_by_role("button", name="登录").click()
    page.get_by_text("当前用户：kx").wait_for(timeout=30_000)
    shoot(page, "report-1-logged-in")

    with page.expect_download() as download:
        page.get_by_role("button", name="活动记录模板（.xlsx）").click()
    template = tmp_path / "模板.xlsx"
    download.value.save_as(template)
    book = openpyxl.load_workbook(template)
    sheet = book["活动记录"]
    assert [c.value for c in sheet[1]][:3] == ["活动编号", "活动名称*", "开始日期*"]
    rows = [
        ["B-1", "社区科普讲座", "2024-10-08", None, "沙土", "科协", "老年人", None, None, "讲座", 40, 500],
        ["B-2", "科普进校园", "2024-10-09", None, "火星镇", "区科协", "青少年", None, "Y4", "主题活动", 120, 0],
    ]
    for r, values in enumerate(rows, start=2):  # typed into rows 2 and 3, as in Excel
        for c, value in enumerate(values, start=1):
            sheet.cell(row=r, column=c, value=value)
    filled = tmp_path / "十月报送.xlsx"
    book.save(filled)

    page.locator("input[type=file]").set_input_files(str(filled))
    page.get_by_text("有 1 行未通过检查").wait_for(timeout=30_000)
    assert metric(page, "有错误的行") == "1" and metric(page, "通过检查") == "1"
    shoot(page, "report-2-errors")

    sheet.cell(row=3, column=5, value="沙土镇")  # fix the town
    fixed = tmp_path / "十月报送（改）.xlsx"
    book.save(fixed)
    page.locator("input[type=file]").set_input_files(str(fixed))
    page.get_by_role("button", name="确认导入 2 行").click()
    page.get_by_text("已导入 2 行").wait_for(timeout=30_000)
    shoot(page, "report-3-imported")

    grid = page.locator("[data-testid=stDataFrame]").last
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 17)  # the first row's selection box
    page.get_by_role("button", name="撤销批次").click()
    page.get_by_text("已撤销批次").wait_for(timeout=30_000)
    shoot(page, "report-4-undone")
    assert page.errors == []


def shoot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _overlaps(boxes: list[dict]) -> list[tuple[int, int]]:
    return [
        (i, j)
        for i, a in enumerate(boxes)
        for j, b in enumerate(boxes)
        if i < j
        and a["x"] < b["x"] + b["width"] - 1
        and b["x"] < a["x"] + a["width"] - 1
        and a["y"] < b["y"] + b["height"] - 1
        and b["y"] < a["y"] + a["height"] - 1
    ]


def _font_sizes(pg, selector: str) -> list[float]:
    return pg.eval_on_selector_all(selector, "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")


def test_the_meeting_screen_at_1920_by_1080(browser, app_url):
    pg = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    try:
        pg.goto(f"{app_url}/?mode=present&period=2024&every=5")
        pg.locator(".kp-slide").wait_for(timeout=30_000)
        pg.wait_for_timeout(1000)
        assert pg.locator("[data-testid=stSidebar]").count() == 0 and pg.locator("h1").count() == 0
        assert pg.locator(".kp-heading").inner_text() == "总览"
        pg.screenshot(path=str(SHOTS / "present-overview-1920.png"))
        assert min(_font_sizes(pg, ".kp-big, .kp-value")) >= 72, "the figures are read from five metres"
        assert min(_font_sizes(pg, ".kp-detail, .kp-label, .kp-name")) >= 28
        cards = pg.eval_on_selector_all(".kp-card", "els => els.map(e => e.getBoundingClientRect().toJSON())")
        assert len(cards) == 4 and not _overlaps(cards)
        assert pg.evaluate("document.documentElement.scrollWidth") <= 1920, "nothing runs off the screen"
        assert max(c["y"] + c["height"] for c in cards) <= 1080, "the slide fits the screen"
        pg.locator(".kp-heading").filter(has_text="五大人群").wait_for(timeout=15_000)  # turned by itself
        cards = pg.eval_on_selector_all(".kp-card", "els => els.map(e => e.getBoundingClientRect().toJSON())")
        assert len(cards) == 5 and not _overlaps(cards) and max(c["y"] + c["height"] for c in cards) <= 1080
        assert pg.eval_on_selector_all(".kp-value", "els => els.every(e => e.scrollWidth <= e.clientWidth + 1)"), (
            "a figure runs out of its card"
        )
        pg.screenshot(path=str(SHOTS / "present-cohorts-1920.png"))

        pg.goto(f"{app_url}/?mode=present&period=2024&dark=true&paused=true")
        pg.locator(".kp-slide").wait_for(timeout=30_000)
        pg.wait_for_timeout(1000)
        background = pg.evaluate("getComputedStyle(document.querySelector('.stApp')).backgroundColor")
        assert background == "rgb(14, 17, 23)", background
        pg.get_by_role("button", name="下一页").click()
        pg.locator(".kp-heading").filter(has_text="五大人群").wait_for(timeout=10_000)
        pg.wait_for_timeout(7000)
        assert pg.locator(".kp-heading").inner_text() == "五大人群", "paused: no turning"
        pg.screenshot(path=str(SHOTS / "present-cohorts-dark-1920.png"))
        assert not errors, errors
    finally:
        pg.close()


def test_export_downloads_open_and_match_the_page(page, app_url, tmp_path):
    import docx
    import openpyxl

    page.goto(f"{app_url}/?period=2024&town=沙土镇")
    settle(page, "总览")
    shown = metric(page, "参与人次")
    page.get_by_role("button", name="导出").click()
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Excel 工作簿").click()
    assert download.value.suggested_filename == "科学素质行动_2024_沙土镇.xlsx"
    download.value.save_as(tmp_path / "view.xlsx")
    facts = {
        r[0].value: r[1].value
        for r in openpyxl.load_workbook(tmp_path / "view.xlsx")["概要"].iter_rows(min_row=3, max_row=11)
    }
    assert fmt.count(facts["参与人次"]) == shown and facts["筛选"] == "2024年 · 沙土镇 · 全部责任单位"
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Word 简报").click()
    download.value.save_as(tmp_path / "view.docx")
    document = docx.Document(tmp_path / "view.docx")
    assert "科学素质行动工作简报" in document.paragraphs[0].text and len(document.inline_shapes) >= 3
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="活动记录").click()
    download.value.save_as(tmp_path / "records.csv")
    text = (tmp_path / "records.csv").read_text(encoding="utf-8-sig")
    assert "'=SUM(A1:A9) 讲座" in text  # the fixture's formula-like title, neutralised
    assert not page.errors, page.errors


def test_the_tables_offer_no_unneutralised_csv(page, app_url):
    page.goto(f"{app_url}/towns?period=2024")
    settle(page, "镇街")
    table = page.locator("[data-testid=stDataFrame]").first
    table.scroll_into_view_if_needed()
    table.hover()
    page.wait_for_timeout(500)
    assert page.locator("[data-testid=stElementToolbar] button[aria-label='Search']").first.is_visible()
    assert not page.locator("button[aria-label='Download as CSV']").first.is_visible()


DISTRICT_COLUMN = 700  # px from the target grid's left edge to the middle of its 区定目标 column


def test_an_administrator_edits_targets_on_the_page(app_url, page):
    """Type into the target editor as a person would: a value out of range is refused with the reason, a good one is
    saved beside the 纲要目标 as a 区定目标, the 纲要目标 unchanged, and both are judged on the overview."""
    page.goto(app_url)
    settle(page)
    page.goto(f"{app_url}/report")
    settle(page, "数据填报")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill("admin-pass-1")
    page.get_by_role("button", name="登录").click()
    page.get_by_text("当前用户：admin").wait_for(timeout=30_000)
    page.get_by_text("填报与管理", exact=True).click()  # within the session: a new page load would log out
    page.locator("a[data-testid=stTopNavDropdownLink]").filter(has_text="目标管理").click()
    settle(page, "目标管理")
    grid = page.locator("[data-testid=stDataFrame]").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    # The first grid holds the 纲要目标: row 1 is 公民具备科学素质的比例 (%), row 2 科技辅导员培训 2021; 区定目标,
    # the one column to type in, is the sixth, DISTRICT_COLUMN px in.
    for row, typed in ((1, "160"), (2, "120")):
        page.mouse.dblclick(box["x"] + DISTRICT_COLUMN, box["y"] + 35 * row + 17)
        editor = page.locator(".gdg-input")  # the grid's cell editor (a textarea for a text column)
        editor.wait_for(timeout=10_000)
        editor.fill(typed)
        editor.press("Enter")
        page.wait_for_timeout(700)
    page.get_by_role("button", name="保存 2 处修改").click()
    page.get_by_text("“公民具备科学素质的比例”（2025年）未保存：区定目标过大（最大 100）").wait_for(timeout=30_000)
    page.get_by_text("已为“科技辅导员培训”（2021年）设定区定目标 120（纲要目标 100 不变").wait_for(timeout=30_000)
    shoot(page, "targets-edited")
    page.goto(f"{app_url}/?period=2021")
    settle(page, "总览")
    shown = captions(page)
    assert "纲要目标 100人次" in shown and "区定目标 120人次" in shown, "2021 judged on both, each labelled"
    assert page.errors == []


def quick_pick_towns(pg, pick: str | None) -> list[str]:
    """Click a 快速选择镇街 pill (or 重置筛选 for None); the towns the address bar then holds, with no further click."""
    if pick is None:
        pg.get_by_role("button", name="重置筛选").click()
    else:
        pg.locator("[data-testid=stSidebar]").get_by_text(pick, exact=True).click()
    settle(pg)
    return parse_qs(urlsplit(pg.url).query).get("town", [])


def test_the_address_bar_follows_quick_picks_and_resets_at_once(app_url, page):
    page.goto(app_url)
    settle(page)
    page.goto(f"{app_url}/?town=沙土镇&bureau=区科协")
    settle(page)
    assert len(quick_pick_towns(page, "经开区3个")) == 3
    assert quick_pick_towns(page, None) == [] and "bureau" not in page.url
    assert len(quick_pick_towns(page, "高新区3个")) == 3
    assert quick_pick_towns(page, None) == []


def test_a_new_sessions_first_quick_pick_reaches_the_address_bar_at_once(app_url, page):
    page.goto(app_url)
    settle(page)
    assert len(quick_pick_towns(page, "经开区3个")) == 3


def test_a_fresh_servers_first_session_opens_a_forwarded_link_and_follows_it(tmp_path, browser):
    """The first request a just-started dashboard gets is a forwarded link to a page: it opens that page with the
    link's filters (no "Page not found"), and its first quick pick reaches the address bar at once. Both
    failed while the page modules sat in a folder named pages/ (Streamlit's legacy multipage mode; see
    tests/test_architecture.py)."""
    path = store.create_store(tmp_path / "kepu.duckdb", fill=load_fixture)
    with serving(path) as url:
        pg = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
        try:
            pg.goto(f"{url}/towns?period=2024&bureau=区科协")
            settle(pg, "镇街")
            pg.wait_for_timeout(1000)
            assert pg.get_by_text("Page not found").count() == 0
            assert "bureau=" in pg.url and "period=2024" in pg.url
            assert len(quick_pick_towns(pg, "经开区3个")) == 3
            assert "/towns" in pg.url
        finally:
            pg.close()


@pytest.mark.parametrize("width", [1440, 375])
def test_the_town_map_is_readable_and_a_click_drills_down(app_url, browser, width):
    """Every tile's label inside its tile and apart from the others, on a desktop and on a phone; a click on 沙土
    narrows the page to 沙土镇."""
    page = browser.new_page(viewport={"width": width, "height": 1000}, locale="zh-CN")
    try:
        page.goto(app_url)
        settle(page)
        page.goto(f"{app_url}/towns?period=2024")
        settle(page, "镇街")
        chart = page.locator("[data-testid=stPlotlyChart]").first
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        labels = chart.locator("g.textpoint text")
        assert labels.count() == 24
        boxes = [labels.nth(i).bounding_box() for i in range(24)]
        tiles = [chart.locator("path[data-index]").nth(i).bounding_box() for i in range(24)]
        for box in boxes:
            assert any(_inside(box, t) for t in tiles), box  # no label runs over its tile's edge
        for i, a in enumerate(boxes):
            assert not any(_overlap(a, b) for b in boxes[i + 1 :]), a
        SHOTS.mkdir(parents=True, exist_ok=True)
        chart.screenshot(path=f"/tmp/map-{width}.png")
        shatu = labels.filter(has_text="沙土").first.bounding_box()
        page.mouse.click(shatu["x"] + shatu["width"] / 2, shatu["y"] + shatu["height"] / 2)
        settle(page, "镇街")
        assert "已下钻：镇街 = 沙土镇" in page.locator("[data-testid=stAlertContentInfo]").first.inner_text()
    finally:
        page.close()


def _inside(box: dict, tile: dict) -> bool:
    return (
        tile["x"] - 1 <= box["x"]
        and box["x"] + box["width"] <= tile["x"] + tile["width"] + 1
        and tile["y"] - 1 <= box["y"]
        and box["y"] + box["height"] <= tile["y"] + tile["height"] + 1
    )


def _overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_a_question_typed_in_the_box_lands_on_its_view_and_its_link(app_url, page):
    """The "/" key puts the cursor in 问一句; the suggestions narrow as one types; Enter on a question of one's own
    opens the cohort page with the filters set, and the address bar already holds them."""
    page.goto(f"{app_url}/towns")
    settle(page, "镇街")
    page.wait_for_function("window.__kpAskKey === true", timeout=10_000)  # the key's script has run
    page.locator("h1").first.click()  # the focus on the page, in no text field
    page.keyboard.press("/")
    page.wait_for_function("document.activeElement?.getAttribute('aria-label') === '问一句'", timeout=5_000)
    page.keyboard.type("沙土")
    options = page.locator("[role=option]")
    options.first.wait_for(timeout=10_000)
    assert "沙土镇" in options.all_inner_texts()
    page.keyboard.press("Escape")
    page.locator('input[aria-label="问一句"]').fill("区农业农村局 农民 2024")
    page.keyboard.press("Enter")
    settle(page, "农民科学素质提升行动")
    query = parse_qs(urlsplit(page.url).query)
    assert urlsplit(page.url).path.endswith("/farmers")
    assert query == {"period": ["2024"], "bureau": ["区农业农村局"]}
    assert "理解为：2024年 · 区农业农村局 · 农民" in captions(page)
