"""The 考核 scheme as plan data: how towns and bureaus are scored each year, read and checked from the plan file's
`assessment:` section.

Each side (towns, bureaus) has a total and items. An item has a code, a name, its points (`max`) and a kind:
auto (computed from the data by a named rule), manual (scored by an administrator with a reason), bonus (加分, added
on top of the total; by hand) or deduction (扣分, subtracted; by a rule, or by hand without one). The auto and
manual items' points add up to the side's total; bonus and deduction items are outside it, each capped at its own
points. The rules themselves are computed in kepu.figures.assessment; here is what each is called, which side it
applies to, what parameters it takes and how it turns figures into points (words the page and README show)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from kepu.core.errors import UserError

MANUAL_REMEDY = "对照评分标准逐项整改"  # the 督办单's request on a weak item scored by hand (its note follows)
KINDS = {"auto": "自动计分", "manual": "人工评分", "bonus": "加分项", "deduction": "扣分项"}
SIDES = {"towns": "镇街", "bureaus": "责任单位"}
UNIT_KINDS = {"towns": "town", "bureaus": "bureau"}  # the side → the unit_kind stored with manual points
SCORED_BY_HAND = ("manual", "bonus", "deduction")  # kinds an administrator may score (deduction: when it has no rule)
ITEM_KEYS = {"code", "name", "max", "kind", "rule", "params", "note"}


@dataclass(frozen=True)
class Rule:
    """An automatic rule: its Chinese name, the sides and kinds it may serve, its parameters with their defaults
    and allowed ranges, and how it scores (the sentence the page's 计分办法 shows)."""

    label: str
    sides: tuple[str, ...]
    kinds: tuple[str, ...]
    params: dict[str, tuple[float, float, float]]  # name → (default, lowest, highest)
    method: str
    remedy: str  # what a unit weak on the item is asked to do (督办单)


RULES = {
    "participation_per_1000": Rule(
        "每千人参与人次",
        ("towns",),
        ("auto",),
        {},
        "当年（截至统计日）每千名常住人口的参与人次 ÷ 各镇街中的最高值 × 本项分值",
        "组织开展面向群众的科普活动，扩大参与面，并及时报送活动记录",
    ),
    "on_time_reports": Rule(
        "按时报送",
        ("towns", "bureaus"),
        ("auto",),
        {"late_share": (0.5, 0.0, 1.0)},
        "当年已到期的报送周期中，按时报送的期数（逾期报送的每期按 late_share 计，默认 0.5）÷ 到期期数 × 本项分值；"
        "尚无到期周期时本项暂不计分",
        "按报送周期在截止日前报送活动记录，补报未报送的周期",
    ),
    "campaigns_joined": Rule(
        "重点活动参与",
        ("towns", "bureaus"),
        ("auto",),
        {},
        "规划所列重点活动（活动主题）中当年已开始的项数为分母，有本单位活动记录（注明该活动主题）的项数为分子，"
        "比值 × 本项分值",
        "组织参加规划所列的重点科普活动，报送时在“活动主题”一栏注明",
    ),
    "growth": Rule(
        "同比增长",
        ("towns", "bureaus"),
        ("auto",),
        {"full_at": (0.1, 0.01, 10.0)},
        "参与人次比上年同期（1月1日至统计日的同月同日）的增幅 ÷ full_at（默认 10%）× 本项分值，至多满分；"
        "持平或下降不得分；上年同期为零而本年有活动的得满分",
        "加大科普活动组织力度，力争参与人次不低于上年同期",
    ),
    "evidence_share": Rule(
        "佐证材料",
        ("towns", "bureaus"),
        ("auto",),
        {},
        "当年计入统计的活动记录中，本条记录或其所在批次附有佐证材料（未移除）的比例 × 本项分值；没有记录不得分",
        "为已报送的活动补充照片、签到表、通知文件等佐证材料",
    ),
    "tasks_reported": Rule(
        "任务落实",
        ("bureaus",),
        ("auto",),
        {},
        "本单位在规划中牵头的任务中，当年有本单位活动记录的任务数 ÷ 牵头任务数 × 本项分值",
        "落实规划分配的牵头任务，报送各项任务的活动记录",
    ),
    "returned_batches": Rule(
        "退回批次",
        ("towns", "bureaus"),
        ("deduction",),
        {"per": (1.0, 0.1, 100.0)},
        "当年报送、经审核被退回的批次（本单位填报员报送的），每个扣 per 分（默认 1 分），至多扣满本项分值，"
        "且不使总分低于 0",
        "按审核退回意见核实修改后重新报送，确保报送数据真实准确",
    ),
}


class SchemeError(UserError):
    """A 考核 scheme the plan file gets wrong; the message says which item and what to fix."""


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    max: float  # the item's points: full marks, or the most a bonus adds or a deduction takes
    kind: str  # auto, manual, bonus or deduction
    rule: str | None = None
    params: dict[str, float] = field(default_factory=dict)  # the rule's parameters, defaults filled in
    note: str = ""  # the scoring standard, in the sheet's words (评分标准)

    @property
    def by_hand(self) -> bool:
        """True for an item an administrator scores (manual, bonus, or a deduction without a rule)."""
        return self.rule is None


@dataclass(frozen=True)
class Side:
    """How one kind of unit is scored: towns or bureaus."""

    key: str  # towns or bureaus
    total: float
    items: tuple[Item, ...]

    @property
    def label(self) -> str:
        return SIDES[self.key]

    def item(self, code_or_name: str) -> Item | None:
        """The item with this code or name (None when there is none)."""
        wanted = code_or_name.strip()
        return next((i for i in self.items if wanted in (i.code, i.name)), None)


@dataclass(frozen=True)
class Scheme:
    title: str
    label: str  # 示例 for a demonstration scheme, else empty
    note: str
    towns: Side
    bureaus: Side

    def side(self, key: str) -> Side:
        return self.towns if key == "towns" else self.bureaus


def parse(raw: dict[str, Any]) -> Scheme:
    """The scheme a plan file's `assessment:` section gives; SchemeError saying what is wrong otherwise."""
    if not isinstance(raw, dict):
        raise SchemeError("应为键值结构（title、label、towns、bureaus）")
    missing = [f"{key}（{label}）" for key, label in SIDES.items() if key not in raw]
    if missing:
        raise SchemeError(f"缺少 {'、'.join(missing)} 的评分项")
    sides = {key: _side(key, raw[key]) for key in SIDES}
    return Scheme(
        str(raw.get("title") or "全民科学素质工作考核"),
        str(raw.get("label") or ""),
        str(raw.get("note") or ""),
        sides["towns"],
        sides["bureaus"],
    )


def check(raw: dict[str, Any]) -> str | None:
    """What is wrong with a plan's `assessment:` section, as a sentence (None when it is right, or absent)."""
    if not raw:
        return None
    try:
        parse(raw)
    except SchemeError as exc:
        return f"考核方案（assessment）{exc}"
    return None


def _side(key: str, raw: Any) -> Side:
    label = SIDES[key]
    if not isinstance(raw, dict) or not isinstance(raw.get("items"), list) or not raw["items"]:
        raise SchemeError(f"{label}（{key}）应有 total 和 items（评分项的列表）")
    total = _points(raw.get("total"), f"{label}的总分 total")
    items = tuple(_item(key, n, r) for n, r in enumerate(raw["items"], start=1))
    seen: set[str] = set()
    for item in items:
        for name in (item.code, item.name):
            if name in seen:
                raise SchemeError(f"{label}的评分项“{name}”重复")
            seen.add(name)
    weights = sum(i.max for i in items if i.kind in ("auto", "manual"))
    if not math.isclose(weights, total, abs_tol=1e-9):
        listed = " + ".join(f"{i.name} {i.max:g}" for i in items if i.kind in ("auto", "manual"))
        raise SchemeError(
            f"{label}的自动计分项和人工评分项分值合计 {weights:g}（{listed}），与总分 total {total:g} 不符；"
            "加分项、扣分项不计入总分"
        )
    return Side(key, total, items)


def _item(side: str, n: int, raw: Any) -> Item:
    where = f"{SIDES[side]}的第{n}项"
    if not isinstance(raw, dict):
        raise SchemeError(f"{where}应为键值结构（code、name、max、kind…）")
    if unknown := sorted(set(raw) - ITEM_KEYS):
        raise SchemeError(f"{where}有未知的字段 {'、'.join(unknown)}（可用：{'、'.join(sorted(ITEM_KEYS))}）")
    for key in ("code", "name", "max", "kind"):
        if raw.get(key) in (None, ""):
            raise SchemeError(f"{where}缺少 {key}")
    code, name = str(raw["code"]).strip(), str(raw["name"]).strip()
    where = f"{SIDES[side]}的评分项“{name}”"
    kind = str(raw["kind"])
    if kind not in KINDS:
        raise SchemeError(f"{where}的 kind“{kind}”应为 {'、'.join(KINDS)} 之一")
    most = _points(raw["max"], f"{where}的分值 max")
    rule_name = raw.get("rule")
    params = raw.get("params") or {}
    if rule_name is None:
        if kind == "auto":
            raise SchemeError(f"{where}是自动计分项（auto），须写明计分规则 rule（{'、'.join(RULES)}）")
        if params:
            raise SchemeError(f"{where}没有计分规则，不能有 params")
        return Item(code, name, most, kind, None, {}, str(raw.get("note") or ""))
    rule_name = str(rule_name)
    rule = RULES.get(rule_name)
    if rule is None:
        raise SchemeError(f"{where}的计分规则“{rule_name}”未知，可用的规则：{'、'.join(RULES)}")
    if side not in rule.sides:
        sides = "、".join(SIDES[s] for s in rule.sides)
        raise SchemeError(f"{where}的计分规则 {rule_name}（{rule.label}）只适用于{sides}")
    if kind not in rule.kinds:
        allowed = "、".join(f"{k}（{KINDS[k]}）" for k in rule.kinds)
        raise SchemeError(f"{where}的计分规则 {rule_name} 只能用于 {allowed}，不能用于 {kind}（{KINDS[kind]}）")
    if not isinstance(params, dict):
        raise SchemeError(f"{where}的 params 应为键值结构")
    if unknown := sorted(set(params) - set(rule.params)):
        allowed_params = "、".join(rule.params) or "无"
        raise SchemeError(f"{where}的规则 {rule_name} 没有参数 {'、'.join(unknown)}（可用：{allowed_params}）")
    values = {}
    for param, (default, low, high) in rule.params.items():
        value = params.get(param, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise SchemeError(f"{where}的参数 {param} 应为 {low:g} 到 {high:g} 之间的数，现为“{value}”")
        values[param] = float(value)
    return Item(code, name, most, kind, rule_name, values, str(raw.get("note") or ""))


def _points(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise SchemeError(f"{what}应为大于 0 的数，现为“{value}”")
    if value > 1000:
        raise SchemeError(f"{what}为 {value:g}，超过 1000 分，请检查")
    return float(value)
