"""nginx in front of the load benchmark's dashboard processes (benchmarks/load.py --processes K, --nginx): the
deployment's own deploy/nginx-kepu.conf, with its upstream's `server` lines and its `listen` lines replaced, run as a
foreground nginx whose prefix, pid file, logs and temporary files are all in a temporary folder (no root paths).

Its access log records, for each request, the route cookie it came with and the process it reached; `routes()` reads
it back, so a route that reached two processes (a session that did not stick) is counted beside the results.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "nginx-kepu.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

# The template is the inside of an `http` block (/etc/nginx/conf.d/); around it, what Debian's nginx.conf gives it,
# with every path in the prefix. The access log's fields: the route cookie (empty on a first request), the process.
MAIN = """worker_processes auto;
error_log {prefix}/error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    log_format kepu_route '$cookie_kepu_route $upstream_addr $status $request_uri';
    access_log {prefix}/access.log kepu_route;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
{site}
}}
"""


def site(ports: list[int], listen: int) -> str:
    """deploy/nginx-kepu.conf with its upstream serving `ports` and its server listening on 127.0.0.1:`listen` only."""
    text = TEMPLATE.read_text()
    server = re.search(r"^( *)server 127\.0\.0\.1:\d+( .*)?;$", text, re.M)
    if server is None:
        raise ValueError(f"{TEMPLATE}: no `server 127.0.0.1:…;` line in the upstream")
    indent, options = server.group(1), server.group(2) or ""
    text = _replace_lines(
        text, r" *server 127\.0\.0\.1:\d+( .*)?;", [f"{indent}server 127.0.0.1:{p}{options};" for p in ports]
    )
    return _replace_lines(text, r" *listen .*;", [f"    listen 127.0.0.1:{listen};"])


def _replace_lines(text: str, pattern: str, new: list[str]) -> str:
    """`text` with the first line matching `pattern` replaced by `new` and the other matching lines left out."""
    lines, out, done = text.splitlines(), [], False
    for line in lines:
        if re.fullmatch(pattern, line):
            out += [] if done else new
            done = True
        else:
            out.append(line)
    return "\n".join(out) + "\n"


@dataclass
class Front:
    """A running nginx: its address and its folder."""

    url: str
    prefix: Path
    pid: int

    def routes(self) -> dict[str, set[str]]:
        """Each route cookie seen in the access log → the processes its requests reached (first requests, which came
        without one, are left out)."""
        seen: dict[str, set[str]] = {}
        log = self.prefix / "access.log"
        for line in log.read_text().splitlines() if log.exists() else []:
            route, upstream = line.split(" ")[:2]
            if route != "-" and upstream != "-":
                seen.setdefault(route, set()).add(upstream)
        return seen


@contextlib.contextmanager
def nginx(ports: list[int]) -> Iterator[Front]:
    """nginx in the foreground on a free port in front of `ports`; stopped (and its folder removed) on leaving."""
    with tempfile.TemporaryDirectory(prefix="kepu-nginx-") as folder:
        prefix = Path(folder)
        prefix.chmod(0o755)  # nginx's workers drop root (to nobody) and must reach their temporary folders
        listen = _free_port()
        (prefix / "nginx.conf").write_text(MAIN.format(prefix=prefix, site=site(ports, listen)))
        cmd = [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log")]
        cmd += ["-g", f"daemon off; pid {prefix}/nginx.pid;"]
        check = subprocess.run([*cmd, "-t", "-q"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t: {check.stderr.strip()}")
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(40):
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", listen), timeout=1):
                    break
                if proc.poll() is not None:
                    raise RuntimeError(f"nginx stopped: {(prefix / 'error.log').read_text()[-500:]}")
                time.sleep(0.1)
            else:
                raise RuntimeError("nginx did not start")
            yield Front(f"http://127.0.0.1:{listen}", prefix, proc.pid)
        finally:
            proc.terminate()  # SIGTERM: nginx's fast shutdown (SIGQUIT would wait for the websockets to close)
            proc.wait(30)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
