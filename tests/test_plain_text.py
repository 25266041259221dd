"""Text from users and links is shown as text: a link parameter, a file name or a typed word never becomes a link,
an image the browser fetches, or markup. Streamlit renders messages as GitHub-flavoured Markdown; markdown-it-py's
gfm-like parser (with linkify) stands in for it here, and the browser test checks the real thing."""

import ast
import re
from pathlib import Path

import apps
import pytest
from apps import log_in
from markdown_it import MarkdownIt
from test_app_report import start

from kepu import ui

ROOT = Path(__file__).resolve().parent.parent
EVIL = "http://evil.example"
HOSTILE = [
    f"[点此重新登录]({EVIL})",
    f"![x]({EVIL}/x.png)",
    f"<img src={EVIL}/y.png>",
    "www.evil.example",
    "a@evil.example",
    f"{EVIL}/z",
    "**粗体** _斜体_ `代码` ~~删除~~",
    ":red[红字] :material/home:",
    "$x^2$",
    "# 标题\n- 列表\n1. 列",
    "<script>alert(1)</script>",
    "&lt;b&gt;",
    "a | b\n--|--\n1|2",
    "\\[x\\](y)",
    "> 引用",
]
_md = MarkdownIt("gfm-like")
# What GitHub's autolink extension (mdast-util-gfm-autolink-literal, which Streamlit uses) turns into links in text
# that is already parsed, whatever escapes it had: http(s)://…, www.… and a@b.c.
AUTOLINKS = [re.compile(r"(https?://|www(?=\.))[-.\w]+", re.I | re.A), re.compile(r"[-.+\w]+@[-\w]+(\.[-\w]+)+", re.A)]


def rendered(markdown: str) -> tuple[list[str], str]:
    """The kinds of markup `markdown` makes (beyond paragraphs and text) and the text a reader sees."""
    kinds, text = [], []
    for token in _md.parse(markdown):
        if token.type not in ("paragraph_open", "paragraph_close", "inline"):
            kinds.append(token.type)
        for child in token.children or []:
            if child.type == "text":
                text.append(child.content)
            elif child.type not in ("softbreak",):
                kinds.append(child.type)
    return kinds, "".join(text)


@pytest.mark.parametrize("text", HOSTILE)
def test_plain_text_renders_as_exactly_itself(text):
    kinds, shown = rendered(ui.plain(text))
    assert kinds == [], kinds
    assert not any(p.search(shown) for p in AUTOLINKS), shown
    assert shown.replace(ui.WORD_JOINER, "") == " ".join(text.split("\n"))  # the joiners show as nothing


@pytest.mark.parametrize("text", HOSTILE[:3])
def test_the_stand_in_parser_does_see_the_markup_unescaped(text):
    assert rendered(text)[0], "otherwise the test above could not fail"


def test_a_link_that_names_markdown_is_shown_as_text_on_the_meeting_screen(empty_store, monkeypatch):
    towns = [f"[点此重新登录]({EVIL})", f"![x]({EVIL}/x.png)"]
    at = apps.start(empty_store, monkeypatch, mode="present", town=towns, period=f"[2024]({EVIL})")
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 3
    for markdown in warnings:
        kinds, shown = rendered(markdown)
        assert kinds == [] and EVIL.removeprefix("http") in shown
        assert not any(p.search(shown) for p in AUTOLINKS), shown


@pytest.mark.slow  # a whole upload and undo under AppTest
def test_a_file_name_is_shown_as_text_in_the_import_and_undo_messages(empty_store, monkeypatch):
    from kepu.storage import auth, store

    path = empty_store
    con = store.connect(path)
    auth.add_user(con, "admin", "管理员")
    auth.set_password(con, "admin", "admin-pass-1")
    con.close()
    at = log_in(start(path, monkeypatch), "admin", "admin-pass-1")
    name = f"[点我]({EVIL}) ![x]({EVIL}/x.png).csv"
    rows = "活动名称,开始日期,镇街,责任单位,活动类型,参与人次\n讲座,2024-05-12,沙土镇,区科协,讲座,10\n"
    at.file_uploader[0].upload(name, rows.encode(), "text/csv").run()
    at.button(key="report:confirm").click().run()
    at.session_state["report:batches"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    at.button(key="report:undo-restore").click().run()
    assert not at.exception
    message = at.success[0].value
    kinds, shown = rendered(message)
    assert "已撤销批次" in shown and name in shown.replace(ui.WORD_JOINER, "") and kinds == []
    assert not any(p.search(shown) for p in AUTOLINKS), shown


# Every message, caption and tooltip the pages write goes through ui.plain, unless it is a constant of our own.

MARKDOWN_CALLS = {
    "markdown",
    "caption",
    "error",
    "warning",
    "info",
    "success",
    "toast",
    "title",
    "header",
    "subheader",
    "write",
}


def _ours(node) -> bool:
    """A string we wrote, text passed through plain(), or an f-string of those, constants and numbers."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.Call):
        func = node.func
        return (func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")) == "plain"
    if isinstance(node, ast.JoinedStr):
        return all(_interpolation_ours(v) for v in node.values if isinstance(v, ast.FormattedValue))
    return False


def _interpolation_ours(value: ast.FormattedValue) -> bool:
    inner = value.value
    constant = (isinstance(inner, ast.Name) and inner.id.isupper()) or (
        isinstance(inner, ast.Attribute) and inner.attr.isupper()
    )
    return _ours(inner) or constant or value.format_spec is not None  # a formatted number


def test_every_markdown_call_of_the_pages_shows_dynamic_text_through_plain():
    found = []
    for path in [*(ROOT / "app_pages").glob("*.py"), *(ROOT / "kepu" / "ui").glob("*.py"), ROOT / "streamlit_app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            if "unsafe_allow_html" in keywords:
                continue  # raw HTML, built with html.escape (kepu/slides.py, app_pages/present_page.py)
            shown = [node.args[0]] if node.func.attr in MARKDOWN_CALLS and node.args else []
            shown += [keywords["help"]] if "help" in keywords else []
            found += [f"{path.name}:{node.lineno}: {ast.unparse(a)[:60]}" for a in shown if not _ours(a)]
    assert found == []
