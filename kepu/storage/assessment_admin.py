"""The 考核 items scored by hand (组织领导, 信息报送, 示范创建 加分, a 扣分 without a rule): set or clear an
item's points for one unit and year, with a reason, by an administrator only. Each change and its audit line are
one transaction; a refused change is logged too."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd

from kepu.core import assessment_scheme
from kepu.core.assessment_scheme import KINDS, SIDES, Item, Scheme
from kepu.core.errors import UserError
from kepu.core.filters import Period
from kepu.core.numbers import parse_number
from kepu.storage import assessment_data, audit, catalog, db, store
from kepu.storage.auth import User

MAX_REASON = 500
SIDE_OF = {"town": "towns", "bureau": "bureaus"}


class AssessmentError(UserError):
    """A manual score that cannot be set as asked; the message says why, in Chinese."""


@dataclass(frozen=True)
class Target:
    """What a manual score is for: a year, a unit (its kind: town or bureau) and one by-hand item of the scheme."""

    year: int
    unit_kind: str
    unit: str
    item: Item

    def logged(self) -> dict[str, object]:
        """What the audit log says of the target, first in every line about it."""
        return {"year": self.year, "unit_kind": self.unit_kind, "unit": self.unit, "item": self.item.code}


def scheme_for(con: db.Connection, year: int) -> Scheme:
    """The 考核 scheme of the plan `year` falls in; AssessmentError when that plan has none."""
    plan = catalog.plan_for(con, Period(year, year))
    raw = assessment_data.scheme(con, plan.id)
    if not raw:
        raise AssessmentError(f"{plan.name}没有考核方案：请在规划文件的 assessment 部分写明评分项后重建数据库")
    return assessment_scheme.parse(raw)


def manual_points(con: db.Connection, year: int) -> pd.DataFrame:
    """The points given by hand for `year`. Columns: unit_kind, unit, item, points, reason, scored_by, scored_at."""
    return db.query(
        con,
        """SELECT unit_kind, unit, item, points, reason, scored_by, scored_at FROM assessment_manual
           WHERE year = ? ORDER BY unit_kind, unit, item""",
        [year],
    )


def resolve(con: db.Connection, year: int, unit: str, item: str, unit_kind: str | None = None) -> Target:
    """The unit (a town or bureau name or alias; a town first when unit_kind is not given) and the by-hand item
    (its code or name) a manual score is for; AssessmentError saying what is wrong otherwise."""
    if year > dt.date.today().year:
        raise AssessmentError(f"{year}年还没有到，不能评分")
    scheme = scheme_for(con, year)
    kind, name = unit_of(con, unit, unit_kind)
    side = scheme.side(SIDE_OF[kind])
    assessed = assessment_data.towns(con) if kind == "town" else assessment_data.lead_bureaus(con, _plan(con, year))
    if name not in assessed:
        raise AssessmentError(f"{name}不在{side.label}考核范围内（责任单位只考核在规划中牵头任务的单位）")
    found = side.item(item)
    if found is None:
        listed = "、".join(f"{i.code} {i.name}" for i in side.items if i.by_hand)
        raise AssessmentError(f"{side.label}考核没有评分项“{item}”；人工评分的项目有：{listed}")
    if not found.by_hand:
        rule = assessment_scheme.RULES[found.rule or ""].label
        raise AssessmentError(f"“{found.name}”由数据自动计分（{rule}），不能人工评分")
    return Target(year, kind, name, found)


def set_points(con: db.Connection, target: Target, points: object, reason: str, actor: User) -> str:
    """Give a by-hand item its points (0 to the item's max; for 扣分 the amount taken off) with a reason; returns a
    sentence saying what changed."""
    item = target.item
    with _refusals_logged(con, actor, target, points=str(points)):
        _require_admin(actor)
        value = parse_number(points, f"“{item.name}”的分数", high=1e9)
        if value > item.max:
            raise AssessmentError(
                f"“{item.name}”的分数应在 0 到 {item.max:g} 之间（该项分值 {item.max:g} 分），现为 {value:g}"
            )
        reason = _reason(reason)
        old = _current(con, target)
        with db.transaction(con):
            db.execute(
                con,
                """INSERT INTO assessment_manual (year, unit_kind, unit, item, points, reason, scored_by, scored_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (year, unit_kind, unit, item) DO UPDATE SET
                   points = excluded.points, reason = excluded.reason, scored_by = excluded.scored_by,
                   scored_at = excluded.scored_at""",
                [target.year, target.unit_kind, target.unit, item.code, value, reason, actor.name, dt.datetime.now()],
            )
            audit.record(
                con,
                actor.name,
                "assessment.score",
                **target.logged(),
                name=item.name,
                old=old,
                new=value,
                reason=reason,
            )
            store.bump_data_version(con, "assessment")
    sign = "扣" if item.kind == "deduction" else "加" if item.kind == "bonus" else ""
    before = "" if old is None else f"（原为 {old:g} 分）"
    return f"已为{target.unit}{target.year}年“{item.name}”（{KINDS[item.kind]}）评定{sign}{value:g}分{before}"


def clear_points(con: db.Connection, target: Target, actor: User, reason: str = "") -> str:
    """Take away the points given by hand (the item counts as not yet scored); returns a sentence."""
    item = target.item
    with _refusals_logged(con, actor, target, clear=True):
        _require_admin(actor)
        old = _current(con, target)
        if old is None:
            return f"{target.unit}{target.year}年“{item.name}”尚未评分，无需清除"
        with db.transaction(con):
            db.execute(
                con,
                "DELETE FROM assessment_manual WHERE year = ? AND unit_kind = ? AND unit = ? AND item = ?",
                [target.year, target.unit_kind, target.unit, item.code],
            )
            audit.record(
                con,
                actor.name,
                "assessment.clear",
                **target.logged(),
                name=item.name,
                old=old,
                reason=reason.strip()[:MAX_REASON] or None,
            )
            store.bump_data_version(con, "assessment")
    return f"已清除{target.unit}{target.year}年“{item.name}”的评分（原为 {old:g} 分），该项按尚未评分计"


def unit_of(con: db.Connection, unit: str, unit_kind: str | None = None) -> tuple[str, str]:
    """The kind (town or bureau) and name of the unit a name or alias means (a town first when unit_kind is not
    given: 沙土镇 is the town, not its government); AssessmentError when there is none."""
    for kind in [unit_kind] if unit_kind else ["town", "bureau"]:
        name = catalog.resolve_town(con, unit) if kind == "town" else catalog.resolve_bureau(con, unit)
        if name is not None:
            return kind, name
    raise AssessmentError(f"未知的镇街或责任单位“{unit}”")


def resolve_unit(con: db.Connection, unit: str) -> str:
    """The canonical name of a town or bureau written as `unit` (a town first)."""
    return unit_of(con, unit)[1]


def _plan(con: db.Connection, year: int) -> str:
    return catalog.plan_for(con, Period(year, year)).id


def _current(con: db.Connection, target: Target) -> float | None:
    value = db.scalar(
        con,
        "SELECT points FROM assessment_manual WHERE year = ? AND unit_kind = ? AND unit = ? AND item = ?",
        [target.year, target.unit_kind, target.unit, target.item.code],
    )
    return None if value is None else float(value)


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise AssessmentError("考核评分只能由管理员进行，请以管理员账户登录")


def _reason(reason: str) -> str:
    text = " ".join(str(reason or "").split())
    if not text:
        raise AssessmentError("请写明评分理由（如“成立领导小组，召开专题会议2次”）")
    if len(text) > MAX_REASON:
        raise AssessmentError(f"评分理由过长（{len(text)} 字），请控制在 {MAX_REASON} 字以内")
    return text


@contextlib.contextmanager
def _refusals_logged(con: db.Connection, actor: User, target: Target, **detail: object) -> Iterator[None]:
    """Log a UserError raised in the block as a refused change (in its own transaction), then let it through."""
    try:
        yield
    except UserError as exc:
        with db.transaction(con):
            audit.record(
                con,
                actor.name,
                "assessment.refused",
                **target.logged(),
                reason=str(exc),
                **detail,
            )
        raise


assert set(SIDE_OF.values()) == set(SIDES)
