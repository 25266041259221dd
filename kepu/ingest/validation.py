"""Checking a clerk's rows: tolerant as a person would be, strict where it matters. Every rejected row gets its
Excel row number, the column, the value and the reason, in Chinese. What a row may name, and against which plan,
is kepu.ingest.vocabulary."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from kepu.core import matching
from kepu.core.glossary import (
    ACTIVITY_COLUMNS,
    ACTIVITY_REQUIRED,
    ACTIVITY_TYPES,
    COHORT_SEPARATORS,
    OBSERVATION_COLUMNS,
    OBSERVATION_REQUIRED,
)
from kepu.ingest.cells import Bad, parse_date, parse_number
from kepu.ingest.cells import text as text_of
from kepu.ingest.reading import FileRejected, Sheet, header_key
from kepu.ingest.vocabulary import Vocabularies, Vocabulary
from kepu.storage import queries

EARLIEST = dt.date(2000, 1, 1)
MAX_LENGTH = {"活动编号": 64, "活动名称": 200, "备注": 500, "来源": 200}
MAX_PARTICIPANTS = 10_000_000
MAX_FUNDING = 10_000_000_000  # 元
# What each observation series may hold: its unit's range.
SERIES_MAX = {"survey_rate": 100.0, "science_funding": float(MAX_FUNDING)}
_SPLIT = re.compile("[" + re.escape(COHORT_SEPARATORS) + r"\s]+")
_TASK = re.compile(r"([A-Z]+\d+)(?![0-9])")  # a code, then perhaps its title


@dataclass(frozen=True)
class RowError:
    row: int  # as Excel numbers it
    column: str
    value: str
    reason: str

    def to_json(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


# A file of 200,000 wrong rows would otherwise carry millions of errors: the first MAX_ERRORS are listed in full,
# the rest only counted (every rejected row still counts in rejected_rows).
MAX_ERRORS = 10_000


@dataclass
class Checked:
    """The outcome of checking a file: the valid rows (with their row numbers) and the errors (the first
    MAX_ERRORS of them; errors_omitted counts the rest)."""

    rows: pd.DataFrame
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0  # data rows, not counting entirely empty ones
    notes: list[str] = field(default_factory=list)  # about the file as a whole (e.g. a hidden sheet not read)
    rejected_rows: int = 0  # rows with at least one error
    errors_omitted: int = 0

    def add(self, row_errors: list[RowError]) -> None:
        """Count a row's errors (if any), keeping them while fewer than MAX_ERRORS are kept."""
        if not row_errors:
            return
        self.rejected_rows += 1
        room = max(0, MAX_ERRORS - len(self.errors))
        self.errors += row_errors[:room]
        self.errors_omitted += len(row_errors) - min(room, len(row_errors))


_key = matching.key


# --- activity rows -------------------------------------------------------------------------------------------


def check_activities(sheet: Sheet, vocabs: Vocabularies, today: dt.date, refusal: Refusal | None = None) -> Checked:
    """Check every row of an activity sheet, its cohorts, project and task against the plan its start date falls in
    (Vocabularies.for_day). `refusal(town, bureau)` says why the user may not report a row (None when they may)."""
    columns = _columns(sheet, ACTIVITY_COLUMNS, ACTIVITY_REQUIRED)
    latest = today + dt.timedelta(days=365)
    good, checked = [], Checked(pd.DataFrame())
    outside: dict[tuple[str, dt.date, dt.date], list[int]] = {}  # rows dated outside their campaign's days
    for number, row in zip(sheet.row_numbers, sheet.rows, strict=True):
        if not any(text_of(c) for c in row):
            continue  # an entirely empty row is no row at all
        checked.rows_read += 1
        cells = {name: (row[i] if i < len(row) else None) for name, i in columns.items()}
        row_errors = _formula_errors(sheet, number, columns, cells)
        if not row_errors:
            record, row_errors = _activity(number, cells, vocabs, latest, refusal)
            if not row_errors:
                good.append(record)
                start, campaign = record["start_date"], record["campaign"]
                if campaign and (days := vocabs.for_day(start).outside_window(campaign, start)):
                    outside.setdefault((campaign, *days), []).append(number)
        checked.add(row_errors)
    checked.rows = pd.DataFrame(good, columns=[*_ACTIVITY_FIELDS, "ref_key", "title_key", "row"])
    checked.notes += [_outside_note(campaign, first, last, rows) for (campaign, first, last), rows in outside.items()]
    return checked


