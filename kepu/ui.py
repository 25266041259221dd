"""The one module of kepu that imports streamlit: the cached connection and results, the shared filters,
the drill-down, and the widgets every page uses."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from functools import partial
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from kepu import audit, auth, catalog, charts, demo, exports, fmt, matching, queries, store, tables, words
from kepu.filters import Filters, Period
from kepu.glossary import DIMENSIONS, MEASURES
from kepu.plan import PlanError

RECORD_LIMIT = 500
FAVICON = str(Path(__file__).parent / "assets" / "favicon.png")  # a local file: the district's network may be closed
STATUS_BADGES = {"达标": ("green", ":material/check_circle:"), "关注": ("orange", ":material/error:"),
                 "滞后": ("red", ":material/cancel:"), None: ("gray", ":material/remove:"),
                 "数据异常": ("violet", ":material/report:")}
ADMIN_SHORT = {"牡丹区": "区直管", "菏泽经济技术开发区": "经开区", "菏泽高新技术开发区": "高新区"}


# --- data: one connection per process, a cursor per query, results cached by their arguments ---------------

@st.cache_resource(show_spinner="正在准备数据库（首次启动时生成演示数据，约需数秒）…")
def _connection(path: str):
    if not Path(path).exists():
        store.create_store(Path(path), fill=demo.fill, demo=True)
    return store.connect(Path(path))


def require_store() -> None:
    """Open the store, or say in Chinese why it cannot be opened and stop the page (never a traceback)."""
    try:
        cursor()
    except (store.StoreError, PlanError) as exc:
        st.error(plain(f"无法打开数据：{exc}"), icon=":material/error:")
        st.stop()


def cursor():
    """A fresh cursor on the app's one connection (DuckDB connections are not shared across threads)."""
    return _connection(str(store.default_path())).cursor()


def begin_run() -> None:
    """Open this script run's snapshot of the store: every figure the run shows is read from it, so a page shows
    the store either before or after a concurrent import, never a mix (and reads its data version once). What
    the run writes to the audit log is marked as coming from the dashboard, with the browser's address."""
    end_run()
    audit.set_origin(_origin())
    st.session_state["kepu:run"] = catalog.Snapshot(cursor())


def _origin() -> audit.Origin:
    try:
        address = st.context.ip_address
    except Exception:  # noqa: BLE001 (outside a browser session, e.g. under AppTest, there is none)
        address = None
    return audit.Origin(audit.APP, address=address if isinstance(address, str) else None)


def end_run() -> None:
    """Close the run's snapshot (also done by the next run, should this run have stopped early)."""
    run = st.session_state.pop("kepu:run", None)
    if run is not None:
        run.close()


def cached(fn, *args, **kwargs):
    """fn(cursor, *args, **kwargs) through the result cache, keyed by the store, the data version and the
    arguments; an import or undo changes the data version, so no stale figure survives it."""
    if "kepu:run" not in st.session_state:
        begin_run()
    run = st.session_state["kepu:run"]
    return _cached_call(run.con, str(store.default_path()), run.version, fn.__module__, fn.__qualname__, args,
                        tuple(sorted(kwargs.items())))


@st.cache_data(max_entries=2000, show_spinner=False)
def _cached_call(_con, path: str, data_version: int, module: str, name: str, args: tuple, kwargs: tuple):
    return getattr(sys.modules[module], name)(_con, *args, **dict(kwargs))


def direct(fn, *args, **kwargs):
    """fn(cursor, *args, **kwargs) run now, past the cache: for changes to the store, and for lists that must be
    current to the second (import history)."""
    return fn(cursor(), *args, **kwargs)


def today() -> dt.date:
    return dt.date.today()


# --- the shared filters: period, towns, bureaus; in the sidebar, in the URL, kept across pages ---------------

def shared_filters() -> None:
    """Render the shared filters in the sidebar. They live in the URL as period, town and bureau."""
    periods = cached(catalog.periods)
    default = str(cached(catalog.default_period, today()))
    towns = cached(catalog.towns)
    town_names = _towns_by_admin(towns)
    with st.sidebar:
        st.markdown("**筛选**")
        st.selectbox("期间", periods, index=periods.index(default), key="period", bind="query-params",
                     help="某一年，或整个规划期。活动按开始日期计入。")
        st.multiselect("镇街", town_names, key="town", bind="query-params", placeholder="全部镇街",
                       help="按管理主体排列：区直管18个、经开区3个、高新区3个；“全区”指不落在具体镇街的区级活动。")
        picks = {f"{ADMIN_SHORT[a]}{(towns.admin == a).sum()}个": towns[towns.admin == a].name.tolist()
                 for a in ADMIN_SHORT}
        st.pills("快速选择镇街", list(picks), key="town-pick", on_change=_pick_towns, args=(picks,),
                 help="按管理主体一键选择：区直管（牡丹区直接管理）、经开区、高新区")
        st.multiselect("责任单位", cached(catalog.bureaus), key="bureau", bind="query-params",
                       placeholder="全部责任单位")
        st.button("重置筛选", key="reset-filters", on_click=_reset, args=(default,), icon=":material/restart_alt:")


