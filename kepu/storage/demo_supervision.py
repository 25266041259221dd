"""The demo's supervision (督查): what the 考核 and the review of clerks' batches have to show.

Towns report as themselves: a share of each town's own local work (tasks GOVERNMENT_TASKS) is its government's
(沙土镇人民政府), reported in the town's batch. Every unit has a clerk account (no password: an administrator sets
one), named as the demo's batches name their sender. In the cycle running at the demo's end, a few clerks sent a
second batch of late activities that awaits review (its rows count in no figure), and one clerk's batch was returned
with a reason (its rows are retracted for good). Clerks attach 佐证材料 (photos, a sign-in sheet) to their records a
few days after the activity, once the record is in the store: diligent units to most, lagging ones to few. The
files are small generated images and PDFs, valid of their kind, kept once each under their hash. Deterministic.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import struct
import zlib

import numpy as np
import pandas as pd

from kepu.core.cycles import Cycle, cycles_in
from kepu.core.plan import DISTRICT, Plan
from kepu.storage import activity_rows, assessment_demo, auth, db, demo_batches, evidence, review, schema
from kepu.storage import demo_tables as tables

GOVERNMENT_TASKS, GOVERNMENT_SHARE = ("F1", "E1", "P4"), 0.25
# The share of its records a unit gives 佐证材料: drawn in this range for a diligent unit, a lagging one.
DILIGENT, LAGGING = (0.6, 0.9), (0.05, 0.25)
SECOND_FILE = 0.35  # the chance a record with a photo has the sign-in sheet too
PENDING_UNITS, RECORDS_PER_BATCH = 3, (4, 12)
RETURN_REASON = "演示：部分活动的参与人次与签到表不符，且缺少活动照片，请核对后重新报送"
CLERKS_SINCE = dt.datetime(2021, 1, 4, 9, 0)


def clerk(unit: str) -> str:
    """The demo's clerk account of a town or bureau: the user_name its batches carry."""
    return f"{unit}填报员"


def governments(plan: Plan, records: pd.DataFrame, seed: int) -> pd.DataFrame:
    """`records` (the demo's activities) with about one in four of each town's records under GOVERNMENT_TASKS given
    to the town's own government as 责任单位."""
    rng = np.random.default_rng([seed, 44])
    own = {t.name: schema.town_government(t.name, t.kind) for t in plan.towns if t.kind in schema.GOVERNMENT}
    chosen = records.task.isin(GOVERNMENT_TASKS).to_numpy() & records.town.isin(list(own)).to_numpy()
    chosen &= rng.random(len(records)) < GOVERNMENT_SHARE
    out = records.copy()
    out.loc[chosen, "bureau"] = out.town[chosen].map(own)
    return out


def fill(con: db.Connection, plan: Plan, seed: int) -> None:
    """Add the demo's clerks, its batches awaiting review or returned, and its 佐证材料 (after the activities)."""
    rng = np.random.default_rng([seed, 45])
    units = [("town", t.name) for t in plan.towns if t.kind != DISTRICT] + [("bureau", b.name) for b in plan.bureaus]
    db.executemany(
        con,
        "INSERT INTO users (name, role, bureau, town, created_at) VALUES (?, ?, ?, ?, ?)",
        [
            (clerk(u), auth.REPORTER, u if k == "bureau" else None, u if k == "town" else None, CLERKS_SINCE)
            for k, u in units
        ],
    )
    _second_batches(con, plan, rng, units)
    _evidence(con, rng, units)


