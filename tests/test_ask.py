"""问一句: the meeting's questions, typed as written, land on the right view, from `kepu ask --json` and from the box
at the top of every page. The expected pages, filters and links are written here by hand."""

import datetime as dt
import json
import shutil

import pytest
from apps import open_page, start, type_question
from conftest import fixture_rows

from kepu import cli
from kepu.core import ask
from kepu.core.filters import Period

TODAY = "2025-06-01"  # so 去年 is 2024 whenever the test runs
NO_FILTERS = {"town": [], "bureau": [], "cohort": [], "project": [], "task": [], "campaign": [], "activity_type": []}


@pytest.fixture
def kepu_ask(tiny_shared, capsys):
    def run(question: str) -> dict:
        assert cli.main(["ask", question, "--db", str(tiny_shared), "--today", TODAY, "--json"]) == 0
        return json.loads(capsys.readouterr().out)

    return run


def test_a_bureau_a_cohort_and_a_year_open_the_cohort_page(kepu_ask):
    answer = kepu_ask("区农业农村局 农民 2024")
    assert answer["page"] == "farmers"
    assert answer["filters"] == {**NO_FILTERS, "period": "2024", "bureau": ["区农业农村局"], "cohort": ["农民"]}
    assert answer["drill"] == {} and answer["unknown_words"] == []
    assert answer["understood"] == "理解为：2024年 · 区农业农村局 · 农民"
    assert answer["url"] == "/farmers?period=2024&bureau=%E5%8C%BA%E5%86%9C%E4%B8%9A%E5%86%9C%E6%9D%91%E5%B1%80"


def test_a_short_town_name_and_records_open_the_records_drilled_to_the_cohort(kepu_ask):
    answer = kepu_ask("沙土 青少年 明细")
    assert answer["page"] == "records"
    assert answer["filters"] == {**NO_FILTERS, "period": None, "town": ["沙土镇"], "cohort": ["青少年"]}
    assert answer["drill"] == {"cohort": "青少年"}
    assert answer["understood"] == "理解为：沙土镇 · 青少年 · 活动明细"
    assert answer["url"] == "/records?town=%E6%B2%99%E5%9C%9F%E9%95%87&cohort=%E9%9D%92%E5%B0%91%E5%B9%B4"


def test_a_briefing_of_a_year_is_the_word_export(kepu_ask):
    answer = kepu_ask("2024年简报")
    assert (answer["action"], answer["filters"]["period"], answer["page"]) == ("docx", "2024", "")
    assert answer["unknown_words"] == []


def test_which_towns_lagged_last_year(kepu_ask):
    answer = kepu_ask("去年哪些镇街最落后")
    assert (answer["page"], answer["intent"], answer["filters"]["period"]) == ("towns", "lagging", "2024")
    assert answer["unknown_words"] == [] and answer["url"] == "/towns?period=2024"


def test_a_cohort_trend(kepu_ask):
    answer = kepu_ask("老年人 趋势")
    assert (answer["page"], answer["intent"], answer["url"]) == ("elderly", "trend", "/elderly")


def test_a_bureau_alias_a_measure_and_a_range_of_years(kepu_ask):
    answer = kepu_ask("科协 经费 2023到2024")
    assert answer["filters"] == {**NO_FILTERS, "period": "2023-2024", "bureau": ["区科协"]}
    assert answer["measure"] == "funding"
    assert answer["understood"] == "理解为：2023—2024年 · 区科协 · 经费"


def test_unknown_words_are_listed_not_dropped(kepu_ask):
    answer = kepu_ask("沙土 火星 青少年")
    assert answer["unknown_words"] == ["火星"]
    assert answer["filters"]["town"] == ["沙土镇"] and answer["page"] == "youth"


def test_the_plain_answer_says_what_it_understood(tiny_shared, capsys):
    assert cli.main(["ask", "沙土 火星 青少年", "--db", str(tiny_shared)]) == 0
    out = capsys.readouterr().out
    assert "理解为：沙土镇 · 青少年" in out and "未识别：火星" in out


# --- the parser on a vocabulary written here ------------------------------------------------------------------

