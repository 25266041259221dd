"""The files a view can be taken away as: the Excel workbook, the Word briefing, the records as CSV. Used by the
pages' export buttons and by `kepu report`, so both give the same file for the same filters."""

from __future__ import annotations

import datetime as dt
import re

from kepu.core import words
from kepu.core.filters import Filters
from kepu.core.glossary import EXPORT_FORMATS
from kepu.figures import brief, tables
from kepu.reports import briefing, chart_images, final, final_doc, final_sheet, spreadsheet
from kepu.storage import audit, catalog, db, queries

RECORD_LIMIT = 100_000  # records in one workbook: beyond this Excel grows slow to open; the sheet says so
FORMATS = EXPORT_FORMATS
MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv",
}


def workbook(con: db.Connection, f: Filters, as_of: dt.date, focus: str | None = None) -> bytes:
    """The view as a workbook: 概要, 人群 and 重点工程, then the pages' own tables and matrices, then the records."""
    b = brief.gather(con, f, as_of, focus)
    cohorts = [g["name"] for g in b["groups"] if g["kind"] == "cohort"]
    towns = list(f.town) or catalog.towns(con).name.tolist()
    by_town = tables.matrix(
        queries.breakdown(con, f, ("town", "cohort")), "town", "cohort", "participants", towns, cohorts
    )
    duties = tables.assignments(b["assignments"], list(f.bureau) or catalog.plan_bureaus(con), b["tasks"].code.tolist())
    sheets = {  # as the pages show them (kepu/tables.py)
        "任务": tables.tasks(b["tasks"], b["targets"]),
        "镇街": tables.towns(b["towns"]),
        "镇街×人群（人次）": by_town.rename_axis("镇街").reset_index(),
        "责任单位": tables.bureau_coverage(b["bureaus"]),
        "分工矩阵（场次）": duties.map(lambda v: int(v) if v.isdigit() else v).rename_axis("责任单位").reset_index(),
    }
    records = tables.records(queries.records(con, f, limit=RECORD_LIMIT))
    return spreadsheet.build(b, sheets, records)


def briefing_document(
    con: db.Connection, f: Filters, as_of: dt.date, focus: str | None = None
) -> tuple[bytes, str | None]:
    """The briefing, and why it has no charts when they could not be drawn (None when it has them)."""
    b = brief.gather(con, f, as_of, focus)
    charts = chart_images.figures(b)
    try:
        pngs = chart_images.render([fig for _, fig in charts])
    except chart_images.ChartError as exc:
        return briefing.build(b, [], str(exc)), str(exc)
    images = [(caption, png) for (caption, _), png in zip(charts, pngs, strict=True)]
    return briefing.build(b, images), None


def final_report(con: db.Connection, f: Filters, as_of: dt.date, kind: str) -> bytes:
    """The 终期评估报告 of a whole plan ended by `as_of`, as a Word document (kind="docx") or a workbook ("xlsx");
    a UserError saying what to do when `f` is not such a view (final.refusal)."""
    evaluation = final.evaluate(con, f, as_of)
    return final_doc.build(evaluation) if kind == "docx" else final_sheet.build(evaluation)


def records_csv(con: db.Connection, f: Filters, search: str = "") -> bytes:
    """The view's records (those matching `search`, if given) as CSV, at most RECORD_LIMIT, formulas neutralised."""
    return spreadsheet.to_csv(tables.records(queries.records(con, f, search, limit=RECORD_LIMIT)))


def file_name(f: Filters, kind: str, focus: str | None = None) -> str:
    """科学素质行动_2024_沙土镇.xlsx: the view in a name a clerk can file."""
    parts = ["科学素质行动", focus or "", str(f.period), *f.town[:3], *f.bureau[:2]]
    stem = "_".join(p for p in parts if p)
    return re.sub(r'[\\/:*?"<>|\s]+', "", stem) + f".{kind}"


def log(con: db.Connection, user_name: str, kind: str, f: Filters, where: str = "", report: str = "") -> None:
    """Put an export in the audit log: what was taken away (workbook, briefing or records; `report` names any other
    report, such as the 终期评估报告), of which view."""
    audit.record(
        con,
        user_name,
        "export",
        format=kind,
        view=words.filters(f),
        period=str(f.period),
        town=list(f.town),
        bureau=list(f.bureau),
        file=where or None,
        **({"report": report} if report else {}),
    )
