"""One matching rule (kepu/matching.py): what counts as the same written value, and what a refusal says when a
value only looks like a known one. Expected forms are written out here by hand."""

import re
import unicodedata

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kepu.core import matching
from kepu.storage import catalog, store

ZWSP, ZWJ, BOM, SOFT_HYPHEN, RLM = "\u200b", "\u200d", "\ufeff", "\u00ad", "\u200f"


@pytest.mark.parametrize(
    "written, meant",
    [
        ("青少年科技节（一）", "青少年科技节(一)"),  # full-width brackets
        (f"青少年{ZWSP}科技节", "青少年科技节"),  # a zero-width space pasted from a web page
        ("青少年  科技节", "青少年 科技节"),  # a doubled space
        ("青少年\u3000科技节", "青少年科技节"),  # the ideographic space
        (f"{BOM}K-001", "K-001"),  # a byte-order mark in front
        ("ｋ－００１", "K-001"),  # full-width letter, hyphen and digits
        ("k-001", "K-001"),  # lower case
        (f"K{SOFT_HYPHEN}-0{RLM}01", "K-001"),
        ("科普\n讲座", "科普 讲座"),
        (f"沙土{ZWJ}镇 ", "沙土镇"),
    ],
)
def test_cosmetic_differences_give_the_same_key(written, meant):
    assert matching.key(written) == matching.key(meant)


@pytest.mark.parametrize(
    "one, other",
    [
        ("科普讲座（一）", "科普讲座（二）"),
        ("K-001", "K-002"),
        ("K-001", "K001"),
        ("沙土镇", "沙士镇"),
        ("科普讲座", "科普講座"),  # a traditional character is another character; refusals point it out instead
    ],
)
def test_real_differences_stay_different(one, other):
    assert matching.key(one) != matching.key(other)


def test_what_is_stored_is_as_written_but_without_what_cannot_be_seen():
    assert matching.clean(f" 青少年{ZWSP}科技节（一）  第二场\n") == "青少年科技节（一） 第二场"
    assert matching.clean(None) == "" and matching.key(None) == ""


def test_an_invisible_character_is_written_out_where_a_message_shows_it():
    assert matching.visible(f"沙土{ZWSP}镇") == "沙土⟨U+200B⟩镇"


KNOWN = {matching.key(n): n for n in ("牡丹区", "沙土镇", "吕陵镇", "区科协")}


def test_a_traditional_character_is_named_and_the_meant_name_offered():
    notes = matching.differences("牡丹區", KNOWN)
    assert "“區”是繁体字（简体为“区”）" in notes[0]
    assert notes[-1] == "是否应为“牡丹区”？"
    assert "“區”是繁体字" in matching.unknown("牡丹區", KNOWN, "镇街")


def test_an_invisible_character_is_named_by_its_code_point():
    notes = matching.differences(f"火星{ZWSP}镇", KNOWN)
    assert any("含不可见字符 U+200B" in n for n in notes)
    assert "“火星⟨U+200B⟩镇”不是已知的镇街" in matching.unknown(f"火星{ZWSP}镇", KNOWN, "镇街")


def test_nothing_to_say_about_a_plainly_unknown_name():
    assert matching.differences("火星基地", KNOWN) == []


def test_names_and_aliases_resolve_by_the_same_rule(tiny):
    assert catalog.resolve_town(tiny, f"沙土{ZWSP}") == "沙土镇"
    assert catalog.resolve_town(tiny, "沙土镇　") == "沙土镇"
    assert catalog.resolve_bureau(tiny, "科協") is None  # traditional: refused, not guessed
    assert catalog.resolve_bureau(tiny, "ｋｅ") is None


# The store computes most keys in SQL (store.fill_match_keys): for values in store.PLAIN_TEXT, key() must be
# lower(); anything else goes through Python. The two must agree.


def test_every_cjk_unified_ideograph_is_its_own_key():
    ideographs = "".join(chr(c) for c in range(0x4E00, 0xA000))
    assert matching.key(ideographs) == ideographs


plain_text = st.text(
    alphabet=st.sampled_from([chr(c) for c in range(0x21, 0x7F)] + list("科普讲座沙土镇（一）")), max_size=20
)


@settings(max_examples=300)
@given(plain_text)
def test_the_sql_shortcut_agrees_with_the_rule(text):
    if re.fullmatch(store.PLAIN_TEXT, text):
        assert matching.key(text) == text.lower()


@pytest.mark.duckdb_only  # the store's upgrade step, which runs on DuckDB files (PostgreSQL copies their keys)
def test_keys_filled_by_the_store_equal_the_rule(empty_store):
    odd = ["K-１", f"科普{ZWSP}讲座", "AI 科普", "ＡＩ科普", "科普讲座（一）", "plain-ref", "科普講座"]
    path = empty_store
    con = duckdb.connect(str(path))
    for i, text in enumerate(odd):
        con.execute(
            """INSERT INTO activities (ref, title, start_date, end_date, town, bureau, cohorts,
                       activity_type, participants, funding) VALUES (?, ?, DATE '2024-01-01', DATE '2024-01-01',
                       '沙土镇', '区科协', [], '讲座', 1, 0)""",
            [text, text + str(i)],
        )
    store.fill_match_keys(con)
    stored = con.execute("SELECT ref, title, ref_key, title_key FROM activities").fetchall()
    for ref, title, ref_key, title_key in stored:
        assert (ref_key, title_key) == (matching.key(ref), matching.key(title))
    con.close()


def test_nfkc_is_what_the_rule_folds_with():
    # The rule is NFKC (not NFC): compatibility forms such as ① and ｶ fold to their plain forms.
    assert matching.key("①") == matching.key("1") and unicodedata.normalize("NFC", "①") != "1"


@pytest.mark.slow  # all 1.1 million code points
def test_the_invisible_characters_pattern_covers_every_plane():
    # The pattern is built from planes 0, 1 and 14 only (to be quick); no invisible character lies elsewhere.
    pattern = matching._invisible_pattern()
    outside = [c for c in range(0x110000) if matching.is_invisible(chr(c)) and not pattern.fullmatch(chr(c))]
    assert outside == []
