"""The offline bundle (scripts/offline_bundle.py) installs and serves the overview on a machine with no network.

Builds a bundle for this machine's platform only (the script's default builds all three), unpacks it, and in a
network namespace with only loopback (`unshare -n`, as root) runs install-offline.sh and then the README's first
command, `uv run streamlit run streamlit_app.py`, with HOME and the uv cache empty, so nothing comes from this
machine's caches. A Streamlit client (benchmarks/stclient.py) inside the namespace then opens the app and waits for
the overview's run to finish without errors.

Skipped where network namespaces or PyPI are unavailable, except under CI=true, where that is a failure.
The fast tests check, from uv.lock alone, that every package has a wheel for each of the three platforms.
"""

import os
import shutil
import socket
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Runs inside the namespace with the installed copy's own Python: proves there is no network, then opens the app.
CHECK = """
import asyncio, socket, sys, time, urllib.request
sys.path.insert(0, "benchmarks")
from stclient import Session

url, pypi_ip = sys.argv[1], sys.argv[2]
for probe in (lambda: socket.getaddrinfo("pypi.org", 443), lambda: socket.create_connection((pypi_ip, 443), 5)):
    try:
        probe()
    except OSError:
        continue
    sys.exit("the namespace has a network: pypi.org is reachable")
print("no network: pypi.org neither resolves nor connects")

deadline = time.monotonic() + 120
while True:
    try:
        health = urllib.request.urlopen(url + "/_stcore/health", timeout=5).read().decode()
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit("the app did not answer /_stcore/health within 120 s")
        time.sleep(0.5)
print("health:", health)

class Overview(Session):
    headings = []
    def _note(self, msg):
        element = msg.delta.new_element
        if msg.delta.WhichOneof("type") == "new_element" and element.WhichOneof("type") == "heading":
            self.headings.append(element.heading.body.replace("\\\\", ""))
        return super()._note(msg)

async def main():
    session = Overview(url)
    run = await session.open("/")  # raises when the run ends in an exception, st.error or not at all
    await session.close()
    print(f"script_finished after {run.seconds:.1f} s; headings: {session.headings}")
    assert "科学素质行动 · 总览" in session.headings, session.headings

asyncio.run(main())
print("OVERVIEW SERVED")
"""

# The namespace's whole life: loopback up, install, serve, check, stop.
INSIDE = """
set -eu
ip link set lo up
"$BUNDLE/install-offline.sh" "$TARGET"
cd "$TARGET"
uv run streamlit run streamlit_app.py --server.headless true --server.port "$PORT" >"$LOG" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
uv run python "$CHECK" "http://127.0.0.1:$PORT" "$PYPI_IP"
"""


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def pypi_ip() -> str:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        unavailable("unshare or ip is missing (util-linux, iproute2)")
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        unavailable("no network namespaces here (`unshare -n` needs root)")
    try:
        return socket.getaddrinfo("pypi.org", 443, type=socket.SOCK_STREAM)[0][4][0]
    except OSError:
        unavailable("PyPI is unreachable: the bundle is built from it")
    raise AssertionError("unreachable")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow  # downloads ~180 MB of wheels and installs them
def test_bundle_installs_and_serves_the_overview_with_no_network(tmp_path, pypi_ip):
    started = time.monotonic()
    offline_bundle = load_script()

    archive = tmp_path / "kepu-offline.tar.gz"
    subprocess.run(
        [sys.executable, "scripts/offline_bundle.py", "--out", archive, "--platforms", offline_bundle.host_platform()],
        cwd=ROOT,
        check=True,
    )
    built = time.monotonic()
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "unpacked", filter="tar")
    bundle = tmp_path / "unpacked" / "kepu-offline"
    assert not list((bundle / "project").glob("data/*.duckdb")), "the bundle carries a database"
    assert not (bundle / "project" / ".venv").exists()

    home = tmp_path / "home"
    home.mkdir()
    (tmp_path / "check.py").write_text(CHECK, encoding="utf-8")
    python_dir = Path(sys.base_prefix) / "bin"  # a Python 3.11 the install script must find by itself
    env = {
        "HOME": str(home),
        "UV_CACHE_DIR": str(home / ".cache" / "uv"),  # empty: nothing from this machine's uv cache
        "PATH": f"{home}/.local/bin:{python_dir}:/usr/sbin:/usr/bin:/sbin:/bin",  # no uv but the bundle's
        "LANG": "C.UTF-8",
        "BUNDLE": str(bundle),
        "TARGET": str(home / "kepu"),
        "PORT": str(free_port()),
        "LOG": str(tmp_path / "streamlit.log"),
        "CHECK": str(tmp_path / "check.py"),
        "PYPI_IP": pypi_ip,
    }
    done = subprocess.run(
        ["unshare", "-n", "bash", "-c", INSIDE],
        cwd=tmp_path,  # not the repo: uv would take its .venv for the Python to use
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    log = (tmp_path / "streamlit.log").read_text(encoding="utf-8") if (tmp_path / "streamlit.log").exists() else ""
    report = f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}\n--- streamlit\n{log[-3000:]}"
    assert done.returncode == 0, report
    assert "no network" in done.stdout, report
    assert "OVERVIEW SERVED" in done.stdout, report
    assert (home / "kepu" / "data" / "kepu.duckdb").exists(), "the first start made no demo database"
    print(done.stdout)
    print(
        f"bundle {archive.stat().st_size / 1e6:.0f} MB, built in {built - started:.0f} s; "
        f"installed and served offline in {time.monotonic() - built:.0f} s"
    )


def load_script():
    sys.path.insert(0, str(ROOT / "scripts"))
    import offline_bundle

    return offline_bundle


@pytest.mark.parametrize("platform", ["linux-x86_64", "linux-aarch64", "windows-x86_64"])
def test_the_lock_has_a_wheel_of_every_package_for_each_platform(platform):
    """Offline, from uv.lock alone: a dependency with no wheel for a 信创 server or Windows fails here, in the fast
    tier, rather than when someone builds the bundle."""
    bundle = load_script()
    chosen, missing = bundle.app_wheels(bundle.PLATFORMS[platform], "3.11")
    assert missing == []
    names = {w.filename.split("-")[0].lower() for w in chosen}
    assert {"streamlit", "duckdb", "pandas", "numpy", "pyarrow"} <= names
    if platform == "linux-aarch64":  # the glibc of Kylin V10 / UOS 20 is 2.28: nothing may need a newer one
        assert all("aarch64" in w.filename or "none-any" in w.filename for w in chosen if "-cp" in w.filename)
        assert not [w.filename for w in chosen if any(f"manylinux_2_{n}_" in w.filename for n in range(29, 40))]


def test_a_package_with_no_wheel_for_a_platform_is_named(monkeypatch):
    bundle = load_script()
    locked = bundle.locked_wheels()
    pyarrow = next(key for key in locked if key[0] == "pyarrow")
    locked[pyarrow] = [w for w in locked[pyarrow] if "aarch64" not in w.filename]
    monkeypatch.setattr(bundle, "locked_wheels", lambda: locked)
    _, missing = bundle.app_wheels(bundle.PLATFORMS["linux-aarch64"], "3.11")
    assert missing == [f"pyarrow=={pyarrow[1]}"]
