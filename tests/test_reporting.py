"""报送情况 and 催报: every unit's state for a reporting cycle (on time, late by N days, missing, not yet due) on a
store of hand-made batches, worked out here independently of kepu; `kepu reminders`; the 催报通知 opened with
python-docx and checked against the states; the 报送情况 page; and the demo's batches."""

import datetime as dt
import io
import json

import docx
import pandas as pd
import pytest
from apps import start

from kepu.cli.commands import main
from kepu.core.errors import UserError
from kepu.core.plan import DISTRICT
from kepu.figures import reporting
from kepu.storage import db, demo_tables, store

Q2 = ("2025Q2", dt.date(2025, 4, 1), dt.date(2025, 6, 30), dt.date(2025, 7, 10))  # code, first, last, due

# Hand-made batches: (id, created_at, status, undone). Batch 3 comes in on the due day itself (on time); 4 was
# returned and 5 undone (neither counts); 8 awaits review (counts: the unit has reported); 9 comes in late, after
# an as-of day some tests look from.
BATCHES = [
    (1, "2025-07-08 09:00", "approved", False),
    (2, "2025-07-15 10:00", "approved", False),
    (3, "2025-07-10 23:30", "approved", False),
    (4, "2025-07-01 10:00", "returned", False),
    (5, "2025-07-02 10:00", "approved", True),
    (6, "2025-08-20 16:00", "approved", False),
    (7, "2025-07-05 10:00", "approved", False),
    (8, "2025-07-09 10:00", "pending", False),
    (9, "2025-09-01 10:00", "approved", False),
]
# Activities: (start date, town, bureau, batch). The cycle's first and last days are in it; batch 7 carries only
# activities of other cycles; 小留镇/区财政局's record came in no batch (written by hand, not reported).
ACTIVITIES = [
    ("2025-05-10", "沙土镇", "区科协", 1),
    ("2025-06-30", DISTRICT, "区教体局", 1),
    ("2025-04-01", "吴店镇", "区农业农村局", 2),
    ("2025-06-01", "沙土镇", "区科协", 2),
    ("2025-05-05", "东城街道", "区卫生健康局", 3),
    ("2025-05-05", "西城街道", "区文化和旅游局", 4),
    ("2025-05-06", "南城街道", "区总工会", 5),
    ("2025-06-15", "南城街道", "区妇联", 6),
    ("2025-03-31", "李村镇", "区林业局", 7),
    ("2025-07-01", "高庄镇", "区水务局", 7),
    ("2025-05-20", "都司镇", "区民政局", 8),
    ("2025-05-21", "小留镇", "区财政局", None),
    ("2025-05-01", "黄堽镇", "区应急管理局", 9),
]


@pytest.fixture
def reports(empty_store):
    """The empty store (the real plan) with the hand-made batches and activities."""
    con = store.connect(empty_store)
    for batch, created, status, undone in BATCHES:
        db.execute(
            con,
            """INSERT INTO batches (id, kind, file_name, sha256, user_name, created_at, rows_read, imported,
                                    rejected, duplicates, valid_only, status, undone_at)
               VALUES (?, 'activities', ?, 'x', '测试', ?, 1, 1, 0, 0, false, ?, ?)""",
            [batch, f"{batch}.xlsx", created, status, "2025-07-03 10:00" if undone else None],
        )
    for start_date, town, bureau, batch in ACTIVITIES:
        undone = any(b == batch and u for b, _, _, u in BATCHES)
        pending = any(b == batch and s != "approved" for b, _, s, _ in BATCHES)
        db.execute(
            con,
            """INSERT INTO activities (title, start_date, end_date, town, bureau, cohorts, activity_type,
                                       participants, funding, batch, retracted, pending)
               VALUES ('活动', ?, ?, ?, ?, ARRAY[]::VARCHAR[], '讲座', 10, 0, ?, ?, ?)""",
            [start_date, start_date, town, bureau, batch, undone, pending],
        )
    yield con
    con.close()


