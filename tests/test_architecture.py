"""The shape we keep: only kepu.ui imports streamlit; pages never touch SQL or connections."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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


def test_only_the_ui_module_imports_streamlit():
    for path in (ROOT / "kepu").glob("*.py"):
        uses_streamlit = any(m.split(".")[0] == "streamlit" for m in imported_modules(path))
        assert uses_streamlit == (path.name == "ui.py"), path.name


def test_pages_run_no_sql():
    for path in [*(ROOT / "pages").glob("*.py"), ROOT / "streamlit_app.py"]:
        modules = imported_modules(path)
        assert not {"duckdb", "kepu.db", "kepu.store"} & modules, path.name
        text = path.read_text(encoding="utf-8")
        assert "SELECT" not in text and ".execute(" not in text, path.name


def test_only_db_runs_statements():
    for path in (ROOT / "kepu").glob("*.py"):
        if path.name != "db.py":
            assert "con.execute(" not in path.read_text(encoding="utf-8"), path.name
