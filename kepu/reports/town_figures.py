"""The 镇街 page's two figures, built from the store: the tile map and the ranking. Each is a function of the
store and the view alone, so the dashboard builds it once per data version and view for every session
(ui.shared) instead of once per page run: plotly's validation of a figure costs more than the queries behind it."""

from __future__ import annotations

import plotly.graph_objects as go

from kepu.core.filters import Filters
from kepu.figures import tables
from kepu.reports import charts, town_map
from kepu.storage import catalog, db, queries


def map_figure(con: db.Connection, f: Filters, colouring: str, selected: str | None) -> go.Figure:
    """The tile map of the towns in `f` (town left out by the caller), coloured by `colouring`."""
    return town_map.tile_map(queries.town_table(con, f), catalog.town_grid(con), colouring, selected)


def ranking_figure(
    con: db.Connection, f: Filters, measure: str, selected: str | None, label: str, ends: int
) -> go.Figure:
    """The towns ranked by `measure` (全区 left out), the best and the worst `ends` of them when there are more."""
    frame = queries.town_table(con, f)
    ranked = tables.ends(frame[frame.participants_per_1000.notna()], measure, ends)
    return charts.bar(ranked, "town", measure, selected, label=label)
