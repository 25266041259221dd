"""What the 终期评估 (final evaluation) of a finished plan says: every target 完成 or 未完成, in the past tense and
year by year; each cohort's and project's tasks with their lead bureaus' 落实; what could not be measured; the
caveats. The Word report (final_doc) and the workbook (final_sheet) lay out this same content, so they never
disagree, and its figures are brief.gather's, so they match `kepu summary` and the pages."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from kepu.core import fmt, words
from kepu.core.errors import UserError
from kepu.core.filters import Filters
from kepu.core.glossary import UNSPECIFIED
from kepu.core.standing import StandingJSON
from kepu.figures import brief, targets
from kepu.figures.brief import Brief
from kepu.reports import final_targets
from kepu.storage import catalog, db

TITLE = "终期评估报告"
KINDS = {"cohort": "人群", "project": "重点工程"}
NAMED = 8  # bureaus named in a sentence; beyond this the sentence counts them and the table names them


@dataclass(frozen=True)
class Evaluation:
    """A finished plan's view, gathered once for the report: the brief, the plan, the indicators it counts without
    a target, and each task's lead bureaus with what they reported."""

    brief: Brief
    plan: catalog.PlanInfo
    unset: list[str]  # names of the plan's indicators that have no target
    duty: pd.DataFrame  # duties() of both kinds

    @property
    def targets(self) -> list[StandingJSON]:
        return self.brief["targets"]

    @property
    def years(self) -> tuple[int, ...]:
        return self.plan.period.years


def refusal(plans: list[catalog.PlanInfo], f: Filters, as_of: dt.date) -> str | None:
    """Why the view `f` cannot have a 终期评估 as of `as_of` (its period is not one plan's whole period, or that
    period has not ended), in words saying what to do; None when it can."""
    ended = [p for p in plans if as_of >= dt.date(p.end_year, 12, 31)]
    offer = (
        f"请把期间改为整个规划期 {ended[-1].period}（《{ended[-1].name}》）"
        if ended
        else "截至目前还没有已结束的规划，期中进展请导出工作简报"
    )
    plan = next((p for p in plans if p.period == f.period), None)
    if plan is None:
        return f"终期评估须覆盖一个规划的整个规划期，期间“{f.period.label()}”不是完整的规划期。{offer}。"
    if plan not in ended:
        return (
            f"《{plan.name}》的规划期到{plan.end_year}年12月31日才结束，截至{_date(as_of)}尚未结束，"
            f"终期评估须在规划期结束后生成。期中进展请导出工作简报（命令行：--kind briefing）。"
        )
    return None


def offered(con: db.Connection, f: Filters, as_of: dt.date) -> bool:
    """Whether the view `f` is a whole plan that has ended by `as_of`: the only view with a 终期评估."""
    return refusal(catalog.plans(con), f, as_of) is None


def evaluate(con: db.Connection, f: Filters, as_of: dt.date) -> Evaluation:
    """The evaluation of the view `f` (a whole plan, ended by `as_of`); a UserError saying what to do otherwise."""
    plans = catalog.plans(con)
    if problem := refusal(plans, f, as_of):
        raise UserError(problem)
    plan = next(p for p in plans if p.period == f.period)
    b = brief.gather(con, f, as_of)
    judged = {s["indicator"] for s in b["targets"]}
    indicators = catalog.indicators(con, plan.id)
    unset = [name for code, name in zip(indicators.code, indicators.name, strict=True) if code not in judged]
    return Evaluation(b, plan, unset, _duty(b))


def file_name(f: Filters, kind: str) -> str:
    """科学素质行动_终期评估报告_2021-2025.docx (with the towns and bureaus the view is narrowed to)."""
    parts = ["科学素质行动", TITLE, str(f.period), *f.town[:3], *f.bureau[:2]]
    return re.sub(r'[\\/:*?"<>|\s]+', "", "_".join(parts)) + f".{kind}"


# --- activity, cohorts, projects, tasks, bureaus ----------------------------------------------------------------