VOCAB = ask.Vocabulary.build(
    {
        "town": {"沙土镇": "沙土镇", "沙土": "沙土镇", "东城街道": "东城街道", "东城": "东城街道"},
        "bureau": {"区科协": "区科协", "科协": "区科协", "东城": "东城区教育局"},
        "cohort": {"青少年": "青少年"},
        "project": {},
        "task": {"Y1": "Y1"},
        "campaign": {"三下乡": '文化科技卫生"三下乡"'},
        "activity_type": {"讲座": "讲座"},
    },
    {"青少年": "youth"},
    Period(2021, 2025),
)


@pytest.mark.parametrize(
    ("text", "period"),
    [("2024", "2024"), ("2024年", "2024"), ("今年", "2025"), ("去年", "2024"), ("前年", "2023"),
     ("2023到2024", "2023-2024"), ("2023-2024", "2023-2024"), ("2024至2023年", "2023-2024"),
     ("十四五期间", "2021-2025")],
)  # fmt: skip
def test_years_and_ranges(text, period):
    assert str(ask.parse(text, VOCAB, dt.date(2025, 6, 1)).period) == period


@pytest.mark.parametrize(
    ("text", "unknown"),
    [("99999年", "99999"), ("０２０２４年", "02024"), ("3024", "3024"), ("1e309", "1e309"), ("nan", "nan"),
     ("inf", "inf"), ("20244", "20244")],
)  # fmt: skip
def test_a_number_that_is_no_year_is_listed_not_read_as_one(text, unknown):
    answer = ask.parse(text, VOCAB, dt.date(2025, 6, 1))
    assert answer.period is None and answer.unknown_words == [unknown]


def test_a_word_naming_two_things_is_offered_as_a_choice():
    answer = ask.parse("东城 讲座", VOCAB, dt.date(2025, 6, 1))
    assert answer.choices == [
        {
            "word": "东城",
            "options": [{"dimension": "town", "value": "东城街道"}, {"dimension": "bureau", "value": "东城区教育局"}],
        }
    ]
    assert answer.filters["town"] == [] and answer.filters["activity_type"] == ["讲座"]


def test_full_width_and_punctuation_and_stop_words():
    answer = ask.parse("ｙ１的 三下乡，在 沙土镇 吗？", VOCAB, dt.date(2025, 6, 1))
    assert answer.filters["task"] == ["Y1"] and answer.filters["town"] == ["沙土镇"]
    assert answer.filters["campaign"] == ['文化科技卫生"三下乡"'] and answer.unknown_words == []
    assert answer.drill == {"task": "Y1"}


def test_present_and_workbook_actions():
    assert ask.parse("青少年 大屏", VOCAB, dt.date(2025, 6, 1)).url == "/youth?mode=present"
    assert ask.parse("沙土 表格", VOCAB, dt.date(2025, 6, 1)).action == "xlsx"


# --- the box ------------------------------------------------------------------------------------------------


@pytest.fixture
def app_store(tiny_path, tmp_path):
    """A copy of the tiny store for the app: the app keeps its file open read-write for the whole worker, and
    DuckDB will not then open the same file read-only (as the command-line tests do)."""
    return shutil.copy(tiny_path, tmp_path / "app.duckdb")


def test_typing_in_the_box_lands_on_the_page_with_the_filters_set(app_store, monkeypatch):
    at = start(app_store, monkeypatch)
    type_question(at, "区农业农村局 农民 2024")
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["period"] == "2024" and at.session_state["bureau"] == ["区农业农村局"]
    assert at.title[0].value == "农民科学素质提升行动"
    assert any("理解为：2024年 · 区农业农村局 · 农民" in c.value for c in at.caption)


def test_the_box_drills_the_records_page(app_store, monkeypatch):
    at = start(app_store, monkeypatch)
    type_question(at, "沙土 青少年 明细")
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["town"] == ["沙土镇"]
    assert at.title[0].value == "活动明细"
    assert any("人群 = 青少年" in i.value for i in at.info)


