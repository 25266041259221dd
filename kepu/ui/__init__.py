"""The only part of kepu that imports streamlit: what the pages share, split by concern. Pages use this facade
(`ui.cached`, `ui.begin`, `ui.plain`…); the modules behind it are data (connection, snapshot, cache), filters,
drill, records, tiles, scaffold (a page's title, caption and 导出 menu), downloads, login, nav, text, review (the
待审核 queue), evidence (佐证材料) and ask (问一句, the box at the top of every page)."""

from kepu.ui.ask import apply_asked, ask_box, scroll_to_asked
from kepu.ui.backups import backup_panel, start_scheduled_backups
from kepu.ui.data import begin_run, cached, cursor, direct, end_run, made, require_store, shared, today
from kepu.ui.downloads import export_file, requester
from kepu.ui.drill import Drill
from kepu.ui.evidence import evidence_panel
from kepu.ui.filters import as_of, filters, link, present_button, presenting, shared_filters, url_filters
from kepu.ui.login import current_user, login_form, login_required, now, user_bar
from kepu.ui.nav import navigation, page, page_style
from kepu.ui.records import RECORD_LIMIT, measure_picker, records_table
from kepu.ui.review import batch_states, pending_notice, returned_notice, review_queue
from kepu.ui.scaffold import (
    FAVICON,
    app_title,
    begin,
    demo_banner,
    export_menu,
    page_caption,
    page_title,
    plan_group,
    plan_groups,
)
from kepu.ui.text import WORD_JOINER, plain
from kepu.ui.tiles import basis_badge, standing_tile, status_badge

__all__ = [
    "FAVICON",
    "RECORD_LIMIT",
    "WORD_JOINER",
    "Drill",
    "app_title",
    "apply_asked",
    "as_of",
    "ask_box",
    "backup_panel",
    "basis_badge",
    "batch_states",
    "begin",
    "begin_run",
    "cached",
    "current_user",
    "cursor",
    "demo_banner",
    "direct",
    "end_run",
    "evidence_panel",
    "export_file",
    "export_menu",
    "filters",
    "link",
    "login_form",
    "login_required",
    "made",
    "measure_picker",
    "navigation",
    "now",
    "page",
    "page_caption",
    "page_style",
    "page_title",
    "pending_notice",
    "plain",
    "plan_group",
    "plan_groups",
    "present_button",
    "presenting",
    "records_table",
    "requester",
    "require_store",
    "returned_notice",
    "review_queue",
    "scroll_to_asked",
    "shared",
    "shared_filters",
    "standing_tile",
    "start_scheduled_backups",
    "status_badge",
    "today",
    "url_filters",
    "user_bar",
]