def year_totals(e: Evaluation) -> pd.DataFrame:
    """Each year of the plan with its activity. Columns: year, activities, participants, funding."""
    months = pd.DataFrame(e.brief["by_month"], columns=["month", "activities", "participants", "funding"])
    months["year"] = months.month.str[:4].astype(int)
    sums = months.groupby("year")[["activities", "participants", "funding"]].sum()
    return sums.reindex(list(e.years), fill_value=0).rename_axis("year").reset_index()


def duties(e: Evaluation, kind: str) -> pd.DataFrame:
    """Each task of the plan's cohorts (kind="cohort") or projects with each of its lead bureaus, in the plan's
    order, and what that bureau reported on it. Columns: kind, group, full_name, code, title, bureau, activities,
    participants, funding, reported."""
    return e.duty[e.duty.kind == kind].reset_index(drop=True)


def _duty(b: Brief) -> pd.DataFrame:
    """duties() of both kinds at once, from the brief's tasks (with their lead bureaus) and assignments."""
    groups = pd.DataFrame(b["groups"], columns=["name", "kind", "full_name"]).rename(columns={"name": "group"})
    leads = b["tasks"][["code", "group_name", "title", "lead_bureaus"]].explode("lead_bureaus").dropna()
    leads = leads.rename(columns={"group_name": "group", "lead_bureaus": "bureau"})
    reported = b["assignments"][b["assignments"].assigned].rename(columns={"task": "code"})
    measures = ["activities", "participants", "funding"]
    frame = leads.merge(reported[["code", "bureau", *measures]], on=["code", "bureau"], how="left")
    frame = frame.merge(groups, on="group", how="left").fillna(dict.fromkeys(measures, 0))
    frame["reported"] = frame.activities > 0
    columns = ["kind", "group", "full_name", "code", "title", "bureau", *measures, "reported"]
    return frame[columns].astype({"activities": "int64", "participants": "int64", "funding": "float64"})


def group_paragraph(e: Evaluation, kind: str, name: str) -> str:
    """A cohort's or project's result over the plan: its activity, its lead bureaus' 落实 and its targets."""
    totals = brief.group_totals(e.brief, kind)[name]
    text = (
        f"规划期内共开展活动{fmt.count(totals['activities'])}场次，参与{fmt.people(totals['participants'])}，"
        f"投入经费{fmt.money(totals['funding'])}。"
    )
    rows = duties(e, kind)
    rows = rows[rows.group == name]
    if len(rows):
        silent = rows[~rows.reported]
        text += (
            f"{rows.code.nunique()}项任务共有牵头单位{len(rows)}个（次），有报送的{int(rows.reported.sum())}个，"
            f"责任落实率{fmt.percent(rows.reported.mean())}"
        )
        if len(silent) > NAMED:  # the table lists them all
            text += f"；{len(silent)}个（次）未报送（见任务落实表）。"
        elif len(silent):
            named = "、".join(f"{r['bureau']}（{r['code']}）" for r in silent.to_dict("records"))
            text += f"；未报送的是{named}。"
        else:
            text += "，各牵头单位均有报送。"
    standings = [s for s in e.targets if s["group"] == name]
    if standings:
        text += "目标：" + "；".join(final_targets.sentence(s) for s in standings) + "。"
    else:
        text += "未设定数量目标，按责任落实情况评估。"
    return text


def bureau_sentence(e: Evaluation) -> str:
    """How many lead bureaus reported on every task they lead, and which did not."""
    bureaus = e.brief["bureaus"]
    if not len(bureaus):
        return "没有牵头任务的责任单位。"
    short = bureaus[bureaus.reported < bureaus.assigned]
    text = f"{len(bureaus)}个牵头单位中，牵头任务全部有报送的{len(bureaus) - len(short)}个"
    if len(short) > NAMED:  # the table lists them all
        text += f"，有牵头任务未报送的{len(short)}个（见各责任单位落实情况表）"
    elif len(short):
        named = "、".join(f"{r['bureau']}（{'、'.join(r['silent_tasks'])}）" for r in short.to_dict("records"))
        text += f"，有牵头任务未报送的{len(short)}个：{named}"
    return text + "。"