def presenting() -> bool:
    """True when the link asks for the meeting-room screen (mode=present)."""
    return st.query_params.get("mode") == "present"


def present_button() -> None:
    """Open the meeting-room screen in a new tab (to drag onto the big screen), with the filters of this view."""
    st.sidebar.link_button("会议大屏", link(mode="present"), icon=":material/slideshow:",
                           help="在新标签页全屏轮播总览、五大人群、四项重点工程和落后项，可拖到会议室大屏；保留当前筛选，"
                                "链接可转发。")


def link(**changes: str | None) -> str:
    """A link to this app showing this run's filters, with the link's other parameters changed by `changes` (None
    removes one). The filters come from the run, not the address bar, which lags a run behind a quick pick."""
    f = filters()
    pairs = [("period", str(f.period)), *(("town", t) for t in f.town), *(("bureau", b) for b in f.bureau)]
    pairs += [(k, v) for k in st.query_params for v in st.query_params.get_all(k)
              if k not in changes and k not in ("period", "town", "bureau")]
    pairs += [(k, v) for k, v in changes.items() if v is not None]
    return "?" + urlencode(pairs)


def url_filters() -> tuple[Filters, list[str]]:
    """The filters written in the link (period, town, bureau), for pages that show no sidebar; with what in the
    link could not be used, in words."""
    problems = []
    default = cached(catalog.default_period, today())
    try:
        period = Period.parse(st.query_params.get("period") or str(default))
        cached(catalog.plan_for, period)
    except (ValueError, PlanError):
        written = matching.visible(st.query_params.get("period") or "")[:60]
        problems.append(f"链接中的期间“{written}”无法识别，已显示{default.label()}")
        period = default
    towns, bureaus = [], []
    for kind, chosen, what in (("town", towns, "镇街"), ("bureau", bureaus, "责任单位")):
        known = cached(catalog.spellings, kind)
        for written in st.query_params.get_all(kind):
            name = known.get(matching.key(written))
            if name is None:
                problems.append(f"链接中的{matching.unknown(written, known, what)}，已忽略")
            elif name not in chosen:
                chosen.append(name)
    return Filters(period, town=tuple(towns), bureau=tuple(bureaus)), problems


def filters() -> Filters:
    """The shared filters, as the sidebar set them on this run (as the link gives them, on the meeting screen)."""
    if presenting():
        return url_filters()[0]
    return Filters(Period.parse(st.session_state["period"]), town=tuple(st.session_state.get("town") or ()),
                   bureau=tuple(st.session_state.get("bureau") or ()))


def _towns_by_admin(towns: pd.DataFrame) -> list[str]:
    order = {admin: i for i, admin in enumerate(ADMIN_SHORT)}
    towns = towns.assign(rank=towns.admin.map(order).fillna(len(order)))
    return towns.sort_values("rank", kind="stable").name.tolist()


def _pick_towns(picks: dict[str, list[str]]) -> None:
    choice = st.session_state.get("town-pick")
    if choice:
        st.session_state["town"] = picks[choice]
    st.session_state["town-pick"] = None


def _reset(default_period: str) -> None:
    st.session_state["period"] = default_period
    st.session_state["town"] = []
    st.session_state["bureau"] = []


def demo_banner() -> None:
    """Say plainly, on every page, when the store holds demo data."""
    if cached(catalog.is_demo):
        st.warning("当前显示的是**演示数据**（随机生成，仅供试用），不代表牡丹区的真实情况。正式使用请运行 "
                   "`uv run kepu init --empty --force` 后导入报送数据。", icon=":material/science:")


# --- status and targets ---------------------------------------------------------------------------------------

def status_badge(status: str | None, container=st) -> None:
    """The status as words and colour together (never colour alone)."""
    colour, icon = STATUS_BADGES[status]
    container.badge(status or "不评定", color=colour, icon=icon)


