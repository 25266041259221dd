# Install kepu from the offline bundle (scripts/offline_bundle.py builds it) on Windows x86_64 with no network.
#
#   powershell -ExecutionPolicy Bypass -File install-offline.ps1 [TARGET_DIR]     (default: .\kepu)
#   $env:KEPU_PYTHON = 'C:\Python311\python.exe'  to choose the Python
#
# The same steps as install-offline.sh, whose comments say why. Not tested on Windows (built and tested on Linux).
# Saved as UTF-8 with a BOM: Windows PowerShell 5.1 reads a file without one in the ANSI code page.
param([string]$Target = (Join-Path (Get-Location) 'kepu'))
$ErrorActionPreference = 'Stop'
$here = $PSScriptRoot
$platform = 'windows-x86_64'
function Die($message) { Write-Host "错误：$message" -ForegroundColor Red; exit 1 }
function Check($what) { if ($LASTEXITCODE -ne 0) { Die $what } }

if (-not [Environment]::Is64BitOperatingSystem) { Die '本安装包只支持 64 位 Windows（x86_64）' }
if (-not (Test-Path "$here\wheels\$platform")) { Die "安装包中没有 $platform 的依赖包（wheels\$platform）" }
$pyver = ((Get-Content "$here\BUNDLE") | Where-Object { $_ -like 'python=*' }) -replace '^python=', ''

Write-Host '== 校验安装包完整性'
foreach ($line in Get-Content -Encoding UTF8 "$here\MANIFEST.sha256") {
    $hash, $name = $line -split '  ', 2
    $file = Join-Path $here $name
    if (-not (Test-Path -LiteralPath $file) -or (Get-FileHash -Algorithm SHA256 -LiteralPath $file).Hash -ne $hash) {
        Die "安装包文件校验失败：$name，请重新拷贝安装包"
    }
}

Write-Host '== 安装 uv'
$bindir = if ($env:UV_INSTALL_DIR) { $env:UV_INSTALL_DIR } else { Join-Path $HOME '.local\bin' }
New-Item -ItemType Directory -Force $bindir | Out-Null
Copy-Item -Force "$here\uv\$platform\uv.exe" "$bindir\uv.exe"
$uv = "$bindir\uv.exe"
$env:UV_OFFLINE = '1'
$env:UV_PYTHON_DOWNLOADS = 'never'
$userPath = [Environment]::GetEnvironmentVariable('Path', 'User')
if (($userPath -split ';') -notcontains $bindir) {
    [Environment]::SetEnvironmentVariable('Path', "$bindir;$userPath", 'User')  # new windows find uv
}
$env:Path = "$bindir;$env:Path"

Write-Host "== 查找 Python $pyver"
$python = $env:KEPU_PYTHON
if (-not $python) {
    $python = & $uv python find --system $pyver 2>$null
    if ($LASTEXITCODE -ne 0 -or -not $python) {
        Die "未找到 Python $pyver。uv 无法在断网时下载 Python，请先安装 Python $pyver，或设置 KEPU_PYTHON 指向 python.exe"
    }
}
$found = & $python -c 'import sys; print("%d.%d" % sys.version_info[:2])'
if ($found -ne $pyver) { Die "$python 是 Python $found，本安装包的依赖包是为 Python $pyver 编译的" }
Write-Host "使用 $python"

Write-Host "== 复制项目到 $Target"
# robocopy, not Copy-Item: Copy-Item -Recurse nests a folder that already exists in the target (a reinstall).
robocopy "$here\project" $Target /E /NFL /NDL /NJH /NJS /NP | Out-Null
if ($LASTEXITCODE -ge 8) { Die "复制项目失败（robocopy 退出码 $LASTEXITCODE）" }
foreach ($old in '.offline', '.venv') { if (Test-Path "$Target\$old") { Remove-Item -Recurse -Force "$Target\$old" } }
New-Item -ItemType Directory -Force "$Target\.offline" | Out-Null
Copy-Item -Recurse "$here\wheels\$platform" "$Target\.offline\wheels"
Copy-Item "$here\requirements.txt" "$Target\.offline\requirements.txt"
$wheels = (Resolve-Path "$Target\.offline\wheels").Path -replace '\\', '/'
$utf8 = New-Object System.Text.UTF8Encoding $false  # uv reads TOML as UTF-8 without a BOM
[IO.File]::WriteAllText("$Target\uv.toml", @"
# Written by install-offline.ps1: this copy has no network; packages come only from the wheelhouse beside it.
offline = true
no-index = true
find-links = ['$wheels']
python-downloads = "never"
"@, $utf8)
$pyproject = [IO.File]::ReadAllText("$Target\pyproject.toml")
$managed = 'managed = false  # install-offline.ps1: run in .venv as installed, no sync'
if ($pyproject -match '(?m)^\[tool\.uv\]\r?$') {
    $pyproject = $pyproject -replace '(?m)^\[tool\.uv\]\r?$', "[tool.uv]`n$managed"
} else {
    $pyproject += "`n[tool.uv]`n$managed`n"
}
[IO.File]::WriteAllText("$Target\pyproject.toml", $pyproject, $utf8)

Write-Host '== 安装依赖包（仅从安装包，不联网）'
Set-Location $Target
& $uv venv --quiet --python $python .venv; Check '创建 .venv 失败'
& $uv pip install --quiet --require-hashes -r .offline\requirements.txt; Check '依赖包安装失败（见上方 uv 的说明）'
& $uv pip install --quiet --no-deps -e .; Check 'kepu 本身安装失败（见上方 uv 的说明）'
& .venv\Scripts\python.exe -c 'import streamlit, duckdb, kepu'; Check '安装后无法导入 streamlit / duckdb / kepu'

Write-Host ''
Write-Host "安装完成：$Target"
Write-Host "启动看板（新开一个 PowerShell 窗口）：cd $Target; uv run streamlit run streamlit_app.py"
Write-Host '简报中的图表需要本机有 Chrome 或 Edge；没有时简报照常生成，并注明未附图表。'
