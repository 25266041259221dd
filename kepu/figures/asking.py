"""The vocabulary 问一句 reads questions with, from what the store knows of the plan in force."""

from __future__ import annotations

import datetime as dt

from kepu.core import ask
from kepu.core.ask import Vocabulary, short_names
from kepu.core.glossary import ACTIVITY_TYPES
from kepu.storage import catalog, db

TOWN_SUFFIXES = ("街道办事处", "办事处", "街道", "镇", "乡")
BUREAU_PREFIXES = ("区",)


def vocabulary(con: db.Connection, today: dt.date) -> Vocabulary:
    """Every name a question can use: towns (沙土镇, its aliases, 沙土), bureaus (区科协, its aliases, 科协), the
    plan's cohorts, projects, task codes and campaigns (with aliases), and the activity types."""
    plan = catalog.plan_for(con, catalog.default_period(con, today))
    towns = catalog.spellings(con, "town")
    # A town's own government is also a bureau spelt like the town (沙土镇 → 沙土镇人民政府): a question naming the
    # town means the town.
    bureaus = {k: n for k, n in catalog.spellings(con, "bureau").items() if k not in towns}
    written_towns = {**catalog.aliases(con, "town"), **{n: n for n in catalog.towns(con).name}}
    written_bureaus = {**catalog.aliases(con, "bureau"), **{n: n for n in catalog.plan_bureaus(con)}}
    groups = catalog.groups(con, plan.id)
    names: dict[str, dict[str, str]] = {
        "town": {**towns, **_shortened(written_towns, TOWN_SUFFIXES)},
        "bureau": {**bureaus, **_shortened(written_bureaus, BUREAU_PREFIXES)},
        "cohort": {str(n): str(n) for n in groups.name[groups.kind == "cohort"]},
        "project": {str(n): str(n) for n in groups.name[groups.kind == "project"]},
        "task": {code: code for code in catalog.tasks(con, plan.id).code},
        "campaign": catalog.campaign_spellings(con, plan.id),
        "activity_type": {t: t for t in ACTIVITY_TYPES},
    }
    return Vocabulary.build(names, dict(zip(groups.name, groups.slug, strict=True)), plan.period)


def _shortened(written: dict[str, str], affixes: tuple[str, ...]) -> dict[str, str]:
    """Short spellings (沙土 for 沙土镇, 农业局 for 区农业局) of each spelling → its canonical name."""
    out: dict[str, str] = {}
    for spelling, name in written.items():
        for short in short_names([spelling], affixes):
            out.setdefault(short, name)
    return out


def suggestions(con: db.Connection, today: dt.date) -> list[str]:
    """What the box offers while one types (kepu.core.ask.suggestions over this store's vocabulary)."""
    return ask.suggestions(vocabulary(con, today), today)
