"""活动主题: each national campaign's participation year over year, and the campaigns by town and by bureau."""

import streamlit as st

from kepu import ui
from kepu.core.glossary import MEASURES
from kepu.figures import campaigns
from kepu.reports import charts
from kepu.storage import catalog

ROW = 35  # a table row's height in pixels: a table tall enough to show this many rows needs no scrolling


def render() -> None:
    f, plan, drill, view = ui.begin("campaigns", "活动主题")
    st.caption("全国科普日、科技活动周等全国性主题活动，按填报时的“活动主题”一列统计；不属于任何主题的活动不计入本页。")
    names = list(f.campaign) or ui.cached(catalog.campaign_names)
    if not names:
        st.info("规划中没有活动主题。")
        return
    drill.banner()
    towns = ui.cached(campaigns.by_town, drill.filters(f, leave_out=("town",)))
    bureaus = ui.cached(campaigns.by_bureau, drill.filters(f, leave_out=("bureau",)))
    town_names = ui.cached(catalog.towns).query("kind != '全区'").name.tolist()
    figures = campaigns.headline(ui.cached(campaigns.totals, view), towns, bureaus, town_names)
    for column, (label, value) in zip(st.columns(len(figures)), figures.items(), strict=True):
        column.metric(label, value)
    measure, years = ui.measure_picker("campaigns:measure"), f.period.years
    word = MEASURES[measure]

    st.subheader(ui.plain(f"各主题逐年{word}"))
    frame = ui.cached(campaigns.by_campaign, drill.filters(f, leave_out=("campaign",)))
    if not frame.empty:
        drill.plot(
            charts.grouped(frame, "campaign", "year", measure, names, drill.values.get("campaign")),
            ("campaign",),
            "campaign-chart",
        )
    table = campaigns.year_table(frame, "campaign", measure, names, years)
    drill.table(campaigns.styled(table), "campaign", "campaign-years", values=names)

    about = campaigns.described(drill.filters(f))
    st.subheader(ui.plain(f"按镇街逐年（{about}，{word}）"))
    rows = list(f.town) or ui.cached(catalog.towns).name.tolist()
    by_town = campaigns.ranked(campaigns.year_table(towns, "town", measure, rows, years), keep=rows)
    shown = by_town["镇街"].tolist()
    drill.table(campaigns.styled(by_town), "town", "campaign-towns", values=shown, height=ROW * (len(shown) + 1) + 3)

    st.subheader(ui.plain(f"按责任单位逐年（{about}，{word}）"))
    rows = list(f.bureau) or ui.cached(catalog.bureaus)
    by_bureau = campaigns.ranked(campaigns.year_table(bureaus, "bureau", measure, rows, years))
    shown = by_bureau["责任单位"].tolist()
    height = ROW * (min(len(shown), 20) + 1) + 3
    drill.table(campaigns.styled(by_bureau), "bureau", "campaign-bureaus", values=shown, height=height)
    st.caption("只列出有主题活动的单位；镇人民政府、街道办事处一行是镇街自己组织的活动。点击表中的行可下钻。")

    with st.expander("各主题的时间、面向人群和相关任务"):
        st.dataframe(campaigns.windows(ui.cached(catalog.campaigns, plan.id)), hide_index=True)
        st.caption("活动日期不在该主题当年的时间内时，导入时照常计入所填主题，并在导入结果中提示核对。")

    if drill.active:
        st.subheader("对应的活动记录")
        ui.records_table(campaigns.scope(view, names), "campaigns:records")
