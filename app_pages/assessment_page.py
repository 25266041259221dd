"""考核: each year's scores and ranks of the towns and the lead bureaus under the plan's scheme, a unit's items with
the figures behind them and their records, manual scoring by administrators, and the 考核结果 workbook, 通报 and
督办单 to download."""

import streamlit as st

from kepu import ui
from kepu.core.assessment_scheme import SIDES
from kepu.figures import assessment
from kepu.ui import assessment as assess_ui


def render() -> None:
    ui.page_title("assessment", "考核")
    year, as_of = assess_ui.year_and_date()
    result = ui.cached(assessment.assess, year, as_of)
    assess_ui.scheme_note(result)
    chosen = None
    for tab, key in zip(st.tabs(list(SIDES.values())), SIDES, strict=True):
        with tab:
            unit = assess_ui.ranking(result, key)
            if unit is not None:
                chosen = unit
                assess_ui.unit_detail(result, key, unit)
    st.subheader("下载")
    assess_ui.downloads(result, chosen)
    user = ui.current_user()
    if user is not None and user.is_admin:
        st.subheader("人工评分（管理员）")
        assess_ui.manual_scoring(result, user)
