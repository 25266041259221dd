"""The shared filters: period, towns, bureaus, campaigns; in the sidebar, in the URL, kept across pages; and links
that carry them (the meeting screen's)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import streamlit as st

from kepu.core import matching
from kepu.core.errors import UserError
from kepu.core.filters import Filters, Period, offered
from kepu.storage import catalog
from kepu.ui.data import cached, today
from kepu.ui.text import plain

EARLIEST = dt.date(2000, 1, 1)  # as the importer: no record is dated earlier


def shared_filters() -> None:
    """Render the shared filters in the sidebar. They live in the URL as period, town, bureau, campaign and asof."""
    periods = cached(catalog.periods, today())
    default = str(cached(catalog.default_period, today()))
    periods = [*periods, *_range_asked(periods)]
    admins = cached(catalog.administrations)  # 牡丹区 → 区直管…, as the plan names them
    ordered = cached(catalog.towns_by_admin)  # plain lists: this runs on every page run, for every session
    town_names = [name for name, _ in ordered]
    picks = {
        f"{short}{len(names)}个": names
        for a, short in admins.items()
        for names in [[name for name, admin in ordered if admin == a]]
    }
    counts = "、".join(picks)
    with st.sidebar:
        st.markdown("**筛选**")
        st.selectbox(
            "期间",
            periods,
            index=periods.index(default),
            key="period",
            bind="query-params",
            help="某一年，或整个规划期。活动按开始日期计入。",
        )
        st.multiselect(
            "镇街",
            town_names,
            key="town",
            bind="query-params",
            placeholder="全部镇街",
            help=plain(f"按管理主体排列：{counts}；“全区”指不落在具体镇街的区级活动。"),
        )
        st.pills(
            "快速选择镇街",
            list(picks),
            key="town-pick",
            on_change=_pick_towns,
            args=(picks,),
            help=plain("按管理主体一键选择：" + "、".join(f"{short}（{a}）" for a, short in admins.items())),
        )
        st.multiselect(
            "责任单位",
            cached(catalog.bureaus),
            key="bureau",
            bind="query-params",
            placeholder="全部责任单位",
            help="规划中的责任单位，其后是各镇街自己（镇人民政府、街道办事处）。",
        )
        st.multiselect(
            "活动主题",
            cached(catalog.campaign_names),
            key="campaign",
            bind="query-params",
            placeholder="全部活动",
            help="只看某些全国性主题活动（全国科普日、科技活动周……）中的活动：按填报时的“活动主题”一列。",
        )
        st.date_input(
            "截至日期",
            value=None,
            min_value=EARLIEST,
            max_value=today(),
            key="asof",
            bind="query-params",
            format="YYYY-MM-DD",
            help="看某一天当时的情况：此后开始的活动、此后才有的调查和经费数都不计，状态和预计按那一天计算。留空为今天。",
        )
        st.button("重置筛选", key="reset-filters", on_click=_reset, args=(default,), icon=":material/restart_alt:")


def _range_asked(periods: list[str]) -> list[str]:
    """A run of years (2023-2024) that 问一句 or the link asked for, offered beside the plan's periods and years."""
    asked = st.session_state.get("period") or st.query_params.get("period")
    try:
        period = Period.parse(asked) if asked else None
    except UserError:
        return []
    return [str(period)] if period and str(period) not in periods and offered(period, periods) else []


def presenting() -> bool:
    """True when the link asks for the meeting-room screen (mode=present)."""
    return st.query_params.get("mode") == "present"


def present_button() -> None:
    """Open the meeting-room screen in a new tab (to drag onto the big screen), with the filters of this view."""
    st.sidebar.link_button(
        "会议大屏",
        link(mode="present"),
        icon=":material/slideshow:",
        help="在新标签页全屏轮播总览、五大人群、四项重点工程、镇街分布和落后项，可拖到会议室大屏；保留当前筛选，链接可转发。",
    )


def link(**changes: str | None) -> str:
    """A link to this app showing this run's filters, with the link's other parameters changed by `changes` (None
    removes one). The filters come from the run, not the address bar, which lags a run behind a quick pick."""
    f = filters()
    pairs = [("period", str(f.period)), *(("town", t) for t in f.town), *(("bureau", b) for b in f.bureau)]
    pairs += [("campaign", c) for c in f.campaign]
    pairs += [("asof", f.as_of.isoformat())] if f.as_of else []
    pairs += [
        (k, v)
        for k in st.query_params
        for v in st.query_params.get_all(k)
        if k not in changes and k not in ("period", "town", "bureau", "campaign", "asof")
    ]
    pairs += [(k, v) for k, v in changes.items() if v is not None]
    return "?" + urlencode(pairs)


def url_filters() -> tuple[Filters, list[str]]:
    """The filters written in the link (period, town, bureau, campaign, asof), for pages that show no sidebar; with
    what in the link could not be used, in words."""
    problems = []
    default = cached(catalog.default_period, today())
    written = matching.visible(st.query_params.get("period") or "")[:60]
    try:
        period = Period.parse(st.query_params.get("period") or str(default))
    except UserError:
        problems.append(f"链接中的期间“{written}”无法识别，已显示{default.label()}")
        period = default
    if not offered(period, cached(catalog.periods, today())):  # what the sidebar's picker would not offer either
        problems.append(f"链接中的期间“{written}”不在可选的期间之内，已显示{default.label()}")
        period = default
    towns: list[str] = []
    bureaus: list[str] = []
    campaigns: list[str] = []
    for kind, chosen, what in (
        ("town", towns, "镇街"),
        ("bureau", bureaus, "责任单位"),
        ("campaign", campaigns, "活动主题"),
    ):
        known = cached(catalog.spellings, kind)
        for written in st.query_params.get_all(kind):
            name = known.get(matching.key(written))
            if name is None:
                problems.append(f"链接中的{matching.unknown(written, known, what)}，已忽略")
            elif name not in chosen:
                chosen.append(name)
    as_of = None
    if written_day := st.query_params.get("asof"):
        try:
            as_of = dt.date.fromisoformat(written_day.strip())
        except ValueError:
            problems.append(f"链接中的截至日期“{matching.visible(written_day)[:40]}”无法识别，已按今天计算")
        else:
            if not EARLIEST <= as_of <= today():
                problems.append(f"链接中的截至日期 {as_of} 不在 {EARLIEST} 到今天之间，已按今天计算")
                as_of = None
    return Filters(period, town=tuple(towns), bureau=tuple(bureaus), campaign=tuple(campaigns), as_of=as_of), problems


def filters() -> Filters:
    """The shared filters, as the sidebar set them on this run (as the link gives them, on the meeting screen)."""
    if presenting():
        return url_filters()[0]
    return Filters(
        Period.parse(st.session_state["period"]),
        town=tuple(st.session_state.get("town") or ()),
        bureau=tuple(st.session_state.get("bureau") or ()),
        campaign=tuple(st.session_state.get("campaign") or ()),
        as_of=st.session_state.get("asof"),
    )


def as_of() -> dt.date:
    """The day the view is judged on: the 截至日期 chosen, else today."""
    return filters().as_of or today()


def _pick_towns(picks: dict[str, list[str]]) -> None:
    choice = st.session_state.get("town-pick")
    if choice:
        st.session_state["town"] = picks[choice]
    st.session_state["town-pick"] = None


def _reset(default_period: str) -> None:
    st.session_state["period"] = default_period
    st.session_state["town"] = []
    st.session_state["bureau"] = []
    st.session_state["campaign"] = []
    st.session_state["asof"] = None
