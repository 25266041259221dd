"""kepu: the dashboard of a district's citizen science-literacy action plan.

Run with: uv run streamlit run streamlit_app.py"""

import streamlit as st

from app_pages import (
    assessment_page,
    bureaus_page,
    campaigns_page,
    group_page,
    overview_page,
    present_page,
    records_page,
    report_page,
    reporting_page,
    targets_page,
    towns_page,
)
from kepu import ui

st.set_page_config(page_title="科学素质行动看板", page_icon=ui.FAVICON, layout="wide")
ui.require_store()
ui.start_scheduled_backups()  # once per server process
ui.begin_run()  # the run's one snapshot, before the first figure (the title) is read
TITLE = ui.app_title()
st.set_page_config(page_title=TITLE)  # the district's name is the plan's, known once the store is open
user = ui.current_user()
if ui.login_required() and user is None:
    st.title(ui.plain(TITLE))
    ui.login_form("本看板设置为登录后查看。")
    st.stop()
ui.page_style()
presenting = ui.presenting()
if not presenting:
    ui.apply_asked()  # what 问一句 set, before the sidebar draws the filters
    ui.shared_filters()
    ui.present_button()
cohorts, projects = ui.plan_groups()
manage = [st.Page(report_page.render, title="数据填报", url_path="report", icon=":material/upload_file:")]
manage.append(st.Page(reporting_page.render, title="报送情况", url_path="reporting", icon=":material/assignment_late:"))
if user is not None and user.is_admin:
    manage.append(st.Page(targets_page.render, title="目标管理", url_path="targets", icon=":material/flag:"))
page = ui.navigation(
    {
        "": [
            st.Page(overview_page.render, title="总览", url_path="overview", icon=":material/dashboard:", default=True)
        ],
        "人群": [group_page.page(g) for g in cohorts],
        "重点工程": [group_page.page(g) for g in projects],
        "分析": [
            st.Page(towns_page.render, title="镇街", url_path="towns", icon=":material/location_city:"),
            st.Page(bureaus_page.render, title="责任单位", url_path="bureaus", icon=":material/account_balance:"),
            st.Page(campaigns_page.render, title="活动主题", url_path="campaigns", icon=":material/campaign:"),
            st.Page(records_page.render, title="活动明细", url_path="records", icon=":material/table_rows:"),
            st.Page(assessment_page.render, title="考核", url_path="assessment", icon=":material/military_tech:"),
        ],
        "填报与管理": manage,
    },
    hidden=presenting,
)
if presenting:  # the meeting-room screen, whichever page the link names; the link's filters are kept
    present_page.render()
else:
    ui.ask_box()  # 问一句: after st.navigation, so the page it asks for is registered
    ui.demo_banner()
    page.run()
    ui.scroll_to_asked()
ui.end_run()
