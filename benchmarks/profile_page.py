"""Where a cold page's time goes: one page opened cold (empty result caches) on a store, every SQL statement timed
through kepu.storage.db, and cProfile's view of kepu and Plotly beside it (benchmarks/README.md, issue 15).

    uv run python benchmarks/profile_page.py benchmarks/.cache/province-10000000.duckdb [youth|overview|towns|…]
"""

from __future__ import annotations

import collections
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    store, page = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "overview")
    os.environ["KEPU_DB"] = store
    os.environ["KEPU_BACKUP_HOURS"] = "0"
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from kepu.storage import db
    from kepu.ui import data

    spent: dict[str, float] = collections.defaultdict(float)
    count: collections.Counter[str] = collections.Counter()
    real = db._timed

    def timed(con, sql, params):  # every statement, whichever db function runs it
        started = time.perf_counter()
        result = real(con, sql, params)
        key = " ".join(sql.split())[:110]
        spent[key] += time.perf_counter() - started
        count[key] += 1
        return result

    db._timed = timed
    app = str(ROOT / "streamlit_app.py")
    probe = AppTest.from_file(app, default_timeout=600)
    probe.run()  # opens the store, imports the modules, learns the pages
    hashes = {info.get("url_pathname"): h for h, info in probe._registered_pages.items()}
    st.cache_data.clear()
    data.clear_results()
    spent.clear()
    count.clear()
    at = AppTest.from_file(app, default_timeout=600)
    if page != "overview":
        at._page_hash = hashes[page]
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    at.run()
    profile.disable()
    print(f"{page}: cold {time.perf_counter() - started:.3f} s, of which SQL {sum(spent.values()):.3f} s")
    for key, seconds in sorted(spent.items(), key=lambda kv: -kv[1])[:15]:
        print(f"{seconds:7.3f} s  x{count[key]}  {key}")
    pstats.Stats(profile).sort_stats("cumulative").print_stats(r"kepu|plotly", 30)


if __name__ == "__main__":
    main()
