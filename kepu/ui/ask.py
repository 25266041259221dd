"""问一句: the box at the top of every page. A question in plain Chinese is read (kepu.core.ask), shown back in
words, and applied: the shared filters and the page's drill-down set, the page opened, or the export offered."""

from __future__ import annotations

import streamlit as st

from kepu.core import ask
from kepu.core.filters import offered
from kepu.core.glossary import DIMENSIONS
from kepu.figures.asking import suggestions, vocabulary
from kepu.reports import exports
from kepu.storage import catalog
from kepu.ui.data import cached, today
from kepu.ui.downloads import export_file, requester
from kepu.ui.drill import LINKED
from kepu.ui.filters import filters
from kepu.ui.nav import page
from kepu.ui.text import plain

KEY = "ask:text"
INTENT_PAGES = ("towns:intent", "bureaus:intent")  # the pages that answer an intent in words (落后)
# The section an intent asks for: the anchor of its heading on the page the answer opens.
SECTIONS = {"trend": "trend", "lagging": "ranking", "ranking": "ranking", "compare": "ranking"}
BOUND = ("period", "town", "bureau", "campaign", "asof")  # the sidebar's filters, bound to the link
EXAMPLES = "如：区农业农村局 农民 2024；沙土 青少年 明细；去年哪些镇街最落后；2024年简报"
# "/" (outside a text field) puts the cursor in the box, as on many sites' search boxes. Static code, no user text;
# registered once per browser tab.
FOCUS_KEY = """<script>
if (!window.__kpAskKey) {
  window.__kpAskKey = true;
  window.parent.document.addEventListener("keydown", (e) => {
    const t = e.target, typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    if (e.key !== "/" || typing || e.ctrlKey || e.metaKey || e.altKey) return;
    const box = window.parent.document.querySelector('input[aria-label="问一句"]');
    if (box) { e.preventDefault(); box.focus(); box.click(); }
  });
}
</script>"""


def ask_box() -> None:
    """The box, what the last question was read as, its unknown words and choices; then the page it asked for."""
    # A select box that takes new text: the browser filters the suggestions as one types (no run per key), and
    # Enter asks what was typed. "/" focuses it from anywhere on the page (FOCUS_KEY).
    st.selectbox(
        "问一句",
        cached(suggestions, today()),
        index=None,
        key=KEY,
        placeholder=EXAMPLES + "（按 / 键输入）",
        on_change=_asked,
        accept_new_options=True,
        icon=":material/search:",
    )
    st.html(FOCUS_KEY, unsafe_allow_javascript=True)
    answer: ask.Answer | None = st.session_state.get("ask:answer")
    if answer is None:
        return
    notes = [answer.understood]
    if answer.unknown_words:
        notes.append("未识别：" + "、".join(answer.unknown_words))
    notes += st.session_state.get("ask:problems", [])
    st.caption(plain("；".join(notes)))
    for i, choice in enumerate(answer.choices):
        cols = st.columns(len(choice["options"]) + 1)
        cols[0].caption(plain(f"“{choice['word']}”指："))
        for col, option in zip(cols[1:], choice["options"], strict=False):
            label = f"{option['value']}（{DIMENSIONS[option['dimension']]}）"
            col.button(plain(label), key=f"ask:choice:{i}:{option['value']}", on_click=_chose, args=(option,))
    if answer.action in ("docx", "xlsx"):
        _offer_export(answer)
    target = st.session_state.pop("ask:go", None)
    if target is not None:
        # Streamlit's switch clears the link, which it refuses while the sidebar's filters are bound to it; given
        # the parameters to keep, it drops the bound ones quietly and the sidebar writes them back on the new page.
        # Another page's drill-down is not carried over (the asked one is in the session).
        kept = [(k, v) for k in st.query_params for v in st.query_params.get_all(k) if k not in (*LINKED, *BOUND)]
        try:
            st.switch_page(page(target), query_params=kept)
        except KeyError:  # a page this user is not given
            st.session_state.pop("ask:pending", None)
            st.warning(plain(f"没有可打开的页面“{target}”"))