def expected(con, as_of: dt.date) -> dict[tuple[str, str], tuple[str, int | None, dt.date | None, int]]:
    """Every unit's (state, days_late, submitted, activities) for 2025Q2, from the lists above: the first live batch
    (not returned, not undone, made by as_of) carrying the unit's activities of the cycle."""
    _, first, last, due = Q2
    live = {
        b: dt.datetime.fromisoformat(created)
        for b, created, status, undone in BATCHES
        if status != "returned" and not undone and dt.datetime.fromisoformat(created).date() <= as_of
    }
    towns = [r[0] for r in db.rows(con, "SELECT name FROM towns WHERE kind <> ? ORDER BY sort", [DISTRICT])]
    bureaus = [r[0] for r in db.rows(con, "SELECT name FROM bureaus WHERE town IS NULL ORDER BY sort")]
    out = {}
    for kind, units in (("town", towns), ("bureau", bureaus)):
        for unit in units:
            came = [
                live[batch]
                for day, town, bureau, batch in ACTIVITIES
                if batch in live
                and first <= dt.date.fromisoformat(day) <= last
                and (town if kind == "town" else bureau) == unit
            ]
            if not came:
                out[(kind, unit)] = ("missing" if as_of > due else "not_due", None, None, 0)
                continue
            day = min(came).date()
            late = (day - due).days
            out[(kind, unit)] = ("late" if late > 0 else "on_time", late if late > 0 else None, day, len(came))
    return out


def as_dict(frame: pd.DataFrame) -> dict:
    return {
        (r.unit_kind, r.unit): (r.state, r.days_late, r.submitted, r.activities) for r in frame.itertuples(index=False)
    }


@pytest.mark.parametrize("as_of", [dt.date(2025, 9, 30), dt.date(2025, 8, 31), dt.date(2025, 7, 10)])
def test_every_units_state_is_worked_out_from_its_first_live_batch(reports, as_of):
    frame = reporting.states(reports, "2025Q2", as_of)
    assert list(frame.columns) == ["unit_kind", "unit", "state", "days_late", "submitted", "activities"]
    assert as_dict(frame) == expected(reports, as_of)
    assert list(frame.unit_kind) == ["town"] * 24 + ["bureau"] * 27  # towns first, then bureaus; no 全区


def test_the_cases_the_fixture_was_made_for(reports):
    states = as_dict(reporting.states(reports, "2025Q2", dt.date(2025, 9, 30)))
    assert states[("town", "沙土镇")] == ("on_time", None, dt.date(2025, 7, 8), 2)  # its second batch was late
    assert states[("bureau", "区教体局")][0] == "on_time"  # the cycle's last day, held district-wide
    assert states[("town", "东城街道")][0] == "on_time"  # on the due day itself, just before midnight
    assert states[("town", "吴店镇")] == ("late", 5, dt.date(2025, 7, 15), 1)  # the cycle's first day
    assert states[("town", "南城街道")] == ("late", 41, dt.date(2025, 8, 20), 1)  # its undone batch did not count
    assert states[("bureau", "区总工会")][0] == "missing"  # only in the undone batch
    assert states[("town", "西城街道")][0] == states[("bureau", "区文化和旅游局")][0] == "missing"  # returned
    assert states[("town", "都司镇")][0] == "on_time"  # awaiting review: reported
    assert states[("town", "李村镇")][0] == states[("bureau", "区水务局")][0] == "missing"  # other cycles' records
    assert states[("town", "小留镇")][0] == "missing"  # a record in no batch
    assert states[("town", "马岭岗镇")] == ("missing", None, None, 0)  # nothing at all
    assert states[("bureau", "区应急管理局")] == ("late", 53, dt.date(2025, 9, 1), 1)
    before = as_dict(reporting.states(reports, "2025Q2", dt.date(2025, 8, 31)))
    assert before[("bureau", "区应急管理局")][0] == "missing"  # its batch came after that day
    on_the_day = as_dict(reporting.states(reports, "2025Q2", dt.date(2025, 7, 10)))
    assert on_the_day[("town", "吴店镇")][0] == "not_due" and on_the_day[("town", "沙土镇")][0] == "on_time"


