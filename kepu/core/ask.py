"""问一句: a question in plain Chinese read into a view of the dashboard, offline and without a language model.

No segmenter: the text (after NFKC and case folding) is read left to right, taking at each place the longest known
word (a year or a range of years, a name from the store, a fixed keyword or a stop word). What is left between
known words is reported as unknown, never dropped. A word that names two different things is not guessed: it is
offered as a choice.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from kepu.core import matching
from kepu.core.filters import Period
from kepu.core.glossary import MEASURES

# Dimensions a question can narrow, in the order the answer names them.
ASKED = ("town", "bureau", "cohort", "project", "task", "campaign", "activity_type")
SHARED = ("town", "bureau", "campaign")  # the sidebar's filters; the rest are a page's drill-down

MEASURE_WORDS = {
    "场次": "activities", "活动数": "activities", "次数": "activities", "多少场": "activities",
    "人次": "participants", "参与人次": "participants", "人数": "participants", "参与人数": "participants",
    "经费": "funding", "资金": "funding", "花费": "funding", "投入": "funding", "钱": "funding",
}  # fmt: skip
INTENT_WORDS = {
    "明细": "records", "记录": "records", "清单": "records", "活动明细": "records", "活动记录": "records",
    "排名": "ranking", "排行": "ranking", "排序": "ranking",
    "落后": "lagging", "最落后": "lagging", "最差": "lagging", "后进": "lagging", "垫底": "lagging",
    "对比": "compare", "比较": "compare",
    "趋势": "trend", "走势": "trend", "月度": "trend", "变化": "trend",
}  # fmt: skip
ACTION_WORDS = {
    "简报": "docx", "报告": "docx", "导出": "docx", "word": "docx",
    "表格": "xlsx", "excel": "xlsx", "工作簿": "xlsx",
    "大屏": "present", "会议大屏": "present", "投屏": "present",
}  # fmt: skip
PAGE_WORDS = {
    "镇街": "towns", "乡镇": "towns", "街道": "towns", "各镇": "towns",
    "责任单位": "bureaus", "单位": "bureaus", "部门": "bureaus",
    "活动主题": "campaigns", "主题活动": "campaigns", "考核": "assessment", "总览": "", "概况": "",
}  # fmt: skip
RELATIVE_YEARS = {"今年": 0, "本年": 0, "去年": -1, "上一年": -1, "上年": -1, "前年": -2}
PLAN_PERIOD_WORDS = ("十四五期间", "十四五", "规划期间", "规划期", "整个规划期")
STOP_WORDS = (  # particles and filler: read, and ignored
    "的", "哪些", "哪个", "哪", "在", "了", "吗", "呢", "啊", "吧", "有", "和", "与", "及", "跟", "是", "给", "我",
    "看", "看看", "一下", "请", "显示", "打开", "查看", "情况", "多少", "怎么样", "怎样", "如何", "什么", "做了",
    "做", "干了", "为", "对", "中", "里", "个", "最", "都", "各", "年", "期间", "间", "把", "要", "想", "帮", "出",
    "一份", "份", "下",
)  # fmt: skip
_PUNCTUATION = re.compile(r"[\s,，。.、;；:：!！?？\"'“”‘’()（）【】\[\]<>《》·~～/]+")
# A year is four digits from 1900 to 2099 standing alone: 99999 or 02024 is a number nobody means as a year, and is
# listed as unknown rather than read as 9999 or 202.
_Y = r"(?<!\d)((?:19|20)\d\d)(?!\d)"
_RANGE = re.compile(_Y + r"\s*年?\s*(?:到|至|-|–|—|~)\s*" + _Y + r"\s*年?")
_YEAR = re.compile(_Y + r"\s*年?")

PAGE_NAMES = {"": "总览", "towns": "镇街", "bureaus": "责任单位", "campaigns": "活动主题", "records": "活动明细",
              "assessment": "考核"}  # fmt: skip
INTENT_NAMES = {"ranking": "排名", "lagging": "落后项", "compare": "对比", "trend": "月度趋势"}
ACTION_NAMES = {"docx": "导出 Word 简报", "xlsx": "导出 Excel 工作簿", "present": "会议大屏"}


@dataclass(frozen=True)
class Vocabulary:
    """What a question can name: for each spelling's match key, the (dimension, canonical name) pairs it means;
    the cohorts' and projects' page slugs; and the plan's period (for 十四五期间)."""

    words: dict[str, tuple[tuple[str, str], ...]]
    slugs: dict[str, str]
    plan_period: Period

    @classmethod
    def build(cls, names: dict[str, dict[str, str]], slugs: dict[str, str], plan_period: Period) -> Vocabulary:
        """From `names`: dimension → {spelling → canonical name}."""
        words: dict[str, list[tuple[str, str]]] = {}
        for dim, spellings in names.items():
            for spelling, name in spellings.items():
                meanings = words.setdefault(matching.key(spelling), [])
                if (dim, name) not in meanings:
                    meanings.append((dim, name))
        return cls({k: tuple(v) for k, v in words.items() if k}, slugs, plan_period)