def standing_tile(s: dict) -> None:
    """One target (a `Standing.to_json()`): actual with its yearly trend, status, target, expected-by-now and
    the projection to the target date."""
    unit = s["unit"]
    with st.container(border=True):
        # The plan's long names wrap here; as a metric label they would be cut off.
        st.markdown(f"**{plain(s['name'])}**", help=plain(words.method(s)))
        st.metric(
            s["name"], words.actual(s), label_visibility="collapsed",
            chart_data=[v for _, v in s["trend"]] or None, chart_type="bar" if unit in ("人次", "场次") else "line",
        )
        cols = st.columns(2)
        status_badge(words.ANOMALY if s.get("anomaly") else s["status"], cols[0])
        cols[1].caption(plain(s["basis"]))
        st.caption(plain(f"目标 {fmt.value(s['target'], unit)} · 应达 {fmt.value(s['expected'], unit)}"))
        if outlook := words.projection(s):
            st.caption(f":material/trending_up: {plain(outlook)}", help=plain(words.method(s)))
        if s["note"]:
            st.caption(plain(s["note"]))


# --- drill-down: clicking a bar, a table row or a matrix cell narrows the page to it and shows its records ---

class Drill:
    """The selections made on one page's charts and tables. Each selection narrows the page's figures, except
    those of the chart or table it was made in (which keeps showing the alternatives)."""

    def __init__(self, page: str):
        self.page = page
        generation = st.session_state.get(f"{page}:generation", 0)
        self.prefix = f"{page}:{generation}:"
        self.specs: dict = st.session_state.setdefault(f"{page}:specs", {})
        self.values: dict[str, str] = {}
        for key, spec in self.specs.items():
            if key.startswith(self.prefix):
                self.values.update(_decode(st.session_state.get(key), spec))

    def filters(self, base: Filters, leave_out: tuple[str, ...] = ()) -> Filters:
        """`base` narrowed by every selection but those on the dimensions in `leave_out`."""
        chosen = {d: v for d, v in self.values.items() if d not in leave_out}
        return base.narrowed(**chosen) if chosen else base

    def chart(self, base: Filters, dims: tuple[str, ...], measure: str = "participants", title: str = "",
              name: str | None = None, limit: int | None = None) -> None:
        """A breakdown of `base` by one dimension (bars) or two (stacked bars); a click narrows the page."""
        frame = cached(queries.breakdown, self.filters(base, leave_out=dims), dims)
        if frame.empty:
            st.info(plain(f"{title or DIMENSIONS[dims[0]]}：筛选范围内没有记录"))
            return
        if len(dims) == 1:
            fig = charts.bar(frame, dims[0], measure, self.values.get(dims[0]), title, limit=limit)
        else:
            fig = charts.stacked(frame, dims[0], dims[1], measure, title)
        self.plot(fig, dims, name or "-".join(dims))

    def plot(self, fig, dims: tuple[str, ...], name: str) -> None:
        """A figure whose bars carry values of `dims` in customdata; clicking one narrows the page to it."""
        key = self.prefix + name
        self.specs[key] = {"dims": dims}
        st.plotly_chart(fig, key=key, on_select="rerun", selection_mode="points", config={"displayModeBar": False})

    def table(self, frame, dim: str, name: str, values: list[str] | None = None, **kwargs) -> None:
        """A table whose rows are values of `dim` (the column `dim`, or `values`); selecting a row narrows."""
        key = self.prefix + name
        self.specs[key] = {"dims": (dim,), "rows": list(values if values is not None else frame[dim])}
        st.dataframe(frame, key=key, on_select="rerun", selection_mode="single-row", hide_index=True, **kwargs)

    def matrix(self, frame, row_dim: str, col_dim: str, name: str, rows: list[str], columns: dict[str, str],
               **kwargs) -> None:
        """A matrix (rows: values of row_dim; `columns` maps column labels to values of col_dim); selecting a cell
        narrows to both."""
        key = self.prefix + name
        self.specs[key] = {"dims": (row_dim, col_dim), "rows": rows, "columns": columns}
        st.dataframe(frame, key=key, on_select="rerun", selection_mode="single-cell", **kwargs)

    @property
    def active(self) -> bool:
        return bool(self.values)

    def banner(self) -> None:
        """The current selections in words, with a button to clear them."""
        if not self.values:
            st.caption("提示：点击图中的柱条或表中的行、格，可下钻到该项并列出对应的活动记录。")
            return
        words = "；".join(f"{DIMENSIONS[d]} = {v}" for d, v in self.values.items())
        cols = st.columns([5, 1], vertical_alignment="center")
        cols[0].info(plain(f"已下钻：{words}（页面数字已按此缩小，对应记录见下方）"), icon=":material/filter_alt:")
        cols[1].button("清除下钻", key=f"{self.page}:clear", on_click=self._clear, width="stretch")

    def _clear(self) -> None:
        key = f"{self.page}:generation"
        st.session_state[key] = st.session_state.get(key, 0) + 1
        st.session_state[f"{self.page}:specs"] = {}


