"""Build the offline bundle for a network without internet access (政务内网): one tarball with the project, a
wheelhouse per platform holding exactly the wheels uv.lock pins, uv itself, and the install scripts.

    uv run python scripts/offline_bundle.py --out kepu-offline.tar.gz [--platforms linux-x86_64,linux-aarch64,...]

Layout inside the tarball (one top folder, kepu-offline/):
    install-offline.sh, install-offline.ps1   the install scripts (Linux, Windows)
    project/                                  the project's files (tracked or not ignored by git; no .venv, no data)
    wheels/<platform>/                        every wheel the app needs on that platform, plus hatchling to build kepu
    uv/<platform>/uv (uv.exe)                 the uv binary this bundle was built with, taken out of its PyPI wheel
    requirements.txt                          the lock's pins with hashes, for pip where uv cannot be used
    BUNDLE                                    python version, uv version, platforms, source commit
    MANIFEST.sha256                           sha256 of every other file (`sha256sum -c MANIFEST.sha256`)

Wheels are chosen from uv.lock itself (its URLs and sha256), not re-resolved, so the bundle is lock-exact; a package
with no wheel for a platform fails the build, naming it. The wheels are for one CPython minor version (3.11 unless
--python says otherwise): compiled wheels are tied to it, so the target machine needs that Python.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import Marker
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_wheel_filename

ROOT = Path(__file__).resolve().parent.parent
SIMPLE = "https://pypi.org/simple"
GLIBC_FLOOR = 28  # 信创 servers (Kylin V10, UOS 20) ship glibc 2.28; wheels needing a newer one would not load there


def _manylinux(arch: str) -> list[str]:
    """manylinux platform tags a glibc-2.28 machine accepts, best first (as pip orders them)."""
    tags = [f"manylinux_2_{minor}_{arch}" for minor in range(GLIBC_FLOOR, 4, -1)]
    legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
    return [t for tag in tags for t in [tag, *[f"{legacy[m]}_{arch}" for m in legacy if tag.endswith(f"2_{m}_{arch}")]]]


@dataclass(frozen=True)
class Platform:
    name: str
    platform_tags: list[str]
    markers: dict[str, str]  # the PEP 508 environment, beside the python version
    uv_binary: str  # its name inside the uv wheel's *.data/scripts/

    def tags(self, python: str) -> list[Tag]:
        version = tuple(int(p) for p in python.split("."))
        abi = f"cp{version[0]}{version[1]}"
        return [
            *cpython_tags(version, [abi], self.platform_tags),
            *compatible_tags(version, abi, self.platform_tags),
        ]

    def environment(self, python: str) -> dict[str, str]:
        return {
            **self.markers,
            "python_version": python,
            "python_full_version": f"{python}.0",
            "implementation_name": "cpython",
            "platform_python_implementation": "CPython",
        }


LINUX = {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix"}
PLATFORMS = {
    p.name: p
    for p in [
        Platform("linux-x86_64", _manylinux("x86_64"), {**LINUX, "platform_machine": "x86_64"}, "uv"),
        Platform("linux-aarch64", _manylinux("aarch64"), {**LINUX, "platform_machine": "aarch64"}, "uv"),
        Platform(
            "windows-x86_64",
            ["win_amd64"],
            {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "platform_machine": "AMD64"},
            "uv.exe",
        ),
    ]
}


@dataclass(frozen=True)
class Wheel:
    filename: str
    url: str
    sha256: str


def host_platform() -> str:
    """The name of the platform this machine is, for building a bundle for it alone (the test does)."""
    machine = os.uname().machine if hasattr(os, "uname") else "AMD64"
    if sys.platform == "win32":
        return "windows-x86_64"
    return {"x86_64": "linux-x86_64", "aarch64": "linux-aarch64", "arm64": "linux-aarch64"}[machine]


def run(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(args, cwd=cwd, check=True, capture_output=True, text=True).stdout


def project_files() -> list[str]:
    """What git would commit: tracked files and new ones not ignored (so no .venv, no data/*.duckdb, no caches)."""
    listed = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    # A bundle built earlier into the work tree is not ignored by git, and must not end up inside the next one.
    bundles = {f for f in listed if f.endswith(".tar.gz") and f not in run("git", "ls-files", "--cached").split()}
    return sorted(f for f in set(listed) - bundles if f and (ROOT / f).is_file())  # a deleted tracked file is gone


def pinned() -> list[tuple[str, str, str | None]]:
    """(name, version, marker) of every package the app needs, as `uv export` reads them out of uv.lock."""
    text = run("uv", "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project", "--no-header")
    pins: list[tuple[str, str, str | None]] = []
    for line in text.splitlines():
        match = re.match(r"([A-Za-z0-9._-]+)==([^\s;]+)\s*(?:;\s*(.*))?$", line.strip())
        if match:
            pins.append((canonicalize_name(match[1]), match[2], match[3]))
    return pins


def locked_wheels() -> dict[tuple[str, str], list[Wheel]]:
    """Every wheel uv.lock knows, by (name, version)."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    return {
        (canonicalize_name(p["name"]), p["version"]): [
            Wheel(w["url"].rsplit("/", 1)[1], w["url"], w["hash"].removeprefix("sha256:")) for w in p.get("wheels", [])
        ]
        for p in lock["package"]
    }


def index_wheels(name: str, version: str) -> list[Wheel]:
    """The wheels PyPI has for name==version (PEP 691 JSON), for what is not in uv.lock: uv and kepu's build backend."""
    request = urllib.request.Request(f"{SIMPLE}/{name}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        files = json.load(answer)["files"]
    return [
        Wheel(f["filename"], f["url"], f["hashes"]["sha256"])
        for f in files
        if f["filename"].endswith(".whl") and parse_wheel_filename(f["filename"])[1].public == version
    ]


def best(wheels: list[Wheel], tags: list[Tag]) -> Wheel | None:
    """The wheel whose best tag ranks highest for the platform (as pip and uv would pick), or None."""
    rank = {tag: i for i, tag in reversed(list(enumerate(tags)))}
    scored = [(min(rank.get(t, len(rank)) for t in parse_wheel_filename(w.filename)[3]), w) for w in wheels]
    scored = [(score, w) for score, w in scored if score < len(rank)]
    return min(scored, key=lambda s: s[0])[1] if scored else None


def build_requirements(python: str) -> list[tuple[str, str]]:
    """kepu's build backend (hatchling) and what it needs, pinned: the install builds kepu itself as an editable."""
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"]
    requires.append("editables")  # what hatchling asks for on top (get_requires_for_build_editable)
    text = subprocess.run(
        ["uv", "pip", "compile", "-", "--python-version", python, "--no-header", "--no-annotate", "--quiet"],
        input="\n".join(requires),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [(name, version) for name, _, version in (line.partition("==") for line in text.split()) if version]


def fetch(wheel: Wheel, folder: Path, cache: Path) -> Path:
    """Download `wheel` into `folder` once per build (the platforms share pure wheels), checking its sha256."""
    cached = cache / wheel.filename
    if not cached.exists():
        with urllib.request.urlopen(wheel.url, timeout=300) as answer:
            data = answer.read()
        if hashlib.sha256(data).hexdigest() != wheel.sha256:
            sys.exit(f"{wheel.filename}: sha256 does not match the lock ({wheel.url})")
        cached.write_bytes(data)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, folder / wheel.filename)
    return folder / wheel.filename


def app_wheels(platform: Platform, python: str) -> tuple[list[Wheel], list[str]]:
    """The lock's wheel for each package the app needs on `platform`, and the pins that have none there."""
    tags, env = platform.tags(python), platform.environment(python)
    locked = locked_wheels()
    chosen, missing = [], []
    for name, version, marker in pinned():
        if marker and not Marker(marker).evaluate(env):
            continue
        wheel = best(locked.get((name, version), []), tags)
        if wheel is None:
            missing.append(f"{name}=={version}")
        else:
            chosen.append(wheel)
    return chosen, missing


def wheelhouse(platform: Platform, python: str, stage: Path, cache: Path) -> None:
    """wheels/<platform>/: the app's pins from the lock and the build backend's from PyPI; fails naming the missing."""
    chosen, missing = app_wheels(platform, python)
    for name, version in build_requirements(python):
        wheel = best(index_wheels(name, version), platform.tags(python))
        if wheel is None:
            missing.append(f"{name}=={version}（构建 kepu 用）")
        else:
            chosen.append(wheel)
    if missing:
        sys.exit(f"{platform.name}（Python {python}）没有可用的 wheel：{', '.join(missing)}")
    for wheel in chosen:
        fetch(wheel, stage / "wheels" / platform.name, cache)


def uv_binary(platform: Platform, stage: Path, cache: Path) -> None:
    """uv/<platform>/uv: the same uv version as builds this bundle, out of its PyPI wheel."""
    version = run("uv", "--version").split()[1]
    wheel = best(index_wheels("uv", version), platform.tags("3.11"))
    if wheel is None:
        sys.exit(f"PyPI 没有 uv {version} 的 {platform.name} wheel")
    path = fetch(wheel, cache / "uv" / platform.name, cache)
    target = stage / "uv" / platform.name / platform.uv_binary
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path) as archive:
        target.write_bytes(archive.read(f"uv-{version}.data/scripts/{platform.uv_binary}"))
    target.chmod(0o755)


def build(out: Path, platforms: list[str], python: str) -> None:
    unknown = [p for p in platforms if p not in PLATFORMS]
    if unknown:
        sys.exit(f"unknown platform {', '.join(unknown)}; known: {', '.join(PLATFORMS)}")
    with tempfile.TemporaryDirectory() as tmp:
        stage, cache = Path(tmp) / "kepu-offline", Path(tmp) / "cache"
        cache.mkdir()
        for name in project_files():
            (stage / "project" / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, stage / "project" / name)
        for name in platforms:
            print(f"== {name}", flush=True)
            wheelhouse(PLATFORMS[name], python, stage, cache)
            uv_binary(PLATFORMS[name], stage, cache)
        for script in ("install-offline.sh", "install-offline.ps1"):
            if (ROOT / "scripts" / script).exists():
                shutil.copy2(ROOT / "scripts" / script, stage / script)
                (stage / script).chmod(0o755)  # runnable as ./install-offline.sh, whatever mode the checkout gave
        (stage / "requirements.txt").write_text(
            run("uv", "export", "--frozen", "--no-dev", "--no-emit-project", "--no-header"), encoding="utf-8"
        )
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        uv = run("uv", "--version").split()[1]
        info = {"python": python, "uv": uv, "platforms": ",".join(platforms), "commit": commit}
        (stage / "BUNDLE").write_text("".join(f"{k}={v}\n" for k, v in info.items()), encoding="utf-8")
        files = sorted(p for p in stage.rglob("*") if p.is_file())
        lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(stage).as_posix()}\n" for p in files]
        (stage / "MANIFEST.sha256").write_text("".join(lines), encoding="utf-8")
        out.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(out, "w:gz", compresslevel=6) as tar:  # wheels are zips already: 9 is slower, no smaller
            tar.add(stage, arcname="kepu-offline")
    print(f"{out}: {out.stat().st_size / 1e6:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("kepu-offline.tar.gz"))
    parser.add_argument("--platforms", default=",".join(PLATFORMS), help=f"comma-separated: {', '.join(PLATFORMS)}")
    parser.add_argument("--python", default="3.11", help="the CPython minor version on the target machines")
    args = parser.parse_args()
    build(args.out.resolve(), [p for p in args.platforms.split(",") if p], args.python)


if __name__ == "__main__":
    main()