def short_names(names: list[str], suffixes: tuple[str, ...]) -> dict[str, str]:
    """Each name without one of `suffixes` (沙土镇 → 沙土, 区科协 → 科协), where at least two characters remain."""
    out = {}
    for name in names:
        for suffix in suffixes:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                out[name[: -len(suffix)]] = name
            if name.startswith(suffix) and len(name) - len(suffix) >= 2:
                out[name[len(suffix) :]] = name
    return out


@dataclass
class Answer:
    """What a question was read as. `page` is a url_path ("" the overview); `drill` the dimensions the page is
    narrowed to beyond the shared filters; `choices` the ambiguous words with what each could mean."""

    page: str = ""
    period: Period | None = None
    filters: dict[str, list[str]] = field(default_factory=lambda: {d: [] for d in ASKED})
    drill: dict[str, str] = field(default_factory=dict)
    measure: str | None = None
    intent: str | None = None
    action: str | None = None
    understood: str = ""
    unknown_words: list[str] = field(default_factory=list)
    choices: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "filters": {"period": str(self.period) if self.period else None, **self.filters},
            "drill": self.drill,
            "measure": self.measure,
            "intent": self.intent,
            "action": self.action,
            "url": self.url,
            "understood": self.understood,
            "unknown_words": self.unknown_words,
            "choices": self.choices,
        }


def tokens(text: str, vocab: Vocabulary) -> list[tuple[str, Any]]:
    """The question as (kind, value) pairs, left to right: ("period", Period), ("name", meanings), ("measure", m),
    ("intent", i), ("action", a), ("page", p), ("unknown", written). Stop words and punctuation leave nothing."""
    fixed: dict[str, tuple[str, Any]] = {}
    for table, kind in ((MEASURE_WORDS, "measure"), (INTENT_WORDS, "intent"), (ACTION_WORDS, "action"),
                        (PAGE_WORDS, "page")):  # fmt: skip
        fixed.update({matching.key(w): (kind, v) for w, v in table.items()})
    fixed.update({matching.key(w): ("plan", None) for w in PLAN_PERIOD_WORDS})
    fixed.update({matching.key(w): ("relative", n) for w, n in RELATIVE_YEARS.items()})
    stops = {matching.key(w) for w in STOP_WORDS}
    longest = max([len(k) for k in (*vocab.words, *fixed, *stops)] or [1])
    out: list[tuple[str, Any]] = []
    for chunk in _PUNCTUATION.split(unicodedata.normalize("NFKC", text).casefold()):
        chunk = matching.key(chunk)
        unknown, i = "", 0
        while i < len(chunk):
            hit = _period_at(chunk, i)
            found: tuple[str, Any] | None = None
            if hit is not None:
                found, size = ("period", hit[0]), hit[1]
            else:
                for size in range(min(longest, len(chunk) - i), 0, -1):
                    piece = chunk[i : i + size]
                    if piece in vocab.words:
                        found = ("name", (piece, vocab.words[piece]))
                    elif piece in fixed:
                        found = fixed[piece]
                    elif piece in stops:
                        found = ("stop", None)
                    if found is not None:
                        break
            if found is None:
                unknown += chunk[i]
                i += 1
                continue
            if unknown:
                out.append(("unknown", unknown))
                unknown = ""
            if found[0] != "stop":
                out.append(found)
            i += size
        if unknown:
            out.append(("unknown", unknown))
    return out


def _period_at(text: str, i: int) -> tuple[Period, int] | None:
    for pattern in (_RANGE, _YEAR):
        m = pattern.match(text, i)
        if m:
            first, last = int(m[1]), int(m.group(m.lastindex or 1))
            return Period(min(first, last), max(first, last)), m.end() - i
    return None


