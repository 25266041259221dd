"""What a file is, by its content, never its name: the kinds of 佐证材料 kepu accepts (photos, PDF, Office files).

A name can say anything (a program renamed 照片.png, a text file called 签到表.pdf); the bytes cannot. Each kind is
recognised by what its format puts at the start of the file, and the Office formats by their structure: a Word,
Excel or PowerPoint file of today (OOXML) is a zip whose [Content_Types].xml names the main part of that kind, and
the part is there; one of the 97–2003 formats is an OLE compound file holding the stream of that kind. Files with
macros are not accepted (a macro is a program), nor is any other kind (SVG and HTML can carry scripts).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOC, XLS = "application/msword", "application/vnd.ms-excel"


@dataclass(frozen=True)
class Kind:
    """An accepted kind of file: its media type, its name in Chinese, and the suffix a file of it should have."""

    media_type: str
    label: str
    suffix: str

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


KINDS = {
    k.media_type: k
    for k in (
        Kind("image/jpeg", "JPEG 图片", ".jpg"),
        Kind("image/png", "PNG 图片", ".png"),
        Kind("image/gif", "GIF 图片", ".gif"),
        Kind("image/webp", "WebP 图片", ".webp"),
        Kind("application/pdf", "PDF 文档", ".pdf"),
        Kind(DOCX, "Word 文档", ".docx"),
        Kind(XLSX, "Excel 工作簿", ".xlsx"),
        Kind(PPTX, "PowerPoint 演示文稿", ".pptx"),
        Kind(DOC, "Word 97-2003 文档", ".doc"),
        Kind(XLS, "Excel 97-2003 工作簿", ".xls"),
    )
}
ACCEPTED = "图片（JPEG、PNG、GIF、WebP）、PDF、Word（.docx/.doc）、Excel（.xlsx/.xls）、PowerPoint（.pptx）"

_OOXML_MAIN = {  # the content type of each format's main part, as [Content_Types].xml names it
    f"{DOCX}.main+xml": DOCX,
    f"{XLSX}.main+xml": XLSX,
    f"{PPTX}.main+xml": PPTX,
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_STREAMS = {"WordDocument": DOC, "Workbook": XLS, "Book": XLS}  # Book: Excel 5/95
_OLE_MACROS = {"Macros", "_VBA_PROJECT_CUR", "VBA"}
_CONTENT_TYPES_LIMIT = 1 << 20  # [Content_Types].xml is a few kilobytes; more is not an Office file
_TAG = re.compile(r"<(?:\w+:)?Override\b([^>]*)>")
_ATTRIBUTE = re.compile(r"""(\w+)\s*=\s*["']([^"']*)["']""")


class NotAccepted(ValueError):
    """Content of no accepted kind; str() is the reason, in Chinese."""


def kind_of(data: bytes) -> Kind:
    """The accepted kind `data` is, by its content; NotAccepted, saying why, when it is none of them."""
    if data[:3] == b"\xff\xd8\xff":
        return KINDS["image/jpeg"]
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return KINDS["image/png"]
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return KINDS["image/gif"]
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return KINDS["image/webp"]
    if data[:5] == b"%PDF-":
        return KINDS["application/pdf"]
    if data[:4] == b"PK\x03\x04":
        return KINDS[_ooxml(data)]
    if data[:8] == _OLE:
        return KINDS[_ole(data)]
    if data[:2] == b"MZ" or data[:4] == b"\x7fELF":
        raise NotAccepted("文件是可执行程序，不能作为佐证材料")
    raise NotAccepted(f"文件内容不是可接受的类型（按内容判断，与文件名无关）；可接受：{ACCEPTED}")


def _ooxml(data: bytes) -> str:
    """The OOXML format of a zip, from its [Content_Types].xml and the main part it names."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            types = b""
            if "[Content_Types].xml" in names:
                with z.open("[Content_Types].xml") as fh:
                    types = fh.read(_CONTENT_TYPES_LIMIT + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, NotImplementedError, ValueError) as exc:
        raise NotAccepted("文件像是压缩包（Office 文件），但已损坏或无法读取") from exc
    if "[Content_Types].xml" not in names:
        raise NotAccepted("文件是一个压缩包，不是 Word、Excel 或 PowerPoint 文件")
    if len(types) > _CONTENT_TYPES_LIMIT:
        raise NotAccepted("文件的内容类型清单过大，不是正常的 Office 文件")
    text = types.decode("utf-8", "replace")
    if "macroEnabled" in text or any(n.lower().endswith("vbaproject.bin") for n in names):
        raise NotAccepted("文件含有宏（.docm/.xlsm/.pptm），不能作为佐证材料；请另存为不含宏的格式")
    for tag in _TAG.findall(text):
        attributes = dict(_ATTRIBUTE.findall(tag))
        found = _OOXML_MAIN.get(attributes.get("ContentType", "").strip())
        if found and attributes.get("PartName", "").lstrip("/") in names:
            return found
    raise NotAccepted(
        "文件是 Office 格式的压缩包，但不是 Word 文档、Excel 工作簿或 PowerPoint 演示文稿（或缺少其正文）"
    )


def _ole(data: bytes) -> str:
    """The 97–2003 Office format of an OLE compound file, from the streams its directory names."""
    streams = _ole_streams(data)
    if streams & _OLE_MACROS:
        raise NotAccepted("文件含有宏，不能作为佐证材料；请另存为不含宏的格式")
    for name, media_type in _OLE_STREAMS.items():
        if name in streams:
            return media_type
    raise NotAccepted("文件是 OLE 复合文档，但不是 Word 97-2003 文档或 Excel 97-2003 工作簿")


def _ole_streams(data: bytes) -> set[str]:
    """The names in an OLE compound file's directory (empty when the file is not a sound one). The directory is a
    chain of sectors, followed through the file allocation table, whose sectors the header lists (DIFAT)."""
    if len(data) < 512:
        return set()
    shift = struct.unpack_from("<H", data, 30)[0]
    if shift not in (9, 12):
        return set()
    size = 1 << shift
    sectors = (len(data) - size) // size  # the header takes the first sector's room

    def sector(n: int) -> bytes:
        return data[(n + 1) * size : (n + 2) * size] if 0 <= n < sectors else b""

    difat = [n for n in struct.unpack_from("<109I", data, 76) if n < sectors]
    next_difat, guard = struct.unpack_from("<I", data, 68)[0], 0
    while next_difat < sectors and guard < sectors:
        block = sector(next_difat)
        links = struct.unpack(f"<{size // 4}I", block)
        difat += [n for n in links[:-1] if n < sectors]
        next_difat, guard = links[-1], guard + 1
    fat: list[int] = []
    for n in difat:
        fat += struct.unpack(f"<{size // 4}I", sector(n))
    names: set[str] = set()
    current, seen = struct.unpack_from("<I", data, 48)[0], set()
    while current < min(len(fat), sectors) and current not in seen:
        seen.add(current)
        block = sector(current)
        for at in range(0, len(block) - 127, 128):
            length = struct.unpack_from("<H", block, at + 64)[0]
            if 2 <= length <= 64:
                names.add(block[at : at + length - 2].decode("utf-16-le", "replace"))
        current = fat[current]
    return names
