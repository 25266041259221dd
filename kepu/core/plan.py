"""The plan as data: load and check a plan file (data/plan-*.yaml)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kepu.core.assessment_scheme import check as check_assessment
from kepu.core.errors import UserError
from kepu.core.glossary import ACTIVITY_TYPES, BASES, INDICATOR_BASES, TARGET_KINDS

DISTRICT = "全区"
DATA_DIR = Path(__file__).resolve().parents[2] / "data"  # the project's data folder: the plan files live there
TOWN_KINDS = ("街道", "镇")
REPORTING_CYCLES = {"monthly": "月", "quarterly": "季度", "yearly": "年"}


class PlanError(UserError):
    """A plan file that cannot be used; the message says what to fix, in Chinese."""


@dataclass(frozen=True)
class Task:
    code: str
    group: str  # the cohort or project the task belongs to
    title: str
    lead_bureaus: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    """A cohort (人群) or a key project (重点工程)."""

    name: str
    kind: str  # "cohort" or "project"
    slug: str
    full_name: str
    task_codes: tuple[str, ...]


@dataclass(frozen=True)
class Bureau:
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class District:
    """The district itself: its own name (牡丹区), who issues its briefings, and its census population."""

    place: str = ""
    issuer: str = ""
    population: int = 0
    population_source: str = ""


@dataclass(frozen=True)
class Administration:
    """Who administers some of the towns, with the short name the filters use (区直管, 经开区…)."""

    name: str
    short: str
    note: str = ""


@dataclass(frozen=True)
class Town:
    name: str
    kind: str  # 街道, 镇, or 全区 for district-wide work
    admin: str
    code: str | None
    population: int
    population_estimated: bool
    grid: tuple[int, int] | None = None  # (row, col) on the schematic tile map; None: not drawn on it


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    basis: str  # activities, observation or per_capita
    measure: str | None = None  # for activities: activities, participants or funding
    observation: str | None = None  # for observation and per_capita
    where: dict[str, str] = field(default_factory=dict)  # for activities: task, activity_type, cohort, project


@dataclass(frozen=True)
class Target:
    indicator: str
    kind: str  # annual, plan or level
    value: float
    basis: str  # 纲要目标 or 示例目标
    year: int | None = None  # for level: the year the value is due
    baseline_year: int | None = None  # for level


@dataclass(frozen=True)
class Campaign:
    """A recurring national campaign (全国科普日, 科技活动周…): its usual window each year (MM-DD, inclusive), the
    windows of years that differ, and the cohorts and tasks it usually serves."""

    name: str
    aliases: tuple[str, ...]
    window: tuple[str, str]  # ("09-01", "09-30")
    years: dict[int, tuple[str, str]] = field(default_factory=dict)  # year → its own window, where it differs
    cohorts: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()

    def window_in(self, year: int) -> tuple[dt.date, dt.date]:
        """The campaign's first and last day in `year`."""
        start, end = self.years.get(year, self.window)
        return dt.date.fromisoformat(f"{year}-{start}"), dt.date.fromisoformat(f"{year}-{end}")


@dataclass(frozen=True)
class Reporting:
    """How often units report and when a report is due: cycle monthly, quarterly or yearly; due on `due_day` of
    the month after the cycle ends."""

    cycle: str = "quarterly"
    due_day: int = 10


@dataclass(frozen=True)
class Plan:
    id: str
    name: str
    document: str
    issued: str
    start_year: int
    end_year: int
    cohorts: tuple[Group, ...]
    projects: tuple[Group, ...]
    tasks: tuple[Task, ...]
    bureaus: tuple[Bureau, ...]
    towns: tuple[Town, ...]  # the township units, then 全区
    indicators: tuple[Indicator, ...]
    targets: tuple[Target, ...]
    source: str = ""
    district: District = District()
    administrations: tuple[Administration, ...] = ()
    campaigns: tuple[Campaign, ...] = ()
    reporting: Reporting = Reporting()
    assessment: dict[str, Any] = field(default_factory=dict)  # the 考核 scheme as the plan file gives it

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.start_year, self.end_year + 1))

    def to_json(self) -> dict[str, object]:
        """The plan as one JSON-ready object (what `kepu plan show --json` prints)."""

        def groups(gs: tuple[Group, ...]) -> list[dict[str, str | list[str]]]:
            return [{"name": g.name, "full_name": g.full_name, "slug": g.slug, "tasks": list(g.task_codes)} for g in gs]

        return {
            "id": self.id,
            "name": self.name,
            "document": self.document,
            "issued": self.issued,
            "start_year": self.start_year,
            "end_year": self.end_year,
            "cohorts": groups(self.cohorts),
            "projects": groups(self.projects),
            "tasks": [{**asdict(t), "lead_bureaus": list(t.lead_bureaus)} for t in self.tasks],
            "bureaus": [{"name": b.name, "aliases": list(b.aliases)} for b in self.bureaus],
            "towns": [asdict(t) for t in self.towns],
            "district": asdict(self.district),
            "administrations": [asdict(a) for a in self.administrations],
            "indicators": [asdict(i) for i in self.indicators],
            "targets": [asdict(t) for t in self.targets],
        }