def _decode(event, spec: dict) -> dict[str, str]:
    """The dimension values a selection state points at (the state arrives as a plain dict or Streamlit's object)."""
    if not event or "selection" not in event:
        return {}
    selection = event["selection"]
    dims = spec["dims"]
    if selection.get("points"):
        custom = selection["points"][0].get("customdata")
        if custom is None:
            return {}
        custom = custom if isinstance(custom, list | tuple) else [custom]
        return {d: str(v) for d, v in zip(dims, custom, strict=False)}
    if selection.get("cells") and "columns" in spec:
        row, column = selection["cells"][0]
        if row < len(spec["rows"]) and column in spec["columns"]:
            return {dims[0]: spec["rows"][row], dims[1]: spec["columns"][column]}
        return {}
    if selection.get("rows") and "rows" in spec:
        row = selection["rows"][0]
        return {dims[0]: spec["rows"][row]} if row < len(spec["rows"]) else {}
    return {}


# --- records ------------------------------------------------------------------------------------------------

def records_table(f: Filters, key: str, search: str = "", order: str = "start_date", descending: bool = True) -> None:
    """The activity records behind a view: how many there are, and the first RECORD_LIMIT of them."""
    total = cached(queries.count_records, f, search)
    frame = cached(queries.records, f, search, order, descending, RECORD_LIMIT)
    shown = f"，显示前 {RECORD_LIMIT} 条" if total > RECORD_LIMIT else ""
    searched = f"，名称、编号或备注含“{search}”" if search else ""
    left, right = st.columns([5, 1], vertical_alignment="center")
    left.caption(plain(f"共 {total:,} 条记录{shown}（{words.filters(f)}{searched}）"))
    if total:
        # In place of the table's own CSV button (hidden: it lets formulas through); at most exports.RECORD_LIMIT.
        right.download_button("下载 CSV", partial(_export, "csv", f, today(), None, _requester(), search),
                              exports.file_name(f, "csv"),
                              exports.MIME["csv"], key=f"{key}:csv", on_click="ignore", icon=":material/download:",
                              width="stretch", help=f"下载这些记录（最多 {exports.RECORD_LIMIT:,} 条），Excel 可打开")
        st.dataframe(tables.records(frame), key=key, hide_index=True, width="stretch",
                     column_config=RECORD_COLUMNS)


RECORD_COLUMNS = {
    "参与人次": st.column_config.NumberColumn(format="localized"),
    "经费（元）": st.column_config.NumberColumn(format="localized"),
    "活动名称": st.column_config.TextColumn(width="large"),
}


def measure_picker(key: str) -> str:
    """Choose 场次, 人次 or 经费 for a page's breakdowns."""
    return st.segmented_control("指标", list(MEASURES), format_func=MEASURES.get, default="participants", key=key,
                                required=True)


def plan_groups() -> tuple[list, list]:
    """The cohorts and the projects of the plan the shared period falls in, as rows with name, slug, full_name."""
    plan = cached(catalog.plan_for, filters().period)
    groups = cached(catalog.groups, plan.id)
    rows = list(groups.itertuples(index=False))
    return [g for g in rows if g.kind == "cohort"], [g for g in rows if g.kind == "project"]


def begin(page: str, title: str, focus: str | None = None):
    """Start a page: its title, its export menu and caption. Returns the shared filters, the plan, the page's
    drill-down and the filters narrowed by it. `focus`: the cohort or project the page is about, if any."""
    f = filters()
    plan = cached(catalog.plan_for, f.period)
    drill = Drill(page)
    view = drill.filters(f)
    page_title(page, title, view, focus)
    page_caption(plan, view)
    return f, plan, drill, view


def page_title(page: str, title: str, f: Filters | None = None, focus: str | None = None) -> None:
    """A page's title with the 导出 menu for the view `f` (the shared filters, when not given) beside it."""
    left, right = st.columns([6, 1], vertical_alignment="center")
    left.title(plain(title))
    with right:
        export_menu(page, f or filters(), focus)


