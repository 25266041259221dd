"""数据填报: download a template, upload it, read the check, confirm; the import history with undo/restore and each
batch's 佐证材料; for an administrator, the batches awaiting review."""

import hashlib

import pandas as pd
import streamlit as st

from kepu import ui
from kepu.ingest import batches, templates
from kepu.ingest.reading import FileRejected
from kepu.storage import review

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def render() -> None:
    ui.page_title("report", "数据填报")
    user = ui.current_user()
    if user is None:
        ui.login_form("导入、撤销报送数据需要登录。账户由区科协用 uv run kepu user add 创建。")
        return
    ui.user_bar(user)
    ui.review_queue(user)
    ui.backup_panel(user)

    st.subheader("① 下载填报模板")
    left, right = st.columns(2)
    left.download_button(
        "活动记录模板（.xlsx）",
        ui.cached(templates.activity_template),
        "活动记录填报模板.xlsx",
        XLSX,
        icon=":material/download:",
        key="report:template-activities",
        width="stretch",
    )
    right.download_button(
        "指标数据模板（.xlsx）",
        ui.cached(templates.observation_template),
        "指标数据填报模板.xlsx",
        XLSX,
        icon=":material/download:",
        key="report:template-observations",
        width="stretch",
    )

    st.subheader("② 上传并检查")
    ui.pending_notice(user)
    generation = st.session_state.get("report:generation", 0)
    upload = st.file_uploader(
        "选择填写好的文件（.xlsx 或 .csv，可为 GBK 编码）",
        type=["xlsx", "xls", "csv"],
        key=f"report:upload:{generation}",
    )
    if upload is not None:
        check_and_confirm(upload.name, upload.getvalue(), user)
    if "report:done" in st.session_state:
        st.success(ui.plain(st.session_state.pop("report:done")), icon=":material/task_alt:")

    st.subheader("③ 导入记录")
    history(user)


def check_and_confirm(name: str, data: bytes, user) -> None:
    """Check the file without writing, show what was found, and import on confirmation."""
    key = f"report:check:{hashlib.sha256(data).hexdigest()}:{user.name}"
    if key not in st.session_state:  # checking a large file takes seconds: once per upload
        try:
            st.session_state[key] = ui.direct(batches.import_file, data, name, user, dry_run=True)
        except FileRejected as exc:
            st.session_state[key] = str(exc)
            ui.direct(batches.log_refusal, user, name, str(exc))
    outcome = st.session_state[key]
    if isinstance(outcome, str):
        st.error(ui.plain(f"文件未导入：{outcome}"), icon=":material/block:")
        return
    valid = outcome.rows_read - outcome.rejected
    cols = st.columns(4)
    cols[0].metric("数据行", f"{outcome.rows_read:,}")
    cols[1].metric("通过检查", f"{valid:,}")
    cols[2].metric("有错误的行", f"{outcome.rejected:,}")
    cols[3].metric("已在库中（不重复计入）", f"{outcome.duplicates:,}")
    for note in outcome.notes:
        st.warning(ui.plain(note), icon=":material/visibility_off:")
    if outcome.errors:
        st.error(
            ui.plain(
                f"有 {outcome.rejected} 行未通过检查，请按下表修改后重新上传；也可以只导入通过检查的 {valid} 行。"
            ),
            icon=":material/error:",
        )
        errors = pd.DataFrame([e.to_json() for e in outcome.errors]).rename(
            columns={"row": "行号", "column": "列", "value": "值", "reason": "原因"}
        )
        st.dataframe(
            errors,
            hide_index=True,
            width="stretch",
            key="report:errors",
            column_config={"原因": st.column_config.TextColumn(width="large")},
        )
        if outcome.errors_omitted:
            st.caption(
                ui.plain(
                    f"错误过多，上表只列出前 {len(outcome.errors):,} 处，另有 {outcome.errors_omitted:,} 处未列出。"
                )
            )
        st.download_button(
            "下载错误清单（.xlsx）",
            batches.error_workbook(outcome.errors),
            "错误清单.xlsx",
            XLSX,
            icon=":material/download:",
            key="report:error-report",
        )
    new = outcome.imported
    if new == 0:
        st.info("没有需要导入的新记录。", icon=":material/info:")
        return
    if outcome.errors:
        agreed = st.checkbox(
            f"我确认只导入通过检查的 {new} 行，跳过有错误的 {outcome.rejected} 行（此操作会记入日志）",
            key="report:valid-only",
        )
        if agreed and st.button(f"只导入 {new} 行有效记录", type="primary", key="report:confirm-valid"):
            commit(name, data, user, valid_only=True)
    elif st.button(f"确认导入 {new} 行", type="primary", key="report:confirm"):
        commit(name, data, user, valid_only=False)


def commit(name: str, data: bytes, user, valid_only: bool) -> None:
    try:
        outcome = ui.direct(batches.import_file, data, name, user, valid_only=valid_only)
    except FileRejected as exc:
        st.error(ui.plain(f"文件未导入：{exc}"))
        return
    if not outcome.committed:
        st.error(ui.plain(outcome.message))
        return
    st.session_state["report:done"] = outcome.message
    st.session_state["report:generation"] = st.session_state.get("report:generation", 0) + 1  # clear the upload
    st.rerun()


def history(user) -> None:
    """The batches this user may see (a clerk: their own), with undo and restore."""
    frame = ui.direct(batches.batches, None if user.is_admin else user.name)
    if frame.empty:
        st.caption("还没有导入记录。")
        return
    ui.returned_notice(user, frame)
    states, reviews = ui.batch_states(frame)
    shown = pd.DataFrame(
        {
            "批次": frame.id,
            "导入时间": frame.created_at.dt.strftime("%Y-%m-%d %H:%M"),
            "导入人": frame.user_name,
            "文件": frame.file_name,
            "类型": frame.kind.map({"activities": "活动记录", "observations": "指标数据"}),
            "导入行数": frame.imported,
            "重复": frame.duplicates,
            "错误跳过": frame.rejected,
            "状态": states,
            "审核": reviews,
        }
    )
    event = st.dataframe(
        shown, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row", key="report:batches"
    )
    rows = event["selection"]["rows"] if event else []
    if not rows:
        st.caption("选中一个批次，可撤销（记录保留备查）或恢复，并查看、附上佐证材料。")
        return
    chosen = frame.iloc[rows[0]]
    undo_or_restore(chosen, user)
    ui.evidence_panel(user, int(chosen.id), attachable=chosen.status != review.RETURNED)


def undo_or_restore(chosen: pd.Series, user) -> None:
    """The undo (or, for an undone batch, restore) button of the chosen batch, or why the user may not."""
    undone = pd.notna(chosen.undone_at)
    label = f"恢复批次 {chosen.id}" if undone else f"撤销批次 {chosen.id}（{chosen.imported} 行）"
    refused = review.undo_refusal(chosen.status) or (
        user.restore_refusal(chosen.user_name, chosen.undone_by)
        if undone
        else None
        if user.may_undo(chosen.user_name)
        else "只能撤销自己导入的批次"
    )
    if refused:
        st.caption(ui.plain(f"{refused}。"))
    elif st.button(label, key="report:undo-restore", icon=":material/undo:" if not undone else ":material/redo:"):
        action = batches.restore if undone else batches.undo
        try:
            st.session_state["report:done"] = ui.direct(action, int(chosen.id), user)
        except batches.BatchError as exc:
            st.error(ui.plain(str(exc)))
            return
        st.rerun()