def test_a_restored_batch_counts_again(reports):
    db.execute(reports, "UPDATE batches SET undone_at = NULL WHERE id = 5")
    db.execute(reports, "UPDATE activities SET retracted = false WHERE batch = 5")
    states = as_dict(reporting.states(reports, "2025Q2", dt.date(2025, 9, 30)))
    assert states[("town", "南城街道")] == ("on_time", None, dt.date(2025, 7, 2), 2)


def test_cycles_follow_the_plans_rule(reports):
    quarters = reporting.cycles(reports, 2025)
    assert [(c.code, c.label, c.first, c.last, c.due) for c in quarters][1] == ("2025Q2", "2025年第二季度", *Q2[1:])
    assert [c.code for c in quarters] == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    assert quarters[-1].due == dt.date(2026, 1, 10)
    assert reporting.cycle(reports, "２０２５ｑ４") == quarters[-1]  # full-width and lower case tolerated
    assert reporting.latest_due(reports, dt.date(2025, 10, 11)).code == "2025Q3"
    assert reporting.latest_due(reports, dt.date(2025, 10, 10)).code == "2025Q2"  # the due day is not past yet
    assert reporting.cycles(reports, 2027)[0].code == "2027Q1"  # after the plan: its rule goes on
    db.execute(reports, "UPDATE plans SET reporting_cycle = 'monthly', reporting_due_day = 5")
    months = reporting.cycles(reports, 2025)
    assert len(months) == 12 and months[1].code == "2025-02" and months[1].last == dt.date(2025, 2, 28)
    assert months[-1].due == dt.date(2026, 1, 5) and reporting.cycle(reports, "2025-3").code == "2025-03"
    db.execute(reports, "UPDATE plans SET reporting_cycle = 'yearly'")
    assert [(c.code, c.label, c.due) for c in reporting.cycles(reports, 2025)] == [
        ("2025", "2025年度", dt.date(2026, 1, 5))
    ]


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("2025-03", "2025年按季度报送，周期写作 2025Q1—2025Q4，如 2025Q4"),
        ("2025", "2025年按季度报送"),
        ("2025Q5", "季度应为 Q1—Q4"),
        ("2025-13", "月份应为 01—12"),
        ("上季度", "无法识别的报送周期“上季度”：应写作 2025Q4（季度）、2025-03（月）或 2025（年度）"),
        ("2019Q4", "2019年早于第一个规划（2021年起），没有报送周期"),
    ],
)
def test_a_code_that_is_not_a_cycle_is_refused_in_chinese(reports, code, says):
    with pytest.raises(UserError, match=says):
        reporting.cycle(reports, code)


def test_kepu_reminders_json_lists_every_unit(reports, empty_store, capsys):
    reports.close()
    code = main(["reminders", "--json", "--as-of", "2025-09-30", "--db", str(empty_store)])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["cycle"] == "2025Q2" and out["due"] == "2025-07-10"  # the latest cycle past its due
    con = store.connect(empty_store, read_only=True)
    want = expected(con, dt.date(2025, 9, 30))
    con.close()
    got = {
        (u["unit_kind"], u["unit"]): (
            u["state"],
            u["days_late"],
            u["submitted"] and dt.date.fromisoformat(u["submitted"]),
            u["activities"],
        )
        for u in out["units"]
    }
    assert got == want and len(out["units"]) == len(want)
    assert main(["reminders", "--cycle", "2025Q2", "--as-of", "2025-09-30", "--db", str(empty_store)]) == 0
    text = capsys.readouterr().out
    assert "2025年第二季度（2025Q2）" in text and "南城街道　逾期报送 41 天（2025-08-20，1 场）" in text
    assert main(["reminders", "--cycle", "2025-13", "--db", str(empty_store)]) == 1
    assert "月份应为 01—12" in capsys.readouterr().err


