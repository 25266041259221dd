"""The read model of a PostgreSQL store (kepu.storage.readmodel): the figures the store gives, the same as DuckDB's on
the same rows; brought up to date by the change log after an import, an undo and a restore, while a page already
reading keeps the state it began with; loaded afresh when the store was replaced or its log has a gap."""

import datetime as dt
import shutil
from contextlib import closing
from pathlib import Path

import pytest

from kepu.core.filters import Filters, Period
from kepu.figures.summary import summary
from kepu.ingest import batches
from kepu.storage import auth, catalog, db, pg_store, queries, readmodel, store

pytestmark = pytest.mark.slow  # PostgreSQL databases made and loaded per test
FILES = Path(__file__).parent / "data" / "import"
ADMIN = auth.User("读模型测试", auth.ADMIN)
AS_OF = dt.date(2025, 6, 30)
WHOLE = Filters(Period(2021, 2025))


def figures(con) -> dict:
    """What `kepu summary --json` says of the whole plan, with the page's record count beside it."""
    return {**summary(con, WHOLE, AS_OF), "records": queries.count_records(con, WHOLE)}


@pytest.fixture
def url(pg_server, demo_path):
    made = pg_server.store(demo_path)
    yield made
    pg_server.drop(made)


def test_the_model_gives_the_figures_of_postgres_and_of_duckdb_on_the_same_rows(url, demo_path, tmp_path):
    model = readmodel.ReadModel(url)
    demo = shutil.copy(demo_path, tmp_path / "demo.duckdb")  # another test in this worker may hold the shared one
    with closing(store.connect(url)) as pg, closing(store.connect(demo, read_only=True)) as duck:
        direct, on_duckdb = figures(pg), figures(duck)
    assert figures(model.cursor()) == direct == on_duckdb
    assert direct["activities"] > 10_000  # the demo: a figure worth comparing


def test_an_import_undo_and_restore_reach_the_model_and_a_page_reading_keeps_its_state(url):
    model = readmodel.ReadModel(url)
    page = catalog.Snapshot(model.cursor())  # a page run that began before the import
    before = figures(page.con)
    first = model.con
    with closing(store.connect(url)) as pg:
        done = batches.import_file(pg, (FILES / "tolerant.xlsx").read_bytes(), "tolerant.xlsx", ADMIN)
        assert done.imported == 3
        after = figures(model.cursor())
        assert after == figures(pg) and after["records"] == before["records"] + 3
        assert figures(page.con) == before  # still the state it began with
        page.close()
        batches.undo(pg, done.batch, ADMIN)
        assert figures(model.cursor()) == figures(pg) == before
        batches.restore(pg, done.batch, ADMIN)
        assert figures(model.cursor()) == after
    assert model.con is first  # brought up to date in place, not loaded again


def test_a_replaced_store_or_a_gap_in_the_log_loads_the_model_afresh(url, tiny_path, tmp_path):
    model = readmodel.ReadModel(url)
    demo_records = figures(model.cursor())["records"]
    first = model.con
    with closing(store.connect(url)) as pg:
        # Another store now (as a restored backup would be), with its own data version.
        pg_store.load(pg, shutil.copy(tiny_path, tmp_path / "tiny.duckdb"))
        assert figures(model.cursor()) == figures(pg) and figures(pg)["records"] != demo_records
        assert model.con is not first
        second = model.con
        batches.import_file(pg, (FILES / "tolerant.xlsx").read_bytes(), "tolerant.xlsx", ADMIN)
        db.execute(pg, "DELETE FROM changes")  # a change the log does not name: the model cannot be updated
        assert figures(model.cursor()) == figures(pg)
        assert model.con is not second


def test_while_postgres_cannot_be_reached_the_pages_read_the_model_as_it_last_was(url):
    model = readmodel.ReadModel(url)
    before = figures(model.cursor())
    model.url = "postgresql://kepu:kepu@127.0.0.1:1/nowhere"  # the server gone (nothing listens on port 1)
    model._poll.raw.close()
    assert figures(model.cursor()) == before  # a whole state of the store, not an error page
    with pytest.raises(store.StoreError, match="无法从 PostgreSQL 读取数据"):
        readmodel.ReadModel("postgresql://kepu:kepu@127.0.0.1:1/nowhere").cursor()  # no model yet: said in Chinese
