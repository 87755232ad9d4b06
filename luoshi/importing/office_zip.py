"""The one guarded opener of Office files (.docx, .xlsx: zip archives) that luoshi reads.

A small archive can inflate to gigabytes (a zip bomb), and python-docx and openpyxl inflate each
part in memory. So an archive is judged from its central directory before anything is inflated:
too many entries, or declared sizes adding up to more than the limit, and it is refused. Every
reader of an uploaded Office file calls `check_office_zip` first (the importer's readers, the
Word template), then hands the same bytes to its library.

The libraries read through `zipfile`, which stops each part at the size declared in that same
directory (a part that inflates past it fails its CRC check), so the declared sizes checked here
bound what is actually inflated; `check_office_zip` also counts the bytes that actually come out.

Plain Python (no Django): the messages are plain Chinese, like the importer's.
"""

import io
import zipfile

MB = 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * MB
MAX_ZIP_ENTRIES = 10_000
CHUNK = 64 * 1024


class BrokenZip(Exception):
    """Not a zip archive, or a damaged one."""

    def __init__(self):
        super().__init__("文件已损坏或不完整（压缩结构无法打开），请重新保存或重新导出后上传。")


class ZipBomb(Exception):
    """An archive that would inflate past the limits."""

    def __init__(self):
        super().__init__(
            f"文件解压后超过 {MAX_UNZIPPED_BYTES // MB} MB 或包含过多部件，"
            "不像正常的 Word 或 Excel 文件，已拒绝读取。"
        )


def open_office_zip(data) -> zipfile.ZipFile:
    """The archive in `data` (bytes or a binary file), once its directory is within the limits.

    Raises BrokenZip or ZipBomb; nothing is inflated here.
    """
    source = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    try:
        archive = zipfile.ZipFile(source)
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise BrokenZip from None
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNZIPPED_BYTES:
        archive.close()
        raise ZipBomb
    return archive


def check_office_zip(data) -> None:
    """Raise BrokenZip or ZipBomb unless `data` is an archive within the limits.

    Past the directory, every part is inflated in chunks (never held whole) and the bytes that
    actually come out are counted: a directory that lies about its sizes is caught here too.
    """
    with open_office_zip(data) as archive:
        total = 0
        try:
            for entry in archive.infolist():
                with archive.open(entry) as part:
                    while chunk := part.read(CHUNK):
                        total += len(chunk)
                        if total > MAX_UNZIPPED_BYTES:
                            raise ZipBomb
        except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError):
            raise BrokenZip from None
