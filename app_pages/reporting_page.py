"""报送情况: every unit × reporting cycle of a year (on time, late by N days, missing), and for the chosen cycle the
units to chase with a one-click 催报通知."""

from functools import partial

import streamlit as st

from kepu import ui
from kepu.figures import reporting
from kepu.reports import reminder
from kepu.ui.reminders import reminder_file

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def render() -> None:
    ui.page_title("reporting", "报送情况")
    as_of = ui.as_of()
    options = ui.cached(reporting.recent_cycles, as_of)
    if not options:
        st.info("截至今天还没有开始的报送周期。")
        return
    due = [c for c in options if c.overdue(as_of)]
    c = st.selectbox(
        "报送周期",
        options,
        index=options.index(due[0]) if due else 0,
        format_func=lambda c: f"{c.label}（截止 {c.due:%Y-%m-%d}{'' if c.overdue(as_of) else '，未到期'}）",
        key="reporting:cycle",
    )
    year = c.first.year
    st.caption(
        ui.plain(
            f"报送规则：{ui.cached(reporting.rule_text, year)}。按时：截止日期当天或之前报送了本周期的活动；"
            f"逾期 N 天：截止日期后 N 天才报送；未报送：截至 {as_of:%Y-%m-%d} 没有报送本周期的任何活动。"
            "镇街按在本镇街举办的活动、责任单位按本单位负责的活动计；待审核的批次算已报送，被退回或已撤销的不算。"
        )
    )
    frame = ui.cached(reporting.states, c, as_of)
    counts = frame.state.value_counts()
    for column, (state, word) in zip(st.columns(4), reporting.STATES.items(), strict=True):
        column.metric(word, f"{counts.get(state, 0)} 个")

    st.subheader(ui.plain(f"{year}年各单位报送情况"))
    year_cycles = ui.cached(reporting.cycles, year)
    table = reporting.grid(ui.cached(reporting.year_states, year, as_of), year_cycles, as_of)
    st.dataframe(
        reporting.grid_style(table),
        hide_index=True,
        width="stretch",
        height=35 * (len(table) + 1) + 3,
        column_config={"单位": st.column_config.TextColumn(width=200), "类别": st.column_config.TextColumn(width=80)},
    )

    st.subheader(ui.plain(f"催报名单：{c.label}"))
    chase = reporting.chased(frame)
    if not c.overdue(as_of):
        st.info(ui.plain(f"{c.label}的截止日期是 {c.due:%Y-%m-%d}，尚未到期，不需要催报。"), icon=":material/schedule:")
    elif chase.empty:
        st.success(ui.plain(f"{c.label}各单位均已按时报送，不需要催报。"), icon=":material/task_alt:")
    else:
        st.dataframe(
            reporting.chase_table(chase, c, as_of),
            hide_index=True,
            width="stretch",
            height=35 * (len(chase) + 1) + 3,
            column_config={"单位": st.column_config.TextColumn(width=200)},
        )
        st.download_button(
            f"催报通知（Word，{len(chase)} 个单位）",
            partial(reminder_file, c.code, as_of, ui.requester()),
            reminder.file_name(c.code),
            DOCX,
            key="reporting:notice",
            on_click="ignore",
            icon=":material/campaign:",
            type="primary",
        )
