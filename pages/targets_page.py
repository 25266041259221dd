"""目标管理 (管理员): edit target values; every change is logged with who and when."""

import pandas as pd
import streamlit as st

from kepu import ui
from kepu.core.glossary import TARGET_KIND_LABELS
from kepu.storage import audit, catalog, target_admin

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
    st.caption(
        ui.plain(
            f"{plan.name}。纲要目标来自规划原文；示例目标是演示用的数字，修改后标为“区定目标”。每次修改都记入日志。"
        )
    )

    frame = ui.direct(target_admin.editable_targets, plan.id)
    shown = pd.DataFrame(
        {
            "指标": frame.name,
            "单位": frame.unit,
            "类型": frame.kind.map(TARGET_KIND_LABELS),
            "年份": ["规划期" if pd.isna(y) else str(int(y)) for y in frame.year],
            "目标值": frame.value,
            "依据": frame.basis,
            "修改人": frame.updated_by.fillna(""),
            "修改时间": frame.updated_at.dt.strftime("%Y-%m-%d %H:%M").fillna(""),
        }
    )
    for saved, message in st.session_state.pop("targets:results", []):
        (st.success if saved else st.error)(ui.plain(message))
    generation = st.session_state.get("targets:generation", 0)  # a new editor after a save shows what is stored
    edited = st.data_editor(
        shown,
        key=f"targets:editor:{generation}",
        hide_index=True,
        width="stretch",
        disabled=[c for c in shown.columns if c != "目标值"],
        column_config={"目标值": st.column_config.NumberColumn(min_value=0, format="%g")},
    )
    edits = target_admin.changes(frame, edited["目标值"])
    if edits and st.button(f"保存 {len(edits)} 处修改", type="primary", key="targets:save"):
        st.session_state["targets:results"] = ui.direct(target_admin.save, plan.id, edits, user.name)
        st.session_state["targets:generation"] = generation + 1
        st.rerun()

    st.subheader("最近的修改与导入记录")
    log = ui.direct(audit.entries, 100)
    st.dataframe(log.rename(columns=AUDIT_COLUMNS).fillna(""), hide_index=True, width="stretch", key="targets:log")
