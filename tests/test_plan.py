"""The plan file against the seed document, and the loader's checks."""

import json
import re
from pathlib import Path

import pytest

from kepu import cli
from kepu.core.plan import PlanError, load_plan
from kepu.storage import store

SEED = Path(__file__).parent / "data" / "seed-plan-2021-2025.txt"


def seed_lead_lists() -> list[list[str]]:
    """The 18 lists of lead bureaus, read straight from the seed text: "（…按职责分工负责）"."""
    text = SEED.read_text(encoding="utf-8").replace("\n", "")
    return [[n for n in body.split("、") if n] for body in re.findall(r"[（(]([^（）()]*?)按职责分工负责[）)]", text)]


def test_the_plan_has_the_seeds_structure(plan):
    assert [g.name for g in plan.cohorts] == ["青少年", "农民", "产业工人", "老年人", "领导干部和公务员"]
    assert [len(g.task_codes) for g in plan.cohorts] == [5, 3, 4, 1, 1]
    assert [g.name for g in plan.projects] == [
        "科技资源科普化工程",
        "科普信息化提升工程",
        "科普基础设施建设工程",
        "基层科普能力提升工程",
    ]
    codes = [t.code for t in plan.tasks]
    assert codes == [
        "Y1",
        "Y2",
        "Y3",
        "Y4",
        "Y5",
        "F1",
        "F2",
        "F3",
        "W1",
        "W2",
        "W3",
        "W4",
        "E1",
        "C1",
        "P1",
        "P2",
        "P3",
        "P4",
    ]


def test_every_tasks_lead_bureaus_are_the_seeds(plan):
    lists = seed_lead_lists()
    assert len(lists) == 18
    alias = {"区教育局": "区教体局"}  # the seed's two names for one bureau
    for task, seed_list in zip(plan.tasks, lists, strict=True):
        assert list(task.lead_bureaus) == [alias.get(b, b) for b in seed_list], task.code


def test_task_titles_come_from_the_seed(plan):
    text = SEED.read_text(encoding="utf-8").replace("\n", "")
    for task in plan.tasks:
        assert task.title in text, task.code


def test_the_27_bureaus_and_their_aliases(plan):
    named_in_seed = {b for lst in seed_lead_lists() for b in lst} - {"区教育局"}
    assert len(plan.bureaus) == 27
    assert {b.name for b in plan.bureaus} == named_in_seed
    aliases = {a: b.name for b in plan.bureaus for a in b.aliases}
    assert aliases["区教育局"] == "区教体局"
    assert aliases["科协"] == "区科协"
    assert aliases["教体局"] == "区教体局"


def test_the_24_towns_and_the_district(plan):
    towns = [t for t in plan.towns if t.kind != "全区"]
    assert len(towns) == 24
    assert sum(t.kind == "街道" for t in towns) == 11 and sum(t.kind == "镇" for t in towns) == 13
    admins = [t.admin for t in towns]
    counts = (admins.count("牡丹区"), admins.count("菏泽经济技术开发区"), admins.count("菏泽高新技术开发区"))
    assert counts == (18, 3, 3)
    district = next(t for t in plan.towns if t.kind == "全区")
    assert district.population == 1_098_707 and not district.population_estimated
    assert all(t.population_estimated for t in towns)
    assert sum(t.population for t in towns) == 1_098_707


def test_the_four_plan_targets_are_the_seeds(plan):
    plan_targets = {t.indicator: t for t in plan.targets if t.basis == "纲要目标"}
    assert set(plan_targets) == {"literacy_rate", "counsellor_training", "farmer_training", "funding_per_capita"}
    assert (
        plan_targets["literacy_rate"].kind,
        plan_targets["literacy_rate"].value,
        plan_targets["literacy_rate"].year,
    ) == ("level", 16, 2025)
    assert (plan_targets["counsellor_training"].kind, plan_targets["counsellor_training"].value) == ("annual", 100)
    assert (plan_targets["farmer_training"].kind, plan_targets["farmer_training"].value) == ("plan", 1000)
    assert (plan_targets["funding_per_capita"].kind, plan_targets["funding_per_capita"].value) == ("annual", 1)
    indicators = {i.code: i for i in plan.indicators}
    assert indicators["counsellor_training"].where == {"task": "Y5", "activity_type": "培训"}
    assert indicators["farmer_training"].where == {"task": "F2", "activity_type": "培训"}


def test_groups_without_a_seed_number_get_demo_targets(plan):
    demo = [t for t in plan.targets if t.basis == "示例目标"]
    indicators = {i.code: i for i in plan.indicators}
    owners = {indicators[t.indicator].where.get("cohort") or indicators[t.indicator].where.get("project") for t in demo}
    assert owners == {g.name for g in plan.cohorts + plan.projects}


def test_plan_show_json(capsys):
    assert cli.main(["plan", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert {"cohorts", "projects", "tasks", "bureaus", "towns", "indicators", "targets"} <= set(shown)
    y5 = next(t for t in shown["tasks"] if t["code"] == "Y5")
    assert y5 == {
        "code": "Y5",
        "group": "青少年",
        "title": "加大培训力度，着力提升教师队伍科学素质",
        "lead_bureaus": ["区教体局", "区科协"],
    }


@pytest.mark.parametrize(
    "change, message",
    [
        (
            ("lead_bureaus: [区教体局, 区工业和信息化局, 区科协]", "lead_bureaus: [区教体局, 区不存在局]"),
            "未知的责任单位“区不存在局”",
        ),
        (("code: Y2", "code: Y1"), "任务编号“Y1”重复"),
        (("indicator: farmer_training, kind: plan", "indicator: farmer_training, kind: monthly"), "目标类型"),
        (("indicator: youth_participants", "indicator: no_such_indicator"), "不存在的指标 no_such_indicator"),
    ],
)
def test_a_broken_plan_file_is_refused_with_a_chinese_message(tmp_path, change, message):
    text = (store.DATA_DIR / "plan-2021-2025.yaml").read_text(encoding="utf-8")
    assert change[0] in text
    broken = tmp_path / "plan-broken.yaml"
    broken.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(PlanError, match=message):
        load_plan(broken)


def test_an_unreadable_plan_file_is_refused(tmp_path):
    bad = tmp_path / "plan-bad.yaml"
    bad.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(PlanError, match="无法读取规划文件"):
        load_plan(bad)


def test_the_districts_facts_are_plan_data(plan):
    assert (plan.district.place, plan.district.population) == ("牡丹区", 1_098_707)
    assert plan.district.issuer == "牡丹区科学技术协会" and "第七次全国人口普查" in plan.district.population_source
    assert [(a.name, a.short) for a in plan.administrations] == [
        ("牡丹区", "区直管"),
        ("菏泽经济技术开发区", "经开区"),
        ("菏泽高新技术开发区", "高新区"),
    ]
    assert {t.admin for t in plan.towns if t.kind != "全区"} == {a.name for a in plan.administrations}


def test_a_town_administered_by_a_body_the_plan_does_not_name_is_refused(tmp_path):
    text = (store.DATA_DIR / "plan-2021-2025.yaml").read_text(encoding="utf-8")
    text = text.replace("admin: 菏泽高新技术开发区", "admin: 火星开发区", 1)
    (tmp_path / "plan-x.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(PlanError, match="管理主体“火星开发区”不在 administrations 中"):
        load_plan(tmp_path / "plan-x.yaml")