def _second_batches(con: db.Connection, plan: Plan, rng: np.random.Generator, units: list[tuple[str, str]]) -> None:
    """Batches of late activities in the running cycle, after each unit's own report: PENDING_UNITS awaiting review,
    one returned. Their records are copies of the unit's other records of the cycle, on other days."""
    cycle = _running_cycle(plan)
    sent = dict(  # each unit's report of the running cycle, sent after REPORTED_UNTIL
        db.rows(
            con,
            "SELECT user_name, max(created_at) FROM batches WHERE created_at::DATE > ? GROUP BY 1",
            [tables.REPORTED_UNTIL],
        )
    )
    senders = [(k, u) for k, u in units if clerk(u) in sent and u not in tables.LAGGING_TOWNS]
    picked = [senders[i] for i in sorted(rng.choice(len(senders), PENDING_UNITS + 1, replace=False))]
    ids = sorted(int(r[0]) for r in db.rows(con, "SELECT nextval('batch_ids') FROM range(?)", [len(picked)]))
    frames, batches = [], []
    for n, ((kind, unit), batch) in enumerate(zip(picked, ids, strict=True)):
        returned = n == len(picked) - 1
        templates = db.query(
            con,
            f"""SELECT title, start_date, end_date, town, bureau, cohorts, project, task, activity_type, participants,
                       funding, note, campaign FROM activities
                WHERE {kind} = ? AND start_date >= ? AND batch IS NOT NULL ORDER BY id""",
            [unit, cycle.first],
        )
        count = int(rng.integers(*RECORDS_PER_BATCH))
        rows = templates.iloc[rng.integers(len(templates), size=count)].reset_index(drop=True)
        span = (tables.REPORTED_UNTIL - cycle.first).days
        start = np.datetime64(cycle.first, "D") + rng.integers(0, span, count)
        length = rows.end_date.to_numpy().astype("datetime64[D]") - rows.start_date.to_numpy().astype("datetime64[D]")
        end = np.minimum(start + length, np.datetime64(tables.REPORTED_UNTIL, "D"))
        rows["start_date"], rows["end_date"] = start.tolist(), end.tolist()
        rows["ref"] = [f"D{cycle.first.year}-9{batch:03d}{k:02d}" for k in range(count)]
        rows["batch"], rows["pending"], rows["retracted"] = batch, not returned, returned
        frames.append(rows)
        created = _office_time(sent[clerk(unit)].date() + dt.timedelta(days=1 + n), int(rng.integers(0, 9 * 60)))
        batches.append(
            {
                "id": batch,
                "kind": "activities",
                "file_name": f"{unit}{cycle.label}科普活动补报.xlsx",
                "sha256": hashlib.sha256(f"演示:{unit}:{cycle.code}:补报".encode()).hexdigest(),
                "user_name": clerk(unit),
                "created_at": created,
                "rows_read": count,
                "imported": count,
                "rejected": 0,
                "duplicates": 0,
                "valid_only": False,
                "status": review.RETURNED if returned else review.PENDING,
                "reviewed_by": assessment_demo.SCORED_BY if returned else None,
                "reviewed_at": created + dt.timedelta(days=1) if returned else None,
                "review_note": RETURN_REASON if returned else None,
            }
        )
    db.insert_frame(con, "batches", pd.DataFrame(batches))
    activity_rows.append(con, pd.concat(frames, ignore_index=True))


def _office_time(day: dt.date, minutes: int) -> dt.datetime:
    """`minutes` past 8:30 on the first weekday from `day`, at the latest the demo's last day of reporting."""
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    if day > demo_batches.LAST_BATCH:
        day = demo_batches.LAST_BATCH - dt.timedelta(days=max(0, demo_batches.LAST_BATCH.weekday() - 4))
    return dt.datetime.combine(day, dt.time(8, 30)) + dt.timedelta(minutes=minutes)


def _running_cycle(plan: Plan) -> Cycle:
    """The reporting cycle running at the demo's end (REPORTED_UNTIL)."""
    cycles = cycles_in(tables.REPORTED_UNTIL.year, plan.reporting.cycle, plan.reporting.due_day)
    return next(c for c in cycles if c.first <= tables.REPORTED_UNTIL <= c.last)


