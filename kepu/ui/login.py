"""Who may write: logins for 填报员 and 管理员, checked on every run against the account as it is now."""

from __future__ import annotations

import datetime as dt
import os

import streamlit as st

from kepu.storage import audit, auth
from kepu.ui.data import cursor, direct
from kepu.ui.text import plain


def login_required() -> bool:
    """True when the deployment asks for a login even to view (KEPU_REQUIRE_LOGIN=1)."""
    return os.environ.get("KEPU_REQUIRE_LOGIN", "").strip().lower() in ("1", "true", "yes", "on")


def now() -> dt.datetime:
    """The time, as the login checks read it (a test moves it on)."""
    return dt.datetime.now()


def current_user() -> auth.User | None:
    """The logged-in user of this browser session, or None. Checked on every run against the account as it is
    now: a login ends after auth.SESSION_HOURS, and at once when the account is disabled or its password reset; a
    change of role or scope applies from the next run."""
    login = st.session_state.get("kepu:login")
    if not login:
        return None
    if now() - login["since"] > dt.timedelta(hours=auth.SESSION_HOURS):
        _end_login(f"登录已超过 {auth.SESSION_HOURS} 小时，请重新登录。", "expired")
        return None
    try:
        user = direct(auth.current_session, login["user"])
    except auth.AuthError as exc:
        _end_login(str(exc), "ended")
        return None
    login["user"] = user
    return user


def _end_login(why: str, reason: str) -> None:
    user = st.session_state.pop("kepu:login")["user"]
    st.session_state["kepu:ended"] = why
    direct(audit.record, user.name, "logout", reason=reason)
    return


def login_form(why: str) -> None:
    """A login form; on success the page reruns with the user logged in."""
    if ended := st.session_state.pop("kepu:ended", None):
        st.info(plain(ended))
    st.caption(plain(why))
    with st.form("kepu:login-form", width=420):
        name = st.text_input("用户名", key="kepu:login-name")
        password = st.text_input("密码", type="password", key="kepu:login-password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        try:
            user = auth.authenticate(cursor(), name.strip(), password, now=now())
        except auth.AuthError as exc:
            st.error(plain(str(exc)))
            return
        st.session_state["kepu:login"] = {"user": user, "since": now()}
        st.rerun()


def user_bar(user: auth.User) -> None:
    """Who is logged in, and a way out."""
    cols = st.columns([5, 1], vertical_alignment="center")
    cols[0].caption(plain(f"当前用户：{user.name}（{user.scope_text()}）"))
    if cols[1].button("退出登录", key="kepu:logout", width="stretch"):
        st.session_state.pop("kepu:login", None)
        direct(audit.record, user.name, "logout", reason="asked")
        st.rerun()
