"""目标管理 (管理员): the plan's 纲要目标 read-only with the 区定目标 set beside them, and the 示例目标 (and the
区定目标 they became) to edit; every change is logged with who and when."""

import streamlit as st

from kepu import ui
from kepu.core.glossary import DISTRICT_SET
from kepu.figures import tables
from kepu.storage import audit, catalog, target_admin

DOCUMENT_HELP = (
    "纲要目标是规划原文的数字，这里只能查看、不能修改。区里要按不同的数字考核时，在“区定目标”列填入数字：纲要目标保持不变，"
    "区定目标列在它旁边，页面、简报、工作簿和大屏上两者分别评定、分别标明。删去区定目标的数字（或填入与纲要目标相同的数），"
    "即取消区定目标，只按纲要目标评定。"
)
OTHERS_HELP = "示例目标是规划文件给出的演示数字（规划原文没有给出数字），请换成真实目标；修改后标为“区定目标”。"

AUDIT_COLUMNS = {
    "logged_at": "时间",
    "user_name": "操作人",
    "action": "操作",
    "detail": "内容",
    "via": "途径",
    "os_user": "系统用户",
    "address": "来源地址",
}


def render() -> None:
    ui.page_title("targets", "目标管理")
    user = ui.current_user()
    if user is None or not user.is_admin:
        ui.login_form("目标由区科协管理员维护，请以管理员账户登录。")
        return
    ui.user_bar(user)
    plan = ui.cached(catalog.plan_for, ui.filters().period)
    st.caption(ui.plain(f"{plan.name}。每次修改都记入下方的日志（修改人、时间、原值和新值）。"))
    for saved, message in st.session_state.pop("targets:results", []):
        (st.success if saved else st.error)(ui.plain(message))
    generation = st.session_state.get("targets:generation", 0)  # a new editor after a save shows what is stored
    document, others = target_admin.split(ui.direct(target_admin.editable_targets, plan.id))
    shown_document, shown_others = tables.document_targets(document), tables.other_targets(others)

    st.subheader("纲要目标（规划原文，不能修改）与区定目标")
    st.caption(ui.plain(DOCUMENT_HELP))
    edited_document = st.data_editor(
        shown_document,
        key=f"targets:document:{generation}",
        hide_index=True,
        width="stretch",
        disabled=[c for c in shown_document.columns if c != DISTRICT_SET],
        column_config={
            "纲要目标": st.column_config.NumberColumn(format="%g", help="规划原文的数字，只读"),
            DISTRICT_SET: st.column_config.TextColumn(help="填入数字即设定区定目标；删去数字即取消。纲要目标不变"),
        },
    )
    st.subheader("示例目标与区定目标")
    st.caption(ui.plain(OTHERS_HELP))
    edited_others = st.data_editor(
        shown_others,
        key=f"targets:editor:{generation}",
        hide_index=True,
        width="stretch",
        disabled=[c for c in shown_others.columns if c != "目标值"],
        column_config={"目标值": st.column_config.NumberColumn(min_value=0, format="%g")},
    )
    edits = target_admin.district_changes(document, edited_document[DISTRICT_SET])
    edits += target_admin.changes(others, edited_others["目标值"])
    if edits and st.button(f"保存 {len(edits)} 处修改", type="primary", key="targets:save"):
        st.session_state["targets:results"] = ui.direct(target_admin.save, plan.id, edits, user.name)
        st.session_state["targets:generation"] = generation + 1
        st.rerun()

    st.subheader("最近的修改与导入记录")
    log = ui.direct(audit.entries, 100)
    st.dataframe(log.rename(columns=AUDIT_COLUMNS).fillna(""), hide_index=True, width="stretch", key="targets:log")
