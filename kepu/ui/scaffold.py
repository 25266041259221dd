"""What every page starts with: its title and 导出 menu, its caption, the demo banner, the plan's cohorts and
projects, and the CSS every page shares."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st

from kepu.core import words
from kepu.core.filters import Filters
from kepu.reports import exports, final
from kepu.storage import catalog, queries
from kepu.ui.data import cached, today
from kepu.ui.downloads import export_file, final_file, requester
from kepu.ui.drill import Drill
from kepu.ui.filters import filters
from kepu.ui.text import plain

FAVICON = str(Path(__file__).resolve().parents[1] / "assets" / "favicon.png")  # local: the network may be closed


def plan_groups() -> tuple[list[catalog.Group], list[catalog.Group]]:
    """The cohorts and the projects of the plan the shared period falls in."""
    plan = cached(catalog.plan_for, filters().period)
    rows = cached(catalog.group_rows, plan.id)
    return [g for g in rows if g.kind == "cohort"], [g for g in rows if g.kind == "project"]


def begin(page: str, title: str, focus: str | None = None):
    """Start a page: its title, its export menu and caption. Returns the shared filters, the plan, the page's
    drill-down and the filters narrowed by it. `focus`: the cohort or project the page is about, if any."""
    f = filters()
    plan = cached(catalog.plan_for, f.period)
    drill = Drill(page)
    view = drill.filters(f)
    page_title(page, title, view, focus)
    page_caption(plan, view)
    return f, plan, drill, view


def page_title(page: str, title: str, f: Filters | None = None, focus: str | None = None) -> None:
    """A page's title with the 导出 menu for the view `f` (the shared filters, when not given) beside it."""
    left, right = st.columns([6, 1], vertical_alignment="center")
    left.title(plain(title))
    with right:
        export_menu(page, f or filters(), focus)


def export_menu(page: str, f: Filters, focus: str | None = None) -> None:
    """Take the view away: an Excel workbook, a Word briefing, the records as CSV, and for a whole plan that has
    ended its 终期评估报告. The files are made only when a button is clicked (on Streamlit's download thread, with a
    cursor of its own)."""
    as_of = f.as_of or today()  # the 截至日期 chosen, else today
    with st.popover("导出", icon=":material/download:", width="stretch"):
        st.caption(plain(f"按当前筛选导出：{words.filters(f)}"))
        for label, kind, icon in (
            ("Excel 工作簿（.xlsx）", "xlsx", ":material/table_view:"),
            ("Word 简报（.docx，含图表，约需数秒）", "docx", ":material/description:"),
            ("活动记录（.csv）", "csv", ":material/list_alt:"),
        ):
            st.download_button(
                label,
                partial(export_file, kind, f, as_of, focus, requester()),
                exports.file_name(f, kind, focus),
                exports.MIME[kind],
                key=f"{page}:export-{kind}",
                on_click="ignore",
                icon=icon,
                width="stretch",
            )
        if cached(final.offered, f, as_of):  # a whole plan, ended: its 终期评估
            for label, kind, icon in (
                ("终期评估报告（Word）", "docx", ":material/assignment_turned_in:"),
                ("终期评估报告（Excel）", "xlsx", ":material/fact_check:"),
            ):
                st.download_button(
                    label,
                    partial(final_file, kind, f, as_of, requester()),
                    final.file_name(f, kind),
                    exports.MIME[kind],
                    key=f"{page}:export-final-{kind}",
                    on_click="ignore",
                    icon=icon,
                    width="stretch",
                )


def plan_group(name: str):
    """The cohort or project called `name` in the plan of the shared period (name, kind, slug, full_name)."""
    cohorts, projects = plan_groups()
    return next(g for g in cohorts + projects if g.name == name)


def page_caption(plan: catalog.PlanInfo, f: Filters) -> None:
    """Which plan, which view, and how fresh the data is."""
    latest = cached(queries.latest_activity_date)
    fresh = f"最新活动日期 {pd.Timestamp(latest):%Y-%m-%d}" if latest is not None else "尚无活动记录"
    st.caption(plain(f"{plan.name}（{plan.document}） · {words.filters(f)} · {fresh}"))


def app_title() -> str:
    """The app's title: 科学素质行动看板 · the district's name (from the plan)."""
    place = cached(catalog.district).place
    return f"科学素质行动看板 · {place}" if place else "科学素质行动看板"


def demo_banner() -> None:
    """Say plainly, on every page, when the store holds demo data."""
    if cached(catalog.is_demo):
        st.warning(
            f"当前显示的是**演示数据**（随机生成，仅供试用），不代表{plain(cached(catalog.district).place)}的真实情况。"
            "正式使用请运行 "
            "`uv run kepu init --empty --force` 后导入报送数据。",
            icon=":material/science:",
        )
