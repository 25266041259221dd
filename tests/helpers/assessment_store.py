"""A hand-built store for the 考核 tests: the small plan tests/data/assessment/plan-2024-2025.yaml, and a few
batches, activities, 佐证材料 and manual points, each written out below so the expected points can be worked out
by hand (tests/test_assessment.py does, in its comments and numbers).

Reporting is quarterly, due on the 10th of the month after; the tests assess 2025 as it stood on AS_OF, when every
2025 cycle's due day had passed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from kepu.core.plan import load_plan
from kepu.storage import auth, db, store

PLAN_FILE = Path(__file__).resolve().parent.parent / "data" / "assessment" / "plan-2024-2025.yaml"
AS_OF = dt.date(2026, 1, 20)
ADMIN = "管理员甲"

# Clerks: 甲镇's and 区科协's (their returned batches count against their unit).
USERS = [("填报员甲", "town", "甲镇"), ("填报员科协", "bureau", "区科协"), ("填报员丙", "town", "丙镇")]

# id, user, created, status, reviewed_at. Q1 due 04-10, Q2 07-10, Q3 10-10, Q4 2026-01-10.
BATCHES = [
    (1, ADMIN, "2025-04-05", "approved", None),  # Q1 on time
    (2, ADMIN, "2025-07-20", "approved", None),  # Q2: 10 days late
    (3, ADMIN, "2025-10-08", "approved", None),  # Q3 on time
    (4, ADMIN, "2026-01-15", "approved", None),  # Q4: 5 days late
    (5, "填报员甲", "2025-06-01", "returned", "2025-06-03"),  # 甲镇: returned (its row retracted)
    (6, "填报员甲", "2025-08-01", "returned", "2025-08-02"),  # 甲镇: returned (empty)
    (7, "填报员科协", "2025-09-01", "returned", "2026-02-01"),  # returned after AS_OF: not yet a deduction
    (8, ADMIN, "2024-12-01", "approved", None),  # 2024's records
    (9, "填报员丙", "2025-10-02", "pending", None),  # awaiting review: reported, but counts in no figure
]

# id, start, town, bureau, task, participants, campaign, batch, retracted, pending
ACTIVITIES = [
    (1, "2025-02-10", "甲镇", "区科协", "Y1", 300, "三下乡", 1, False, False),
    (2, "2025-03-05", "乙街道", "区教体局", "Y2", 500, None, 1, False, False),
    (3, "2025-05-20", "甲镇", "区教体局", "Y1", 200, "科技活动周", 2, False, False),
    (4, "2025-09-15", "丙镇", "区科技局", "P1", 100, "全国科普日", 3, False, False),
    (5, "2025-09-20", "乙街道", "区科协", "P1", 400, "全国科普日", 3, False, False),
    (6, "2025-11-11", "甲镇", "区科协", "Y1", 100, None, 4, False, False),
    (7, "2025-06-01", "全区", "区科协", "Y2", 1000, "科技活动周", 2, False, False),
    (8, "2025-05-30", "甲镇", "区科协", "Y1", 9999, None, 5, True, False),  # returned: retracted
    (9, "2025-10-01", "丙镇", "区科技局", "P1", 5000, None, 9, False, True),  # pending
    (10, "2025-04-20", "乙街道", "区科技局", "P1", 50, None, 2, False, False),
    (11, "2024-03-01", "甲镇", "区科协", "Y1", 400, None, 8, False, False),
    (12, "2024-06-01", "乙街道", "区教体局", "Y2", 900, None, 8, False, False),
    (13, "2024-05-01", "丙镇", "区科技局", "P1", 140, None, 8, False, False),
]

# activity, batch, uploaded, removed
EVIDENCE = [
    (1, None, "2025-02-11", None),  # record 1
    (None, 3, "2025-10-09", None),  # batch 3: records 4 and 5
    (2, None, "2025-03-06", "2025-12-01"),  # removed before AS_OF: does not count
    (6, None, "2026-02-01", None),  # uploaded after AS_OF: does not count
]

# year, unit_kind, unit, item, points, reason
MANUAL = [
    (2025, "town", "甲镇", "T6", 12.0, "成立领导小组，召开专题会议1次"),
    (2025, "town", "乙街道", "T7", 3.0, "获评市级科普示范社区"),
    (2025, "town", "丙镇", "T9", 4.0, "报送数据重复4处"),
    (2025, "bureau", "区科技局", "B6", 8.0, "报送信息8篇"),
]


def build(path: Path) -> Path:
    """The store, made at `path`."""
    return store.create_store(path, plans=[load_plan(PLAN_FILE)], fill=_fill)


def _fill(con: db.Connection, plans: object) -> None:
    for name, kind, unit in USERS:
        auth.add_user(con, name, "填报员", **{kind: unit}, by="测试")
    for batch_id, user, created, status, reviewed in BATCHES:
        db.execute(
            con,
            """INSERT INTO batches (id, kind, file_name, sha256, user_name, created_at, rows_read, imported, rejected,
                                    duplicates, valid_only, status, reviewed_by, reviewed_at)
               VALUES (?, 'activities', ?, ?, ?, ?, 0, 0, 0, 0, false, ?, ?, ?)""",
            [batch_id, f"报送{batch_id}.xlsx", f"{batch_id:064d}", user, f"{created} 09:00:00", status,
             ADMIN if reviewed else None, f"{reviewed} 09:00:00" if reviewed else None],
        )  # fmt: skip
    frame = pd.DataFrame(
        ACTIVITIES,
        columns=["id", "start_date", "town", "bureau", "task", "participants", "campaign", "batch", "retracted",
                 "pending"],
    )  # fmt: skip
    frame["start_date"] = pd.to_datetime(frame.start_date).dt.date
    frame["end_date"] = frame.start_date
    frame["title"] = [f"活动{i}" for i in frame.id]
    frame["cohorts"] = [[] for _ in frame.id]
    frame["activity_type"] = "讲座"
    frame["funding"] = 0.0
    frame = frame.astype({"task": object, "campaign": object})
    frame["task"] = frame.task.where(frame.task.notna(), None)
    frame["campaign"] = frame.campaign.where(frame.campaign.notna(), None)
    db.insert_frame(con, "activities", frame)
    for activity, batch, uploaded, removed in EVIDENCE:
        db.execute(
            con,
            """INSERT INTO evidence (sha256, media_type, size, file_name, batch, activity, uploaded_by, uploaded_at,
                                     removed_by, removed_at) VALUES (?, 'image/png', 100, 'p.png', ?, ?, ?, ?, ?, ?)""",
            ["0" * 64, batch, activity, ADMIN, f"{uploaded} 09:00:00", ADMIN if removed else None,
             f"{removed} 09:00:00" if removed else None],
        )  # fmt: skip
    for year, kind, unit, item, points, reason in MANUAL:
        db.execute(
            con,
            "INSERT INTO assessment_manual VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [year, kind, unit, item, points, reason, ADMIN, "2026-01-18 10:00:00"],
        )
