"""Tables as the pages show them: Chinese headers, plain text, the figures from kepu's queries. No streamlit."""

from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

from kepu.core import words
from kepu.core.glossary import TARGET_KIND_LABELS
from kepu.core.standing import StandingJSON
from kepu.storage import target_admin

ASSIGNED_SILENT = "未报送"
STYLE_LIMIT = 200  # rows beyond which a table is shown plain: styling each cell costs more than it shows
NOT_ASSIGNED = ""


def records(frame: pd.DataFrame) -> pd.DataFrame:
    """Activity records (queries.records) with Chinese headers, dates as text, cohorts joined."""
    return pd.DataFrame(
        {
            "活动编号": frame.ref,
            "活动名称": frame.title,
            "开始日期": pd.to_datetime(frame.start_date).dt.strftime("%Y-%m-%d"),
            "结束日期": pd.to_datetime(frame.end_date).dt.strftime("%Y-%m-%d"),
            "镇街": frame.town,
            "责任单位": frame.bureau,
            "人群": ["、".join(c) for c in frame.cohorts],
            "重点工程": frame.project.fillna(""),
            "任务": frame.task.fillna(""),
            "活动类型": frame.activity_type,
            "参与人次": frame.participants,
            "经费（元）": frame.funding,
            "活动主题": frame.campaign.fillna(""),
            "备注": frame.note.fillna(""),
        }
    )


def lagging_towns(frame: pd.DataFrame) -> pd.DataFrame:
    """summary.lagging_towns for display."""
    return pd.DataFrame(
        {
            "镇街": frame.town,
            "人次/千人": frame.participants_per_1000.round(0),
            "为平均水平": frame.share_of_average * 100,
        }
    )


def lagging_bureaus(frame: pd.DataFrame) -> pd.DataFrame:
    """summary.lagging_bureaus for display."""
    return pd.DataFrame(
        {
            "责任单位": frame.bureau,
            "落实率": frame.coverage * 100,
            "未报送的任务": ["、".join(t) or "—" for t in frame.silent_tasks],
        }
    )


def lagging_tasks(frame: pd.DataFrame) -> pd.DataFrame:
    """summary.lagging_tasks for display."""
    return pd.DataFrame(
        {
            "任务": frame.code,
            "落实率": frame.coverage * 100,
            "未报送的单位": ["、".join(b) or "—" for b in frame.silent_bureaus],
        }
    )


def tasks(frame: pd.DataFrame, standings: list[StandingJSON]) -> pd.DataFrame:
    """summary.task_standing for display. A task counted by a numeric target takes that target's status (the
    plan's 纲要目标 when a 区定目标 is set beside it, whose verdict 评定依据 then adds); the others are judged on
    责任落实率."""
    by_task: dict[str, list[StandingJSON]] = {}
    for s in standings:
        if task := s.get("task"):
            by_task.setdefault(task, []).append(s)
    status = [by_task[c][0]["status"] if c in by_task else s for c, s in zip(frame.code, frame.status, strict=True)]
    basis = [_judged_by(by_task[c]) if c in by_task else "责任落实率" for c in frame.code]
    return pd.DataFrame(
        {
            "任务": frame.code,
            "内容": frame.title,
            "状态": [s or "不评定" for s in status],
            "评定依据": basis,
            "落实率": frame.coverage * 100,
            "场次": frame.activities,
            "人次": frame.participants,
            "牵头单位": ["、".join(b) for b in frame.lead_bureaus],
            "未报送的单位": ["、".join(b) or "—" for b in frame.silent_bureaus],
        }
    )


def _judged_by(standings: list[StandingJSON]) -> str:
    """What a task's status judges, with the kind of target: 纲要目标：科技辅导员培训（另有区定目标：滞后）."""
    first, *rest = standings
    beside = "；".join(f"另有{words.basis(s)}：{words.status(s)}" for s in rest)
    return f"{words.basis(first)}：{first['name']}" + (f"（{beside}）" if beside else "")


def document_targets(frame: pd.DataFrame) -> pd.DataFrame:
    """The 纲要目标 rows of target_admin.editable_targets for the 目标管理 page: the plan's value (read-only)
    with the 区定目标 beside it as text to type over (empty when none; the one column a person edits)."""
    return pd.DataFrame(
        {
            **_target_keys(frame),
            "纲要目标": frame.value,
            "区定目标": [target_admin.as_text(v) for v in frame.district],
            **_target_changes(frame),
        }
    )


def other_targets(frame: pd.DataFrame) -> pd.DataFrame:
    """The other rows of target_admin.editable_targets (示例目标, and the 区定目标 they became) for the 目标管理
    page: the value (the one column a person edits) and what it rests on."""
    return pd.DataFrame({**_target_keys(frame), "依据": frame.basis, "目标值": frame.value, **_target_changes(frame)})


def _target_keys(frame: pd.DataFrame) -> dict[str, object]:
    return {
        "指标": frame.name,
        "单位": frame.unit,
        "类型": frame.kind.map(TARGET_KIND_LABELS),
        "年份": ["规划期" if pd.isna(y) else str(int(y)) for y in frame.year],
    }


def _target_changes(frame: pd.DataFrame) -> dict[str, object]:
    return {
        "修改人": frame.updated_by.fillna(""),
        "修改时间": frame.updated_at.dt.strftime("%Y-%m-%d %H:%M").fillna(""),
    }