def _outside_note(campaign: str, first: dt.date, last: dt.date, rows: list[int]) -> str:
    """A campaign's rows dated outside its days that year: imported as written (the clerk knows what the activity
    was part of), but said, in case the 活动主题 or the date is a slip."""
    listed = "、".join(map(str, rows[:10])) + (f" 等 {len(rows)} 行" if len(rows) > 10 else " 行")
    return (
        f"第 {listed}的活动主题为“{campaign}”，开始日期却不在该主题 {first.year} 年的时间"
        f"（{first.month}月{first.day}日至{last.month}月{last.day}日）内；已按所填主题导入，如填错请改正后重新导入。"
    )


# refusal(town, bureau) → the column at fault and why the user may not report this (None: they may); bureau is
# None for an observation. auth.User.refusal is the one such rule.
Refusal = Callable[[str, str | None], tuple[str, str] | None]

_ACTIVITY_FIELDS = queries.RECORD_COLUMNS[1:]  # an activity record's columns, but its id (the store gives it)


def _formula_errors(sheet: Sheet, number: int, columns: dict[str, int], cells: dict) -> list[RowError]:
    return [
        RowError(number, name, _shown(cells[name]), "该单元格是公式，请复制后“选择性粘贴为数值”")
        for name, i in columns.items()
        if (number, i) in sheet.formulas
    ]


def _shown(value) -> str:
    """A cell's value as an error report shows it: invisible characters written out (沙土⟨U+200B⟩镇)."""
    return matching.visible(text_of(value))


def _activity(number, cells, vocabs: Vocabularies, latest: dt.date, refusal) -> tuple[dict, list[RowError]]:
    errors: list[RowError] = []
    out: dict = {"row": number}

    def cell(column, parse):
        raw = cells.get(column)
        text = text_of(raw)
        if not matching.clean(text):
            if column in ACTIVITY_REQUIRED:
                errors.append(RowError(number, column, _shown(raw), "必填项为空"))
            return None
        if column in MAX_LENGTH and len(text) > MAX_LENGTH[column]:
            errors.append(RowError(number, column, text[:40] + "…", f"内容过长（最多 {MAX_LENGTH[column]} 个字）"))
            return None
        try:
            return parse(raw, text)
        except Bad as exc:
            errors.append(RowError(number, column, _shown(raw), str(exc)))
            return None

    out["ref"] = cell("活动编号", lambda raw, t: matching.clean(t))
    out["title"] = cell("活动名称", lambda raw, t: matching.clean(t))
    start = out["start_date"] = cell("开始日期", lambda raw, t: _in_range(parse_date(raw), latest))
    end = cell("结束日期", lambda raw, t: _in_range(parse_date(raw), latest))
    if start and end and end < start:
        errors.append(RowError(number, "结束日期", end.isoformat(), "结束日期早于开始日期"))
    out["end_date"] = end or start
    vocab = vocabs.for_day(start)
    out["town"] = cell("镇街", lambda raw, t: vocab.lookup(t, vocab.towns, "镇街"))
    out["bureau"] = cell("责任单位", lambda raw, t: vocab.lookup(t, vocab.bureaus, "责任单位"))
    cohorts = cell("人群", lambda raw, t: _cohorts(t, vocabs, start)) or []
    project = cell("重点工程", lambda raw, t: _project(t, vocabs, start))
    task = cell("任务编号", lambda raw, t: _task(t, vocabs, start))
    out["activity_type"] = cell("活动类型", lambda raw, t: vocab.lookup(t, _TYPES, "活动类型"))
    out["campaign"] = cell("活动主题", lambda raw, t: _campaign(t, vocabs, start))
    out["participants"] = cell(
        "参与人次", lambda raw, t: int(parse_number(raw, "参与人次", high=MAX_PARTICIPANTS, integer=True))
    )
    out["funding"] = cell("经费（元）", lambda raw, t: round(parse_number(raw, "经费", high=MAX_FUNDING), 2)) or 0.0
    out["note"] = cell("备注", lambda raw, t: matching.clean(t))
    if task and start is not None:  # without a date, which plan's task this is cannot be known
        group = vocab.tasks[task]
        if vocab.group_kinds[group] == "cohort":
            if cohorts and group not in cohorts:
                errors.append(
                    RowError(
                        number, "任务编号", task, f"任务 {task} 属于“{group}”，与本行的人群“{'、'.join(cohorts)}”不符"
                    )
                )
            elif not cohorts:
                cohorts = [group]  # the task names its cohort
        elif project and project != group:
            errors.append(
                RowError(number, "任务编号", task, f"任务 {task} 属于“{group}”，与本行的重点工程“{project}”不符")
            )
        else:
            project = group
    out.update(cohorts=cohorts, project=project, task=task)
    out["ref_key"] = matching.key(out["ref"]) or None
    out["title_key"] = matching.key(out["title"]) or None
    if out["town"] and (own := vocab.governments.get(out["bureau"])) and own != out["town"]:
        why = f"{out['bureau']}是{own}自己的责任单位，只报送{own}的活动（本行镇街为{out['town']}）"
        errors.append(RowError(number, "责任单位", out["bureau"], why))
    if refusal and out["town"] and out["bureau"] and (refused := refusal(out["town"], out["bureau"])):
        column, why = refused
        errors.append(RowError(number, column, out["town"] if column == "镇街" else out["bureau"], why))
    return out, errors


