"""Workbooks written by hand, part by part, for tests/test_reading.py and benchmarks/workbook_bench.py: sheets in
Transitional or Strict Open XML, and zips whose parts inflate to hundreds of MB from a few KB, or say they hold
less than they do.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from xml.sax.saxutils import escape

TRANSITIONAL = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
)
STRICT = ("http://purl.oclc.org/ooxml/spreadsheetml/main", "http://purl.oclc.org/ooxml/officeDocument/relationships")
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def number_cell(ref: str, number, style: int | None = None) -> str:
    s = f' s="{style}"' if style is not None else ""
    return f'<c r="{ref}"{s}><v>{number}</v></c>'


def row(number: int, *cells: str) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


def header_row(columns, number: int = 1) -> str:
    """A row of text cells from column A on."""
    return row(number, *(text_cell(f"{column_letters(i)}{number}", c) for i, c in enumerate(columns)))


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_xml(rows: str, namespaces=TRANSITIONAL) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{namespaces[0]}"><sheetData>{rows}'
        "</sheetData></worksheet>"
    )


def parts(
    sheets: list[tuple[str, str, str]],
    shared: str | None = None,
    styles: str | None = None,
    date1904: bool = False,
    namespaces=TRANSITIONAL,
) -> dict[str, bytes]:
    """The parts of a workbook whose sheets are (name, worksheet XML, state: visible, hidden or veryHidden);
    `shared` and `styles` are the whole sharedStrings.xml and styles.xml when given."""
    main, rels = namespaces
    sheet_entries = "".join(
        f'<sheet name="{escape(name)}" sheetId="{i}" state="{state}" r:id="rId{i}"/>'
        for i, (name, _, state) in enumerate(sheets, start=1)
    )
    pr = '<workbookPr date1904="1"/>' if date1904 else ""
    links = [(f"rId{i}", "worksheet", f"worksheets/sheet{i}.xml") for i in range(1, len(sheets) + 1)]
    out = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
        b'2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": _relationships([("rId1", "officeDocument", "xl/workbook.xml")], rels),
        "xl/workbook.xml": (
            f'<?xml version="1.0"?><workbook xmlns="{main}" xmlns:r="{rels}">{pr}'
            f"<sheets>{sheet_entries}</sheets></workbook>"
        ).encode(),
    }
    for i, (_, xml, _) in enumerate(sheets, start=1):
        out[f"xl/worksheets/sheet{i}.xml"] = xml.encode()
    if shared is not None:
        links.append(("rIdS", "sharedStrings", "sharedStrings.xml"))
        out["xl/sharedStrings.xml"] = shared.encode()
    if styles is not None:
        links.append(("rIdT", "styles", "styles.xml"))
        out["xl/styles.xml"] = styles.encode()
    out["xl/_rels/workbook.xml.rels"] = _relationships(links, rels)
    return out


def _relationships(links: list[tuple[str, str, str]], rels: str) -> bytes:
    entries = "".join(f'<Relationship Id="{i}" Type="{rels}/{kind}" Target="{target}"/>' for i, kind, target in links)
    return f'<?xml version="1.0"?><Relationships xmlns="{PACKAGE}">{entries}</Relationships>'.encode()


def zipped(files: dict[str, bytes]) -> bytes:
    """The files as a zip, deflated as Excel writes them."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


def workbook(sheets: list[tuple[str, str, str]], **kwargs) -> bytes:
    return zipped(parts(sheets, **kwargs))


class Inflating:
    """A part made of pieces, some repeated many times, deflated without ever being built: each piece is deflated
    once (and the deflater reset after it), so that its deflated bytes can simply be repeated. 300 MB of XML
    takes about 300 KB."""

    def __init__(self, pieces: list[tuple[bytes, int]], with_crc: bool = True):
        self.compressed = b"".join(_deflated(piece) * times for piece, times in pieces)
        self.compressed += zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()
        self.size = sum(len(piece) * times for piece, times in pieces)
        self.crc = 0  # left 0 (wrong) when not wanted: working it out over gigabytes takes seconds
        for piece, times in pieces if with_crc else ():
            for _ in range(times):
                self.crc = zlib.crc32(piece, self.crc)


def _deflated(piece: bytes) -> bytes:
    deflater = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return deflater.compress(piece) + deflater.flush(zlib.Z_FULL_FLUSH)


def raw_zip(files: dict[str, bytes | Inflating], stated_sizes: dict[str, int] | None = None) -> bytes:
    """A zip written byte by byte, so that a part can be an Inflating one, and can state (in both its local
    header and the directory) a size other than the one it inflates to."""
    stated_sizes = stated_sizes or {}
    out, directory = io.BytesIO(), io.BytesIO()
    for name, content in files.items():
        part = content if isinstance(content, Inflating) else Inflating([(content, 1)])
        size = stated_sizes.get(name, part.size)
        encoded = name.encode()
        offset = out.tell()
        out.write(
            struct.pack(
                "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, part.crc, len(part.compressed), size, len(encoded), 0
            )
        )
        out.write(encoded + part.compressed)
        directory.write(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0,
                part.crc,
                len(part.compressed),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
        )
        directory.write(encoded)
    start = out.tell()
    out.write(directory.getvalue())
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(files), len(files), len(directory.getvalue()), start, 0))
    return out.getvalue()
