"""Driving the app under AppTest, the same way in every test: start it on a store (with link parameters and
environment), open a page, log in, read a metric.

AppTest.switch_page takes a page's file, but our pages are functions given to st.navigation, so open_page picks
the page by its url_path from AppTest's registered pages: its private attributes, used here and nowhere else."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
PAGES = ["", "youth", "farmers", "workers", "elderly", "officials", "resources", "informatization", "infrastructure",
         "grassroots", "towns", "bureaus", "campaigns", "records", "assessment", "reporting"]  # fmt: skip
# One page of each kind stands for the rest in the fast tier: the cohort and project pages share one template.
EACH_KIND = {"", "youth", "resources", "towns", "bureaus", "campaigns", "records", "report", "assessment", "reporting"}


def sweep(url_paths: list[str]) -> list:
    """`url_paths` for a parametrised test over pages: one page of each kind fast, the others marked slow."""
    return [p if p in EACH_KIND else pytest.param(p, marks=pytest.mark.slow) for p in url_paths]


def start(path: Path, monkeypatch: pytest.MonkeyPatch, page: str = "", env: dict | None = None, **query) -> AppTest:
    """The app on the store at `path`, run once with the link parameters `query` (a list for a repeated one) and the
    environment `env`, then switched to `page` (its url_path; "" for the overview, where every run starts)."""
    monkeypatch.setenv("KEPU_DB", str(path))
    for key, value in (env or {}).items():
        monkeypatch.setenv(key, value)
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return open_page(at, page) if page else at


def open_page(at: AppTest, url_path: str) -> AppTest:
    """Switch to the page registered by st.navigation under `url_path` ("" is the overview), and run."""
    at._page_hash = next(h for h, info in at._registered_pages.items() if info.get("url_pathname") == url_path)
    return at.run()


def url_paths(at: AppTest) -> set[str]:
    """The url_paths of the pages this run registered (a clerk is not given 目标管理, for instance)."""
    return {info.get("url_pathname") for info in at._registered_pages.values()}


def log_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="kepu:login-name").input(name)
    at.text_input(key="kepu:login-password").input(password)
    next(b for b in at.button if b.label == "登录").click()
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def metric(at: AppTest, label: str) -> str:
    return metrics(at)[label]


def type_question(at: AppTest, question: str) -> AppTest:
    """Type `question` into 问一句 and press Enter. The box is a select box that takes new text; the browser sends
    typed text as the widget's string value, which AppTest builds only from an option, so the text is added to the
    test's copy of the options first (only suggestions are offered by the app)."""
    box = at.selectbox(key="ask:text")
    if question not in box.options:
        box.options.append(question)
    return box.set_value(question).run()