def notice_text(path) -> tuple[str, list[list[list[str]]]]:
    """A .docx's paragraphs as one text, and its tables as rows of cell texts."""
    document = docx.Document(path)
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    return paragraphs, tables


def test_the_reminder_names_every_missing_and_late_unit_and_no_other(reports, empty_store, tmp_path, capsys):
    reports.close()
    out = tmp_path / "催报通知.docx"
    args = ["report", "--kind", "reminder", "--cycle", "2025Q2", "--as-of", "2025-09-30", "--out", str(out)]
    assert main([*args, "--db", str(empty_store)]) == 0
    con = store.connect(empty_store, read_only=True)
    states = expected(con, dt.date(2025, 9, 30))
    logged = db.scalar(con, "SELECT detail FROM audit_log WHERE action = 'export' ORDER BY logged_at DESC LIMIT 1")
    con.close()
    missing = [u for (_, u), s in states.items() if s[0] == "missing"]
    late = {u: s for (_, u), s in states.items() if s[0] == "late"}
    on_time = [u for (_, u), s in states.items() if s[0] == "on_time"]
    assert (len(missing), len(late), len(on_time)) == (38, 6, 7)
    text, tables = notice_text(out)
    assert "关于报送2025年第二季度\n科普活动情况的催报通知" in text
    addressed = next(p for p in text.split("\n") if p.endswith("："))
    assert addressed.rstrip("：").split("、") == missing + sorted(late, key=lambda u: -late[u][1])
    assert "截止日期为2025年7月10日" in text and "截至2025年9月30日，仍有38个单位未报送，6个单位逾期报送" in text
    assert "请未报送的单位于2025年10月7日前（5个工作日内）" in text  # 9-30 is a Tuesday: Wed, Thu, Fri, Mon, Tue
    everything = text + "\n".join(c for t in tables for row in t for c in row)
    for unit in missing + list(late):
        assert unit in everything, unit
    for unit in on_time:
        assert unit not in everything, unit
    missing_table, late_table = tables
    assert [r[1] for r in missing_table[1:]] == missing and {r[4] for r in missing_table[1:]} == {"已逾期82天"}
    assert {r[1]: (r[3], r[4], r[5]) for r in late_table[1:]} == {
        u: (f"{s[2]:%Y.%m.%d}", f"{s[1]}天", str(s[3])) for u, s in late.items()
    }
    assert json.loads(logged)["report"] == "催报通知" and json.loads(logged)["cycle"] == "2025Q2"


def test_no_reminder_for_a_cycle_not_yet_due_or_all_on_time(reports):
    from kepu.reports import reminder

    with pytest.raises(UserError, match="2025年第二季度的报送截止日期是2025年7月10日，截至2025年7月10日尚未过期"):
        reminder.notice(reports, "2025Q2", dt.date(2025, 7, 10))
    db.execute(  # now every unit reports on time, in batch 1
        reports,
        """INSERT INTO activities (title, start_date, end_date, town, bureau, cohorts, activity_type, participants,
                                   funding, batch)
           SELECT '活动', DATE '2025-05-02', DATE '2025-05-02', coalesce(t.name, '全区'), b.name, ARRAY[]::VARCHAR[],
                  '讲座', 1, 0, 1
           FROM (SELECT name, row_number() OVER (ORDER BY sort) AS i FROM towns WHERE kind <> '全区') t
           FULL JOIN (SELECT name, row_number() OVER (ORDER BY sort) AS i FROM bureaus) b USING (i)""",
    )
    assert set(reporting.states(reports, "2025Q2", dt.date(2025, 9, 30)).state) == {"on_time"}
    with pytest.raises(UserError, match="2025年第二季度各单位均已按时报送，不需要催报"):
        reminder.notice(reports, "2025Q2", dt.date(2025, 9, 30))


