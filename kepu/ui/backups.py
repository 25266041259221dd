"""Backups kept by the running dashboard: one thread per server process makes a backup when the newest is older
than $KEPU_BACKUP_HOURS and keeps the newest $KEPU_BACKUP_KEEP (kepu.storage.backup); and an administrator's
panel to make one now and take the newest away. While the dashboard runs it holds a DuckDB store, so `kepu backup`
is refused: this is how a backup is made then. A PostgreSQL store is held by no process: each dashboard process
looks at the backup folder on the same schedule, and `kepu backup` works beside them."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import streamlit as st

from kepu.core.errors import UserError
from kepu.storage import audit, backup, db, pg_store, store
from kepu.storage.auth import User
from kepu.ui.data import cursor
from kepu.ui.text import plain

log = logging.getLogger("kepu.backup")
SCHEDULED = "定时备份"  # the name the audit log gives the dashboard's own backups


def start_scheduled_backups() -> None:
    """Start this process's backup thread, once (the first run of the first session starts it); none when
    scheduled backups are off ($KEPU_BACKUP_HOURS=0)."""
    location = store.default_path()
    if backup.settings(location).hours > 0:
        _scheduler(str(location))


@st.cache_resource(show_spinner=False)
def _scheduler(location: str) -> threading.Thread:
    root = cursor()  # the thread takes a fresh cursor of it for each backup (cursors are not shared by threads)
    thread = threading.Thread(target=_keep, args=(store.locate(location), root), name="kepu-backups", daemon=True)
    thread.start()
    return thread


def _keep(location: store.Location, root: db.Connection) -> None:
    audit.set_origin(audit.Origin(audit.APP))
    while True:
        chosen = backup.settings(location)
        try:
            if backup.due(chosen.folder, chosen.hours):
                made = _backed_up(root.cursor(), chosen, SCHEDULED)
                log.info("backup made: %s", made)
        except Exception:
            log.exception("scheduled backup failed")
        # Look again within a quarter of the interval (for short test intervals), at most every minute.
        time.sleep(min(60.0, max(0.5, chosen.hours * 3600 / 4)) if chosen.hours else 60.0)


def backup_panel(user: User) -> None:
    """For an administrator: where backups go and how often, the newest ones, 立即备份, and the newest to download."""
    if not user.is_admin:
        return
    chosen = backup.settings(store.default_path())
    with st.expander("数据备份", icon=":material/backup:"):
        every = f"每 {chosen.hours:g} 小时自动备份一次" if chosen.hours else "未开启自动备份（KEPU_BACKUP_HOURS=0）"
        st.caption(
            plain(
                f"{every}，保留最新的 {chosen.keep} 份；备份文件夹：{chosen.folder}。每份备份是一个 .tar 文件，"
                "其中的 kepu.duckdb 是完整的数据库（用 DuckDB 即可打开），另有全部佐证材料和校验清单；"
                f"恢复用 uv run kepu restore-backup 文件名{_restore_hint()}。"
            )
        )
        if done := st.session_state.pop("backup:done", None):
            st.success(plain(done), icon=":material/task_alt:")
        if failed := st.session_state.pop("backup:failed", None):
            st.error(plain(failed), icon=":material/error:")
        st.button("立即备份", key="backup:now", on_click=_now, args=(user.name,), icon=":material/backup:")
        found = backup.listed(chosen.folder)
        for path in reversed(found[-5:]):
            st.caption(plain(f"{path.name}　{path.stat().st_size / 1e6:.1f} MB"))
        if found:
            newest = found[-1]
            st.download_button(
                "下载最新的备份",
                lambda: newest.read_bytes(),
                newest.name,
                "application/x-tar",
                key="backup:download",
                on_click="ignore",
                icon=":material/download:",
            )


def _now(who: str) -> None:
    chosen = backup.settings(store.default_path())
    try:
        made = _backed_up(cursor(), chosen, who)
    except UserError as exc:
        st.session_state["backup:failed"] = str(exc)
        return
    st.session_state["backup:done"] = f"已备份到 {made}（{made.stat().st_size / 1e6:.1f} MB）"


def _backed_up(con: db.Connection, chosen: backup.Settings, who: str) -> Path:
    """backup.kept on a cursor of its own, closed after (on PostgreSQL a cursor is a connection of its own)."""
    try:
        made, _ = backup.kept(con, chosen, who)
    finally:
        con.close()
    return made


def _restore_hint() -> str:
    if pg_store.is_url(store.default_path()):
        return " --force（库中已有数据时；原库另存一份）"
    return "（先停止看板）"
