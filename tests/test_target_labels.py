"""Labels that cannot be missed (issue 11): every target and verdict says whether it is the plan's own 纲要目标, a
示例目标 the plan file supplies, or a 区定目标 the district set; and a 纲要目标 is never changed, the district's
number goes beside it. Expected labels come from the plan file and from what each test sets, not from kepu.words."""

import datetime as dt
import io
import json
import re
import shutil

import apps
import docx
import openpyxl
import pandas as pd
import pytest

from kepu import cli
from kepu.core import words
from kepu.core.errors import UserError
from kepu.core.filters import Filters, Period
from kepu.figures import brief, tables
from kepu.reports import briefing, exports, slides
from kepu.storage import audit, auth, db, store, target_admin

PLAN_ID = "2021-2025"
AS_OF = dt.date(2024, 6, 30)
Y2024 = Filters(Period(2024, 2024))
# The plan file's targets (data/plan-2021-2025.yaml): the four of the plan document, and the demonstration ones.
DOCUMENT = {"公民具备科学素质的比例", "科技辅导员培训", "高素质农民培育", "人均科普经费"}
DEMONSTRATION = {
    "青少年科普参与",
    "农民科普参与",
    "产业工人科普参与",
    "老年人科普参与",
    "领导干部和公务员科学素质培训",
    "科技资源科普化活动",
    "科普信息化活动",
    "科普基础设施建设与开放",
    "基层科普活动",
}


def kind(name: str) -> str:
    """What the plan file says a target (by its indicator's name) rests on."""
    return "纲要目标" if name in DOCUMENT else "示例目标"


def rows_of(con, indicator, year):
    """(value, basis, kind, baseline_year) of every targets row of one indicator and year, by basis."""
    return sorted(
        db.rows(
            con,
            """SELECT value, basis, kind, baseline_year FROM targets
               WHERE plan_id = ? AND indicator = ? AND year IS NOT DISTINCT FROM ?""",
            [PLAN_ID, indicator, year],
        ),
        key=lambda r: r[1] != "纲要目标",  # the plan's first
    )


def target_log(con) -> list[tuple[str, dict]]:
    """The target lines of the audit log, oldest first: (action, detail)."""
    found = db.rows(con, "SELECT action, detail FROM audit_log WHERE action LIKE 'target.%' ORDER BY logged_at")
    return [(action, json.loads(detail)) for action, detail in found]


@pytest.fixture
def con(empty_store):
    c = store.connect(empty_store)
    yield c
    c.close()


@pytest.fixture
def district_path(tiny_path, tmp_path):
    """A copy of the fixture store with a 区定目标 of 120 beside the 纲要目标 of 科技辅导员培训 in 2024 (100)."""
    path = shutil.copy(tiny_path, tmp_path / "district.duckdb")
    c = store.connect(path)
    target_admin.update_target(c, PLAN_ID, "counsellor_training", 2024, 120, "admin")
    c.close()
    return path


@pytest.fixture
def gathered(district_path):
    c = store.connect(district_path)
    yield brief.gather(c, Y2024, AS_OF)
    c.close()


# --- the words ---------------------------------------------------------------------------------------------------


def test_the_words_name_what_a_target_rests_on():
    assert words.basis({"basis": "纲要目标"}) == "纲要目标"
    assert words.basis({"basis": "示例目标"}) == "示例目标"
    assert words.basis({"basis": "区定目标"}) == "区定目标"
    # some years edited: the plan file's kind, with the rest said (whichever year came first)
    assert words.basis({"basis": "示例目标/区定目标"}) == "示例目标（部分年份为区定目标）"
    assert words.basis({"basis": "区定目标/示例目标"}) == "示例目标（部分年份为区定目标）"
    two = [{"name": "科普基础设施建设与开放", "basis": "示例目标"}, {"name": "科技辅导员培训", "basis": "区定目标"}]
    assert words.named(two) == "科普基础设施建设与开放（示例目标）、科技辅导员培训（区定目标）"
    assert words.named([]) == ""
    several = [{"basis": b} for b in ("区定目标", "示例目标", "纲要目标", "示例目标", "纲要目标")]
    assert words.tally(several) == "纲要目标2项、示例目标2项、区定目标1项"
    assert words.bases_note([{"basis": "示例目标"}]).startswith("示例目标为规划原文没有数字")


# --- 目标管理: a 纲要目标 stays; the 区定目标 goes beside it ----------------------------------------------------