_TYPES = {_key(t): t for t in ACTIVITY_TYPES}


def _in_range(day: dt.date, latest: dt.date) -> dt.date:
    if day < EARLIEST:
        raise Bad("日期早于 2000-01-01，请检查年份")
    if day > latest:
        raise Bad("日期晚于一年以后，请检查年份")
    return day


def _cohorts(text: str, vocabs: Vocabularies, day: dt.date | None) -> list[str]:
    vocab = vocabs.for_day(day)
    names = []
    for part in (p for p in _SPLIT.split(text) if p):
        name = vocab.cohorts.get(_key(part)) or (vocabs.in_any_plan("cohorts", _key(part)) if day is None else None)
        if name is None:
            known = "、".join(dict.fromkeys(vocab.cohorts.values()))
            why = vocabs.elsewhere(f"人群“{part}”", _key(part), "cohorts", day)
            raise Bad(f"{why}；可选：{known}" if why else f"未知的人群“{part}”，可选：{known}")
        if name not in names:
            names.append(name)
    return names


def _project(text: str, vocabs: Vocabularies, day: dt.date | None) -> str:
    vocab = vocabs.for_day(day)
    if _key(text) not in vocab.projects:
        if day is None and (name := vocabs.in_any_plan("projects", _key(text))):
            return name
        if why := vocabs.elsewhere(f"重点工程“{text}”", _key(text), "projects", day):
            raise Bad(why)
    return vocab.lookup(text, vocab.projects, "重点工程")


def _campaign(text: str, vocabs: Vocabularies, day: dt.date | None) -> str:
    if day is None and (name := vocabs.in_any_plan("campaigns", _key(text))):
        return name  # which plan's campaigns is known once the date is put right
    return vocabs.for_day(day).campaign(text)


def _task(text: str, vocabs: Vocabularies, day: dt.date | None) -> str:
    vocab = vocabs.for_day(day)
    m = _TASK.match(matching.key(text).upper())
    if m and m[1] not in vocab.tasks:
        if day is None and vocabs.in_any_plan("tasks", m[1]):
            return m[1]
        if why := vocabs.elsewhere(f"任务 {m[1]} ", m[1], "tasks", day):
            raise Bad(why)
    if not m or m[1] not in vocab.tasks:
        raise Bad(f"未知的任务编号，应为 {code_ranges(list(vocab.tasks))} 之一")
    return m[1]


def code_ranges(codes: list[str]) -> str:
    """Task codes in short: runs of one letter with consecutive numbers as first–last (Y1–Y5、F1–F3、E1)."""
    runs: list[list[str]] = []
    previous: tuple[str, int] | None = None
    for code in codes:
        m = re.fullmatch(r"([A-Z]+)(\d+)", code)
        here = (m[1], int(m[2])) if m else None
        if runs and here and previous and here == (previous[0], previous[1] + 1):
            runs[-1].append(code)
        else:
            runs.append([code])
        previous = here
    return "、".join(run[0] if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs)


