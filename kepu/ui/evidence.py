"""佐证材料 on the 数据填报 page: the files of a batch (and of its records), each viewed, downloaded or removed, and an
upload to attach one. Every refusal is the store's Chinese sentence (kepu.storage.evidence), never a traceback."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from kepu.core.filetypes import ACCEPTED, KINDS
from kepu.storage import audit, evidence, review
from kepu.storage.auth import User
from kepu.ui.data import direct
from kepu.ui.text import plain

WHOLE_BATCH = 0  # the 附于 choice meaning the batch itself rather than one of its records
_OPEN, _DONE = "evidence:open", "evidence:done"


def evidence_panel(user: User, batch: int, attachable: bool = True) -> None:
    """The 佐证材料 of `batch` that `user` may see, with 查看/下载 and 删除, and (when `attachable`) an upload that
    attaches a file to the batch or to one of its records."""
    st.markdown(f"**批次 {batch:d} 的佐证材料**")
    if done := st.session_state.pop(_DONE, None):
        st.success(plain(done), icon=":material/task_alt:")
    files = direct(evidence.listing, user, batch=batch)
    if files.empty:
        st.caption("还没有佐证材料。")
    for row in files.itertuples():
        _file_row(user, row)
    opened = st.session_state.get(_OPEN)
    if opened is not None and opened["batch"] == batch and opened["id"] in set(files.id):
        _viewer(user, opened)
    if attachable:
        _attach_form(user, batch)


def _file_row(user: User, row: Any) -> None:  # a row of evidence.listing
    kind = KINDS[row.media_type]
    where = f"记录 {row.activity}“{row.title}”" if pd.notna(row.activity) else "整个批次"
    name, view, remove = st.columns([6, 1, 1], vertical_alignment="center")
    name.markdown(plain(row.file_name))
    name.caption(
        plain(
            f"{kind.label} · {evidence.size_text(int(row.size))} · 附于{where} · "
            f"{row.uploaded_by} 上传于 {pd.Timestamp(row.uploaded_at):%Y-%m-%d %H:%M}"
        )
    )
    if view.button("查看", key=f"evidence:view:{row.id}", icon=":material/visibility:", width="stretch"):
        _open(user, int(row.id), int(row.batch))
    may_remove = user.is_admin or row.uploaded_by == user.name
    if may_remove and remove.button("删除", key=f"evidence:remove:{row.id}", icon=":material/delete:", width="stretch"):
        try:
            st.session_state[_DONE] = direct(evidence.remove, int(row.id), user)
        except evidence.EvidenceError as exc:
            st.error(plain(str(exc)), icon=":material/block:")
            return
        st.session_state.pop(_OPEN, None)
        st.rerun()


def _open(user: User, evidence_id: int, batch: int) -> None:
    """Read a file (checked against its hash) for the viewer, and log that it was opened."""
    try:
        data, media_type, name = direct(evidence.content, evidence_id, user)
    except evidence.EvidenceError as exc:
        st.error(plain(str(exc)), icon=":material/error:")
        return
    direct(audit.record, user.name, "evidence.view", evidence=evidence_id, file=name)
    st.session_state[_OPEN] = {"id": evidence_id, "batch": batch, "data": data, "type": media_type, "name": name}


def _viewer(user: User, opened: dict) -> None:
    """The opened file: shown when it is a picture, and offered for download whatever it is."""
    with st.container(border=True):
        title, close = st.columns([6, 1], vertical_alignment="center")
        title.markdown(plain(f"查看：{opened['name']}"))
        if close.button("关闭", key="evidence:close", width="stretch"):
            st.session_state.pop(_OPEN, None)
            st.rerun()
        if KINDS[opened["type"]].is_image:
            st.image(opened["data"], width="content")
        else:
            st.caption(plain(f"{KINDS[opened['type']].label}请下载后用相应的程序打开。"))
        st.download_button(
            "下载",
            opened["data"],
            opened["name"],
            opened["type"],
            key="evidence:download",
            icon=":material/download:",
            on_click="ignore",
        )


def _attach_form(user: User, batch: int) -> None:
    """Upload a file and attach it to the batch or to one of its records."""
    generation = st.session_state.get(f"evidence:generation:{batch}", 0)
    records = direct(review.batch_rows, batch)
    choices = {WHOLE_BATCH: "整个批次"}
    if "title" in records:
        rows = zip(records.id, records.title, records.start_date, strict=True)
        choices |= {int(i): f"记录 {i}：{title}（{start:%Y-%m-%d}）" for i, title, start in rows}
    with st.form(f"evidence:form:{batch}:{generation}", border=True):
        upload = st.file_uploader(
            f"附上佐证材料（照片、签到表、文件；单个文件不超过 {evidence.size_text(evidence.limit_bytes())}）",
            key=f"evidence:upload:{batch}:{generation}",
            help=f"可接受：{ACCEPTED}。按文件内容判断类型，与文件名无关。",
        )
        target = st.selectbox(
            "附于", list(choices), format_func=choices.__getitem__, key=f"evidence:target:{batch}:{generation}"
        )
        submitted = st.form_submit_button("保存佐证材料", icon=":material/attach_file:")
    if not submitted:
        return
    if upload is None:
        st.warning("请先选择要上传的文件。", icon=":material/info:")
        return
    where = {"batch": batch} if target == WHOLE_BATCH else {"activity": target}
    try:
        st.session_state[_DONE] = direct(evidence.attach, upload.getvalue(), upload.name, user, **where)
    except evidence.EvidenceError as exc:
        st.error(plain(str(exc)), icon=":material/block:")
        return
    st.session_state[f"evidence:generation:{batch}"] = generation + 1  # clear the upload
    st.rerun()
