#!/usr/bin/env bash
# Install kepu from the offline bundle (scripts/offline_bundle.py builds it) on a Linux machine with no network.
#
#   ./install-offline.sh [TARGET_DIR]        (default: ./kepu; KEPU_PYTHON=/path/to/python3.11 to choose the Python)
#
# Afterwards, in TARGET_DIR, the README's first command works as written: uv run streamlit run streamlit_app.py
#
# Why it is done this way:
# - uv cannot download a Python without network, so the machine must have the bundle's CPython (3.11): the wheels'
#   compiled parts are built for it.
# - `uv sync --frozen` installs from the URLs recorded in uv.lock and ignores --find-links, so offline it cannot
#   install; the packages go in with `uv pip install` from the wheelhouse instead, checked against the lock's hashes.
# - `uv run` would then re-lock and sync the project (dev tools included) from the network. `managed = false` in the
#   installed copy's pyproject.toml makes it run in .venv as it is; uv.toml cannot carry that setting, and an
#   environment variable (UV_NO_SYNC) would have to be exported by every user in every shell.
# - uv.toml in the installed copy keeps any later uv command offline and pointed at the copied wheelhouse.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
target="${1:-$PWD/kepu}"
say() { printf '%s\n' "$*"; }
die() { printf '错误：%s\n' "$*" >&2; exit 1; }

case "$(uname -m)" in
    x86_64 | amd64) platform=linux-x86_64 ;;
    aarch64 | arm64) platform=linux-aarch64 ;;
    *) die "不支持的处理器架构 $(uname -m)（本安装包支持 x86_64 和 aarch64）" ;;
esac
[ -d "$here/wheels/$platform" ] || die "安装包中没有 $platform 的依赖包（wheels/$platform）；请用包含该平台的安装包"
pyver="$(sed -n 's/^python=//p' "$here/BUNDLE")"

say "== 校验安装包完整性"
if command -v sha256sum >/dev/null 2>&1; then
    (cd "$here" && sha256sum --quiet -c MANIFEST.sha256) || die "安装包文件校验失败（MANIFEST.sha256），请重新拷贝安装包"
else
    say "（未找到 sha256sum，跳过校验）"
fi

say "== 安装 uv"
bindir="${UV_INSTALL_DIR:-$HOME/.local/bin}"
mkdir -p "$bindir"
install -m 755 "$here/uv/$platform/uv" "$bindir/uv"
uv="$bindir/uv"
export UV_OFFLINE=1 UV_PYTHON_DOWNLOADS=never  # for this script's own uv commands, before uv.toml exists

say "== 查找 Python $pyver"
python="${KEPU_PYTHON:-}"
if [ -z "$python" ]; then
    python="$("$uv" python find --system "$pyver" 2>/dev/null)" \
        || die "未找到 Python $pyver。uv 无法在断网时下载 Python，请先安装 Python $pyver（例如系统软件包 python$pyver），或用 KEPU_PYTHON=/path/to/python$pyver 指定"
fi
found="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" || die "无法运行 $python"
[ "$found" = "$pyver" ] || die "$python 是 Python $found，本安装包的依赖包是为 Python $pyver 编译的"
say "使用 $python"

say "== 复制项目到 $target"
mkdir -p "$target"
cp -a "$here/project/." "$target/"
rm -rf "$target/.offline" "$target/.venv"
mkdir -p "$target/.offline"
cp -a "$here/wheels/$platform" "$target/.offline/wheels"
cp "$here/requirements.txt" "$target/.offline/requirements.txt"
cat >"$target/uv.toml" <<EOF
# Written by install-offline.sh: this copy has no network; packages come only from the wheelhouse beside it.
offline = true
no-index = true
find-links = ["$target/.offline/wheels"]
python-downloads = "never"
EOF
if grep -q '^\[tool\.uv\]' "$target/pyproject.toml"; then
    sed -i 's/^\[tool\.uv\]$/[tool.uv]\nmanaged = false  # install-offline.sh: run in .venv as installed, no sync/' \
        "$target/pyproject.toml"
else
    printf '\n[tool.uv]\nmanaged = false  # install-offline.sh: run in .venv as installed, no sync\n' >>"$target/pyproject.toml"
fi

say "== 安装依赖包（仅从安装包，不联网）"
cd "$target"
"$uv" venv --quiet --python "$python" .venv
"$uv" pip install --quiet --require-hashes -r .offline/requirements.txt || die "依赖包安装失败（见上方 uv 的说明）"
"$uv" pip install --quiet --no-deps -e . || die "kepu 本身安装失败（见上方 uv 的说明）"
.venv/bin/python -c 'import streamlit, duckdb, kepu' || die "安装后无法导入 streamlit / duckdb / kepu"

say ""
say "安装完成：$target"
case ":$PATH:" in
    *":$bindir:"*) ;;
    *) say "请先把 $bindir 加入 PATH：export PATH=\"$bindir:\$PATH\"（可写入 ~/.bashrc）" ;;
esac
if [ "$(command -v uv 2>/dev/null || true)" != "$uv" ] && command -v uv >/dev/null 2>&1; then
    say "注意：PATH 中另有一个 uv（$(command -v uv)），将优先使用它"
fi
say "启动看板：cd $target && uv run streamlit run streamlit_app.py   （浏览器打开 http://本机地址:8501）"
say "简报中的图表需要本机有 Chromium 和中文字体（如 chromium、fonts-noto-cjk）；没有时简报照常生成，并注明未附图表。"
