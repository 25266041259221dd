"""佐证材料: a file's kind is decided by its content whatever its name, a file over the limit is refused, the same
content is stored once, and removing keeps a file another row still uses. Fixture files: tests/data/evidence/
(made by its make_fixtures.py)."""

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from kepu.core import filetypes
from kepu.ingest import batches
from kepu.storage import audit, auth, db, evidence, pg_store, store

FILES = Path(__file__).parent / "data" / "evidence"
TODAY = dt.date(2025, 6, 1)
ADMIN = auth.User("区科协管理员", auth.ADMIN)
CLERK = auth.User("kx", auth.REPORTER, bureau="区科协")
OTHER = auth.User("jyj", auth.REPORTER, bureau="区教体局")
ROWS = "活动编号,活动名称,开始日期,镇街,责任单位,活动类型,参与人次\nE-1,科普讲座,2024-10-08,沙土镇,区科协,讲座,40\n"


@pytest.fixture
def con(empty_store, tmp_path, monkeypatch):
    monkeypatch.delenv(evidence.DIR_ENV, raising=False)
    connection = store.connect(empty_store)
    yield connection
    connection.close()


@pytest.fixture
def batch(con) -> int:
    """A batch of one record, imported by the clerk."""
    return batches.import_file(con, ROWS.encode(), "十月.csv", CLERK, today=TODAY).batch


def data(name: str) -> bytes:
    return (FILES / name).read_bytes()


def stored_files(con) -> list[Path]:
    return sorted(p for p in evidence.folder(con).rglob("*") if p.is_file())


ACCEPTED = {
    "photo.png": "image/png",
    "sign-in.pdf": "application/pdf",
    "sign-in.xlsx": filetypes.XLSX,
    "summary.docx": filetypes.DOCX,
    "old.xls": filetypes.XLS,
    "old.doc": filetypes.DOC,
}


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_real_files_of_each_kind_are_kept_and_read_back(con, batch, name):
    message = evidence.attach(con, data(name), name, CLERK, batch=batch)
    assert f"已保存佐证材料“{name}”" in message and f"附于批次 {batch}" in message
    shown = evidence.listing(con, ADMIN, batch=batch)
    assert shown.file_name.tolist() == [name] and shown.media_type.tolist() == [ACCEPTED[name]]
    body, media_type, download = evidence.content(con, int(shown.id[0]), ADMIN)
    assert (body, media_type, download) == (data(name), ACCEPTED[name], name)
    digest = hashlib.sha256(data(name)).hexdigest()
    assert stored_files(con) == [evidence.folder(con) / digest[:2] / digest], "kept under its hash, outside the db"


