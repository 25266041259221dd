"""A Streamlit session without a browser: the websocket `/_stcore/stream` and the protobuf messages Streamlit 1.67's
frontend exchanges over it, so that many sessions can be driven from one asyncio process (benchmarks/load.py).

What the frontend does, and so what this does (App.tsx's sendRerunBackMsg, in the bundled static/js/index.*.js):
- connect with the subprotocol `streamlit` (its second and third entries, an XSRF token and a session to resume,
  are only read for auth cookies and reconnects; no Origin header is sent, so the server's origin check passes);
- the first run: a `rerun_script` BackMsg whose ClientState has the URL's query string (as `location.search`,
  percent-encoded, without `?`), `page_name` the URL's path below the app (`towns`), `page_script_hash` empty (the
  server picks the page by `url_path`), no widget states, and `context_info` (timezone, locale, url, theme);
- a widget change: a rerun with the page's `page_script_hash` (from `navigation`, as st.navigation chose it), no
  page name, the widget states of the widgets changed so far (the others keep their values on the server), and the
  address bar's query string: as the server last set it (`page_info_changed`), then as the frontend itself rewrites
  it for a widget bound to the URL (`_bind`);
- `cached_message_hashes` empty: this client caches nothing, so the server sends every message in full (a
  `ref_hash` message would mean it did not, and is an error).
The server needs no other answer (no handshake beyond the subprotocol; heartbeats are optional).

Behind nginx (`Session(front=True)`, deploy/nginx-kepu.conf): a tab first loads the page's HTML, and nginx picks a
process and sets the route cookie `kepu_route`; every later request, the websocket's handshake included, carries it.
So a session behind the front loads the page first (`load_page`, before its time starts; load.py does it for all its
sessions before opening any, so that their websockets open together as without nginx), keeps the cookies, sends them
with the handshake, and fails unless the websocket reached the process that served the page (nginx's
X-Kepu-Upstream).
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from dataclasses import dataclass, field
from email.message import Message
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.RootContainer_pb2 import SIDEBAR
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

RUN_TIMEOUT_S = 300  # a run that has not finished in this long under load is reported as failed


class RunFailed(Exception):
    """The run ended in an exception or error element, a status other than success, or not at all."""


@dataclass
class Run:
    """One script run as the session saw it."""

    seconds: float  # from sending the rerun (or opening the websocket) to the run's script_finished
    run_seconds: float  # from the server's new_session (the run has started) to script_finished
    deltas: int  # elements and blocks sent (new, changed or cleared)
    bytes: int  # the ForwardMsgs' size, as received (after the websocket's own decompression)
    query_string: str | None  # what page_info_changed set the address bar's query string to, if it did


@dataclass
class Session:
    """One browser tab's worth of Streamlit session."""

    base: str  # http://127.0.0.1:PORT
    front: bool = False  # behind nginx: load the page first, for its route cookie, and check that the session sticks
    cookies: dict[str, str] = field(default_factory=dict)  # as a browser keeps them, from Set-Cookie
    upstream: str = ""  # the process nginx sent the page and the websocket to
    ws: ClientConnection | None = None
    page_hash: str = ""
    query_string: str = ""
    url: str = ""
    sidebar: dict[str, Element] = field(default_factory=dict)  # the sidebar's labelled elements, as last drawn
    states: dict[str, WidgetState] = field(default_factory=dict)  # widget id → the value this client set

    async def open(self, link: str) -> Run:
        """Open `link` (a path with query string, e.g. /towns?period=2024) as a new tab would."""
        parts = urlsplit(link)
        if self.front and not self.upstream:
            await self.load_page(link)
        self.url = self.base + quote(link, safe="/?&=%")
        started = time.perf_counter()
        self.query_string = quote(parts.query, safe="&=%")
        self.ws = await connect(
            self.base.replace("http", "ws", 1) + "/_stcore/stream",
            subprotocols=[Subprotocol("streamlit")],
            max_size=None,  # a page's dataframes come as single messages of several MB
            ping_interval=None,  # the frontend sends no websocket pings; an answer late under load must not kill us
            additional_headers=self._cookie_header(),
        )
        if self.front:
            reached = self.ws.response.headers.get("X-Kepu-Upstream", "") if self.ws.response else ""
            if reached != self.upstream:
                raise RunFailed(f"not sticky: the page came from {self.upstream!r}, the websocket went to {reached!r}")
        return await self._rerun(self._client_state(page_name=parts.path.strip("/")), started)

    async def pick(self, label: str, value: str) -> Run:
        """Set the sidebar selectbox `label` to the option `value`, as choosing it in the list does."""
        box = self._widget(label, "selectbox")
        if value not in box.options:
            raise RunFailed(f"{label}: no option {value!r}")
        self.states[box.id] = WidgetState(id=box.id, string_value=value)  # 1.67 sends the formatted option
        default = box.options[box.default] if box.HasField("default") else None
        self._bind(box.query_param_key, [] if value == default else [value])
        return await self._rerun(self._client_state(), time.perf_counter())

    async def add(self, label: str, value: str) -> Run:
        """Add the option `value` to the sidebar multiselect `label`, as typing it and pressing Enter does."""
        box = self._widget(label, "multiselect")
        if value not in box.options:
            raise RunFailed(f"{label}: no option {value!r}")
        now = self.states.get(box.id)
        chosen = list(now.string_array_value.data) if now else list(box.raw_values)
        state = WidgetState(id=box.id)
        state.string_array_value.data.extend([*chosen, value])  # 1.67 sends the formatted options, not indices
        self.states[box.id] = state
        self._bind(box.query_param_key, [*chosen, value])
        return await self._rerun(self._client_state(), time.perf_counter())

    def link(self, label: str) -> dict[str, list[str]]:
        """The query of the sidebar's link button `label`, as this session's last run drew it."""
        element = self.sidebar.get(label)
        if element is None or element.WhichOneof("type") != "link_button":
            raise RunFailed(f"no link button labelled {label!r} in the sidebar")
        return parse_qs(urlsplit(element.link_button.url).query)

    def current(self, label: str) -> str:
        """The option the sidebar selectbox `label` shows."""
        box = self._widget(label, "selectbox")
        state = self.states.get(box.id)
        return state.string_value if state else box.raw_value

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def load_page(self, link: str) -> None:
        """Load `link`'s HTML as a tab does before it opens the websocket; keep its cookies and who served it."""
        headers = await asyncio.to_thread(_get, self.base + quote(link, safe="/?&=%"), self._cookie_header() or {})
        for header in headers.get_all("Set-Cookie") or []:
            self.cookies.update({name: morsel.value for name, morsel in SimpleCookie(header).items()})
        self.upstream = headers.get("X-Kepu-Upstream", "")

    def _cookie_header(self) -> dict[str, str] | None:
        if not self.cookies:
            return None
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}

    def _widget(self, label: str, kind: str):
        element = self.sidebar.get(label)
        if element is None or element.WhichOneof("type") != kind:
            raise RunFailed(f"no {kind} labelled {label!r} in the sidebar (found: {', '.join(self.sidebar)})")
        return getattr(element, kind)

    def _bind(self, key: str, values: list[str]) -> None:
        """A widget bound to the URL (bind="query-params") has the frontend rewrite the address bar's query string
        itself when the user changes it (the server sends no page_info_changed), and the rerun carries the new one:
        the key's values replace the old, or the key goes when the value is the default; keys sorted, `+` for
        spaces, as the frontend's query-string library writes them."""
        if not key:
            return
        pairs = {k: v for k, v in parse_qs(self.query_string, keep_blank_values=True).items() if k != key}
        if values:
            pairs[key] = values
        self.query_string = urlencode(sorted(pairs.items()), doseq=True, quote_via=quote)
        self.query_string = self.query_string.replace("%20", "+")

    def _client_state(self, page_name: str = "") -> ClientState:
        state = ClientState(
            query_string=self.query_string,
            page_script_hash="" if page_name else self.page_hash,
            page_name=page_name,
            context_info=ContextInfo(
                timezone="Asia/Shanghai", timezone_offset=-480, locale="zh-CN", url=self.url, color_scheme="light"
            ),
        )
        state.widget_states.widgets.extend(self.states.values())
        return state

    async def _rerun(self, client_state: ClientState, started: float) -> Run:
        assert self.ws is not None
        await self.ws.send(BackMsg(rerun_script=client_state).SerializeToString())
        try:
            async with asyncio.timeout(RUN_TIMEOUT_S):
                return await self._read_run(started)
        except TimeoutError:
            raise RunFailed(f"no script_finished within {RUN_TIMEOUT_S} s") from None

    async def _read_run(self, started: float) -> Run:
        assert self.ws is not None
        run_start, deltas, size, query, errors = started, 0, 0, None, []
        while True:
            frame = await self.ws.recv()
            size += len(frame)
            msg = ForwardMsg.FromString(frame if isinstance(frame, bytes) else frame.encode())
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                run_start = time.perf_counter()
            elif kind == "navigation":  # st.navigation's page; new_session's hash is the main script's
                self.page_hash = msg.navigation.page_script_hash
            elif kind == "page_info_changed":
                query = self.query_string = msg.page_info_changed.query_string
            elif kind == "delta":
                deltas += 1
                errors += self._note(msg)
            elif kind == "ref_hash":
                errors.append("the server sent a cached-message reference though this client caches nothing")
            elif kind in ("page_not_found", "auth_redirect"):
                errors.append(f"{kind}: {msg}")
            elif kind == "script_finished":
                status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # the app asked for another run (st.rerun): the page is the next run's
                if msg.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                    errors.append(f"script finished {status}")
                if errors:
                    raise RunFailed("; ".join(errors)[:500])
                end = time.perf_counter()
                return Run(end - started, end - run_start, deltas, size, query)

    def _note(self, msg: ForwardMsg) -> list[str]:
        """Keep the sidebar's widgets; return the run's errors (an exception, or st.error) shown in this delta."""
        if msg.delta.WhichOneof("type") != "new_element":
            return []
        element = msg.delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            return [f"exception: {element.exception.type}: {element.exception.message[:200]}"]
        if kind == "alert" and element.alert.format == element.alert.ERROR:
            return [f"error: {element.alert.body[:200]}"]
        inner = getattr(element, kind) if kind else None
        label = getattr(inner, "label", None)
        if label and msg.metadata.delta_path[:1] == [SIDEBAR]:
            self.sidebar[label] = element
        return []


def _get(url: str, headers: dict[str, str]) -> Message:
    """GET `url`; the response's headers (its body is read and dropped)."""
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=RUN_TIMEOUT_S) as response:
        response.read()
        return response.headers


def query(run: Run) -> dict[str, list[str]]:
    """The query string the server set in `run`, as lists of values by name (empty if it set none)."""
    return parse_qs(run.query_string or "")
