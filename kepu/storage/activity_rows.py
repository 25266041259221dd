"""Adding activity records, and the cohort sets they are counted by.

A record's cohorts are a list, and testing a list on every record is what a cohort page spent its time on: at ten
million records one `list_contains` costs 0.08 s and the overview made six of them (benchmarks/README.md, issue 15).
There are only a few distinct lists (eleven in the province benchmark), so each record also carries `cohort_set`, the
number of its list in `cohort_sets`. A query groups the records by that number and tests the few lists instead
(queries.py). The numbers are filled in SQL right after the rows are added, so the same statement serves an import,
the demo, the benchmark's store and the upgrade of an older store.
"""

from __future__ import annotations

import pandas as pd

from kepu.storage import db

# Lists not yet numbered get the numbers after the highest, in a fixed order. The lists are compared whole, with
# IS NOT DISTINCT FROM so that a list holding a NULL still matches itself.
_NEW_SETS = """
    INSERT INTO cohort_sets (id, cohorts)
    SELECT (SELECT coalesce(max(id), 0) FROM cohort_sets) + row_number() OVER (ORDER BY n.cohorts), n.cohorts
    FROM (SELECT DISTINCT cohorts FROM activities WHERE cohort_set IS NULL) n
    WHERE NOT EXISTS (SELECT 1 FROM cohort_sets s WHERE s.cohorts IS NOT DISTINCT FROM n.cohorts)"""
_NUMBER_ROWS = """
    UPDATE activities SET cohort_set = s.id FROM cohort_sets s
    WHERE activities.cohort_set IS NULL AND s.cohorts IS NOT DISTINCT FROM activities.cohorts"""


def append(con: db.Connection, data: pd.DataFrame) -> None:
    """Add activity records (a frame of `activities`' columns, by name) with their cohort sets. Run it inside the
    caller's transaction: the rows and their numbers land together."""
    db.insert_frame(con, "activities", data)
    number_cohort_sets(con)


def number_cohort_sets(con: db.Connection) -> None:
    """Give every record without one the number of its cohort list, numbering new lists first. Cheap when few
    records lack one: DuckDB skips the row groups whose statistics show no NULL, PostgreSQL reads a partial index."""
    db.execute(con, _NEW_SETS)
    db.execute(con, _NUMBER_ROWS)