@pytest.mark.slow  # a long flow through the app; the fast tier keeps a shorter one
def test_the_box_offers_the_briefing_of_the_year_asked(app_store, monkeypatch):
    at = start(app_store, monkeypatch)
    type_question(at, "区农业农村局 2024")
    type_question(at, "2023年简报")
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["period"] == "2023" and at.session_state["bureau"] == []
    assert at.get("download_button")[0].label == "下载 Word 简报"


@pytest.mark.slow  # an app flow; the fast tier keeps the CLI's reading of the same question
def test_the_box_answers_which_towns_lagged_last_year_in_words(app_store, monkeypatch):
    """Typed as written, on the app's own today: 去年 is last year, the 镇街 page opens on it and names the towns
    with the fewest participants per 1,000 residents: all of them towns without a record last year."""
    at = start(app_store, monkeypatch)
    type_question(at, "去年哪些镇街最落后")
    assert not at.exception, [e.message for e in at.exception]
    last_year = dt.date.today().year - 1
    assert at.title[0].value == "镇街" and at.session_state["period"] == str(last_year)
    active = {r["town"] for r in fixture_rows() if r["start_date"].year == last_year}
    line = next(i.value for i in at.info if "最低的" in i.value)
    named = line.split("：", 1)[1].split("、")
    assert len(named) == 5 and all(n.endswith("（0.0）") for n in named), line
    assert not {n.removesuffix("（0.0）") for n in named} & (active | {"全区"})


@pytest.mark.slow  # an app flow; the fast tier keeps the CLI's reading of the same question
def test_the_box_opens_a_cohorts_trend(app_store, monkeypatch):
    at = start(app_store, monkeypatch)
    type_question(at, "老年人 趋势")
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "老年人科学素质提升行动"
    assert any("理解为：老年人 · 月度趋势" in c.value for c in at.caption)
    assert any('getElementById("trend")' in h.proto.body for h in at.get("html")), "the trend is scrolled to"


@pytest.mark.slow  # an app flow; the fast tier keeps the CLI's reading of the same question
def test_the_box_reads_a_bureau_alias_a_measure_and_a_range(app_store, monkeypatch):
    at = start(app_store, monkeypatch)
    type_question(at, "科协 经费 2023到2024")
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["period"] == "2023-2024" and at.session_state["bureau"] == ["区科协"]
    assert at.session_state["overview:measure"] == "funding"
    assert any("理解为：2023—2024年 · 区科协 · 经费" in c.value for c in at.caption)


@pytest.mark.slow  # an app flow; the fast tier keeps the CLI's reading of the same question
def test_the_box_offers_a_years_briefing(app_store, monkeypatch):
    at = start(app_store, monkeypatch)
    type_question(at, "2024年简报")
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["period"] == "2024"
    assert at.get("download_button")[0].label == "下载 Word 简报"


def test_the_box_suggests_questions_and_names_as_one_types(app_store, monkeypatch):
    at = start(app_store, monkeypatch)
    offered = at.selectbox(key="ask:text").options
    assert {"去年哪些镇街最落后", "老年人 趋势", "青少年 明细", "沙土镇", "区农业农村局"} <= set(offered)
    assert len(offered) == len(set(offered))


def test_a_run_of_offered_years_may_be_shown_and_nothing_beyond():
    from kepu.core.filters import offered

    periods = ["2021-2025", "2025", "2024", "2023", "2022", "2021", "2026"]
    assert offered(Period(2023, 2024), periods) and offered(Period(2025, 2026), periods)
    assert not offered(Period(2019, 2024), periods) and not offered(Period(2024, 2030), periods)


@pytest.mark.slow  # an app flow; the fast tier keeps the CLI's reading of the same question
def test_the_next_question_ends_the_last_ones_answer_in_words(app_store, monkeypatch):
    at = start(app_store, monkeypatch)
    type_question(at, "2024年哪些镇街最落后")
    assert any("最低的" in i.value for i in at.info)
    type_question(at, "老年人 趋势")
    open_page(at, "towns")  # back to 镇街 by the navigation
    assert at.title[0].value == "镇街" and not any("最低的" in i.value for i in at.info)
