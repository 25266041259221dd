"""Nothing counted twice, nothing lost: a row sent again with a cosmetic difference is the same activity, and an
indicator's current value is always the newest live batch's, whatever is undone or restored in whatever order.
Expected figures are the rows these tests write themselves."""

import datetime as dt

import pytest

from kepu.core.filters import Filters, Period
from kepu.figures import summary
from kepu.ingest import batches
from kepu.storage import auth, db, schema, store

TODAY = dt.date(2025, 6, 1)
ADMIN = auth.User("区科协管理员", auth.ADMIN)
HEADER = "活动编号,活动名称,开始日期,镇街,责任单位,活动类型,参与人次,经费（元）\n"
ZWSP = "\u200b"


@pytest.fixture
def con(empty_store):
    connection = store.connect(empty_store)
    yield connection
    connection.close()


def send(con, rows: str, name: str = "报送.csv", actor=ADMIN) -> batches.Outcome:
    return batches.import_file(con, (HEADER + rows).encode("utf-8"), name, actor, today=TODAY)


def participants(con) -> int:
    return summary.summary(con, Filters(Period(2024, 2024)), TODAY)["participants"]


# (first sent, sent again): every pair is one activity of 120 人次.
RESENT = {
    "full-width brackets": (
        "K-1,青少年科技节(一),2024-05-12,沙土镇,区科协,竞赛,120,0",
        "K-1,青少年科技节（一）,2024-05-12,沙土镇,区科协,竞赛,120,0",
    ),
    "full-width brackets, no number": (
        ",青少年科技节(一),2024-05-12,沙土镇,区科协,竞赛,120,0",
        ",青少年科技节（一）,2024-05-12,沙土镇,区科协,竞赛,120,0",
    ),
    "zero-width space in the title": (
        ",青少年科技节,2024-05-12,沙土镇,区科协,竞赛,120,0",
        f",青少年{ZWSP}科技节,2024-05-12,沙土镇,区科协,竞赛,120,0",
    ),
    "doubled space in the title": (
        ",青少年 科技节,2024-05-12,沙土镇,区科协,竞赛,120,0",
        ",青少年  科技节,2024-05-12,沙土镇,区科协,竞赛,120,0",
    ),
    "full-width letter in the number": (
        "K-1,科技节,2024-05-12,沙土镇,区科协,竞赛,120,0",
        "Ｋ-1,科技节,2024-05-12,沙土镇,区科协,竞赛,120,0",
    ),
    "lower-case number": (
        "KX-2024-001,科技节,2024-05-12,沙土镇,区科协,竞赛,120,0",
        "kx-2024-001,科技节改名,2024-05-12,沙土镇,区科协,竞赛,120,0",
    ),
    "invisible character in the number": (
        "K-1,科技节,2024-05-12,沙土镇,区科协,竞赛,120,0",
        f"{ZWSP}K-1,科技节,2024-05-12,沙土镇,区科协,竞赛,120,0",
    ),
    "a number added later": (
        ",青少年科技节,2024-05-12,沙土镇,区科协,竞赛,120,0",
        "K-1,青少年科技节,2024-05-12,沙土镇,区科协,竞赛,120,0",
    ),
    "a number left off later": (
        "K-1,青少年科技节,2024-05-12,沙土镇,区科协,竞赛,120,0",
        ",青少年科技节,2024-05-12,沙土,科协,竞赛,120,0",
    ),
}


@pytest.mark.parametrize("first, again", RESENT.values(), ids=RESENT.keys())
def test_a_row_sent_again_with_a_cosmetic_difference_counts_once(con, first, again):
    assert send(con, first + "\n").imported == 1
    resent = send(con, again + "\n", "再次报送.csv")
    assert (resent.imported, resent.duplicates, resent.committed) == (0, 1, False)
    assert participants(con) == 120


@pytest.mark.parametrize("first, again", RESENT.values(), ids=RESENT.keys())
def test_the_same_within_one_file(con, first, again):
    outcome = send(con, f"{first}\n{again}\n")
    assert (outcome.imported, outcome.duplicate_rows) == (1, [3])
    assert participants(con) == 120


def test_real_differences_are_other_activities(con):
    rows = [
        "K-1,科普讲座,2024-05-12,沙土镇,区科协,讲座,10,0",
        "K-2,科普讲座,2024-05-12,沙土镇,区科协,讲座,20,0",  # another number: another session
        ",科普讲座（二）,2024-05-12,沙土镇,区科协,讲座,40,0",  # another title
        ",科普讲座,2024-05-13,沙土镇,区科协,讲座,80,0",  # another day
        ",科普讲座,2024-05-12,吕陵镇,区科协,讲座,160,0",  # another town
        "K-1,科普讲座,2024-05-12,沙土镇,区科技局,讲座,320,0",
    ]  # the same number from another bureau
    assert send(con, "\n".join(rows) + "\n").imported == 6
    assert participants(con) == 10 + 20 + 40 + 80 + 160 + 320


