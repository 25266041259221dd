"""Navigation: the pages registered this run, so pages can link to one another by url_path."""

from __future__ import annotations

import streamlit as st

# Every session registers the same pages, so one registry serves all; it is rebuilt on each run.
_pages: dict[str, object] = {}


def navigation(sections: dict[str, list], hidden: bool = False):
    """st.navigation over these sections; remembers the pages so other pages can link to them by url_path."""
    _pages.update({p.url_path: p for pages in sections.values() for p in pages})
    return st.navigation(sections, position="hidden" if hidden else "top")


def page_style() -> None:
    """CSS for every page. Streamlit's own "Download as CSV" on tables writes text starting with = + - @ as is,
    which a spreadsheet runs as a formula; it is hidden, and the 导出 menu offers a neutralised CSV instead."""
    st.html('<style>button[aria-label="Download as CSV"] { display: none !important; }</style>')


def page(url_path: str):
    """The page registered under `url_path` (for st.page_link and st.switch_page)."""
    return _pages[url_path]
