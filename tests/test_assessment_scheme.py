"""The 考核 scheme as plan data: the shipped example is marked 示例 and adds up; a scheme the plan file gets wrong is
refused when the plan loads, with a Chinese message naming the item and what to fix."""

import copy

import pytest
import yaml
from helpers import assessment_store as fx

from kepu.core import assessment_scheme
from kepu.core.plan import PlanError, load_plan


def test_the_shipped_scheme_is_a_marked_example_that_adds_up(plan):
    scheme = assessment_scheme.parse(plan.assessment)
    assert scheme.label == "示例"
    for side in (scheme.towns, scheme.bureaus):
        scored = sum(i.max for i in side.items if i.kind in ("auto", "manual"))
        assert scored == side.total == 100
        kinds = {i.kind for i in side.items}
        assert kinds == {"auto", "manual", "bonus", "deduction"}
        for item in side.items:
            assert item.name and item.note, item
            if item.rule:
                assert side.key in assessment_scheme.RULES[item.rule].sides
    rules = {i.rule for side in (scheme.towns, scheme.bureaus) for i in side.items if i.rule}
    assert rules == set(assessment_scheme.RULES)  # the example shows every rule


def _raw():
    return yaml.safe_load(fx.PLAN_FILE.read_text(encoding="utf-8"))


def _load(tmp_path, raw):
    path = tmp_path / "plan-2024-2025.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return load_plan(path)


def _item(raw, side, code):
    return next(i for i in raw["assessment"][side]["items"] if i["code"] == code)


BREAKS = {
    "unknown rule": (lambda r: _item(r, "towns", "T1").update(rule="per_capita"), "计分规则“per_capita”未知"),
    "weights": (lambda r: _item(r, "towns", "T1").update(max=25), "合计 95"),
    "side": (lambda r: _item(r, "towns", "T1").update(rule="tasks_reported"), "只适用于责任单位"),
    "kind": (lambda r: _item(r, "towns", "T2").update(rule="returned_batches"), "只能用于 deduction"),
    "auto without rule": (lambda r: _item(r, "bureaus", "B1").pop("rule"), "须写明计分规则"),
    "unknown param": (lambda r: _item(r, "towns", "T2").update(params={"late": 1}), "没有参数 late"),
    "param range": (lambda r: _item(r, "towns", "T2").update(params={"late_share": 2}), "late_share 应为 0 到 1"),
    "duplicate": (lambda r: _item(r, "towns", "T2").update(code="T1"), "“T1”重复"),
    "kind word": (lambda r: _item(r, "towns", "T7").update(kind="extra"), "kind“extra”"),
    "typo": (lambda r: _item(r, "towns", "T7").update(maxx=5), "未知的字段 maxx"),
    "negative": (lambda r: _item(r, "towns", "T7").update(max=-5), "大于 0"),
    "missing side": (lambda r: r["assessment"].pop("bureaus"), "缺少 bureaus"),
}


@pytest.mark.parametrize("name", list(BREAKS))
def test_a_wrong_scheme_is_refused_when_the_plan_loads(tmp_path, name):
    change, message = BREAKS[name]
    raw = copy.deepcopy(_raw())
    change(raw)
    with pytest.raises(PlanError, match="考核方案") as caught:
        _load(tmp_path, raw)
    assert message in str(caught.value)


def test_a_plan_without_a_scheme_loads(tmp_path):
    raw = _raw()
    raw.pop("assessment")
    assert _load(tmp_path, raw).assessment == {}
