"""Writes the 佐证材料 fixture files in this folder. Run: uv run python tests/data/evidence/make_fixtures.py

Real files of each accepted kind (made by the libraries people's programs use), and files whose name promises one
kind while their content is another, or nothing accepted at all. tests/test_evidence.py says what each must do.
"""

import io
import struct
import zipfile
import zlib
from pathlib import Path

import docx
import openpyxl
import xlwt
from PIL import Image

HERE = Path(__file__).parent


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 24), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def pdf() -> bytes:
    """A one-page PDF, written out by hand: header, four objects, cross-reference table and trailer."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R >>",
    ]
    stream = b"BT /F1 12 Tf 20 50 Td (sign-in sheet) Tj ET"
    objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (n, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % o for o in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["签到表", "人数"])
    book.active.append(["社区科普讲座", 40])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("活动总结")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xls() -> bytes:
    book = xlwt.Workbook()
    book.add_sheet("签到").write(0, 0, "签到表")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def doc_from(xls_data: bytes) -> bytes:
    """An OLE compound file like the .xls, its Workbook stream renamed WordDocument: what a Word 97 file's directory
    holds (no library here writes .doc)."""
    data = bytearray(xls_data)
    old = "Workbook".encode("utf-16-le") + b"\0\0"
    at = data.index(old)
    data[at : at + 64] = ("WordDocument".encode("utf-16-le") + b"\0\0").ljust(64, b"\0")
    data[at + 64 : at + 66] = struct.pack("<H", len("WordDocument") * 2 + 2)
    return bytes(data)


def macro_docx(plain: bytes) -> bytes:
    """The .docx with its main part declared macro-enabled and a vbaProject.bin beside it (a .docm)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                body = body.replace(
                    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                    b"application/vnd.ms-word.document.macroEnabled.main+xml",
                )
            dst.writestr(item, body)
        dst.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("照片/1.txt", "not an office file")
    return out.getvalue()


def main() -> None:
    files = {
        "photo.png": png(),
        "sign-in.pdf": pdf(),
        "sign-in.xlsx": xlsx(),
        "summary.docx": docx_bytes(),
        "old.xls": xls(),
        "old.doc": doc_from(xls()),
        # names that lie
        "text-named.png": "这是一段文字，不是图片。\n".encode(),
        "program.pdf": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
        + bytes(48)
        + b"This program cannot be run",
        "macro.docx": macro_docx(docx_bytes()),
        "archive.xlsx": plain_zip(),
        "drawing.png": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "page.pdf": b"<html><body>%PDF-1.4 not at the start</body></html>",
        "broken.docx": b"PK\x03\x04" + zlib.compress(b"truncated"),
    }
    for name, data in files.items():
        (HERE / name).write_bytes(data)


if __name__ == "__main__":
    main()