def _evidence(con: db.Connection, rng: np.random.Generator, units: list[tuple[str, str]]) -> None:
    """佐证材料 for a share of each unit's live records (its diligence), written as evidence.attach would: the files
    under their hash, the rows in one insert."""
    lagging = set(tables.LAGGING_TOWNS) | set(tables.LAGGING_BUREAUS)
    diligence = {clerk(u): rng.uniform(*(LAGGING if u in lagging else DILIGENT)) for _, u in units}
    records = db.query(
        con,
        """SELECT a.id, a.end_date, b.user_name, b.created_at FROM activities a JOIN batches b ON b.id = a.batch
           WHERE NOT a.retracted ORDER BY a.id""",
    )
    n = len(records)
    chance = records.user_name.map(diligence).fillna(0.0).to_numpy()
    proved = rng.random(n) < chance
    photo = rng.integers(len(PHOTOS), size=n)
    second = rng.random(n) < SECOND_FILE
    delay = pd.to_timedelta(rng.integers(1, 6, n), unit="D") + pd.to_timedelta(
        rng.integers(9 * 60, 18 * 60, n), unit="m"
    )
    after_import = pd.to_datetime(records.created_at) + pd.to_timedelta(rng.integers(10, 48 * 60, n), unit="m")
    uploaded = np.maximum(pd.to_datetime(records.end_date) + delay, after_import)
    files = [(name, evidence.keep(con, data)) for name, data in (*PHOTOS, SIGN_IN)]
    rows = []
    for with_file, which in ((proved, photo), (proved & second, np.full(n, len(PHOTOS)))):  # the photo, the sheet
        pick = np.flatnonzero(with_file)
        chosen = [files[k] for k in which[pick]]
        rows.append(
            pd.DataFrame(
                {
                    "sha256": [digest for _, (digest, _) in chosen],
                    "media_type": [kind.media_type for _, (_, kind) in chosen],
                    "file_name": [name for name, _ in chosen],
                    "activity": records.id.to_numpy()[pick],
                    "uploaded_by": records.user_name.to_numpy()[pick],
                    "uploaded_at": uploaded[pick],
                }
            )
        )
    out = pd.concat(rows, ignore_index=True).sort_values(["uploaded_at", "activity"], ignore_index=True)
    sizes = {digest: len(data) for (_, data), (_, (digest, _)) in zip((*PHOTOS, SIGN_IN), files, strict=True)}
    out.insert(2, "size", out.sha256.map(sizes))
    db.insert_frame(con, "evidence", out)


def _png(width: int, height: int, tint: tuple[int, int, int], stripes: int) -> bytes:
    """A small valid PNG: a gradient in `tint` crossed by `stripes` bands (a stand-in for an activity's photo)."""
    y, x = np.mgrid[0:height, 0:width]
    light = 0.45 + 0.55 * (x + y) / (width + height) - 0.25 * ((x * stripes // width) % 2)
    pixels = np.clip(np.array(tint)[None, None, :] * light[..., None], 0, 255).astype(np.uint8)
    raw = np.concatenate([np.zeros((height, 1), np.uint8), pixels.reshape(height, -1)], axis=1).tobytes()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _pdf(title: str, rows: int) -> bytes:
    """A small valid one-page PDF: a title and a ruled table of `rows` lines (a stand-in for a sign-in sheet)."""
    lines = "".join(f"50 {700 - 24 * i} m 545 {700 - 24 * i} l S\n" for i in range(rows + 1))
    stream = f"BT /F1 18 Tf 50 740 Td ({title}) Tj ET\n0.5 w\n{lines}".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


PHOTOS = tuple(
    (f"活动照片{k}.png", _png(96, 64, tint, stripes))
    for k, (tint, stripes) in enumerate((((70, 130, 220), 3), ((230, 150, 60), 5), ((80, 180, 110), 4)), 1)
)
SIGN_IN = ("签到表.pdf", _pdf("Demo sign-in sheet", 20))