def towns(frame: pd.DataFrame) -> pd.DataFrame:
    """queries.town_table for display, ranked by participants per 1,000 residents (全区 last)."""
    ranked = frame.sort_values("participants_per_1000", ascending=False, na_position="last")
    return pd.DataFrame(
        {
            "镇街": ranked.town,
            "类型": ranked.kind,
            "管理主体": ranked.admin,
            "人口": ranked.population,
            "人口为估算": ranked.population_estimated,
            "场次": ranked.activities,
            "人次": ranked.participants,
            "经费（元）": ranked.funding,
            "人次/千人": ranked.participants_per_1000.round(1),
        }
    ).reset_index(drop=True)


def matrix(
    frame: pd.DataFrame, rows: str, columns: str, measure: str, row_order: list[str], column_order: list[str]
) -> pd.DataFrame:
    """A breakdown by two dimensions as a matrix with rows and columns in the given orders (zeros filled)."""
    table = frame.pivot_table(index=rows, columns=columns, values=measure, aggfunc="sum", fill_value=0)
    extra_columns = [c for c in table.columns if c not in column_order]
    table = table.reindex(index=row_order, columns=column_order + extra_columns, fill_value=0)
    table.index.name, table.columns.name = None, None
    return table.astype("int64") if measure != "funding" else table


def assignments(rows: pd.DataFrame, bureaus: list[str], tasks: list[str]) -> pd.DataFrame:
    """The bureau × task matrix: a count where the bureau leads the task or reported on it, 未报送 where it
    leads the task and reported nothing, blank where it has no part in it."""
    cells = pd.DataFrame(NOT_ASSIGNED, index=bureaus, columns=tasks, dtype=object)
    for r in rows.itertuples(index=False):
        if r.bureau in cells.index and r.task in cells.columns:
            cells.loc[r.bureau, r.task] = ASSIGNED_SILENT if r.assigned and r.activities == 0 else str(r.activities)
    return cells


def town_governments(frame: pd.DataFrame) -> pd.DataFrame:
    """The towns' own governments' rows of queries.bureau_table for display, in the towns' order."""
    own = frame[frame.town.notna()]
    return pd.DataFrame(
        {
            "责任单位": own.bureau,
            "镇街": own.town,
            "场次": own.activities,
            "人次": own.participants,
            "经费（元）": own.funding,
        }
    ).reset_index(drop=True)


def bureau_coverage(frame: pd.DataFrame) -> pd.DataFrame:
    """summary.bureau_coverage for display, lowest 落实率 first."""
    frame = frame.sort_values(["coverage", "activities"])
    return pd.DataFrame(
        {
            "责任单位": frame.bureau,
            "牵头任务数": frame.assigned,
            "有报送的任务数": frame.reported,
            "落实率": frame.coverage * 100,
            "活动场次": frame.activities,
            "未报送的任务": ["、".join(t) or "—" for t in frame.silent_tasks],
        }
    ).reset_index(drop=True)


def heat(table: pd.DataFrame, columns: list[str] | None = None) -> Styler:
    """A numeric matrix (or its numeric `columns`) shaded from white to blue by value, so the eye finds the large and
    the empty cells."""
    shaded = table if columns is None else table[columns]
    top = max(float(shaded.to_numpy().max()), 1.0) if shaded.size else 1.0

    def shade(v):
        share = float(v) / top
        r, g, b = (int(255 - (255 - c) * share) for c in (31, 95, 168))
        ink = "white" if share > 0.55 else "black"
        return f"background-color: rgb({r},{g},{b}); color: {ink}"

    if columns is None:
        return table.style.map(shade).format("{:,.0f}")
    numbers = pd.Index([c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])])
    return table.style.map(shade, subset=pd.Index(columns)).format("{:,.0f}", subset=numbers)


def status_style(table: pd.DataFrame, column: str = "状态") -> Styler:
    """A table whose status column is coloured as well as worded (达标 green, 关注 orange, 滞后 red)."""
    colours = {"达标": "#2e7d32", "关注": "#e65100", "滞后": "#c62828", "完成": "#2e7d32", "未完成": "#c62828"}

    def paint(v):
        return f"color: {colours[v]}; font-weight: 600" if v in colours else "color: #757575"

    return table.style.map(paint, subset=[column])


def assignment_style(cells: pd.DataFrame) -> Styler:
    """The bureau × task matrix with silent lead bureaus in red and non-lead reports in grey."""

    def paint(v):
        if v == ASSIGNED_SILENT:
            return "background-color: #fde0dc; color: #b71c1c; font-weight: 600"
        return ""

    return cells.style.map(paint)


def pivot_or_list(frame: pd.DataFrame, dims: tuple[str, ...], measure: str) -> pd.DataFrame:
    """An ad-hoc breakdown as a table: one dimension as a list, two as a matrix with totals."""
    if len(dims) == 1:
        return frame[[dims[0], measure]].reset_index(drop=True)
    order = frame.groupby(dims[0])[measure].sum().sort_values(ascending=False).index.tolist()
    cols = frame.groupby(dims[1])[measure].sum().sort_values(ascending=False).index.tolist()
    if dims[0] in ("month", "year"):
        order = sorted(order)
    if dims[1] in ("month", "year"):
        cols = sorted(cols)
    return matrix(frame, dims[0], dims[1], measure, order, cols)


def ends(frame: pd.DataFrame, column: str, n: int) -> pd.DataFrame:
    """The n highest and n lowest rows by `column` (all rows when there are at most 2n), highest first."""
    ordered = frame.sort_values(column, ascending=False)
    return ordered if len(ordered) <= 2 * n else pd.concat([ordered.head(n), ordered.tail(n)])
