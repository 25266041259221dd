"""The meeting screen (mode=present) and the export menu, under AppTest."""

import datetime as dt
import html
import io
from urllib.parse import parse_qs

import openpyxl
import pytest
from apps import PAGES, metrics, open_page, start, sweep
from test_app import figures

from app_pages import present_page
from kepu.core import fmt, words
from kepu.core.filters import Filters, Period
from kepu.reports import exports, slides
from kepu.storage import store


def slide(at) -> str:
    """The text of the slide on screen."""
    bodies = [e.value for e in at.get("html") if e.value.startswith('<div class="kp-slide')]
    assert len(bodies) == 1
    return html.unescape(bodies[0])


class Clock:
    """time.monotonic for present_page, moved on by hand."""

    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now


def test_the_meeting_screen_keeps_the_links_filters_and_shows_their_figures(demo_shared, monkeypatch):
    at = start(demo_shared, monkeypatch, mode="present", period="2024", town=["沙土镇", "吴店镇"])
    assert not at.exception, [e.message for e in at.exception]
    assert not at.sidebar.children, "no sidebar on the meeting screen"
    f = Filters(Period(2024, 2024), town=("沙土镇", "吴店镇"))
    bar = next(m.value for m in at.markdown if "kp-bar" in m.value)
    assert words.filters(f) in bar and "演示数据" in bar
    expected = figures(demo_shared, f)
    text = slide(at)
    assert "总览" in text
    assert fmt.count(expected["participants"]) in text and fmt.count(expected["activities"]) in text


def test_the_slides_turn_by_themselves_and_stop_when_paused(demo_shared, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(present_page, "time", clock)
    at = start(demo_shared, monkeypatch, mode="present", every="20")
    assert "总览" in slide(at)
    clock.now += 10
    assert "总览" in slide(at.run()), "not yet: 10 of 20 seconds"
    clock.now += 11
    text = slide(at.run())
    assert "五大人群" in text and all(name in text for name in ("青少年", "农民", "产业工人", "老年人"))
    at.button(key="present:next").click().run()
    assert "四项重点工程" in slide(at)
    at.toggle(key="paused").set_value(True).run()
    clock.now += 100
    assert "四项重点工程" in slide(at.run()), "paused: the slide stays"
    at.toggle(key="paused").set_value(False).run()
    clock.now += 21
    assert "镇街分布" in slide(at.run())
    at.button(key="present:next").click().run()
    assert "谁落后了" in slide(at)
    at.button(key="present:next").click().run()
    assert "总览" in slide(at), "after the last slide comes the first"


def test_the_cohort_slide_has_each_cohorts_status_and_projection(demo_shared, monkeypatch):
    at = start(demo_shared, monkeypatch, mode="present", period="2021-2025")
    at.button(key="present:next").click().run()
    text = slide(at)
    standings = figures(demo_shared, Filters(Period(2021, 2025)))["targets"]
    for s in (s for s in standings if s["group"] in ("青少年", "农民", "产业工人", "老年人", "领导干部和公务员")):
        assert s["status"] in text and words.projection(s) in text


def test_a_link_with_names_it_does_not_know_says_so_in_chinese(demo_shared, monkeypatch):
    at = start(demo_shared, monkeypatch, mode="present", period="去年", town=["火星镇", "沙土镇"])
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "期间“去年”无法识别" in warnings and "“火星镇”不是已知的镇街，已忽略" in warnings
    assert "沙土镇" in next(m.value for m in at.markdown if "kp-bar" in m.value)


def test_leaving_the_meeting_screen_keeps_the_filters(demo_shared, monkeypatch):
    at = start(demo_shared, monkeypatch, mode="present", period="2024", town=["沙土镇", "吴店镇"], dark="true")
    exit_link = next(m.value for m in at.markdown if "kp-exit" in m.value)
    href = html.unescape(exit_link.split('href="')[1].split('"')[0])
    assert parse_qs(href.lstrip("?")) == {"period": ["2024"], "town": ["沙土镇", "吴店镇"]}
    assert 'target="_self"' in exit_link


def test_the_dashboard_opens_the_meeting_screen_with_its_filters(demo_shared, monkeypatch):
    at = start(demo_shared, monkeypatch, period="2024", town="沙土镇")
    url = next(b.proto.url for b in at.get("link_button") if b.proto.label == "会议大屏")
    assert parse_qs(url.lstrip("?")) == {"period": ["2024"], "town": ["沙土镇"], "mode": ["present"]}
    at = start(
        demo_shared, monkeypatch, **{k: v[0] if len(v) == 1 else v for k, v in parse_qs(url.lstrip("?")).items()}
    )
    assert "总览" in slide(at) and "沙土镇" in next(m.value for m in at.markdown if "kp-bar" in m.value)


@pytest.mark.parametrize("url_path", sweep([*PAGES, "report"]))
def test_every_page_has_the_export_menu(demo_shared, monkeypatch, url_path):
    at = open_page(start(demo_shared, monkeypatch), url_path)
    labels = [b.proto.label for b in at.get("download_button")]
    assert any("Excel" in x for x in labels) and any("Word" in x for x in labels) and any(".csv" in x for x in labels)


@pytest.mark.slow  # a workbook made beside every page
def test_the_workbook_has_the_numbers_the_pages_show(demo_shared, monkeypatch):
    f = Filters(Period(2024, 2024), town=("沙土镇",))
    con = store.connect(demo_shared)  # as the app opens it: DuckDB refuses two configurations in one process
    try:
        book = openpyxl.load_workbook(io.BytesIO(exports.workbook(con, f, dt.date.today())))
    finally:
        con.close()
    facts = {r[0].value: r[1].value for r in book["概要"].iter_rows(min_row=3, max_row=11)}
    overview = metrics(start(demo_shared, monkeypatch, period="2024", town="沙土镇"))
    assert overview["活动场次"] == fmt.count(facts["活动场次"]) and overview["参与人次"] == fmt.count(facts["参与人次"])
    assert overview["经费"] == fmt.money(facts["经费（元）"])
    youth = metrics(open_page(start(demo_shared, monkeypatch, period="2024", town="沙土镇"), "youth"))
    row = next(r for r in book["人群"].iter_rows(min_row=2, values_only=True) if r[0] == "青少年科学素质提升行动")
    assert youth["活动场次"] == fmt.count(row[1]) and youth["参与人次"] == fmt.count(row[2])


@pytest.mark.parametrize("url_path", ["records", "youth"])
def test_record_tables_offer_their_own_neutralised_csv(demo_shared, monkeypatch, url_path):
    at = open_page(start(demo_shared, monkeypatch, period="2024"), url_path)
    assert any(b.proto.label == "下载 CSV" for b in at.get("download_button"))


def test_the_meeting_screen_on_an_empty_store(tmp_path, monkeypatch):
    at = start(store.create_store(tmp_path / "empty.duckdb"), monkeypatch, mode="present", paused="true")
    for heading in slides.SLIDES.values():
        assert not at.exception, [e.message for e in at.exception]
        assert heading in slide(at)
        at.button(key="present:next").click().run()