def export_menu(page: str, f: Filters, focus: str | None = None) -> None:
    """Take the view away: an Excel workbook, a Word briefing, the records as CSV. The files are made only when a
    button is clicked (on Streamlit's download thread, with a cursor of its own)."""
    as_of = today()
    with st.popover("导出", icon=":material/download:", width="stretch"):
        st.caption(plain(f"按当前筛选导出：{words.filters(f)}"))
        for label, kind, icon in (("Excel 工作簿（.xlsx）", "xlsx", ":material/table_view:"),
                                  ("Word 简报（.docx，含图表，约需数秒）", "docx", ":material/description:"),
                                  ("活动记录（.csv）", "csv", ":material/list_alt:")):
            st.download_button(label, partial(_export, kind, f, as_of, focus, _requester()),
                               exports.file_name(f, kind, focus),
                               exports.MIME[kind], key=f"{page}:export-{kind}", on_click="ignore", icon=icon,
                               width="stretch")


def _requester() -> tuple[str, audit.Origin]:
    """Who would download a file made later, on another thread: the logged-in user's name (访客 when nobody is
    logged in) and this session's origin, for the audit log."""
    login = st.session_state.get("kepu:login")
    return (login["user"].name if login else "访客"), audit.origin()


def _export(kind: str, f: Filters, as_of: dt.date, focus: str | None, requester: tuple[str, audit.Origin],
            search: str = "") -> bytes:
    """Make an export file (on Streamlit's download thread) and log that it was taken."""
    name, origin = requester
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


def plan_group(name: str):
    """The cohort or project called `name` in the plan of the shared period (name, kind, slug, full_name)."""
    cohorts, projects = plan_groups()
    return next(g for g in cohorts + projects if g.name == name)


def page_caption(plan, f: Filters) -> None:
    """Which plan, which view, and how fresh the data is."""
    latest = cached(queries.latest_activity_date)
    fresh = f"最新活动日期 {pd.Timestamp(latest):%Y-%m-%d}" if latest is not None else "尚无活动记录"
    st.caption(plain(f"{plan.name}（{plan.document}） · {words.filters(f)} · {fresh}"))


# --- who may write: logins for 填报员 and 管理员 -------------------------------------------------------------------

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
        return _end_login(f"登录已超过 {auth.SESSION_HOURS} 小时，请重新登录。", "expired")
    try:
        user = direct(auth.current_session, login["user"])
    except auth.AuthError as exc:
        return _end_login(str(exc), "ended")
    login["user"] = user
    return user


def _end_login(why: str, reason: str) -> None:
    user = st.session_state.pop("kepu:login")["user"]
    st.session_state["kepu:ended"] = why
    direct(audit.record, user.name, "logout", reason=reason)
    return None


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


# --- text from users and links: shown as text, never as markup ------------------------------------------------

# Streamlit renders messages, captions and markdown as Markdown (links, images, HTML, :color[…] directives, $math$,
# emphasis). A file name, a link parameter or a typed word must never become a link or fetch an image: the marks
# that make markup anywhere in a line are backslash-escaped (CommonMark shows an escaped mark as itself), the marks
# that do so only at the start of a line are escaped there, and line breaks become spaces. Escaping cannot stop
# GitHub's "autolinks": Streamlit turns http://…, www.… and a@b.c into links in the text it has already parsed. A
# WORD JOINER (U+2060, which shows as nothing) after http, www, mailto and before @ keeps them text.
_MARKUP = re.compile(r"([\\`*_{}\[\]()!|<>~:$&@])")
_LINE_START = re.compile(r"^(\s*)([#+\-=>]|\d+(?=[.)]))")
_AUTOLINK = re.compile(r"(?i)(https?|ftp|mailto|xmpp|www)(?=\\?[:.])|(?=\\@)")
WORD_JOINER = "\u2060"


def plain(text) -> str:
    """`text` for st.markdown, st.caption, st.error and the like, shown exactly as written (no Markdown, no HTML,
    no links)."""
    escaped = _MARKUP.sub(r"\\\1", re.sub(r"[\r\n]+", " ", str(text)))
    escaped = _AUTOLINK.sub(lambda m: (m[1] or "") + WORD_JOINER, escaped)
    return _LINE_START.sub(lambda m: m[1] + "\\" + m[2] if not m[2].isdigit() else m[0] + "\\", escaped)


# --- navigation ---------------------------------------------------------------------------------------------

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