def test_a_document_target_is_not_changed_and_a_district_target_is_set_beside_it(con):
    message = target_admin.update_target(con, PLAN_ID, "counsellor_training", 2021, "120", "admin")
    assert message == "已为“科技辅导员培训”（2021年）设定区定目标 120（纲要目标 100 不变，两者分别评定）"
    assert rows_of(con, "counsellor_training", 2021) == [
        (100.0, "纲要目标", "annual", None),
        (120.0, "区定目标", "annual", None),
    ]
    assert rows_of(con, "counsellor_training", 2022) == [(100.0, "纲要目标", "annual", None)]
    action, detail = target_log(con)[-1]
    assert action == "target.update"
    assert (detail["indicator"], detail["year"], detail["old"], detail["new"], detail["basis"]) == (
        "counsellor_training",
        2021,
        None,
        120.0,
        "区定目标",
    )

    message = target_admin.update_target(con, PLAN_ID, "counsellor_training", 2021, 130, "admin")
    assert message == "已将“科技辅导员培训”（2021年）的区定目标由 120 改为 130（纲要目标 100 不变）"
    assert rows_of(con, "counsellor_training", 2021) == [
        (100.0, "纲要目标", "annual", None),
        (130.0, "区定目标", "annual", None),
    ]
    assert target_admin.update_target(con, PLAN_ID, "counsellor_training", 2021, 130, "admin") == "目标值未改变"
    assert len(target_log(con)) == 2, "no line for no change"

    # the 纲要目标's own value takes the 区定目标 away
    message = target_admin.update_target(con, PLAN_ID, "counsellor_training", 2021, 100, "admin")
    assert message == "已取消“科技辅导员培训”（2021年）的区定目标 130，只按纲要目标 100 评定"
    assert rows_of(con, "counsellor_training", 2021) == [(100.0, "纲要目标", "annual", None)]
    action, detail = target_log(con)[-1]
    assert (action, detail["old"], detail["basis"]) == ("target.clear", 130.0, "区定目标")


def test_a_district_target_copies_the_kind_and_baseline_of_the_document_target(con):
    target_admin.update_target(con, PLAN_ID, "literacy_rate", 2025, 18, "admin")
    assert rows_of(con, "literacy_rate", 2025) == [(16.0, "纲要目标", "level", 2020), (18.0, "区定目标", "level", 2020)]
    target_admin.update_target(con, PLAN_ID, "farmer_training", None, 1200, "admin")  # over the whole plan
    assert rows_of(con, "farmer_training", None) == [
        (1000.0, "纲要目标", "plan", None),
        (1200.0, "区定目标", "plan", None),
    ]
    with pytest.raises(UserError, match="区定目标过大（最大 100）"):
        target_admin.update_target(con, PLAN_ID, "literacy_rate", 2025, 160, "admin")
    assert rows_of(con, "literacy_rate", 2025)[1][0] == 18.0


def test_clearing_takes_the_district_target_away_and_only_that(con):
    target_admin.update_target(con, PLAN_ID, "counsellor_training", 2022, 150, "admin")
    before = len(target_log(con))
    results = target_admin.save(
        con,
        PLAN_ID,
        [("counsellor_training", 2022, None), ("counsellor_training", 2023, None), ("youth_participants", 2024, None)],
        "admin",
    )
    assert results == [
        (True, "已取消“科技辅导员培训”（2022年）的区定目标 150，只按纲要目标 100 评定"),
        (True, "“科技辅导员培训”（2023年）没有区定目标，仍按纲要目标 100 评定"),
        (
            False,
            "“青少年科普参与”（2024年）未保存：“青少年科普参与”（2024年）不是纲要目标，没有可取消的区定目标；"
            "要改示例目标或区定目标，请直接填写新的目标值",
        ),
    ]
    assert rows_of(con, "counsellor_training", 2022) == [(100.0, "纲要目标", "annual", None)]
    assert rows_of(con, "youth_participants", 2024) == [(500000.0, "示例目标", "annual", None)]
    assert [action for action, _ in target_log(con)[before:]] == ["target.clear", "target.refused"]
    assert target_admin.update_target(con, PLAN_ID, "counsellor_training", 2023, 100, "admin").startswith(
        "“科技辅导员培训”（2023年）的纲要目标就是 100"
    )