def _asked() -> None:
    text = st.session_state.get(KEY) or ""
    if not text.strip():
        st.session_state.pop("ask:answer", None)
        return
    answer = ask.parse(text, cached(vocabulary, today()), today())
    _apply(answer)


def _chose(option: dict) -> None:
    """A choice made for an ambiguous word: asked again with that meaning's canonical name in the word's place."""
    answer: ask.Answer = st.session_state["ask:answer"]
    choice = next(c for c in answer.choices if option in c["options"])
    text = (st.session_state.get(KEY) or "").replace(choice["word"], f" {option['value']} ", 1)
    st.session_state[KEY] = text
    _asked()


def _apply(answer: ask.Answer) -> None:
    """Keep what the answer sets (the shared filters, the page's drill-down and measure) for the next run, and ask
    to open its page. On a page switch Streamlit seeds the sidebar's bound widgets from the old link, so the values
    are written at the start of the run after the switch (`apply_asked`), before the sidebar is drawn."""
    problems = []
    values: dict[str, object] = {}
    if answer.period is not None:
        if offered(answer.period, cached(catalog.periods, today())):
            values["period"] = str(answer.period)
        else:
            problems.append(f"期间{answer.period.label()}不在可选的期间之内，期间未改变")
    for dim in ask.SHARED:
        if answer.filters[dim] or dim in ("town", "bureau"):
            values[dim] = list(answer.filters[dim])
    drill_page = _drill_page(answer.page)
    values[f"{drill_page}:asked"] = dict(answer.drill)
    values[f"{drill_page}:generation"] = st.session_state.get(f"{drill_page}:generation", 0) + 1
    if answer.measure:
        values[f"{drill_page}:measure"] = answer.measure
        if answer.page == "towns":
            values["towns:ranking"] = answer.measure
    values.update(dict.fromkeys(INTENT_PAGES))  # a new question ends what the last one asked of any page
    values[f"{drill_page}:intent"] = answer.intent
    if answer.action == "present":
        st.query_params["mode"] = "present"
    st.session_state["ask:scroll"] = SECTIONS.get(answer.intent or "")
    st.session_state["ask:answer"] = answer
    st.session_state["ask:problems"] = problems
    st.session_state["ask:pending"] = values
    st.session_state["ask:go"] = answer.page


def scroll_to_asked() -> None:
    """After the page an answer opened has been drawn, once: bring the section it asked for into view."""
    if "ask:go" in st.session_state:
        return
    anchor = st.session_state.pop("ask:scroll", None)
    if anchor in SECTIONS.values():  # a fixed id from SECTIONS, never user text
        st.html(f'<script>document.getElementById("{anchor}")?.scrollIntoView({{block: "start"}})</script>',
                unsafe_allow_javascript=True)  # fmt: skip


def apply_asked() -> None:
    """Write what the last question set into the session, once, after its page switch (before the sidebar)."""
    if "ask:go" in st.session_state:
        return  # the switch has not happened yet
    for key, value in st.session_state.pop("ask:pending", {}).items():
        st.session_state[key] = value


def _drill_page(url_path: str) -> str:
    """The name a page's drill-down is kept under (as the page gives it to ui.begin)."""
    if url_path == "":
        return "overview"
    slugs = set(cached(catalog.groups, cached(catalog.plan_for, filters().period).id).slug)
    return f"group:{url_path}" if url_path in slugs else url_path


def _offer_export(answer: ask.Answer) -> None:
    """The export asked for, of the view asked for: one click to download it."""
    f = filters()
    f = f.narrowed(**answer.drill) if answer.drill else f
    focus = next(iter(answer.filters["cohort"] or answer.filters["project"]), None)
    kind = answer.action or "docx"
    label = {"docx": "下载 Word 简报", "xlsx": "下载 Excel 工作簿"}[kind]
    st.download_button(
        label,
        lambda: export_file(kind, f, f.as_of or today(), focus, requester()),
        exports.file_name(f, kind, focus),
        exports.MIME[kind],
        key="ask:export",
        on_click="ignore",
        icon=":material/download:",
        type="primary",
    )