# --- what could not be measured, and the caveats ---------------------------------------------------------------


def unmeasured(e: Evaluation) -> list[str]:
    """What the evaluation could not measure, one item a line: targets not judged, years without data, surveys
    not taken, indicators without a target, tasks nobody reported on, records without a cohort, estimated
    populations. Empty when everything could be measured."""
    b, items = e.brief, []
    reasons: dict[str, list[StandingJSON]] = {}
    for s in e.targets:
        if s["state"] is None:  # a view narrowed to towns or bureaus: the district's targets are not shared out
            reason = targets.NOT_JUDGED if targets.NOT_JUDGED in s["note"] else s["note"] or "没有可比较的数据"
            reasons.setdefault(reason, []).append(s)
    items += [f"{words.named(group)}未评定：{reason}。" for reason, group in reasons.items()]
    for s in e.targets:
        missing = [y["year"] for y in s["years"] if y["actual"] is None]
        if missing:
            items.append(f"{words.labelled(s)}：{_years(missing)}无数据，这些年份按未达到计。")
        nothing = [y["year"] for y in s["years"] if y["actual"] == 0] if s["rule"] == "additive" else []
        if nothing:
            items.append(f"{words.labelled(s)}：{_years(nothing)}没有相关的活动记录（按0计）。")
        if s["rule"] == "level":
            taken = {y for y, _ in s["trend"]}
            if untaken := [y for y in e.years if y not in taken]:
                items.append(f"{words.labelled(s)}：{_years(untaken)}没有调查数据，按已有的调查评定。")
    if e.unset:
        items.append(f"以下指标有统计、未设定目标，不作评定：{'、'.join(e.unset)}。")
    counted = {s["task"] for s in e.targets if s["task"]}
    tasks = b["tasks"]
    if others := [c for c in tasks.code if c not in counted]:
        with_targets = [c for c in tasks.code if c in counted]
        which = (  # the shorter list: a long run of codes does not wrap well
            f"除{'、'.join(with_targets)}外，其余{len(others)}项任务"
            if 0 < len(with_targets) < len(others)
            else f"{'、'.join(others)}共{len(others)}项任务"
        )
        items.append(f"{which}没有单独的数量目标，只按牵头单位是否报送（责任落实率）评估，不评判活动的质量和效果。")
    if idle := [f"{t['code']}（{t['title']}）" for t in tasks.to_dict("records") if t["activities"] == 0]:
        items.append(f"以下任务在规划期内没有任何活动记录，无从评估其落实：{'、'.join(idle)}。")
    for kind, label in KINDS.items():
        spare = brief.group_totals(b, kind).get(UNSPECIFIED)
        if spare and spare["activities"]:
            items.append(
                f"{fmt.count(spare['activities'])}场次活动（{fmt.people(spare['participants'])}）未注明{label}，"
                f"计入总数，但不计入任何{label}。"
            )
    towns = b["towns"]
    estimated = towns[towns.population_estimated.fillna(False).astype(bool) & (towns.kind != "全区")]
    if len(estimated):
        items.append(f"{len(estimated)}个镇街的人口为估算值，附表中的每千人参与人次仅供参考，不宜据此排名问责。")
    return items


def caveats(e: Evaluation) -> list[str]:
    """The data notes, one paragraph each: demo data, populations, freshness, double counting (words.data_note);
    the scope; how a finished period is judged; what each basis and each rule means."""
    b = e.brief
    notes = [
        words.data_note(b),
        f"统计范围：{b['filters']}，共有{b['record_count']:,}条活动记录。"
        "活动按开始日期计入年份，一项活动在合计中只计一次。",
        "评定方法：" + words.FINISHED,
    ]
    if bases := words.bases_note(e.targets):
        notes.append(f"目标依据：{bases}")
    notes += [words.METHODS[rule] for rule in dict.fromkeys(s["rule"] for s in e.targets)]
    return notes


def _years(years: list[int]) -> str:
    return "、".join(f"{y}年" for y in years)


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def date_text(iso: str) -> str:
    """2026年3月1日."""
    return _date(dt.date.fromisoformat(iso))