def plan_dir() -> Path:
    """The folder the plan files are read from: $KEPU_PLAN_DIR (tests point it at their own plans), else data/."""
    return Path(os.environ.get("KEPU_PLAN_DIR") or DATA_DIR)


def plan_files(folder: Path) -> list[Path]:
    """The plan files in a folder, oldest plan first."""
    return sorted(folder.glob("plan-*.yaml"))


def load_plan(path: Path) -> Plan:
    """Read and check one plan file; raise PlanError naming the file and the problem."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PlanError(f"无法读取规划文件 {path}：{exc}") from exc
    if not isinstance(raw, dict):
        raise PlanError(f"规划文件 {path} 不是有效的规划（应为键值结构）")
    try:
        return _build(raw, str(path))
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, PlanError):
            raise PlanError(f"规划文件 {path}：{exc}") from exc
        raise PlanError(f"规划文件 {path} 缺少或写错了字段：{exc}") from exc


def _build(raw: dict[str, Any], source: str) -> Plan:  # raw: the plan file as YAML read it
    bureaus = tuple(
        Bureau(b["name"], tuple(dict.fromkeys(_with_short_names([b["name"], *b.get("aliases", [])])[1:])))
        for b in raw["bureaus"]
    )
    resolve = bureau_resolver(bureaus)
    tasks: list[Task] = []
    cohorts: list[Group] = []
    projects: list[Group] = []
    for kind, key, out in (("cohort", "cohorts", cohorts), ("project", "projects", projects)):
        for g in raw[key]:
            codes = []
            for t in g["tasks"]:
                leads = tuple(dict.fromkeys(resolve(b) for b in t["lead_bureaus"]))
                tasks.append(Task(str(t["code"]), g["name"], t["title"], leads))
                codes.append(str(t["code"]))
            out.append(Group(g["name"], kind, g["slug"], g.get("full_name", g["name"]), tuple(codes)))
    district = raw["district"]
    towns = [
        Town(
            t["name"],
            t["kind"],
            t["admin"],
            t.get("code"),
            int(t["population"]),
            t.get("population_estimated", True),
            _grid(t.get("grid")),
        )
        for t in raw["towns"]
    ]
    towns.append(Town(district.get("name", DISTRICT), DISTRICT, "", None, int(district["population"]), False))
    plan = Plan(
        id=str(raw["id"]),
        name=raw["name"],
        document=raw.get("document", ""),
        issued=str(raw.get("issued", "")),
        start_year=int(raw["start_year"]),
        end_year=int(raw["end_year"]),
        cohorts=tuple(cohorts),
        projects=tuple(projects),
        tasks=tuple(tasks),
        bureaus=bureaus,
        towns=tuple(towns),
        indicators=tuple(Indicator(**i) for i in raw["indicators"]),
        targets=tuple(Target(**t) for t in raw["targets"]),
        source=source,
        district=District(
            district.get("place", ""),
            district.get("issuer", ""),
            int(district["population"]),
            district.get("population_source", ""),
        ),
        administrations=tuple(Administration(**a) for a in raw.get("administrations", [])),
        campaigns=tuple(_campaign(c) for c in raw.get("campaigns", [])),
        reporting=Reporting(**raw.get("reporting", {})),
        assessment=dict(raw.get("assessment") or {}),
    )
    _check(plan)
    return plan


def _grid(raw: Any) -> tuple[int, int] | None:  # a town's `grid: [row, col]`, if written
    if raw is None:
        return None
    row, col = raw  # ValueError (two values expected) when written otherwise
    if not (isinstance(row, int) and isinstance(col, int) and row >= 0 and col >= 0):
        raise ValueError(f"镇街的 grid 应为两个非负整数 [行, 列]，而不是 {raw}")
    return row, col


def _campaign(raw: dict[str, Any]) -> Campaign:
    def window(pair: list[str]) -> tuple[str, str]:
        start, end = (str(d).strip() for d in pair)
        for day in (start, end):
            dt.date.fromisoformat(f"2024-{day}")  # a real month and day (ValueError names it otherwise)
        return start, end

    return Campaign(
        raw["name"],
        tuple(raw.get("aliases", [])),
        window(raw["window"]),
        {int(y): window(w) for y, w in (raw.get("years") or {}).items()},
        tuple(raw.get("cohorts", [])),
        tuple(str(t) for t in raw.get("tasks", [])),
    )


def _with_short_names(names: list[str]) -> list[str]:
    """Each name, then the same without a leading 区 (区科协 → 科协; 区委… keeps its 区)."""
    out = []
    for n in names:
        out.append(n)
        if n.startswith("区") and not n.startswith("区委"):
            out.append(n[1:])
    return out


def bureau_resolver(bureaus: tuple[Bureau, ...]) -> Callable[[str], str]:
    """A function mapping a bureau name or alias to its canonical name (PlanError when unknown)."""
    lookup = {b.name: b.name for b in bureaus}
    for b in bureaus:
        for alias in b.aliases:
            lookup.setdefault(alias, b.name)

    def resolve(name: str) -> str:
        try:
            return lookup[name.strip()]
        except KeyError:
            raise PlanError(f"未知的责任单位“{name}”，请在 bureaus 中登记或添加别名") from None

    return resolve


def _check(plan: Plan) -> None:
    def unique(items: list[str], what: str) -> None:
        seen: set[str] = set()
        for item in items:
            if item in seen:
                raise PlanError(f"{what}“{item}”重复")
            seen.add(item)

    if plan.start_year > plan.end_year:
        raise PlanError("start_year 晚于 end_year")
    unique([t.code for t in plan.tasks], "任务编号")
    unique([g.name for g in plan.cohorts + plan.projects], "人群/重点工程")
    unique([g.slug for g in plan.cohorts + plan.projects], "slug")
    unique([b.name for b in plan.bureaus], "责任单位")
    unique([t.name for t in plan.towns], "镇街")
    unique([i.code for i in plan.indicators], "指标")
    admins = {a.name for a in plan.administrations}
    for town in plan.towns:
        if town.kind not in (*TOWN_KINDS, DISTRICT):
            raise PlanError(f"镇街“{town.name}”的类型应为街道或镇")
        if admins and town.kind != DISTRICT and town.admin not in admins:
            raise PlanError(f"镇街“{town.name}”的管理主体“{town.admin}”不在 administrations 中")
    groups = {g.name for g in plan.cohorts + plan.projects}
    codes = {t.code for t in plan.tasks}
    for ind in plan.indicators:
        if ind.basis not in INDICATOR_BASES:
            raise PlanError(f"指标 {ind.code} 的 basis 应为 {'、'.join(INDICATOR_BASES)} 之一")
        where = ind.where or {}
        if where.get("task") and where["task"] not in codes:
            raise PlanError(f"指标 {ind.code} 引用了不存在的任务 {where['task']}")
        for key in ("cohort", "project"):
            if where.get(key) and where[key] not in groups:
                raise PlanError(f"指标 {ind.code} 引用了不存在的{key} {where[key]}")
        if where.get("activity_type") and where["activity_type"] not in ACTIVITY_TYPES:
            raise PlanError(f"指标 {ind.code} 的活动类型 {where['activity_type']} 不在类型表中")
    unique([c.name for c in plan.campaigns], "活动主题")
    cohort_names = {g.name for g in plan.cohorts}
    for c in plan.campaigns:
        if unknown := [x for x in c.cohorts if x not in cohort_names] + [x for x in c.tasks if x not in codes]:
            raise PlanError(f"活动主题“{c.name}”引用了规划中没有的人群或任务：{'、'.join(unknown)}")
    if plan.reporting.cycle not in REPORTING_CYCLES or not 1 <= plan.reporting.due_day <= 28:
        raise PlanError(f"reporting 的 cycle 应为 {'、'.join(REPORTING_CYCLES)} 之一，due_day 应在 1 到 28 之间")
    indicators = {i.code for i in plan.indicators}
    for tgt in plan.targets:
        if tgt.indicator not in indicators:
            raise PlanError(f"目标引用了不存在的指标 {tgt.indicator}")
        if tgt.kind not in TARGET_KINDS:
            raise PlanError(f"指标 {tgt.indicator} 的目标类型应为 {'、'.join(TARGET_KINDS)} 之一")
        if tgt.basis not in BASES:
            raise PlanError(f"指标 {tgt.indicator} 的目标依据应为 {'、'.join(BASES)} 之一")
        if tgt.kind == "level" and (tgt.year is None or tgt.baseline_year is None):
            raise PlanError(f"指标 {tgt.indicator} 的水平目标需要 year 和 baseline_year")
    if problem := check_assessment(plan.assessment):
        raise PlanError(problem)