def parse(text: str, vocab: Vocabulary, today: dt.date) -> Answer:
    """`text` read as a view: its page, filters, drill-down, measure, intent and action, in words and as a link."""
    a = Answer()
    subject: str | None = None
    for kind, value in tokens(text, vocab):
        if kind == "period":
            a.period = value
        elif kind == "relative":
            a.period = Period(today.year + value, today.year + value)
        elif kind == "plan":
            a.period = vocab.plan_period
        elif kind == "measure":
            a.measure = value
        elif kind == "intent":
            a.intent = "lagging" if value == "lagging" or a.intent == "lagging" else value
        elif kind == "action":
            a.action = value
        elif kind == "page":
            subject = value
        elif kind == "unknown":
            a.unknown_words.append(value)
        else:
            written, meanings = value
            if len(meanings) > 1:
                a.choices.append({"word": written, "options": [{"dimension": d, "value": v} for d, v in meanings]})
            else:
                dim, name = meanings[0]
                if name not in a.filters[dim]:
                    a.filters[dim].append(name)
    _place(a, subject, vocab)
    a.understood = understood(a)
    a.url = url(a)
    return a


def _place(a: Answer, subject: str | None, vocab: Vocabulary) -> None:
    """The page the answer lands on, and which of its dimensions become the page's drill-down."""
    f = a.filters
    if a.intent == "records":
        a.page = "records"
    elif a.intent in ("ranking", "lagging", "compare") or subject is not None:
        bureau_side = subject == "bureaus" or (subject is None and f["bureau"] and not f["town"])
        a.page = str(subject) if subject is not None else ("bureaus" if bureau_side else "towns")
    elif f["cohort"] or f["project"]:
        a.page = vocab.slugs[(f["cohort"] or f["project"])[0]]
    else:
        a.page = ""
    own = next((n for n, slug in vocab.slugs.items() if slug == a.page), None)
    for dim in ("cohort", "project", "task", "activity_type"):
        chosen = [v for v in f[dim] if v != own]
        if chosen:
            a.drill[dim] = chosen[0]  # a page drills to one value per dimension


def understood(a: Answer) -> str:
    """The answer in words: 理解为：2024年 · 区农业农村局 · 农民 · 活动明细."""
    parts = [a.period.label()] if a.period else []
    parts += ["、".join(a.filters[d]) for d in ASKED if a.filters[d]]
    if a.measure:
        parts.append(MEASURES[a.measure].removesuffix("（元）"))
    page = PAGE_NAMES.get(a.page)
    if a.intent in INTENT_NAMES:
        parts.append(f"{page or ''}{INTENT_NAMES[a.intent]}" if a.intent != "trend" else INTENT_NAMES[a.intent])
    elif page and a.page != "":
        parts.append(page)
    if a.action:
        parts.append(ACTION_NAMES[a.action])
    return "理解为：" + (" · ".join(parts) if parts else "总览")


def url(a: Answer) -> str:
    """The app's link to the answer: the page's url_path, the shared filters (period, town, bureau, campaign) and
    the drill-down (cohort, project, task, activity_type) as query parameters; mode=present for 大屏."""
    pairs = [("period", str(a.period))] if a.period else []
    pairs += [(d, v) for d in SHARED for v in a.filters[d]]
    pairs += list(a.drill.items())
    if a.action == "present":
        pairs.append(("mode", "present"))
    query = urlencode(pairs, quote_via=quote)
    return "/" + quote(a.page) + (f"?{query}" if query else "")


def suggestions(vocab: Vocabulary, today: dt.date) -> list[str]:
    """What the box offers while one types (the browser filters them as the words come): a few whole questions,
    then every cohort and project with its trend and records, then the bureaus, campaigns and towns by name."""
    names: dict[str, list[str]] = {d: [] for d in ASKED}
    for meanings in vocab.words.values():
        for dim, name in meanings:
            if name not in names[dim]:
                names[dim].append(name)
    last = today.year - 1
    out = [f"{last}年简报", "去年哪些镇街最落后", "去年哪些单位最落后", f"{today.year}年 会议大屏", "规划期间 经费"]
    for group in (*names["cohort"], *names["project"]):
        out += [group, f"{group} 趋势", f"{group} 明细", f"{last}年 {group}"]
    out += sorted(names["bureau"]) + sorted(names["campaign"]) + sorted(names["town"])
    return list(dict.fromkeys(out))
