"""佐证材料 and review in a real browser (tests/test_browser.py's chromium and helpers): a clerk attaches a photo to
their pending batch, opens it, downloads it and removes it; an administrator approves the batch.

Skipped where chromium is missing, except under CI=true (as tests/test_browser.py, whose module check this shares).
"""

import datetime as dt
import os
from pathlib import Path

import pytest
from conftest import fixture_rows, load_fixture
from test_browser import ARGS, CHROMIUM, metric, serving, settle, shoot

from kepu.core import fmt
from kepu.ingest import batches
from kepu.storage import auth, store

pytestmark = pytest.mark.slow
sync_api = pytest.importorskip("playwright.sync_api")
PHOTO = Path(__file__).parent / "data" / "evidence" / "photo.png"
BATCH = Path(__file__).parent / "data" / "review" / "clerk-batch.csv"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app, review on, with a clerk's pending batch of tests/data/review/clerk-batch.csv: (url, store path)."""
    path = store.create_store(tmp_path_factory.mktemp("evidence") / "kepu.duckdb", fill=load_fixture)
    con = store.connect(path)
    clerk = auth.add_user(con, "kx", "填报员", bureau="科协")
    auth.set_password(con, "kx", "clerk-pass-1")
    auth.add_user(con, "admin", "管理员")
    auth.set_password(con, "admin", "admin-pass-1")
    os.environ["KEPU_REVIEW"] = "1"
    try:
        batches.import_file(con, BATCH.read_bytes(), "十月报送.csv", clerk, today=dt.date(2025, 6, 1))
    finally:
        del os.environ["KEPU_REVIEW"]
    con.close()
    with serving(path, {"KEPU_REVIEW": "1"}) as url:
        yield url, path


@pytest.fixture
def page():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": 1440, "height": 1600}, locale="zh-CN")
        pg.errors = []
        pg.on("pageerror", lambda e: pg.errors.append(str(e)))
        yield pg
        browser.close()


def log_in(pg, url: str, name: str, password: str) -> None:
    pg.goto(url)  # a fresh server's first run goes through Streamlit's legacy pages/ mode (see README)
    settle(pg)
    pg.goto(f"{url}/report")
    settle(pg, "数据填报")
    pg.get_by_label("用户名").fill(name)
    pg.get_by_label("密码").fill(password)
    pg.get_by_role("button", name="登录").click()
    pg.get_by_text(f"当前用户：{name}").wait_for(timeout=30_000)
    settle(pg)


def choose_first_row(pg, grid) -> None:
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    pg.mouse.click(box["x"] + 16, box["y"] + 35 + 17)  # the first row's selection box
    settle(pg)


def test_a_clerk_attaches_views_downloads_and_removes_a_file(app, page, tmp_path):
    url, _ = app
    log_in(page, url, "kx", "clerk-pass-1")
    choose_first_row(page, page.locator("[data-testid=stDataFrame]").last)
    page.get_by_text("批次 1 的佐证材料").wait_for(timeout=30_000)
    page.locator("[data-testid=stForm] input[type=file]").set_input_files(str(PHOTO))
    page.get_by_text("photo.png").first.wait_for(timeout=30_000)  # the upload is in the form
    page.get_by_role("button", name="保存佐证材料").click()
    page.get_by_text("已保存佐证材料“photo.png”").wait_for(timeout=30_000)
    settle(page)
    listed = page.locator("[data-testid=stMarkdownContainer]").filter(has_text="photo.png")
    assert listed.count() >= 1 and "PNG 图片 · 99 字节 · 附于整个批次" in page.inner_text("body")
    shoot(page, "evidence-1-attached")

    page.get_by_role("button", name="查看").click()
    page.get_by_text("查看：photo.png").wait_for(timeout=30_000)
    settle(page)
    assert page.locator("[data-testid=stImage] img").count() == 1, "the picture is shown"
    with page.expect_download(timeout=30_000) as download:
        page.get_by_role("button", name="下载").last.click()
    download.value.save_as(tmp_path / "got.png")
    assert (tmp_path / "got.png").read_bytes() == PHOTO.read_bytes()
    assert download.value.suggested_filename == "photo.png"
    shoot(page, "evidence-2-viewed")

    page.get_by_role("button", name="删除").click()
    page.get_by_text("已删除佐证材料“photo.png”").wait_for(timeout=30_000)
    settle(page)
    assert "附于整个批次" not in page.inner_text("body") and "还没有佐证材料" in page.inner_text("body")
    shoot(page, "evidence-3-removed")
    assert page.errors == []


def test_an_administrator_approves_the_pending_batch(app, page):
    url, _ = app
    log_in(page, url, "admin", "admin-pass-1")
    page.get_by_text("待审核（1 批）").wait_for(timeout=30_000)
    choose_first_row(page, page.locator("[data-testid=stDataFrame]").first)
    page.get_by_role("button", name="审核通过").click()
    page.get_by_text("已审核通过").wait_for(timeout=30_000)
    settle(page)
    assert "没有待审核的批次" in page.inner_text("body")
    shoot(page, "review-approved")
    page.goto(f"{url}/?period=2024")  # a new page load: the overview, counting the batch now
    settle(page, "总览")
    fixture = sum(r["participants"] for r in fixture_rows() if r["start_date"].year == 2024)
    assert metric(page, "参与人次") == fmt.count(fixture + 40 + 120 + 300)  # clerk-batch.csv's 参与人次
    assert page.errors == []
