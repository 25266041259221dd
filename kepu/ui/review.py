"""Review on the 数据填报 page: an administrator's 待审核 queue (read a batch's rows and 佐证材料, then approve it or
return it with a reason), and what a batch's state and review say in the import history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from kepu.storage import review
from kepu.storage.auth import User
from kepu.ui.data import direct
from kepu.ui.evidence import evidence_panel
from kepu.ui.text import plain

KINDS = {"activities": "活动记录", "observations": "指标数据"}
ROW_COLUMNS = {
    "id": "记录",
    "title": "活动名称",
    "start_date": "开始日期",
    "town": "镇街",
    "bureau": "责任单位",
    "activity_type": "活动类型",
    "participants": "参与人次",
    "funding": "经费（元）",
    "series": "指标",
    "year": "年份",
    "value": "数值",
    "source": "来源",
}
_DONE = "review:done"
RECENT_DAYS = 30  # a returned batch is pointed out this long after it was returned


def review_queue(user: User) -> None:
    """For an administrator, where review is on or batches await it: the pending batches; the chosen one's rows
    and 佐证材料, with 审核通过 and 退回 (with a reason the clerk will see)."""
    if not user.is_admin:
        return
    pending = direct(review.pending_batches)
    if pending.empty and not direct(review.enabled):
        return
    st.subheader(plain(f"待审核（{len(pending)} 批）" if len(pending) else "待审核"))
    st.caption(plain(f"{direct(review.setting_text)}。待审核的批次不计入任何数字；通过后计入，退回的批次始终不计入。"))
    if done := st.session_state.pop(_DONE, None):
        st.success(plain(done), icon=":material/task_alt:")
    if pending.empty:
        st.caption("没有待审核的批次。")
        return
    shown = pd.DataFrame(
        {
            "批次": pending.id,
            "导入时间": pending.created_at.dt.strftime("%Y-%m-%d %H:%M"),
            "导入人": pending.user_name,
            "文件": pending.file_name,
            "类型": pending.kind.map(KINDS),
            "行数": pending.imported,
        }
    )
    event = st.dataframe(
        shown, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row", key="review:pending"
    )
    rows = event["selection"]["rows"] if event else []
    if not rows:
        st.caption("选中一个批次，查看它的记录和佐证材料，再审核通过或退回。")
        return
    _decide(user, pending.iloc[rows[0]])


def _decide(user: User, chosen: pd.Series) -> None:
    batch = int(chosen.id)
    records = direct(review.batch_rows, batch)
    st.markdown(f"**批次 {batch:d}**{plain(f'（{chosen.file_name}，{chosen.user_name} 导入，{chosen.imported} 行）')}")
    if "start_date" in records:
        records["start_date"] = records.start_date.dt.strftime("%Y-%m-%d")
    st.dataframe(records.rename(columns=ROW_COLUMNS), hide_index=True, width="stretch", key=f"review:rows:{batch}")
    evidence_panel(user, batch, attachable=False)
    approve, reason, back = st.columns([2, 5, 2], vertical_alignment="bottom")
    if approve.button("审核通过", type="primary", key="review:approve", icon=":material/check:", width="stretch"):
        _act(review.approve, batch, user)
    typed = reason.text_input("退回原因（填报员会看到）", key=f"review:reason:{batch}", max_chars=review.MAX_REASON)
    if back.button("退回", key="review:return", icon=":material/undo:", width="stretch"):
        _act(review.return_batch, batch, user, typed)


def _act(action: Callable[..., str], batch: int, user: User, *reason: str) -> None:
    try:
        st.session_state[_DONE] = direct(action, batch, user, *reason)
    except review.ReviewError as exc:
        st.error(plain(str(exc)), icon=":material/block:")
        return
    st.rerun()


def pending_notice(user: User) -> None:
    """Tell a clerk, before they import, that their batch will wait for review (where review is on)."""
    if not user.is_admin and direct(review.enabled):
        st.info(
            "导入后为待审核：管理员审核通过后才计入各项数字；退回的批次不计入，可在下方导入记录中看到原因。",
            icon=":material/fact_check:",
        )


def batch_states(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """For the import history (batches.batches' frame): each batch's state in words (待审核, 已退回, 已撤销, 有效)
    and what its review said (who approved it; why it was returned)."""
    states = [review.state(s, pd.notna(u)) for s, u in zip(frame.status, frame.undone_at, strict=True)]
    notes = [
        f"退回：{note}" if status == review.RETURNED else f"{by} 审核通过" if pd.notna(by) else ""
        for status, by, note in zip(frame.status, frame.reviewed_by, frame.review_note, strict=True)
    ]
    return states, notes


def returned_notice(user: User, frame: pd.DataFrame) -> None:
    """Tell a clerk which of their batches were returned in the last RECENT_DAYS days, and why."""
    if user.is_admin:
        return
    since = dt.datetime.now() - dt.timedelta(days=RECENT_DAYS)
    for b in frame[(frame.status == review.RETURNED) & (frame.reviewed_at >= since)].head(5).itertuples():
        st.warning(
            plain(f"批次 {b.id}（{b.file_name}）已被 {b.reviewed_by} 退回：{b.review_note}。请改正后重新导入。"),
            icon=":material/assignment_return:",
        )