def test_what_is_stored_is_the_title_as_written_without_invisible_characters(con):
    send(con, f"K-1,{ZWSP}青少年科技节（一）  第二场 ,2024-05-12,沙土镇,区科协,竞赛,120,0\n")
    assert db.scalar(con, "SELECT title FROM activities") == "青少年科技节（一） 第二场"


def test_restoring_a_batch_does_not_double_a_cosmetic_resend_imported_meanwhile(con):
    first = send(con, ",青少年科技节(一),2024-05-12,沙土镇,区科协,竞赛,120,0\n")
    batches.undo(con, first.batch, ADMIN)
    again = send(con, "K-1,青少年科技节（一）,2024-05-12,沙土镇,区科协,竞赛,120,0\n")
    assert again.imported == 1
    assert "1 行此后已由其他批次导入" in batches.restore(con, first.batch, ADMIN)
    assert participants(con) == 120


def test_a_store_from_before_match_keys_is_keyed_on_upgrade(tmp_path, plan, monkeypatch):
    monkeypatch.setattr(schema, "MIGRATIONS", {v: store.MIGRATIONS[v] for v in (1, 2)})
    path = store.create_store(tmp_path / "v2.duckdb", plans=[plan])
    con = store.connect(path)
    db.execute(
        con,
        """INSERT INTO activities (ref, title, start_date, end_date, town, bureau, cohorts, activity_type,
                       participants, funding) VALUES ('kx-1', '科技节（一）', DATE '2024-05-12', DATE '2024-05-12',
                       '沙土镇', '区科协', [], '竞赛', 120, 0)""",
    )
    con.close()
    monkeypatch.undo()
    con = store.connect(path)  # upgraded to the current schema: the old record gets its keys
    assert send(con, "KX-1,科技节(一),2024-05-12,沙土镇,区科协,竞赛,120,0\n").duplicates == 1
    con.close()


# Indicator values: the newest live batch wins.

OBSERVATION_HEADER = "指标,年份,镇街,数值\n"


def observe(con, value: float, actor=ADMIN) -> batches.Outcome:
    data = f"{OBSERVATION_HEADER}科普经费（元）,2024,沙土镇,{value}\n".encode()
    return batches.import_file(con, data, f"经费{value}.csv", actor, today=TODAY)


def current(con):
    return db.scalar(
        con,
        """SELECT value FROM current_observations WHERE series = 'science_funding'
                             AND year = 2024 AND town = '沙土镇'""",
    )


def test_undoing_the_middle_then_the_newest_batch_leaves_the_oldest_current(con):
    one, two, three = observe(con, 100), observe(con, 200), observe(con, 300)
    assert current(con) == 300
    batches.undo(con, two.batch, ADMIN)
    assert current(con) == 300
    message = batches.undo(con, three.batch, ADMIN)
    assert current(con) == 100, "batch 1 is live, so its value is current"
    assert "1 个指标数值恢复为此前批次的值" in message
    assert one.batch < two.batch < three.batch


def test_restoring_an_older_batch_does_not_replace_a_newer_live_value_and_says_so(con):
    one, two = observe(con, 100), observe(con, 200)
    batches.undo(con, one.batch, ADMIN)
    message = batches.restore(con, one.batch, ADMIN)
    assert current(con) == 200
    assert f"仍以较新的批次 {two.batch} 为准" in message


def test_restoring_the_newest_batch_makes_its_value_current_again_and_says_so(con):
    observe(con, 100)
    two = observe(con, 200)
    batches.undo(con, two.batch, ADMIN)
    assert current(con) == 100
    message = batches.restore(con, two.batch, ADMIN)
    assert current(con) == 200 and "1 个指标数值恢复为当前值" in message


def test_undoing_every_batch_leaves_no_value_and_a_figure_without_it(con):
    one = observe(con, 100)
    assert "1 个指标数值此后没有数据" in batches.undo(con, one.batch, ADMIN)
    assert current(con) is None


@pytest.mark.parametrize("order", [(1, 2, 3), (3, 2, 1), (2, 3, 1), (2, 1, 3)])
def test_any_order_of_undo_and_restore_ends_with_the_newest_live_value(con, order):
    made = {1: observe(con, 100), 2: observe(con, 200), 3: observe(con, 300)}
    live = {1, 2, 3}
    for n in order:  # undo each in this order, then restore each in the same order
        batches.undo(con, made[n].batch, ADMIN)
        live.discard(n)
        assert current(con) == (max(live) * 100 if live else None)
    for n in order:
        batches.restore(con, made[n].batch, ADMIN)
        live.add(n)
        assert current(con) == max(live) * 100
