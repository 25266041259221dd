"""The audit log: who changed what, and when. Every write to the store leaves a line here."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from kepu import db


def record(con, user_name: str, action: str, **detail) -> None:
    """Log one action (import, undo, restore, target change, user change…) with its details as JSON."""
    db.execute(con, "INSERT INTO audit_log (logged_at, user_name, action, detail) VALUES (?, ?, ?, ?)",
               [dt.datetime.now(), user_name, action, json.dumps(detail, ensure_ascii=False, default=str)])


def entries(con, limit: int = 200) -> pd.DataFrame:
    """The latest entries, newest first. Columns: logged_at, user_name, action, detail."""
    return db.query(con, "SELECT logged_at, user_name, action, detail FROM audit_log ORDER BY logged_at DESC LIMIT ?",
                    [limit])
