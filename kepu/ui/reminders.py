"""The 催报通知 made when its download button is clicked (on Streamlit's download thread, with a cursor of its own),
logged with who took it."""

from __future__ import annotations

import datetime as dt

from kepu.reports import reminder
from kepu.storage import audit
from kepu.ui.data import cursor


def reminder_file(code: str, as_of: dt.date, who: tuple[str, audit.Origin]) -> bytes:
    """The 催报通知 (docx) of the cycle `code` as it stands on `as_of`, its making put in the audit log."""
    name, origin = who
    audit.set_origin(origin)
    return reminder.document(cursor(), code, as_of, name)
