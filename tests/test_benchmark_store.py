"""The province-scale store the benchmarks measure (benchmarks/province.py) builds at the current schema: a
schema change that breaks it should fail here, not in the next benchmark run."""

import sys
from pathlib import Path

from kepu.core.filters import Filters, Period
from kepu.storage import catalog, queries, store

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import province  # the benchmarks folder is not a package: found through sys.path


def test_the_province_store_builds_and_reads(tmp_path):
    path = province.build(tmp_path / "province.duckdb", 5_000)
    con = store.connect(path, read_only=True)
    try:
        towns = catalog.towns(con).name
        assert towns.str.startswith("县").sum() == province.COUNTIES * province.TOWNS_PER_COUNTY
        assert queries.totals(con, Filters(Period(2021, 2025)))["activities"] == 5_000
    finally:
        con.close()
