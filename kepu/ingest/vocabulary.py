"""What a row may name: each plan's towns, bureaus, cohorts, projects, tasks and observation series, every accepted
spelling mapped to the store's canonical name (Vocabulary), and which plan's vocabulary a row is checked against
(Vocabularies). Why an unknown name is refused, and that it belongs to another plan, is said here too."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from kepu.core import matching
from kepu.core.filters import Period
from kepu.core.glossary import OBSERVATIONS
from kepu.ingest.cells import Bad
from kepu.storage import catalog, db

EXPLAINED = 2_000  # distinct unknown names whose refusal says what differs from a known one (matching.differences)


@dataclass(frozen=True)
class Vocabulary:
    """What a row may name, with every accepted spelling mapped to the store's canonical name."""

    towns: dict[str, str]
    bureaus: dict[str, str]
    cohorts: dict[str, str]
    projects: dict[str, str]
    tasks: dict[str, str]  # code → the cohort or project it belongs to
    group_kinds: dict[str, str]  # cohort or project name → "cohort" / "project"
    series: dict[str, str]  # observation names → series code
    plan: catalog.PlanInfo | None = None  # the plan whose cohorts, projects and tasks these are
    campaigns: dict[str, str] = field(default_factory=dict)  # the plan's campaigns' spellings → name
    windows: dict[tuple[str, int], tuple[dt.date, dt.date]] = field(default_factory=dict)  # (campaign, year) → days
    governments: dict[str, str] = field(default_factory=dict)  # a town's own government → its town
    # Why an unknown value is unknown (matching.differences) is worked out once per distinct value and table.
    explained: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def lookup(self, value, table: dict[str, str], what: str) -> str:
        """The canonical name `value` means in `table` (one of this vocabulary's, or the activity types), or Bad
        saying what about it differs from a known name."""
        found = table.get(_key(value))
        if found is not None:
            return found
        text = str(value)
        why = self.explained.get((what, text))
        if why is None:
            # Working out what differs takes a close-match search; past the first few thousand distinct unknown
            # values (a file gone wrong, whose later errors are counted rather than listed) the plain reason will do.
            why = ""
            if len(self.explained) < EXPLAINED:
                why = self.explained[(what, text)] = "；".join(matching.differences(text, table))
        raise Bad(f"未知的{what}" + (f"：{why}" if why else "，请从模板的下拉列表中选择"))

    @classmethod
    def load(cls, con: db.Connection, plan_id: str) -> Vocabulary:
        """The vocabulary of the store for a plan."""
        towns = catalog.spellings(con, "town")
        bureaus = catalog.spellings(con, "bureau")
        groups = catalog.groups(con, plan_id)
        cohorts: dict[str, str] = {}
        projects: dict[str, str] = {}
        for name, kind, full_name in zip(groups.name, groups.kind, groups.full_name, strict=True):
            target = cohorts if kind == "cohort" else projects
            for spelling in {name, full_name, name.removesuffix("工程")}:
                target[_key(spelling)] = name
        task_table = catalog.tasks(con, plan_id)
        tasks = dict(zip(task_table.code, task_table.group_name, strict=True))
        series = {}
        for code, label in OBSERVATIONS.items():
            for spelling in {code, label, re.sub(r"[（(].*", "", label)}:
                series[_key(spelling)] = code
        series[_key("科学素质比例")] = "survey_rate"
        plan = next((p for p in catalog.plans(con) if p.id == plan_id), None)
        kinds = dict(zip(groups.name, groups.kind, strict=True))
        return cls(
            towns,
            bureaus,
            cohorts,
            projects,
            tasks,
            kinds,
            series,
            plan,
            catalog.campaign_spellings(con, plan_id),
            catalog.campaign_windows(con, plan_id),
            catalog.town_governments(con),
        )

    def campaign(self, text: str) -> str:
        """The campaign (活动主题) `text` names, by its name or an alias; Bad naming the allowed ones otherwise."""
        found = self.campaigns.get(_key(text))
        if found is None:
            allowed = "、".join(dict.fromkeys(self.campaigns.values()))
            raise Bad(
                f"未知的活动主题，可选：{allowed}；不属于这些主题的活动请留空"
                if allowed
                else "本规划没有活动主题，请留空"
            )
        return found

    def outside_window(self, campaign: str, day: dt.date) -> tuple[dt.date, dt.date] | None:
        """The campaign's days in `day`'s year when `day` falls outside them (None: inside, or not known)."""
        days = self.windows.get((campaign, day.year))
        return days if days and not days[0] <= day <= days[1] else None


class Vocabularies:
    """Every plan's vocabulary, and which one a row is checked against: the plan its start date falls in; for a
    date outside every plan, the one catalog.plan_for gives a view of that year (the latest plan begun by then);
    for a row without a usable date, the plan of today's default period."""

    def __init__(self, con: db.Connection, today: dt.date) -> None:
        self._con = con
        self._plans = catalog.plans(con)
        self._by_plan = {p.id: Vocabulary.load(con, p.id) for p in self._plans}
        self.default = self._by_plan[catalog.plan_for(con, catalog.default_period(con, today)).id]
        self._by_year: dict[int, tuple[Vocabulary, bool]] = {}  # year → its vocabulary, and whether a plan covers it

    def for_day(self, day: dt.date | None) -> Vocabulary:
        """The vocabulary a row starting on `day` is checked against."""
        return self.default if day is None else self._year(day.year)[0]

    def _year(self, year: int) -> tuple[Vocabulary, bool]:
        if year not in self._by_year:
            period = Period(year, year)
            chosen = catalog.plan_for(self._con, period)
            covered = catalog.covering_plan(self._con, period, self._plans) is not None
            self._by_year[year] = (self._by_plan[chosen.id], covered)
        return self._by_year[year]

    def in_any_plan(self, table: str, key: str) -> str | None:
        """What `key` means in some plan's `table` (cohorts, projects, campaigns: the name; tasks: the code), or None.
        A row without a usable date is refused for its date; what else it names is judged once the date is put right."""
        found = next((v for v in self._by_plan.values() if key in getattr(v, table)), None)
        return None if found is None else key if table == "tasks" else getattr(found, table)[key]

    def elsewhere(self, what: str, key: str, table: str, day: dt.date | None) -> str | None:
        """Why a row starting on `day` may not name `what` (a 人群, 重点工程 or 任务 of another plan, found under `key`
        in that plan's vocabulary's `table`): which plan it belongs to, and which plan the row's date falls in.
        None when no other plan knows it either, or the row has no date."""
        if day is None:
            return None
        vocab = self.for_day(day)
        theirs = [_plan_label(v.plan) for v in self._by_plan.values() if v is not vocab and key in getattr(v, table)]
        if not theirs:
            return None
        ours, belongs = _plan_label(vocab.plan), f"{what}属于 {'、'.join(theirs)}"
        if self._year(day.year)[1]:
            return f"{belongs}，不属于本行开始日期 {day.isoformat()} 所在的 {ours}"
        return f"{belongs}；本行开始日期 {day.isoformat()} 不在任何规划期内，按 {ours}检查，该规划中没有此项"


def _plan_label(plan: catalog.PlanInfo | None) -> str:
    """A plan as error messages name it: 2021—2025年规划."""
    return f"{plan.period.label()}规划" if plan else "当前规划"


_key = matching.key