REFUSED = {
    "text-named.png": "不是可接受的类型",
    "program.pdf": "可执行程序",
    "macro.docx": "含有宏",
    "archive.xlsx": "不是 Word、Excel 或 PowerPoint",
    "drawing.png": "不是可接受的类型",  # SVG (it can carry a script)
    "page.pdf": "不是可接受的类型",  # %PDF- not at the start: an HTML page
    "broken.docx": "已损坏",
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_file_whose_content_is_no_accepted_kind_is_refused_whatever_its_name(con, batch, name):
    with pytest.raises(evidence.EvidenceError, match=REFUSED[name]) as refused:
        evidence.attach(con, data(name), name, CLERK, batch=batch)
    assert f"“{name}”未保存" in str(refused.value)
    assert evidence.listing(con, ADMIN).empty and stored_files(con) == []
    entry = audit.entries(con).iloc[0]
    assert entry.action == "evidence.refused" and json.loads(entry.detail)["file"] == name


def test_an_exe_renamed_pdf_is_refused(con, batch):
    exe = b"MZ" + bytes(62) + b"PE\0\0" + bytes(200)
    with pytest.raises(evidence.EvidenceError, match="可执行程序"):
        evidence.attach(con, exe, "签到表.pdf", CLERK, batch=batch)


def test_a_file_over_the_limit_is_refused(con, batch, monkeypatch):
    monkeypatch.setenv(evidence.LIMIT_ENV, "0.001")  # about 1 KB
    big = data("sign-in.xlsx")
    assert len(big) > evidence.limit_bytes()
    with pytest.raises(evidence.EvidenceError, match="超过佐证材料的上限"):
        evidence.attach(con, big, "sign-in.xlsx", CLERK, batch=batch)
    evidence.attach(con, data("photo.png"), "photo.png", CLERK, batch=batch)  # under it: kept
    monkeypatch.delenv(evidence.LIMIT_ENV)
    assert evidence.limit_bytes() == 20 * 1024 * 1024, "20 MB unless configured"


def test_an_empty_file_is_refused(con, batch):
    with pytest.raises(evidence.EvidenceError, match="空文件"):
        evidence.attach(con, b"", "空.pdf", CLERK, batch=batch)


def test_the_same_content_is_stored_once_and_removing_keeps_what_another_row_uses(con, batch):
    record = int(db.scalar(con, "SELECT id FROM activities WHERE batch = ?", [batch]))
    evidence.attach(con, data("photo.png"), "现场照片.png", CLERK, batch=batch)
    evidence.attach(con, data("photo.png"), "同一张照片.png", ADMIN, activity=record)
    assert len(stored_files(con)) == 1, "the same content, one file"
    shown = evidence.listing(con, ADMIN, batch=batch)
    assert shown.file_name.tolist() == ["同一张照片.png", "现场照片.png"] and shown.title.tolist()[0] == "科普讲座"
    first, second = shown.id.tolist()[::-1]
    assert "已删除佐证材料“现场照片.png”" in evidence.remove(con, first, CLERK)
    assert len(stored_files(con)) == 1, "the other row still uses the file"
    assert evidence.content(con, second, ADMIN)[0] == data("photo.png")
    with pytest.raises(evidence.EvidenceError, match="只有上传人或管理员"):
        evidence.remove(con, second, CLERK)
    evidence.remove(con, second, ADMIN)
    assert stored_files(con) == [], "no live row uses it any more"
    removed = db.rows(con, "SELECT removed_by, removed_at IS NOT NULL FROM evidence ORDER BY id")
    assert removed == [("kx", True), (ADMIN.name, True)], "the rows stay, marked removed"
    assert audit.entries(con).action.tolist()[:2] == ["evidence.remove", "evidence.remove.refused"]
    with pytest.raises(evidence.EvidenceError, match="已删除"):
        evidence.content(con, first, ADMIN)


def test_a_clerk_attaches_only_to_their_own_batches_and_sees_only_theirs(con, batch):
    with pytest.raises(evidence.EvidenceError, match="只能为自己导入的批次"):
        evidence.attach(con, data("photo.png"), "photo.png", OTHER, batch=batch)
    record = int(db.scalar(con, "SELECT id FROM activities WHERE batch = ?", [batch]))
    with pytest.raises(evidence.EvidenceError, match="只能为自己导入的记录"):
        evidence.attach(con, data("photo.png"), "photo.png", OTHER, activity=record)
    with pytest.raises(evidence.EvidenceError, match="没有编号为 99"):
        evidence.attach(con, data("photo.png"), "photo.png", ADMIN, batch=99)
    with pytest.raises(evidence.EvidenceError, match="哪个批次或哪条记录"):
        evidence.attach(con, data("photo.png"), "photo.png", ADMIN)
    evidence.attach(con, data("photo.png"), "photo.png", CLERK, activity=record)
    assert len(evidence.listing(con, CLERK)) == 1 and evidence.listing(con, OTHER).empty
    shown = int(evidence.listing(con, ADMIN).id[0])
    with pytest.raises(evidence.EvidenceError, match="无权查看"):
        evidence.content(con, shown, OTHER)


def test_names_are_kept_as_text_and_a_download_gets_the_suffix_of_its_real_kind(con, batch):
    evidence.attach(con, data("photo.png"), "..\\..\\etc/<b>照片\u200b\n.pdf", CLERK, batch=batch)
    shown = evidence.listing(con, CLERK)
    assert shown.file_name.tolist() == ["<b>照片 .pdf"]
    assert evidence.content(con, int(shown.id[0]), CLERK)[2] == "<b>照片 .pdf.png"


def test_a_changed_or_missing_file_is_said_so(con, batch):
    evidence.attach(con, data("photo.png"), "photo.png", CLERK, batch=batch)
    shown = int(evidence.listing(con, ADMIN).id[0])
    (path,) = stored_files(con)
    path.write_bytes(b"changed")
    with pytest.raises(evidence.EvidenceError, match="内容与登记时不符"):
        evidence.content(con, shown, ADMIN)
    path.unlink()
    with pytest.raises(evidence.EvidenceError, match="可能被移走"):
        evidence.content(con, shown, ADMIN)


def test_the_folder_is_beside_the_store_unless_configured(con, empty_store, tmp_path, monkeypatch, backend):
    monkeypatch.delenv(evidence.DIR_ENV, raising=False)
    if backend == "duckdb":
        assert evidence.folder(con) == Path(f"{empty_store}.evidence")
    else:  # a database has no folder beside it: one named after it in data/
        assert evidence.folder(con) == pg_store.DATA_DIR / f"{pg_store.database_name(empty_store)}.evidence"
    monkeypatch.setenv(evidence.DIR_ENV, str(tmp_path / "佐证"))
    assert evidence.folder(con) == tmp_path / "佐证"


def test_a_returned_batch_takes_no_more_evidence(con, batch, monkeypatch):
    from kepu.storage import review

    monkeypatch.setenv(review.ENV, "1")
    pending = batches.import_file(con, ROWS.replace("E-1", "E-2").encode(), "又一批.csv", CLERK, today=TODAY).batch
    review.return_batch(con, pending, ADMIN, "缺少签到表")
    with pytest.raises(evidence.EvidenceError, match="已被退回"):
        evidence.attach(con, data("photo.png"), "photo.png", CLERK, batch=pending)
