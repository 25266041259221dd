"""The parts of a zip file (an .xlsx is one), inflated a chunk at a time within limits.

The sizes in a zip's directory are only claims: a part is inflated here straight from its place in the file,
counting the bytes it really gives, and refused as soon as it gives more than it claims or than the limits allow.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator

from kepu.ingest.limits import MB, FileRejected, megabytes

MAX_PARTS = 1_000  # files in the zip; Excel writes a dozen or two, and each listed costs memory to look up
MAX_PART_BYTES = 256 * MB  # one part inflated; openpyxl writes a template-shaped sheet of 200,000 rows in 140 MB
MAX_INFLATED_BYTES = 512 * MB  # all the parts read from one file, inflated
CHUNK = 1 * MB  # inflated bytes given at a time

DAMAGED = "无法读取这个 Excel 文件（{}），请确认文件未损坏，或用 Excel 打开后另存为 .xlsx 再上传"
TOO_BIG = "文件解压后{}超过 {}，超出了能导入的范围：请删除多余的工作表、图片或格式后另存，或拆分成几个文件分批导入"


class Parts:
    """The parts of the zip file `data`, by name (compared without case, as Office compares them)."""

    def __init__(self, data: bytes):
        if data.count(b"PK\x01\x02") > MAX_PARTS:  # each directory entry starts so: counted before any is read
            raise FileRejected(
                f"压缩包中的文件超过 {MAX_PARTS:,} 个，不像 Excel 保存的工作簿：请用 Excel 打开后另存为 .xlsx 再上传"
            )
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                self._infos = {i.filename.replace("\\", "/").lower(): i for i in z.infolist()}
        except Exception as exc:  # noqa: BLE001 (a damaged or hostile directory fails in many ways: all refusals)
            raise FileRejected(DAMAGED.format(type(exc).__name__)) from None
        self._data = data
        self.inflated = 0  # bytes inflated so far, from every part

    def __contains__(self, path: str) -> bool:
        return path.lower() in self._infos

    def inflate(self, path: str, label: str) -> Iterator[bytes]:
        """The part at `path` (named `label` in messages), inflated CHUNK at a time. Raises FileRejected when it
        is missing, encrypted, damaged, or inflates beyond its stated size or the limits."""
        info = self._infos.get(path.lower())
        if info is None:
            raise FileRejected(DAMAGED.format(f"缺少{label}"))
        if info.flag_bits & 0x1:
            raise FileRejected("文件设置了密码，无法读取：请在 Excel 中取消密码后另存，再上传")
        if info.file_size > MAX_PART_BYTES:
            raise FileRejected(TOO_BIG.format(label, megabytes(MAX_PART_BYTES)))
        total, crc = 0, 0
        for chunk in _inflated(self._data, info, label):
            total += len(chunk)
            self.inflated += len(chunk)
            if total > info.file_size:
                raise FileRejected(
                    f"文件已损坏或被改动过：其中的{label}解压后比压缩包中登记的大小更大，无法读取。"
                    "请用 Excel 打开后另存为 .xlsx 再上传"
                )
            if self.inflated > MAX_INFLATED_BYTES:
                raise FileRejected(TOO_BIG.format("", megabytes(MAX_INFLATED_BYTES)))
            crc = zlib.crc32(chunk, crc)
            yield chunk
        if total != info.file_size or crc != info.CRC:
            raise FileRejected(DAMAGED.format(f"{label}不完整"))


def _inflated(data: bytes, info: zipfile.ZipInfo, label: str) -> Iterator[bytes]:
    """A part's bytes inflated CHUNK at a time, read from where its local header says they start."""
    header = data[info.header_offset : info.header_offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise FileRejected(DAMAGED.format(f"{label}的位置有误"))
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    start = info.header_offset + 30 + name_length + extra_length
    raw = memoryview(data)[start : start + info.compress_size]
    if len(raw) < info.compress_size:
        raise FileRejected(DAMAGED.format(f"{label}不完整"))
    if info.compress_type == zipfile.ZIP_STORED:
        for at in range(0, len(raw), CHUNK):
            yield bytes(raw[at : at + CHUNK])
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise FileRejected(DAMAGED.format(f"{label}的压缩方式不是 Excel 所用的"))
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    at = 0
    try:
        while not inflater.eof:
            if inflater.unconsumed_tail:
                chunk = inflater.decompress(inflater.unconsumed_tail, CHUNK)
            elif at < len(raw):
                chunk = inflater.decompress(raw[at : at + CHUNK], CHUNK)
                at += CHUNK
            else:
                raise FileRejected(DAMAGED.format(f"{label}不完整"))
            if chunk:
                yield chunk
    except zlib.error as exc:
        raise FileRejected(DAMAGED.format(f"{label}无法解压：{exc}")) from None