def test_the_page_shows_the_grid_the_list_and_the_notice(reports, empty_store, monkeypatch):
    states = expected(reports, dt.date(2025, 9, 30))
    reports.close()
    at = start(empty_store, monkeypatch, "reporting", asof="2025-09-30")
    assert not at.exception and not at.error
    assert at.selectbox(key="reporting:cycle").value.code == "2025Q2"  # the latest cycle past its due day
    counts = pd.Series([s[0] for s in states.values()]).value_counts()
    assert {m.label: m.value for m in at.metric} == {
        word: f"{counts.get(state, 0)} 个" for state, word in reporting.STATES.items()
    }
    grid, chase = (d.value for d in at.dataframe)
    row = grid.set_index("单位").loc["南城街道"]
    assert (row["第一季度"], row["第二季度"], row["第三季度（未到期）"]) == ("✗ 未报送", "逾期 41 天", "未到期")
    assert row["按时"] == "0/2"
    assert grid.set_index("单位").loc["沙土镇", "第二季度"] == "✓ 按时"
    assert set(chase["单位"]) == {u for (_, u), s in states.items() if s[0] in ("missing", "late")}
    assert chase.set_index("单位").loc["吴店镇", "逾期天数"] == 5
    labels = [b.proto.label for b in at.get("download_button")]
    assert f"催报通知（Word，{len(chase)} 个单位）" in labels


def test_the_reminder_file_of_the_page_is_the_notice(reports, empty_store, monkeypatch):
    from kepu.storage import audit
    from kepu.ui import reminders

    reports.close()
    monkeypatch.setenv("KEPU_DB", str(empty_store))
    data = reminders.reminder_file("2025Q2", dt.date(2025, 9, 30), ("张三", audit.Origin(audit.APP)))
    text, _ = notice_text(io.BytesIO(data))
    assert "关于报送2025年第二季度" in text and "吴店镇" in text


# The demo: its activities came in through batches, most on time, some late, a few missing.


@pytest.fixture(scope="module")
def demo(demo_path):
    con = store.connect(demo_path)
    yield con
    con.close()


def test_every_demo_activity_came_in_a_batch_made_after_it(demo):
    assert db.scalar(demo, "SELECT count(*) FROM activities WHERE batch IS NULL") == 0
    early = db.scalar(
        demo,
        """SELECT count(*) FROM activities a JOIN batches b ON b.id = a.batch
           WHERE b.created_at::DATE <= a.start_date""",
    )
    assert early == 0
    assert db.scalar(demo, "SELECT max(created_at)::DATE FROM batches") <= demo_tables.REPORTED_UNTIL + dt.timedelta(
        days=10
    )
    weekend = db.scalar(demo, "SELECT count(*) FROM batches WHERE dayofweek(created_at) IN (0, 6)")
    assert weekend == 0  # clerks send reports on working days


def test_the_demo_has_most_reports_on_time_some_late_a_few_missing(demo):
    as_of = dt.date(2026, 11, 20)
    frames = [reporting.year_states(demo, year, as_of) for year in range(2021, 2027)]
    every = pd.concat(frames)
    due = every[every.state != "not_due"]
    share = due.state.value_counts(normalize=True)
    assert share["on_time"] > 0.8 and 0.05 < share["late"] < 0.2 and 0.01 < share["missing"] < 0.08
    assert due[due.state == "late"].days_late.astype(int).between(1, 75).all()
    lagging = due[due.unit.isin([*demo_tables.LAGGING_TOWNS, *demo_tables.LAGGING_BUREAUS])]
    assert (lagging.state != "on_time").mean() > 2 * (due.state != "on_time").mean()  # the laggards lag here too
    latest = reporting.states(demo, reporting.latest_due(demo, as_of), as_of)
    assert {"missing", "late"} <= set(latest.state)  # the current 催报 has something to chase
