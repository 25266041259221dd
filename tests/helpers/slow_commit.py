"""Runs `kepu …` pausing for a minute at one point of writing to the store, announcing it first, so a test can kill
the process exactly there. The point is the first argument: the start of a statement (e.g. "INSERT INTO batches",
"COMMIT"), "INSERT INTO activities" for the rows themselves, or "AFTER COMMIT"."""

import sys
import time

from kepu import cli
from kepu.storage import db

POINT = sys.argv.pop(1).upper()
_timed, _insert_frame = db._timed, db.insert_frame


def _pause() -> None:
    print("PAUSED", flush=True)
    time.sleep(60)


def _slow(con, sql, params=None):
    statement = " ".join(sql.split()).upper()
    if POINT != "AFTER COMMIT" and statement.startswith(POINT):
        _pause()
    result = _timed(con, sql, params)
    if POINT == "AFTER COMMIT" and statement == "COMMIT":
        result.fetchall()  # the commit is done
        _pause()
    return result


def _slow_frame(con, table, data):
    if f"INSERT INTO {table.upper()}" == POINT:
        _pause()
    return _insert_frame(con, table, data)


db._timed, db.insert_frame = _slow, _slow_frame  # every statement passes through db._timed
sys.exit(cli.main(sys.argv[1:]))
