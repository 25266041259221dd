"""Runs `kepu …` with every COMMIT held back for a minute, announcing it first, so a test can kill the
process in the middle of committing an import."""

import sys
import time

from kepu import cli, db

_execute = db.execute


def _slow(con, sql, params=None):
    if sql.strip().upper() == "COMMIT":
        print("COMMITTING", flush=True)
        time.sleep(60)
    return _execute(con, sql, params)


db.execute = _slow
sys.exit(cli.main(sys.argv[1:]))