def _columns(sheet: Sheet, expected: tuple[str, ...], required: tuple[str, ...]) -> dict[str, int]:
    """Where each expected column is in the sheet; the file is refused when a required one is missing."""
    wanted = {header_key(name): name for name in expected}
    found: dict[str, int] = {}
    for i, header in enumerate(sheet.headers):
        name = wanted.get(header_key(header))
        if name is None:
            continue
        if name in found:
            raise FileRejected(f"列“{name}”出现了两次，请删除多余的一列")
        found[name] = i
    missing = [name for name in required if name not in found]
    if missing:
        raise FileRejected(f"缺少必填列“{'”“'.join(missing)}”，请使用填报模板")
    return found


# --- observation rows ----------------------------------------------------------------------------------------


def check_observations(sheet: Sheet, vocab: Vocabulary, today: dt.date, refusal: Refusal | None = None) -> Checked:
    """Check every row of an observation sheet (指标, 年份, 镇街, 数值, 来源). `refusal(town, None)` says why the user
    may not report a town's value (None when they may)."""
    columns = _columns(sheet, OBSERVATION_COLUMNS, OBSERVATION_REQUIRED)
    good, checked = [], Checked(pd.DataFrame())
    seen: dict[tuple[str, int, str], int] = {}  # (series, year, town) → the row that gave it
    for number, row in zip(sheet.row_numbers, sheet.rows, strict=True):
        if not any(text_of(c) for c in row):
            continue
        checked.rows_read += 1
        cells = {name: (row[i] if i < len(row) else None) for name, i in columns.items()}
        row_errors = _formula_errors(sheet, number, columns, cells)
        record = {} if row_errors else _observation(number, cells, vocab, today, row_errors)
        if not row_errors and refusal and (refused := refusal(record["town"], None)):
            column, why = refused
            row_errors.append(RowError(number, column, _shown(cells[column]), why))
        if not row_errors:
            key = (record["series"], record["year"], record["town"])
            if key in seen:
                row_errors.append(
                    RowError(
                        number,
                        "指标",
                        _shown(cells["指标"]),
                        f"与第 {seen[key]} 行的指标、年份、镇街相同，请只保留一行",
                    )
                )
            else:
                seen[key] = number
                good.append(record)
        checked.add(row_errors)
    checked.rows = pd.DataFrame(good, columns=["series", "year", "town", "value", "source", "row"])
    return checked


def _observation(number, cells, vocab: Vocabulary, today: dt.date, errors: list[RowError]) -> dict:
    out = {"row": number}
    for column in OBSERVATION_COLUMNS:
        raw = cells.get(column)
        text = text_of(raw)
        if not matching.clean(text):
            if column in OBSERVATION_REQUIRED:
                errors.append(RowError(number, column, _shown(raw), "必填项为空"))
            continue
        try:
            if column == "指标":
                out["series"] = vocab.lookup(text, vocab.series, "指标")
            elif column == "年份":
                try:
                    out["year"] = int(parse_number(raw, "年份", low=2000, high=today.year + 1, integer=True))
                except Bad:
                    raise Bad(f"年份应为 2000 到 {today.year + 1} 之间的四位数") from None
            elif column == "镇街":
                out["town"] = vocab.lookup(text, vocab.towns, "镇街")
            elif column == "数值":
                high = SERIES_MAX.get(out.get("series", ""), float(MAX_FUNDING))
                if out.get("series") == "survey_rate":
                    try:
                        out["value"] = parse_number(raw, "数值", high=high)
                    except Bad as exc:
                        raise Bad(f"{exc}；比例应在 0 到 100 之间（单位为 %）") from None
                else:
                    out["value"] = parse_number(raw, "数值", high=high)
            elif len(text) > MAX_LENGTH["来源"]:
                raise Bad("内容过长（最多 200 个字）")
            else:
                out["source"] = matching.clean(text)
        except Bad as exc:
            errors.append(RowError(number, column, _shown(raw), str(exc)))
    out.setdefault("source", None)
    return out
