"""会议大屏: the overview, the cohorts, the projects, the towns' map and the laggards in turn, full screen, legible
from five metres; opened by the link parameter mode=present, with the link's filters. Rotation can be paused."""

import time
from html import escape

import streamlit as st

from kepu import ui
from kepu.core import words
from kepu.figures import brief, targets
from kepu.reports import slides
from kepu.storage import catalog

ORDER = list(slides.SLIDES)


def render() -> None:
    f, problems = ui.url_filters()
    plan = ui.cached(catalog.plan_for, f.period)
    left, pause, settings, leave = st.columns([6, 1.1, 1, 1], vertical_alignment="center")
    demo = " · 演示数据" if ui.cached(catalog.is_demo) else ""
    bar = f"{ui.cached(catalog.district).place}科学素质行动 · {words.filters(f)}{demo}"
    left.markdown(f'<div class="kp-bar">{escape(bar)}</div>', unsafe_allow_html=True)
    paused = pause.toggle("暂停轮播", key="paused", bind="query-params")
    with settings.popover("设置", icon=":material/settings:", width="stretch"):
        every = st.number_input(
            "每页停留（秒）", min_value=5, max_value=600, value=20, step=5, key="every", bind="query-params"
        )
        dark = st.toggle("深色背景", key="dark", bind="query-params", help="暗室或投影仪上更清楚")
    # A plain link (same tab) rather than a button: the address bar then shows where the user is.
    leave.markdown(
        f'<a class="kp-exit" href="{escape(ui.link(mode=None, paused=None, every=None, dark=None))}" '
        'target="_self">退出大屏</a>',
        unsafe_allow_html=True,
    )
    st.html(slides.style(dark))
    for problem in problems:
        st.warning(ui.plain(problem))

    @st.fragment(run_every=None if paused else every)
    def show() -> None:
        now = time.monotonic()
        index = st.session_state.setdefault("present:slide", 0)
        since = st.session_state.setdefault("present:since", now)
        if paused:  # time on screen counts only while the slides turn, so resuming shows this one its full time
            st.session_state["present:since"] = now
        elif now - since >= every - 0.5:  # this run is the timer's: next slide
            index = _go(index + 1)
        ui.begin_run()  # each tick reads the store afresh: an import during the meeting shows on the next slide
        trend = ui.made(targets.activity_years, f.with_period(plan.period))
        gathered = ui.cached(brief.gather, f, f.as_of or ui.today(), None, trend)
        st.html(slides.render(ORDER[index], gathered, ui.cached(catalog.town_grid)))
        ui.end_run()
        dots, back, forward = st.columns([8, 1, 1], vertical_alignment="center")
        dots.markdown(
            f'<div class="kp-dots">{"".join("●" if i == index else "○" for i in range(len(ORDER)))}'
            f"　{slides.SLIDES[ORDER[index]]}</div>",
            unsafe_allow_html=True,
        )
        back.button("上一页", key="present:back", on_click=_go, args=(index - 1,), width="stretch")
        forward.button("下一页", key="present:next", on_click=_go, args=(index + 1,), width="stretch")

    show()


def _go(index: int) -> int:
    """Show slide `index` (wrapping round) and restart its time on screen."""
    index %= len(ORDER)
    st.session_state["present:slide"] = index
    st.session_state["present:since"] = time.monotonic()
    return index
