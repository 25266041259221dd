"""Files made when a download button is clicked (on Streamlit's download thread, with a cursor of its own), and
the audit line that says who took them."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kepu.core.filters import Filters
from kepu.reports import exports, final
from kepu.storage import audit
from kepu.ui.data import cursor


def requester() -> tuple[str, audit.Origin]:
    """Who would download a file made later, on another thread: the logged-in user's name (访客 when nobody is
    logged in) and this session's origin, for the audit log."""
    login = st.session_state.get("kepu:login")
    return (login["user"].name if login else "访客"), audit.origin()


def export_file(
    kind: str, f: Filters, as_of: dt.date, focus: str | None, who: tuple[str, audit.Origin], search: str = ""
) -> bytes:
    """Make an export file (on Streamlit's download thread) and log that it was taken."""
    name, origin = who
    audit.set_origin(origin)
    con = cursor()
    if kind == "xlsx":
        data = exports.workbook(con, f, as_of, focus)
    elif kind == "docx":
        data = exports.briefing_document(con, f, as_of, focus)[0]  # without charts, the briefing says why
    else:
        data = exports.records_csv(con, f, search)
    exports.log(con, name, kind, f)
    return data


def final_file(kind: str, f: Filters, as_of: dt.date, who: tuple[str, audit.Origin]) -> bytes:
    """Make the 终期评估报告 (docx or xlsx, on Streamlit's download thread) and log that it was taken."""
    name, origin = who
    audit.set_origin(origin)
    con = cursor()
    data = exports.final_report(con, f, as_of, kind)
    exports.log(con, name, kind, f, report=final.TITLE)
    return data
