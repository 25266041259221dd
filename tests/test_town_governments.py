"""Towns report as themselves: each town's own government (沙土镇人民政府, 东城街道办事处) is a 责任单位 whose
activities are the town's; a town's clerk reports them, a bureau's clerk may not; the plan's duty tables count only
the bureaus the plan assigns tasks to, and the towns' governments are listed on their own."""

import datetime as dt

import pytest

from kepu.core.filters import Filters, Period
from kepu.figures import duty, tables
from kepu.ingest import batches
from kepu.storage import auth, catalog, db, queries, store

TODAY = dt.date(2025, 6, 1)
ADMIN = auth.User("admin", auth.ADMIN)
TOWN_CLERK = auth.User("st", auth.REPORTER, town="沙土镇")
BUREAU_CLERK = auth.User("kx", auth.REPORTER, bureau="区科协")
HEADER = "活动编号,活动名称,开始日期,镇街,责任单位,任务编号,活动类型,参与人次\n"


@pytest.fixture
def con(empty_store):
    connection = store.connect(empty_store)
    yield connection
    connection.close()


def send(con, rows: str, actor: auth.User) -> batches.Outcome:
    return batches.import_file(con, (HEADER + rows).encode(), "镇街.csv", actor, today=TODAY)


def test_every_town_has_its_government_after_the_plans_bureaus(con, plan):
    governments = catalog.town_governments(con)
    towns = [t for t in plan.towns if t.kind != "全区"]
    assert governments == {t.name + ("人民政府" if t.kind == "镇" else "办事处"): t.name for t in towns}
    assert catalog.bureaus(con) == [b.name for b in plan.bureaus] + list(governments)
    assert catalog.plan_bureaus(con) == [b.name for b in plan.bureaus]


def test_a_governments_short_names_do_not_take_a_towns_or_a_bureaus(con, plan):
    assert catalog.resolve_bureau(con, "沙土镇政府") == catalog.resolve_bureau(con, "沙土镇") == "沙土镇人民政府"
    assert catalog.resolve_bureau(con, "东城街道办") == catalog.resolve_bureau(con, "东城街道") == "东城街道办事处"
    assert catalog.resolve_town(con, "沙土镇") == catalog.resolve_town(con, "沙土") == "沙土镇"  # still the town
    assert catalog.resolve_bureau(con, "沙土") is None
    for bureau in plan.bureaus:  # every plan bureau's own names still mean that bureau
        assert all(catalog.resolve_bureau(con, n) == bureau.name for n in (bureau.name, *bureau.aliases))


def test_a_town_clerk_reports_as_the_towns_own_government(con):
    outcome = send(con, "G-1,镇科普宣传,2024-05-12,沙土镇,沙土镇政府,F1,科普宣传,60\n", TOWN_CLERK)
    assert outcome.committed and outcome.errors == []
    assert db.rows(con, "SELECT town, bureau FROM activities") == [("沙土镇", "沙土镇人民政府")]


def test_no_clerk_reports_as_another_towns_government(con):
    refused = send(con, "G-1,镇科普宣传,2024-05-12,沙土镇,东城街道办事处,F1,科普宣传,60\n", TOWN_CLERK)
    assert not refused.committed
    (error,) = refused.errors
    assert (error.column, error.value) == ("责任单位", "东城街道办事处") and "只报送东城街道的活动" in error.reason
    # nor an administrator: a town's government's activities are the town's
    assert not send(con, "G-2,镇科普宣传,2024-05-12,全区,沙土镇人民政府,F1,科普宣传,60\n", ADMIN).committed
    assert db.scalar(con, "SELECT count(*) FROM activities") == 0


def test_a_bureau_clerk_may_not_report_as_a_towns_government(con):
    refused = send(con, "G-1,镇科普宣传,2024-05-12,沙土镇,沙土镇人民政府,F1,科普宣传,60\n", BUREAU_CLERK)
    assert not refused.committed
    assert refused.errors[0].column == "责任单位" and "只能报送本单位（区科协）" in refused.errors[0].reason


def test_a_clerk_account_for_a_town_is_a_town_clerk(con):
    with pytest.raises(auth.AuthError, match="--town 沙土镇"):
        auth.add_user(con, "stzf", auth.REPORTER, bureau="沙土镇政府")
    assert auth.add_user(con, "st", auth.REPORTER, town="沙土镇").town == "沙土镇"


def test_duty_tables_leave_the_towns_governments_to_their_own_list(con):
    assert send(con, "G-1,镇科普宣传,2024-05-12,沙土镇,沙土镇人民政府,F1,科普宣传,60\n", ADMIN).committed
    f = Filters(Period(2024, 2024))
    rows = queries.assignments(con, f, "2021-2025")
    coverage = duty.bureau_coverage(rows)
    assert "沙土镇人民政府" not in set(coverage.bureau)  # no task assigned: no 落实率
    assert not rows[rows.bureau == "沙土镇人民政府"].assigned.any()
    f1 = duty.task_standing(rows, catalog.tasks(con, "2021-2025")).set_index("code").loc["F1"]
    assert f1.activities == 1 and "沙土镇人民政府" not in f1.lead_bureaus  # counted on the task, not as a lead
    own = tables.town_governments(queries.bureau_table(con, f))
    assert len(own) == 24 and own.set_index("责任单位").loc["沙土镇人民政府", "人次"] == 60
    assert own.set_index("责任单位").loc["沙土镇人民政府", "镇街"] == "沙土镇"


def test_an_older_store_gets_the_towns_governments_when_upgraded(tmp_path, plan, monkeypatch):
    from kepu.storage import schema

    monkeypatch.setattr(schema, "MIGRATIONS", {v: s for v, s in store.MIGRATIONS.items() if v < 5})
    path = store.create_store(tmp_path / "v4.duckdb", plans=[plan])
    monkeypatch.undo()
    con = store.connect(path)
    try:
        assert len(catalog.town_governments(con)) == 24
        assert catalog.resolve_bureau(con, "沙土镇政府") == "沙土镇人民政府"
    finally:
        con.close()
