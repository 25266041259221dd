"""The shape we keep. The layers themselves are import-linter contracts in pyproject.toml (`uv run lint-imports`,
run by .ci/run); these tests check what a contract cannot: that SQL runs only in kepu/storage/db.py, that pages
stay layout, and that no module grows past MAX_LINES."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEPU = ROOT / "kepu"
MAX_LINES = 400  # a module longer than this is split into cohesive ones
STATEMENT_CALLS = {"execute", "executemany", "sql", "query_df", "register", "unregister", "from_query", "read_sql"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def statement_calls(path: Path) -> list[str]:
    """Calls that hand SQL (or a frame) to a connection: x.execute(…), x.sql(…), x.register(…)… other than through
    the db module (db.execute is the one door)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in STATEMENT_CALLS:
            receiver = node.func.value
            # db is the one door; atexit.register registers a function, not a frame
            if not (isinstance(receiver, ast.Name) and receiver.id in ("db", "atexit")):
                found.append(f"{path.name}:{node.lineno} {ast.unparse(node.func)}")
    return found


def test_only_the_ui_package_imports_streamlit():
    for path in KEPU.rglob("*.py"):
        if any(m.split(".")[0] == "streamlit" for m in imported_modules(path)):
            assert path.parent == KEPU / "ui", path


def test_pages_run_no_sql():
    for path in [*(ROOT / "app_pages").glob("*.py"), ROOT / "streamlit_app.py"]:
        modules = imported_modules(path)
        assert not {"duckdb", "kepu.storage.db", "kepu.storage.store"} & modules, path.name
        text = path.read_text(encoding="utf-8")
        assert "SELECT" not in text and not statement_calls(path), path.name


def test_only_db_runs_statements():
    door = {KEPU / "storage" / "db.py", KEPU / "storage" / "db_postgres.py"}  # db and its PostgreSQL engine
    others = [path for path in KEPU.rglob("*.py") if path not in door]
    found = [call for path in others for call in statement_calls(path)]
    assert found == []


def test_only_the_store_opens_duckdb_files():
    opening = {
        path.relative_to(KEPU).as_posix()
        for path in KEPU.rglob("*.py")
        if "duckdb" in {m.split(".")[0] for m in imported_modules(path)}
    }
    assert opening <= {"storage/db.py", "storage/store.py"}, opening


def test_records_are_added_only_through_activity_rows():
    """A record added past activity_rows.append has no cohort set, and every cohort figure would leave it out."""
    added = re.compile(r"""INSERT\s+INTO\s+activities\b|insert_frame\(\s*\w+,\s*["']activities["']""", re.IGNORECASE)
    for path in KEPU.rglob("*.py"):
        if path.name != "activity_rows.py":
            assert not added.search(path.read_text(encoding="utf-8")), path


def test_no_module_is_longer_than_max_lines():
    long = {
        path.relative_to(ROOT).as_posix(): lines
        for path in sorted(KEPU.rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"over {MAX_LINES} lines (split them): " + ", ".join(f"{p} ({n})" for p, n in long.items())


def test_the_statement_check_can_fail(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("con.cursor().execute('SELECT 1')\ncon.sql('SELECT 1')\ndb.execute(con, 'SELECT 1')\n")
    assert statement_calls(sample) == ["sample.py:1 con.cursor().execute", "sample.py:2 con.sql"]


def test_no_pages_folder_beside_the_entrypoint():
    """The page modules live in app_pages/, not pages/: a folder named pages/ beside streamlit_app.py switches on
    Streamlit's legacy multipage mode for a server's first session, before any st.navigation runs (the first request
    then shows "Page not found" and its first quick pick does not reach the address bar). Streamlit has no setting
    for it and itself advises not to name the folder pages/ when using st.navigation."""
    from streamlit.runtime.pages_manager import PagesManager

    assert not (ROOT / "pages").exists()
    saved = PagesManager.uses_pages_directory
    try:
        PagesManager.uses_pages_directory = None
        PagesManager(str(ROOT / "streamlit_app.py"))
        assert PagesManager.uses_pages_directory is False
    finally:
        PagesManager.uses_pages_directory = saved