def test_a_district_target_and_its_audit_line_are_one_transaction(con, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the log is full")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        target_admin.update_target(con, PLAN_ID, "counsellor_training", 2021, 120, "admin")
    assert rows_of(con, "counsellor_training", 2021) == [(100.0, "纲要目标", "annual", None)]
    monkeypatch.undo()
    target_admin.update_target(con, PLAN_ID, "counsellor_training", 2021, 120, "admin")
    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        target_admin.clear_district_target(con, PLAN_ID, "counsellor_training", 2021, "admin")
    assert len(rows_of(con, "counsellor_training", 2021)) == 2


def test_a_demonstration_target_is_still_replaced_and_becomes_a_district_target(con):
    assert target_admin.update_target(con, PLAN_ID, "youth_participants", 2024, 480000, "admin") == (
        "已将“青少年科普参与”（2024年）的目标由 500000 改为 480000"
    )
    assert rows_of(con, "youth_participants", 2024) == [(480000.0, "区定目标", "annual", None)]


def test_the_editor_shows_each_document_target_once_with_its_district_target_beside_it(con):
    target_admin.update_target(con, PLAN_ID, "counsellor_training", 2021, 120, "admin")
    target_admin.update_target(con, PLAN_ID, "youth_participants", 2024, 480000, "admin")
    document, others = target_admin.split(target_admin.editable_targets(con, PLAN_ID))
    # 纲要目标: the survey rate (2025), the trainings (five years), the farmers (the plan), the funding (five years)
    assert len(document) == 1 + 5 + 1 + 5 and set(document.basis) == {"纲要目标"}
    assert len(others) == 9 * 5 and set(others.basis) == {"示例目标", "区定目标"}
    district = {(i, y): v for i, y, v in zip(document.indicator, document.year, document.district, strict=True)}
    assert district[("counsellor_training", 2021)] == 120
    assert sum(pd.notna(v) for v in district.values()) == 1
    shown = tables.document_targets(document)
    assert list(shown.columns[4:6]) == ["纲要目标", "区定目标"]
    row = shown[(shown["指标"] == "科技辅导员培训") & (shown["年份"] == "2021")].iloc[0]
    assert (row["纲要目标"], row["区定目标"], row["修改人"]) == (100, "120", "admin")  # typed over as text

    edited = shown["区定目标"].copy()
    assert target_admin.district_changes(document, edited) == []
    at_2021 = shown.index[(shown["指标"] == "科技辅导员培训") & (shown["年份"] == "2021")][0]
    at_2022 = shown.index[(shown["指标"] == "科技辅导员培训") & (shown["年份"] == "2022")][0]
    edited[at_2021], edited[at_2022] = "", " １３０ "  # emptied: taken away; typed: set, as typed
    assert target_admin.district_changes(document, edited) == [
        ("counsellor_training", 2021, None),
        ("counsellor_training", 2022, "１３０"),
    ]
    target_admin.save(con, PLAN_ID, target_admin.district_changes(document, edited), "admin")
    assert rows_of(con, "counsellor_training", 2021) == [(100.0, "纲要目标", "annual", None)]
    assert rows_of(con, "counsellor_training", 2022)[1][:2] == (130.0, "区定目标")


# --- where targets are shown --------------------------------------------------------------------------------------


def test_the_briefing_says_the_kind_of_every_target_it_judges(gathered):
    document = docx.Document(io.BytesIO(briefing.build(gathered, [], "（测试不画图）")))
    paragraphs = [p.text for p in document.paragraphs]
    overall = next(p for p in paragraphs if p.startswith("期间各镇街"))
    judged = [s for s in gathered["targets"] if s["status"]]
    assert any(s["name"] == "科普基础设施建设与开放" for s in judged if s["status"] in ("滞后", "未完成"))
    for verdict in ("滞后", "未完成"):
        named = [s for s in judged if s["status"] == verdict]
        if named:
            said = overall.split(f"{verdict}的是")[1].split("；")[0].rstrip("。")
            kinds = [f"{s['name']}（{'区定目标' if s['basis'] == '区定目标' else kind(s['name'])}）" for s in named]
            assert said == "、".join(kinds)
    assert "科普基础设施建设与开放（示例目标）" in overall
    counts = {k: sum(1 for s in judged if s["basis"] == k) for k in ("纲要目标", "示例目标", "区定目标")}
    tally = "、".join(f"{k}{n}项" for k, n in counts.items() if n)
    assert f"{len(judged)}项目标（{tally}）中" in overall

    # wherever a demonstration target is named in a sentence, the sentence says so
    body = "\n".join(paragraphs)
    for name in DEMONSTRATION:
        assert body.count(name) == body.count(f"{name}（示例目标）")
    assert any(p.startswith("目标依据：") and "示例目标为" in p for p in paragraphs)

    # and every table row of a target has its kind
    found = []
    for table in document.tables:
        header = [c.text for c in table.rows[0].cells]
        if "依据" not in header:
            continue
        at = header.index("依据")
        for row in table.rows[1:]:
            cells = [c.text for c in row.cells]
            name = cells[0] if cells[0] in DOCUMENT else cells[2].split("：")[0]
            if name in DOCUMENT | DEMONSTRATION:
                found.append((name, cells[at]))
    expected = [(s["name"], kind(s["name"])) for s in gathered["targets"]] + [("科技辅导员培训", "区定目标")]
    assert sorted(found) == sorted(set(expected)) and len(found) == len(gathered["targets"])


def test_the_slides_show_what_each_target_rests_on(gathered):
    overview = slides.render("overview", gathered)
    cohorts = slides.render("cohorts", gathered)
    projects = slides.render("projects", gathered)
    assert "纲要目标 100人次" in overview and "区定目标 120人次：" in overview  # the district's, on the same card
    assert overview.count('class="kp-card') == 4
    assert cohorts.count("示例目标 50万人次") == 1 and "示例目标 30万人次" in cohorts  # youth and farmers
    assert "示例目标 90场次" in projects  # 科普基础设施建设与开放
    for html in (overview, cohorts, projects):
        assert '<div class="kp-detail">目标 ' not in html, "never a bare 目标"
    laggards = slides.render("laggards", gathered)
    behind = [s for s in gathered["targets"] if s["status"] == "滞后" and s["share"] is not None]
    for s in behind[:5]:
        label = "区定目标" if s["basis"] == "区定目标" else kind(s["name"])
        assert f"{s['name']}（{label}）" in laggards


def test_the_workbook_rows_carry_the_basis(district_path):
    c = store.connect(district_path)
    book = openpyxl.load_workbook(io.BytesIO(exports.workbook(c, Y2024, AS_OF)))
    c.close()
    sheet = book["概要"]
    top = next(r for r in range(1, 40) if sheet.cell(r, 1).value == "指标")
    header = [cell.value for cell in sheet[top]]
    at = header.index("依据")
    rows = [(r[0], r[at]) for r in sheet.iter_rows(min_row=top + 1, values_only=True) if r[0]]
    expected = [(n, kind(n)) for n in DOCUMENT | DEMONSTRATION] + [("科技辅导员培训", "区定目标")]
    assert sorted(rows) == sorted(expected)
    cohorts = book["人群"]
    header = [cell.value for cell in cohorts[1]]
    basis = [r[header.index("依据")] for r in cohorts.iter_rows(min_row=2, values_only=True) if r[0]]
    assert basis == ["示例目标"] * 5 + [None]  # the five cohorts, then the records naming none


def test_the_task_table_says_what_a_task_is_judged_on(gathered):
    frame = tables.tasks(gathered["tasks"], gathered["targets"]).set_index("任务")
    assert frame.loc["Y5", "评定依据"].startswith("纲要目标：科技辅导员培训（另有区定目标：")
    assert frame.loc["F2", "评定依据"] == "纲要目标：高素质农民培育"
    assert frame.loc["Y1", "评定依据"] == "责任落实率"


def test_kepu_summary_lines_say_the_kind_of_each_target(district_path, capsys):
    assert cli.main(["summary", "--db", str(district_path), "--period", "2024", "--as-of", "2024-06-30"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  ")]
    said = sorted(line.strip().split("：实际")[0] for line in lines)
    expected = [f"{n}（{kind(n)}）" for n in DOCUMENT | DEMONSTRATION] + ["科技辅导员培训（区定目标）"]
    assert said == sorted(expected)


def test_the_overview_tiles_show_the_kind_and_the_district_target_beside(district_path, monkeypatch):
    at = apps.start(district_path, monkeypatch, period="2024")
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert any(c.startswith("纲要目标 100人次") for c in captions)
    assert any(c.startswith("区定目标 120人次") for c in captions)
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    assert sum("纲要目标]" in b for b in badges) == 4 and sum("区定目标]" in b for b in badges) == 1
    groups = [m.value for m in at.markdown if re.search(r"· 示例目标 ", m.value)]
    assert len(groups) == 9, "each cohort and project says its target is a 示例目标"


@pytest.mark.slow  # an app flow; the words and figures are checked in the fast tier
def test_the_target_page_shows_the_document_target_read_only_with_the_district_target(district_path, monkeypatch):
    c = store.connect(district_path)
    auth.add_user(c, "admin", "管理员")
    auth.set_password(c, "admin", "admin-pass-1")
    c.close()
    at = apps.log_in(apps.start(district_path, monkeypatch, "report"), "admin", "admin-pass-1")
    at = apps.open_page(at, "targets")
    assert not at.exception
    assert [s.value for s in at.subheader][:2] == ["纲要目标（规划原文，不能修改）与区定目标", "示例目标与区定目标"]
    document = at.dataframe[0].value
    row = document[(document["指标"] == "科技辅导员培训") & (document["年份"] == "2024")].iloc[0]
    assert (row["纲要目标"], row["区定目标"]) == (100, "120")
    assert "不能修改" in " ".join(c.value for c in at.caption)
